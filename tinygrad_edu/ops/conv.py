"""im2col and col2im: the primitives behind convolution and pooling (each is the other's backward).

Unfold  (im2col): x (N, C, H, W) -> columns (N, C*kh*kw, L), L = OH*OW, one column per output pixel
                  holding the kh x kw window (of every channel) that the kernel sees there.
Fold    (col2im): columns (N, C*kh*kw, L) -> image (N, C, H, W), every column entry added back to
                  the pixel it was read from (overlapping windows add up).
WindowMax:        columns viewed as (N, C, kh*kw, L) -> (N, C, L), the max of each window, with
                  the gradient routed to the argmax (max pooling).

Unfold is linear, and Fold is its transpose (adjoint), so dUnfold = Fold and dFold = Unfold: second
derivatives come for free. The row order of a column is (channel, kernel row, kernel column), the
layout of torch.nn.functional.unfold, so that a Conv2d weight (O, C, kh, kw) reshaped to
(O, C*kh*kw) multiplies the columns directly.

`padding` is (top, bottom, left, right) here; F.unfold and the layers pass symmetric padding, and
ceil_mode pooling an extra bottom/right margin.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from . import nograd


def _xp(a):
    return backend.xp_of_array(a)


def output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Number of window positions along one axis: floor((size + pads - d*(k-1) - 1) / s) + 1."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def _pad(x, padding, value):
    """x padded on its last two axes by (top, bottom, left, right) with a constant value."""
    pt, pb, pl, pr = padding
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    xp = _xp(x)
    if x.dtype.kind in "iu" and value in (float("inf"), float("-inf")):
        info = xp.iinfo(x.dtype)  # integers have no infinity: use their extreme values
        value = info.min if value < 0 else info.max
    out = xp.full((n, c, h + pt + pb, w + pl + pr), value, dtype=x.dtype)
    out[:, :, pt : pt + h, pl : pl + w] = x
    return out


class Unfold(Function):
    """y[n, (c, i, j), (oh, ow)] = xpad[n, c, oh*s + i*d, ow*s + j*d]  (im2col);
    dx = Fold(g): every column entry of g added back to the pixel it came from (col2im)

    why: speed: im2col turns a convolution into one large MatMul
    """

    uses_inputs = False

    def forward(self, x, kernel_size, stride, padding, dilation, value=0.0):
        (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
        self.in_hw = x.shape[2:]
        self.kernel_size, self.stride, self.padding, self.dilation = (
            kernel_size,
            stride,
            padding,
            dilation,
        )
        xp_ = _pad(x, padding, value)
        n, c, hp, wp = xp_.shape
        oh = output_size(hp, kh, sh, 0, dh)
        ow = output_size(wp, kw, sw, 0, dw)
        s0, s1, s2, s3 = xp_.strides
        # a zero-copy view (N, C, kh, kw, OH, OW); the reshape below makes the one real copy
        win = backend.as_strided(
            xp_, (n, c, kh, kw, oh, ow), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw)
        )
        return win.reshape(n, c * kh * kw, oh * ow)

    def backward(self, g):
        return Fold.apply(
            g,
            output_size=self.in_hw,
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Fold(Function):
    """y = zeros (N, C, H, W), then
    y[n, c, oh*s + i*d - p, ow*s + j*d - p] += cols[n, (c,i,j), (oh,ow)]  (col2im);
    dcols = Unfold(g) with the same geometry

    col2im is a Python loop over the kh*kw kernel offsets, each a strided slice add, or a plain
    assignment when windows never overlap.

    why: speed: the adjoint of Unfold (col2im), also used for transposed convolutions
    """

    uses_inputs = False

    def forward(self, cols, output_size, kernel_size, stride, padding, dilation):
        (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
        h, w = output_size
        pt, pb, pl, pr = padding
        self.output_size, self.kernel_size, self.stride, self.padding, self.dilation = (
            output_size,
            kernel_size,
            stride,
            padding,
            dilation,
        )
        hp, wp = h + pt + pb, w + pl + pr
        oh = _out_checked(hp, kh, sh, dh, "Fold")
        ow = _out_checked(wp, kw, sw, dw, "Fold")
        n, ckk, length = cols.shape
        c = ckk // (kh * kw)
        if c * kh * kw != ckk or oh * ow != length:
            raise RuntimeError(
                f"Fold: columns of shape {cols.shape} do not match kernel {kernel_size} and "
                f"{oh}x{ow} window positions of an output of size {output_size}"
            )
        win = cols.reshape(n, c, kh, kw, oh, ow)
        xp = _xp(cols)
        # windows that never share a pixel (a pool with stride >= kernel) can be assigned, which
        # NumPy does several times faster than a strided +=; tiling windows leave no gap to zero
        disjoint = sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1
        tiles = disjoint and (sh, sw, dh, dw) == (kh, kw, 1, 1) and (hp, wp) == (oh * kh, ow * kw)
        out = (xp.empty if tiles else xp.zeros)((n, c, hp, wp), dtype=cols.dtype)
        for i in range(kh):
            r0 = i * dh
            rows = slice(r0, r0 + sh * (oh - 1) + 1, sh)
            for j in range(kw):
                c0 = j * dw
                target = (slice(None), slice(None), rows, slice(c0, c0 + sw * (ow - 1) + 1, sw))
                if disjoint:
                    out[target] = win[:, :, i, j]
                else:
                    out[target] += win[:, :, i, j]
        return out[:, :, pt : pt + h, pl : pl + w]

    def backward(self, g):
        return Unfold.apply(
            g,
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, kernel_size={self.kernel_size}"


class WindowMax(Function):
    """y[n, c, l] = max_k cols[n, c, k, l] (the max of each pooling window, cols from Unfold);
    dcols = g routed to one element per window, the argmax (the first maximum; a NaN wins), so
    the whole gradient of a window goes to a single input as in PyTorch's max pooling

    why: gradient semantics and speed: the whole window gradient goes to one argmax

    The argmax is a running comparison over the K window rows (K is small: 4 for a 2x2 pool),
    which is several times faster than xp.argmax along a middle axis.
    """

    uses_inputs = False

    def forward(self, cols):
        xp = _xp(cols)
        k = cols.shape[2]
        itype = xp.int8 if k < 128 else xp.int64
        best = cols[:, :, 0].copy()
        idx = xp.zeros(best.shape, dtype=itype)
        better = xp.empty(best.shape, dtype=bool)
        step = xp.empty(best.shape, dtype=itype)
        for i in range(1, k):
            row = cols[:, :, i]
            xp.greater(row, best, out=better)  # strict: the first maximum wins ties
            better |= xp.isnan(row)  # a NaN wins, as in PyTorch
            # arithmetic instead of xp.where (branch-free, several times faster on CPU):
            # i exceeds every index so far, so max(idx, better * i) sets idx = i where better
            xp.multiply(better, itype(i), out=step)
            xp.maximum(idx, step, out=idx)
            xp.maximum(best, row, out=best)  # propagates NaN
        self.k = k
        self.save_for_backward(idx)
        return best

    def backward(self, g):
        (idx,) = self.saved
        mask = self.const(nograd.window_onehot(idx, self.k, g.dtype))  # (N, C, K, L)
        return g.unsqueeze(2) * mask

    def extra_repr(self) -> str:
        return f"window={self.k}"


def _out_checked(size: int, kernel: int, stride: int, dilation: int, op: str) -> int:
    out = output_size(size, kernel, stride, 0, dilation)
    if out < 1:
        raise RuntimeError(
            f"{op}: a kernel of size {kernel} (dilation {dilation}) does not fit in a padded "
            f"input of size {size}"
        )
    return out
