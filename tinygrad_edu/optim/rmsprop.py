"""RMSprop, optionally centered and with momentum (as torch.optim.RMSprop).

For every parameter p with gradient g, one step is
    g <- -g                                    if maximize
    g <- g + weight_decay * p                   (L2 penalty)
    s <- s + (1 - alpha) * (g^2 - s)            (state 'square_avg': alpha * s + (1 - alpha) * g^2)
    a <- a + (1 - alpha) * (g - a)              (state 'grad_avg', only when centered)
    d <- sqrt(s - a^2) + eps  if centered  else  sqrt(s) + eps
    b <- momentum * b + g / d; p <- p - lr * b  (state 'momentum_buffer') if momentum > 0, else
    p <- p - lr * g / d
"""

from __future__ import annotations

from typing import Any

from ..factories import zeros_like
from .optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        self._check_types(defaults)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"])
        self._check(group["eps"] >= 0, "epsilon value", group["eps"])
        self._check(group["momentum"] >= 0, "momentum value", group["momentum"])
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"])
        self._check(group["alpha"] >= 0, "alpha value", group["alpha"])

    def _update(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        centered, maximize = group["centered"], group["maximize"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["square_avg"] = zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = zeros_like(p)
                if centered:
                    state["grad_avg"] = zeros_like(p)
            state["step"] += 1
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + p * weight_decay
            square_avg = state["square_avg"]
            square_avg += (g * g - square_avg) * (1 - alpha)  # a lerp: one copy fewer
            if centered:
                grad_avg = state["grad_avg"]
                grad_avg += (g - grad_avg) * (1 - alpha)
                avg = (square_avg - grad_avg * grad_avg).sqrt() + eps
            else:
                avg = square_avg.sqrt() + eps
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                buf += g / avg
                p -= buf * lr
            else:
                p -= g / avg * lr
