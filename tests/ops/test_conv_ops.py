"""The im2col primitives of ops/conv.py: Unfold, Fold (each the other's backward) and WindowMax.

Values against torch.nn.functional.unfold/fold, float64 gradchecks, and second derivatives through
tg.autograd.grad(create_graph=True), compared with torch's double backward."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.ops.conv import Fold, Unfold, WindowMax, output_size
from tinygrad_edu.testing import gradcheck, gradgradcheck

FAST = settings(
    max_examples=int(os.environ.get("NN_MAX_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def geometries(draw):
    """(N, C, H, W), kernel, stride, padding, dilation with at least one window position."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, d[0] * (k[0] - 1) + 1 - 2 * p[0]), 6))
    w = draw(st.integers(max(1, d[1] * (k[1] - 1) + 1 - 2 * p[1]), 6))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    return shape, k, s, p, d


def _unfold(x, k, s, p, d, value=0.0):
    return Unfold.apply(
        x, kernel_size=k, stride=s, padding=(p[0], p[0], p[1], p[1]), dilation=d, value=value
    )


def _fold(c, hw, k, s, p, d):
    return Fold.apply(
        c, output_size=hw, kernel_size=k, stride=s, padding=(p[0], p[0], p[1], p[1]), dilation=d
    )


@FAST
@given(geo=geometries(), seed=st.integers(0, 2**31 - 1))
def test_unfold_fold_match_torch(geo, seed):
    shape, k, s, p, d = geo
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    ours = _unfold(Tensor(x), k, s, p, d)
    ref = TF.unfold(torch.tensor(x), k, dilation=d, padding=p, stride=s)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=0, atol=0)
    cols = rng.standard_normal(ours.shape).astype(np.float32)
    folded = _fold(Tensor(cols), shape[2:], k, s, p, d)
    ref = TF.fold(torch.tensor(cols), shape[2:], k, dilation=d, padding=p, stride=s)
    np.testing.assert_allclose(folded.numpy(), ref.numpy(), rtol=1e-6, atol=1e-6)


@FAST
@given(geo=geometries(), seed=st.integers(0, 2**31 - 1))
def test_unfold_fold_gradcheck_float64(geo, seed):
    shape, k, s, p, d = geo
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: _unfold(t, k, s, p, d), [x])
    cols = Tensor(rng.standard_normal(_unfold(x, k, s, p, d).shape), requires_grad=True)
    assert gradcheck(lambda c: _fold(c, shape[2:], k, s, p, d), [cols])


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), c> == <x, fold(c)> for every x and c: the defining property of a transpose."""
    rng = np.random.default_rng(1)
    k, s, p, d = (3, 2), (2, 1), (1, 2), (1, 2)
    x = rng.standard_normal((2, 3, 7, 6))
    cx = _unfold(Tensor(x), k, s, p, d)
    c = rng.standard_normal(cx.shape)
    lhs = float((cx.numpy() * c).sum())
    rhs = float((x * _fold(Tensor(c), (7, 6), k, s, p, d).numpy()).sum())
    assert abs(lhs - rhs) < 1e-9 * max(1.0, abs(lhs))


def test_asymmetric_padding_and_pad_value():
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    cols = Unfold.apply(
        x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 1, 0, 1), dilation=(1, 1), value=-np.inf
    )
    assert cols.shape == (1, 4, 4)  # 2 + 1 extra row/col of padding -> still 2 x 2 windows
    assert not np.isinf(cols.numpy()).any()
    cols = Unfold.apply(
        x, kernel_size=(2, 2), stride=(2, 2), padding=(1, 1, 1, 1), dilation=(1, 1), value=-np.inf
    )
    assert cols.shape == (1, 4, 9)
    assert np.isneginf(cols.numpy()[0, 0, 0])  # the top-left window starts in the padding


def test_fold_exact_tiling_fast_path_matches_general():
    rng = np.random.default_rng(2)
    c = rng.standard_normal((2, 3 * 4, 9))
    fast = _fold(Tensor(c), (6, 6), (2, 2), (2, 2), (0, 0), (1, 1)).numpy()
    ref = TF.fold(torch.tensor(c), (6, 6), 2, stride=2).numpy()
    np.testing.assert_allclose(fast, ref, atol=1e-12)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    assert gradcheck(
        lambda t: _fold(
            _unfold(t, (2, 2), (2, 2), (0, 0), (1, 1)) * 2.0, (6, 6), (2, 2), (2, 2), (0, 0), (1, 1)
        ),
        [x],
    )


@pytest.mark.parametrize("op", ["unfold", "fold"])
def test_second_order_gradgradcheck(op):
    """A nonlinear function of Unfold/Fold, so that second derivatives go through both."""
    rng = np.random.default_rng(3)
    k, s, p, d = (2, 3), (1, 2), (1, 0), (2, 1)
    if op == "unfold":
        x = Tensor(rng.standard_normal((1, 2, 5, 6)), requires_grad=True)
        assert gradgradcheck(lambda t: _unfold(t, k, s, p, d) ** 2, [x])
    else:
        n_cols = _unfold(Tensor(np.zeros((1, 2, 5, 6))), k, s, p, d).shape
        c = Tensor(rng.standard_normal(n_cols), requires_grad=True)
        assert gradgradcheck(lambda t: _fold(t, (5, 6), k, s, p, d) ** 2, [c])


def test_double_backward_of_conv_matches_torch():
    """d/dw of ||d loss/dx||^2 for loss = <g, conv(x, w)>: needs Fold.backward = Unfold."""
    rng = np.random.default_rng(4)
    x_np, w_np = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    g_np = rng.standard_normal((2, 4, 3, 3))

    def conv(x, w):
        cols = _unfold(x, (3, 3), (1, 1), (0, 0), (1, 1))
        return w.reshape(4, 27).matmul(cols).reshape(2, 4, 3, 3)

    x, w = Tensor(x_np, requires_grad=True), Tensor(w_np, requires_grad=True)
    (gx,) = tg.autograd.grad((conv(x, w) * Tensor(g_np)).sum(), [x], create_graph=True)
    (gw,) = tg.autograd.grad((gx * gx).sum(), [w])
    xt, wt = torch.tensor(x_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)
    (gxt,) = torch.autograd.grad(
        (TF.conv2d(xt, wt) * torch.tensor(g_np)).sum(), [xt], create_graph=True
    )
    (gwt,) = torch.autograd.grad((gxt * gxt).sum(), [wt])
    np.testing.assert_allclose(gx.detach().numpy(), gxt.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(gw.numpy(), gwt.numpy(), rtol=1e-10, atol=1e-10)


def test_window_max_first_maximum_and_nan():
    cols = np.array([[[[1.0, 2.0, 0.0], [3.0, 2.0, np.nan], [3.0, 1.0, 5.0], [0.0, 2.0, np.nan]]]])
    x = Tensor(cols, requires_grad=True)
    y = WindowMax.apply(x)
    np.testing.assert_array_equal(y.detach().numpy(), [[[3.0, 2.0, np.nan]]])
    y.backward(Tensor(np.array([[[10.0, 20.0, 30.0]]])))
    expected = np.zeros((1, 1, 4, 3))
    expected[0, 0, 1, 0] = 10.0  # tie between rows 1 and 2: the first wins
    expected[0, 0, 0, 1] = 20.0  # three-way tie: row 0
    expected[0, 0, 3, 2] = 30.0  # NaN wins (the last NaN, as PyTorch's scan)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@FAST
@given(
    shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 5), st.integers(1, 4)),
    seed=st.integers(0, 2**31 - 1),
)
def test_window_max_gradcheck_and_second_order(shape, seed):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    vals = (rng.permutation(n) * 0.5).reshape(shape)  # distinct: no ties for finite differences
    x = Tensor(vals, requires_grad=True)
    assert gradcheck(lambda t: WindowMax.apply(t), [x])
    assert gradgradcheck(lambda t: WindowMax.apply(t) ** 2, [x])


def test_output_size_formula():
    assert output_size(28, 3, 1, 2, 1) == 28
    assert output_size(7, 2, 2, 0, 1) == 3
    assert output_size(10, 3, 2, 2, 2) == 4  # (10 + 2 - 4 - 1) // 2 + 1
    with pytest.raises(RuntimeError, match="does not fit"):
        Fold.apply(
            Tensor(np.zeros((1, 9, 1))),
            output_size=(2, 2),
            kernel_size=(3, 3),
            stride=(1, 1),
            padding=(0, 0, 0, 0),
            dilation=(1, 1),
        )
