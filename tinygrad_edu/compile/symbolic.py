"""Python numbers that remember how they were computed (optimizer hyperparameters, step counts).

While `tg.compile` traces a step, the optimizer sees its `lr`, `betas`, `weight_decay`, ... and
its step counters as `SymFloat`/`SymInt`: real floats and ints (every computation gives exactly
the value it would give eagerly) that also record each arithmetic operation. The replay re-runs
that arithmetic on the values it reads from `param_groups` and `optimizer.state` at every call,
so a scheduler's new learning rate takes effect without tracing again.

A Python decision on such a number (`if weight_decay != 0:`) becomes a *guard*: the replay checks
it first and traces again when it no longer holds. A conversion that leaves Python's arithmetic
(`float(x)`, `math.sqrt(x)`) guards on the exact value.
"""

from __future__ import annotations

import operator

_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def raw(x):
    """The plain Python value of x (a Sym's value, anything else unchanged)."""
    if isinstance(x, SymFloat):
        return float.__float__(x)
    if isinstance(x, SymInt):
        return int.__int__(x)
    return x


def is_sym(x) -> bool:
    return isinstance(x, (SymFloat, SymInt))


def _make(recorder, value, expr):
    """A Sym for a result: float -> SymFloat, int -> SymInt (bool stays a plain bool)."""
    t = type(value)
    if t is float:
        s = SymFloat(value)
    elif t is int:
        s = SymInt(value)
    else:
        return value
    s.recorder, s.expr = recorder, expr
    return s


def leaf(recorder, value, source):
    """A Sym read from `source` (a description the recorder turns into code)."""
    return _make(recorder, raw(value), ("read", source))


def _binary(op):
    fn = _BINARY[op]

    def forward(self, other):
        if not isinstance(other, (int, float)):
            return NotImplemented
        return _make(self.recorder, fn(raw(self), raw(other)), ("bin", op, self, other))

    def reflected(self, other):
        if not isinstance(other, (int, float)):
            return NotImplemented
        return _make(self.recorder, fn(raw(other), raw(self)), ("bin", op, other, self))

    return forward, reflected


def _compare(op):
    fn = _COMPARE[op]

    def compare(self, other):
        if not isinstance(other, (int, float)):
            return NotImplemented
        result = fn(raw(self), raw(other))
        self.recorder.guard(("bin", op, self, other), result)
        return result

    return compare


class _SymMixin:
    """Arithmetic that records itself; decisions and conversions that record guards."""

    __slots__ = ()

    __add__, __radd__ = _binary("+")
    __sub__, __rsub__ = _binary("-")
    __mul__, __rmul__ = _binary("*")
    __truediv__, __rtruediv__ = _binary("/")
    __floordiv__, __rfloordiv__ = _binary("//")
    __mod__, __rmod__ = _binary("%")
    __pow__, __rpow__ = _binary("**")
    __eq__ = _compare("==")
    __ne__ = _compare("!=")
    __lt__ = _compare("<")
    __le__ = _compare("<=")
    __gt__ = _compare(">")
    __ge__ = _compare(">=")

    def __neg__(self):
        return _make(self.recorder, -raw(self), ("neg", self))

    def __pos__(self):
        return self

    def __abs__(self):
        return _make(self.recorder, abs(raw(self)), ("abs", self))

    def __bool__(self) -> bool:
        result = bool(raw(self))
        self.recorder.guard(("bool", self), result)
        return result

    def _pinned(self):
        """The value leaves Python arithmetic (float(), math.sqrt, ...): guard on it exactly."""
        value = raw(self)
        self.recorder.guard(("bin", "==", self, value), True)
        return value

    def __float__(self) -> float:
        return float(self._pinned())

    def __int__(self) -> int:
        return int(self._pinned())

    def __index__(self) -> int:
        return int(self._pinned())

    def __round__(self, ndigits=None):
        return round(self._pinned(), ndigits)

    def __trunc__(self) -> int:
        return int(self._pinned())

    def __hash__(self) -> int:
        return hash(raw(self))

    def __repr__(self) -> str:
        return repr(raw(self))

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(raw(self), spec)

    def __reduce__(self):  # pickling (deepcopy, tg.save) stores the plain value
        return (type(raw(self)), (raw(self),))


class SymFloat(_SymMixin, float):
    """A float that records its arithmetic (attributes: recorder, expr)."""


class SymInt(_SymMixin, int):
    """An int that records its arithmetic (attributes: recorder, expr)."""
