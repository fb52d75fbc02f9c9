"""Convolution and pooling in functional form (re-exported by nn.functional).

Everything is built on one idea, im2col: `Unfold` turns every kh x kw window of the image into a
column, so that
  conv2d   = weight (O, C*kh*kw) @ columns (N, C*kh*kw, OH*OW)      one batched matrix product
  max_pool = max over the kh*kw rows of each channel's columns        gradient to the argmax
             (WindowMax: a running argmax over the window rows)
  avg_pool = mean over the same rows                                  gradient shared evenly
The backward of Unfold is `Fold` (col2im), which adds each column back where it was read from.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.grad_mode import no_grad
from ..factories import ones as ones_
from ..ops.conv import Fold, Unfold, WindowMax
from ..tensor import Tensor


def _pair(value, name: str, op: str) -> tuple:
    """2 -> (2, 2); (2, 3) -> (2, 3); anything else raises naming the op."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")


def _check_positive(op: str, **values) -> None:
    for name, pair in values.items():
        if min(pair) < 1:
            raise RuntimeError(f"{op}: {name} must be positive, got {pair}")


def _as_4d(x: Tensor, op: str):
    """(N, C, H, W) as is, (C, H, W) with a batch dim of 1 added (and a flag to remove it)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor input, got {type(x).__name__}")
    if x.ndim == 4:
        return x, False
    if x.ndim == 3:
        return x.unsqueeze(0), True
    raise RuntimeError(
        f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(x.shape)}"
    )


def _out_size(op: str, size: int, k: int, s: int, p: int, d: int, what: str, shape) -> int:
    out = (size + 2 * p - d * (k - 1) - 1) // s + 1
    if out < 1:
        raise RuntimeError(
            f"{op}: the kernel ({what} {k}, dilation {d}) does not fit in the padded input "
            f"({what} {size + 2 * p}); input shape {tuple(shape)}"
        )
    return out


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L), one column per window position (L = OH*OW)."""
    x, _ = _as_4d(input, "unfold")
    k, d = _pair(kernel_size, "kernel_size", "unfold"), _pair(dilation, "dilation", "unfold")
    p, s = _pair(padding, "padding", "unfold"), _pair(stride, "stride", "unfold")
    _check_positive("unfold", kernel_size=k, dilation=d, stride=s)
    for i, name in ((0, "height"), (1, "width")):
        _out_size("unfold", x.shape[2 + i], k[i], s[i], p[i], d[i], name, x.shape)
    return Unfold.apply(x, kernel_size=k, stride=s, padding=(p[0], p[0], p[1], p[1]), dilation=d)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C*kh*kw, L) -> (N, C, H, W), overlapping entries summed (unfold's adjoint)."""
    if input.ndim != 3:
        raise RuntimeError(
            f"fold: expected a 3-D (N, C*kh*kw, L) input, got shape {tuple(input.shape)}"
        )
    size = _pair(output_size, "output_size", "fold")
    k, d = _pair(kernel_size, "kernel_size", "fold"), _pair(dilation, "dilation", "fold")
    p, s = _pair(padding, "padding", "fold"), _pair(stride, "stride", "fold")
    _check_positive("fold", kernel_size=k, dilation=d, stride=s)
    return Fold.apply(
        input,
        output_size=size,
        kernel_size=k,
        stride=s,
        padding=(p[0], p[0], p[1], p[1]),
        dilation=d,
    )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation (PyTorch's conv2d): x (N, C, H, W), weight (O, C/groups, kh, kw),
    bias (O,) -> (N, O, OH, OW), OH = floor((H + 2p - d(kh-1) - 1) / s) + 1.

    y[n, o] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * xpad[n, c, oh*s + i*d, ow*s + j*d],
    computed as weight.reshape(O, -1) @ unfold(x). padding may be 'valid' (0) or 'same'.
    """
    x, squeeze = _as_4d(input, "conv2d")
    x, weight, bias = backend.autocast_cast((x, weight, bias), "low")  # amp: low precision
    if weight.ndim != 4:
        raise RuntimeError(
            f"conv2d: expected a 4-D weight (out, in/groups, kh, kw), got shape "
            f"{tuple(weight.shape)}"
        )
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    if not isinstance(weight, Tensor):
        raise TypeError(f"conv2d: weight must be a Tensor, got {type(weight).__name__}")
    if weight.dtype != x.dtype:
        raise RuntimeError(
            f"conv2d: input ({x.dtype}) and weight ({weight.dtype}) must have the same dtype"
        )
    if groups < 1 or c % groups or o % groups:
        raise RuntimeError(
            f"conv2d: groups={groups} must divide both in_channels {c} and out_channels {o}"
        )
    if cg * groups != c:
        raise RuntimeError(
            f"conv2d: weight of shape {tuple(weight.shape)} with groups={groups} expects input "
            f"with {cg * groups} channels, got input of shape {tuple(input.shape)}"
        )
    s, d = _pair(stride, "stride", "conv2d"), _pair(dilation, "dilation", "conv2d")
    _check_positive("conv2d", stride=s, dilation=d)
    pads = _conv_padding(padding, (kh, kw), s, d)
    oh = _out_size("conv2d", h + pads[0] + pads[1], kh, s[0], 0, d[0], "height", x.shape)
    ow = _out_size("conv2d", w + pads[2] + pads[3], kw, s[1], 0, d[1], "width", x.shape)
    cols = Unfold.apply(x, kernel_size=(kh, kw), stride=s, padding=pads, dilation=d)
    if groups == 1:
        out = weight.reshape(o, c * kh * kw).matmul(cols)  # (N, O, L)
    else:
        cols = cols.reshape(n, groups, cg * kh * kw, oh * ow)
        out = weight.reshape(groups, o // groups, cg * kh * kw).matmul(cols)  # (N, g, O/g, L)
        out = out.reshape(n, o, oh * ow)
    if bias is not None:
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"conv2d: bias must have shape ({o},), got {tuple(bias.shape)}")
        out = out + bias.reshape(o, 1)
    out = out.reshape(n, o, oh, ow)
    return out.squeeze(0) if squeeze else out


def _conv_padding(padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise RuntimeError(f"conv2d: padding='same' needs stride 1, got stride {stride}")
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out += [total // 2, total - total // 2]  # the odd pixel goes bottom/right
            return tuple(out)
        raise RuntimeError(
            f"conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        )
    ph, pw = _pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: padding must be non-negative, got {padding!r}")
    return (ph, ph, pw, pw)


def _pool_geometry(op: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode):
    """Kernel, stride, dilation, (top, bottom, left, right) padding and the output size.

    With ceil_mode the last window may run past the input; it gets an extra bottom/right margin,
    but (as PyTorch) no window may start in the right/bottom padding."""
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None or stride == [] else _pair(stride, "stride", op)
    p, d = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    _check_positive(op, kernel_size=k, stride=s, dilation=d)
    if p[0] < 0 or p[1] < 0 or 2 * p[0] > k[0] or 2 * p[1] > k[1]:
        raise RuntimeError(
            f"{op}: padding {p} must be non-negative and at most half the kernel size {k}"
        )
    out, extra = [], []
    for i, name in ((0, "height"), (1, "width")):
        size = x.shape[2 + i]
        span = d[i] * (k[i] - 1) + 1
        if ceil_mode:
            o = -(-(size + 2 * p[i] - span) // s[i]) + 1
            if (o - 1) * s[i] >= size + p[i]:
                o -= 1
        else:
            o = (size + 2 * p[i] - span) // s[i] + 1
        if o < 1:
            raise RuntimeError(
                f"{op}: the kernel {k} (dilation {d}) is larger than the padded "
                f"input of shape {tuple(x.shape)} (padding {p})"
            )
        out.append(o)
        extra.append(max(0, (o - 1) * s[i] + span - (size + 2 * p[i])))
    pads = (p[0], p[0] + extra[0], p[1], p[1] + extra[1])
    return k, s, d, pads, tuple(out), tuple(extra)


def max_pool2d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False
) -> Tensor:
    """y[n, c, oh, ow] = max of the kh x kw window (padding counts as -inf) -> (N, C, OH, OW).

    The whole gradient of a window goes to its (first) maximum, as in PyTorch."""
    x, squeeze = _as_4d(input, "max_pool2d")
    n, c = x.shape[:2]
    k, s, d, pads, (oh, ow), _ = _pool_geometry(
        "max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode
    )
    cols = Unfold.apply(x, kernel_size=k, stride=s, padding=pads, dilation=d, value=-math.inf)
    values = WindowMax.apply(cols.reshape(n, c, k[0] * k[1], oh * ow))  # gradient to argmax
    out = values.reshape(n, c, oh, ow)
    return out.squeeze(0) if squeeze else out


def avg_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override=None,
) -> Tensor:
    """y[n, c, oh, ow] = mean of the kh x kw window -> (N, C, OH, OW).

    count_include_pad=True divides by the window area inside the padded input (zeros of the
    padding counted); False divides by the number of real input pixels in the window."""
    x, squeeze = _as_4d(input, "avg_pool2d")
    n, c, h, w = x.shape
    k, s, d, pads, (oh, ow), extra = _pool_geometry(
        "avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode
    )
    cols = Unfold.apply(x, kernel_size=k, stride=s, padding=pads, dilation=d)
    total = cols.reshape(n, c, k[0] * k[1], oh * ow).sum(2)  # (N, C, L)
    p = (pads[0], pads[2])
    if divisor_override is not None:
        out = total * (1.0 / divisor_override)
    elif extra == (0, 0) and (count_include_pad or p == (0, 0)):
        out = total * (1.0 / (k[0] * k[1]))
    else:
        with no_grad():  # how many pixels each window averages over
            if count_include_pad:
                ones = ones_(1, 1, h + 2 * p[0], w + 2 * p[1], dtype=x.dtype, device=x.device)
                mask_pads = (0, extra[0], 0, extra[1])
            else:
                ones = ones_(1, 1, h, w, dtype=x.dtype, device=x.device)
                mask_pads = pads
            counts = Unfold.apply(ones, kernel_size=k, stride=s, padding=mask_pads, dilation=d).sum(
                1
            )
        out = total / counts
    out = out.reshape(n, c, oh, ow)
    return out.squeeze(0) if squeeze else out


def _adaptive_matrix(in_size: int, out_size: int, like: Tensor) -> Tensor:
    """(out, in) averaging matrix: row i averages cells floor(i*in/out) to ceil((i+1)*in/out)-1."""
    rows = []
    for i in range(out_size):
        start, end = (i * in_size) // out_size, -(-((i + 1) * in_size) // out_size)
        rows.append([1.0 / (end - start) if start <= j < end else 0.0 for j in range(in_size)])
    return Tensor(rows, dtype=like.dtype, device=like.device)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (oh, ow) whatever the input size (H, W).

    Window i covers input cells floor(i*H/oh) .. ceil((i+1)*H/oh) - 1 (they may overlap when oh
    does not divide H). output_size 1 is global average pooling; None keeps that dim."""
    x, squeeze = _as_4d(input, "adaptive_avg_pool2d")
    n, c, h, w = x.shape
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise RuntimeError(
            f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}"
        )
    oh, ow = (
        h if output_size[0] is None else output_size[0],
        w if output_size[1] is None else output_size[1],
    )
    if oh < 1 or ow < 1:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        out = x.mean((2, 3), keepdim=True)
    elif h % oh == 0 and w % ow == 0:
        out = x.reshape(n, c, oh, h // oh, ow, w // ow).mean((3, 5))
    else:  # a general size: average with two small matrices, y = Ah @ x @ Aw^T
        out = _adaptive_matrix(h, oh, x).matmul(x).matmul(_adaptive_matrix(w, ow, x).T)
    return out.squeeze(0) if squeeze else out
