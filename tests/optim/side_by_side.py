"""Run a tinygrad_edu optimizer and its torch.optim twin side by side on identical gradients.

Both start from the same weights (a matrix, a vector and a 0-d scalar); every step draws fresh
NumPy gradients and hands each library its own copy. The parameters must agree within float32
tolerance after every step, and the optimizer must never write into p.grad.
"""

from __future__ import annotations

import numpy as np
import torch

import tinygrad_edu as tg

SHAPES = [(3, 4), (5,), ()]
RTOL, ATOL = 2e-5, 2e-6


def make_params(seed: int = 0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    ours = [tg.Tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    return ours, theirs


def assert_params_close(ours, theirs, step: int, what: str = "") -> None:
    for i, (p, q) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(
            p.detach().numpy(),
            q.detach().numpy(),
            rtol=RTOL,
            atol=ATOL,
            err_msg=f"{what}: parameter {i} (shape {SHAPES[i]}) differs after step {step}",
        )


def run_side_by_side(
    tg_cls,
    torch_cls,
    kwargs: dict,
    steps: int = 50,
    seed: int = 0,
    skip_every: int = 7,
) -> None:
    """`steps` updates of both optimizers; every `skip_every`-th step the vector has no grad."""
    ours, theirs = make_params(seed)
    opt = tg_cls(ours, **kwargs)
    topt = torch_cls(theirs, **kwargs, foreach=False)  # foreach=False: the for-loop variant
    rng = np.random.default_rng(seed + 1)
    for step in range(1, steps + 1):
        grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
        for i, (p, q, g) in enumerate(zip(ours, theirs, grads)):
            if skip_every and i == 1 and step % skip_every == 0:
                p.grad, q.grad = None, None  # a parameter without a gradient is skipped
            else:
                p.grad = tg.Tensor(g.copy())
                q.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
        assert_params_close(ours, theirs, step, f"{tg_cls.__name__}({kwargs})")
        for p, g in zip(ours, grads):
            if p.grad is not None:
                np.testing.assert_array_equal(p.grad.numpy(), g, err_msg="step() changed p.grad")
