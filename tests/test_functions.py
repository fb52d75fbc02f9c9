"""Function forms (tg.X): out= as PyTorch's, and tg.clone / detach / unflatten / t."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

A = np.array([[1.0, -2.0, 3.5], [0.25, 4.0, -1.0]], dtype=np.float32)
B = np.array([[2.0, 1.0, -1.0], [3.0, 0.5, 2.0]], dtype=np.float32)

# name -> call(module, a, b, out): the same call in both libraries
OUT_FORMS = {
    "add": lambda m, a, b, out: m.add(a, b, alpha=2, out=out),
    "sub": lambda m, a, b, out: m.sub(a, b, out=out),
    "mul": lambda m, a, b, out: m.mul(a, b, out=out),
    "div": lambda m, a, b, out: m.div(a, b, out=out),
    "pow": lambda m, a, b, out: m.pow(a.abs(), b, out=out),
    "maximum": lambda m, a, b, out: m.maximum(a, b, out=out),
    "matmul": lambda m, a, b, out: m.matmul(a, b.T, out=out),
    "mm": lambda m, a, b, out: m.mm(a, b.T, out=out),
    "cat": lambda m, a, b, out: m.cat([a, b], 1, out=out),
    "stack": lambda m, a, b, out: m.stack([a, b], out=out),
    "where": lambda m, a, b, out: m.where(a > 0, a, b, out=out),
    "clamp": lambda m, a, b, out: m.clamp(a, -1.0, 1.0, out=out),
    "exp": lambda m, a, b, out: m.exp(a, out=out),
    "log": lambda m, a, b, out: m.log(a.abs(), out=out),
    "sqrt": lambda m, a, b, out: m.sqrt(a.abs(), out=out),
    "tanh": lambda m, a, b, out: m.tanh(a, out=out),
    "sigmoid": lambda m, a, b, out: m.sigmoid(a, out=out),
    "abs": lambda m, a, b, out: m.abs(a, out=out),
    "neg": lambda m, a, b, out: m.neg(a, out=out),
    "round": lambda m, a, b, out: m.round(a, out=out),
    "floor": lambda m, a, b, out: m.floor(a, out=out),
    "sum": lambda m, a, b, out: m.sum(a, 1, out=out),
    "mean": lambda m, a, b, out: m.mean(a, 0, keepdim=True, out=out),
    "prod": lambda m, a, b, out: m.prod(a, 1, out=out),
    "amax": lambda m, a, b, out: m.amax(a, 1, out=out),
    "logsumexp": lambda m, a, b, out: m.logsumexp(a, 1, out=out),
}


def _both(fn, out_shape=None):
    """Run fn with out= in both libraries; return (tg out, tg result, torch out, torch result)."""
    results = []
    for m in (tg, torch):
        a, b = m.tensor(A), m.tensor(B)
        ref = fn(m, a, b, None)
        out = m.empty(*(ref.shape if out_shape is None else out_shape))
        results += [out, fn(m, a, b, out), ref]
    return results


@pytest.mark.parametrize("name", list(OUT_FORMS))
def test_out_writes_into_the_given_tensor_as_pytorch(name):
    mine_out, mine, mine_ref, out, theirs, _ = _both(OUT_FORMS[name])
    assert mine is mine_out and theirs is out
    np.testing.assert_allclose(mine_out.numpy(), out.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(mine_out.numpy(), mine_ref.numpy())


def test_out_shares_memory_and_bumps_the_version():
    arr = np.zeros(3, dtype=np.float32)
    out = tg.from_numpy(arr)
    before = out._version
    tg.add(tg.ones(3), 1, out=out)
    assert arr.tolist() == [2.0, 2.0, 2.0] and out._version > before


def test_out_of_another_shape_is_resized_with_pytorchs_warning():
    with pytest.warns(UserWarning, match=r"resized since it had shape \[4\].*shape \[3\]"):
        out = tg.add(tg.ones(3), 1, out=tg.empty(4))
    assert out.shape == (3,)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty out is resized silently, as in PyTorch
        assert tg.exp(tg.zeros(2), out=tg.empty(0)).tolist() == [1.0, 1.0]


def test_out_casts_to_its_dtype_but_never_to_a_lower_kind():
    out = tg.empty(2, dtype=tg.float64)
    assert tg.add(tg.tensor([1, 2]), 1, out=out).dtype == tg.float64 and out.tolist() == [2, 3]
    for m in (tg, torch):
        with pytest.raises(
            RuntimeError, match="result type Float can't be cast to the desired output type Long"
        ):
            m.exp(m.ones(2), out=m.empty(2, dtype=m.long))


def test_out_refuses_autograd_as_pytorch():
    for m in (tg, torch):
        a = m.ones(2, requires_grad=True)
        msg = r"add\(\): functions with out=\.\.\. arguments don't support automatic diff"
        with pytest.raises(RuntimeError, match=msg):
            m.add(a, 1, out=m.empty(2))
        with pytest.raises(RuntimeError, match=msg):
            m.add(m.ones(2), 1, out=m.empty(2, requires_grad=True))
        with m.no_grad():
            out = m.empty(2, requires_grad=True)
            assert m.add(a, 1, out=out) is out and out.tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
        tg.add(tg.ones(2), 1, out=[0, 0])


def test_clone_detach_unflatten_t_function_forms():
    x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    c = tg.clone(x)
    assert c.grad_fn is not None and c.data is not x.data and c.tolist() == x.tolist()
    d = tg.detach(x)
    assert not d.requires_grad and np.shares_memory(d.data, x.data)
    assert tg.unflatten(tg.arange(6), 0, (2, 3)).shape == (2, 3)
    assert tg.t(x).shape == (3, 2) and x.t().tolist() == torch.tensor(x.tolist()).t().tolist()
    assert tg.ones(3).t().shape == (3,)
    for m in (tg, torch):
        with pytest.raises(
            RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"
        ):
            m.ones(2, 2, 2).t()


@pytest.mark.parametrize("name", ["sign", "round", "floor", "ceil"])
def test_piecewise_constant_ops_have_a_grad_fn_and_zero_gradient(name):
    for m in (tg, torch):
        x = m.tensor([1.5, -2.3, 0.0], requires_grad=True)
        y = getattr(m, name)(x)
        assert y.grad_fn is not None and y.requires_grad
        (y * 3).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]


# ----------------------------------------------------------------------------- one door per op
def _method_of(fn):
    """The Tensor method a function form is made from (itself for the ones bound directly)."""
    return getattr(fn, "__wrapped__", fn)


METHOD_FORMS = [n for n in tg.functions.__all__ if hasattr(tg.Tensor, n) and n != "where"]
F_ACTIVATIONS = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "tanh",
    "softplus", "mish", "hardtanh", "logsigmoid", "softsign", "hardsigmoid", "hardswish",
    "softmax", "log_softmax",
]  # fmt: skip


@pytest.mark.parametrize("name", METHOD_FORMS)
def test_function_form_is_the_tensor_method_itself(name):
    """tg.X is Tensor.X, or Tensor.X behind PyTorch's input check: an op is written once."""
    assert _method_of(getattr(tg, name)) is getattr(tg.Tensor, name)


@pytest.mark.parametrize("name", F_ACTIVATIONS)
def test_nn_functional_binds_the_same_function(name):
    f = getattr(tg.nn.functional, name)
    assert _method_of(f) is getattr(tg.Tensor, name)
    if hasattr(tg, name):
        assert f is getattr(tg, name)


@pytest.mark.parametrize(
    "name", [n for n in METHOD_FORMS if n not in ("add", "sub", "mul", "div", "pow")]
)
def test_function_form_refuses_a_non_tensor_input_naming_the_op(name):
    with pytest.raises(TypeError, match=rf"^{name}\(\): argument 'input' \(position 1\) must be "):
        getattr(tg, name)([1.0, 2.0])


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_arithmetic_function_forms_take_a_number_first_as_pytorch(name):
    got = getattr(tg, name)(2, tg.tensor([1.0, 4.0]))
    want = getattr(torch, name)(2, torch.tensor([1.0, 4.0]))
    np.testing.assert_allclose(got.numpy(), want.numpy())


# relu6, hardsigmoid and hardswish at their kinks (x = 0, 6, +-3): PyTorch's gradient is 0 at the
# bounds, where clamp's is 1 (a bug found by the in-place test below)
KINKS = np.array([-4.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])


# (hardtanh keeps clamp's gradient at its bounds: API.md says so, unlike PyTorch's hardtanh)
@pytest.mark.parametrize("name", ["relu6", "hardsigmoid", "hardswish"])
def test_hard_activations_have_pytorchs_gradient_at_their_bounds(name):
    grads = []
    for m, F in ((tg, tg.nn.functional), (torch, torch.nn.functional)):
        x = m.tensor(KINKS, requires_grad=True)
        y = getattr(F, name)(x)
        y.sum().backward()
        grads.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    # (PyTorch's hardsigmoid gradient uses 1/6 rounded to float32 even in float64)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-7, atol=0)


INPLACE_ACTIVATIONS = {
    "relu": {}, "relu6": {}, "leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.5},
    "selu": {}, "silu": {}, "mish": {}, "hardtanh": {"min_val": -0.5, "max_val": 0.5},
    "hardsigmoid": {}, "hardswish": {},
}  # fmt: skip


@pytest.mark.parametrize("name", list(INPLACE_ACTIVATIONS))
def test_functional_inplace_writes_into_the_input_with_pytorchs_gradient(name):
    """F.X(x, inplace=True) changes x itself (as PyTorch) and the gradient still flows."""
    kw = INPLACE_ACTIVATIONS[name]
    x = np.linspace(-4, 4, 9).astype(np.float64)
    g = np.random.default_rng(0).standard_normal(9)
    res = {}
    for m, F in ((tg, tg.nn.functional), (torch, torch.nn.functional)):
        leaf = m.tensor(x, requires_grad=True)
        h = leaf * 1.0
        y = getattr(F, name)(h, inplace=True, **kw)
        assert y is h
        (y * m.tensor(g)).sum().backward()
        res[m] = (h.detach().numpy().copy(), leaf.grad.numpy())
        plain = m.tensor(x)
        getattr(F, name)(plain, inplace=True, **kw)
        np.testing.assert_allclose(plain.numpy(), res[m][0])
    for a, b in zip(res[tg], res[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


def test_functional_inplace_on_a_leaf_is_refused_as_pytorch():
    for m, F in ((tg, tg.nn.functional), (torch, torch.nn.functional)):
        with pytest.raises(RuntimeError, match="leaf"):
            F.relu(m.ones(2, requires_grad=True), inplace=True)


def test_softmax_without_dim_warns_and_uses_pytorchs_implicit_dim():
    for dims in ((2, 3, 4), (3, 4), (4,)):
        a = np.arange(np.prod(dims), dtype=np.float32).reshape(dims) / 10
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            got = tg.nn.functional.softmax(tg.tensor(a))
        with pytest.warns(UserWarning):
            want = torch.nn.functional.softmax(torch.tensor(a))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_functional_dropout_inplace_overwrites_the_input():
    tg.manual_seed(0)
    leaf = tg.ones(1000, requires_grad=True)
    h = leaf * 1.0
    y = tg.nn.functional.dropout(h, 0.25, training=True, inplace=True)
    assert y is h
    kept = h.detach().numpy() != 0
    np.testing.assert_allclose(h.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)
    x = tg.ones(4)
    tg.nn.functional.dropout(x, 1.0, inplace=True)
    assert x.tolist() == [0.0] * 4
