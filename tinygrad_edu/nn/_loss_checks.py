"""The checks and reductions every loss shares: argument validation with PyTorch's messages,
broadcasting rules between input and target, class weights and targets, and `reduction`."""

from __future__ import annotations

import warnings
from typing import Any, Optional

from .. import backend
from ..composite.elementwise import where
from ..ops import nograd as _nograd
from ..tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _amp_fp32(*tensors: Any) -> tuple:
    """Under autocast, losses compute in float32 (float16/bfloat16 inputs are cast up), as in
    PyTorch's autocast op lists."""
    return backend.autocast_cast(tensors, "fp32")


def _no_autocast_on_cuda(name: str, input: Any) -> None:
    if getattr(input, "device", None) == "cuda" and backend.autocast_dtype("cuda") is not None:
        raise RuntimeError(
            f"{name} and BCELoss are unsafe to autocast (as in PyTorch): use "
            "binary_cross_entropy_with_logits / BCEWithLogitsLoss, which is safe, or leave the "
            "autocast region for this op"
        )


def _check_reduction(name: str, reduction: str, allowed: tuple = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{name}: reduction must be one of {allowed}, got {reduction!r}")


def _as_tensor(x: Any, like: Optional[Tensor] = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(x, device=like.device if like is not None else None)


def _mean(loss: Tensor) -> Tensor:
    """The mean of all elements; NaN for an empty tensor (as PyTorch)."""
    return loss.mean() if loss.numel() else loss.sum() * float("nan")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return _mean(loss)
    return loss.sum() if reduction == "sum" else loss


def _broadcastable(a: tuple, b: tuple) -> bool:
    return all(x == y or x == 1 or y == 1 for x, y in zip(reversed(a), reversed(b)))


def _broadcasts_to(src: tuple, dst: tuple) -> bool:
    """True when a tensor of shape src can be expanded to dst (without growing dst)."""
    return len(src) <= len(dst) and all(s in (1, d) for s, d in zip(reversed(src), reversed(dst)))


def _pair(name: str, input: Any, target: Any) -> tuple:
    """Tensors for a pointwise loss; a shape mismatch warns (as PyTorch) or raises."""
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    if input.shape != target.shape:
        if not _broadcastable(input.shape, target.shape):
            raise RuntimeError(
                f"{name}: target of shape {target.shape} does not broadcast with "
                f"input of shape {input.shape}"
            )
        warnings.warn(
            f"{name}: using a target of shape {target.shape} that is different to the input "
            f"shape {input.shape}; broadcasting will likely give wrong results. Please ensure "
            "they have the same shape.",
            stacklevel=3,
        )
    return input, target


def _same_shape(name: str, input: Any, target: Any) -> tuple:
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: expected target of the input's shape {input.shape}, got {target.shape}"
        )
    return input, target


def _elementwise_weight(name: str, what: str, weight: Any, input: Tensor) -> Optional[Tensor]:
    if weight is None:
        return None
    weight = _as_tensor(weight, input)
    if not _broadcasts_to(weight.shape, input.shape):
        raise RuntimeError(
            f"{name}: {what} of shape {weight.shape} does not broadcast to the "
            f"input shape {input.shape}"
        )
    return weight


def _class_weight(name: str, weight: Any, n_classes: int, input: Tensor) -> Optional[Tensor]:
    if weight is None:
        return None
    weight = _as_tensor(weight, input)
    if weight.shape != (n_classes,):
        raise RuntimeError(
            f"{name}: expected weight of shape ({n_classes},), one per class, got {weight.shape}"
        )
    if weight.dtype.kind != "f":
        raise TypeError(f"{name}: weight must be a floating point tensor, got {weight.dtype}")
    return weight if weight.dtype == input.dtype else weight.to(input.dtype)


def _class_dim(name: str, input: Tensor) -> int:
    """1 for (N, C, d1, ...) input, 0 for unbatched (C,) input."""
    if input.ndim == 0:
        raise ValueError(
            f"{name}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
        )
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got dtype {input.dtype}")
    return 0 if input.ndim == 1 else 1


def _check_class_target(
    name: str,
    input: Tensor,
    target: Tensor,
    class_dim: int,
    ignore_index: Optional[int],
    error: type = IndexError,
) -> None:
    """target holds class indices: integer, the input's shape without the class dim, in range."""
    n = input.shape[class_dim]
    expected = input.shape[:class_dim] + input.shape[class_dim + 1 :]
    if target.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: expected a target of integer class indices (int64) for "
            f"input of shape {input.shape}, got dtype {target.dtype}"
        )
    if target.shape != expected:
        raise ValueError(
            f"{name}: expected target of shape {expected}, got {target.shape} "
            f"(input of shape {input.shape} with {n} classes)"
        )
    if target.numel():
        lo, hi = _nograd.min_max(target.data)
        if lo >= 0 and hi < n:
            return  # every index is a valid class: nothing more to check
    flat = target.reshape(-1)
    ok = (flat >= 0).logical_and(flat < n)
    if ignore_index is not None:
        ok = ok.logical_or(flat == ignore_index)
    if flat.numel() and not ok.all():
        bad = flat[ok.logical_not()][0].item()
        allowed = f"0 <= target < {n}" + (
            "" if ignore_index is None else f" or target == ignore_index ({ignore_index})"
        )
        raise error(
            f"{name}: target index {bad} is out of range for {n} classes (expected {allowed})"
        )


def _pick(
    logp: Tensor, target: Tensor, class_dim: int, weight: Optional[Tensor], ignore_index: int
) -> tuple:
    """l_i = -w[t_i] * logp[i, t_i] and w_i = w[t_i], both 0 where t_i == ignore_index."""
    keep = target != ignore_index
    safe = where(keep, target, 0)  # any valid class; the ignored entries are masked below
    picked = logp.gather(class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim)
    if weight is None:
        return where(keep, -picked, 0.0), keep.to(logp.dtype), keep
    w = where(keep, weight.gather(0, safe.reshape(-1)).reshape(safe.shape), 0.0)
    return where(keep, -picked * w, 0.0), w, keep


def _class_shape(input: Tensor, class_dim: int) -> tuple:
    """Shape that broadcasts a (C,) vector along the class dim: (1, C, 1, ...)."""
    return tuple(s if d == class_dim else 1 for d, s in enumerate(input.shape))
