"""MaxPool2d, AvgPool2d and AdaptiveAvgPool2d against torch: outputs and input gradients over
hypothesis-drawn geometries (padding, stride, dilation, ceil_mode, count_include_pad)."""

from __future__ import annotations

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


@st.composite
def pool_configs(draw, dilation: bool):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, 1, 2, (1, 2)]))
    padding = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = draw(st.sampled_from([1, 2])) if dilation else 1
    h = draw(st.integers(d * (k[0] - 1) + 1, 7))
    w = draw(st.integers(d * (k[1] - 1) + 1, 7))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    return k, stride, padding, d, draw(st.booleans()), shape


@FAST
@given(cfg=pool_configs(dilation=True), seed=st.integers(0, 2**31 - 1))
def test_max_pool2d_matches_torch(cfg, seed, device):
    k, stride, padding, d, ceil_mode, shape = cfg
    ours = nn.MaxPool2d(k, stride, padding, d, ceil_mode)
    theirs = torch.nn.MaxPool2d(k, stride, padding, d, ceil_mode=ceil_mode)
    # distinct values: at exact ties torch and we both pick the first max, but rounding in a
    # random draw could make the "first" differ; a permutation keeps every window unambiguous
    n = int(np.prod(shape))
    x = (np.random.default_rng(seed).permutation(n) * 0.1 - n * 0.05).reshape(shape)
    check_layer(ours, theirs, x.astype(np.float32), device, seed)


@FAST
@given(cfg=pool_configs(dilation=False), include=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_avg_pool2d_matches_torch(cfg, include, seed, device):
    k, stride, padding, _, ceil_mode, shape = cfg
    ours = nn.AvgPool2d(k, stride, padding, ceil_mode, count_include_pad=include)
    theirs = torch.nn.AvgPool2d(k, stride, padding, ceil_mode, count_include_pad=include)
    check_layer(ours, theirs, rand(seed, *shape), device, seed)


def test_avg_pool2d_divisor_override():
    x = rand(0, 2, 3, 6, 5)
    check_layer(
        nn.AvgPool2d(3, 2, 1, divisor_override=4),
        torch.nn.AvgPool2d(3, 2, 1, divisor_override=4),
        x,
    )


def test_max_pool_gradient_goes_to_one_element_at_ties():
    """A window of equal values sends its whole gradient to the first one (as PyTorch)."""
    x = Tensor(np.ones((1, 1, 4, 4), np.float32), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    xt = torch.ones(1, 1, 4, 4, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    assert x.grad.numpy().sum() == 4.0


def test_max_pool_padding_is_minus_infinity():
    x = -np.ones((1, 1, 3, 3), np.float32) * 5
    out = F.max_pool2d(Tensor(x), 2, stride=2, padding=1)
    np.testing.assert_array_equal(out.numpy(), -5 * np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize(
    "hw,out",
    [((6, 6), 1), ((6, 8), (3, 2)), ((7, 5), (3, 4)), ((5, 9), (None, 4)), ((4, 4), (6, 5))],
)
def test_adaptive_avg_pool2d_matches_torch(hw, out, device):
    x = rand(0, 2, 3, *hw)
    check_layer(nn.AdaptiveAvgPool2d(out), torch.nn.AdaptiveAvgPool2d(out), x, device)


@FAST
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    oh=st.integers(1, 5),
    ow=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
)
def test_adaptive_avg_pool2d_any_size(h, w, oh, ow, seed):
    check_layer(
        nn.AdaptiveAvgPool2d((oh, ow)),
        torch.nn.AdaptiveAvgPool2d((oh, ow)),
        rand(seed, 2, 2, h, w),
        seed=seed,
    )


def test_pooling_unbatched_input():
    x = rand(1, 3, 6, 6)
    check_layer(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), x)
    check_layer(nn.AvgPool2d(3, 1, 1), torch.nn.AvgPool2d(3, 1, 1), x)
    check_layer(nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1), x)


def test_pooling_errors():
    with pytest.raises(RuntimeError, match="MaxPool2d: expected a 3-D .* got shape \\(4, 4\\)"):
        nn.MaxPool2d(2)(tg.randn(4, 4))
    with pytest.raises(RuntimeError, match="half the kernel"):
        F.max_pool2d(tg.randn(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.avg_pool2d(tg.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="positive"):
        F.adaptive_avg_pool2d(tg.randn(1, 1, 2, 2), 0)


def test_pooling_repr():
    assert repr(nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))
    assert repr(nn.AdaptiveAvgPool2d(1)) == repr(torch.nn.AdaptiveAvgPool2d(1))
