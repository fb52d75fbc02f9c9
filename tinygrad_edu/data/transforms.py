"""Image transforms for data augmentation and normalisation, in torchvision's names.

Each transform is a callable on a batch of images ``(N, C, H, W)`` or on one image ``(C, H, W)``
and returns a Tensor of the same layout. Random transforms draw a fresh choice per image from the
library RNG, so ``tg.manual_seed(n)`` makes them reproducible. They are built from Tensor ops, so
they run on the batch's device and are differentiable.

Use them on whole batches by passing one to a DataLoader, which applies it to the first tensor
of each batch (the inputs) after moving the batch to its device:

    augment = transforms.Compose([
        transforms.RandomCrop(28, padding=2),
        transforms.RandomHorizontalFlip(0.5),
        transforms.Normalize([0.2860], [0.3530]),
    ])
    loader = DataLoader(train, batch_size=128, shuffle=True, transform=augment)
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

from .. import backend
from ..composite.elementwise import where
from ..factories import arange, rand, randint, randn
from ..tensor import Tensor

__all__ = [
    "Compose",
    "Lambda",
    "ToTensor",
    "Normalize",
    "RandomCrop",
    "RandomShift",
    "RandomHorizontalFlip",
    "GaussianNoise",
]


def _as_batch(x: Any, name: str) -> tuple:
    """(x as (N, C, H, W), whether it was one (C, H, W) image)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__} (use ToTensor first)")
    if x.ndim == 4:
        return x, False
    if x.ndim == 3:
        return x.unsqueeze(0), True
    raise ValueError(
        f"{name}: expected images shaped (N, C, H, W) or (C, H, W), got shape {x.shape}; reshape "
        "flattened inputs, e.g. x.reshape(-1, 1, 28, 28)"
    )


def _pair(value: Any, name: str) -> tuple:
    if isinstance(value, numbers.Integral):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")


class Compose:
    """Apply transforms one after the other: Compose([t1, t2])(x) == t2(t1(x))."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if not isinstance(transforms, (list, tuple)):
            raise TypeError(
                f"Compose: expected a list of transforms, got {type(transforms).__name__}"
            )
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: {t!r} ({type(t).__name__}) is not callable")

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class Lambda:
    """Wrap any function x -> y as a transform, e.g. Lambda(lambda x: x.flatten(1))."""

    def __init__(self, fn: Callable) -> None:
        if not callable(fn):
            raise TypeError(f"Lambda: expected a callable, got {type(fn).__name__}")
        self.fn = fn

    def __call__(self, x: Any) -> Any:
        return self.fn(x)

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.fn, '__name__', repr(self.fn))})"


class ToTensor:
    """Turn an image array into a float32 Tensor in [0, 1] (torchvision's ToTensor).

    A NumPy array in channels-last layout, (H, W), (H, W, C) or (N, H, W, C), becomes (1, H, W),
    (C, H, W) or (N, C, H, W); uint8 values are divided by 255, other dtypes just become float32.
    A Tensor keeps its layout (uint8 is still scaled).
    """

    def __call__(self, x: Any) -> Tensor:
        if isinstance(x, Tensor):
            t = x
        else:
            try:
                t = Tensor(x, device="cpu") if backend.is_array(x) else Tensor(x)
            except (TypeError, RuntimeError) as e:
                raise TypeError(
                    f"ToTensor: expected an image array, got {type(x).__name__} ({e})"
                ) from None
            if t.ndim == 2:
                t = t.unsqueeze(0)
            elif t.ndim == 3:
                t = t.permute(2, 0, 1)
            elif t.ndim == 4:
                t = t.permute(0, 3, 1, 2)
            else:
                raise ValueError(
                    f"ToTensor: expected an image array with 2 to 4 dims, got shape {t.shape}"
                )
        if t.dtype == backend.uint8:
            return t.float() / 255.0
        return t if t.dtype == backend.float32 else t.float()

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """Per-channel standardisation: y[:, c] = (x[:, c] - mean[c]) / std[c].

    mean, std: a number (all channels) or one value per channel (C of (N, C, H, W) or (C, H, W)).
    """

    def __init__(self, mean: Any, std: Any) -> None:
        self.mean = [float(mean)] if isinstance(mean, numbers.Number) else [float(m) for m in mean]
        self.std = [float(std)] if isinstance(std, numbers.Number) else [float(s) for s in std]
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std {self.std} contains a zero (division by zero)")
        if len(self.mean) != len(self.std):
            raise ValueError(
                f"Normalize: mean {self.mean} and std {self.std} must have the same "
                "length (one value per channel)"
            )

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(
                f"Normalize: expected a Tensor, got {type(x).__name__} (use ToTensor first)"
            )
        c = len(self.mean)
        if c == 1:
            return (x - self.mean[0]) / self.std[0]
        if x.ndim < 3 or x.shape[-3] != c:
            raise ValueError(
                f"Normalize: {c} channel means/stds need images shaped (N, {c}, H, W) or "
                f"({c}, H, W), got shape {x.shape}"
            )
        dtype = x.dtype if backend.is_floating(x.dtype) else backend.get_default_dtype()
        mean = Tensor(self.mean, dtype=dtype, device=x.device).reshape(c, 1, 1)
        std = Tensor(self.std, dtype=dtype, device=x.device).reshape(c, 1, 1)
        return (x - mean) / std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """Zero-pad each image by `padding` on every side, then cut a random (h, w) window from it.

    size: int or (h, w); padding: int or (pad_h, pad_w). Each image of a batch gets its own
    window position, drawn uniformly from the library RNG.
    """

    def __init__(self, size: Any, padding: Any = 0) -> None:
        self.size = _pair(size, "RandomCrop size")
        self.padding = _pair(padding, "RandomCrop padding")
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"RandomCrop: size {self.size} must be positive and padding "
                f"{self.padding} non-negative"
            )

    def __call__(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        xb, single = _as_batch(x, name)
        out = _random_crop(xb, self.size, self.padding, name)
        return out.squeeze(0) if single else out

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


def _random_crop(x: Tensor, size: tuple, padding: tuple, name: str) -> Tensor:
    """out[n, c, i, j] = pad(x)[n, c, top[n] + i, left[n] + j], with random top/left per image."""
    n, c, _, _ = x.shape
    (h, w), (ph, pw) = size, padding
    if ph or pw:
        x = x.pad((pw, pw, ph, ph))
    hp, wp = x.shape[2], x.shape[3]
    if h > hp or w > wp:
        raise ValueError(f"{name}: crop size {(h, w)} is larger than the padded image {(hp, wp)}")
    # Offsets come from the CPU generator so a seed gives the same crops on every device.
    top = randint(0, hp - h + 1, (n,), device="cpu").reshape(n, 1, 1, 1)
    left = randint(0, wp - w + 1, (n,), device="cpu").reshape(n, 1, 1, 1)
    rows = top + arange(h, device="cpu").reshape(1, 1, h, 1)
    cols = left + arange(w, device="cpu").reshape(1, 1, 1, w)
    batch = arange(n, device="cpu").reshape(n, 1, 1, 1)
    chan = arange(c, device="cpu").reshape(1, c, 1, 1)
    dev = x.device
    return x[batch.to(dev), chan.to(dev), rows.to(dev), cols.to(dev)]


class RandomShift:
    """Translate each image by up to `max_shift` pixels in each direction, filling with zeros.

    The same as RandomCrop(size=(H, W), padding=max_shift): the image keeps its size.
    """

    def __init__(self, max_shift: Any) -> None:
        self.max_shift = _pair(max_shift, "RandomShift max_shift")
        if min(self.max_shift) < 0:
            raise ValueError(f"RandomShift: max_shift {self.max_shift} must be non-negative")

    def __call__(self, x: Tensor) -> Tensor:
        xb, single = _as_batch(x, "RandomShift")
        out = _random_crop(xb, tuple(xb.shape[2:]), self.max_shift, "RandomShift")
        return out.squeeze(0) if single else out

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift})"


class RandomHorizontalFlip:
    """Mirror each image left-right with probability p (an independent draw per image)."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = float(p)

    def __call__(self, x: Tensor) -> Tensor:
        xb, single = _as_batch(x, "RandomHorizontalFlip")
        flip = (rand(xb.shape[0], device="cpu") < self.p).reshape(-1, 1, 1, 1).to(xb.device)
        out = where(flip, xb.flip(-1), xb)
        return out.squeeze(0) if single else out

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class GaussianNoise:
    """Add independent N(0, std^2) noise to every value: y = x + std * randn_like(x).

    Works on tensors of any shape; the noise is drawn from the library RNG of x's device.
    """

    def __init__(self, std: float = 0.1) -> None:
        if std < 0:
            raise ValueError(f"GaussianNoise: std must be non-negative, got {std}")
        self.std = float(std)

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"GaussianNoise: expected a Tensor, got {type(x).__name__}")
        dtype = x.dtype if backend.is_floating(x.dtype) else backend.get_default_dtype()
        return x + randn(x.shape, dtype=dtype, device=x.device) * self.std

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std})"
