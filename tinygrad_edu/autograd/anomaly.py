"""Anomaly mode checks: which op produced the first NaN (or Inf), and where it was created."""

from __future__ import annotations

import os
import traceback

from .. import backend
from .grad_mode import state

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_stack(limit: int = 6) -> str:
    """The innermost frames outside tinygrad_edu: where the user called the op."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PACKAGE)]
    return "".join(traceback.format_list(frames[-limit:]))


def _bad(array) -> str | None:
    if state.check_nan and backend.has_nan(array):
        return "nan"
    if state.check_inf and backend.has_inf(array):
        return "inf"
    return None


def _where(ctx) -> str:
    trace = getattr(ctx, "trace", None)
    return f"\nThe forward op was created at (most recent call last):\n{trace}" if trace else ""


def check_forward(ctx, inputs, out) -> None:
    """Raise if `out` holds NaN/Inf although every input was free of them."""
    if state.in_backward:
        return  # ops run by a backward are checked as that node's gradients
    kind = _bad(out)
    if kind is None:
        return
    if any(_bad(t.data) == kind for t in inputs):
        return  # propagated, not produced here
    shapes = ", ".join(str(tuple(t.shape)) for t in inputs)
    raise RuntimeError(
        f"detect_anomaly: Function '{ctx.name}' produced {kind} in its forward output "
        f"(inputs of shapes {shapes} had none).{_where(ctx)}"
    )


def check_backward(ctx, grads) -> None:
    """Raise if a gradient returned by `ctx.backward` holds NaN/Inf."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        kind = _bad(g.data)
        if kind is not None:
            raise RuntimeError(
                f"detect_anomaly: Function '{ctx.name}Backward' returned {kind} values in its "
                f"gradient for input {i} (shape {tuple(g.shape)}).{_where(ctx)}"
            )
