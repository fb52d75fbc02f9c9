"""Per-sample image transforms with torchvision's names, arguments and semantics.

    tf = transforms.Compose([
        transforms.RandomCrop(32, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    ])

Images before ToTensor are uint8 NumPy arrays, (H, W) or (H, W, C), standing in for PIL images;
RandomCrop, RandomHorizontalFlip and Resize return the same kind of array they get. On Tensors
they work on the last two dims (..., H, W), like torchvision's tensor transforms. A random
transform makes one draw per call (per sample) from the library RNG (tg.manual_seed).
"""

from __future__ import annotations

import numbers
import sys
from typing import Any, Sequence

from .. import backend
from ..data.transforms import Compose, Lambda
from ..factories import rand, randint, tensor
from ..nn.functional import pad as _pad
from ..tensor import Tensor
from ._resize import resize_tensor

__all__ = [
    "Compose",
    "Lambda",
    "ToTensor",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "Resize",
    "InterpolationMode",
]


class InterpolationMode:
    """torchvision.transforms.InterpolationMode; plain strings are accepted too."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _is_pil(x: Any) -> bool:
    image = sys.modules.get("PIL.Image")  # a PIL image implies Pillow is already imported
    return image is not None and isinstance(x, image.Image)


_PIL_DTYPES = {"I": backend.int32, "I;16": backend.int16, "F": backend.float32}


class ToTensor:
    """A uint8 (H, W[, C]) array or PIL image in [0, 255] -> a float32 (C, H, W) Tensor in [0, 1].

    Arrays of another dtype keep it and are not scaled (as torchvision)."""

    def __call__(self, pic: Any) -> Tensor:
        if _is_pil(pic):
            dtype = _PIL_DTYPES.get(pic.mode, backend.uint8)
            img = Tensor(pic, dtype=dtype, device="cpu")
            if pic.mode == "1":
                img = img * 255
        elif backend.is_array(pic):
            if pic.ndim not in (2, 3):
                raise ValueError(
                    f"ToTensor: pic should be 2/3 dimensional. Got {pic.ndim} dimensions."
                )
            img = Tensor(pic, device="cpu")
        else:
            raise TypeError(
                f"ToTensor: pic should be PIL Image or ndarray. Got {type(pic).__name__}"
                + (" (it is already a Tensor)" if isinstance(pic, Tensor) else "")
            )
        img = (img.unsqueeze(-1) if img.ndim == 2 else img).permute(2, 0, 1)
        if img.dtype == backend.uint8:
            return img.float() / 255.0
        return img

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """output[c] = (input[c] - mean[c]) / std[c] for a float Tensor (..., C, H, W)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, t: Tensor) -> Tensor:
        if not isinstance(t, Tensor):
            raise TypeError(f"Normalize: input should be a Tensor, got {type(t).__name__}")
        if not backend.is_floating(t.dtype):
            raise TypeError(f"Normalize: input tensor should be a float tensor. Got {t.dtype}.")
        if t.ndim < 3:
            raise ValueError(
                f"Normalize: expected tensor to be a tensor image of size (..., C, H, W). Got "
                f"shape {tuple(t.shape)}."
            )
        mean = tensor(self.mean, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
        std = tensor(self.std, dtype=t.dtype, device=t.device).reshape(-1, 1, 1)
        if (std == 0).any().item():
            raise ValueError(
                f"Normalize: std evaluated to zero after conversion to {t.dtype}, "
                "leading to division by zero."
            )
        return (t - mean) / std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


def _as_chw(img: Any, name: str) -> tuple[Tensor, bool, bool]:
    """(the image as a Tensor (..., H, W), was an array, was an HWC array)."""
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise ValueError(f"{name}: expected an image tensor (..., H, W), got shape {img.shape}")
        return img, False, False
    if backend.is_array(img) and img.ndim in (2, 3):
        t = Tensor(img, device="cpu")
        return (t.permute(2, 0, 1) if t.ndim == 3 else t), True, t.ndim == 3
    raise TypeError(
        f"{name}: expected a Tensor (..., H, W) or an image array (H, W[, C]), got "
        f"{type(img).__name__}"
    )


def _back(t: Tensor, was_array: bool, hwc: bool) -> Any:
    if not was_array:
        return t
    return (t.permute(1, 2, 0) if hwc else t).numpy().copy()


def _padding(padding: Any) -> tuple:
    """torchvision's padding: int, (lr, tb) or (left, top, right, bottom) -> (l, t, r, b)."""
    if isinstance(padding, numbers.Integral):
        p = int(padding)
        return p, p, p, p
    if isinstance(padding, (tuple, list)) and len(padding) in (1, 2, 4):
        p = [int(v) for v in padding]
        if len(p) == 1:
            return p[0], p[0], p[0], p[0]
        return (p[0], p[1], p[0], p[1]) if len(p) == 2 else tuple(p)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {padding!r}")


def _size(size: Any, name: str) -> tuple:
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) in (1, 2):
        return (int(size[0]), int(size[-1]))
    raise ValueError(f"{name}: please provide only two dimensions (h, w) for size, got {size!r}")


_PAD_MODES = {"constant": "constant", "edge": "replicate", "reflect": "reflect"}


def _pad_image(t: Tensor, ltrb: tuple, fill: float, padding_mode: str) -> Tensor:
    left, top, right, bottom = ltrb
    lead, (h, w) = tuple(t.shape[:-2]), tuple(t.shape[-2:])
    x = t.reshape(1, -1, h, w)
    if padding_mode == "constant":
        x = _pad(x, (left, right, top, bottom), value=fill)
    else:
        x = _pad(x, (left, right, top, bottom), mode=_PAD_MODES[padding_mode])
    return x.reshape(*lead, h + top + bottom, w + left + right)


class RandomCrop:
    """Crop a random (h, w) window, after optional padding (torchvision's RandomCrop).

    RandomCrop(size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant');
    padding: int, (left/right, top/bottom) or (left, top, right, bottom); padding_mode
    'constant' (with fill), 'edge' or 'reflect'."""

    def __init__(
        self,
        size: Any,
        padding: Any = None,
        pad_if_needed: bool = False,
        fill: float = 0,
        padding_mode: str = "constant",
    ) -> None:
        self.size = _size(size, "RandomCrop")
        self.padding = None if padding is None else _padding(padding)
        if padding_mode not in _PAD_MODES:
            raise ValueError(
                f"RandomCrop: padding_mode should be 'constant', 'edge' or 'reflect' "
                f"(tinygrad_edu has no 'symmetric'), got {padding_mode!r}"
            )
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def __call__(self, img: Any) -> Any:
        t, was_array, hwc = _as_chw(img, "RandomCrop")
        if self.padding is not None:
            t = _pad_image(t, self.padding, self.fill, self.padding_mode)
        th, tw = self.size
        h, w = t.shape[-2:]
        if self.pad_if_needed and w < tw:
            t = _pad_image(t, (tw - w, 0, tw - w, 0), self.fill, self.padding_mode)
        if self.pad_if_needed and h < th:
            t = _pad_image(t, (0, th - h, 0, th - h), self.fill, self.padding_mode)
        h, w = t.shape[-2:]
        if h < th or w < tw:
            raise ValueError(
                f"RandomCrop: required crop size {(th, tw)} is larger than input "
                f"image size {(h, w)}"
            )
        if (h, w) != (th, tw):
            i = int(randint(0, h - th + 1, (1,), device="cpu").item())
            j = int(randint(0, w - tw + 1, (1,), device="cpu").item())
            t = t[..., i : i + th, j : j + tw]
        return _back(t, was_array, hwc)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left-right with probability p (one draw per call)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        t, was_array, hwc = _as_chw(img, "RandomHorizontalFlip")
        if rand(1, device="cpu").item() < self.p:
            t = t.flip(-1)
        return _back(t, was_array, hwc) if was_array else t

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Resize:
    """Resize to `size`: (h, w), or an int that the smaller edge is matched to (keeping the
    aspect ratio; max_size caps the longer edge). interpolation 'bilinear' (default, with
    antialias=True when shrinking, as torchvision) or 'nearest'. uint8 images are rounded."""

    def __init__(
        self,
        size: Any,
        interpolation: str = InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ) -> None:
        if not isinstance(size, (numbers.Integral, tuple, list)) or (
            isinstance(size, (tuple, list)) and len(size) not in (1, 2)
        ):
            raise TypeError(
                f"Resize: size should be an int or a sequence of length 1 or 2, got {size!r}"
            )
        if max_size is not None and not (isinstance(size, numbers.Integral) or len(size) == 1):
            raise ValueError("Resize: max_size is only supported for a single int size")
        mode = getattr(interpolation, "value", interpolation)
        if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
            raise ValueError(f"Resize: interpolation must be 'bilinear' or 'nearest', got {mode!r}")
        self.size, self.interpolation = size, mode
        self.max_size, self.antialias = max_size, bool(antialias)

    def output_size(self, h: int, w: int) -> tuple:
        """torchvision's _compute_resized_output_size."""
        if isinstance(self.size, (tuple, list)) and len(self.size) == 2:
            return int(self.size[0]), int(self.size[1])
        requested = int(self.size if isinstance(self.size, numbers.Integral) else self.size[0])
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = requested, int(requested * long / short)
        if self.max_size is not None:
            if self.max_size <= requested:
                raise ValueError(
                    f"Resize: max_size = {self.max_size} must be strictly greater "
                    f"than the requested size {requested}"
                )
            if new_long > self.max_size:
                new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)

    def __call__(self, img: Any) -> Any:
        t, was_array, hwc = _as_chw(img, "Resize")
        oh, ow = self.output_size(*t.shape[-2:])
        out = resize_tensor(t, (oh, ow), self.interpolation, self.antialias)
        return _back(out, was_array, hwc)

    def __repr__(self) -> str:
        return (
            f"Resize(size={self.size}, interpolation={self.interpolation}, "
            f"max_size={self.max_size}, antialias={self.antialias})"
        )
