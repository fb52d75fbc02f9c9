"""The loss functions against torch.nn.functional (values and input gradients under a random
upstream gradient, over hypothesis-drawn shapes), float64 gradchecks and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.nn import _loss_functional as F
from tinygrad_edu.nn import utils as U
from tinygrad_edu.testing import gradcheck

REDUCTIONS = ["mean", "sum", "none"]
FAST = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
seeds = st.integers(0, 2**31 - 1)
reductions = st.sampled_from(REDUCTIONS)


def check_against_torch(tg_fn, torch_fn, arrays, needs_grad, seed=0, rtol=1e-4, atol=1e-5):
    """Run both functions on the same arrays; compare the output and, after backward (a random
    upstream gradient for non-scalar outputs), the gradient of every input in needs_grad."""
    ours = [
        Tensor(a, requires_grad=r) if a is not None else None for a, r in zip(arrays, needs_grad)
    ]
    theirs = [
        torch.tensor(a, requires_grad=r) if a is not None else None
        for a, r in zip(arrays, needs_grad)
    ]
    out, ref = tg_fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(ref.shape), (out.shape, ref.shape)
    assert out.dtype == tg.float32
    ref_np = ref.detach().numpy()
    scale = max(1.0, float(np.nanmax(np.abs(ref_np)))) if ref_np.size else 1.0
    np.testing.assert_allclose(out.detach().numpy(), ref_np, rtol=rtol, atol=atol * scale)
    if out.ndim == 0:
        out.backward()
        ref.backward()
    else:
        g = np.random.default_rng(seed).standard_normal(out.shape).astype(np.float32)
        out.backward(Tensor(g))
        ref.backward(torch.tensor(g))
    for i, (x, t, r) in enumerate(zip(ours, theirs, needs_grad)):
        if r:
            expected = t.grad.numpy()
            scale = max(1.0, float(np.nanmax(np.abs(expected)))) if expected.size else 1.0
            np.testing.assert_allclose(
                x.grad.numpy(),
                expected,
                rtol=rtol,
                atol=atol * scale,
                err_msg=f"gradient of input {i}",
            )


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ----------------------------------------------------------------------------- regression
@FAST
@given(
    shape=shapes,
    seed=seeds,
    reduction=reductions,
    kind=st.sampled_from(["mse", "l1", "huber", "smooth_l1"]),
    param=st.floats(0.1, 2.0),
)
def test_pointwise_losses_match_torch(shape, seed, reduction, kind, param):
    rng = np.random.default_rng(seed)
    x, y = f32(rng, *shape, scale=2.0), f32(rng, *shape, scale=2.0)
    extra = {"huber": {"delta": param}, "smooth_l1": {"beta": param}}.get(kind, {})
    ours = getattr(F, f"{kind}_loss")
    theirs = getattr(TF, f"{kind}_loss")
    check_against_torch(
        lambda a, b: ours(a, b, reduction=reduction, **extra),
        lambda a, b: theirs(a, b, reduction=reduction, **extra),
        [x, y],
        [True, True],
        seed,
    )


def test_smooth_l1_with_beta_zero_is_l1():
    rng = np.random.default_rng(0)
    x, y = f32(rng, 3, 4), f32(rng, 3, 4)
    check_against_torch(
        lambda a, b: F.smooth_l1_loss(a, b, beta=0.0),
        lambda a, b: TF.smooth_l1_loss(a, b, beta=0.0),
        [x, y],
        [True, True],
    )


def test_mse_broadcast_warns_like_torch():
    x, y = tg.randn(4, 1), tg.randn(4)
    with pytest.warns(UserWarning, match=r"mse_loss: using a target of shape tg.Size\(\[4\]\)"):
        out = F.mse_loss(x, y)
    with pytest.warns(UserWarning):
        ref = TF.mse_loss(torch.tensor(x.numpy()), torch.tensor(y.numpy()))
    assert abs(out.item() - ref.item()) < 1e-5


# ----------------------------------------------------------------------------- cross entropy
def class_targets(rng, shape, c, ignore_index, p_ignore):
    t = rng.integers(0, c, size=shape).astype(np.int64)
    t[rng.random(shape) < p_ignore] = ignore_index
    return t


@FAST
@given(
    n=st.integers(1, 4),
    c=st.integers(1, 6),
    kdims=st.sampled_from([None, (), (3,), (2, 3)]),
    seed=seeds,
    reduction=reductions,
    weighted=st.booleans(),
    ignore=st.sampled_from(["none", "default", "class"]),
    smoothing=st.floats(0.0, 0.5),
)
def test_cross_entropy_class_indices_match_torch(
    n, c, kdims, seed, reduction, weighted, ignore, smoothing
):
    rng = np.random.default_rng(seed)
    shape = (c,) if kdims is None else (n, c, *kdims)
    tshape = () if kdims is None else (n, *kdims)
    # ignore_index is -100 or a real class (then another class exists to be counted)
    ignore_index = int(rng.integers(0, c)) if ignore == "class" and c > 1 else -100
    x = f32(rng, *shape, scale=2.0)
    t = class_targets(rng, tshape, c, ignore_index, 0.0 if ignore == "none" else 0.3)
    t.reshape(-1)[:1] = (ignore_index + 1) % c if ignore_index >= 0 else 0  # no all-ignored 0 / 0
    w = rng.uniform(0.2, 2.0, c).astype(np.float32) if weighted else None
    kw = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    check_against_torch(
        lambda a, b, ww: F.cross_entropy(a, b, weight=ww, **kw),
        lambda a, b, ww: TF.cross_entropy(a, b, weight=ww, **kw),
        [x, t, w],
        [True, False, False],
        seed,
    )


@FAST
@given(
    n=st.integers(1, 4),
    c=st.integers(1, 5),
    kdims=st.sampled_from([None, (), (2,), (2, 2)]),
    seed=seeds,
    reduction=reductions,
    weighted=st.booleans(),
    smoothing=st.floats(0.0, 0.5),
)
def test_cross_entropy_probability_targets_match_torch(
    n, c, kdims, seed, reduction, weighted, smoothing
):
    rng = np.random.default_rng(seed)
    shape = (c,) if kdims is None else (n, c, *kdims)
    class_dim = 0 if kdims is None else 1
    x = f32(rng, *shape, scale=2.0)
    e = np.exp(f32(rng, *shape))
    p = (e / e.sum(class_dim, keepdims=True)).astype(np.float32)
    w = rng.uniform(0.2, 2.0, c).astype(np.float32) if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    check_against_torch(
        lambda a, b, ww: F.cross_entropy(a, b, weight=ww, **kw),
        lambda a, b, ww: TF.cross_entropy(a, b, weight=ww, **kw),
        [x, p, w],
        [True, True, False],
        seed,
    )


@FAST
@given(
    n=st.integers(1, 4),
    c=st.integers(1, 6),
    kdims=st.sampled_from([None, (), (3,)]),
    seed=seeds,
    reduction=reductions,
    weighted=st.booleans(),
    ignore=st.booleans(),
)
def test_nll_loss_matches_torch(n, c, kdims, seed, reduction, weighted, ignore):
    rng = np.random.default_rng(seed)
    shape = (c,) if kdims is None else (n, c, *kdims)
    tshape = () if kdims is None else (n, *kdims)
    x = f32(rng, *shape)
    ignore_index = int(rng.integers(0, c)) if ignore else -100
    t = class_targets(rng, tshape, c, ignore_index, 0.0)
    t.reshape(-1)[:1] = (ignore_index + 1) % c if ignore and c > 1 else t.reshape(-1)[:1]
    w = rng.uniform(0.2, 2.0, c).astype(np.float32) if weighted else None
    if ignore and c == 1:
        return  # every target ignored: 0 / 0, covered by test_all_ignored_mean_is_nan
    kw = dict(ignore_index=ignore_index, reduction=reduction)
    check_against_torch(
        lambda a, b, ww: F.nll_loss(a, b, weight=ww, **kw),
        lambda a, b, ww: TF.nll_loss(a, b, weight=ww, **kw),
        [x, t, w],
        [True, False, False],
        seed,
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 0 / 0
def test_all_ignored_mean_is_nan():
    x = tg.randn(2, 3, requires_grad=True)
    out = F.cross_entropy(x, Tensor([-100, -100]))
    ref = TF.cross_entropy(torch.tensor(x.detach().numpy()), torch.tensor([-100, -100]))
    assert np.isnan(out.item()) and np.isnan(ref.item())


def test_cross_entropy_int32_targets_and_list_targets():
    x = tg.randn(3, 4)
    a = F.cross_entropy(x, Tensor(np.array([0, 3, 1], dtype=np.int32)))
    b = F.cross_entropy(x, [0, 3, 1])
    ref = TF.cross_entropy(torch.tensor(x.numpy()), torch.tensor([0, 3, 1]))
    assert abs(a.item() - ref.item()) < 1e-5 and abs(b.item() - ref.item()) < 1e-5


# ----------------------------------------------------------------------------- binary
@FAST
@given(
    shape=shapes,
    seed=seeds,
    reduction=reductions,
    weight=st.sampled_from(["none", "full", "last"]),
    hard=st.booleans(),
)
def test_binary_cross_entropy_matches_torch(shape, seed, reduction, weight, hard):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.02, 0.98, shape).astype(np.float32)
    y = (
        (rng.random(shape) < 0.5).astype(np.float32)
        if hard
        else rng.random(shape).astype(np.float32)
    )
    wshape = {"none": None, "full": shape, "last": shape[-1:]}[weight]
    w = None if wshape is None else rng.uniform(0.2, 2.0, wshape).astype(np.float32)
    check_against_torch(
        lambda a, b, ww: F.binary_cross_entropy(a, b, ww, reduction),
        lambda a, b, ww: TF.binary_cross_entropy(a, b, ww, reduction=reduction),
        [x, y, w],
        [True, True, False],
        seed,
    )


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = Tensor([0.0, 1.0, 0.0, 1.0, 0.5], requires_grad=True)
    y = Tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    out = F.binary_cross_entropy(x, y, reduction="none")
    ref = TF.binary_cross_entropy(
        torch.tensor(x.detach().numpy()), torch.tensor(y.numpy()), reduction="none"
    )
    np.testing.assert_allclose(out.detach().numpy(), ref.numpy(), rtol=1e-6)
    out.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


@FAST
@given(
    shape=shapes,
    seed=seeds,
    reduction=reductions,
    weighted=st.booleans(),
    pos=st.booleans(),
    scale=st.sampled_from([1.0, 5.0, 30.0]),
)
def test_bce_with_logits_matches_torch(shape, seed, reduction, weighted, pos, scale):
    rng = np.random.default_rng(seed)
    x = f32(rng, *shape, scale=scale)
    y = rng.random(shape).astype(np.float32)
    w = rng.uniform(0.2, 2.0, shape).astype(np.float32) if weighted else None
    pw = rng.uniform(0.2, 3.0, shape[-1:]).astype(np.float32) if pos else None
    check_against_torch(
        lambda a, b, ww, pp: F.binary_cross_entropy_with_logits(a, b, ww, reduction, pp),
        lambda a, b, ww, pp: TF.binary_cross_entropy_with_logits(
            a, b, ww, reduction=reduction, pos_weight=pp
        ),
        [x, y, w, pw],
        [True, True, False, False],
        seed,
    )


@pytest.mark.parametrize("pos_weight", [None, [2.0, 0.5, 3.0, 1.0]])
def test_bce_with_logits_is_finite_at_1000(pos_weight):
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=np.float32)
    pw = None if pos_weight is None else np.array(pos_weight, dtype=np.float32)
    ours = Tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(
        ours, Tensor(y), reduction="none", pos_weight=None if pw is None else Tensor(pw)
    )
    out.sum().backward()
    assert np.all(np.isfinite(out.detach().numpy())) and np.all(np.isfinite(ours.grad.numpy()))
    check_against_torch(
        lambda a, b, pp: F.binary_cross_entropy_with_logits(a, b, pos_weight=pp, reduction="none"),
        lambda a, b, pp: TF.binary_cross_entropy_with_logits(a, b, pos_weight=pp, reduction="none"),
        [x, y, pw],
        [True, False, False],
    )


# ----------------------------------------------------------------------------- margin, KL
@FAST
@given(
    n=st.integers(1, 5),
    c=st.integers(1, 6),
    unbatched=st.booleans(),
    seed=seeds,
    reduction=reductions,
    p=st.sampled_from([1, 2]),
    margin=st.floats(0.3, 2.0),
    weighted=st.booleans(),
)
def test_multi_margin_loss_matches_torch(n, c, unbatched, seed, reduction, p, margin, weighted):
    rng = np.random.default_rng(seed)
    x = f32(rng, *((c,) if unbatched else (n, c)))
    t = rng.integers(0, c, size=() if unbatched else (n,)).astype(np.int64)
    w = rng.uniform(0.2, 2.0, c).astype(np.float32) if weighted else None
    kw = dict(p=p, margin=margin, reduction=reduction)
    check_against_torch(
        lambda a, b, ww: F.multi_margin_loss(a, b, weight=ww, **kw),
        lambda a, b, ww: TF.multi_margin_loss(a, b, weight=ww, **kw),
        [x, t, w],
        [True, False, False],
        seed,
    )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@FAST
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    seed=seeds,
    reduction=st.sampled_from(REDUCTIONS + ["batchmean"]),
    log_target=st.booleans(),
    zeros=st.booleans(),
)
def test_kl_div_matches_torch(shape, seed, reduction, log_target, zeros):
    rng = np.random.default_rng(seed)
    logq = np.log(rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])).astype(np.float32)
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype(np.float32)
    if zeros and not log_target:
        p[rng.random(shape) < 0.3] = 0.0  # xlogy(0, 0) = 0; torch's target grad is NaN there
    y = np.log(p) if log_target else p
    kw = dict(reduction=reduction, log_target=log_target)
    check_against_torch(
        lambda a, b: F.kl_div(a, b, **kw),
        lambda a, b: TF.kl_div(a, b, **kw),
        [logq, y],
        [True, not (zeros and not log_target)],
        seed,
    )


# ----------------------------------------------------------------------------- gradcheck
def _cases():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    y = rng.standard_normal((3, 4))
    t = Tensor(np.array([0, 3, 1]))
    w = Tensor(rng.uniform(0.5, 2.0, 4))
    k = rng.standard_normal((2, 3, 2))
    kt = Tensor(np.array([[0, 2], [-100, 1]]))
    p = np.exp(y) / np.exp(y).sum(1, keepdims=True)
    prob = rng.uniform(0.1, 0.9, (3, 4))
    return {
        "mse": (lambda a, b, r: F.mse_loss(a, b, r), [x, y]),
        "l1": (lambda a, b, r: F.l1_loss(a, b, r), [x, y]),
        "huber": (lambda a, b, r: F.huber_loss(a, b, r, delta=0.7), [x, y]),
        "smooth_l1": (lambda a, b, r: F.smooth_l1_loss(a, b, r, beta=0.7), [x, y]),
        "cross_entropy": (
            lambda a, r: F.cross_entropy(a, t, w, reduction=r, label_smoothing=0.2),
            [x],
        ),
        "cross_entropy_kdim": (
            lambda a, r: F.cross_entropy(a, kt, reduction=r, label_smoothing=0.1),
            [k],
        ),
        "cross_entropy_probs": (
            lambda a, b, r: F.cross_entropy(a, b, w, reduction=r, label_smoothing=0.3),
            [x, p],
        ),
        "nll": (lambda a, r: F.nll_loss(a, t, w, reduction=r), [x]),
        "bce": (lambda a, b, r: F.binary_cross_entropy(a, b, reduction=r), [prob, p]),
        "bce_logits": (
            lambda a, b, r: F.binary_cross_entropy_with_logits(a, b, reduction=r, pos_weight=w),
            [x * 3, p],
        ),
        "multi_margin_p1": (lambda a, r: F.multi_margin_loss(a, t, 1, 0.8, w, r), [x]),
        "multi_margin_p2": (lambda a, r: F.multi_margin_loss(a, t, 2, 0.8, w, r), [x]),
        "kl_div": (lambda a, b, r: F.kl_div(a, b, r), [np.log(p), prob]),
        "kl_div_log_target": (lambda a, b, r: F.kl_div(a, b, r, log_target=True), [x, y]),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(_cases()))
def test_gradcheck_float64(name, reduction):
    fn, arrays = _cases()[name]
    inputs = [Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    assert gradcheck(lambda *xs: fn(*xs, reduction), inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", ["cross_entropy", "bce_logits", "bce", "huber"])
def test_second_derivatives_match_torch(name):
    """Hessian-vector products through the loss (create_graph=True) equal PyTorch's."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4))
    t, w = np.array([0, 3, 1]), rng.uniform(0.5, 2.0, 4)
    y = rng.uniform(0.0, 1.0, (3, 4))
    fns = {
        "cross_entropy": (lambda a, m, T: m.cross_entropy(a, T(t), T(w), label_smoothing=0.2)),
        "bce_logits": (
            lambda a, m, T: m.binary_cross_entropy_with_logits(a, T(y), pos_weight=T(w))
        ),
        "bce": (lambda a, m, T: m.binary_cross_entropy(a.sigmoid(), T(y), T(w))),
        "huber": (lambda a, m, T: m.huber_loss(a, T(y), delta=0.5)),
    }
    v = rng.standard_normal((3, 4))
    ours = Tensor(x, requires_grad=True)
    (g,) = tg.autograd.grad(fns[name](ours, F, Tensor), [ours], create_graph=True)
    (hv,) = tg.autograd.grad((g * Tensor(v)).sum(), [ours])
    ref = torch.tensor(x, requires_grad=True)
    (tg_,) = torch.autograd.grad(fns[name](ref, TF, torch.tensor), [ref], create_graph=True)
    (thv,) = torch.autograd.grad((tg_ * torch.tensor(v)).sum(), [ref])
    np.testing.assert_allclose(g.detach().numpy(), tg_.detach().numpy(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(hv.numpy(), thv.numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "name", ["mse_loss", "cross_entropy", "nll_loss", "kl_div", "binary_cross_entropy_with_logits"]
)
def test_empty_batch_like_torch(name, reduction):
    """An empty batch gives NaN for 'mean' (0 / 0), 0 for 'sum' and an empty 'none' result."""
    target = (
        tg.zeros(0, dtype=tg.int64) if name in ("cross_entropy", "nll_loss") else tg.zeros(0, 3)
    )
    out = getattr(F, name)(tg.zeros(0, 3), target, reduction=reduction)
    ref = getattr(TF, name)(torch.zeros(0, 3), torch.tensor(target.numpy()), reduction=reduction)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_every_loss_on_device_matches_cpu(device):
    """The same losses, values and gradients on every available device (cuda via CuPy)."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 3)).astype(np.float32), rng.random((4, 3)).astype(np.float32)
    t, w = np.array([0, 2, -100, 1]), rng.uniform(0.5, 2.0, 3).astype(np.float32)
    calls = [
        lambda a, T: F.cross_entropy(a, T(t), T(w), label_smoothing=0.1),
        lambda a, T: F.cross_entropy(a, T(y), T(w)),
        lambda a, T: F.nll_loss(a, T(t), T(w)),
        lambda a, T: F.multi_margin_loss(a, T(np.abs(t) % 3), p=2, weight=T(w)),
        lambda a, T: F.binary_cross_entropy(a.sigmoid(), T(y), T(w)),
        lambda a, T: F.binary_cross_entropy_with_logits(a * 500, T(y), pos_weight=T(w)),
        lambda a, T: F.kl_div(a.log_softmax(1), T(y), reduction="batchmean"),
        lambda a, T: F.mse_loss(a, T(y)) + F.l1_loss(a, T(y)) + F.huber_loss(a, T(y), delta=0.3),
        lambda a, T: F.smooth_l1_loss(a, T(y), beta=0.3) + U.l2_penalty([a]),
    ]
    for i, call in enumerate(calls):
        results = []
        for dev in ("cpu", device):
            a = Tensor(x, requires_grad=True, device=dev)
            out = call(a, lambda arr, dev=dev: Tensor(arr, device=dev))
            out.backward()
            assert out.device == dev
            results.append((out.item(), a.grad.numpy()))
        (v0, g0), (v1, g1) = results
        np.testing.assert_allclose(v1, v0, rtol=1e-5, err_msg=f"value of loss {i}")
        np.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-7, err_msg=f"gradient of loss {i}")


# ----------------------------------------------------------------------------- errors
LOSSES_2 = [
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
]


@pytest.mark.parametrize("name", LOSSES_2 + ["cross_entropy", "nll_loss", "multi_margin_loss"])
def test_bad_reduction_raises_value_error_naming_the_loss(name):
    x = tg.rand(2, 3)
    y = Tensor([0, 2]) if name in ("cross_entropy", "nll_loss", "multi_margin_loss") else x
    with pytest.raises(ValueError, match=rf"{name}: reduction must be one of .* got 'avg'"):
        getattr(F, name)(x, y, reduction="avg")


def test_cross_entropy_target_shape_error():
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: expected target of shape tg.Size\(\[4\]\), got "
        r"tg.Size\(\[5\]\)",
    ):
        F.cross_entropy(tg.randn(4, 10), tg.randint(0, 10, (5,)))
    with pytest.raises(
        ValueError, match=r"expected target of shape tg.Size\(\[2, 5\]\), got tg.Size\(\[2\]\)"
    ):
        F.cross_entropy(tg.randn(2, 3, 5), Tensor([0, 1]))


def test_class_index_out_of_range_names_index_and_classes():
    with pytest.raises(
        IndexError,
        match=r"cross_entropy: target index 10 is out of range for "
        r"10 classes",
    ):
        F.cross_entropy(tg.randn(4, 10), Tensor([1, 2, 3, 10]))
    with pytest.raises(IndexError, match=r"nll_loss: target index -1 .* 3 classes"):
        F.nll_loss(tg.randn(2, 3), Tensor([-1, 0]))
    with pytest.raises(RuntimeError, match=r"multi_margin_loss: target index 3 .* 3 classes"):
        F.multi_margin_loss(tg.randn(2, 3), Tensor([0, 3]))


def test_cross_entropy_argument_errors():
    x = tg.randn(4, 3)
    with pytest.raises(RuntimeError, match=r"cross_entropy: expected a target of integer class"):
        F.cross_entropy(x, Tensor([True, False, True, True]))
    with pytest.raises(RuntimeError, match=r"cross_entropy: expected weight of shape \(3,\)"):
        F.cross_entropy(x, Tensor([0, 1, 2, 0]), weight=tg.ones(4))
    with pytest.raises(
        RuntimeError,
        match=r"cross_entropy: a float target .* shape tg.Size\(\[4, 3\]\), got "
        r"tg.Size\(\[4\]\)",
    ):
        F.cross_entropy(x, tg.rand(4))
    with pytest.raises(ValueError, match=r"ignore_index \(1\) is not supported for class prob"):
        F.cross_entropy(x, tg.rand(4, 3), ignore_index=1)
    with pytest.raises(RuntimeError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        F.cross_entropy(x, Tensor([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"cross_entropy: expected input of shape \(C,\)"):
        F.cross_entropy(Tensor(1.0), Tensor(0))


def test_binary_and_pointwise_errors():
    with pytest.raises(
        RuntimeError,
        match=r"binary_cross_entropy: all elements of input should "
        r"be between 0 and 1, got values in \[0, 2\]",
    ):
        F.binary_cross_entropy(Tensor([0.0, 2.0]), Tensor([0.0, 1.0]))
    with pytest.raises(
        ValueError,
        match=r"binary_cross_entropy_with_logits: expected target of "
        r"the input's shape tg.Size\(\[3\]\), got tg.Size\(\[3, 1\]\)",
    ):
        F.binary_cross_entropy_with_logits(tg.randn(3), tg.rand(3, 1))
    with pytest.raises(
        RuntimeError, match=r"pos_weight of shape tg.Size\(\[4\]\) does not broadcast"
    ):
        F.binary_cross_entropy_with_logits(tg.randn(2, 3), tg.rand(2, 3), pos_weight=tg.ones(4))
    with pytest.raises(
        RuntimeError,
        match=r"mse_loss: target of shape tg.Size\(\[3\]\) does not broadcast "
        r"with input of shape tg.Size\(\[2\]\)",
    ):
        F.mse_loss(tg.randn(2), tg.randn(3))
    with pytest.raises(RuntimeError, match=r"huber_loss: delta must be positive, got 0"):
        F.huber_loss(tg.randn(2), tg.randn(2), delta=0)
    with pytest.raises(RuntimeError, match=r"smooth_l1_loss: beta must be non-negative, got -1"):
        F.smooth_l1_loss(tg.randn(2), tg.randn(2), beta=-1)
    with pytest.raises(ValueError, match=r"multi_margin_loss: only p == 1 and p == 2"):
        F.multi_margin_loss(tg.randn(2, 3), Tensor([0, 1]), p=3)
    with pytest.raises(ValueError, match=r"kl_div: reduction must be one of .*'batchmean'"):
        F.kl_div(tg.randn(2), tg.rand(2), reduction="batch")


def test_exported_through_nn_and_functional():
    import tinygrad_edu.nn as nn
    import tinygrad_edu.nn.functional as NF
    from tinygrad_edu.nn.modules import loss as L

    for name in [
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
    ]:
        assert getattr(NF, name) is getattr(F, name)
    for name in L.__all__:
        assert getattr(nn, name) is getattr(L, name)


# ----------------------------------------------------------------------------- penalties
def test_l1_and_l2_penalties_on_params_and_pairs():
    w, b = tg.randn(3, 4, requires_grad=True), tg.randn(4, requires_grad=True)
    pairs = [("fc.weight", w), ("fc.bias", b)]
    wn, bn = w.detach().numpy(), b.detach().numpy()
    assert np.isclose(U.l1_penalty(pairs).item(), np.abs(wn).sum(), rtol=1e-5)
    assert np.isclose(U.l2_penalty(pairs).item(), (wn**2).sum(), rtol=1e-5)
    both = (wn**2).sum() + (bn**2).sum()
    assert np.isclose(U.l2_penalty(pairs, weights_only=False).item(), both, rtol=1e-5)
    assert np.isclose(U.l2_penalty([w, b]).item(), both, rtol=1e-5)
    (U.l2_penalty(pairs) + U.l1_penalty(pairs)).backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * wn + np.sign(wn), rtol=1e-6)
    assert b.grad is None
    assert U.l1_penalty([]).item() == 0.0
