"""NAdam (as torch.optim.NAdam): Adam with Nesterov momentum and a momentum-decay schedule.

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                   if maximize
    p <- p * (1 - lr * weight_decay)           decoupled_weight_decay, or
    g <- g + weight_decay * p                  (L2 penalty)
    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
    prod <- prod * mu_t                        (state 'mu_product', a float32 scalar as PyTorch's)
    m <- m + (1 - beta1) * (g - m);  v <- beta2 * v + (1 - beta2) * g^2
    d = sqrt(v / (1 - beta2^t)) + eps
    p <- p - lr * (1 - mu_t) / (1 - prod) * g / d - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / d
"""

from __future__ import annotations

from typing import Any

from ..factories import tensor, zeros_like
from .adam import adam_gradient, check_adam_group
from .optimizer import Optimizer, ParamsT


class NAdam(Optimizer):
    """NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, maximize=False)."""

    _scalar_state = ("mu_product",)

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        check_adam_group(self, group)
        self._check(group["momentum_decay"] >= 0, "momentum_decay value", group["momentum_decay"])

    def _update(self, group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["mu_product"] = tensor(1.0, device=p.device)  # float32, as PyTorch keeps it
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
            step = state["step"] = state["step"] + 1
            g = adam_gradient(p, g, group)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
            mu_product = state["mu_product"]
            mu_product *= mu
            prod = mu_product.item()
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (g - m) * (1 - beta1)
            v *= beta2
            v += g * g * (1 - beta2)
            denom = (v / (1 - beta2**step)).sqrt() + eps
            p += g / denom * (-lr * (1.0 - mu) / (1.0 - prod))
            p += m / denom * (-lr * mu_next / (1.0 - prod * mu_next))
