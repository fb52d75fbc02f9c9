"""vision.utils.make_grid: lay a batch of images out on one grid image (torchvision's)."""

from __future__ import annotations

import math
from typing import Any

from ..composite.join import cat, stack
from ..factories import full
from ..nn.functional import pad
from ..tensor import Tensor

__all__ = ["make_grid"]


def _normalize(t: Tensor, value_range: tuple | None) -> Tensor:
    low, high = value_range if value_range is not None else (t.min().item(), t.max().item())
    return (t.clamp(low, high) - low) / max(high - low, 1e-5)


def _as_nchw(tensor: Any) -> Tensor:
    if isinstance(tensor, (list, tuple)):
        tensor = stack(list(tensor), 0)
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"make_grid: tensor or list of tensors expected, got {type(tensor).__name__}"
        )
    if tensor.ndim == 2:  # one (H, W) image
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 3:  # one (C, H, W) image
        if tensor.shape[0] == 1:
            tensor = cat([tensor, tensor, tensor], 0)
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 4:
        raise ValueError(f"make_grid: expected images (B, C, H, W), got shape {tensor.shape}")
    if tensor.shape[1] == 1:  # grey -> RGB, as torchvision
        tensor = cat([tensor, tensor, tensor], 1)
    return tensor


def make_grid(
    tensor: Any,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Images (B, C, H, W) (or a list of (C, H, W)) -> one (3 or C, rows, cols) image.

    nrow images per row; `padding` pixels of pad_value around every image; normalize=True
    shifts the values to [0, 1] using value_range=(min, max) or the data's range, per image
    with scale_each=True. Grey images become 3-channel, as torchvision's."""
    t = _as_nchw(tensor)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError(
                "make_grid: value_range has to be a tuple (min, max) if specified. "
                "min and max are numbers"
            )
        if scale_each:
            t = stack([_normalize(img, value_range) for img in t.unbind(0)], 0)
        else:
            t = _normalize(t, value_range)
    if t.shape[0] == 1:
        return t.squeeze(0)
    n, c, h, w = t.shape
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    if ymaps * xmaps > n:  # blank cells after the last image
        blank = full((ymaps * xmaps - n, c, h, w), pad_value, dtype=t.dtype, device=t.device)
        t = cat([t, blank], 0)
    cells = pad(t, (padding, 0, padding, 0), value=pad_value)  # each cell: pad above and left
    hc, wc = h + padding, w + padding
    grid = cells.reshape(ymaps, xmaps, c, hc, wc).permute(2, 0, 3, 1, 4)
    grid = grid.reshape(c, ymaps * hc, xmaps * wc)
    return pad(grid, (0, padding, 0, padding), value=pad_value)  # the last row's and column's edge
