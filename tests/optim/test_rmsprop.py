"""RMSprop against torch.optim.RMSprop, step for step, for every combination of its options."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

CONFIGS = [
    dict(),
    dict(lr=0.005, alpha=0.9, eps=1e-6),
    dict(weight_decay=0.1),
    dict(momentum=0.9),
    dict(centered=True),
    dict(centered=True, momentum=0.8),
    dict(maximize=True),
    dict(lr=0.003, alpha=0.95, weight_decay=0.05, momentum=0.5, centered=True, maximize=True),
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_rmsprop_matches_torch(kwargs):
    run_side_by_side(optim.RMSprop, torch.optim.RMSprop, kwargs)


def test_rmsprop_state_buffers():
    p = tg.zeros(4, requires_grad=True)
    opt = optim.RMSprop([p], momentum=0.9, centered=True)
    p.grad = tg.ones(4)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    assert opt.state[p]["step"] == 1
    q = tg.zeros(4, requires_grad=True)
    plain = optim.RMSprop([q])
    q.grad = tg.ones(4)
    plain.step()
    assert set(plain.state[q]) == {"step", "square_avg"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1.0), "RMSprop: invalid learning rate -1.0"),
        (dict(alpha=-0.5), "invalid alpha value"),
        (dict(eps=-1e-8), "invalid epsilon value"),
        (dict(momentum=-0.1), "invalid momentum value"),
        (dict(weight_decay=-0.1), "invalid weight_decay value"),
    ],
)
def test_rmsprop_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.RMSprop([tg.zeros(2, requires_grad=True)], **kwargs)
