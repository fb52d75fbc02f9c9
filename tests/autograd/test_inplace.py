"""In-place ops, views and version counters: each case runs in tinygrad_edu and in PyTorch, and
both must give the same gradients or both must raise (issue: never silently wrong)."""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def detach_then_modify(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    d = y.detach()
    d += 1
    y.sum().backward()
    return [x.grad]


def view_slice_modified_under_no_grad(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    with lib.no_grad():
        v = y[:2]
        v += 1
    y.sum().backward()
    return [x.grad]


def view_reshape_modified_under_no_grad(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    with lib.no_grad():
        v = y.reshape(3)
        v += 1
    y.sum().backward()
    return [x.grad]


def view_of_leaf_modified(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * x
    with lib.no_grad():
        v = x[:2]
        v += 1
    y.sum().backward()
    return [x.grad]


def transpose_view_modified(lib):
    x = lib.tensor([[0.5, 1.0], [2.0, 3.0]], requires_grad=True)
    y = x.sigmoid()
    with lib.no_grad():
        y.T[0] *= 2
    y.sum().backward()
    return [x.grad]


def residual_iadd(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * 2
    y += x
    (y * y).sum().backward()
    return [x.grad]


def relu_inplace_after_use(lib):
    x = lib.tensor([-0.5, 1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3  # recorded before the in-place op: must see the old y
    y.relu_()
    (z + y * y).sum().backward()
    return [x.grad]


def add_then_mul_inplace(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 1
    h.add_(b)
    h.mul_(b)
    h.sum().backward()
    return [x.grad, b.grad]


def inplace_on_view_of_nonleaf(lib):
    x = lib.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y[1:3]
    v.mul_(x[:2])
    (y * y).sum().backward()
    return [x.grad]


def setitem_slice(lib):
    x = lib.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
    w = lib.tensor([5.0, 6.0], requires_grad=True)
    y = x * 1
    y[1:3] = w * 2
    (y * y).sum().backward()
    return [x.grad, w.grad]


def setitem_advanced_into_zeros(lib):
    x = lib.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
    y = lib.zeros(4)
    y[lib.tensor([0, 2])] = x[:2]
    (y * lib.arange(4.0)).sum().backward()
    return [x.grad]


def setitem_mask_number(lib):
    x = lib.tensor([-0.5, 1.0, -2.0, 3.0], requires_grad=True)
    y = x.exp()
    y[x < 0] = 0.0  # y's values are needed by Exp's backward: must raise
    y.sum().backward()
    return [x.grad]


def setitem_mask_number_safe(lib):
    x = lib.tensor([-0.5, 1.0, -2.0, 3.0], requires_grad=True)
    y = x * 3
    y[x < 0] = 0.0
    (y * y).sum().backward()
    return [x.grad]


def leaf_inplace(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    x.add_(1)
    return [x]


def view_of_leaf_inplace(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    x[:2].mul_(2)
    return [x]


def leaf_inplace_under_no_grad(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    with lib.no_grad():
        x.mul_(2)
    (x * x).sum().backward()
    return [x.grad]


def saved_output_inplace(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()
    return [x.grad]


def exp_inplace_twice(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * 1
    y.exp_()
    y.tanh_()
    y.sum().backward()
    return [x.grad]


def fill_and_zero(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * 2
    y[:1].fill_(3.0)
    z = x * 1
    z.zero_()
    (y * y + z).sum().backward()
    return [x.grad]


def copy_into_nonleaf(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    s = lib.tensor([4.0], requires_grad=True)
    y = x * 2
    y.copy_(s)
    (y * x).sum().backward()
    return [x.grad, s.grad]


def zeros_buffer_filled_from_graph(lib):
    x = lib.tensor([[0.5, 1.0], [2.0, 3.0]], requires_grad=True)
    out = lib.zeros(2, 3)
    out[:, :2] = x.tanh()
    out[:, 2] = x.sum(1)
    (out**2).sum().backward()
    return [x.grad]


def clamp_pow_sqrt_abs(lib):
    x = lib.tensor([-1.5, 0.3, 2.0], requires_grad=True)
    y = x * 1
    y.clamp_(-1.0, 1.0).pow_(2).add_(1).sqrt_().abs_().neg_()
    y.sum().backward()
    return [x.grad]


def masked_and_index_fill(lib):
    x = lib.tensor([[0.5, 1.0, 2.0], [3.0, 4.0, 5.0]], requires_grad=True)
    y = x * 1
    y.masked_fill_(x > 3.5, 0.0)
    y.index_fill_(1, lib.tensor([0]), -1.0)
    (y * y).sum().backward()
    return [x.grad]


def double_backward_through_inplace(lib):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * x
    y.mul_(x)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward()
    return [g, x.grad]


CASES = [
    detach_then_modify,
    view_slice_modified_under_no_grad,
    view_reshape_modified_under_no_grad,
    view_of_leaf_modified,
    transpose_view_modified,
    residual_iadd,
    relu_inplace_after_use,
    add_then_mul_inplace,
    inplace_on_view_of_nonleaf,
    setitem_slice,
    setitem_advanced_into_zeros,
    setitem_mask_number,
    setitem_mask_number_safe,
    leaf_inplace,
    view_of_leaf_inplace,
    leaf_inplace_under_no_grad,
    saved_output_inplace,
    exp_inplace_twice,
    fill_and_zero,
    copy_into_nonleaf,
    zeros_buffer_filled_from_graph,
    clamp_pow_sqrt_abs,
    masked_and_index_fill,
    double_backward_through_inplace,
]


def _run(case, lib):
    try:
        return "ok", [t.detach().numpy().copy() for t in case(lib)]
    except RuntimeError as e:
        return "raised", str(e)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_same_gradients_or_both_raise(case):
    ours, theirs = _run(case, tg), _run(case, torch)
    assert ours[0] == theirs[0], f"tinygrad_edu {ours}, PyTorch {theirs}"
    if ours[0] == "ok":
        for a, b in zip(ours[1], theirs[1]):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_the_error_names_the_op_the_shape_and_the_version():
    x = tg.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    msg = str(e.value)
    assert "modified by an inplace operation" in msg
    assert "output of Exp (shape (3,)) is at version 1" in msg


def test_version_counter_is_shared_by_views_and_detach():
    x = tg.zeros(2, 3)
    views = [x[0], x.reshape(6), x.T, x.detach(), x.unsqueeze(0), x.permute(1, 0)]
    assert x._version == 0
    views[0].add_(1)
    assert x._version == 1 and all(v._version == 1 for v in views)
    x.mul_(2)
    assert all(v._version == 2 for v in views)
    assert float(views[1].sum()) == 6.0  # the views see the data too


def test_copies_do_not_share_the_counter():
    x = tg.zeros(2, 3)
    c = x.clone()
    adv = x[tg.tensor([0, 1])]
    c.add_(1)
    adv.add_(1)
    assert x._version == 0 and float(x.sum()) == 0.0


def test_tensor_copies_numpy_input_and_from_numpy_shares():
    a = np.ones(3, dtype=np.float32)
    t, shared = tg.tensor(a), tg.from_numpy(a)
    u = tg.Tensor(a)
    a[0] = 5
    assert t.tolist() == [1.0, 1.0, 1.0] and u.tolist() == [1.0, 1.0, 1.0]
    assert shared.tolist() == [5.0, 1.0, 1.0]


def test_expanded_view_cannot_be_written():
    x = tg.ones(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="expanded view"):
        x.add_(1)


def test_inplace_cannot_grow_by_broadcasting():
    y = tg.ones(3) * 1
    with pytest.raises(RuntimeError, match=r"in-place add.*\(2, 3\).*\(3,\)"):
        y += tg.ones(2, 3)


def test_optimizer_style_update_stays_fast_path():
    w = tg.ones(3, requires_grad=True)
    with tg.no_grad():
        w -= 0.5 * tg.ones(3)
    assert w.is_leaf and w.grad_fn is None and w.tolist() == [0.5, 0.5, 0.5]
