"""Adamax against torch.optim.Adamax, step for step, for combinations of its options."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

CONFIGS = [
    dict(),
    dict(lr=0.05, betas=(0.5, 0.9)),
    dict(eps=1e-3, weight_decay=0.1),
    dict(maximize=True),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_adamax_matches_torch(kwargs):
    run_side_by_side(optim.Adamax, torch.optim.Adamax, kwargs)


def test_adamax_defaults_and_state_names_are_pytorchs():
    p = tg.zeros(2, requires_grad=True)
    opt = optim.Adamax([p])
    assert opt.param_groups[0]["lr"] == 2e-3 and opt.param_groups[0]["betas"] == (0.9, 0.999)
    p.grad = tg.ones(2)
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_inf"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1.0), "Adamax: invalid learning rate -1.0"),
        (dict(betas=(1.0, 0.9)), "invalid beta parameter at index 0"),
        (dict(betas=(0.9, -0.1)), "invalid beta parameter at index 1"),
        (dict(eps=-1.0), "invalid epsilon value"),
        (dict(weight_decay=-1.0), "invalid weight_decay value"),
    ],
)
def test_adamax_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adamax([tg.zeros(2, requires_grad=True)], **kwargs)
