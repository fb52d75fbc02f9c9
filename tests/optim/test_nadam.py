"""NAdam and RAdam against torch.optim, step for step, for combinations of their options."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

NADAM = [
    dict(),
    dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01),
    dict(weight_decay=0.1),
    dict(weight_decay=0.1, decoupled_weight_decay=True),
    dict(maximize=True, eps=1e-4),
]
RADAM = [
    dict(),
    dict(lr=0.01, betas=(0.8, 0.9)),  # beta2=0.9: the rectified branch from step 6 on
    dict(weight_decay=0.1),
    dict(weight_decay=0.1, decoupled_weight_decay=True),
    dict(maximize=True, eps=1e-4),
]


@pytest.mark.parametrize("kwargs", NADAM, ids=str)
def test_nadam_matches_torch(kwargs):
    run_side_by_side(optim.NAdam, torch.optim.NAdam, kwargs)


@pytest.mark.parametrize("kwargs", RADAM, ids=str)
def test_radam_matches_torch(kwargs):
    run_side_by_side(optim.RAdam, torch.optim.RAdam, kwargs)


def test_nadam_state_names_and_mu_product_are_pytorchs():
    ours, theirs = tg.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    opt, topt = optim.NAdam([ours]), torch.optim.NAdam([theirs])
    for _ in range(3):
        ours.grad, theirs.grad = tg.ones(3), torch.ones(3)
        opt.step()
        topt.step()
    state, tstate = opt.state[ours], topt.state[theirs]
    assert set(state) == set(tstate) == {"step", "mu_product", "exp_avg", "exp_avg_sq"}
    assert state["mu_product"].item() == tstate["mu_product"].item()
    assert opt.param_groups[0]["lr"] == 2e-3 and opt.param_groups[0]["momentum_decay"] == 4e-3


def test_radam_defaults_and_state_names_are_pytorchs():
    p = tg.zeros(2, requires_grad=True)
    opt = optim.RAdam([p])
    assert opt.param_groups[0]["lr"] == 1e-3
    p.grad = tg.ones(2)
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"}


@pytest.mark.parametrize("cls", [optim.NAdam, optim.RAdam])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1.0), "invalid learning rate -1.0"),
        (dict(betas=(1.0, 0.9)), "invalid beta parameter at index 0"),
        (dict(eps=-1.0), "invalid epsilon value"),
        (dict(weight_decay=-1.0), "invalid weight_decay value"),
    ],
)
def test_nadam_radam_reject_bad_hyperparameters(cls, kwargs, message):
    with pytest.raises(ValueError, match=f"{cls.__name__}: {message}"):
        cls([tg.zeros(2, requires_grad=True)], **kwargs)


def test_nadam_rejects_negative_momentum_decay():
    with pytest.raises(ValueError, match="NAdam: invalid momentum_decay value -1"):
        optim.NAdam([tg.zeros(2, requires_grad=True)], momentum_decay=-1)
