"""Elementwise Tensor methods: primitives from ops/unary and ops/binary, and compositions of them.

Activations are composed so that their gradients at kinks follow PyTorch: relu'(0) = 0,
leaky_relu'(0) = negative_slope, elu'(0) = alpha, clamp passes the gradient at its bounds.
"""

from __future__ import annotations

import math

from ..ops import binary, nograd, unary
from . import frontend
from .args import as_float


class ElementwiseMixin:
    """Mixed into Tensor: every method returns a new Tensor."""

    __slots__ = ()

    # ------------------------------------------------------------------ primitives
    def exp(self):
        """e^x"""
        return unary.Exp.apply(self._floating())

    def log(self):
        """natural log (x > 0)"""
        return unary.Log.apply(self._floating())

    def log1p(self):
        """log(1 + x), accurate for small x"""
        return unary.Log1p.apply(self._floating())

    def expm1(self):
        """e^x - 1, accurate for small x"""
        return unary.Expm1.apply(self._floating())

    def sqrt(self):
        return unary.Sqrt.apply(self._floating())

    def sin(self):
        return unary.Sin.apply(self._floating())

    def cos(self):
        return unary.Cos.apply(self._floating())

    def tanh(self):
        return unary.Tanh.apply(self._floating())

    def sigmoid(self):
        """1 / (1 + e^-x), without overflow for large |x|"""
        return unary.Sigmoid.apply(self._floating())

    def relu(self):
        """max(x, 0); gradient 0 at x = 0"""
        return unary.Relu.apply(self)

    def abs(self):
        """|x|; gradient 0 at x = 0"""
        return unary.Abs.apply(self)

    def erf(self):
        return unary.Erf.apply(self._floating())

    def neg(self):
        return unary.Neg.apply(self)

    def add(self, other, alpha=1):
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other, alpha=1):
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self._binary(binary.Pow, self, exponent)

    def maximum(self, other):
        """Elementwise max; at ties the gradient is split 50/50."""
        return self._binary(binary.Maximum, self, other)

    def minimum(self, other):
        """Elementwise min; at ties the gradient is split 50/50."""
        return self._binary(binary.Minimum, self, other)

    def where(self, condition, other):
        """condition ? self : other (PyTorch's method form of tg.where)."""
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        """self with `value` where mask is True (mask broadcasts to self's shape)."""
        if getattr(mask, "dtype", None) is None or mask.dtype.kind != "b":
            raise RuntimeError(
                f"masked_fill: only supports boolean masks, but got mask of "
                f"{getattr(mask, 'dtype', type(mask).__name__)}"
            )
        if hasattr(value, "shape"):
            if value.ndim != 0:
                raise RuntimeError(
                    f"masked_fill: only supports a 0-dimensional value tensor, "
                    f"but got one of shape {tuple(value.shape)}"
                )
        else:
            value = as_float(value, "masked_fill", "value") if not isinstance(value, int) else value

        frontend.broadcast_shape("masked_fill", mask.shape, self.shape)
        out = where(mask, value, self)
        if out.shape != self.shape:
            raise RuntimeError(
                f"masked_fill: mask of shape {tuple(mask.shape)} does not broadcast to the "
                f"tensor's shape {self.shape}"
            )
        return out

    def index_fill(self, dim: int, index, value):
        """self with `value` at positions `index` (1-d integer tensor) along dim."""
        d = self._dim(dim, "index_fill")
        idx = index.data if hasattr(index, "data") else index
        n = self.shape[d] if self.ndim else 1
        if (
            getattr(idx, "ndim", 1) > 1
            or getattr(idx, "dtype", None) is None
            or (idx.dtype.kind not in "iu")
        ):
            raise IndexError(
                f"index_fill: index must be a 0-d or 1-d integer tensor, got "
                f"{getattr(idx, 'dtype', type(idx).__name__)} of shape {getattr(idx, 'shape', '?')}"
            )
        lo, hi = nograd.min_max(idx) if idx.size else (0, 0)
        if idx.size and (lo < -n or hi >= n):
            raise IndexError(
                f"index_fill: index {lo if lo < -n else hi} is out of range for dim {d} of size "
                f"{n} (tensor shape {self.shape})"
            )
        hits = nograd.any_(nograd.one_hot(idx.reshape(-1) % max(n, 1), max(n, 1)), dim=0)
        mask = self._make(hits.reshape([1] * d + [n] + [1] * (self.ndim - d - 1)), False, None)
        return self.masked_fill(mask, value)

    # ------------------------------------------------------------------ compositions
    def square(self):
        return self * self

    def reciprocal(self):
        return 1.0 / self._floating()

    def rsqrt(self):
        return self.sqrt().reciprocal()

    def clamp(self, min=None, max=None):
        """min(max(x, min), max); the gradient passes at the bounds (as PyTorch's clamp)."""
        return self._clamp(min, max, "clamp")

    def _clamp(self, min, max, op: str):
        if min is None and max is None:
            raise RuntimeError(f"{op}: at least one of 'min' or 'max' must not be None")

        for what, bound in (("min", min), ("max", max)):
            if hasattr(bound, "shape"):
                frontend.broadcast_shape(op, self.shape, tuple(bound.shape))
            elif bound is not None and not isinstance(bound, int):
                as_float(bound, op, what)
        out = self
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        return out

    def clip(self, min=None, max=None):
        return self._clamp(min, max, "clip")

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0):
        return self.clamp(min_val, max_val)

    def relu6(self):
        return self.clamp(0.0, 6.0)

    def leaky_relu(self, negative_slope: float = 0.01):
        """x if x > 0 else negative_slope * x; gradient negative_slope at 0"""
        negative_slope = as_float(negative_slope, "leaky_relu", "negative_slope")
        return where(self > 0, self, self * negative_slope)

    def elu(self, alpha: float = 1.0):
        """x if x > 0 else alpha * (e^x - 1); gradient alpha at 0"""
        alpha = as_float(alpha, "elu", "alpha")
        return where(self > 0, self, self.clamp(max=0.0).expm1() * alpha)

    def selu(self):
        alpha, scale = 1.6732632423543772, 1.0507009873554805
        return self.elu(alpha) * scale

    def gelu(self, approximate: str = "none"):
        """x * Phi(x), with Phi the standard normal CDF (or its tanh approximation)."""
        if approximate == "tanh":
            inner = (self + self * self * self * 0.044715) * math.sqrt(2.0 / math.pi)
            return self * 0.5 * (inner.tanh() + 1.0)
        if approximate != "none":
            raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return self * 0.5 * ((self * (1.0 / math.sqrt(2.0))).erf() + 1.0)

    def silu(self):
        """x * sigmoid(x) (also called swish)"""
        return self * self.sigmoid()

    def swish(self):
        return self.silu()

    def softplus(self, beta: float = 1.0, threshold: float = 20.0):
        """log(1 + e^(beta x)) / beta, linear above threshold; stable for large |x|."""
        beta = as_float(beta, "softplus", "beta")
        threshold = as_float(threshold, "softplus", "threshold")
        bx = self * beta if beta != 1 else self
        # max(bx, 0) + log1p(e^-|bx|) never overflows; max splits its gradient at 0 so that
        # the derivative there is sigmoid(0) = 0.5
        soft = bx.maximum(0.0) + (-bx.abs()).exp().log1p()
        if beta != 1:
            soft = soft / beta
        return where(bx > threshold, self, soft)

    def mish(self):
        """x * tanh(softplus(x))"""
        return self * self.softplus().tanh()

    def softsign(self):
        return self / (self.abs() + 1.0)

    def hardsigmoid(self):
        return (self / 6.0 + 0.5).clamp(0.0, 1.0)

    def hardswish(self):
        return self * self.hardsigmoid()

    def logsigmoid(self):
        return -((-self).softplus())

    # ------------------------------------------------------------------ no grad
    def sign(self):
        """-1, 0 or 1 (zero gradient)"""
        return unary.Sign.apply(self)

    def isnan(self):
        return self._make(nograd.isnan(self.data), False, None)

    def isinf(self):
        return self._make(nograd.isinf(self.data), False, None)

    def isfinite(self):
        return self._make(nograd.isfinite(self.data), False, None)

    def floor(self):
        """The largest integer <= x (zero gradient)"""
        return unary.Floor.apply(self)

    def ceil(self):
        """The smallest integer >= x (zero gradient)"""
        return unary.Ceil.apply(self)

    def round(self, decimals: int = 0):
        """x rounded half to even, to `decimals` places (zero gradient)"""
        return unary.Round.apply(self, decimals=decimals)

    def logical_not(self):
        return self._make(nograd.logical("not", self.data), False, None)

    def logical_and(self, other):
        return self._logical("and", other)

    def logical_or(self, other):
        return self._logical("or", other)

    def logical_xor(self, other):
        return self._logical("xor", other)

    def _logical(self, op: str, other):
        o = _data(other)
        if hasattr(o, "shape"):
            frontend.broadcast_shape(f"logical_{op}", self.shape, tuple(o.shape))
        return self._make(nograd.logical(op, self.data, o), False, None)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def equal(self, other) -> bool:
        """True when shapes and all values are equal (torch.equal)."""
        return self.shape == other.shape and nograd.array_equal(self.data, other.data)

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return nograd.allclose(self.data, _data(other), rtol, atol, equal_nan)

    def _floating(self):
        """Integer and bool tensors are promoted to the default float, as torch.exp(int) is."""
        if self.data.dtype.kind == "f":
            return self
        from ..backend import get_default_dtype

        return self.to(get_default_dtype())


def _data(x):
    return x.data if hasattr(x, "data") and not isinstance(x, (int, float, bool)) else x


def where(condition, input, other):
    """condition ? input : other, elementwise with broadcasting; no gradient to condition."""
    is_tensor = frontend.is_tensor
    like = next((x for x in (condition, input, other) if is_tensor(x)), None)
    if like is None:
        raise TypeError(
            "where: expected a Tensor among condition, input and other, got "
            f"{type(condition).__name__}, {type(input).__name__}, {type(other).__name__}"
        )
    if not is_tensor(condition):
        condition = frontend.tensor_like(condition, like)
    if condition.dtype.kind != "b":
        raise RuntimeError(f"where: expected a bool condition tensor, got dtype {condition.dtype}")
    for what, v in (("input", input), ("other", other)):
        if not is_tensor(v) and not isinstance(v, (int, float, bool)):
            if not frontend.backend.is_scalar(v):
                raise TypeError(
                    f"where: {what} must be a Tensor or a number, got {type(v).__name__} ({v!r})"
                )
    if not is_tensor(input) and not is_tensor(other):
        input = frontend.tensor_like(input, condition)
    a, b = frontend.operands("where", input, other)
    if type(a.data) is not type(condition.data):
        raise RuntimeError(
            f"where: expected all tensors on the same device, got condition on "
            f"{condition.device}, input on {a.device}, other on {b.device}"
        )
    shape = frontend.broadcast_shape("where", condition.shape, a.shape, b.shape)
    a, b = frontend.broadcast("where", a, b, shape=shape)
    return binary.Where.apply(condition, a, b)
