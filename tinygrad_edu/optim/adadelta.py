"""Adadelta (as torch.optim.Adadelta).

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                        if maximize
    g <- g + weight_decay * p                       (L2 penalty)
    v <- rho * v + (1 - rho) * g^2                  (state 'square_avg')
    delta <- sqrt(u + eps) / sqrt(v + eps) * g      (u: state 'acc_delta')
    u <- rho * u + (1 - rho) * delta^2
    p <- p - lr * delta
"""

from __future__ import annotations

from typing import Any

from ..factories import zeros_like
from .optimizer import Optimizer, ParamsT


class Adadelta(Optimizer):
    """Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        # foreach/capturable/differentiable choose PyTorch kernels; the update here is the same
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"])
        self._check(0 <= group["rho"] <= 1, "rho value", group["rho"])
        self._check(group["eps"] >= 0, "epsilon value", group["eps"])
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"])

    def _update(self, group: dict[str, Any]) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["square_avg"] = zeros_like(p)
                state["acc_delta"] = zeros_like(p)
            state["step"] += 1
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + p * weight_decay
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            square_avg *= rho
            square_avg += g * g * (1 - rho)
            delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * g
            acc_delta *= rho
            acc_delta += delta * delta * (1 - rho)
            p -= delta * lr
