"""Tensor factories (tg.zeros, tg.randn, ...), also reachable as Tensor.zeros etc.

Random factories draw from the library's seeded generator (tg.manual_seed).
"""

from __future__ import annotations

import math
from numbers import Real

from . import backend
from .composite.args import as_int, as_size, non_negative_int
from .ops import nograd
from .tensor import Tensor


def _size(size, op: str) -> tuple:
    return as_size(size, op)


def _fill(value, op: str):
    """A fill value must be a number (PyTorch refuses strings and None)."""
    if not isinstance(value, Real) and not backend.is_scalar(value):
        if isinstance(value, Tensor) and value.ndim == 0:
            return value.item()
        raise TypeError(
            f"{op}: fill_value must be a number, got {value!r} ({type(value).__name__})"
        )
    return value


def _finish(data, requires_grad: bool) -> Tensor:
    t = Tensor._make(data, False, None)
    return t.requires_grad_(True) if requires_grad else t


def _dt(dtype, default=None):
    return (
        backend.as_dtype(dtype) if dtype is not None else (default or backend.get_default_dtype())
    )


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor from data (as torch.tensor)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def from_numpy(array) -> Tensor:
    """A tensor sharing memory with a NumPy array (keeps its dtype)."""
    return Tensor._make(backend.asarray(array, device="cpu"), False, None)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """data as a tensor, sharing memory when it already is an array (or Tensor) of that dtype and
    device (as torch.as_tensor); otherwise a copy."""
    if isinstance(data, Tensor):
        return data if dtype is None and device is None else data.to(device=device, dtype=dtype)
    if backend.is_array(data):
        arr = backend.asarray(data, dtype, device)
        return Tensor._make(arr, False, None)
    return Tensor(data, dtype=dtype, device=device)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    data = nograd.full(_size(size, "zeros"), 0, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    data = nograd.full(_size(size, "ones"), 1, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    fill_value = _fill(fill_value, "full")
    dtype = _dt(dtype, backend.python_scalar_dtype(fill_value))
    data = nograd.full(_size((size,), "full"), fill_value, dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    data = nograd.empty(_size(size, "empty"), _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def _like(t: Tensor, dtype, device, op: str = "zeros_like"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, got {type(t).__name__}")
    return (
        backend.as_dtype(dtype) if dtype is not None else t.dtype,
        device if device is not None else t.device,
    )


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device, "zeros_like")
    return full(t.shape, 0, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device, "ones_like")
    return full(t.shape, 1, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    dtype, device = _like(t, dtype, device, "full_like")
    return full(
        t.shape,
        _fill(fill_value, "full_like"),
        dtype=dtype,
        device=device,
        requires_grad=requires_grad,
    )


def empty_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device, "empty_like")
    return empty(t.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    dtype = _dt(dtype)
    _random_dtype(dtype, "rand")
    data = nograd.rand(_size(size, "rand"), dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype = _dt(dtype)
    _random_dtype(dtype, "randn")
    data = nograd.randn(_size(size, "randn"), dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def _random_dtype(dtype, op: str) -> None:
    if dtype.kind != "f":
        raise RuntimeError(f"{op}: uniform and normal samples need a floating dtype, got {dtype}")


def rand_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device, "rand_like")
    _random_dtype(dtype, "rand_like")
    return rand(t.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device, "randn_like")
    _random_dtype(dtype, "randn_like")
    return randn(t.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None) -> Tensor:
    """Integers in [low, high) (randint(high, size) also works, as in PyTorch)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
    elif high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint: size must be a tuple of ints, got {size!r}")
    low, high = as_int(low, "randint", "low"), as_int(high, "randint", "high")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    data = nograd.randint(
        low,
        high,
        _size((size,), "randint"),
        _dt(dtype, backend.int64),
        backend.normalize_device(device),
    )
    return _finish(data, False)


def randperm(n: int, device=None) -> Tensor:
    n = non_negative_int(n, "randperm", "n")
    dev = backend.normalize_device(device)
    return Tensor._make(backend.to_device(nograd.permutation(n), dev), False, None).long()


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values start, start+step, ... below end; int64 when all arguments are ints."""
    if end is None:
        start, end = 0, start
    _check_range(start, end, step)
    ints = all(isinstance(v, int) for v in (start, end, step))
    dtype = _dt(dtype, backend.int64 if ints else None)
    data = nograd.arange(start, end, step, dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def _check_range(start, end, step) -> None:
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, Real):
            raise TypeError(f"arange: {name} must be a number, got {v!r} ({type(v).__name__})")
        if not math.isfinite(v):
            raise RuntimeError(
                f"arange: unsupported range {start} -> {end} with step {step} ({name} is {v})"
            )
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound {end} and lower bound {start} are inconsistent "
            f"with the sign of step {step}"
        )


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    steps = non_negative_int(steps, "linspace", "number of steps")
    data = nograd.linspace(start, end, steps, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad=False) -> Tensor:
    n = non_negative_int(n, "eye", "n")
    m = n if m is None else non_negative_int(m, "eye", "m")
    data = nograd.eye(n, m, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def manual_seed(seed: int) -> None:
    """Make every random draw (factories, init, dropout, shuffling) reproducible."""
    backend.manual_seed(seed)
