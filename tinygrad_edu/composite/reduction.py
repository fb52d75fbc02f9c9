"""Reductions as Tensor methods. Every one takes dim=None|int|tuple and keepdim (with NumPy's
axis/keepdims as aliases); sum, amax, logsumexp and the softmaxes are primitives, the rest compose.
"""

from __future__ import annotations

import warnings
from collections import namedtuple

from .. import backend
from ..ops import nograd, reduce
from .frontend import floating, into
from .join import cat

MaxMin = namedtuple("MaxMin", ["values", "indices"])  # as torch.return_types.max


def _alias(dim, keepdim, axis, keepdims, op: str):
    if axis is not None:
        if dim is not None:
            raise TypeError("pass either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if not isinstance(keepdim, int):  # bool is an int; PyTorch refuses strings and None
        raise TypeError(f"{op}: keepdim must be a bool, got {keepdim!r} ({type(keepdim).__name__})")
    return dim, bool(keepdim)


def _need_float(x, op: str, dtype) -> None:
    """mean/var/std/softmax of an integer tensor raise in PyTorch unless dtype= is given."""
    if dtype is None and not backend.is_floating(x.dtype):
        raise RuntimeError(
            f"{op}: could not infer the output dtype; the input dtype must be "
            f"floating point, got {x.dtype} (use .float() or dtype=)"
        )


def _nonempty(x, dims: tuple, dim, op: str) -> None:
    """max-like reductions of a zero-size dim have no value (PyTorch raises)."""
    if x.numel() == 0 and (not dims or any(x.shape[d] == 0 for d in dims)):
        if dim is None and op.startswith("arg"):
            raise IndexError(
                f"{op}: expected a reduction dim for the empty tensor of shape {x.shape}"
            )
        if dim is None:
            raise RuntimeError(
                f"{op}: cannot reduce the empty tensor of shape {x.shape} without a dim"
            )
        raise IndexError(
            f"{op}: expected reduction dim {dim} of the tensor of shape {x.shape} "
            "to have a non-zero size"
        )


class ReductionMixin:
    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None, out=None):
        """Sum over dim (all dims when None); ints and bools sum to int64 as in PyTorch."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "sum")
        x = self if dtype is None else self.to(dtype)
        if x.dtype.kind in "bi" and x.dtype.itemsize < 8 or x.dtype.kind == "u":
            x = x.to("int64")
        return into(out, reduce.Sum.apply(x, dims=x._dims(dim, "sum"), keepdim=keepdim))

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None, out=None):
        """Sum divided by the number of reduced elements."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "mean")
        _need_float(self, "mean", dtype)
        x = self if dtype is None else self.to(dtype)
        dims = x._dims(dim, "mean")
        n = _count(x.shape, dims)
        scale = 1.0 / n if n else float("nan")  # the mean of nothing is nan
        return into(out, x.sum(dims, keepdim) * scale)

    def var(
        self,
        dim=None,
        keepdim=False,
        *,
        correction=1,
        unbiased=None,
        axis=None,
        keepdims=None,
        out=None,
    ):
        """sum((x - mean)^2) / (N - correction); correction=1 is the unbiased estimate."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "var")
        if unbiased is not None:
            correction = 1 if unbiased else 0
        _need_float(self, "var", None)
        x = self
        dims = x._dims(dim, "var")
        centred = x - x.mean(dims, keepdim=True)
        n = _count(x.shape, dims) - correction
        return into(out, (centred * centred).sum(dims, keepdim) / (n if n > 0 else float("nan")))

    def std(
        self,
        dim=None,
        keepdim=False,
        *,
        correction=1,
        unbiased=None,
        axis=None,
        keepdims=None,
        out=None,
    ):
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "std")
        _need_float(self, "std", None)
        self._dims(dim, "std")  # errors name std, not the var it is computed from
        return into(out, _sqrt0(self.var(dim, keepdim, correction=correction, unbiased=unbiased)))

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        """Max over dims; the gradient is split evenly among tied maxima."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "amax")
        return into(out, self._amax(dim, keepdim, "amax"))

    def _amax(self, dim, keepdim: bool, op: str):
        dims = self._dims(dim, op)
        _nonempty(self, dims, dim, op)
        return reduce.Amax.apply(self, dims=dims, keepdim=keepdim)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "amin")
        return into(out, self._amin(dim, keepdim, "amin"))

    def _amin(self, dim, keepdim: bool, op: str):
        self._dims(dim, op)
        _nonempty(self, self._dims(dim, op), dim, op)
        return -((-self).amax(dim, keepdim))

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """max() -> the largest value; max(dim) -> (values, indices) with the gradient going to
        the returned index; max(other_tensor) -> elementwise maximum."""
        if hasattr(dim, "shape"):
            return self.maximum(dim)
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "max")
        return self._max_min(dim, keepdim, "max")

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if hasattr(dim, "shape"):
            return self.minimum(dim)
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "min")
        return self._max_min(dim, keepdim, "min")

    def _max_min(self, dim, keepdim, op):
        if dim is None:
            if keepdim:
                raise TypeError(
                    f"{op}(dim=None, keepdim=True) is not a PyTorch form; use a{op}(keepdim=True)"
                )
            return self._amax(None, False, op) if op == "max" else self._amin(None, False, op)
        if isinstance(dim, (tuple, list)):
            raise TypeError(
                f"{op}: dim must be a single int, got {tuple(dim)}; use a{op} for several dims"
            )
        d = self._dim(dim, op)
        _nonempty(self, (d,), dim, op)
        idx = self.argmax(d, keepdim=True) if op == "max" else self.argmin(d, keepdim=True)
        values = self.gather(d, idx) if self.ndim else self
        if not keepdim and self.ndim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return MaxMin(values, idx)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Index of the (first) largest value, flat when dim is None. No gradient."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "argmax")
        d = None if dim is None else self._dim(dim, "argmax")
        _nonempty(self, () if d is None else (d,), dim, "argmax")
        out = nograd.argmax(self.data, d if self.ndim else None, keepdim)
        return self._make(out, False, None).long()

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "argmin")
        d = None if dim is None else self._dim(dim, "argmin")
        _nonempty(self, () if d is None else (d,), dim, "argmin")
        out = nograd.argmin(self.data, d if self.ndim else None, keepdim)
        return self._make(out, False, None).long()

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        """Product over dims, by pairwise multiplication (exact gradients, zeros included)."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "prod")
        dims = self._dims(dim, "prod")
        rest = [d for d in range(self.ndim) if d not in dims]
        n = _count(self.shape, dims)
        x = self.permute(*rest, *dims).reshape(*[self.shape[d] for d in rest], n)
        if n == 0:
            x = (x.sum(-1, keepdim=True) * 0.0 + 1.0).to(self.dtype)
        while x.shape[-1] > 1:
            m = x.shape[-1]
            pairs = x[..., 0 : m - 1 : 2] * x[..., 1:m:2]
            x = pairs if m % 2 == 0 else cat([pairs, x[..., m - 1 :]], -1)
        y = x.squeeze(-1)
        if keepdim:
            y = y.reshape(tuple(1 if d in dims else s for d, s in enumerate(self.shape)))
        return into(out, y)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None, out=None):
        """log(sum(exp(x))) computed stably."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "logsumexp")
        x = floating(self, "logsumexp")
        return into(out, reduce.LogSumExp.apply(x, dims=x._dims(dim, "logsumexp"), keepdim=keepdim))

    def norm(self, p=2, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The vector p-norm over dims (p = 1, 2, inf, -inf, 'fro' or any positive number)."""
        dim, keepdim = _alias(dim, keepdim, axis, keepdims, "norm")
        x = floating(self, "norm")
        if p in ("fro", 2, 2.0):
            return _sqrt0((x * x).sum(dim, keepdim))
        if p in (1, 1.0):
            return x.abs().sum(dim, keepdim)
        if p == float("inf"):
            return x.abs().amax(dim, keepdim)
        if p == float("-inf"):
            return x.abs().amin(dim, keepdim)
        if isinstance(p, (int, float)) and p > 0:
            return (x.abs() ** float(p)).sum(dim, keepdim) ** (1.0 / p)
        raise RuntimeError(
            f"norm: unsupported p={p!r} (expected a positive number, inf, -inf or 'fro')"
        )

    def softmax(self, dim=None, dtype=None):
        """exp(x) / sum(exp(x)) along dim, shifted by the max for stability (in float32 under
        CUDA autocast)."""
        dim = _softmax_dim(self, dim, "softmax")
        _need_float(self, "softmax", dtype)
        (x,) = backend.autocast_cast((self if dtype is None else self.to(dtype),), "fp32_cuda")
        if x.ndim == 0:
            return x * 0.0 + 1.0
        return reduce.Softmax.apply(x, dim=x._dim(dim, "softmax"))

    def log_softmax(self, dim=None, dtype=None):
        """x - logsumexp(x) along dim (in float32 under CUDA autocast)."""
        dim = _softmax_dim(self, dim, "log_softmax")
        _need_float(self, "log_softmax", dtype)
        (x,) = backend.autocast_cast((self if dtype is None else self.to(dtype),), "fp32_cuda")
        if x.ndim == 0:
            return x * 0.0
        return reduce.LogSoftmax.apply(x, dim=x._dim(dim, "log_softmax"))

    def any(self, dim=None, keepdim=False):
        d = None if dim is None else self._dims(dim, "any")
        return self._make(nograd.any_(self.data, d, keepdim), False, None)

    def all(self, dim=None, keepdim=False):
        d = None if dim is None else self._dims(dim, "all")
        return self._make(nograd.all_(self.data, d, keepdim), False, None)

    def count_nonzero(self, dim=None):
        if dim is not None:
            self._dims(dim, "count_nonzero")
        return (self != 0).sum(dim)


def _softmax_dim(x, dim, op: str) -> int:
    """PyTorch's deprecated implicit dim when none is given: 0 for 0-, 1- and 3-d inputs, else 1."""
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if x.ndim in (0, 1, 3) else 1


def _sqrt0(v):
    """sqrt(v) whose gradient is 0 (not inf * 0 = nan) where v == 0, as PyTorch's std and norm."""
    zero = v == 0
    if not zero.any():
        return v.sqrt()
    return v.masked_fill(zero, 1.0).sqrt().masked_fill(zero, 0.0)


def _count(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n
