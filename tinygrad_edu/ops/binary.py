"""Elementwise primitives of two (or three) inputs of the same shape.

The Tensor front end has already promoted dtypes and inserted BroadcastTo for every input that
requires grad, so each backward returns gradients shaped like its inputs without reducing anything.
Inputs that need no grad may still be smaller (NumPy broadcasts them in forward); their gradient is
never computed.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function, _modified_message


def _xp(a):
    return backend.xp_of_array(a)


class Add(Function):
    """y = a + b;  da = g, db = g

    why: a basic arithmetic op; everything else is built from these
    """

    uses_inputs = False

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class Sub(Function):
    """y = a - b;  da = g, db = -g

    why: a basic arithmetic op (one node instead of a + (-b))
    """

    uses_inputs = False

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.needs_input_grad[1] else None)


def _check_one(node, i: int) -> None:
    p = node.parents[i]
    if p._vc is not None and p._vc[0] > node.stamp:
        raise RuntimeError(_modified_message(node, f"input {i}", p))


class Mul(Function):
    """y = a * b;  da = g * b, db = g * a

    why: a basic arithmetic op; everything else is built from these
    """

    def forward(self, a, b):
        return a * b

    def check_inputs_unmodified(self) -> None:
        # a's values are read only for b's gradient and b's only for a's (x * 3 never reads x)
        need_a, need_b = self.needs_input_grad
        if need_a and need_b:
            super().check_inputs_unmodified()
        else:
            _check_one(self, 0 if need_b else 1)

    def backward(self, g):
        a, b = self.parents
        need_a, need_b = self.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    """y = a / b;  da = g / b, db = -g * a / b^2

    why: a basic arithmetic op (one node and one rounding instead of a * (1 / b))
    """

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.parents
        need_a, need_b = self.needs_input_grad
        ga = g / b if need_a else None
        gb = -(g * a) / (b * b) if need_b else None
        return ga, gb


class Pow(Function):
    """y = a ** b;  da = g * b * a^(b-1) (0 where b == 0), db = g * y * log(a) (0 where a == 0)

    why: its gradient needs care where a or b is 0 (log(0), 0 ** -1)
    """

    save_output = True

    def forward(self, a, b):
        # a constant 0-d exponent (x ** 2) gets a cheaper backward with a Python number
        # (on the host only: reading a GPU scalar would stall the device every step)
        on_host = backend.device_of(b) == "cpu"
        self.exponent = float(b) if on_host and b.ndim == 0 and b.dtype.kind == "f" else None
        if b.dtype.kind == "i" and a.dtype.kind in "iu" and on_host and (b < 0).any():
            raise RuntimeError(
                f"pow: integers to negative integer powers are not allowed "
                f"(exponent {b.min()}, base of dtype {a.dtype})"
            )
        return a**b

    def backward(self, g):
        a, b = self.parents
        need_a, need_b = self.needs_input_grad
        ga = gb = None
        e = self.exponent
        if need_a and e is not None and not need_b:
            if e == 0.0:
                return g * 0.0, None
            if e == 2.0:
                return g * a * 2.0, None
            return g * (a ** (e - 1.0) * e), None
        if need_a:
            ga = (g * b * a ** (b - 1.0)).masked_fill(b == 0, 0.0)
        if need_b:
            # d/db a^b = a^b log a; PyTorch defines it as 0 at a == 0 (the limit for b > 0)
            safe = a.masked_fill(a == 0, 1.0)
            gb = (g * self.output * safe.log()).masked_fill(a == 0, 0.0)
        return ga, gb

    def extra_repr(self) -> str:
        return "" if self.exponent is None else f"exponent={self.exponent:g}"


class Maximum(Function):
    """y = max(a, b);  da = g * [a > b] + g/2 * [a == b],  db = g * [b > a] + g/2 * [a == b]

    why: gradient semantics: ties split the gradient 50/50 as in PyTorch
    """

    def forward(self, a, b):
        return _xp(a).maximum(a, b)

    def backward(self, g):
        a, b = self.parents
        w = (a > b) + (a == b) * 0.5  # weight of a: 1, 0.5 or 0
        need_a, need_b = self.needs_input_grad
        return (g * w if need_a else None), (g * (1.0 - w) if need_b else None)


class Minimum(Function):
    """y = min(a, b);  da = g * [a < b] + g/2 * [a == b],  db = g * [b < a] + g/2 * [a == b]

    why: gradient semantics: ties split the gradient 50/50 as in PyTorch
    """

    def forward(self, a, b):
        return _xp(a).minimum(a, b)

    def backward(self, g):
        a, b = self.parents
        w = (a < b) + (a == b) * 0.5
        need_a, need_b = self.needs_input_grad
        return (g * w if need_a else None), (g * (1.0 - w) if need_b else None)


class Where(Function):
    """y = cond ? a : b (cond is a bool tensor without grad);
    dcond = none (a mask),  da = g * cond,  db = g * !cond

    why: selection: the gradient of each branch is masked, not multiplied through
    """

    def forward(self, cond, a, b):
        return _xp(a).where(cond, a, b)

    def backward(self, g):
        cond = self.parents[0]
        _, need_a, need_b = self.needs_input_grad
        ga = g.where(cond, 0.0) if need_a else None
        gb = g.where(cond.logical_not(), 0.0) if need_b else None
        return None, ga, gb
