"""SGD against torch.optim.SGD, step for step, for every combination of its options."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import run_side_by_side

CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, maximize=True),
    dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01, maximize=True),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True),
]


@pytest.mark.parametrize("kwargs", CONFIGS, ids=str)
def test_sgd_matches_torch(kwargs):
    run_side_by_side(optim.SGD, torch.optim.SGD, kwargs)


@settings(max_examples=6, deadline=None)
@given(
    lr=st.floats(1e-3, 0.5),
    momentum=st.sampled_from([0.0, 0.5, 0.99]),
    dampening=st.sampled_from([0.0, 0.1]),
    weight_decay=st.sampled_from([0.0, 1e-3, 0.3]),
    maximize=st.booleans(),
)
def test_sgd_random_hyperparameters(lr, momentum, dampening, weight_decay, maximize):
    kwargs = dict(
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, maximize=maximize
    )
    run_side_by_side(optim.SGD, torch.optim.SGD, kwargs, steps=15)


def test_plain_sgd_is_p_minus_lr_grad():
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()  # grad = 2p
    optim.SGD([p], lr=0.25).step()
    assert p.tolist() == [0.5, 1.0]
    assert p.requires_grad and p.is_leaf


def test_momentum_buffer_state():
    p = tg.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = tg.Tensor([2.0])
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    assert buf.tolist() == [2.0] and buf is not p.grad
    opt.step()
    assert buf.tolist() == pytest.approx([3.8])
    assert set(opt.state[p]) == {"momentum_buffer"}
    assert not optim.SGD([p], lr=0.1).state  # no momentum, no state


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1), "SGD: invalid learning rate -1"),
        (dict(lr=0.1, momentum=-0.5), "invalid momentum value -0.5"),
        (dict(lr=0.1, weight_decay=-1e-4), "invalid weight_decay value"),
        (dict(lr=0.1, nesterov=True), "Nesterov momentum requires"),
        (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
    ],
)
def test_sgd_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([tg.zeros(2, requires_grad=True)], **kwargs)


def test_sgd_accumulated_microbatch_gradients():
    """Two backward passes before one step: the update uses the summed gradient."""
    w = tg.Tensor([1.0, -1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    x1, x2 = tg.Tensor([1.0, 2.0]), tg.Tensor([3.0, 4.0])
    (w * x1).sum().backward()
    (w * x2).sum().backward()
    opt.step()
    assert w.tolist() == pytest.approx([1.0 - 0.4, -1.0 - 0.6])
    opt.zero_grad()
    assert w.grad is None


def test_step_with_closure_returns_loss():
    w = tg.Tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tg.no_grad():  # the closure still records: step() re-enables grad for it
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert w.tolist() == pytest.approx([3.0 - 0.1 * 6.0])
