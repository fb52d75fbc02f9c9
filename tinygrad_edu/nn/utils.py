"""nn.utils: gradient clipping, flattening parameters into one vector, and the L1/L2 weight
penalties (add lambda * l2_penalty(model) to the loss)."""

from __future__ import annotations

from typing import Any, Iterable, Union

from ..autograd.grad_mode import no_grad
from ..composite.join import cat, stack
from ..factories import tensor as _tensor
from ..tensor import Tensor


def _as_list(parameters, op: str = "parameters") -> list:
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(
            f"{op}: expected a Tensor or an iterable of Tensors, got {type(parameters).__name__}"
        ) from None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return params


def _number(value, op: str, what: str) -> float:
    """float(value) with the op named (PyTorch: ValueError for strings)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{op}: {what} must be a number, got {value!r}") from None


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Rescale the gradients so that their joint norm is at most max_norm.

    total = ||(||g_1||, ..., ||g_k||)||_p (the norm of all gradients as one vector); when
    max_norm / (total + 1e-6) < 1 every gradient is multiplied by it in place. Returns total as a
    0-d Tensor."""
    grads = [p.grad for p in _as_list(parameters, "clip_grad_norm_") if p.grad is not None]
    norm_type = _number(norm_type, "clip_grad_norm_", "norm_type")
    max_norm = _number(max_norm, "clip_grad_norm_", "max_norm")
    if not grads:
        return _tensor(0.0)
    with no_grad():
        norms = [g.detach().norm(norm_type) for g in grads]
        devices = {n.device for n in norms}
        if len(devices) > 1:
            norms = [n.to("cpu") for n in norms]
        if norm_type == float("inf"):
            total = stack(norms).amax()
        else:
            total = stack(norms).norm(norm_type)
    value = float(total.item())
    if error_if_nonfinite and (value != value or value in (float("inf"), float("-inf"))):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} ({value}) for "
            "gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this "
            "error, set `error_if_nonfinite=False`"
        )
    coef = float(max_norm) / (value + 1e-6)
    if coef < 1.0:
        with no_grad():
            for g in grads:
                g *= coef
    return total


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    clip_value = _number(clip_value, "clip_grad_value_", "clip_value")
    with no_grad():
        for p in _as_list(parameters, "clip_grad_value_"):
            if p.grad is not None:
                p.grad.copy_(p.grad.clamp(-clip_value, clip_value))


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (differentiable)."""
    params = _as_list(parameters)
    if not params:
        raise RuntimeError("parameters_to_vector: no parameters given")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of a 1-D vector into the parameters (their values change)."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(
            f"vector_to_parameters: expected a 1-D Tensor, got "
            f"{getattr(vec, 'shape', type(vec).__name__)}"
        )
    params = _as_list(parameters)
    total = sum(p.numel() for p in params)
    if total != vec.numel():
        raise RuntimeError(
            f"vector_to_parameters: the vector has {vec.numel()} elements but the "
            f"parameters have {total}"
        )
    start = 0
    with no_grad():
        for p in params:
            n = p.numel()
            p.copy_(vec[start : start + n].reshape(p.shape))
            start += n


# ----------------------------------------------------------------------------- regularisation
def _penalty_params(module_or_params: Any, weights_only: bool) -> list:
    """The tensors a penalty sums over: a Module's parameters named '*weight' (all of them when
    weights_only=False), a Tensor, or an iterable of Tensors or (name, Tensor) pairs."""
    if isinstance(module_or_params, Tensor):
        return [module_or_params]
    if hasattr(module_or_params, "named_parameters"):
        module_or_params = module_or_params.named_parameters()
    out = []
    for item in module_or_params:
        if isinstance(item, Tensor):
            out.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor):
            if not weights_only or item[0].endswith("weight"):
                out.append(item[1])
        else:
            raise TypeError(
                f"penalty: expected a Module, Tensors or (name, Tensor) pairs, got "
                f"{type(item).__name__}"
            )
    return out


def _penalty(module_or_params: Any, weights_only: bool, square: bool) -> Tensor:
    total = None
    for w in _penalty_params(module_or_params, weights_only):
        term = (w * w).sum() if square else w.abs().sum()
        total = term if total is None else total + term
    return total if total is not None else Tensor(0.0)


def l1_penalty(module_or_params: Union[Any, Iterable], weights_only: bool = True) -> Tensor:
    """sum_w sum |w| over the weights (Lasso): add lambda * l1_penalty(model) to the loss."""
    return _penalty(module_or_params, weights_only, square=False)


def l2_penalty(module_or_params: Union[Any, Iterable], weights_only: bool = True) -> Tensor:
    """sum_w sum w^2 over the weights (ridge / weight decay: its gradient is 2 w)."""
    return _penalty(module_or_params, weights_only, square=True)


__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "vector_to_parameters",
    "l1_penalty",
    "l2_penalty",
]
