"""Adamax (as torch.optim.Adamax): Adam with the infinity norm in place of the second moment.

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                   if maximize
    g <- g + weight_decay * p                  (L2 penalty)
    m <- m + (1 - beta1) * (g - m)             (state 'exp_avg')
    u <- max(beta2 * u, |g| + eps)             (state 'exp_inf')
    p <- p - lr / (1 - beta1^t) * m / u
"""

from __future__ import annotations

from typing import Any

from ..factories import zeros_like
from .adam import adam_gradient, check_adam_group
from .optimizer import Optimizer, ParamsT


class Adamax(Optimizer):
    """Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = zeros_like(p)
                state["exp_inf"] = zeros_like(p)
            step = state["step"] = state["step"] + 1
            g = adam_gradient(p, g, group)
            m, u = state["exp_avg"], state["exp_inf"]
            m += (g - m) * (1 - beta1)
            u.copy_((u * beta2).maximum(g.abs() + eps))
            p -= m / u * (lr / (1 - beta1**step))
