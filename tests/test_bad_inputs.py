"""Every bad input is refused at the call, as PyTorch refuses it (issue 10, section 2).

The rows live in tests/bad_inputs_tensor.py and tests/bad_inputs_nn.py: each runs against
tinygrad_edu, which must raise the row's exception type with a message naming the op and the
offending value or shape, and (where PyTorch has the call) against PyTorch, which must raise too.
The few calls where PyTorch gives a value instead are checked by value at the end.
"""

import re
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.data
import tinygrad_edu.data.transforms
import tinygrad_edu.nn
import tinygrad_edu.nn.functional
import tinygrad_edu.nn.init
import tinygrad_edu.nn.utils
import tinygrad_edu.optim
import tinygrad_edu.optim.lr_scheduler  # noqa: F401 - the rows reach these as attributes

from .bad_inputs_nn import ROWS as NN_ROWS
from .bad_inputs_tensor import ROWS as TENSOR_ROWS

ROWS = TENSOR_ROWS + NN_ROWS


def _namespace(lib) -> dict:
    """The names a row's expression may use, bound to tinygrad_edu or to torch."""
    if lib is tg:
        data = tg.data
        data_ns = {"transforms": tg.data.transforms}
    else:
        import torch.nn.functional
        import torch.optim.lr_scheduler  # noqa: F401 - reached as an attribute
        import torch.utils.data as data

        data_ns = {}
    nn = lib.nn

    class _Data:  # D.X for the data names (torch.utils.data or tinygrad_edu.data)
        def __getattr__(self, name):
            return data_ns[name] if name in data_ns else getattr(data, name)

    def p(*shape):
        return nn.Parameter(lib.ones(*(shape or (2,))))

    def g(params, value):
        """The parameters, each given a gradient full of `value`."""
        for q in params:
            q.grad = lib.full(tuple(q.shape), value)
        return params

    return {
        "M": lib,
        "nn": nn,
        "F": nn.functional,
        "init": nn.init,
        "optim": lib.optim,
        "sched": lib.optim.lr_scheduler,
        "D": _Data(),
        "np": np,
        "p": p,
        "g": g,
        "opt": lambda: lib.optim.SGD([p()], lr=0.1),
        "ds": lambda n=4: data.TensorDataset(lib.ones(n, 2), lib.zeros(n)),
    }


_TG = _namespace(tg)


def message_text(err: Exception) -> str:
    """The message in lower case, shapes printed as tg.Size([2, 3]) read as (2, 3)."""

    def as_tuple(m: re.Match) -> str:
        inner = m.group(1)
        return f"({inner},)" if inner and "," not in inner else f"({inner})"

    return re.sub(r"tg\.Size\(\[([^\]]*)\]\)", as_tuple, str(err)).lower()


def _raised(expr: str, ns: dict):
    try:
        eval(expr, dict(ns))
    except Exception as e:  # noqa: BLE001 - the row says which type it must be
        return e
    return None


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_refused_naming_op_and_value(row):
    expr, exc, words, _ = row
    err = _raised(expr, _TG)
    assert err is not None, f"{expr} was accepted"
    assert isinstance(err, exc), f"{expr} raised {type(err).__name__}: {err}, expected {exc}"
    text = message_text(err)
    missing = [w for w in words if w.lower() not in text]
    assert not missing, f"{expr}: message {str(err)!r} does not name {missing}"


@pytest.mark.parametrize("row", [r for r in ROWS if r[3]], ids=[r[0] for r in ROWS if r[3]])
def test_pytorch_refuses_too(row):
    torch = pytest.importorskip("torch")
    torch_expr = row[3]

    with warnings.catch_warnings():  # PyTorch warns on some of these before raising
        warnings.simplefilter("ignore")
        err = _raised(torch_expr, _namespace(torch))
    assert err is not None, f"PyTorch accepts {torch_expr}"


# ------------------------------------------------------------------ calls PyTorch answers by value
def test_negative_seed_wraps_into_uint64_as_in_pytorch():
    tg.manual_seed(-1)
    a = tg.rand(3).tolist()
    tg.manual_seed(2**64 - 1)
    assert tg.rand(3).tolist() == a
    tg.manual_seed(-(2**63))  # the smallest seed PyTorch accepts
    # every random op still works after a negative seed
    assert tg.randn(2).shape == (2,) and tg.randint(0, 5, (4,)).max().item() < 5
    assert sorted(tg.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    assert tg.nn.functional.dropout(tg.ones(8), 0.5).shape == (8,)
    tg.manual_seed(0)


def test_float_floor_divide_and_remainder_by_zero_match_pytorch():
    torch = pytest.importorskip("torch")
    x = [1.0, -2.0, 0.0]
    for op in ("__floordiv__", "__mod__"):
        got = getattr(tg.tensor(x), op)(0.0).numpy()
        want = getattr(torch.tensor(x), op)(0.0).numpy()
        np.testing.assert_array_equal(got, want)
    assert (tg.tensor([7, -7]) // 2).tolist() == (torch.tensor([7, -7]) // 2).tolist()
    assert (tg.tensor([7, -7]) % 3).tolist() == (torch.tensor([7, -7]) % 3).tolist()


@pytest.mark.parametrize("args", [(0, -2, 2), (0, 0, 5), (0, 5, 0), (0, -5, 5), (1, 1, 2)])
def test_valid_narrow_matches_pytorch(args):
    torch = pytest.importorskip("torch")
    x = np.arange(10.0).reshape(5, 2) if args[0] == 0 else np.arange(12.0).reshape(3, 4)
    got = tg.tensor(x).narrow(*args).numpy()
    np.testing.assert_array_equal(got, torch.tensor(x).narrow(*args).numpy())


@pytest.mark.parametrize("n,chunks", [(5, 2), (4, 4), (3, 5), (0, 2), (7, 3)])
def test_valid_chunk_and_split_match_pytorch(n, chunks):
    torch = pytest.importorskip("torch")
    if n:  # (PyTorch's chunk of an empty dim gives `chunks` empty pieces; ours gives one)
        got = [t.shape for t in tg.ones(n).chunk(chunks)]
        assert got == [tuple(t.shape) for t in torch.ones(n).chunk(chunks)]
    got = [t.shape for t in tg.ones(n).split(chunks)]
    assert got == [tuple(t.shape) for t in torch.ones(n).split(chunks)]
    if n == 0:
        assert len(tg.ones(0).split(0)) == len(torch.ones(0).split(0))


def test_gather_in_range_and_float_special_values_still_work():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.gather(1, tg.tensor([[1], [0]])).tolist() == [[2.0], [3.0]]
    assert tg.tensor([float("nan"), float("inf")]).isnan().tolist() == [True, False]
    assert tg.tensor(np.array([1, 2], dtype=np.int32)).dtype == np.int32
    assert tg.tensor([True, 2.5]).tolist() == [1.0, 2.5]
