"""Array functions without gradients: factories, comparisons, arg-reductions, masks.

The Tensor front end wraps their results in tensors that never require grad.
"""

from __future__ import annotations

import functools

from .. import backend
from ..autograd.grad_mode import state


def _recorded(fn):
    """Report each call to tg.compile's tracer while it records a step (compile/recorder.py)."""

    @functools.wraps(fn)
    def helper(*args, **kwargs):
        if state.recorder is not None:
            return state.recorder.call(fn, args, kwargs)
        return fn(*args, **kwargs)

    return helper


def _xp(a):
    return backend.xp_of_array(a)


# ----------------------------------------------------------------------------- factories
@_recorded
def copy(a):
    """A copy of a with its own memory (the old values an in-place op's backward reads)."""
    return a.copy()


@_recorded
def full(shape, value, dtype, device):
    return backend.xp_of(device).full(shape, value, dtype=dtype)


@_recorded
def empty(shape, dtype, device):
    return backend.xp_of(device).empty(shape, dtype=dtype)


@_recorded
def arange(start, end, step, dtype, device):
    return backend.xp_of(device).arange(start, end, step, dtype=dtype)


@_recorded
def linspace(start, end, steps, dtype, device):
    return backend.xp_of(device).linspace(start, end, steps, dtype=dtype)


@_recorded
def eye(n, m, dtype, device):
    return backend.xp_of(device).eye(n, m, dtype=dtype)


@_recorded
def tri_mask(n, m, diagonal, upper, device):
    """Boolean mask of the lower (or upper) triangle of an n x m matrix."""
    xp = backend.xp_of(device)
    return (
        xp.triu(xp.ones((n, m), dtype=bool), diagonal)
        if upper
        else xp.tril(xp.ones((n, m), dtype=bool), diagonal)
    )


@_recorded
def rand(shape, dtype, device):
    # generators draw float32/float64 only: half precision is drawn in float32 and cast
    draw = dtype if dtype.itemsize >= 4 else backend.float32
    return backend.rng(device).random(shape, dtype=draw).astype(dtype, copy=False)


@_recorded
def randn(shape, dtype, device):
    draw = dtype if dtype.itemsize >= 4 else backend.float32
    return backend.rng(device).standard_normal(shape, dtype=draw).astype(dtype, copy=False)


@_recorded
def randint(low, high, shape, dtype, device):
    return backend.rng(device).integers(low, high, shape).astype(dtype, copy=False)


@_recorded
def bernoulli_mask(shape, keep_prob, dtype, device):
    """1/keep_prob where a uniform draw < keep_prob, else 0 (inverted dropout)."""
    r = backend.rng(device).random(shape, dtype=dtype)
    return (r < keep_prob).astype(dtype) * dtype.type(1.0 / keep_prob)


@_recorded
def permutation(n, device="cpu"):
    return backend.rng(device).permutation(n)


# ----------------------------------------------------------------------------- elementwise
@_recorded
def compare(op, a, b):
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if op == "lt":
        return a < b
    if op == "le":
        return a <= b
    if op == "gt":
        return a > b
    return a >= b


@_recorded
def floor_divide(a, b):
    _check_integer_divisor("floor_divide", a, b)
    return _broadcasting("floor_divide", _xp(a).floor_divide, a, b)


@_recorded
def remainder(a, b):
    """Python's (and PyTorch's) modulo: the result takes the sign of the divisor."""
    _check_integer_divisor("remainder", a, b)
    return _broadcasting("remainder", _xp(a).remainder, a, b)


def _check_integer_divisor(op: str, a, b) -> None:
    """Integer division by zero raises, as PyTorch does on the CPU (NumPy would give 0)."""
    if getattr(a, "dtype", None) is not None and a.dtype.kind in "iub" and (b == 0).any():
        raise RuntimeError(
            f"{op}: ZeroDivisionError (integer division by zero; the divisor of "
            f"shape {tuple(getattr(b, 'shape', ()))} holds a 0)"
        )


def _broadcasting(op: str, fn, a, b):
    try:
        return fn(a, b)
    except ValueError:
        raise RuntimeError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together"
        ) from None


@_recorded
def logical(op, a, b=None):
    xp = _xp(a)
    if op == "not":
        return xp.logical_not(a)
    if op == "and":
        return xp.logical_and(a, b)
    if op == "or":
        return xp.logical_or(a, b)
    return xp.logical_xor(a, b)


@_recorded
def sign(x):
    return _xp(x).sign(x)


@_recorded
def isnan(x):
    return _xp(x).isnan(x)


@_recorded
def isinf(x):
    return _xp(x).isinf(x)


@_recorded
def isfinite(x):
    return _xp(x).isfinite(x)


@_recorded
def floor(x):
    return _xp(x).floor(x)


@_recorded
def ceil(x):
    return _xp(x).ceil(x)


@_recorded
def round_(x, decimals=0):
    return _xp(x).round(x, decimals)


@_recorded
def argmax(x, dim, keepdim):
    """Index of the first maximum (NumPy and PyTorch agree on the first at ties)."""
    if dim is None:
        out = x.reshape(-1).argmax()
        return out.reshape((1,) * x.ndim) if keepdim else out
    return x.argmax(axis=dim, keepdims=keepdim)


@_recorded
def argmin(x, dim, keepdim):
    if dim is None:
        out = x.reshape(-1).argmin()
        return out.reshape((1,) * x.ndim) if keepdim else out
    return x.argmin(axis=dim, keepdims=keepdim)


@_recorded
def one_hot(index, num_classes):
    xp = _xp(index)
    out = xp.zeros(index.shape + (num_classes,), dtype=backend.int64)
    backend.put_along_axis(out, index[..., None].astype(backend.int64), 1, axis=-1)
    return out


@_recorded
def nonzero(x):
    return _xp(x).nonzero(x)


@_recorded
def inplace(op, a, b):
    """a op= b in place; same-kind casts allowed (a float32 tensor += float64 values)."""
    if op == "add":
        a += b
    elif op == "sub":
        a -= b
    elif op == "mul":
        a *= b
    else:
        a /= b


@_recorded
def copy_(dst, src):
    """dst[...] = src, in place (the in-place operators and optimisers use it under no_grad)."""
    dst[...] = src


@_recorded
def any_(x, dim=None, keepdim=False):
    return x.any(axis=dim, keepdims=keepdim)


@_recorded
def all_(x, dim=None, keepdim=False):
    return x.all(axis=dim, keepdims=keepdim)


@_recorded
def min_max(x) -> tuple:
    """(min, max) of a non-empty array as Python numbers (one pass each, no autograd)."""
    return x.min().item(), x.max().item()


@_recorded
def array_equal(a, b) -> bool:
    return bool(_xp(a).array_equal(a, b))


@_recorded
def allclose(a, b, rtol, atol, equal_nan) -> bool:
    return bool(_xp(a).allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@_recorded
def cumsum(x, dim):
    return _xp(x).cumsum(x, axis=dim)


@_recorded
def sort(x, dim, descending):
    xp = _xp(x)
    idx = xp.argsort(-x if descending else x, axis=dim, kind="stable")
    return xp.take_along_axis(x, idx, axis=dim), idx


@_recorded
def topk_indices(x, k, dim, largest):
    xp = _xp(x)
    idx = xp.argsort(-x if largest else x, axis=dim, kind="stable")
    return xp.take(idx, xp.arange(k), axis=dim)


@_recorded
def bincount(x, minlength):
    return _xp(x).bincount(x, minlength=minlength)


@_recorded
def unique(x):
    return _xp(x).unique(x)


@_recorded
def positive_mask(x):
    """x > 0 as a bool array (relu's derivative)."""
    return x > 0


@_recorded
def window_onehot(idx, k, dtype):
    """(N, C, K, L) one-hot of the window argmax `idx` (N, C, L) over K window rows."""
    xp = _xp(idx)
    return (idx[:, :, None, :] == xp.arange(k, dtype=idx.dtype)[:, None]).astype(dtype)
