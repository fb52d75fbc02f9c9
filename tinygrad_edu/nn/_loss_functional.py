"""Loss functions: the math behind nn.MSELoss, nn.CrossEntropyLoss, ... (checks in _loss_checks.py).

Every loss is composed from public Tensor ops (log_softmax, gather, where, softplus, ...), so its
gradient comes from the backward rules of those ops. A loss first builds the per-element loss
l_i, then applies `reduction`: 'none' -> l, 'sum' -> sum(l), 'mean' -> the mean of l (or, for the
class-weighted losses, sum(l) / sum(w[target_i]) as PyTorch does).
"""

from __future__ import annotations

from typing import Optional

from ..composite.elementwise import where
from ..factories import arange
from ..ops import fused as _fused
from ..tensor import Tensor
from ._loss_checks import (
    _REDUCTIONS,
    _amp_fp32,
    _as_tensor,
    _broadcastable,
    _check_class_target,
    _check_reduction,
    _class_dim,
    _class_shape,
    _class_weight,
    _elementwise_weight,
    _no_autocast_on_cuda,
    _pair,
    _pick,
    _reduce,
    _same_shape,
)


# ----------------------------------------------------------------------------- regression
def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """l = (x - y)^2"""
    input, target = _amp_fp32(input, target)
    _check_reduction("mse_loss", reduction)
    input, target = _pair("mse_loss", input, target)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """l = |x - y| (gradient 0 where x == y)"""
    input, target = _amp_fp32(input, target)
    _check_reduction("l1_loss", reduction)
    input, target = _pair("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), with d = x - y"""
    input, target = _amp_fp32(input, target)
    _check_reduction("huber_loss", reduction)
    if not delta > 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _pair("huber_loss", input, target)
    d = input - target
    a = d.abs()
    return _reduce(where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta), reduction)


def smooth_l1_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta (plain L1 for beta = 0)"""
    input, target = _amp_fp32(input, target)
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    input, target = _pair("smooth_l1_loss", input, target)
    d = input - target
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction)
    return _reduce(where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


# ----------------------------------------------------------------------------- classification
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """l_i = -w[t_i] * input[i, t_i] for log-probabilities input (N, C, ...) or (C,);
    'mean' divides by sum_i w[t_i] over the targets that are not ignore_index."""
    input, target, weight = _amp_fp32(input, target, weight)
    name = "nll_loss"
    _check_reduction(name, reduction)
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    class_dim = _class_dim(name, input)
    _check_class_target(name, input, target, class_dim, ignore_index)
    weight = _class_weight(name, weight, input.shape[class_dim], input)
    loss, w, _ = _pick(input, target, class_dim, weight, ignore_index)
    return loss.sum() / w.sum() if reduction == "mean" else _reduce(loss, reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross entropy of logits (N, C, d1, ...) or (C,).

    Class indices t:  l_i = -w[t_i] log_softmax(x_i)[t_i]; with smoothing e the loss is
    (1 - e) * nll + e/C * s where s_i = -sum_c w[c] log_softmax(x_i)[c] (both reduced alike, the
    mean dividing by sum_i w[t_i] over non-ignored targets).
    Probabilities p (float, the input's shape): l_i = -sum_c w[c] q_ic log_softmax(x_i)[c] with
    q = (1 - e) p + e / C; 'mean' divides by the number of samples N * d1 * ...
    """
    input, target, weight = _amp_fp32(input, target, weight)
    name = "cross_entropy"
    _check_reduction(name, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    class_dim = _class_dim(name, input)
    n = input.shape[class_dim]
    weight = _class_weight(name, weight, n, input)
    if target.dtype.kind == "f":
        return _cross_entropy_probs(
            input, target, weight, ignore_index, reduction, label_smoothing, class_dim
        )
    _check_class_target(name, input, target, class_dim, ignore_index)
    if weight is None and label_smoothing == 0.0:
        return _fused_cross_entropy(input, target, class_dim, ignore_index, reduction)
    logp = input.log_softmax(class_dim)
    loss, w, keep = _pick(logp, target, class_dim, weight, ignore_index)
    nll = loss.sum() / w.sum() if reduction == "mean" else _reduce(loss, reduction)
    if label_smoothing == 0.0:
        return nll
    scaled = logp if weight is None else logp * weight.reshape(_class_shape(input, class_dim))
    smooth = where(keep, -scaled.sum(class_dim), 0.0)
    smooth = smooth.sum() / w.sum() if reduction == "mean" else _reduce(smooth, reduction)
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / n)


def _fused_cross_entropy(input, target, class_dim, ignore_index, reduction) -> Tensor:
    """Class-index cross entropy through the fused op: logits (N, C, d1, ...) are seen as rows
    (N * d1 * ..., C), one row per target."""
    x = input if input.dtype.kind == "f" else input.float()
    n = x.shape[class_dim]
    if x.ndim != 2:
        order = [d for d in range(x.ndim) if d != class_dim] + [class_dim]
        x = x.permute(*order).reshape(-1, n)
    loss = _fused.CrossEntropy.apply(
        x, target.reshape(-1), ignore_index=ignore_index, reduction=reduction
    )
    return loss.reshape(target.shape) if reduction == "none" else loss


def _cross_entropy_probs(
    input, target, weight, ignore_index, reduction, label_smoothing, class_dim
) -> Tensor:
    name = "cross_entropy"
    if target.shape != input.shape:
        raise RuntimeError(
            f"{name}: a float target holds class probabilities and must have "
            f"the input's shape {input.shape}, got {target.shape} {target.dtype} "
            "(use an int64 target for class indices)"
        )
    if ignore_index >= 0:
        raise ValueError(
            f"{name}: ignore_index ({ignore_index}) is not supported for class probability targets"
        )
    n = input.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / n
    prod = input.log_softmax(class_dim) * target
    if weight is not None:
        prod = prod * weight.reshape(_class_shape(input, class_dim))
    return _reduce(-prod.sum(class_dim), reduction)


def _clamp_log(log: Tensor, defined: Tensor) -> Tensor:
    """A log clamped below at -100 (as PyTorch's BCE), -100 where its argument is 0. The
    gradient there is the clamped function's, 0 (PyTorch's fused backward gives
    (x - y) / max(x (1 - x), 1e-12) instead)."""
    return where(defined, log.clamp(min=-100.0), -100.0)


def _check_probabilities(name: str, what: str, x: Tensor, hint: str) -> None:
    """Every value in [0, 1] (NaN fails too), as PyTorch checks BCE's input and target."""
    if x.numel():
        lo, hi = x.detach().amin().item(), x.detach().amax().item()
        if not (0.0 <= lo and hi <= 1.0):
            raise RuntimeError(
                f"{name}: all elements of {what} should be between 0 and 1, got "
                f"values in [{lo:g}, {hi:g}]{hint}"
            )


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Optional[Tensor] = None, reduction: str = "mean"
) -> Tensor:
    """l = -w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], each log >= -100"""
    _no_autocast_on_cuda("binary_cross_entropy", input)
    input, target, weight = _amp_fp32(input, target, weight)
    name = "binary_cross_entropy"
    _check_reduction(name, reduction)
    input, target = _same_shape(name, input, target)
    weight = _elementwise_weight(name, "weight", weight, input)
    _check_probabilities(
        name, "input", input, "; apply sigmoid first or use binary_cross_entropy_with_logits"
    )
    _check_probabilities(name, "target", target, "")
    above, below = input > 0, input < 1  # the logs get a safe argument elsewhere
    log_x = _clamp_log(where(above, input, 1.0).log(), above)
    log_1mx = _clamp_log((-where(below, input, 0.0)).log1p(), below)  # log(1 - x), exact near 0
    loss = (target - 1.0) * log_1mx - target * log_x
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = None,
    reduction: str = "mean",
    pos_weight: Optional[Tensor] = None,
) -> Tensor:
    """l = -w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) with p = pos_weight, computed
    as (1 - y) x + (1 + (p - 1) y) softplus(-x), which is finite for any logit x."""
    input, target, weight, pos_weight = _amp_fp32(input, target, weight, pos_weight)
    name = "binary_cross_entropy_with_logits"
    _check_reduction(name, reduction)
    input, target = _same_shape(name, input, target)
    weight = _elementwise_weight(name, "weight", weight, input)
    pos_weight = _elementwise_weight(name, "pos_weight", pos_weight, input)
    softplus_neg = (-input).softplus()  # -log sigmoid(x) = log(1 + e^-x)
    if pos_weight is not None:
        softplus_neg = softplus_neg * ((pos_weight - 1.0) * target + 1.0)
    loss = (1.0 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Optional[Tensor] = None,
    reduction: str = "mean",
) -> Tensor:
    """Multiclass SVM hinge: l_i = sum_{j != t_i} w[t_i] max(0, margin - x_i[t_i] + x_i[j])^p / C
    for input (N, C) or (C,) and p in {1, 2}."""
    input, target, weight = _amp_fp32(input, target, weight)
    name = "multi_margin_loss"
    _check_reduction(name, reduction)
    if p not in (1, 2):
        raise ValueError(f"{name}: only p == 1 and p == 2 are supported, got p={p}")
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    if input.ndim > 2:
        raise ValueError(f"{name}: expected input of shape (N, C) or (C,), got {input.shape}")
    class_dim = _class_dim(name, input)
    if input.ndim == 1 and target.shape == (1,):  # PyTorch also accepts a 1-element target
        return multi_margin_loss(input.unsqueeze(0), target, p, margin, weight, reduction)
    _check_class_target(name, input, target, class_dim, None, RuntimeError)  # as PyTorch
    n = input.shape[class_dim]
    weight = _class_weight(name, weight, n, input)
    index = target.unsqueeze(class_dim)
    h = (input - input.gather(class_dim, index) + margin).relu()  # relu'(0) = 0: strict hinge
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight.gather(0, target.reshape(-1)).reshape(index.shape)
    is_target = arange(n, device=input.device) == index  # j == t_i is left out of the sum
    loss = where(is_target, 0.0, h).sum(class_dim) * (1.0 / n)
    return _reduce(loss, reduction)


def kl_div(
    input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False
) -> Tensor:
    """KL(target || model) pointwise, with input = log q:  l = y (log y - log q)  (0 where y = 0),
    or exp(y) (y - log q) when log_target. 'batchmean' = sum(l) / N, the true KL per sample;
    'mean' averages over all elements (PyTorch's default, which is not the KL divergence)."""
    input, target = _amp_fp32(input, target)
    name = "kl_div"
    _check_reduction(name, reduction, _REDUCTIONS + ("batchmean",))
    input = _as_tensor(input)
    target = _as_tensor(target, input)
    if not _broadcastable(input.shape, target.shape):
        raise RuntimeError(
            f"{name}: target of shape {target.shape} does not broadcast with "
            f"input of shape {input.shape}"
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target == 0
        y_log_y = where(zero, 0.0, target * where(zero, 1.0, target).log())  # xlogy(y, y)
        loss = y_log_y - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


__all__ = [
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "multi_margin_loss",
    "kl_div",
]
