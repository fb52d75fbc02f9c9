"""The op table (tests/op_specs.py) run three ways: against PyTorch in float32 and float64 with a
random upstream gradient, float64 gradcheck, and second-order gradcheck for smooth ops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tests.op_specs import SPECS
from tinygrad_edu.testing import compare_with_torch, gradcheck, gradgradcheck

FAST = settings(max_examples=12, deadline=None)
ids = [s.name for s in SPECS]


def _cast(arrays, dtype):
    return [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]


@pytest.mark.parametrize("spec", SPECS, ids=ids)
@FAST
@given(data=st.data())
def test_matches_torch_float32(spec, data, device):
    arrays, kw = spec.sample(data)
    compare_with_torch(
        lambda *t: spec.tg(*t, **kw),
        lambda *t: spec.torch(*t, **kw),
        *_cast(arrays, np.float32),
        atol=spec.atol,
        rtol=spec.rtol,
        device=device,
    )


@pytest.mark.parametrize("spec", SPECS, ids=ids)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_matches_torch_float64(spec, data):
    arrays, kw = spec.sample(data)
    compare_with_torch(
        lambda *t: spec.tg(*t, **kw),
        lambda *t: spec.torch(*t, **kw),
        *arrays,
        atol=1e-10,
        rtol=1e-8,
    )


def _tensors(arrays):
    return [tg.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]


@pytest.mark.parametrize("spec", SPECS, ids=ids)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_gradcheck(spec, data):
    arrays, kw = spec.sample(data)
    assert gradcheck(lambda *t: spec.tg(*t, **kw), _tensors(arrays), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.smooth], ids=[s.name for s in SPECS if s.smooth]
)
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_second_order(spec, data):
    arrays, kw = spec.sample(data)
    assert gradgradcheck(lambda *t: spec.tg(*t, **kw), _tensors(arrays), atol=1e-5, rtol=1e-3)
