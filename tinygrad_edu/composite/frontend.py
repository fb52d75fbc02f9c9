"""The front end every op with several operands goes through (binary ops, where, matmul, linear,
cat): Python numbers become 0-d constants, dtypes are promoted with PyTorch's rule, devices must
agree, and broadcasting is explicit (a BroadcastTo node for each operand that requires grad).

PyTorch's promotion rule: operands are ranked dimensioned tensors > 0-d tensors > Python
numbers, and a lower rank only changes the result when it brings a higher *category*
(bool < integer < float). So float32 + 0-d float64 is float32, int32 * 0-d int64 is int32,
int32 * 2.5 is float32 (the default float), and float32 + float64 is float64.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING

from .. import _tensor_str, backend
from ..autograd.grad_mode import state
from ..ops import binary, nograd, reduce, unary

if TYPE_CHECKING:  # annotations only
    from ..tensor import Tensor

SCALARS = (int, float, bool)
_SCALAR_TYPES = frozenset(SCALARS)
_const_cache: dict = {}
_broadcast_cache: dict = {}
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def is_tensor(x) -> bool:
    """Every Tensor is built on OperatorMixin (below), so the front end needs no import of
    tensor.py: the Tensor imports its composite modules, never the other way round."""
    return isinstance(x, OperatorMixin)


def new_array(data, dtype=None, device=None):
    """data (a number, nested list or array) as a backend array of its own, as torch.tensor()
    makes it: never sharing the caller's buffer."""
    arr = backend.asarray(data, dtype, device)
    if backend.is_array(data) and (arr is data or arr.base is not None):
        arr = arr.copy()
    return arr


def tensor_like(data, like, dtype=None):
    """data as a new tensor (no grad) on like's device."""
    return like._make(new_array(data, dtype, like.device), False, None)


def floating(x, op: str):
    """x for a float-only op: integer and bool tensors promote to the default float, as
    torch.exp(int) does; anything but a tensor is PyTorch's TypeError naming the op."""
    try:
        kind = x.data.dtype.kind
    except AttributeError:
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        ) from None
    return x if kind == "f" else x.to(backend.get_default_dtype())


def result_dtype(*operands):
    """PyTorch's result dtype of an op on tensors and Python numbers (see the module doc)."""
    ranks: list = [None, None, None]  # dimensioned tensors, 0-d tensors, Python numbers
    for x in operands:
        if is_tensor(x):
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
        return like._make(state.recorder.scalar(value, like.data), False, None)
    key = (value, type(value), dtype, type(like.data))
    t = _const_cache.get(key)
    if t is None:
        t = like._make(backend.scalar_array(value, dtype, like.data), False, None)
        # 0.0 == -0.0 as dict keys: caching either would hand out the other's sign
        if len(_const_cache) < 4096 and not (value == 0 and isinstance(value, float)):
            _const_cache[key] = t
    return t


def operands(op: str, *xs, floating: bool = False) -> list:
    """xs as tensors of one dtype (PyTorch's rule; a float for true division) on one device."""
    first = xs[0]
    if not floating and isinstance(first, OperatorMixin):  # the usual case: nothing to convert
        d, kind = first.data.dtype, type(first.data)
        for x in xs:  # (a loop, not all(generator): linear and cat come here every step)
            if (
                not isinstance(x, OperatorMixin)
                or x.data.dtype is not d
                or type(x.data) is not kind
            ):
                break
        else:
            return list(xs)
    like = next((x for x in xs if is_tensor(x)), None)
    if like is None:
        raise TypeError(
            f"{op}: expected at least one Tensor operand, got "
            f"{', '.join(type(x).__name__ for x in xs)}"
        )
    out = []
    for x in xs:
        if not is_tensor(x):
            if isinstance(x, (list, tuple)) or backend.is_array(x):
                x = tensor_like(x, like)  # lists and arrays: PyTorch's tensor() rule
            elif not (isinstance(x, SCALARS) or backend.is_scalar(x)):
                raise TypeError(
                    f"{op}: unsupported operand of type {type(x).__name__} ({x!r:.40});"
                    " expected a Tensor or a number"
                )
        out.append(x)
    dt = result_dtype(*out)
    if floating and dt.kind != "f":
        dt = backend.get_default_dtype()
    devices = {type(t.data) for t in out if is_tensor(t)}
    if len(devices) > 1:
        described = ", ".join(f"{t.device} (shape {t.shape})" for t in out if is_tensor(t))
        raise RuntimeError(f"{op}: expected all tensors on the same device, got {described}")
    return [
        constant(x, dt, like) if not is_tensor(x) else x if x.dtype == dt else x.to(dt) for x in out
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
        reduce.BroadcastTo.apply(t, shape=shape) if t.requires_grad and t.data.shape != shape else t
        for t in ts
    ]


# ----------------------------------------------------------------------------- the door
def binary_op(fn, a, b, floating: bool = False) -> "Tensor":
    """The binary-op door: operands and broadcasting by the front end, then the primitive."""
    cls = b.__class__
    if cls in _SCALAR_TYPES and not floating:
        # tensor op python number: one dict lookup finds the 0-d constant (no broadcast node)
        ad = a.data
        const = _const_cache.get((b, cls, ad.dtype, type(ad)))
        if const is not None:
            return fn.apply(a, const)
    elif a.__class__ in _SCALAR_TYPES and not floating and isinstance(b, OperatorMixin):
        # python number op tensor (1.0 - y * y in tanh's backward): the same cached constant
        bd = b.data
        const = _const_cache.get((a, a.__class__, bd.dtype, type(bd)))
        if const is not None:
            return fn.apply(const, b)
    elif cls is a.__class__:  # (one operand is always a Tensor)
        # tensor op tensor of one dtype on one device (every backward): nothing to promote
        ad, bd = a.data, b.data
        if (
            ad.dtype is bd.dtype
            and type(ad) is type(bd)
            and not (floating and ad.dtype.kind != "f")
        ):
            sa, sb = ad.shape, bd.shape
            # a 0-d operand without grad broadcasts inside the primitive: no node, no check
            if sa == sb or (not sa and not a.requires_grad) or (not sb and not b.requires_grad):
                return fn.apply(a, b)
            return fn.apply(*broadcast(fn.__name__, a, b))
    op = fn.__name__
    a, b = operands(op, a, b, floating=floating)
    if a.data.shape != b.data.shape:
        a, b = broadcast(op, a, b)
    return fn.apply(a, b)


# ----------------------------------------------------------------------------- out=
def into(out, result):
    """torch.X(..., out=t): `result` written into t as PyTorch does (resized with its warning
    when the shape differs and t is not empty; cast when that does not lower the kind), and t
    returned. Without out= (the usual call) the result itself. Like PyTorch, refuses while
    autograd records an op on a tensor that requires grad."""
    if out is None:
        return result
    op = sys._getframe(1).f_code.co_name  # the op that called us, for its messages
    if not is_tensor(out):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if state.grad_enabled and (out.requires_grad or result.requires_grad):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if _CATEGORY[result.dtype.kind] > _CATEGORY[out.dtype.kind]:  # never a lower kind
        names = [_tensor_str.type_name(t.dtype, "cpu")[6:-6] for t in (result, out)]
        raise RuntimeError(
            f"result type {names[0]} can't be cast to the desired output type {names[1]}"
        )
    if result.device != out.device:
        raise RuntimeError(
            f"Expected out tensor to have device {out.device}, but got {result.device} instead"
        )
    if result.data.shape != out.data.shape:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}.",
                UserWarning,
                stacklevel=3,
            )
        out.data = result.data.astype(out.dtype)  # a new array of the new shape
    else:
        nograd.copy_(out.data, result.data)
    out._bump_version()
    return out


# ----------------------------------------------------------------------------- operators
class OperatorMixin:
    """Mixed into Tensor: the Python operators, each through binary_op above."""

    __slots__ = ()

    def __add__(self, other):
        return binary_op(binary.Add, self, other)

    def __radd__(self, other):
        return binary_op(binary.Add, other, self)

    def __sub__(self, other):
        return binary_op(binary.Sub, self, other)

    def __rsub__(self, other):
        return binary_op(binary.Sub, other, self)

    def __mul__(self, other):
        return binary_op(binary.Mul, self, other)

    def __rmul__(self, other):
        return binary_op(binary.Mul, other, self)

    def __truediv__(self, other):
        return binary_op(binary.Div, self, other, floating=True)

    def __rtruediv__(self, other):
        return binary_op(binary.Div, other, self, floating=True)

    def __pow__(self, other):
        return binary_op(binary.Pow, self, other)

    def __rpow__(self, other):
        return binary_op(binary.Pow, other, self)

    def __floordiv__(self, other):
        """Floor division (no gradient, as its derivative is 0 almost everywhere)."""
        a, b = self._operands(other, "floor_divide")
        return a._make(nograd.floor_divide(a.data, b.data), False, None)

    def __rfloordiv__(self, other):
        b, a = self._operands(other, "floor_divide")
        return a._make(nograd.floor_divide(a.data, b.data), False, None)

    def __mod__(self, other):
        """x % y with the divisor's sign (PyTorch's remainder); d/dx = 1, d/dy = -floor(x / y)."""
        a, b = self._operands(other, "remainder")
        if a.dtype.kind != "f":
            return a._make(nograd.remainder(a.data, b.data), False, None)
        broadcast_shape("remainder", a.shape, b.shape)
        return a - (a / b).floor() * b

    def __rmod__(self, other):
        b, a = self._operands(other, "remainder")
        return a % b

    def _operands(self, other, op: str):
        """(self, other) as tensors of one dtype, as a binary op would see them."""
        return operands(op, self, other)

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return tensor_like(other, self).matmul(self)

    def __neg__(self):
        return unary.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __eq__(self, other):  # type: ignore[override]
        return self._compare("eq", other)

    def __ne__(self, other):  # type: ignore[override]
        return self._compare("ne", other)

    def __lt__(self, other):
        return self._compare("lt", other)

    def __le__(self, other):
        return self._compare("le", other)

    def __gt__(self, other):
        return self._compare("gt", other)

    def __ge__(self, other):
        return self._compare("ge", other)

    __hash__ = object.__hash__

    def __invert__(self):
        if self.dtype.kind != "b":
            raise TypeError(f"~ (logical not) needs a bool tensor, got dtype {self.dtype}")
        return self.logical_not()

    def __and__(self, other):
        return self.logical_and(other)

    def __or__(self, other):
        return self.logical_or(other)

    def __xor__(self, other):
        return self.logical_xor(other)

    def _compare(self, op: str, other) -> "Tensor":
        if state.recorder is not None:
            state.recorder.touch(self, other)
        o = other.data if is_tensor(other) else other
        if is_tensor(other) and type(o) is not type(self.data):
            raise RuntimeError(
                f"{op}: tensors on different devices ({self.device}, {other.device})"
            )
        try:
            out = nograd.compare(op, self.data, o)
        except ValueError:
            shape = other.shape if is_tensor(other) else getattr(other, "shape", ())
            broadcast_shape(op, self.shape, tuple(shape))
            raise
        out = backend.as_array(out)  # 0-d comparisons give NumPy scalars
        if not backend.is_array(out):  # comparing with an unsupported object
            return NotImplemented
        return self._make(out, False, None)
