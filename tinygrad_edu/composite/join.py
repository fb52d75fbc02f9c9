"""tg.cat and tg.stack: join a list of tensors along an existing or a new dim."""

from __future__ import annotations

from ..ops import movement
from . import frontend
from .frontend import into

__all__ = ["cat", "stack"]


def _tensor_list(tensors, op: str) -> list:
    """A non-empty list of Tensors, or PyTorch's TypeError/RuntimeError naming the culprit."""
    if not isinstance(tensors, (list, tuple)) and hasattr(tensors, "__next__"):
        tensors = list(tensors)  # a generator
    if hasattr(tensors, "grad_fn") or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not hasattr(t, "grad_fn"):
            raise TypeError(
                f"{op}: expected a sequence of tensors, but element {i} is of type "
                f"{type(t).__name__} ({t!r})"
            )
    if not tensors:  # PyTorch: ValueError for cat, RuntimeError for stack
        error = ValueError if op == "cat" else RuntimeError
        raise error(f"{op}: expected a non-empty list of tensors, got an empty one")
    return list(tensors)


def cat(tensors, dim: int = 0, *, out=None):
    """Join tensors along an existing dim (all other dims must match)."""
    tensors = _tensor_list(tensors, "cat")
    first = tensors[0]
    d = first._dim(dim, "cat")
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != d
        ):
            raise RuntimeError(
                f"cat: tensor {i} has shape {t.shape}, which does not match "
                f"{first.shape} outside dim {d}"
            )
    tensors = frontend.operands("cat", *tensors)
    return into(out, tensors[0] if len(tensors) == 1 else movement.Cat.apply(*tensors, dim=d))


def stack(tensors, dim: int = 0, *, out=None):
    """Join tensors of equal shape along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack: tensor {i} has shape {t.shape} but tensor 0 has "
                f"{tensors[0].shape}; all must be equal"
            )
    d = tensors[0]._dim(dim, "stack", extra=1)
    return into(out, cat([t.unsqueeze(d) for t in tensors], d))
