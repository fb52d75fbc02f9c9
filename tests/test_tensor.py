"""The Tensor's state, constructors, conversions, dtype rules and errors (API.md's Tensor
section)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor


# ----------------------------------------------------------------------------- creation & dtypes
@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, tg.float32),
        ([1.0, 2.0], tg.float32),
        ([[1, 2], [3, 4]], tg.int64),
        (3, tg.int64),
        (True, tg.bool),
        ([True, False], tg.bool),
        (np.zeros(2, np.float64), tg.float64),
        (np.zeros(2, np.int32), tg.int32),
        (np.float32(2.0), tg.float32),
    ],
)
def test_default_dtypes_follow_pytorch(data, dtype):
    t = Tensor(data)
    assert t.dtype == dtype
    assert t.dtype == torch_dtype_as_numpy(torch.as_tensor(data))


def torch_dtype_as_numpy(t):
    return np.dtype(str(t.dtype).replace("torch.", ""))


def test_explicit_dtype_and_names():
    assert Tensor([1, 2], dtype=tg.float64).dtype == np.float64
    assert Tensor([1, 2], dtype="float16").dtype == tg.float16
    assert Tensor([1, 2], dtype=np.int32).dtype == tg.int32
    assert Tensor([1.0]).to("float64").dtype == tg.float64
    assert Tensor([1.0]).to(torch.float64).dtype == tg.float64
    with pytest.raises(TypeError, match="unknown dtype"):
        Tensor([1.0], dtype="float7")


def test_attributes():
    t = tg.ones(2, 3, requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.device == "cpu" and t.is_leaf
    assert t.grad is None and t.grad_fn is None and t.requires_grad
    assert t.T.shape == (3, 2) and len(t) == 2 and t.numel() == 6 and t.size(1) == 3
    assert isinstance(t.data, np.ndarray)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (np.float32, np.float64, np.float64),
        (np.int64, np.float32, np.float32),
        (np.int32, np.int64, np.int64),
        (np.bool_, np.int32, np.int32),
        (np.float16, np.float32, np.float32),
        (np.bool_, np.float16, np.float16),
    ],
)
def test_binary_promotion_matches_torch(a, b, expected):
    x, y = np.ones(2, a), np.ones(2, b)
    assert (Tensor(x) + Tensor(y)).dtype == expected
    assert torch_dtype_as_numpy(torch.from_numpy(x) + torch.from_numpy(y)) == expected


@pytest.mark.parametrize(
    "dtype, scalar, expected",
    [
        (np.float32, 2.5, np.float32),
        (np.float16, 2.5, np.float16),
        (np.int64, 2.5, np.float32),
        (np.int32, 2, np.int32),
        (np.bool_, 2, np.int64),
        (np.float32, 2, np.float32),
    ],
)
def test_python_scalars_do_not_widen(dtype, scalar, expected):
    assert (Tensor(np.ones(2, dtype)) * scalar).dtype == expected
    assert torch_dtype_as_numpy(torch.from_numpy(np.ones(2, dtype)) * scalar) == expected


def test_true_division_of_ints_gives_float():
    assert (Tensor([1, 2]) / Tensor([2, 2])).dtype == tg.float32
    np.testing.assert_allclose((Tensor([1, 2]) / 2).numpy(), [0.5, 1.0])


# ----------------------------------------------------------------------------- factories
def test_factories():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.zeros((2, 3)).dtype == tg.float32
    assert tg.ones(4).numpy().sum() == 4
    assert tg.full((2,), 7).dtype == tg.int64 and tg.full((2,), 7.0).dtype == tg.float32
    assert tg.arange(5).dtype == tg.int64 and tg.arange(0, 1, 0.25).shape == (4,)
    assert tg.eye(3).numpy().trace() == 3
    assert tg.linspace(0, 1, 5).numpy()[-1] == 1.0
    assert tg.empty(2, 2).shape == (2, 2)
    x = tg.randn(2, 3)
    assert tg.zeros_like(x).shape == x.shape and tg.ones_like(x).dtype == x.dtype
    assert tg.randint(0, 10, (100,)).numpy().max() < 10
    assert not hasattr(Tensor, "zeros")  # factories are tg.zeros, as torch.zeros (no Tensor.zeros)
    assert tg.rand(1000).numpy().min() >= 0


def test_manual_seed_makes_draws_reproducible():
    tg.manual_seed(123)
    a = tg.randn(5).numpy().copy()
    tg.manual_seed(123)
    np.testing.assert_array_equal(a, tg.randn(5).numpy())


def test_from_numpy_shares_memory():
    arr = np.arange(3.0)
    t = tg.from_numpy(arr)
    arr[0] = 10
    assert t.numpy()[0] == 10 and t.dtype == tg.float64


# ----------------------------------------------------------------------------- conversions
def test_numpy_shares_memory_and_refuses_grad():
    t = tg.ones(3)
    t.numpy()[0] = 5
    assert t.numpy()[0] == 5
    with pytest.raises(RuntimeError, match=r"detach\(\)"):
        tg.ones(3, requires_grad=True).numpy()


def test_item_tolist_and_casts():
    assert Tensor(2.5).item() == 2.5 and Tensor([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(RuntimeError, match="3 elements"):
        Tensor([1, 2, 3]).item()
    t = Tensor([1.7])
    assert t.long().dtype == tg.int64 and t.double().dtype == tg.float64
    assert t.half().dtype == tg.float16 and t.float().dtype == tg.float32
    assert float(Tensor(1.5)) == 1.5 and int(Tensor(3)) == 3


def test_cast_is_differentiable():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.double().sum().backward()
    assert x.grad.dtype == tg.float32


def test_clone_and_detach():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    c.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1, 1])
    assert not np.shares_memory(c.data, x.data)


def test_repr_shows_values_and_grad_fn_as_pytorch():
    r = repr(tg.tensor([1.0, 2.0], requires_grad=True) * 2)
    assert re.fullmatch(r"tensor\(\[2\., 4\.\], grad_fn=<Mul\w*Backward\d*>\)", r), r
    assert repr(tg.tensor([1, 2], dtype=tg.float64)) == "tensor([1., 2.], dtype=tg.float64)"


def test_cuda_unavailable_is_a_clear_error():
    if tg.cuda.is_available():
        pytest.skip("CUDA is available here")
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match=r"cuda.*unavailable.*tinygrad_edu\[cuda\]"):
        tg.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="CuPy"):
        Tensor([1.0], device="cuda")


def test_requires_grad_only_on_leaves():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)


# ----------------------------------------------------------------------------- exact semantics
def _grad(fn, values):
    x = tg.tensor(values, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


def test_kinks_follow_pytorch():
    np.testing.assert_allclose(_grad(lambda x: x.relu(), [0.0, 1.0]), [0.0, 1.0])
    np.testing.assert_allclose(_grad(lambda x: x.abs(), [0.0, -2.0]), [0.0, -1.0])
    np.testing.assert_allclose(_grad(lambda x: x.leaky_relu(0.1), [0.0]), [0.1])
    np.testing.assert_allclose(_grad(lambda x: x.elu(), [0.0]), [1.0])
    np.testing.assert_allclose(_grad(lambda x: x.softplus(), [0.0]), [0.5])
    np.testing.assert_allclose(_grad(lambda x: x.clamp(-1, 1), [-1.0, 1.0, 2.0]), [1, 1, 0])
    # API.md: hardtanh passes the gradient at its bounds too (PyTorch's hardtanh gives 0 there)
    np.testing.assert_allclose(_grad(lambda x: x.hardtanh(), [-1.0, 1.0, 2.0]), [1, 1, 0])


def test_ties():
    a = tg.tensor([1.0, 1.0], requires_grad=True)
    b = tg.tensor([1.0, 2.0], requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [0.5, 0.0])
    np.testing.assert_allclose(b.grad.numpy(), [0.5, 1.0])
    np.testing.assert_allclose(_grad(lambda x: x.amax(), [3.0, 3.0, 1.0]), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(_grad(lambda x: x.max(), [3.0, 3.0, 1.0]), [0.5, 0.5, 0.0])
    # max(dim) sends the gradient to the returned (first) index
    np.testing.assert_allclose(_grad(lambda x: x.max(0).values, [3.0, 3.0, 1.0]), [1, 0, 0])
    assert tg.tensor([1.0, 3.0, 3.0]).argmax().item() == 1


def test_max_with_keepdim_and_no_dim_is_a_type_error():
    with pytest.raises(TypeError, match="amax"):
        tg.ones(3).max(dim=None, keepdim=True)


def test_max_dim_returns_values_and_indices():
    values, indices = tg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == tg.int64


def test_axis_keepdims_aliases():
    x = tg.ones(2, 3)
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    assert x.mean(axis=(0, 1)).shape == ()


def test_getitem_repeated_indices_add_up():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3, 0, 1])


def test_negative_step_slices_allowed():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[::-1]
    assert y.tolist() == [3.0, 2.0, 1.0]
    (y * tg.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [100, 10, 1])


def test_boolean_mask_indexing_and_setitem():
    x = tg.tensor([1.0, -2.0, 3.0])
    assert x[x > 0].tolist() == [1.0, 3.0]
    x[x < 0] = 0.0
    assert x.tolist() == [1.0, 0.0, 3.0]


def test_function_forms_exist():
    x = tg.tensor([[1.0, -2.0]])
    for name in [
        "exp",
        "maximum",
        "where",
        "matmul",
        "tril",
        "gather",
        "dot",
        "outer",
        "cat",
        "stack",
        "softmax",
        "logsumexp",
        "clamp",
        "sigmoid",
        "tanh",
        "relu",
    ]:
        assert callable(getattr(tg, name)), name
    assert tg.maximum(x, 0.0).tolist() == [[1.0, 0.0]]
    assert tg.where(x > 0, x, tg.zeros_like(x)).tolist() == [[1.0, 0.0]]


def test_one_hot_and_comparisons_have_no_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert not (x > 1).requires_grad and (x > 1).dtype == tg.bool


# ----------------------------------------------------------------------------- errors
def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"Add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        tg.ones(2, 3) + tg.ones(4)


def test_matmul_error_names_shapes():
    with pytest.raises(
        RuntimeError, match=r"matmul: shapes tg.Size\(\[2, 3\]\) and tg.Size\(\[4, 5\]\).*3 != 4"
    ):
        tg.ones(2, 3) @ tg.ones(4, 5)


def test_reduction_dim_out_of_range():
    with pytest.raises(IndexError, match=r"sum: dim 2 is out of range.*tg.Size\(\[2, 3\]\)"):
        tg.ones(2, 3).sum(2)


def test_index_out_of_range():
    with pytest.raises(IndexError, match=r"shape tg.Size\(\[3\]\)"):
        tg.ones(3)[5]


def test_reshape_impossible():
    with pytest.raises(
        RuntimeError, match=r"reshape: shape \(4, 2\) is invalid for input of size 6"
    ):
        tg.ones(2, 3).reshape(4, 2)


def test_inplace_broadcast_growth_is_refused():
    with pytest.raises(RuntimeError, match="in-place"):
        x = tg.ones(3)
        x += tg.ones(2, 3)


def test_where_condition_must_be_bool():
    with pytest.raises(RuntimeError, match="bool"):
        tg.where(tg.ones(2), tg.ones(2), tg.zeros(2))


def test_gather_checks_index():
    with pytest.raises(RuntimeError, match="out of bounds"):
        tg.ones(2, 3).gather(1, tg.tensor([[5], [0]]))
