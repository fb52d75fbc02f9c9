"""LayerNorm and RMSNorm against torch: outputs and all gradients over hypothesis shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tests.nn._layer_check import FAST, assert_close, check_layer, rand
from tinygrad_edu import Tensor

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def _randomise(ours, seed):
    with tg.no_grad():
        for i, p in enumerate(ours.parameters()):
            p.copy_(rand(seed + i, *p.shape) + 1.0)


@FAST
@given(
    shape=shapes,
    k=st.integers(1, 3),
    affine=st.booleans(),
    bias=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_layer_norm_matches_torch(shape, k, affine, bias, seed, device):
    shape = shape[:-1] + (max(shape[-1], 2),)  # one element: x - mean = 0, dx is pure rounding
    normalized = shape[-min(k, len(shape)) :]
    ours = nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias).to(device)
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine, bias=bias)
    _randomise(ours, seed)
    # a guaranteed spread over the normalised dims: when all values nearly coincide, var ~ eps
    # and dx is a float32 cancellation (torch's and ours differ by rounding, not by math)
    spread = np.linspace(-1.5, 1.5, int(np.prod(normalized))).reshape(normalized)
    x = (rand(seed, *shape, scale=0.3) + spread + 1.0).astype(np.float32)
    check_layer(ours, theirs, x, device, seed)


@FAST
@given(
    shape=shapes,
    k=st.integers(1, 3),
    affine=st.booleans(),
    eps=st.sampled_from([None, 1e-6, 0.1]),
    seed=st.integers(0, 2**31 - 1),
)
def test_rms_norm_matches_torch(shape, k, affine, eps, seed, device):
    normalized = shape[-min(k, len(shape)) :]
    ours = nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine).to(device)
    theirs = torch.nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine)
    _randomise(ours, seed)
    x = rand(seed, *shape)
    x += np.sign(x) * 0.5  # |x| >= 0.5: the RMS never nearly vanishes (ill-conditioned in float32)
    check_layer(ours, theirs, x, device, seed)


def test_rms_norm_default_eps_is_machine_eps_of_the_dtype():
    x = np.full((2, 3), 1e-5)
    ours = F.rms_norm(Tensor(x), (3,))
    ref = torch.nn.functional.rms_norm(torch.tensor(x), (3,))
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(
        F.rms_norm(Tensor(x32), 3).numpy(),
        torch.nn.functional.rms_norm(torch.tensor(x32), (3,)).numpy(),
        rtol=1e-5,
    )


def test_layer_norm_state_and_errors():
    assert list(nn.LayerNorm(4).state_dict()) == ["weight", "bias"]
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    assert list(nn.RMSNorm([2, 3]).state_dict()) == ["weight"]
    assert nn.RMSNorm([2, 3]).weight.shape == (2, 3)
    with pytest.raises(RuntimeError, match=r"LayerNorm: expected input with trailing shape \(4,\)"):
        nn.LayerNorm(4)(tg.randn(2, 5))
    with pytest.raises(RuntimeError, match="RMSNorm: expected input"):
        nn.RMSNorm((2, 3))(tg.randn(3, 2))
    with pytest.raises(RuntimeError, match="layer_norm"):
        F.layer_norm(tg.randn(3), (4,))


def test_normalization_repr_like_torch():
    assert repr(nn.LayerNorm(5)) == repr(torch.nn.LayerNorm(5))
    assert repr(nn.RMSNorm((2, 3))) == repr(torch.nn.RMSNorm((2, 3)))


def test_functional_layer_norm_with_weight_matches_torch():
    rng = np.random.default_rng(0)
    x, w, b = (
        rng.standard_normal((3, 4, 5)),
        rng.standard_normal((4, 5)),
        rng.standard_normal((4, 5)),
    )
    ours = F.layer_norm(Tensor(x), (4, 5), Tensor(w), Tensor(b), eps=1e-3)
    ref = torch.nn.functional.layer_norm(
        torch.tensor(x), (4, 5), torch.tensor(w), torch.tensor(b), eps=1e-3
    )
    assert_close(ours, ref, rtol=1e-10, atol=1e-10)
