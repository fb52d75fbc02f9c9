"""Elementwise primitives of one input. Each class: y = f(x) and dL/dx = g * f'(x), side by side.

Only ops that need their own gradient rule or numerical care are here; the rest of the
elementwise surface (gelu, silu, softplus, elu, ...) is composed in composite/elementwise.py.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.function import Function


def _xp(a):
    return backend.xp_of_array(a)


class Neg(Function):
    """y = -x;  dx = -g"""

    uses_inputs = False

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Exp(Function):
    """y = exp(x);  dx = g * y"""

    save_output = True

    def forward(self, x):
        return _xp(x).exp(x)

    def backward(self, g):
        return g * self.output


class Log(Function):
    """y = log(x);  dx = g / x"""

    def forward(self, x):
        return _xp(x).log(x)

    def backward(self, g):
        return g / self.parents[0]


class Log1p(Function):
    """y = log(1 + x) (accurate near 0);  dx = g / (1 + x)"""

    def forward(self, x):
        return _xp(x).log1p(x)

    def backward(self, g):
        return g / (self.parents[0] + 1.0)


class Expm1(Function):
    """y = exp(x) - 1 (accurate near 0);  dx = g * (y + 1)"""

    save_output = True

    def forward(self, x):
        return _xp(x).expm1(x)

    def backward(self, g):
        return g * (self.output + 1.0)


class Sqrt(Function):
    """y = sqrt(x);  dx = g / (2 y)"""

    save_output = True

    def forward(self, x):
        return _xp(x).sqrt(x)

    def backward(self, g):
        return g / (self.output * 2.0)


class Sin(Function):
    """y = sin(x);  dx = g * cos(x)"""

    def forward(self, x):
        return _xp(x).sin(x)

    def backward(self, g):
        return g * self.parents[0].cos()


class Cos(Function):
    """y = cos(x);  dx = -g * sin(x)"""

    def forward(self, x):
        return _xp(x).cos(x)

    def backward(self, g):
        return -g * self.parents[0].sin()


class Tanh(Function):
    """y = tanh(x);  dx = g * (1 - y^2)"""

    save_output = True

    def forward(self, x):
        return _xp(x).tanh(x)

    def backward(self, g):
        y = self.output
        return g * (1.0 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed without overflow;  dx = g * y * (1 - y)"""

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
    """y = max(x, 0);  dx = g * [x > 0]  (relu'(0) = 0 as in PyTorch)"""

    save_output = True

    def forward(self, x):
        return _xp(x).maximum(x, 0)

    def backward(self, g):
        out = self.output.data
        return g * self.const((out > 0).astype(out.dtype))


class Abs(Function):
    """y = |x|;  dx = g * sign(x)  (abs'(0) = 0)"""

    def forward(self, x):
        return _xp(x).abs(x)

    def backward(self, g):
        return g * self.parents[0].sign()


class Erf(Function):
    """y = erf(x);  dx = g * 2/sqrt(pi) * exp(-x^2)"""

    def forward(self, x):
        return backend.erf(x)

    def backward(self, g):
        x = self.parents[0]
        return g * ((-(x * x)).exp() * (2.0 / math.sqrt(math.pi)))


class Cast(Function):
    """y = x converted to `dtype`;  dx = g converted back to x's dtype"""

    uses_inputs = False

    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.to(self.in_dtype)

    def extra_repr(self) -> str:
        return str(self.in_dtype)


class Clone(Function):
    """y = a copy of x with its own memory;  dx = g"""

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
