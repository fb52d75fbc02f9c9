"""Activation modules against torch.nn: values and input gradients, reprs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu.nn as nn
from tests.nn._layer_check import FAST, check_layer, rand

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)

PAIRS = [
    (lambda: nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: nn.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (lambda: nn.SiLU(), lambda: torch.nn.SiLU()),
    (lambda: nn.Swish(), lambda: torch.nn.SiLU()),
    (lambda: nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: nn.Softplus(), lambda: torch.nn.Softplus()),
    (lambda: nn.Softplus(2.0, 3.0), lambda: torch.nn.Softplus(2.0, 3.0)),
    (lambda: nn.Mish(), lambda: torch.nn.Mish()),
    (lambda: nn.Hardtanh(), lambda: torch.nn.Hardtanh()),
    (lambda: nn.Hardtanh(-0.5, 2.0), lambda: torch.nn.Hardtanh(-0.5, 2.0)),
    (lambda: nn.Softmax(dim=-1), lambda: torch.nn.Softmax(dim=-1)),
    (lambda: nn.Softmax(dim=0), lambda: torch.nn.Softmax(dim=0)),
    (lambda: nn.LogSoftmax(dim=1), lambda: torch.nn.LogSoftmax(dim=1)),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: repr(p[0]()))
@FAST
@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_activation_matches_torch(pair, shape, seed, device):
    ours, theirs = pair[0](), pair[1]()
    if isinstance(ours, nn.LogSoftmax) and len(shape) < 2:
        shape = shape + (3,)
    check_layer(ours, theirs, rand(seed, *shape, scale=3.0), device, seed)


def test_activation_kinks_like_torch():
    # Hardtanh/ReLU6 exactly at their bounds are left out: the API contract makes them pass the
    # gradient there (as clamp does), while torch's hardtanh_backward gives 0
    x = np.array([-6.0, -1.0, 0.0, 1.0, 6.0], np.float32)
    for ours, theirs in [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
        (nn.ELU(), torch.nn.ELU()),
    ]:
        check_layer(ours, theirs, x)


def test_swish_is_its_own_class_with_silu_values():
    assert type(nn.Swish()).__name__ == "Swish"
    assert repr(nn.Swish()) == "Swish()"


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.ELU(), torch.nn.ELU()),
        (nn.Softplus(), torch.nn.Softplus()),
        (nn.Hardtanh(), torch.nn.Hardtanh()),
        (nn.Softmax(1), torch.nn.Softmax(1)),
        (nn.LogSoftmax(0), torch.nn.LogSoftmax(0)),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    ],
)
def test_activation_repr_like_torch(ours, theirs):
    assert repr(ours) == repr(theirs)


def test_gelu_rejects_bad_approximation():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
