"""tinygrad_edu.models: the built-in MLP, CNN and residual CNN builders."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models


def test_mlp_is_the_courses_network():
    net = models.mlp(784, [256, 128], 10)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert models.count_parameters(net) == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert list(net.state_dict())[:2] == ["1.weight", "1.bias"]
    out = net(tg.rand(5, 1, 28, 28))  # images are flattened
    assert out.shape == (5, 10)


@pytest.mark.parametrize(
    "norm, layer", [("batch", "BatchNorm1d"), ("layer", "LayerNorm"), ("rms", "RMSNorm")]
)
def test_mlp_norm_and_dropout_order(norm, layer):
    net = models.mlp(4, [8], 3, activation="gelu", norm=norm, dropout=0.25)
    assert [type(m).__name__ for m in net] == [
        "Flatten",
        "Linear",
        layer,
        "GELU",
        "Dropout",
        "Linear",
    ]
    assert net[4].p == 0.25
    assert net(tg.randn(6, 4)).shape == (6, 3)


@pytest.mark.parametrize("name", list(models.ACTIVATIONS))
def test_every_activation_builds_and_differentiates(name):
    net = models.mlp(3, [4], 2, activation=name)
    x = tg.randn(5, 3)
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_cnn_shapes_and_gradients():
    net = models.cnn(1, 10, channels=(8, 16), image_size=28)
    x = tg.rand(3, 1, 28, 28)
    out = net(x)
    assert out.shape == (3, 10)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    assert net[0].bias is None  # a conv followed by BatchNorm needs no bias
    digits = models.cnn(1, 10, channels=(8, 16), image_size=8, norm="none")
    assert digits(tg.rand(2, 1, 8, 8)).shape == (2, 10) and digits[0].bias is not None


def test_resnet_has_skip_connections():
    net = models.resnet(1, 10, channels=(4, 8), blocks=2)
    residuals = [m for m in net.modules() if isinstance(m, nn.Residual)]
    assert len(residuals) == 4
    assert net(tg.rand(2, 1, 28, 28)).shape == (2, 10)
    colour = models.resnet(3, 5, channels=(4, 8), norm="layer", activation="silu")
    out = colour(tg.rand(2, 3, 32, 32))
    assert out.shape == (2, 5)
    out.sum().backward()
    assert all(p.grad is not None for p in colour.parameters())


def test_channel_norm_normalises_each_pixel_over_channels():
    norm = models.ChannelNorm("layer", 3)
    x = tg.randn(2, 3, 4, 5)
    y = norm(x).detach().numpy()
    assert np.allclose(y.mean(axis=1), 0, atol=1e-5)
    assert np.allclose(y.var(axis=1), 1, atol=1e-3)
    rms = models.ChannelNorm("rms", 3)(x).detach().numpy()
    assert np.allclose((rms**2).mean(axis=1), 1, atol=1e-3)


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="unknown activation 'relu2'.*gelu"):
        models.mlp(4, [8], 2, activation="relu2")
    with pytest.raises(ValueError, match="unknown norm 'group'"):
        models.mlp(4, [8], 2, norm="group")
    with pytest.raises(ValueError, match="dropout"):
        models.mlp(4, [8], 2, dropout=1.0)
    with pytest.raises(ValueError, match="layer sizes"):
        models.mlp(4, [0], 2)
    with pytest.raises(ValueError, match="shrink"):
        models.cnn(1, 10, channels=(4, 4, 4, 4), image_size=8)
    assert isinstance(models.activation_module("Leaky-ReLU"), nn.LeakyReLU)
