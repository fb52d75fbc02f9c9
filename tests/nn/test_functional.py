"""nn.functional forms not covered by the layer tests: activations, softmax, one_hot, pad,
normalize, and the loss re-exports."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.nn._layer_check import FAST, assert_close, rand
from tinygrad_edu import Tensor

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)

ACTIVATIONS = [
    (lambda x: F.relu(x), TF.relu),
    (lambda x: F.relu6(x), TF.relu6),
    (lambda x: F.leaky_relu(x, 0.3), lambda x: TF.leaky_relu(x, 0.3)),
    (lambda x: F.elu(x, 1.5), lambda x: TF.elu(x, 1.5)),
    (F.selu, TF.selu),
    (F.gelu, TF.gelu),
    (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    (F.silu, TF.silu),
    (F.swish, TF.silu),
    (F.sigmoid, torch.sigmoid),
    (F.tanh, torch.tanh),
    (lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
    (F.mish, TF.mish),
    (lambda x: F.hardtanh(x, -2.0, 0.5), lambda x: TF.hardtanh(x, -2.0, 0.5)),
    (F.logsigmoid, TF.logsigmoid),
    (F.softsign, TF.softsign),
    (lambda x: F.softmax(x, -1), lambda x: TF.softmax(x, -1)),
    (lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0)),
]


@pytest.mark.parametrize("i", range(len(ACTIVATIONS)))
@FAST
@given(shape=shapes, seed=st.integers(0, 2**31 - 1))
def test_functional_activations_match_torch(i, shape, seed):
    ours_fn, torch_fn = ACTIVATIONS[i]
    x = rand(seed, *shape, scale=3.0)
    xt, xT = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours_fn(xt), torch_fn(xT)
    assert_close(out, ref)
    g = rand(seed + 1, *out.shape)
    out.backward(Tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(xt.grad, xT.grad)


def test_softmax_implicit_dim_warns_like_torch():
    x = rand(0, 2, 3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(Tensor(x))
    with pytest.warns(UserWarning):
        ref = TF.softmax(torch.tensor(x))
    assert_close(out, ref)


def test_one_hot_matches_torch():
    idx = np.array([[0, 2], [3, 1]])
    out = F.one_hot(Tensor(idx))
    assert out.dtype == tg.int64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.numpy(), TF.one_hot(torch.tensor(idx)).numpy())
    np.testing.assert_array_equal(
        F.one_hot(Tensor(idx), 6).numpy(), TF.one_hot(torch.tensor(idx), 6).numpy()
    )
    with pytest.raises(RuntimeError, match="too large"):
        F.one_hot(Tensor(idx), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(Tensor([-1, 0]))
    with pytest.raises(RuntimeError, match="integer"):
        F.one_hot(tg.ones(2))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 1), (0, 1, 2, 1)])
def test_pad_matches_torch(mode, pad):
    x = rand(0, 2, 3, 4, 5) if len(pad) == 4 else rand(0, 2, 3, 5)  # torch's supported ranks
    xt, xT = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = {"value": 1.5} if mode == "constant" else {}
    out, ref = F.pad(xt, pad, mode=mode, **kwargs), TF.pad(xT, pad, mode=mode, **kwargs)
    assert_close(out, ref)
    g = rand(1, *out.shape)
    out.backward(Tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(xt.grad, xT.grad)


def test_pad_errors():
    with pytest.raises(ValueError, match="mode"):
        F.pad(tg.zeros(2, 2), (1, 1), mode="wrap")
    with pytest.raises(ValueError, match="reflect"):
        F.pad(tg.zeros(1, 2, 2), (2, 2), mode="reflect")


@pytest.mark.parametrize("p,dim", [(2, 1), (1, 0), (float("inf"), -1), (3, 1)])
def test_normalize_matches_torch(p, dim):
    x = rand(0, 3, 4)
    x[1] = 0.0  # a zero vector stays zero, with a finite gradient
    xt, xT = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = F.normalize(xt, p, dim), TF.normalize(xT, p, dim)
    assert_close(out, ref)
    g = rand(1, 3, 4)
    out.backward(Tensor(g))
    ref.backward(torch.tensor(g))
    assert np.isfinite(xt.grad.numpy()).all()
    assert_close(xt.grad, xT.grad)


def test_losses_are_reexported():
    names = [
        "mse_loss",
        "l1_loss",
        "huber_loss",
        "smooth_l1_loss",
        "cross_entropy",
        "nll_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "multi_margin_loss",
        "kl_div",
    ]
    from tinygrad_edu.nn import _loss_functional

    for name in names:
        assert getattr(F, name) is getattr(_loss_functional, name)
    x, y = rand(0, 4, 3), rand(1, 4, 3)
    assert_close(F.mse_loss(Tensor(x), Tensor(y)), TF.mse_loss(torch.tensor(x), torch.tensor(y)))


def test_functional_unfold_fold_public_forms():
    x = rand(0, 2, 3, 6, 5)
    cols = F.unfold(Tensor(x), (2, 3), dilation=1, padding=1, stride=(2, 1))
    ref = TF.unfold(torch.tensor(x), (2, 3), dilation=1, padding=1, stride=(2, 1))
    assert_close(cols, ref)
    back = F.fold(cols, (6, 5), (2, 3), padding=1, stride=(2, 1))
    assert_close(back, TF.fold(ref, (6, 5), (2, 3), padding=1, stride=(2, 1)))
    with pytest.raises(RuntimeError, match="unfold"):
        F.unfold(tg.zeros(2, 3), 2)


def test_embedding_and_dropout_and_norms_exist_in_F():
    for name in [
        "linear",
        "conv2d",
        "max_pool2d",
        "avg_pool2d",
        "adaptive_avg_pool2d",
        "dropout",
        "batch_norm",
        "layer_norm",
        "rms_norm",
        "embedding",
        "one_hot",
        "pad",
        "normalize",
    ]:
        assert callable(getattr(F, name))
