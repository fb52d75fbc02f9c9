"""nn.Linear against torch.nn.Linear: outputs and all gradients, N-D inputs, init, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tests.nn._layer_check import FAST, check_layer, rand
from tinygrad_edu import Tensor

lead_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@FAST
@given(
    lead=lead_shapes,
    fin=st.integers(1, 6),
    fout=st.integers(1, 6),
    bias=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_linear_matches_torch(lead, fin, fout, bias, seed, device):
    ours = nn.Linear(fin, fout, bias=bias).to(device)
    theirs = torch.nn.Linear(fin, fout, bias=bias)
    check_layer(ours, theirs, rand(seed, *lead, fin), device, seed)


def test_linear_default_init_statistics():
    """PyTorch's init: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in))."""
    tg.manual_seed(0)
    layer = nn.Linear(1000, 1000)
    bound = 1.0 / math.sqrt(1000)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert layer.weight.shape == (1000, 1000) and layer.bias.shape == (1000,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound / math.sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad


def test_linear_init_is_seeded():
    tg.manual_seed(5)
    a = nn.Linear(3, 4).weight.detach().numpy().copy()
    tg.manual_seed(5)
    b = nn.Linear(3, 4).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_linear_error_names_layer_and_shape():
    with pytest.raises(
        RuntimeError, match=r"Linear: expected input with last dim 10, got shape \(4, 7\)"
    ):
        nn.Linear(10, 5)(tg.randn(4, 7))
    with pytest.raises(RuntimeError, match="linear: input of shape"):
        F.linear(tg.randn(4, 7), tg.randn(5, 10))


def test_linear_repr_and_float64():
    assert repr(nn.Linear(3, 2)) == repr(torch.nn.Linear(3, 2))
    assert repr(nn.Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))
    layer = nn.Linear(3, 2, dtype=tg.float64)
    assert layer.weight.dtype == tg.float64
    assert layer(Tensor(np.ones((1, 3)))).dtype == tg.float64


def test_functional_linear_without_bias():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4))
    out = F.linear(Tensor(x), Tensor(w))
    np.testing.assert_allclose(
        out.numpy(),
        torch.nn.functional.linear(torch.tensor(x), torch.tensor(w)).numpy(),
        rtol=1e-12,
    )
