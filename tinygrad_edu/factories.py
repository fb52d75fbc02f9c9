"""Tensor factories (tg.zeros, tg.randn, ...), also reachable as Tensor.zeros etc.

Random factories draw from the library's seeded generator (tg.manual_seed).
"""

from __future__ import annotations

from . import backend
from .ops import nograd
from .tensor import Tensor


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        out = tuple(int(s) for s in size)
    except (TypeError, ValueError):
        raise TypeError(f"size must be ints or one tuple of ints, got {size!r}") from None
    if any(s < 0 for s in out):
        raise RuntimeError(f"negative dimension in size {out}")
    return out


def _finish(data, requires_grad: bool) -> Tensor:
    t = Tensor._make(data, False, None)
    return t.requires_grad_(True) if requires_grad else t


def _dt(dtype, default=None):
    return backend.as_dtype(dtype) if dtype is not None else (default or backend.get_default_dtype())


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor from data (as torch.tensor)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def from_numpy(array) -> Tensor:
    """A tensor sharing memory with a NumPy array (keeps its dtype)."""
    return Tensor._make(backend.asarray(array, device="cpu"), False, None)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(_size(size), 0, dtype=_dt(dtype), device=device, requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(_size(size), 1, dtype=_dt(dtype), device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype = _dt(dtype, backend.python_scalar_dtype(fill_value))
    data = nograd.full(_size((size,)), fill_value, dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    data = nograd.empty(_size(size), _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def _like(t: Tensor, dtype, device):
    return (backend.as_dtype(dtype) if dtype is not None else t.dtype,
            device if device is not None else t.device)  # fmt: skip


def zeros_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device)
    return full(t.shape, 0, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device)
    return full(t.shape, 1, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    dtype, device = _like(t, dtype, device)
    return full(t.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device)
    return empty(t.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    dtype = _dt(dtype)
    data = nograd.rand(_size(size), dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype = _dt(dtype)
    data = nograd.randn(_size(size), dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def rand_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device)
    return rand(t.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype, device = _like(t, dtype, device)
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
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    data = nograd.randint(low, high, _size((size,)), _dt(dtype, backend.int64),
                          backend.normalize_device(device))  # fmt: skip
    return _finish(data, False)


def randperm(n: int, device=None) -> Tensor:
    dev = backend.normalize_device(device)
    return Tensor._make(backend.to_device(nograd.permutation(n), dev), False, None).long()


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values start, start+step, ... below end; int64 when all arguments are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    ints = all(isinstance(v, int) for v in (start, end, step))
    dtype = _dt(dtype, backend.int64 if ints else None)
    data = nograd.arange(start, end, step, dtype, backend.normalize_device(device))
    return _finish(data, requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad=False) -> Tensor:
    data = nograd.linspace(start, end, steps, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad=False) -> Tensor:
    data = nograd.eye(n, n if m is None else m, _dt(dtype), backend.normalize_device(device))
    return _finish(data, requires_grad)


def manual_seed(seed: int) -> None:
    """Make every random draw (factories, init, dropout, shuffling) reproducible."""
    backend.manual_seed(seed)


# Tensor.zeros(...), Tensor.randn(...), ... as in the API contract
Tensor.zeros = staticmethod(zeros)
Tensor.ones = staticmethod(ones)
Tensor.full = staticmethod(full)
Tensor.empty = staticmethod(empty)
Tensor.zeros_like = staticmethod(zeros_like)
Tensor.ones_like = staticmethod(ones_like)
Tensor.full_like = staticmethod(full_like)
Tensor.rand = staticmethod(rand)
Tensor.randn = staticmethod(randn)
Tensor.randint = staticmethod(randint)
Tensor.arange = staticmethod(arange)
Tensor.eye = staticmethod(eye)
Tensor.linspace = staticmethod(linspace)
Tensor.from_numpy = staticmethod(from_numpy)
