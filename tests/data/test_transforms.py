"""transforms: values, shapes, randomness from the library seed, use inside a DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.data import transforms as T


def _images(n=4, c=2, h=5, w=6) -> Tensor:
    return tg.arange(n * c * h * w).reshape(n, c, h, w).float() + 1.0


def test_normalize_per_channel():
    x = _images(3, 2, 4, 4)
    y = T.Normalize([1.0, 2.0], [2.0, 4.0])(x)
    expected = (x.numpy() - np.array([1.0, 2.0]).reshape(2, 1, 1)) / np.array([2.0, 4.0]).reshape(
        2, 1, 1
    )
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    assert y.dtype == tg.float32
    single = T.Normalize([1.0, 2.0], [2.0, 4.0])(x[0])
    np.testing.assert_allclose(single.numpy(), expected[0], rtol=1e-6)
    np.testing.assert_allclose(T.Normalize(0.5, 0.25)(x).numpy(), (x.numpy() - 0.5) / 0.25)


def test_normalize_errors():
    with pytest.raises(ValueError, match="3 channel"):
        T.Normalize([0.0] * 3, [1.0] * 3)(_images(2, 2))
    with pytest.raises(ValueError, match="zero"):
        T.Normalize([0.0], [0.0])
    with pytest.raises(ValueError, match="same length"):
        T.Normalize([0.0, 1.0], [1.0])


def test_random_crop_shapes_and_content():
    x = _images(8, 2, 5, 6)
    y = T.RandomCrop((3, 4))(x)
    assert y.shape == (8, 2, 3, 4)
    xn, yn = x.numpy(), y.numpy()
    for n in range(8):  # each crop is a window of its own image
        found = any(
            np.array_equal(yn[n], xn[n, :, i : i + 3, j : j + 4])
            for i in range(3)
            for j in range(3)
        )
        assert found


def test_random_crop_with_padding_keeps_values_or_zeros():
    x = _images(16, 1, 4, 4)
    y = T.RandomCrop(4, padding=2)(x).numpy()
    assert y.shape == (16, 1, 4, 4)
    xs = set(x.numpy().ravel().tolist()) | {0.0}
    assert set(y.ravel().tolist()) <= xs
    assert (y == 0).any()  # some windows reach into the zero padding


def test_random_shift_translates_with_zero_fill():
    x = tg.ones(64, 1, 6, 6)
    y = T.RandomShift(2)(x)
    assert y.shape == x.shape
    yn = y.numpy()
    sums = yn.reshape(64, -1).sum(1)
    assert sums.min() >= 16 and sums.max() == 36  # shifted by at most 2 in each direction
    assert len(set(sums.tolist())) > 1  # images get different shifts
    assert T.RandomShift(0)(x).tolist() == x.tolist()
    assert T.RandomShift(1)(tg.ones(1, 3, 3)).shape == (1, 3, 3)  # a single (C, H, W) image


def test_horizontal_flip():
    x = _images(32, 1, 2, 3)
    assert T.RandomHorizontalFlip(1.0)(x).numpy().tolist() == x.numpy()[..., ::-1].tolist()
    assert T.RandomHorizontalFlip(0.0)(x).tolist() == x.tolist()
    y = T.RandomHorizontalFlip(0.5)(x).numpy()
    flipped = [np.array_equal(y[i], x.numpy()[i, ..., ::-1]) for i in range(32)]
    assert 0 < sum(flipped) < 32
    with pytest.raises(ValueError, match="p must be in"):
        T.RandomHorizontalFlip(1.5)


def test_gaussian_noise():
    x = tg.zeros(2000)
    y = T.GaussianNoise(0.5)(x).numpy()
    assert abs(y.std() - 0.5) < 0.05 and abs(y.mean()) < 0.05
    assert T.GaussianNoise(0.0)(x).tolist() == x.tolist()


def test_random_transforms_follow_manual_seed():
    aug = T.Compose([T.RandomCrop(4, padding=1), T.RandomHorizontalFlip(), T.GaussianNoise(0.1)])
    x = _images(6, 1, 4, 4)
    tg.manual_seed(11)
    a = aug(x).numpy()
    b = aug(x).numpy()
    tg.manual_seed(11)
    assert np.array_equal(aug(x).numpy(), a)
    assert not np.array_equal(a, b)


def test_compose_lambda_and_repr():
    pipe = T.Compose([T.Lambda(lambda x: x * 2), T.Normalize(1.0, 2.0)])
    assert pipe(tg.ones(1, 1, 1)).tolist() == [[[0.5]]]
    assert "Normalize" in repr(pipe) and "Lambda" in repr(pipe)
    with pytest.raises(TypeError, match="not callable"):
        T.Compose([3])


def test_to_tensor():
    hwc = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    t = T.ToTensor()(hwc)
    assert t.shape == (3, 2, 3) and t.dtype == tg.float32
    np.testing.assert_allclose(t.numpy(), hwc.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    assert T.ToTensor()(np.zeros((4, 5), dtype=np.uint8)).shape == (1, 4, 5)
    assert T.ToTensor()(np.zeros((7, 4, 5, 3), dtype=np.uint8)).shape == (7, 3, 4, 5)
    u8 = Tensor(np.full((1, 2, 2), 255, dtype=np.uint8))
    assert T.ToTensor()(u8).tolist() == [[[1.0, 1.0], [1.0, 1.0]]]


def test_shape_errors():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        T.RandomCrop(2)(tg.ones(4, 4))
    with pytest.raises(ValueError, match="larger than the padded image"):
        T.RandomCrop(5)(tg.ones(1, 1, 4, 4))


def test_transforms_are_differentiable():
    x = tg.rand(3, 2, 4, 4, requires_grad=True)
    aug = T.Compose([T.RandomShift(1), T.RandomHorizontalFlip(), T.Normalize([0.5, 0.5], [2, 2])])
    aug(x).sum().backward()
    assert x.grad.shape == x.shape
    assert set(np.unique(x.grad.numpy()).tolist()) <= {0.0, 0.5}


def test_transform_in_dataloader(device):
    ds = TensorDataset(tg.ones(10, 1, 4, 4), tg.arange(10))
    loader = DataLoader(ds, batch_size=5, device=device, transform=T.Normalize([1.0], [2.0]))
    for xb, yb in loader:
        assert xb.device == device and xb.shape == (5, 1, 4, 4)
        assert float(xb.abs().sum().item()) == 0.0


def test_random_crop_on_device(device):
    x = _images(4, 1, 5, 5).to(device)
    y = T.Compose([T.RandomCrop(3, padding=1), T.RandomHorizontalFlip()])(x)
    assert y.device == device and y.shape == (4, 1, 3, 3)
