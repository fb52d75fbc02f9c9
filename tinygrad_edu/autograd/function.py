"""The Function base class: one op = one subclass, its instance is the graph node (`t.grad_fn`).

A subclass writes
  * `forward(self, *arrays, **options) -> array` on raw backend arrays (NumPy or CuPy), keeping what
    backward needs as attributes of `self`, and
  * `backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]`, one gradient per input,
    written with Tensor ops so that the engine can record it when `create_graph=True`.

Inside backward, `self.parents` are the input Tensors and `self.output` the result Tensor (for ops
that set `save_output = True`), so gradients of gradients come for free.
"""

from __future__ import annotations

import weakref
from operator import attrgetter

_weakref = weakref.ref
_data, _requires_grad = attrgetter("data"), attrgetter("requires_grad")
_shape, _dtype, _grad_fn = (attrgetter("data.shape"), attrgetter("data.dtype"),
                            attrgetter("grad_fn"))  # fmt: skip

from .grad_mode import state

_new = object.__new__
_make_tensor = None  # set by tensor.py: (array, requires_grad, grad_fn) -> Tensor


class Function:
    __slots__ = ("parents", "needs_input_grad", "stamp", "_out", "trace", "released_parents",
                 "__dict__", "__weakref__")  # fmt: skip

    released = False  # set on the instance by release()
    save_output = False  # True when backward reads the output (exp, sigmoid, tanh, ...)
    uses_inputs = True  # False when backward never reads its inputs (add, reshape, ...)

    def forward(self, *arrays, **options):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run forward on the inputs' arrays; record a graph node if any input requires grad."""
        ctx = _new(cls)
        out = ctx.forward(*map(_data, inputs), **options)
        if state.recorder is not None:  # tg.compile is tracing
            out = state.recorder.op(ctx, inputs, options, out)
        if state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    ctx.parents = inputs
                    ctx.needs_input_grad = tuple(map(_requires_grad, inputs))
                    ctx.stamp = state.inplace_ops  # in-place ops after this are caught later
                    result = _make_tensor(out, True, ctx)
                    if cls.save_output:
                        ctx._out = _weakref(result)
                    if state.anomaly:
                        _check_forward(ctx, inputs, out)
                    return result
        if state.anomaly:
            _check_forward(ctx, inputs, out)
        return _make_tensor(out, False, None)

    def check_inputs_unmodified(self) -> None:
        """Raise if an input was modified in place after this node was recorded."""
        for i, p in enumerate(self.parents):
            if p._version > self.stamp:
                raise RuntimeError(
                    f"one of the tensors needed for gradient computation has been modified by "
                    f"an in-place operation: input {i} of {self.name} (shape {tuple(p.shape)}) "
                    "changed after it was used. Use an out-of-place op (x = x + y) instead, or "
                    "call .clone() before modifying it."
                )

    @staticmethod
    def const(array):
        """A Tensor without grad around a backend array (masks and constants in a backward)."""
        if state.recorder is not None:  # tg.compile checks the array came from a recorded op
            state.recorder.const(array)
        return _make_tensor(array, False, None)

    @property
    def output(self):
        """The Tensor this node produced (alive while backward runs)."""
        return self._out()

    @property
    def name(self) -> str:
        return type(self).__name__

    def label(self) -> str:
        """A short description for pictures and reprs, e.g. 'Sum(dim=(1,))'."""
        try:
            extra = self.extra_repr()
        except (AttributeError, KeyError):  # details freed by release()
            extra = ""
        return f"{self.name}({extra})" if extra else self.name

    def extra_repr(self) -> str:
        return ""

    def next_inputs(self):
        """(tensor or None, shape, dtype, grad_fn) per input; works after the graph is released."""
        if not self.released:
            return [(p, p.shape, p.dtype, p.grad_fn) for p in self.parents]
        return [(ref(), shape, dtype, fn) for ref, shape, dtype, fn in self.released_parents]

    def release(self) -> None:
        """Drop the inputs (and so the arrays backward needed); keep the graph's structure, with
        weak references to the input tensors, so that it can still be drawn."""
        ps = self.parents
        self.released = True
        self.released_parents = tuple(zip(map(_weakref, ps), map(_shape, ps), map(_dtype, ps),
                                          map(_grad_fn, ps)))  # fmt: skip
        self.parents = None

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"


def _check_forward(ctx, inputs, out) -> None:
    from . import anomaly

    ctx.trace = anomaly.user_stack()
    anomaly.check_forward(ctx, inputs, out)
