"""nn.Conv2d and F.conv2d against torch (outputs, input and weight gradients), init and errors."""

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
from tests.nn._layer_check import FAST, assert_close, check_layer, rand
from tinygrad_edu import Tensor

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    cin = groups * draw(st.integers(1, 3))
    cout = groups * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = draw(st.sampled_from([1, 1, 2]))
    padding = draw(st.sampled_from([0, 1, 2, (1, 0), "same", "valid"]))
    stride = 1 if padding == "same" else draw(st.sampled_from([1, 2, (2, 1)]))
    span_h, span_w = dilation * (k[0] - 1) + 1, dilation * (k[1] - 1) + 1
    h = draw(st.integers(span_h, span_h + 4))
    w = draw(st.integers(span_w, span_w + 4))
    bias = draw(st.booleans())
    return dict(
        in_channels=cin,
        out_channels=cout,
        kernel_size=k,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=bias,
    ), (draw(st.integers(1, 3)), cin, h, w)


@FAST
@given(cfg=conv_configs(), seed=st.integers(0, 2**31 - 1))
def test_conv2d_matches_torch(cfg, seed, device):
    kwargs, shape = cfg
    ours = nn.Conv2d(**kwargs).to(device)
    theirs = torch.nn.Conv2d(**kwargs)
    check_layer(ours, theirs, rand(seed, *shape), device, seed, atol=1e-4)


def test_conv2d_unbatched_input_and_padding_modes():
    x = rand(0, 2, 6, 5)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        ours = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode)
        theirs = torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode)
        check_layer(ours, theirs, x, atol=1e-4)
    ours = nn.Conv2d(2, 3, (3, 2), padding="same", padding_mode="reflect")
    theirs = torch.nn.Conv2d(2, 3, (3, 2), padding="same", padding_mode="reflect")
    check_layer(ours, theirs, rand(1, 2, 2, 6, 5), atol=1e-4)


def test_conv2d_weight_shapes_and_default_init_statistics():
    tg.manual_seed(0)
    conv = nn.Conv2d(64, 128, 3, groups=2)
    assert conv.weight.shape == (128, 32, 3, 3) and conv.bias.shape == (128,)
    fan_in = 32 * 9
    bound = 1.0 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    w = conv.weight.detach().numpy()
    assert np.abs(w).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound / math.sqrt(3)
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert nn.Conv2d(2, 2, 1, bias=False).bias is None


def test_conv2d_functional_matches_torch_with_groups_and_stride():
    rng = np.random.default_rng(0)
    x, w, b = (
        rng.standard_normal((2, 4, 7, 6)),
        rng.standard_normal((6, 2, 3, 2)),
        rng.standard_normal(6),
    )
    ours = F.conv2d(
        Tensor(x), Tensor(w), Tensor(b), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2
    )
    ref = torch.nn.functional.conv2d(
        torch.tensor(x),
        torch.tensor(w),
        torch.tensor(b),
        stride=(2, 1),
        padding=(1, 2),
        dilation=(1, 2),
        groups=2,
    )
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-10, atol=1e-10)
    assert ours.dtype == tg.float64


def test_conv2d_errors_name_layer_and_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(
        RuntimeError, match=r"Conv2d: expected input \(N, 3, H, W\).*\(2, 5, 8, 8\)"
    ):
        conv(tg.randn(2, 5, 8, 8))
    with pytest.raises(RuntimeError, match="Conv2d.*got shape \\(8, 8\\)"):
        conv(tg.randn(8, 8))
    with pytest.raises(RuntimeError, match="does not fit"):
        conv(tg.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="same"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="expects input with 6 channels"):
        F.conv2d(tg.randn(1, 4, 5, 5), tg.randn(2, 3, 3, 3), groups=2)
    with pytest.raises(TypeError, match="kernel_size"):
        nn.Conv2d(3, 4, "3")


def test_conv2d_repr_like_torch():
    assert repr(nn.Conv2d(1, 8, 3, padding=1)) == repr(torch.nn.Conv2d(1, 8, 3, padding=1))
    assert repr(nn.Conv2d(4, 8, (3, 5), stride=2, dilation=2, groups=2, bias=False)) == repr(
        torch.nn.Conv2d(4, 8, (3, 5), stride=2, dilation=2, groups=2, bias=False)
    )


def test_conv2d_trains_a_step_like_torch():
    """Two SGD steps on a conv net give the same weights as torch."""
    tg.manual_seed(1)
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3, stride=2))
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 3, stride=2)
    )
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = rand(3, 5, 1, 8, 8)
    for _ in range(2):
        out = (ours(Tensor(x)) ** 2).mean()
        ours.zero_grad()
        out.backward()
        with tg.no_grad():
            for p in ours.parameters():
                p -= 0.1 * p.grad
        ref = (theirs(torch.tensor(x)) ** 2).mean()
        theirs.zero_grad()
        ref.backward()
        with torch.no_grad():
            for p in theirs.parameters():
                p -= 0.1 * p.grad
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p, q, what=name)
