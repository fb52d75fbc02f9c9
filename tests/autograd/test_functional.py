"""tg.autograd.functional against torch.autograd.functional on smooth functions, with single
Tensors and tuples as inputs and outputs, and create_graph / strict."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.autograd.functional as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3,))
M = RNG.standard_normal((3, 2))
V3, V2, V32 = RNG.standard_normal(3), RNG.standard_normal(2), RNG.standard_normal((3, 2))
W = RNG.standard_normal((2, 2))


def elementwise(x):  # R^3 -> R^3
    return x.sin() * x.exp() + x**2


def matrix(x, m):  # (R^3, R^{3x2}) -> R^2
    return (x @ m).tanh()


def two_outputs(x, m):  # -> (R^{3x2}, scalar)
    return x.unsqueeze(1) * m, (x**3).sum() + (m.sigmoid() * m).sum()


def scalar(x, m):  # -> scalar
    return (x.sin().unsqueeze(1) * m).sum() + (x**3).sum() + (m**2).tanh().sum()


def scalar1(x):
    return (x.exp() * x.cos()).sum()


def _to(lib, arrays):
    if isinstance(arrays, tuple):
        return tuple(lib.tensor(a.copy()) for a in arrays)
    return lib.tensor(arrays.copy())


def _close(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b)
        return
    assert isinstance(ours, tg.Tensor), type(ours)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(
        ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12
    )


CASES = [
    ("jacobian", elementwise, X, None),
    ("jacobian", matrix, (X, M), None),
    ("jacobian", two_outputs, (X, M), None),
    ("jacobian", lambda x: (x.exp(), x.sum()), X, None),
    ("hessian", scalar1, X, None),
    ("hessian", scalar, (X, M), None),
    ("vjp", elementwise, X, V3),
    ("vjp", matrix, (X, M), V2),
    ("vjp", two_outputs, (X, M), (V32, np.array(1.5))),
    ("vjp", scalar1, X, None),
    ("jvp", elementwise, X, V3),
    ("jvp", matrix, (X, M), (V3, V32)),
    ("jvp", two_outputs, (X, M), (V3, V32)),
    ("hvp", scalar1, X, V3),
    ("hvp", scalar, (X, M), (V3, V32)),
    ("vhp", scalar1, X, V3),
    ("vhp", scalar, (X, M), (V3, V32)),
]


@pytest.mark.parametrize(
    "name, func, inputs, v", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_torch(name, func, inputs, v):
    ours_fn, theirs_fn = getattr(F, name), getattr(TF, name)
    args = () if v is None or name in ("jacobian", "hessian") else None
    if name in ("jacobian", "hessian"):
        ours, theirs = ours_fn(func, _to(tg, inputs)), theirs_fn(func, _to(torch, inputs))
    else:
        args = () if v is None else (_to(tg, v),)
        targs = () if v is None else (_to(torch, v),)
        ours, theirs = (
            ours_fn(func, _to(tg, inputs), *args),
            theirs_fn(func, _to(torch, inputs), *targs),
        )
    _close(ours, theirs)


def test_results_are_detached_unless_create_graph():
    x = tg.tensor(X.copy(), requires_grad=True)
    J = F.jacobian(elementwise, x)
    assert not J.requires_grad and J.grad_fn is None
    J = F.jacobian(elementwise, x, create_graph=True)
    assert J.requires_grad
    J.sum().backward()  # d/dx of sum_ij dy_i/dx_j = the diagonal's second derivative
    tx = torch.tensor(X.copy(), requires_grad=True)
    TF.jacobian(elementwise, tx, create_graph=True).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


def test_hvp_with_create_graph_differentiates_to_third_order():
    x, tx = tg.tensor(X.copy(), requires_grad=True), torch.tensor(X.copy(), requires_grad=True)
    v, tv = tg.tensor(V3.copy()), torch.tensor(V3.copy())
    _, hv = F.hvp(scalar1, x, v, create_graph=True)
    _, thv = TF.hvp(scalar1, tx, tv, create_graph=True)
    hv.sum().backward()
    thv.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


def test_unused_input_gives_zeros_or_raises_with_strict():
    x, m = tg.tensor(X.copy()), tg.tensor(M.copy())
    J = F.jacobian(lambda a, b: a * 2, (x, m))
    assert J[1].shape == (3, 3, 2) and not J[1].numpy().any()
    tJ = TF.jacobian(lambda a, b: a * 2, (torch.tensor(X), torch.tensor(M)))
    _close(J, tJ)
    with pytest.raises(RuntimeError, match="jacobian: the output is independent of input 1"):
        F.jacobian(lambda a, b: a * 2, (x, m), strict=True)
    with pytest.raises(RuntimeError, match="vjp: the output is independent of input 0"):
        F.vjp(lambda a: tg.ones(3), x, tg.ones(3), strict=True)


def test_argument_errors():
    x = tg.tensor(X.copy())
    with pytest.raises(TypeError, match=r"vjp: inputs\[0\] must be a Tensor .* got float"):
        F.vjp(elementwise, [1.0, 2.0])
    with pytest.raises(TypeError, match="jacobian: output of func must be a Tensor"):
        F.jacobian(lambda a: 3.0, x)
    with pytest.raises(RuntimeError, match="vjp: v can be omitted only"):
        F.vjp(elementwise, x)
    with pytest.raises(ValueError, match=r"jvp: v 0 has shape \(2,\) but input 0 has shape"):
        F.jvp(elementwise, x, tg.ones(2))
    with pytest.raises(RuntimeError, match="hessian: func must return a single one-element"):
        F.hessian(elementwise, x)
    with pytest.raises(ValueError, match="strategy must be"):
        F.jacobian(elementwise, x, strategy="sideways")


def test_vectorize_flag_is_accepted_and_gives_the_same_values():
    x = tg.tensor(X.copy())
    _close(
        F.jacobian(elementwise, x, vectorize=True),
        TF.jacobian(elementwise, torch.tensor(X), vectorize=True),
    )
    _close(F.hessian(scalar1, x, vectorize=True), TF.hessian(scalar1, torch.tensor(X)))


def test_reachable_as_tg_autograd_functional():
    assert tg.autograd.functional.jacobian is F.jacobian
