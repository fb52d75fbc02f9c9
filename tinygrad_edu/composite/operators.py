"""Python operators of the Tensor (+ - * / ** @, comparisons, conversions) and `_binary`, the one
door of every binary primitive: operands and broadcasting by composite/frontend.py, then the op.
(In-place forms and index assignment are in composite/inplace.py.)
"""

from __future__ import annotations

from .. import backend
from ..autograd.grad_mode import state
from ..ops import binary, nograd, unary
from . import frontend

_SCALAR_TYPES = frozenset(frontend.SCALARS)
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
        a, b = self._operands(other, "floor_divide")
        return Tensor._make(nograd.floor_divide(a.data, b.data), False, None)

    def __rfloordiv__(self, other):
        b, a = self._operands(other, "floor_divide")
        return Tensor._make(nograd.floor_divide(a.data, b.data), False, None)

    def __mod__(self, other):
        """x % y with the divisor's sign (PyTorch's remainder); d/dx = 1, d/dy = -floor(x / y)."""
        a, b = self._operands(other, "remainder")
        if a.dtype.kind != "f":
            return Tensor._make(nograd.remainder(a.data, b.data), False, None)
        frontend.broadcast_shape("remainder", a.shape, b.shape)
        return a - (a / b).floor() * b

    def __rmod__(self, other):
        b, a = self._operands(other, "remainder")
        return a % b

    def _operands(self, other, op: str):
        """(self, other) as tensors of one dtype, as a binary op would see them."""
        return frontend.operands(op, self, other)

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
        if state.recorder is not None:  # tg.compile: Python control flow on a tensor's value
            state.recorder.refuse("bool(tensor)")
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.numel()} elements is ambiguous; use "
                ".any() or .all()"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        self._one_element("float")
        return float(self.item())

    def __int__(self) -> int:
        self._one_element("int")
        return int(self.item())

    def _one_element(self, op: str) -> None:
        if self.numel() != 1:
            raise ValueError(
                f"{op}(): only one element tensors can be converted to Python "
                f"scalars, got shape {self.shape}"
            )

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
    def _binary(fn, a, b, floating: bool = False) -> "Tensor":
        """The binary-op door: operands and broadcasting by the front end, then the primitive."""
        cls = b.__class__
        if cls in _SCALAR_TYPES and not floating:
            # tensor op python number: one dict lookup finds the 0-d constant (no broadcast node)
            ad = a.data
            const = frontend._const_cache.get((b, cls, ad.dtype, type(ad)))
            if const is not None:
                return fn.apply(a, const)
        elif a.__class__ in _SCALAR_TYPES and cls is Tensor and not floating:
            # python number op tensor (1.0 - y * y in tanh's backward): the same cached constant
            bd = b.data
            const = frontend._const_cache.get((a, a.__class__, bd.dtype, type(bd)))
            if const is not None:
                return fn.apply(const, b)
        elif cls is Tensor and a.__class__ is Tensor:
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
                return fn.apply(*frontend.broadcast(fn.__name__, a, b))
        op = fn.__name__
        a, b = frontend.operands(op, a, b, floating=floating)
        if a.data.shape != b.data.shape:
            a, b = frontend.broadcast(op, a, b)
        return fn.apply(a, b)

    def _compare(self, op: str, other) -> "Tensor":
        if state.recorder is not None:
            state.recorder.touch(self, other)
        o = other.data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(o) is not type(self.data):
            raise RuntimeError(
                f"{op}: tensors on different devices ({self.device}, {other.device})"
            )
        try:
            out = nograd.compare(op, self.data, o)
        except ValueError:
            shape = other.shape if isinstance(other, Tensor) else getattr(other, "shape", ())
            frontend.broadcast_shape(op, self.shape, tuple(shape))
            raise
        out = backend.as_array(out)  # 0-d comparisons give NumPy scalars
        if not backend.is_array(out):  # comparing with an unsupported object
            return NotImplemented
        return Tensor._make(out, False, None)
