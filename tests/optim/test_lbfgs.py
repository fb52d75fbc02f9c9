"""LBFGS against torch.optim.LBFGS on a smooth non-quadratic loss, with and without the
strong-Wolfe line search, over 50 steps of a few iterations each.

In float64, so that both take the same branches (line-search tests, tolerance stops) where
float32 rounding in a different summation order could tip a borderline comparison."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import SHAPES


def make_params(seed: int = 0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]  # float64
    ours = [tg.tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    return ours, theirs


X = np.random.default_rng(3).standard_normal((6, 4))
Y = np.random.default_rng(4).standard_normal((6, 3))


def loss_fn(lib, W, b, s, X, Y):
    """Strongly convex, not quadratic (quartic and exponential terms): one minimiser to reach."""
    pred = X @ W.T + s
    fit = ((pred - Y) ** 2).mean() + 0.05 * (W**4).sum() + 0.1 * (W**2).sum()
    return fit + ((b - 0.5) ** 4).sum() + 0.1 * (b**2).sum() + 0.1 * lib.exp(s)


def run_both(kwargs, steps=50):
    ours, theirs = make_params(0)
    opt, topt = optim.LBFGS(ours, **kwargs), torch.optim.LBFGS(theirs, **kwargs)
    x, y, tx, ty = tg.tensor(X), tg.tensor(Y), torch.tensor(X), torch.tensor(Y)

    def closure():
        opt.zero_grad()
        loss = loss_fn(tg, *ours, x, y)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = loss_fn(torch, *theirs, tx, ty)
        loss.backward()
        return loss

    losses = []
    for step in range(steps):
        loss, tloss = opt.step(closure), topt.step(tclosure)
        losses.append(loss.item())
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-9, abs=1e-12), f"step {step}"
        state, tstate = opt.state[ours[0]], topt.state[theirs[0]]
        if state["n_iter"] < 25:  # at the optimum, rounding decides the tolerance stops
            assert state["n_iter"] == tstate["n_iter"], f"step {step}"
            assert state["func_evals"] == tstate["func_evals"], f"step {step}"
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-7, atol=1e-9)
    return opt, topt, losses


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(max_iter=4),
        dict(lr=0.5, max_iter=3, history_size=2),
        dict(max_iter=4, line_search_fn="strong_wolfe"),
        dict(lr=0.8, max_iter=2, history_size=3, line_search_fn="strong_wolfe"),
    ],
    ids=str,
)
def test_lbfgs_matches_torch(kwargs):
    opt, topt, losses = run_both(kwargs)
    assert losses[-1] < losses[0] / 2  # it did optimise
    state = opt.state[opt.param_groups[0]["params"][0]]
    tstate = topt.state[topt.param_groups[0]["params"][0]]
    assert set(tstate) <= set(state) | {"al"}  # PyTorch's state names


def test_lbfgs_defaults_are_pytorchs():
    opt = optim.LBFGS([tg.zeros(2, requires_grad=True)])
    group = opt.param_groups[0]
    assert (group["lr"], group["max_iter"], group["max_eval"], group["history_size"]) == (
        1,
        20,
        25,
        100,
    )
    assert (group["tolerance_grad"], group["tolerance_change"]) == (1e-7, 1e-9)
    assert group["line_search_fn"] is None


def test_lbfgs_needs_a_closure_and_one_group():
    p = tg.zeros(2, requires_grad=True)
    opt = optim.LBFGS([p])
    with pytest.raises(RuntimeError, match="LBFGS.step needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [tg.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS([p], line_search_fn="armijo")


def test_lbfgs_stops_at_once_at_a_stationary_point():
    p = tg.zeros(3, requires_grad=True)
    opt = optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p**2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 0.0 and len(calls) == 1
