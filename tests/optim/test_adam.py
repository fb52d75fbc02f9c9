"""Adam and AdamW against torch.optim, step for step, for every combination of their options."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

CONFIGS = [
    dict(lr=0.01),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, maximize=True),
    dict(lr=0.02, betas=(0.5, 0.9), weight_decay=0.05, amsgrad=True, maximize=True),
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_adam_matches_torch(kwargs):
    run_side_by_side(optim.Adam, torch.optim.Adam, kwargs)


@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.01, weight_decay=0.5)] + CONFIGS[3:], ids=str)
def test_adamw_matches_torch(kwargs):
    run_side_by_side(optim.AdamW, torch.optim.AdamW, kwargs)


@settings(max_examples=5, deadline=None)
@given(
    lr=st.floats(1e-4, 0.1),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
    weight_decay=st.sampled_from([0.0, 0.01]),
    amsgrad=st.booleans(),
)
def test_adam_random_hyperparameters(lr, beta1, beta2, weight_decay, amsgrad):
    kwargs = dict(lr=lr, betas=(beta1, beta2), weight_decay=weight_decay, amsgrad=amsgrad)
    run_side_by_side(optim.Adam, torch.optim.Adam, kwargs, steps=15)


def test_adam_state_names_and_step_count():
    p = tg.zeros(2, 3, requires_grad=True)
    opt = optim.Adam([p], amsgrad=True)
    for _ in range(3):
        p.grad = tg.ones(2, 3)
        opt.step()
    state = opt.state[p]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert state["step"] == 3
    assert state["exp_avg"].shape == (2, 3) and state["exp_avg"].dtype == tg.float32
    assert not state["exp_avg"].requires_grad


def test_adamw_defaults_and_decoupling():
    p = tg.ones(3, requires_grad=True)
    opt = optim.AdamW([p])
    group = opt.param_groups[0]
    assert group["weight_decay"] == 1e-2 and group["decoupled_weight_decay"] is True
    assert group["lr"] == 1e-3 and group["betas"] == (0.9, 0.999)
    assert optim.Adam([tg.ones(1, requires_grad=True)]).param_groups[0]["weight_decay"] == 0


def test_adam_float64_parameters_stay_float64():
    p = tg.Tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = tg.Tensor([0.5, -0.5], dtype=tg.float64)
    opt.step()
    assert p.dtype == tg.float64 and opt.state[p]["exp_avg"].dtype == tg.float64
    assert p.tolist() == pytest.approx([0.9, 2.1], abs=1e-7)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-0.1), "Adam: invalid learning rate -0.1"),
        (dict(eps=-1.0), "invalid epsilon value"),
        (dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
        (dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
        (dict(betas=(0.9,)), "betas must be a pair"),
        (dict(weight_decay=-1.0), "invalid weight_decay value"),
    ],
)
def test_adam_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adam([tg.zeros(2, requires_grad=True)], **kwargs)
