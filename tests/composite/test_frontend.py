"""The front end's dtype promotion against PyTorch: every pair of operand kinds (dimensioned
tensor, 0-d tensor, Python number) and dtypes, through every door (binary ops, where, cat)."""

import itertools

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

DTYPES = ["bool", "int32", "int64", "float32", "float64"]


def _operand(lib, kind, dtype):
    if kind == "number":
        return {"bool": True, "int32": 3, "int64": 3, "float32": 2.5, "float64": 2.5}[dtype]
    dt = getattr(lib, dtype)
    shape = (2,) if kind == "tensor" else ()
    return lib.ones(shape, dtype=dt)


CASES = [
    (ka, da, kb, db)
    for ka, kb in itertools.product(["tensor", "0-d", "number"], repeat=2)
    if not (ka == kb == "number")
    for da, db in itertools.product(DTYPES, repeat=2)
    if not (ka == "number" and da in ("int32", "float32"))
    and not (kb == "number" and db in ("int32", "float32"))
]


@pytest.mark.parametrize("ka,da,kb,db", CASES)
def test_add_and_mul_result_dtype_matches_torch(ka, da, kb, db):
    if da == db == "bool":
        pytest.skip("bool + bool is refused by PyTorch's add")
    ours = _operand(tg, ka, da) * _operand(tg, kb, db)
    theirs = _operand(torch, ka, da) * _operand(torch, kb, db)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("da,db", itertools.product(DTYPES[1:], repeat=2))
@pytest.mark.parametrize("kb", ["tensor", "0-d", "number"])
def test_where_result_dtype_matches_torch(da, db, kb):
    def run(lib):
        return lib.where(
            lib.ones(2, dtype=lib.bool), _operand(lib, "tensor", da), _operand(lib, kb, db)
        )

    if kb == "number" and db in ("int32", "float32"):
        pytest.skip("numbers are int64/float")
    assert str(run(tg).dtype) == str(run(torch).dtype).replace("torch.", "")


@pytest.mark.parametrize("da,db", itertools.product(DTYPES, repeat=2))
def test_cat_result_dtype_matches_torch(da, db):
    ours = tg.cat([tg.ones(2, dtype=getattr(tg, da)), tg.ones(3, dtype=getattr(tg, db))])
    theirs = torch.cat(
        [torch.ones(2, dtype=getattr(torch, da)), torch.ones(3, dtype=getattr(torch, db))]
    )
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_true_division_of_integers_gives_the_default_float():
    assert (tg.tensor([1, 2]) / tg.tensor(2)).dtype == np.float32
    assert (tg.tensor([1, 2], dtype=tg.int32) / 2).dtype == np.float32


def test_negative_zero_constant_is_not_cached_as_zero():
    x = tg.ones(2)
    _ = x * -0.0
    assert np.all(np.isposinf((1 / (x * 0.0)).numpy()))
    _ = x * 0.0
    assert np.all(np.isneginf((1 / (x * -0.0)).numpy()))


def test_errors_name_the_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"Add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        tg.ones(2, 3) + tg.ones(4)
    with pytest.raises(RuntimeError, match=r"where: shapes"):
        tg.where(tg.ones(2, dtype=tg.bool), tg.ones(3), 0.0)
    with pytest.raises(
        TypeError, match="cat: expected a sequence of tensors, but element 0 is of type int"
    ):
        tg.cat([1, 2])
