"""SGD with momentum, dampening, Nesterov and weight decay (as torch.optim.SGD).

For every parameter p with gradient g, one step is
    g <- -g                                  if maximize
    g <- g + weight_decay * p                 (L2 penalty)
    b <- g                                    on the first step, else
    b <- momentum * b + (1 - dampening) * g   (state 'momentum_buffer', only when momentum != 0)
    g <- g + momentum * b  if nesterov  else  b
    p <- p - lr * g
"""

from __future__ import annotations

from typing import Any

from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
    maximize=False)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        self._check_types(defaults)
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"])
        self._check(group["momentum"] >= 0, "momentum value", group["momentum"])
        self._check(group["weight_decay"] >= 0, "weight_decay value", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{self._name}: Nesterov momentum requires a momentum > 0 and zero "
                f"dampening (got momentum={group['momentum']}, "
                f"dampening={group['dampening']})"
            )

    def _update(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        maximize = group["maximize"]
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + p * weight_decay
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone()
                else:
                    buf *= momentum
                    buf += g if dampening == 0 else g * (1 - dampening)
                g = g + buf * momentum if nesterov else buf
            p -= g * lr
