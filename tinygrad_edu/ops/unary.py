"""Elementwise primitives of one input. Each class: y = f(x) and dL/dx = g * f'(x), side by side.

Only ops that need their own gradient rule or numerical care are here; the rest of the
elementwise surface (gelu, silu, softplus, elu, ...) is composed in composite/elementwise.py.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.function import Function
from . import nograd
from .binary import Mul


def _xp(a):
    return backend.xp_of_array(a)


class Neg(Function):
    """y = -x;  dx = -g

    why: a basic op (one node instead of -1 * x)
    """

    uses_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Exp(Function):
    """y = exp(x);  dx = g * y

    why: an elementary function with its own derivative
    """

    save_output = True

    def forward(self, x):
        return _xp(x).exp(x)

    def backward(self, g):
        return g * self.output


class Log(Function):
    """y = log(x);  dx = g / x

    why: an elementary function with its own derivative
    """

    def forward(self, x):
        return _xp(x).log(x)

    def backward(self, g):
        return g / self.parents[0]


class Log1p(Function):
    """y = log(1 + x) (accurate near 0);  dx = g / (1 + x)

    why: numerical accuracy near 0 (log(1 + x) loses digits)
    """

    def forward(self, x):
        return _xp(x).log1p(x)

    def backward(self, g):
        return g / (self.parents[0] + 1.0)


class Expm1(Function):
    """y = exp(x) - 1 (accurate near 0);  dx = g * (y + 1)

    why: numerical accuracy near 0 (exp(x) - 1 loses digits)
    """

    save_output = True

    def forward(self, x):
        return _xp(x).expm1(x)

    def backward(self, g):
        return g * (self.output + 1.0)


class Sqrt(Function):
    """y = sqrt(x);  dx = g / (2 y)

    why: an elementary function; its backward reuses y
    """

    save_output = True

    def forward(self, x):
        return _xp(x).sqrt(x)

    def backward(self, g):
        return g / (self.output * 2.0)


class Sin(Function):
    """y = sin(x);  dx = g * cos(x)

    why: an elementary function with its own derivative
    """

    def forward(self, x):
        return _xp(x).sin(x)

    def backward(self, g):
        return g * self.parents[0].cos()


class Cos(Function):
    """y = cos(x);  dx = -g * sin(x)

    why: an elementary function with its own derivative
    """

    def forward(self, x):
        return _xp(x).cos(x)

    def backward(self, g):
        return -g * self.parents[0].sin()


class Tanh(Function):
    """y = tanh(x);  dx = g * (1 - y^2)

    why: numerical stability (no overflow for large |x|) and a backward that reuses y
    """

    save_output = True

    def forward(self, x):
        return _xp(x).tanh(x)

    def backward(self, g):
        y = self.output
        return g * (1.0 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed without overflow;  dx = g * y * (1 - y)

    why: numerical stability (no overflow of exp(-x)) and a backward that reuses y
    """

    save_output = True

    def forward(self, x):
        xp = _xp(x)
        # exp(-|x|) never overflows; pick the algebraically equal form for each sign
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def backward(self, g):
        y = self.output
        return g * (y * (1.0 - y))


class Relu(Function):
    """y = max(x, 0);  dx = g * [x > 0]  (relu'(0) = 0 as in PyTorch)

    why: gradient semantics: relu'(0) = 0 as in PyTorch, and speed (a mask)
    """

    save_output = True

    def forward(self, x):
        return _xp(x).maximum(x, 0)

    def backward(self, g):
        # g * [y > 0]: NumPy multiplies by the bool mask directly (no float copy of it)
        return Mul.apply(g, self.const(nograd.positive_mask(self.output.data)))


class Abs(Function):
    """y = |x|;  dx = g * sign(x)  (abs'(0) = 0)

    why: gradient semantics: abs'(0) = 0
    """

    def forward(self, x):
        return _xp(x).abs(x)

    def backward(self, g):
        return g * self.parents[0].sign()


class Erf(Function):
    """y = erf(x);  dx = g * 2/sqrt(pi) * exp(-x^2)

    why: an elementary function (needed by gelu) with its own derivative
    """

    def forward(self, x):
        return backend.erf(x)

    def backward(self, g):
        x = self.parents[0]
        return g * ((-(x * x)).exp() * (2.0 / math.sqrt(math.pi)))


class Cast(Function):
    """y = x converted to `dtype`;  dx = g converted back to x's dtype

    why: changes the dtype; its adjoint casts the gradient back
    """

    uses_inputs = False

    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.to(self.in_dtype)

    def extra_repr(self) -> str:
        return str(self.in_dtype)


class Clone(Function):
    """y = a copy of x with its own memory;  dx = g

    why: a copy with its own memory, so that in-place ops do not touch the original
    """

    uses_inputs = False

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


class Sign(Function):
    """y = sign(x) in {-1, 0, 1};  dx = 0 * g

    why: gradient semantics: flat almost everywhere, so PyTorch returns a zero gradient (not
    None), which keeps a graph through it connected
    """

    uses_inputs = False

    def forward(self, x):
        return _xp(x).sign(x)

    def backward(self, g):
        return self.const(_xp(g.data).zeros_like(g.data))


class Floor(Function):
    """y = floor(x);  dx = 0 * g

    why: gradient semantics: flat almost everywhere, a zero gradient as PyTorch's
    """

    uses_inputs = False

    def forward(self, x):
        return _xp(x).floor(x)

    def backward(self, g):
        return self.const(_xp(g.data).zeros_like(g.data))


class Ceil(Function):
    """y = ceil(x);  dx = 0 * g

    why: gradient semantics: flat almost everywhere, a zero gradient as PyTorch's
    """

    uses_inputs = False

    def forward(self, x):
        return _xp(x).ceil(x)

    def backward(self, g):
        return self.const(_xp(g.data).zeros_like(g.data))


class Round(Function):
    """y = x rounded to `decimals` places, halves to even;  dx = 0 * g

    why: gradient semantics: flat almost everywhere, a zero gradient as PyTorch's
    """

    uses_inputs = False

    def forward(self, x, decimals=0):
        return _xp(x).round(x, decimals)

    def backward(self, g):
        return self.const(_xp(g.data).zeros_like(g.data))
