"""L-BFGS (as torch.optim.LBFGS), with an optional strong-Wolfe line search.

One `step(closure)` runs up to max_iter quasi-Newton iterations. With the flat gradient g, the
last `history_size` pairs s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k (kept when y.s > 1e-10) and
rho_k = 1 / (y_k . s_k), the two-loop recursion builds the direction d = -H g:
    q <- -g;  for k newest..oldest: a_k = rho_k s_k.q;  q <- q - a_k y_k
    r <- q * (y.s / y.y of the newest pair);  for k oldest..newest: r <- r + (a_k - rho_k y_k.r) s_k
The first iteration steps t = min(1, 1/|g|_1) * lr along -g, later ones t = lr, or the step the
strong-Wolfe search (cubic interpolation, c1=1e-4, c2=0.9) finds. Stops when |g|_max <=
tolerance_grad, or a step or loss change falls below tolerance_change, or max_eval is spent.
The closure re-evaluates the model (zero_grad, forward, backward) and returns the loss.
"""

from __future__ import annotations

from typing import Any, Callable

from ..autograd.grad_mode import enable_grad, no_grad
from ..composite.join import cat
from ..factories import zeros
from ..tensor import Tensor
from ._line_search import strong_wolfe
from .optimizer import Optimizer, ParamsT


class LBFGS(Optimizer):
    """LBFGS(params, lr=1, max_iter=20, max_eval=None (max_iter * 5 // 4), tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None | 'strong_wolfe').

    One parameter group only; step(closure) needs the closure."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        self._validate(defaults)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _validate(self, group: dict[str, Any]) -> None:
        self._check(group["lr"] >= 0, "learning rate", group["lr"])
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: {key} must be a positive int, got {value!r}")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                f"{group['line_search_fn']!r}"
            )

    # ----------------------------------------------------------------------------- flat views
    def _gather_flat_grad(self) -> Tensor:
        views = [
            zeros(p.numel(), dtype=p.dtype, device=p.device)
            if p.grad is None
            else p.grad.reshape(-1)
            for p in self._params
        ]
        return cat(views, 0)

    def _add_grad(self, step_size: float, update: Tensor) -> None:
        offset = 0
        for p in self._params:
            n = p.numel()
            p += update[offset : offset + n].reshape(p.shape) * step_size
            offset += n

    def _set_param(self, params_data: list) -> None:
        for p, data in zip(self._params, params_data):
            p.copy_(data)

    def _directional_evaluate(self, closure: Callable, x: list, t: float, d: Tensor) -> tuple:
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ----------------------------------------------------------------------------- stepping
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Up to max_iter L-BFGS iterations; returns the loss of the first closure() call."""
        if closure is None:
            raise RuntimeError(
                "LBFGS.step needs a closure that re-evaluates the model and returns the loss: "
                "def closure(): opt.zero_grad(); loss = ...; loss.backward(); return loss"
            )
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable) -> Any:
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max().item() <= tol_grad:
            return orig_loss
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            d = state["d"] = self._direction(state, flat_grad, group["history_size"])
            state["prev_flat_grad"] = flat_grad.clone()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / flat_grad.abs().sum().item()) * lr
            else:
                t = lr
            state["t"] = t
            gtd = flat_grad.dot(d).item()
            if gtd > -tol_change:
                break
            last = n_iter == max_iter
            budget = max_eval - current_evals
            loss, flat_grad, t, ls_func_evals = self._move(
                closure, d, t, loss, flat_grad, gtd, budget, last
            )
            opt_cond = ls_func_evals > 0 and flat_grad.abs().max().item() <= tol_grad
            state["t"] = t
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if (d * t).abs().max().item() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state["prev_loss"] = prev_loss
        return orig_loss

    def _move(
        self,
        closure: Callable,
        d: Tensor,
        t: float,
        loss: float,
        flat_grad: Tensor,
        gtd: float,
        budget: int,
        last: bool,
    ) -> tuple:
        """Step along d by t (or by the step the strong-Wolfe search finds); returns the new
        (loss, flat gradient, t, function evaluations). The last plain iteration does not
        re-evaluate (0 evaluations: loss and gradient stay those before the step)."""
        if self.param_groups[0]["line_search_fn"] is not None:
            x_init = [p.clone() for p in self._params]

            def obj_func(x, step, direction):
                return self._directional_evaluate(closure, x, step, direction)

            loss, flat_grad, t, evals = strong_wolfe(
                obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=budget
            )
            self._add_grad(t, d)
            return loss, flat_grad, t, evals
        self._add_grad(t, d)
        if last:
            return loss, flat_grad, t, 0
        with enable_grad():
            loss = float(closure())
        return loss, self._gather_flat_grad(), t, 1

    def _direction(self, state: dict, flat_grad: Tensor, history_size: int) -> Tensor:
        """-H g by the two-loop recursion; updates the (s, y) history in state."""
        if state["n_iter"] == 1:
            state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            return -flat_grad
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad - state["prev_flat_grad"]
        s = state["d"] * state["t"]
        ys = y.dot(s).item()
        if ys > 1e-10:  # keep the pair only where the curvature condition holds
            if len(old_dirs) == history_size:
                old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y).item()
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q).item() * ro[i]
            q = q - old_dirs[i] * al[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r).item() * ro[i]
            r = r + old_stps[i] * (al[i] - be_i)
        return r
