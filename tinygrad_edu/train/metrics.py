"""Per-batch accuracy and the running sums of an epoch (kept as Tensors: no `.item()` per step)."""

from __future__ import annotations

from typing import Any, Callable

from .. import backend
from ..tensor import Tensor

__all__ = ["accuracy", "accuracy_fn_for", "Sums"]


def accuracy(out: Tensor, y: Tensor, threshold: float | None = None) -> Tensor | None:
    """The number of correct predictions in a batch, as a 0-d Tensor (None if undefined).

    Integer targets y (N, ...) with logits out (N, C, ...): argmax over dim 1. Float 0/1
    targets of out's shape: out > threshold (0 for logits, 0.5 for probabilities).
    """
    if backend.is_floating(y.dtype):
        if threshold is None or y.shape != out.shape:
            return None
        return ((out > threshold) == (y > 0.5)).sum()
    if out.ndim == y.ndim + 1:
        return (out.argmax(1) == y).sum()
    return None


def accuracy_fn_for(accuracy_fn: Any, loss_fn: Any) -> Callable | None:
    """The per-batch 'number correct' function that fit/evaluate use."""
    if accuracy_fn != "auto":
        if accuracy_fn is not None and not callable(accuracy_fn):
            raise TypeError(f"accuracy_fn must be 'auto', None or a callable, got {accuracy_fn!r}")
        return accuracy_fn
    name = type(loss_fn).__name__ if loss_fn is not None else ""
    threshold = {"BCEWithLogitsLoss": 0.0, "BCELoss": 0.5}.get(name)
    return lambda out, y: accuracy(out, y, threshold)


class Sums:
    """Running sums of an epoch as Tensors (loss * n, correct, gradient norms) and counts."""

    def __init__(self, state: dict | None = None) -> None:
        s = state or {}
        self.loss, self.correct, self.gnorm, self.gmax = (
            s.get(k) for k in ("loss", "correct", "gnorm", "gmax")
        )
        self.n, self.n_correct, self.steps = s.get("n", 0), s.get("n_correct", 0), s.get("steps", 0)

    def add(self, loss: Tensor | None, n: int, correct: Any, norm: Tensor | None) -> None:
        if loss is not None:
            term = loss.detach().double() * n
            self.loss = term if self.loss is None else self.loss + term
        self.n += n
        self.steps += 1
        if correct is not None:
            self.correct = correct if self.correct is None else self.correct + correct
            self.n_correct += n
        if norm is not None:
            norm = norm.detach().double()
            self.gnorm = norm if self.gnorm is None else self.gnorm + norm
            self.gmax = norm if self.gmax is None else self.gmax.maximum(norm)

    def state(self) -> dict:
        keys = ("loss", "correct", "gnorm", "gmax", "n", "n_correct", "steps")
        return {k: getattr(self, k) for k in keys}

    def means(self) -> dict:
        """{loss, acc, grad_norm, grad_norm_max} as floats (None where nothing was summed)."""
        return {
            "loss": self.loss.item() / self.n if self.loss is not None and self.n else None,
            "acc": (
                float(getattr(self.correct, "item", lambda: self.correct)()) / self.n_correct
                if self.n_correct
                else None
            ),
            "grad_norm": self.gnorm.item() / self.steps if self.gnorm is not None else None,
            "grad_norm_max": self.gmax.item() if self.gmax is not None else None,
        }
