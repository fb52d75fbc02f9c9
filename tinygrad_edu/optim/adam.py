"""Adam and AdamW (as torch.optim.Adam / torch.optim.AdamW).

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                   if maximize
    p <- p * (1 - lr * weight_decay)           AdamW (decoupled weight decay), or
    g <- g + weight_decay * p                  Adam (L2 penalty)
    m <- m + (1 - beta1) * (g - m)             (state 'exp_avg': a lerp towards g)
    v <- v + (1 - beta2) * (g^2 - v)           (state 'exp_avg_sq')
    v_max <- max(v_max, v); v <- v_max         if amsgrad (state 'max_exp_avg_sq')
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
"""

from __future__ import annotations

from typing import Any

from ..factories import zeros_like
from .optimizer import Optimizer, ParamsT


def check_betas(opt: Optimizer, betas: Any) -> None:
    """Raise ValueError unless betas is a pair of coefficients in [0, 1) (Adam's family)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{opt._name}: betas must be a pair (beta1, beta2), got {betas!r}")
    opt._check(0 <= betas[0] < 1, "beta parameter at index 0:", betas[0])
    opt._check(0 <= betas[1] < 1, "beta parameter at index 1:", betas[1])


def check_adam_group(opt: Optimizer, group: dict[str, Any]) -> None:
    """The checks Adam's family (Adam, AdamW, Adamax, NAdam, RAdam) makes of a param group."""
    opt._check(group["lr"] >= 0, "learning rate", group["lr"])
    opt._check(group["eps"] >= 0, "epsilon value", group["eps"])
    check_betas(opt, group["betas"])
    opt._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"])


def adam_gradient(p, g, group: dict[str, Any]):
    """g as Adam's family uses it: negated to maximize, plus weight decay (or, with
    decoupled_weight_decay, p shrunk in place by lr * weight_decay instead)."""
    if group["maximize"]:
        g = -g
    weight_decay = group["weight_decay"]
    if weight_decay != 0:
        if group.get("decoupled_weight_decay"):
            p *= 1 - group["lr"] * weight_decay
        else:
            g = g + p * weight_decay
    return g


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    maximize=False, decoupled_weight_decay=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, (tuple, list)) else betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        self._check_types(defaults)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        amsgrad, maximize = group["amsgrad"], group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = zeros_like(p)
            step = state["step"] = state["step"] + 1
            if maximize:
                g = -g
            if weight_decay != 0:
                if decoupled:
                    p *= 1 - lr * weight_decay
                else:
                    g = g + p * weight_decay
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (g - m) * (1 - beta1)
            v += (g * g - v) * (1 - beta2)
            if amsgrad:
                v_max = state["max_exp_avg_sq"]
                v_max.copy_(v_max.maximum(v))
                v = v_max
            step_size = lr / (1 - beta1**step)
            if step_size == 0:  # lr 0 (a schedule at eta_min=0): the moments move, p does not
                continue
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            # p -= step_size * m / (sqrt(v) / bc2_sqrt + eps), with step_size folded into the
            # denominator (PyTorch's capturable form): one full-size op fewer per parameter
            p -= m / (v.sqrt() * (1 / (bias_correction2_sqrt * step_size)) + eps / step_size)


class AdamW(Adam):
    """Adam with decoupled weight decay: AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=1e-2, amsgrad=False, maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW always decouples, whatever the file says
            group["decoupled_weight_decay"] = True
