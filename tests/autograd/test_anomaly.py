"""detect_anomaly's switches: check_nan=False looks for no NaN, check_inf=True for Inf."""

from __future__ import annotations

import pytest

import tinygrad_edu as tg


def _nan_and_inf():
    zero = tg.zeros(2, requires_grad=True)
    nan = zero / zero  # forward produces NaN
    inf = tg.ones(2) / tg.zeros(2)  # forward produces Inf
    return nan, inf


def test_check_nan_false_does_not_raise_for_nan():
    with tg.autograd.detect_anomaly(check_nan=False):
        nan, _ = _nan_and_inf()
    assert bool(tg.isnan(nan).all())


def test_check_nan_true_raises_for_nan_only():
    with tg.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="produced nan"):
        _nan_and_inf()
    with tg.autograd.detect_anomaly():
        tg.ones(2) / tg.zeros(2)  # Inf is not checked by default


def test_check_inf_without_check_nan():
    with tg.autograd.detect_anomaly(check_nan=False, check_inf=True):
        zero = tg.zeros(2)
        zero / zero  # NaN: not looked for
        with pytest.raises(RuntimeError, match="produced inf"):
            tg.ones(2) / zero
    assert tg.autograd.grad_mode.state.check_nan  # restored on exit
