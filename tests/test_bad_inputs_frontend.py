"""Bad inputs whose check belongs in the operator front end and Tensor state (composite/
operators.py, tensor.py), plus the cached scalar constant that turned into -0.0 (issue 10,
section 2). Same row format and checks as tests/test_bad_inputs.py.
"""

import pytest

import tinygrad_edu as tg

from .bad_inputs_tensor import IX, RT, R, T, V
from .test_bad_inputs import _TG, _namespace, _raised, message_text

ROWS = [
    R("M.ones(2) + 'a'", T, "add", "str"),
    R("M.ones(2) * None", T, "mul", "none"),
    R("M.ones(2) - object()", T, "sub", "object"),
    R("M.ones(2) / 'x'", T, "div", "str"),
    R("M.ones(2) ** 'x'", T, "pow", "str"),
    R("M.ones(2).add('a')", T, "add", "str"),
    R("M.ones(2).mul(None)", T, "mul", "none"),
    R("M.ones(2) % M.ones(3)", RT, "remainder", "(2,)", "(3,)"),
    R("float(M.ones(2))", V, "float", "(2,)"),
    R("int(M.ones(3))", V, "int", "(3,)"),
    R("M.tensor([1, 2]).requires_grad_()", RT, "requires_grad", "int64"),
    R("M.tensor([1, 2], requires_grad=True)", RT, "requires_grad", "int64"),
    R("M.ones(3).__setitem__(5, 1.0)", IX, "5", "(3,)"),
    R("M.ones(3).__setitem__(slice(None), M.ones(2))", RT, "(2,)", "(3,)"),
    R("M.ones(3).__setitem__(0, 'a')", T, "'a'"),
    R("M.ones(3).__setitem__(1.5, 1.0)", IX, "1.5"),
    R("M.ones(2).uniform_(1.0, 0.0)", RT, "uniform_", "1.0", "0.0"),
    R("M.ones(2).normal_(std=-1.0)", RT, "normal_", "-1.0"),
    R("M.ones(2).fill_(M.ones(2))", RT, "fill_", "(2,)"),
    R("M.ones(2).fill_('a')", T, "fill_", "'a'"),
    R("M.ones(2).copy_(M.ones(3))", RT, "copy_", "(3,)", "(2,)"),
    R("M.ones(2).copy_([1.0, 2.0])", T, "copy_", "list"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_refused_naming_op_and_value(row):
    expr, exc, words, _ = row
    err = _raised(expr, _TG)
    assert err is not None, f"{expr} was accepted"
    assert isinstance(err, exc), f"{expr} raised {type(err).__name__}: {err}, expected {exc}"
    missing = [w for w in words if w.lower() not in message_text(err)]
    assert not missing, f"{expr}: message {str(err)!r} does not name {missing}"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_pytorch_refuses_too(row):
    torch = pytest.importorskip("torch")
    assert _raised(row[3], _namespace(torch)) is not None, f"PyTorch accepts {row[3]}"


def test_scalar_constant_keeps_its_sign():
    """x * -0.0 once must not turn the cached 0.0 constant into -0.0 (1 / (x * 0.0) is +inf)."""
    x = tg.ones(2)
    assert (1 / (x * -0.0)).tolist() == [float("-inf")] * 2
    assert (1 / (x * 0.0)).tolist() == [float("inf")] * 2
    assert (1 / (x + -0.0 - 1.0 + 1.0)).tolist() == [1.0, 1.0]
    y = tg.ones(2, dtype=tg.float64)
    assert (1 / (y * 0.0)).tolist() == [float("inf")] * 2
    assert (1 / (y * -0.0)).tolist() == [float("-inf")] * 2
