"""Adadelta and Adamax against torch.optim, step for step, for combinations of their options."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

ADADELTA = [
    dict(),
    dict(lr=0.5, rho=0.5),
    dict(eps=1e-3, weight_decay=0.1),
    dict(maximize=True),
    dict(lr=2.0, rho=0.95, eps=1e-5, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("kwargs", ADADELTA, ids=str)
def test_adadelta_matches_torch(kwargs):
    run_side_by_side(optim.Adadelta, torch.optim.Adadelta, kwargs)


def test_adadelta_defaults_and_state_names_are_pytorchs():
    p = tg.zeros(2, requires_grad=True)
    opt = optim.Adadelta([p])
    group = opt.param_groups[0]
    assert (group["lr"], group["rho"], group["eps"], group["weight_decay"]) == (1.0, 0.9, 1e-6, 0)
    p.grad = tg.ones(2)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg", "acc_delta"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1.0), "Adadelta: invalid learning rate -1.0"),
        (dict(rho=1.5), "invalid rho value 1.5"),
        (dict(eps=-1.0), "invalid epsilon value"),
        (dict(weight_decay=-1.0), "invalid weight_decay value"),
    ],
)
def test_adadelta_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adadelta([tg.zeros(2, requires_grad=True)], **kwargs)
