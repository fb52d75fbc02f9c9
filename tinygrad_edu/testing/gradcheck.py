"""Numerical gradient checks: float64 central differences against the engine's backward.

gradcheck(fn, inputs) compares, for every input that requires grad, the analytic vector-Jacobian
product with a random upstream gradient v against central differences of <v, fn(x)>. For small
inputs every element is perturbed; for large ones a few random directions are probed instead
(d/de <v, f(x + e u)> = <grad, u>), which checks the same thing at a fraction of the cost.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .. import autograd
from ..tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient of an input disagrees with the numerical one."""


def _as_inputs(inputs) -> list:
    if isinstance(inputs, Tensor):
        return [inputs]
    return list(inputs)


def _outputs(fn: Callable, inputs: list) -> list:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _dot(outs: list, vs: list) -> float:
    return float(sum(np.sum(o.detach().numpy().astype(np.float64) * v) for o, v in zip(outs, vs)))


def gradcheck(
    fn: Callable,
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_elements: int = 64,
    n_directions: int = 6,
    seed: int = 0,
) -> bool:
    """Check d fn / d inputs against float64 central differences; True or GradcheckError.

    Inputs should be float64 tensors with requires_grad=True (others are held constant). The
    error names the input, the worst element and both values.
    """
    inputs = _as_inputs(inputs)
    rng = np.random.default_rng(seed)
    for i, x in enumerate(inputs):
        if x.requires_grad and x.dtype != np.float64:
            raise ValueError(
                f"gradcheck: input {i} is {x.dtype}; use float64 inputs "
                "(x.double()) so that finite differences are accurate"
            )
    outs = _outputs(fn, inputs)
    if not outs:
        raise ValueError("gradcheck: fn returned no floating-point tensor")
    vs = [rng.standard_normal(o.shape) for o in outs]
    wrt = [x for x in inputs if x.requires_grad]
    diff_outs = [o for o in outs if o.requires_grad]
    if diff_outs:
        grads = autograd.grad(
            diff_outs,
            wrt,
            grad_outputs=[Tensor(v) for o, v in zip(outs, vs) if o.requires_grad],
            allow_unused=True,
        )
    else:
        grads = [None] * len(wrt)
    for x, g in zip(wrt, grads):
        name = f"input {next(i for i, y in enumerate(inputs) if y is x)}"
        analytic = np.zeros(x.shape) if g is None else g.numpy().astype(np.float64)
        data = x.data  # perturbed in place, restored below
        if x.numel() <= max_elements:
            numeric = np.zeros(x.shape)
            for idx in np.ndindex(*x.shape):
                old = data[idx]
                data[idx] = old + eps
                plus = _dot(_outputs(fn, inputs), vs)
                data[idx] = old - eps
                minus = _dot(_outputs(fn, inputs), vs)
                data[idx] = old
                numeric[idx] = (plus - minus) / (2 * eps)
            _compare(name, analytic, numeric, atol, rtol)
        else:
            for k in range(n_directions):
                u = rng.standard_normal(x.shape)
                old = data.copy()
                data[...] = old + eps * u
                plus = _dot(_outputs(fn, inputs), vs)
                data[...] = old - eps * u
                minus = _dot(_outputs(fn, inputs), vs)
                data[...] = old
                numeric = (plus - minus) / (2 * eps)
                _compare(
                    f"{name} (random direction {k})", np.sum(analytic * u), numeric, atol, rtol
                )
    return True


def _compare(name: str, analytic, numeric, atol: float, rtol: float) -> None:
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if np.any(err > 0) or np.any(np.isnan(analytic) != np.isnan(numeric)):
        worst = np.unravel_index(np.nanargmax(np.where(np.isnan(err), np.inf, err)), err.shape)
        raise GradcheckError(
            f"gradcheck failed for {name} at element {tuple(int(i) for i in worst)}: analytic "
            f"{analytic[worst]:.8g} vs numerical {numeric[worst]:.8g} "
            f"(atol={atol}, rtol={rtol})"
        )


def gradgradcheck(
    fn: Callable,
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of x -> d<v, fn(x)>/dx built with create_graph=True."""
    inputs = _as_inputs(inputs)
    rng = np.random.default_rng(seed + 1)
    outs = _outputs(fn, inputs)
    vs = [Tensor(rng.standard_normal(o.shape)) for o in outs]
    wrt_idx = [i for i, x in enumerate(inputs) if x.requires_grad]

    def first_grads(*xs):
        outs = [o for o in _outputs(fn, list(xs)) if o.requires_grad]
        gs = autograd.grad(
            outs,
            [xs[i] for i in wrt_idx],
            grad_outputs=vs[: len(outs)],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)
