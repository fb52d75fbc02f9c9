"""vision.transforms per sample, against torchvision's documented semantics (torchvision itself is
not installed: the expected values are computed here with torch the way torchvision computes
them: ToTensor's permute and /255, Normalize's formula, Resize through F.interpolate)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tinygrad_edu.vision import transforms as T

RNG = np.random.default_rng(0)
GREY = RNG.integers(0, 256, (12, 10), dtype=np.uint8)
RGB = RNG.integers(0, 256, (9, 14, 3), dtype=np.uint8)


def _torch_to_tensor(a: np.ndarray) -> torch.Tensor:
    a = a[:, :, None] if a.ndim == 2 else a
    return torch.from_numpy(a.transpose(2, 0, 1).copy()).float().div(255)


@pytest.mark.parametrize("img", [GREY, RGB], ids=["HW", "HWC"])
def test_to_tensor(img):
    out = T.ToTensor()(img)
    assert out.dtype == tg.float32 and out.shape == (1 if img.ndim == 2 else 3, *img.shape[:2])
    np.testing.assert_allclose(out.numpy(), _torch_to_tensor(img).numpy(), rtol=1e-6)


def test_to_tensor_keeps_other_dtypes_and_refuses_tensors():
    f = RNG.standard_normal((4, 5, 2))
    out = T.ToTensor()(f)
    assert out.dtype == tg.float64 and np.array_equal(out.numpy(), f.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray.*already a Tensor"):
        T.ToTensor()(tg.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4"):
        T.ToTensor()(np.zeros((1, 2, 2, 1), np.uint8))


def test_to_tensor_accepts_pil_images():
    Image = pytest.importorskip("PIL.Image")
    for arr, mode in ((GREY, "L"), (RGB, "RGB")):
        out = T.ToTensor()(Image.fromarray(arr, mode))
        np.testing.assert_allclose(out.numpy(), _torch_to_tensor(arr).numpy(), rtol=1e-6)


def test_normalize():
    x = T.ToTensor()(RGB)
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
    out = T.Normalize(mean, std)(x)
    tx = _torch_to_tensor(RGB)
    expected = (tx - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match="float tensor. Got uint8"):
        T.Normalize(mean, std)(tg.zeros(3, 2, 2, dtype=tg.uint8))
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize(mean, (1.0, 0.0, 1.0))(x)


@pytest.mark.parametrize(
    "size, mode, antialias",
    [
        (5, "bilinear", True),
        ((7, 4), "bilinear", True),
        ((20, 17), "bilinear", True),
        ((5, 3), "bilinear", False),
        ((25, 19), "bilinear", False),
        ((5, 7), "nearest", True),
        ((30, 21), "nearest", True),
    ],
)
def test_resize_float_tensor_matches_interpolate(size, mode, antialias):
    x = RNG.standard_normal((3, 12, 10)).astype(np.float32)
    out = T.Resize(size, interpolation=mode, antialias=antialias)(tg.tensor(x))
    oh, ow = out.shape[-2:]
    kw = dict(align_corners=False, antialias=antialias) if mode == "bilinear" else {}
    expected = TF.interpolate(torch.tensor(x)[None], size=(oh, ow), mode=mode, **kw)[0]
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


def test_resize_output_size_rule_and_arrays():
    assert T.Resize(5).output_size(12, 10) == (6, 5)  # the smaller edge becomes 5
    assert T.Resize(5).output_size(10, 12) == (5, 6)
    assert T.Resize([8]).output_size(10, 20) == (8, 16)
    assert T.Resize(8, max_size=12).output_size(10, 20) == (6, 12)
    out = T.Resize((6, 7))(RGB)  # an image array in, an image array out (PIL stand-in)
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.shape == (6, 7, 3)
    expected = TF.interpolate(
        torch.from_numpy(RGB.transpose(2, 0, 1).copy()).float()[None],
        size=(6, 7),
        mode="bilinear",
        antialias=True,
    )[0].round()
    diff = np.abs(out.transpose(2, 0, 1).astype(int) - expected.numpy().astype(int))
    assert diff.max() <= 1  # rounding of ties may differ by one grey level
    with pytest.raises(ValueError, match="max_size = 5 must be strictly greater"):
        T.Resize(8, max_size=5)(GREY)
    with pytest.raises(ValueError, match="interpolation must be 'bilinear' or 'nearest'"):
        T.Resize(4, interpolation="bicubic")


def _windows(padded: np.ndarray, th: int, tw: int) -> list:
    h, w = padded.shape[:2]
    return [padded[i : i + th, j : j + tw] for i in range(h - th + 1) for j in range(w - tw + 1)]


def test_random_crop_is_a_window_of_the_padded_image():
    crop = T.RandomCrop(8, padding=2, fill=7)
    padded = np.pad(GREY, 2, constant_values=7)
    seen = set()
    for _ in range(30):
        out = crop(GREY)
        assert out.shape == (8, 8) and out.dtype == np.uint8
        matches = [k for k, win in enumerate(_windows(padded, 8, 8)) if np.array_equal(win, out)]
        assert matches
        seen.add(matches[0])
    assert len(seen) > 5  # the position is random
    tensor_out = T.RandomCrop((3, 4))(tg.tensor(RGB.transpose(2, 0, 1).copy()))
    assert tensor_out.shape == (3, 3, 4)


def test_random_crop_padding_forms_and_pad_if_needed():
    one = np.ones((2, 3), np.uint8)
    out = T.RandomCrop((2 + 2 + 4, 3 + 1 + 3), padding=(1, 2, 3, 4))(
        one
    )  # left, top, right, bottom
    expected = np.pad(one, ((2, 4), (1, 3)))
    assert np.array_equal(out, expected)
    out = T.RandomCrop((2 + 2 * 3, 3 + 2 * 1), padding=(1, 3))(one)  # left/right, top/bottom
    assert np.array_equal(out, np.pad(one, ((3, 3), (1, 1))))
    out = T.RandomCrop((4, 5), pad_if_needed=True)(one)
    assert out.shape == (4, 5) and out.sum() == 6
    too_big = r"required crop size \(4, 4\) is larger than input image size \(2, 3\)"
    with pytest.raises(ValueError, match=too_big):
        T.RandomCrop(4)(one)
    edge = T.RandomCrop((4, 5), padding=1, padding_mode="edge")(
        np.arange(6, dtype=np.uint8).reshape(2, 3)
    )
    assert np.array_equal(edge, np.pad(np.arange(6, dtype=np.uint8).reshape(2, 3), 1, mode="edge"))


def test_random_horizontal_flip():
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(RGB), RGB[:, ::-1])
    assert np.array_equal(T.RandomHorizontalFlip(0.0)(RGB), RGB)
    x = tg.tensor(RGB.transpose(2, 0, 1).copy())
    assert np.array_equal(
        T.RandomHorizontalFlip(1.0)(x).numpy(), RGB.transpose(2, 0, 1)[:, :, ::-1]
    )
    flips = sum(np.array_equal(T.RandomHorizontalFlip()(GREY), GREY[:, ::-1]) for _ in range(200))
    assert 60 < flips < 140


def test_compose_pipeline_like_a_tutorial():
    tg.manual_seed(0)
    tf = T.Compose(
        [
            T.RandomCrop(10, padding=1),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize((0.5,), (0.5,)),
        ]
    )
    out = tf(GREY)
    assert out.shape == (1, 10, 10) and out.dtype == tg.float32
    assert -1.0 <= out.numpy().min() and out.numpy().max() <= 1.0
    assert T.Lambda(lambda x: x * 2)(tg.ones(2)).tolist() == [2.0, 2.0]
