"""Adagrad (as torch.optim.Adagrad).

For every parameter p with gradient g, step t = 1, 2, ... is
    g <- -g                                   if maximize
    g <- g + weight_decay * p                  (L2 penalty)
    s <- s + g^2                               (state 'sum', starts at initial_accumulator_value)
    p <- p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
"""

from __future__ import annotations

from typing import Any

from ..factories import full_like
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        self._check_types(defaults)
        self._validate(defaults)
        super().__init__(params, defaults)
        for group in self.param_groups:  # as PyTorch, the state exists before the first step
            for p in group["params"]:
                self._init_state(p, group)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"])
        self._check(group["lr_decay"] >= 0, "lr_decay value", group["lr_decay"])
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"])
        value = group["initial_accumulator_value"]
        self._check(value >= 0, "initial_accumulator_value", value)
        self._check(group["eps"] >= 0, "epsilon value", group["eps"])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        state["step"] = 0
        state["sum"] = full_like(p, group["initial_accumulator_value"])
        return state

    def _update(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            state = self.state[p] or self._init_state(p, group)
            step = state["step"] = state["step"] + 1
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + p * weight_decay
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state["sum"]
            s += g * g
            p -= g / (s.sqrt() + eps) * clr
