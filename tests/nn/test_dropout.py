"""Dropout: inverted scaling, identity in eval, seeded masks, gradients through the mask."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor


def test_dropout_train_statistics_and_scaling(device):
    tg.manual_seed(0)
    x = tg.ones(200, 500, device=device)
    y = nn.Dropout(0.3)(x).to("cpu").numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_eval_is_identity_and_train_flag():
    layer = nn.Dropout(0.5)
    x = tg.randn(4, 5, requires_grad=True)
    layer.eval()
    assert layer(x) is x
    layer.train()
    assert layer.training and not np.array_equal(layer(x).detach().numpy(), x.detach().numpy())
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_gradient_is_the_scaled_mask():
    tg.manual_seed(1)
    x = tg.randn(50, 40, requires_grad=True)
    y = F.dropout(x, p=0.25)
    g = np.random.default_rng(0).standard_normal((50, 40)).astype(np.float32)
    y.backward(Tensor(g))
    mask = (y.detach().numpy() != 0).astype(np.float32) / 0.75
    np.testing.assert_allclose(x.grad.numpy(), g * mask, rtol=1e-6)


def test_dropout_is_seeded():
    tg.manual_seed(3)
    a = F.dropout(tg.ones(100)).numpy()
    tg.manual_seed(3)
    b = F.dropout(tg.ones(100)).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_extremes_and_errors():
    x = tg.randn(3, 4)
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_dropout_repr_and_dtype():
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    assert F.dropout(tg.ones(10, dtype=tg.float64), 0.5).dtype == tg.float64
