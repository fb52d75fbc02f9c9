"""nn.init: gains, fans, and the empirical statistics of each initialiser on a large tensor."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu.nn import init


@pytest.mark.parametrize(
    "name,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param)
    )


def test_calculate_gain_rejects_unknown():
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swishy")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "a")


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3), (7, 1, 2)])
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(tg.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2"):
        init._calculate_fan_in_and_fan_out(tg.empty(3))


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


N = 1000


def _big(*shape):
    return nn.Parameter(tg.empty(*shape))


def test_uniform_normal_constant():
    tg.manual_seed(0)
    mean, std, lo, hi = _stats(init.uniform_(_big(N, N), -2.0, 4.0))
    assert lo >= -2.0 and hi < 4.0 and abs(mean - 1.0) < 0.01 and abs(std - math.sqrt(3.0)) < 0.01
    mean, std, _, _ = _stats(init.normal_(_big(N, N), 0.5, 2.0))
    assert abs(mean - 0.5) < 0.01 and abs(std - 2.0) / 2.0 < 0.01
    p = _big(3, 4)
    assert init.constant_(p, 0.3) is p and np.all(p.detach().numpy() == np.float32(0.3))
    assert np.all(init.zeros_(p).detach().numpy() == 0) and np.all(
        init.ones_(p).detach().numpy() == 1
    )
    assert p.requires_grad and p.is_leaf  # filled under no_grad


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(
    "nonlinearity,a", [("relu", 0.0), ("leaky_relu", math.sqrt(5)), ("tanh", 0.0)]
)
def test_kaiming_statistics(mode, nonlinearity, a):
    tg.manual_seed(0)
    shape = (N // 2, N * 2) if mode == "fan_out" else (N * 2, N // 2)
    fan = shape[1] if mode == "fan_in" else shape[0]
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    mean, s, lo, hi = _stats(init.kaiming_uniform_(_big(*shape), a, mode, nonlinearity))
    bound = std * math.sqrt(3)
    assert -bound <= lo and hi <= bound and abs(s - std) / std < 0.02 and abs(mean) < 0.02 * std
    mean, s, _, _ = _stats(init.kaiming_normal_(_big(*shape), a, mode, nonlinearity))
    assert abs(s - std) / std < 0.02 and abs(mean) < 0.02 * std


def test_xavier_statistics():
    tg.manual_seed(0)
    shape = (N // 2, 2 * N)
    std = 1.5 * math.sqrt(2.0 / (shape[0] + shape[1]))
    mean, s, lo, hi = _stats(init.xavier_uniform_(_big(*shape), gain=1.5))
    assert abs(s - std) / std < 0.02 and max(-lo, hi) <= std * math.sqrt(3)
    mean, s, _, _ = _stats(init.xavier_normal_(_big(*shape), gain=1.5))
    assert abs(s - std) / std < 0.02 and abs(mean) < 0.02 * std


def test_conv_weight_fans_use_the_receptive_field():
    tg.manual_seed(0)
    w = _big(256, 64, 3, 3)
    _, s, _, _ = _stats(init.kaiming_normal_(w, nonlinearity="relu"))
    expected = math.sqrt(2.0) / math.sqrt(64 * 9)
    assert abs(s - expected) / expected < 0.02


def _truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) truncated to [a, b] (closed forms)."""
    lo, hi = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    z = cdf(hi) - cdf(lo)
    shift = (pdf(lo) - pdf(hi)) / z
    var = 1 + (lo * pdf(lo) - hi * pdf(hi)) / z - shift**2
    return mean + std * shift, std * math.sqrt(var)


@pytest.mark.parametrize("a,b", [(-2.0, 2.0), (-0.5, 1.0), (2.5, 4.0), (-1.0, -0.9)])
def test_trunc_normal_statistics(a, b):
    """Both samplers (rejection for wide intervals, CDF inversion for narrow or far-out ones)."""
    tg.manual_seed(0)
    ours = init.trunc_normal_(_big(N, N // 4), mean=0.5, std=1.5, a=a, b=b).detach().numpy()
    mean, std = _truncated_moments(0.5, 1.5, a, b)
    assert ours.min() >= a and ours.max() <= b
    assert abs(ours.mean() - mean) < 0.01 * std and abs(ours.std() - std) < 0.01 * std


@pytest.mark.parametrize("shape", [(300, 200), (200, 300), (20, 3, 5, 5)])
def test_orthogonal(shape):
    tg.manual_seed(0)
    w = init.orthogonal_(_big(*shape), gain=2.0)
    m = w.detach().numpy().reshape(shape[0], -1).astype(np.float64) / 2.0
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more"):
        init.orthogonal_(tg.empty(3))


def test_initialisers_are_seeded_and_return_the_tensor():
    tg.manual_seed(7)
    a = _big(4, 5)
    assert init.kaiming_uniform_(a) is a
    tg.manual_seed(7)
    b = init.kaiming_uniform_(_big(4, 5))
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert init.eye_(_big(3, 3)).detach().numpy().trace() == 3


def test_module_apply_custom_init():
    def zero_bias(m):
        if isinstance(m, nn.Linear):
            init.zeros_(m.bias)

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).apply(zero_bias)
    assert all(np.all(m.bias.detach().numpy() == 0) for m in model if isinstance(m, nn.Linear))
