"""RAdam (as torch.optim.RAdam): Adam whose adaptive step is switched on once the variance of
the adaptive learning rate is tractable (rho_t > 5), and rectified by r_t.

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                   if maximize
    p <- p * (1 - lr * weight_decay)           decoupled_weight_decay, or
    g <- g + weight_decay * p                  (L2 penalty)
    m <- m + (1 - beta1) * (g - m);  v <- beta2 * v + (1 - beta2) * g^2
    m_hat = m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    if rho_t > 5:
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p <- p - lr * m_hat * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)
    else:
        p <- p - lr * m_hat
"""

from __future__ import annotations

from typing import Any

from ..factories import zeros_like
from .adam import adam_gradient, check_adam_group
from .optimizer import Optimizer, ParamsT


class RAdam(Optimizer):
    """RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    decoupled_weight_decay=False, maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        rho_inf = 2 / (1 - beta2) - 1
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
            step = state["step"] = state["step"] + 1
            g = adam_gradient(p, g, group)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += g * g * (1 - beta2)
            bias_correction2 = 1 - beta2**step
            m_hat = m / (1 - beta1**step)
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = (
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5
                adaptive = (bias_correction2**0.5) / (v.sqrt() + eps)
                p -= m_hat * lr * adaptive * rect
            else:
                p -= m_hat * lr
