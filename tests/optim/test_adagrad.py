"""Adagrad against torch.optim.Adagrad, step for step, for every combination of its options."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

CONFIGS = [
    dict(),
    dict(lr=0.1, lr_decay=0.05),
    dict(weight_decay=0.1),
    dict(initial_accumulator_value=0.5),
    dict(eps=1e-3),
    dict(maximize=True),
    dict(
        lr=0.05,
        lr_decay=0.01,
        weight_decay=0.02,
        initial_accumulator_value=0.1,
        eps=1e-6,
        maximize=True,
    ),
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_adagrad_matches_torch(kwargs):
    run_side_by_side(optim.Adagrad, torch.optim.Adagrad, kwargs)


def test_adagrad_state_exists_before_the_first_step():
    p = tg.zeros(2, 2, requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    state = opt.state[p]
    assert state["step"] == 0 and state["sum"].tolist() == [[0.25, 0.25], [0.25, 0.25]]
    sd = opt.state_dict()
    assert set(sd["state"][0]) == {"step", "sum"}


def test_adagrad_param_group_added_later_gets_state():
    opt = optim.Adagrad([tg.zeros(2, requires_grad=True)], initial_accumulator_value=0.1)
    q = tg.ones(3, requires_grad=True)
    opt.add_param_group({"params": [q], "initial_accumulator_value": 0.5})
    q.grad = tg.ones(3)
    opt.step()
    assert opt.state[q]["step"] == 1
    assert opt.state[q]["sum"].tolist() == pytest.approx([1.5, 1.5, 1.5])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1.0), "Adagrad: invalid learning rate -1.0"),
        (dict(lr_decay=-1.0), "invalid lr_decay value"),
        (dict(weight_decay=-1.0), "invalid weight_decay value"),
        (dict(initial_accumulator_value=-1.0), "invalid initial_accumulator_value"),
        (dict(eps=-1.0), "invalid epsilon value"),
    ],
)
def test_adagrad_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adagrad([tg.zeros(2, requires_grad=True)], **kwargs)
