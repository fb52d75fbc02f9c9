"""Python operators of the Tensor (+ - * / ** @, comparisons, in-place forms, indexing assignment)
and the front end every binary op goes through: scalar wrapping, PyTorch dtype promotion, device
checks and explicit broadcasting (a BroadcastTo node for each input that requires grad).
"""

from __future__ import annotations

from .. import backend
from ..autograd.grad_mode import state
from ..ops import binary, movement, nograd, unary

_SCALARS = (int, float, bool)
_SCALAR_TYPES = frozenset(_SCALARS)
_const_cache: dict = {}
Tensor = None  # the Tensor class, set by tensor.py (it mixes this class in)


class OperatorMixin:
    """Mixed into Tensor: operators, in-place updates and the binary-op front end."""

    __slots__ = ()

    # ----------------------------------------------------------------------------- operators
    def __add__(self, other):
        return self._binary(binary.Add, self, other)

    def __radd__(self, other):
        return self._binary(binary.Add, other, self)

    def __sub__(self, other):
        return self._binary(binary.Sub, self, other)

    def __rsub__(self, other):
        return self._binary(binary.Sub, other, self)

    def __mul__(self, other):
        return self._binary(binary.Mul, self, other)

    def __rmul__(self, other):
        return self._binary(binary.Mul, other, self)

    def __truediv__(self, other):
        return self._binary(binary.Div, self, other, floating=True)

    def __rtruediv__(self, other):
        return self._binary(binary.Div, other, self, floating=True)

    def __pow__(self, other):
        return self._binary(binary.Pow, self, other)

    def __rpow__(self, other):
        return self._binary(binary.Pow, other, self)

    def __floordiv__(self, other):
        """Floor division (no gradient, as its derivative is 0 almost everywhere)."""
        a, b = self._operands(other)
        return Tensor._make(nograd.floor_divide(a.data, b.data), False, None)

    def __rfloordiv__(self, other):
        b, a = self._operands(other)
        return Tensor._make(nograd.floor_divide(a.data, b.data), False, None)

    def __mod__(self, other):
        """x % y with the divisor's sign (PyTorch's remainder); d/dx = 1, d/dy = -floor(x / y)."""
        a, b = self._operands(other)
        if a.dtype.kind != "f":
            return Tensor._make(nograd.remainder(a.data, b.data), False, None)
        return a - (a / b).floor() * b

    def __rmod__(self, other):
        b, a = self._operands(other)
        return a % b

    def _operands(self, other):
        """(self, other) as tensors of one dtype, as a binary op would see them."""
        other = other if isinstance(other, Tensor) else Tensor._as_tensor(other, self)
        if other.dtype != self.dtype:
            return _promote(None, self, other, False)
        return self, other

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return Tensor(other, device=self.device).matmul(self)

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

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.numel()} elements is ambiguous; use "
                ".any() or .all()"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    # ----------------------------------------------------------------------------- front end
    @staticmethod
    def _as_tensor(value, like: "Tensor") -> "Tensor":
        """Python scalars become 0-d constants of the dtype the op will run in (PyTorch rule)."""
        if isinstance(value, _SCALARS) or backend.is_scalar(value):
            data = like.data
            key = (value, type(value), data.dtype, type(data))
            t = _const_cache.get(key)
            if t is None:
                dtype = backend.scalar_result_dtype(data.dtype, value)
                t = Tensor._make(backend.scalar_array(value, dtype, data), False, None)
                if len(_const_cache) < 4096 and not (value == 0 and isinstance(value, float)):
                    # 0.0 == -0.0 as dict keys: caching either would hand out the other's sign
                    _const_cache[key] = t
            return t
        return Tensor(value, device=like.device)

    @staticmethod
    def _binary(fn, a, b, floating: bool = False) -> "Tensor":
        """Promote dtypes, check devices, broadcast explicitly, then apply the primitive."""
        cls = b.__class__
        if cls in _SCALAR_TYPES and not floating:  # hot path: tensor op python number
            ad = a.data
            const = _const_cache.get((b, cls, ad.dtype, type(ad)))
            if const is not None and const.data.dtype is ad.dtype:
                return fn.apply(a, const)  # a 0-d constant needs no broadcast node
        if not isinstance(b, Tensor):
            b = Tensor._as_tensor(b, a)
        elif not isinstance(a, Tensor):
            a = Tensor._as_tensor(a, b)
        ad, bd = a.data, b.data
        if (ad.dtype is not bd.dtype and ad.dtype != bd.dtype) or (
            floating and ad.dtype.kind != "f"
        ):
            a, b = _promote(fn, a, b, floating)
            ad, bd = a.data, b.data
        if type(ad) is not type(bd):
            raise RuntimeError(
                f"{fn.__name__}: expected all tensors on the same device, got {a.device} "
                f"(shape {a.shape}) and {b.device} (shape {b.shape})"
            )
        sa, sb = ad.shape, bd.shape
        if sa != sb and (sb or b.requires_grad) and (sa or a.requires_grad):
            shape = _broadcast_shape(sa, sb, fn.__name__)
            if sa != shape and a.requires_grad:
                a = movement.BroadcastTo.apply(a, shape=shape)
            if sb != shape and b.requires_grad:
                b = movement.BroadcastTo.apply(b, shape=shape)
        return fn.apply(a, b)

    def _compare(self, op: str, other) -> "Tensor":
        o = other.data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(o) is not type(self.data):
            raise RuntimeError(f"{op}: tensors on different devices ({self.device}, "
                               f"{other.device})")  # fmt: skip
        try:
            out = nograd.compare(op, self.data, o)
        except ValueError:
            shape = other.shape if isinstance(other, Tensor) else getattr(other, "shape", ())
            _broadcast_shape(self.shape, tuple(shape), op)
            raise
        out = backend.as_array(out)  # 0-d comparisons give NumPy scalars
        if not backend.is_array(out):  # comparing with an unsupported object
            return NotImplemented
        return Tensor._make(out, False, None)


def _promote(fn, a: Tensor, b: Tensor, floating: bool):
    """Cast a and b to their PyTorch result dtype (true division always gives a float)."""
    dt = backend.promote_types(a.dtype, b.dtype)
    if floating and dt.kind != "f":
        dt = backend.get_default_dtype()
    return (a if a.dtype == dt else a.to(dt)), (b if b.dtype == dt else b.to(dt))


_broadcast_cache: dict = {}


def _broadcast_shape(s1: tuple, s2: tuple, op: str) -> tuple:
    """NumPy's broadcast shape of two shapes, or a RuntimeError naming the op and both shapes."""
    if s1 == s2:
        return s1
    out = _broadcast_cache.get((s1, s2))
    if out is None:
        out = _compute_broadcast_shape(s1, s2, op)
        if len(_broadcast_cache) < 4096:
            _broadcast_cache[(s1, s2)] = out
    return out


def _compute_broadcast_shape(s1: tuple, s2: tuple, op: str) -> tuple:
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
