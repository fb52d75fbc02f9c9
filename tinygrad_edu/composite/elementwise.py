"""Elementwise Tensor methods: primitives from ops/unary and ops/binary, and compositions of them.

Activations are composed so that their gradients at kinks follow PyTorch: relu'(0) = 0,
leaky_relu'(0) = negative_slope, elu'(0) = alpha, clamp passes the gradient at its bounds.
"""

from __future__ import annotations

import math

from ..ops import binary, nograd, unary
from . import frontend
from .args import as_float
from .frontend import floating, into


class ElementwiseMixin:
    """Mixed into Tensor: every method returns a new Tensor."""

    __slots__ = ()

    # ------------------------------------------------------------------ primitives
    def exp(self, *, out=None):
        """e^x"""
        return into(out, unary.Exp.apply(floating(self, "exp")))

    def log(self, *, out=None):
        """natural log (x > 0)"""
        return into(out, unary.Log.apply(floating(self, "log")))

    def log1p(self, *, out=None):
        """log(1 + x), accurate for small x"""
        return into(out, unary.Log1p.apply(floating(self, "log1p")))

    def expm1(self, *, out=None):
        """e^x - 1, accurate for small x"""
        return into(out, unary.Expm1.apply(floating(self, "expm1")))

    def sqrt(self, *, out=None):
        return into(out, unary.Sqrt.apply(floating(self, "sqrt")))

    def sin(self, *, out=None):
        return into(out, unary.Sin.apply(floating(self, "sin")))

    def cos(self, *, out=None):
        return into(out, unary.Cos.apply(floating(self, "cos")))

    def tanh(self, *, out=None):
        return into(out, unary.Tanh.apply(floating(self, "tanh")))

    def sigmoid(self, *, out=None):
        """1 / (1 + e^-x), without overflow for large |x|"""
        return into(out, unary.Sigmoid.apply(floating(self, "sigmoid")))

    def relu(self, inplace: bool = False):
        """max(x, 0); gradient 0 at x = 0"""
        if inplace:  # F.relu(x, inplace=True) is x.relu_()
            return self.relu_()
        return unary.Relu.apply(self)

    def abs(self, *, out=None):
        """|x|; gradient 0 at x = 0"""
        return into(out, unary.Abs.apply(self))

    def erf(self, *, out=None):
        return into(out, unary.Erf.apply(floating(self, "erf")))

    def neg(self, *, out=None):
        return into(out, unary.Neg.apply(self))

    def add(self, other, alpha=1, *, out=None):
        return into(out, self + (other * alpha if alpha != 1 else other))

    def sub(self, other, alpha=1, *, out=None):
        return into(out, self - (other * alpha if alpha != 1 else other))

    def mul(self, other, *, out=None):
        return into(out, self * other)

    def div(self, other, *, out=None):
        return into(out, self / other)

    def pow(self, exponent, *, out=None):
        return into(out, frontend.binary_op(binary.Pow, self, exponent))

    def maximum(self, other, *, out=None):
        """Elementwise max; at ties the gradient is split 50/50."""
        return into(out, frontend.binary_op(binary.Maximum, self, other))

    def minimum(self, other, *, out=None):
        """Elementwise min; at ties the gradient is split 50/50."""
        return into(out, frontend.binary_op(binary.Minimum, self, other))

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
    def square(self, *, out=None):
        return into(out, self * self)

    def reciprocal(self, *, out=None):
        return into(out, 1.0 / floating(self, "reciprocal"))

    def rsqrt(self, *, out=None):
        return into(out, self.sqrt().reciprocal())

    def clamp(self, min=None, max=None, *, out=None):
        """min(max(x, min), max); the gradient passes at the bounds (as PyTorch's clamp)."""
        return into(out, self._clamp(min, max, "clamp"))

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

    def clip(self, min=None, max=None, *, out=None):
        """clamp's other name (NumPy's)."""
        return into(out, self._clamp(min, max, "clip"))

    # The activations take F.X's `inplace` (F.elu(x, inplace=True)): the result is then written
    # into x's memory and recorded as an in-place op, like x.relu_().
    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        """clamp(x, min_val, max_val); like clamp, the gradient passes at the bounds"""
        if min_val > max_val:
            raise ValueError(f"hardtanh: min_val {min_val} must not exceed max_val {max_val}")
        if inplace:
            return self._apply_inplace("hardtanh_", lambda t: t.hardtanh(min_val, max_val))
        return self.clamp(min_val, max_val)  # API.md: the gradient passes at the bounds

    def relu6(self, inplace: bool = False):
        """min(max(x, 0), 6); gradient 0 at 0 and 6 (PyTorch's)"""
        if inplace:
            return self._apply_inplace("relu6_", lambda t: t.relu6())
        return _clamp_inside(self, 0.0, 6.0)

    def leaky_relu(self, negative_slope: float = 0.01, inplace: bool = False):
        """x if x > 0 else negative_slope * x; gradient negative_slope at 0"""
        negative_slope = as_float(negative_slope, "leaky_relu", "negative_slope")
        if inplace:
            return self._apply_inplace("leaky_relu_", lambda t: t.leaky_relu(negative_slope))
        return where(self > 0, self, self * negative_slope)

    def elu(self, alpha: float = 1.0, inplace: bool = False):
        """x if x > 0 else alpha * (e^x - 1); gradient alpha at 0"""
        alpha = as_float(alpha, "elu", "alpha")
        if inplace:
            return self._apply_inplace("elu_", lambda t: t.elu(alpha))
        return where(self > 0, self, self.clamp(max=0.0).expm1() * alpha)

    def selu(self, inplace: bool = False):
        """scale * elu(x, alpha) with the self-normalising constants"""
        if inplace:
            return self._apply_inplace("selu_", lambda t: t.selu())
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

    def silu(self, inplace: bool = False):
        """x * sigmoid(x) (also called swish)"""
        if inplace:
            return self._apply_inplace("silu_", lambda t: t.silu())
        return self * self.sigmoid()

    def swish(self):
        """x * sigmoid(x) (another name of silu)"""
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

    def mish(self, inplace: bool = False):
        """x * tanh(softplus(x))"""
        if inplace:
            return self._apply_inplace("mish_", lambda t: t.mish())
        return self * self.softplus().tanh()

    def softsign(self):
        return self / (self.abs() + 1.0)

    def hardsigmoid(self, inplace: bool = False):
        """clamp(x / 6 + 1/2, 0, 1); gradient 0 at x = +-3 (PyTorch's)"""
        if inplace:
            return self._apply_inplace("hardsigmoid_", lambda t: t.hardsigmoid())
        return _clamp_inside(self / 6.0 + 0.5, 0.0, 1.0)

    def hardswish(self, inplace: bool = False):
        """x * hardsigmoid(x)"""
        if inplace:
            return self._apply_inplace("hardswish_", lambda t: t.hardswish())
        return self * self.hardsigmoid()

    def logsigmoid(self):
        return -((-self).softplus())

    # ------------------------------------------------------------------ no grad
    def sign(self, *, out=None):
        """-1, 0 or 1 (zero gradient)"""
        return into(out, unary.Sign.apply(self))

    def isnan(self):
        return self._make(nograd.isnan(self.data), False, None)

    def isinf(self):
        return self._make(nograd.isinf(self.data), False, None)

    def isfinite(self):
        return self._make(nograd.isfinite(self.data), False, None)

    def floor(self, *, out=None):
        """The largest integer <= x (zero gradient)"""
        return into(out, unary.Floor.apply(self))

    def ceil(self, *, out=None):
        """The smallest integer >= x (zero gradient)"""
        return into(out, unary.Ceil.apply(self))

    def round(self, decimals: int = 0, *, out=None):
        """x rounded half to even, to `decimals` places (zero gradient)"""
        return into(out, unary.Round.apply(self, decimals=decimals))

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


def _clamp_inside(x, low: float, high: float):
    """clamp(x, low, high) with the gradient of PyTorch's relu6 and hardsigmoid: 1 strictly
    inside the bounds, 0 at them (clamp itself passes it at the bounds)."""
    return where((x > low) & (x < high), x, x.clamp(low, high).detach())


def _data(x):
    return x.data if hasattr(x, "data") and not isinstance(x, (int, float, bool)) else x


def where(condition, input, other, *, out=None):
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
    return into(out, binary.Where.apply(condition, a, b))
