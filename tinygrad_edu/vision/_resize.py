"""Image resizing as separable interpolation matrices: out = Wh @ img @ Ww^T.

Row i of W (out x in) holds the weights output pixel i gives the input pixels, computed as
PyTorch's F.interpolate does (align_corners=False, so scale = in / out):
- 'nearest': weight 1 at src = min(floor(i * scale), in - 1).
- 'bilinear': src = max((i + 0.5) * scale - 0.5, 0); weights 1 - frac and frac at floor(src) and
  floor(src) + 1 (clamped to the edge).
- 'bilinear' with antialias (torchvision's default): a triangle filter stretched by the scale
  when shrinking, so every input pixel under an output pixel contributes (PIL's algorithm):
  center = (i + 0.5) * scale, support = max(scale, 1); w_j = max(0, 1 - |j + 0.5 - center| /
  max(scale, 1)) for j in [int(center - support + 0.5), int(center + support + 0.5)), normalised.
"""

from __future__ import annotations

from .. import backend
from ..factories import tensor
from ..tensor import Tensor


def _nearest(n_in: int, n_out: int) -> list:
    scale = n_in / n_out
    rows = []
    for i in range(n_out):
        row = [0.0] * n_in
        row[min(int(i * scale), n_in - 1)] = 1.0
        rows.append(row)
    return rows


def _bilinear(n_in: int, n_out: int) -> list:
    scale = n_in / n_out
    rows = []
    for i in range(n_out):
        src = max((i + 0.5) * scale - 0.5, 0.0)
        i0 = int(src)
        i1 = min(i0 + 1, n_in - 1)
        frac = src - i0 if i0 < n_in - 1 else 0.0
        row = [0.0] * n_in
        row[i0] += 1.0 - frac
        row[i1] += frac
        rows.append(row)
    return rows


def _bilinear_aa(n_in: int, n_out: int) -> list:
    scale = n_in / n_out
    support = scale if scale >= 1.0 else 1.0
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    rows = []
    for i in range(n_out):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), n_in)
        ws = [max(0.0, 1.0 - abs((j - center + 0.5) * invscale)) for j in range(xmin, xmax)]
        total = sum(ws)
        row = [0.0] * n_in
        for j, w in zip(range(xmin, xmax), ws):
            row[j] = w / total if total != 0 else w
        rows.append(row)
    return rows


def weights(n_in: int, n_out: int, mode: str, antialias: bool) -> list:
    if mode == "nearest":
        return _nearest(n_in, n_out)
    return _bilinear_aa(n_in, n_out) if antialias else _bilinear(n_in, n_out)


def resize_tensor(img: Tensor, size: tuple, mode: str, antialias: bool) -> Tensor:
    """img (..., H, W) -> (..., oh, ow); integer images are computed in float32 and rounded."""
    (h, w), (oh, ow) = tuple(img.shape[-2:]), size
    if oh < 1 or ow < 1:
        raise ValueError(f"Resize: the output size {size} must be positive")
    if (h, w) == (oh, ow):
        return img
    floating = backend.is_floating(img.dtype)
    dtype = img.dtype if floating else backend.float32
    x = img if floating else img.to(dtype)
    wh = tensor(weights(h, oh, mode, antialias), dtype=dtype, device=img.device)
    ww = tensor(weights(w, ow, mode, antialias), dtype=dtype, device=img.device)
    out = wh @ x @ ww.T
    if floating:
        return out
    info_max = 255 if img.dtype == backend.uint8 else None
    out = out.round()
    if info_max is not None:
        out = out.clamp(0, info_max)
    return out.to(img.dtype)
