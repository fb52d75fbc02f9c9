"""The front end every op with several operands goes through (binary ops, where, matmul, linear,
cat): Python numbers become 0-d constants, dtypes are promoted with PyTorch's rule, devices must
agree, and broadcasting is explicit (a BroadcastTo node for each operand that requires grad).

PyTorch's promotion rule: operands are ranked dimensioned tensors > 0-d tensors > Python
numbers, and a lower rank only changes the result when it brings a higher *category*
(bool < integer < float). So float32 + 0-d float64 is float32, int32 * 0-d int64 is int32,
int32 * 2.5 is float32 (the default float), and float32 + float64 is float64.
"""

from __future__ import annotations

from .. import backend
from ..autograd.grad_mode import state
from ..ops import reduce

Tensor = None  # the Tensor class, set by tensor.py

SCALARS = (int, float, bool)
_SCALAR_TYPES = frozenset(SCALARS)
_const_cache: dict = {}
_broadcast_cache: dict = {}
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def result_dtype(*operands):
    """PyTorch's result dtype of an op on tensors and Python numbers (see the module doc)."""
    ranks: list = [None, None, None]  # dimensioned tensors, 0-d tensors, Python numbers
    for x in operands:
        if isinstance(x, Tensor):
            dt, rank = x.dtype, 0 if x.ndim else 1
        else:
            dt, rank = backend.python_scalar_dtype(x), 2
        ranks[rank] = dt if ranks[rank] is None else backend.promote_types(ranks[rank], dt)
    return _combine(ranks[0], _combine(ranks[1], ranks[2]))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is not None and _CATEGORY[lower.kind] > _CATEGORY[higher.kind]:
        return backend.promote_types(higher, lower)
    return higher


def constant(value, dtype, like) -> "Tensor":
    """A Python number as a 0-d constant of `dtype` on like's device (cached: ops reuse them)."""
    if state.recorder is not None and type(value) not in _SCALAR_TYPES:
        # tg.compile: a hyper-parameter read at every call (compile/symbolic.py), not a constant
        return Tensor._make(state.recorder.scalar(value, like.data), False, None)
    key = (value, type(value), dtype, type(like.data))
    t = _const_cache.get(key)
    if t is None:
        t = Tensor._make(backend.scalar_array(value, dtype, like.data), False, None)
        # 0.0 == -0.0 as dict keys: caching either would hand out the other's sign
        if len(_const_cache) < 4096 and not (value == 0 and isinstance(value, float)):
            _const_cache[key] = t
    return t


def operands(op: str, *xs, floating: bool = False) -> list:
    """xs as tensors of one dtype (PyTorch's rule; a float for true division) on one device."""
    first = xs[0]
    if isinstance(first, Tensor) and not floating:  # the usual case: nothing to convert
        d, kind = first.data.dtype, type(first.data)
        if all(isinstance(x, Tensor) and x.data.dtype is d and type(x.data) is kind for x in xs):
            return list(xs)
    like = next((x for x in xs if isinstance(x, Tensor)), None)
    if like is None:
        raise TypeError(
            f"{op}: expected at least one Tensor operand, got "
            f"{', '.join(type(x).__name__ for x in xs)}"
        )
    out = []
    for x in xs:
        if not isinstance(x, Tensor):
            if isinstance(x, (list, tuple)) or backend.is_array(x):
                x = Tensor(x, device=like.device)  # lists and arrays: PyTorch's tensor() rule
            elif not (isinstance(x, SCALARS) or backend.is_scalar(x)):
                raise TypeError(
                    f"{op}: unsupported operand of type {type(x).__name__} ({x!r:.40});"
                    " expected a Tensor or a number"
                )
        out.append(x)
    dt = result_dtype(*out)
    if floating and dt.kind != "f":
        dt = backend.get_default_dtype()
    devices = {type(t.data) for t in out if isinstance(t, Tensor)}
    if len(devices) > 1:
        described = ", ".join(f"{t.device} (shape {t.shape})" for t in out if isinstance(t, Tensor))
        raise RuntimeError(f"{op}: expected all tensors on the same device, got {described}")
    return [
        constant(x, dt, like) if not isinstance(x, Tensor) else x if x.dtype == dt else x.to(dt)
        for x in out
    ]


def broadcast_shape(op: str, *shapes) -> tuple:
    """NumPy's broadcast shape, or a RuntimeError naming the op and the shapes."""
    out = shapes[0]
    for s in shapes[1:]:
        if s != out:
            key = (out, s)
            b = _broadcast_cache.get(key)
            if b is None:
                b = _broadcast_two(out, s, op)
                if len(_broadcast_cache) < 4096:
                    _broadcast_cache[key] = b
            out = b
    return out


def _broadcast_two(s1: tuple, s2: tuple, op: str) -> tuple:
    n = max(len(s1), len(s2))
    p1 = (1,) * (n - len(s1)) + tuple(s1)
    p2 = (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for i, (x, y) in enumerate(zip(p1, p2)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise RuntimeError(
                f"{op}: shapes {tuple(s1)} and {tuple(s2)} cannot be broadcast together "
                f"(size {x} vs {y} at dim {i - n})"
            )
    return tuple(out)


def broadcast(op: str, *ts, shape=None) -> list:
    """Each operand that requires grad and differs from the common shape gets a BroadcastTo node
    (whose backward sums the gradient back); the others broadcast inside the primitive."""
    if shape is None:
        shape = broadcast_shape(op, *(t.data.shape for t in ts))
    return [
        reduce.BroadcastTo.apply(t, shape=shape)
        if t.requires_grad and t.data.shape != shape
        else t
        for t in ts
    ]
