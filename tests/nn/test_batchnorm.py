"""BatchNorm1d/2d against torch: train and eval outputs, all gradients, running statistics over
several steps (momentum and cumulative averaging), affine/track_running_stats variants."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tests.nn._layer_check import FAST, assert_close, check_layer, copy_to_torch, rand
from tinygrad_edu import Tensor


def _shape(kind: str, n: int, c: int, s1: int, s2: int) -> tuple:
    return {"1d": (n, c), "1d3": (n, c, s1), "2d": (n, c, s1, s2)}[kind]


@FAST
@given(
    kind=st.sampled_from(["1d", "1d3", "2d"]),
    n=st.integers(3, 5),
    c=st.integers(1, 4),
    s1=st.integers(1, 3),
    s2=st.integers(1, 3),
    momentum=st.sampled_from([0.1, 0.5, None]),
    affine=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_batchnorm_train_steps_then_eval_match_torch(
    kind, n, c, s1, s2, momentum, affine, seed, device
):
    cls, tcls = (
        (nn.BatchNorm2d, torch.nn.BatchNorm2d)
        if kind == "2d"
        else (nn.BatchNorm1d, torch.nn.BatchNorm1d)
    )
    ours = cls(c, momentum=momentum, affine=affine).to(device)
    theirs = tcls(c, momentum=momentum, affine=affine)
    if affine:  # non-trivial affine parameters
        with tg.no_grad():
            ours.weight.copy_(rand(seed, c) + 1.0)
            ours.bias.copy_(rand(seed + 7, c))
    copy_to_torch(ours, theirs)
    shape = _shape(kind, n, c, s1, s2)  # n >= 3: with 2 samples x_hat = +-1 and dx is pure rounding
    for step in range(3):
        x = rand(seed + step, *shape, scale=2.0) + 0.5
        check_layer(ours, theirs, x, device, seed + step, copy=False)
        for p in ours.parameters():
            p.grad = None
        theirs.zero_grad()
    for name in ("running_mean", "running_var"):
        assert_close(getattr(ours, name).to("cpu"), getattr(theirs, name), what=name)
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    check_layer(ours, theirs, rand(seed + 10, *shape), device, seed, copy=False)


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    ours = nn.BatchNorm2d(3, track_running_stats=False)
    theirs = torch.nn.BatchNorm2d(3, track_running_stats=False)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()
    ours.eval()
    theirs.eval()
    check_layer(ours, theirs, rand(0, 4, 3, 2, 2))


def test_batchnorm_state_dict_keys_like_torch():
    assert list(nn.BatchNorm1d(3).state_dict()) == list(torch.nn.BatchNorm1d(3).state_dict())
    assert list(nn.BatchNorm2d(3, affine=False).state_dict()) == list(
        torch.nn.BatchNorm2d(3, affine=False).state_dict()
    )
    sd = nn.BatchNorm1d(3).state_dict()
    assert sd["num_batches_tracked"].dtype == tg.int64 and sd["num_batches_tracked"].ndim == 0


def test_functional_batch_norm_updates_running_stats_in_place():
    rm, rv = tg.zeros(3), tg.ones(3)
    rm_id, rv_data = id(rm), rv.data
    x = rand(0, 8, 3, 5)
    out = F.batch_norm(Tensor(x), rm, rv, training=True, momentum=0.2)
    rmt, rvt = torch.zeros(3), torch.ones(3)
    ref = torch.nn.functional.batch_norm(torch.tensor(x), rmt, rvt, training=True, momentum=0.2)
    assert_close(out, ref)
    assert id(rm) == rm_id and rv.data is rv_data  # updated in place
    assert_close(rm, rmt)
    assert_close(rv, rvt)
    out = F.batch_norm(Tensor(x), rm, rv)  # eval: uses the running statistics
    assert_close(out, torch.nn.functional.batch_norm(torch.tensor(x), rmt, rvt))


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(4)
    with pytest.raises(RuntimeError, match="BatchNorm1d: expected input with 4 channels"):
        bn(tg.randn(2, 3))
    with pytest.raises(ValueError, match="BatchNorm2d: expected a 4-D"):
        nn.BatchNorm2d(4)(tg.randn(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(tg.randn(1, 4))
    bn.eval()
    assert bn(tg.randn(1, 4)).shape == (1, 4)  # fine in eval mode


def test_batchnorm_repr_like_torch():
    assert repr(nn.BatchNorm2d(8)) == repr(torch.nn.BatchNorm2d(8))
    assert repr(nn.BatchNorm1d(3, momentum=None, affine=False)) == repr(
        torch.nn.BatchNorm1d(3, momentum=None, affine=False)
    )


def test_batchnorm_without_bias_matches_torch():
    ours, theirs = nn.BatchNorm1d(3, bias=False), torch.nn.BatchNorm1d(3, bias=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_layer(ours, theirs, rand(0, 5, 3))
