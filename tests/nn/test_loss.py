"""The loss modules against torch.nn's, their buffers and arguments, and the weight penalties."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.nn import utils as U
from tinygrad_edu.nn.modules import loss as L
from tinygrad_edu.nn.modules.module import Module
from tinygrad_edu.nn.parameter import Parameter

from .test_loss_functional import check_against_torch

REDUCTIONS = ["mean", "sum", "none"]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    y = rng.standard_normal((4, 5)).astype(np.float32)
    t = np.array([0, 4, 2, 4], dtype=np.int64)
    w = rng.uniform(0.5, 2.0, 5).astype(np.float32)
    p = rng.uniform(0.05, 0.95, (4, 5)).astype(np.float32)
    e = np.exp(y)
    q = (e / e.sum(1, keepdims=True)).astype(np.float32)
    logq = np.log(q).astype(np.float32)
    return x, y, t, w, p, q, logq


def _cases():
    """(name, our module factory, torch module factory, arrays, which arrays need grad)."""
    x, y, t, w, p, q, logq = _data()
    tw = torch.tensor(w)
    ow = Tensor(w)
    kt = np.array([0, 4, -100, 1], dtype=np.int64)
    return [
        (
            "MSELoss",
            lambda r: L.MSELoss(r),
            lambda r: torch.nn.MSELoss(reduction=r),
            [x, y],
            [True, True],
        ),
        (
            "L1Loss",
            lambda r: L.L1Loss(r),
            lambda r: torch.nn.L1Loss(reduction=r),
            [x, y],
            [True, True],
        ),
        (
            "HuberLoss",
            lambda r: L.HuberLoss(r, delta=0.5),
            lambda r: torch.nn.HuberLoss(reduction=r, delta=0.5),
            [x, y],
            [True, True],
        ),
        (
            "SmoothL1Loss",
            lambda r: L.SmoothL1Loss(r, beta=0.5),
            lambda r: torch.nn.SmoothL1Loss(reduction=r, beta=0.5),
            [x, y],
            [True, True],
        ),
        (
            "CrossEntropyLoss",
            lambda r: L.CrossEntropyLoss(ow, -100, r, 0.1),
            lambda r: torch.nn.CrossEntropyLoss(
                tw, ignore_index=-100, reduction=r, label_smoothing=0.1
            ),
            [x, kt],
            [True, False],
        ),
        (
            "CrossEntropyLoss-probs",
            lambda r: L.CrossEntropyLoss(reduction=r),
            lambda r: torch.nn.CrossEntropyLoss(reduction=r),
            [x, q],
            [True, True],
        ),
        (
            "NLLLoss",
            lambda r: L.NLLLoss(ow, ignore_index=4, reduction=r),
            lambda r: torch.nn.NLLLoss(tw, ignore_index=4, reduction=r),
            [logq, t],
            [True, False],
        ),
        (
            "BCELoss",
            lambda r: L.BCELoss(ow, r),
            lambda r: torch.nn.BCELoss(tw, reduction=r),
            [p, q],
            [True, True],
        ),
        (
            "BCEWithLogitsLoss",
            lambda r: L.BCEWithLogitsLoss(reduction=r, pos_weight=ow),
            lambda r: torch.nn.BCEWithLogitsLoss(reduction=r, pos_weight=tw),
            [x, q],
            [True, True],
        ),
        (
            "MultiMarginLoss",
            lambda r: L.MultiMarginLoss(2, 0.7, ow, r),
            lambda r: torch.nn.MultiMarginLoss(2, 0.7, tw, reduction=r),
            [x, t],
            [True, False],
        ),
        (
            "KLDivLoss",
            lambda r: L.KLDivLoss(r),
            lambda r: torch.nn.KLDivLoss(reduction=r),
            [logq, p],
            [True, True],
        ),
        (
            "KLDivLoss-log_target",
            lambda r: L.KLDivLoss(r, log_target=True),
            lambda r: torch.nn.KLDivLoss(reduction=r, log_target=True),
            [logq, y],
            [True, True],
        ),
    ]


CASES = _cases()


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_module_matches_torch(case, reduction):
    _, ours, theirs, arrays, needs = case
    module, ref = ours(reduction), theirs(reduction)
    assert isinstance(module, Module)
    assert module.reduction == reduction
    check_against_torch(module, ref, arrays, needs, seed=3)


def test_kl_div_batchmean_module():
    _, _, _, _, p, _, logq = _data()
    check_against_torch(
        L.KLDivLoss("batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), [logq, p], [True, True]
    )


def test_weight_is_a_buffer_like_torch():
    w = tg.rand(5)
    ce = L.CrossEntropyLoss(weight=w)
    assert ce.weight is w
    assert list(ce.state_dict()) == list(torch.nn.CrossEntropyLoss(torch.rand(5)).state_dict())
    assert [n for n, _ in ce.named_buffers()] == ["weight"]
    assert list(ce.parameters()) == []
    assert L.CrossEntropyLoss().weight is None
    assert list(L.CrossEntropyLoss().state_dict()) == []
    bce = L.BCEWithLogitsLoss(weight=tg.rand(5), pos_weight=tg.rand(5))
    ref = torch.nn.BCEWithLogitsLoss(weight=torch.rand(5), pos_weight=torch.rand(5))
    assert list(bce.state_dict()) == list(ref.state_dict()) == ["weight", "pos_weight"]
    assert L.BCEWithLogitsLoss(pos_weight=[2.0]).pos_weight.shape == (1,)


def test_weight_buffer_follows_dtype_and_state_dict():
    ce = L.NLLLoss(weight=tg.ones(3)).double()
    assert ce.weight.dtype == tg.float64
    x = tg.randn(2, 3, dtype=tg.float64).log_softmax(1)
    assert ce(x, Tensor([0, 2])).dtype == tg.float64
    ce.load_state_dict({"weight": np.array([1.0, 2.0, 3.0])})
    np.testing.assert_allclose(ce.weight.numpy(), [1.0, 2.0, 3.0])


def test_repr_and_attributes_like_torch():
    assert repr(L.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(L.MSELoss()) == "MSELoss()"
    ce = L.CrossEntropyLoss(ignore_index=3, label_smoothing=0.2)
    assert (ce.ignore_index, ce.label_smoothing, ce.reduction) == (3, 0.2, "mean")
    assert L.HuberLoss(delta=2.0).delta == 2.0 and L.SmoothL1Loss(beta=0.3).beta == 0.3
    mm = L.MultiMarginLoss(p=2, margin=0.5)
    assert (mm.p, mm.margin, mm.weight) == (2, 0.5, None)
    assert L.KLDivLoss(log_target=True).log_target is True


@pytest.mark.parametrize(
    "cls",
    [
        L.MSELoss,
        L.L1Loss,
        L.HuberLoss,
        L.SmoothL1Loss,
        L.CrossEntropyLoss,
        L.NLLLoss,
        L.BCELoss,
        L.BCEWithLogitsLoss,
        L.MultiMarginLoss,
        L.KLDivLoss,
    ],
)
def test_bad_reduction_fails_at_construction(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: reduction must be one of .*'avg'"):
        cls(reduction="avg")


def test_argument_errors():
    with pytest.raises(ValueError, match=r"MultiMarginLoss: only p == 1 and p == 2"):
        L.MultiMarginLoss(p=3)
    with pytest.raises(
        ValueError, match=r"cross_entropy: expected target of shape tg.Size\(\[4\]\)"
    ):
        L.CrossEntropyLoss()(tg.randn(4, 10), tg.randint(0, 10, (5,)))
    L.KLDivLoss(reduction="batchmean")  # valid for KL only
    with pytest.raises(ValueError, match=r"MSELoss: reduction"):
        L.MSELoss(reduction="batchmean")


def test_hooks_and_call_go_through_module():
    seen = []
    crit = L.MSELoss()
    crit.register_forward_hook(lambda m, args, out: seen.append(out.item()))
    out = crit(tg.ones(3), tg.zeros(3))
    assert seen == [out.item()] == [1.0]


class _Tiny(Module):
    def __init__(self):
        super().__init__()
        self.weight = Parameter(tg.randn(3, 2))
        self.bias = Parameter(tg.randn(2))
        self.inner = _Inner()


class _Inner(Module):
    def __init__(self):
        super().__init__()
        self.weight = Parameter(tg.randn(2))


def test_penalties_on_a_module_use_weights_only():
    m = _Tiny()
    ws = [m.weight.detach().numpy(), m.inner.weight.detach().numpy()]
    b = m.bias.detach().numpy()
    assert np.isclose(U.l1_penalty(m).item(), sum(np.abs(w).sum() for w in ws), rtol=1e-5)
    assert np.isclose(U.l2_penalty(m).item(), sum((w**2).sum() for w in ws), rtol=1e-5)
    every = sum((w**2).sum() for w in ws) + (b**2).sum()
    assert np.isclose(U.l2_penalty(m, weights_only=False).item(), every, rtol=1e-5)
    (U.l2_penalty(m) * 0.5).backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), ws[0], rtol=1e-6)  # d(0.5 w^2)/dw = w
    assert m.bias.grad is None


def test_regularised_training_step_reduces_the_loss():
    tg.manual_seed(1)
    m = _Tiny()
    x, target = tg.randn(8, 3), tg.randint(0, 2, (8,))
    crit = L.CrossEntropyLoss()

    def total():
        return crit(x @ m.weight + m.bias, target) + U.l2_penalty(m) * 1e-2

    before = total()
    before.backward()
    with tg.no_grad():
        for p in m.parameters():
            p -= p.grad * 0.1
    assert total().item() < before.item()
