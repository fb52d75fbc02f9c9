"""repr(tensor) against PyTorch's, text for text (tinygrad_edu names dtypes tg.float64 where
PyTorch prints torch.float64; everything else, spacing and line breaks included, is the same)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import _tensor_str

SHAPES = [
    (),
    (0,),
    (1,),
    (5,),
    (3, 4),
    (2, 3, 4),
    (0, 3),
    (2, 0, 2),
    (1001,),
    (40, 30),
    (3, 400),
    (5, 5, 50),
    (2, 2, 2, 2),
    (7, 13),
    (100,),
]
FLOATS = ["float32", "float64", "float16"]
INTS = ["int64", "int32", "int8", "uint8", "bool"]


def _same(a: np.ndarray, requires_grad: bool = False) -> None:
    mine = repr(tg.tensor(a, requires_grad=requires_grad)).replace("dtype=tg.", "dtype=torch.")
    assert mine == repr(torch.tensor(a, requires_grad=requires_grad))


def _floats(rng, shape, scale: float, mode: str) -> np.ndarray:
    a = rng.standard_normal(shape) * scale
    if mode == "integral":  # all values whole numbers: printed as '3.'
        a = np.round(a * 10)
    elif mode == "mixed" and a.size > 1:  # a wide range of magnitudes: scientific notation
        a.flat[0] = 1e6 * scale
    elif mode == "special" and a.size > 2:
        a.flat[0], a.flat[1] = np.nan, -np.inf
    return a


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", FLOATS)
def test_float_repr_matches_pytorch(shape, dtype):
    rng = np.random.default_rng(len(shape) * 31 + sum(shape))
    for scale in (1.0, 1e-5, 1e5, 1e9, 0.5):
        for mode in ("normal", "integral", "mixed", "special"):
            with np.errstate(over="ignore"):  # 1e9 is inf in float16: printed as such
                a = _floats(rng, shape, scale, mode).astype(dtype)
            _same(a)
            if dtype != "float16":
                _same(a, requires_grad=True)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", INTS)
def test_integer_and_bool_repr_matches_pytorch(shape, dtype):
    rng = np.random.default_rng(sum(shape) + 7)
    a = np.round(rng.standard_normal(shape) * 100)
    a = a > 0 if dtype == "bool" else np.clip(a, 0 if dtype == "uint8" else -100, 100)
    _same(a.astype(dtype))


def test_suffixes_grad_fn_default_dtype_and_parameter():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2).startswith("tensor([2., 4.], grad_fn=<Mul")
    assert repr(tg.nn.Parameter(tg.tensor([1.0]))) == repr(torch.nn.Parameter(torch.tensor([1.0])))
    tg.set_default_dtype(tg.float64)
    try:
        assert repr(tg.tensor([1.5])) == "tensor([1.5000])"
        assert repr(tg.tensor([1.5], dtype=tg.float32)) == "tensor([1.5000], dtype=tg.float32)"
        assert repr(tg.zeros(0, dtype=tg.int64)) == "tensor([], dtype=tg.int64)"
    finally:
        tg.set_default_dtype(tg.float32)


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"threshold": 5},
        {"profile": "short"},
        {"sci_mode": True},
        {"sci_mode": False},
        {"linewidth": 30},
        {"profile": "full"},
        {"edgeitems": 1, "threshold": 3},
    ],
    ids=str,
)
def test_set_printoptions_matches_pytorch(options):
    try:
        tg.set_printoptions(**options)
        torch.set_printoptions(**options)
        for values in ([1.12345, 2.5], list(range(10)), [[1.5e-5] * 12] * 7, [3e9, 1.0]):
            _same(np.asarray(values))
    finally:
        tg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_set_printoptions_rejects_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'tiny'"):
        tg.set_printoptions(profile="tiny")


def test_format_of_0d_tensor_formats_the_number():
    assert format(tg.tensor(3.14159), ".3f") == format(torch.tensor(3.14159), ".3f") == "3.142"
    assert f"{tg.tensor(7)}" == f"{torch.tensor(7)}" == "7"
    assert f"{tg.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"
    with pytest.raises(TypeError, match="unsupported format string"):
        format(tg.tensor([1.0, 2.0]), ".3f")


def test_type_names_are_pytorchs():
    for dtype, name in [
        ("float32", "Float"),
        ("float64", "Double"),
        ("float16", "Half"),
        ("int64", "Long"),
        ("int32", "Int"),
        ("int16", "Short"),
        ("int8", "Char"),
        ("uint8", "Byte"),
        ("bool", "Bool"),
    ]:
        assert tg.zeros(1, dtype=dtype).type() == f"torch.{name}Tensor"
        assert torch.zeros(1, dtype=getattr(torch, dtype)).type() == f"torch.{name}Tensor"
        assert _tensor_str.dtype_of_type_name(f"torch.{name}Tensor") == tg.backend.as_dtype(dtype)
    assert tg.ones(2).type("torch.DoubleTensor").dtype == tg.float64
    assert tg.ones(2).type(tg.long).dtype == tg.int64
    with pytest.raises(TypeError, match="unknown tensor type 'torch.FooTensor'"):
        tg.ones(2).type("torch.FooTensor")
