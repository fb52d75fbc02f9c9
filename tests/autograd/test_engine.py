"""The engine's semantics, each checked against what PyTorch does."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor


def test_grads_accumulate_across_backward_calls():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])


def test_backward_with_gradient_on_non_scalar():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(tg.tensor([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, -6.0])


def test_backward_on_non_scalar_without_gradient_is_a_clear_error():
    x = tg.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(2, 3\).*gradient="):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.ones(3).sum().backward()


def test_gradient_shape_mismatch_raises():
    x = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(2,\).*\(3,\)"):
        (x * 2).backward(tg.ones(2))


def test_second_backward_through_freed_graph_says_retain_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)


def test_backward_releases_saved_arrays():
    x = tg.randn(100, 100, requires_grad=True)
    h = x * 2  # only the graph holds h once we drop our name
    ref = weakref.ref(h)
    loss = (h.tanh() * 3).sum()
    del h
    assert ref() is not None
    loss.backward()
    gc.collect()
    assert ref() is None, "the intermediate tensor should be freed after backward"
    assert loss.grad_fn.released


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _grown_bytes_over_training(keep_loss_tensors: bool, steps: int = 1000) -> int:
    """Resident memory growth over `steps` training steps of a 256x64 -> 64 tanh layer."""
    tg.manual_seed(0)
    w = tg.randn(64, 64, requires_grad=True)
    x = tg.randn(256, 64)  # each activation is 64 KB: a leak shows as 4 x 64 KB per step
    kept = []

    def step():
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        with tg.no_grad():
            w.data -= 0.01 * w.grad.data
        w.grad = None
        kept.append(loss if keep_loss_tensors else loss.item())

    for _ in range(50):
        step()
    gc.collect()
    base = _rss()
    for _ in range(steps):
        step()
    gc.collect()
    return _rss() - base


needs_proc = pytest.mark.skipif(
    not __import__("os").path.exists("/proc/self/statm"),
    reason="measures resident memory through /proc",
)


@needs_proc
def test_memory_stays_flat_across_1000_training_steps():
    grown = _grown_bytes_over_training(keep_loss_tensors=False)
    assert grown < 16_000_000, f"resident memory grew by {grown} bytes over 1000 steps"


@needs_proc
def test_kept_loss_tensors_do_not_keep_activations():
    # the classic leak: history.append(loss). PyTorch keeps only the graph's structure then, and
    # so do we: keeping the activations would be 4 x 64 KB x 1000 steps = 256 MB.
    grown = _grown_bytes_over_training(keep_loss_tensors=True)
    assert grown < 32_000_000, f"resident memory grew by {grown} bytes over 1000 steps"


def test_kept_graph_without_backward_does_keep_activations():
    # the check above can fail: without backward() nothing is released
    tg.manual_seed(0)
    x = tg.randn(256, 64)
    w = tg.randn(64, 64, requires_grad=True)
    h = x @ w
    ref = weakref.ref(h)
    loss = (h.tanh() ** 2).mean()
    del h
    gc.collect()
    assert ref() is not None and loss.grad_fn is not None


def test_deep_chain_has_no_recursion_error():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.slow
def test_million_op_chain_runs_backward():
    """Issue 11's floor: the iterative engine walks a 1,000,000-op chain (~20 s, --runslow)."""
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_create_graph_gives_second_derivatives():
    x = tg.tensor([0.3, -1.2, 2.0], requires_grad=True, dtype=tg.float64)
    (g,) = tg.autograd.grad((x**3).sum(), x, create_graph=True)
    (gg,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x.detach().numpy())


def test_hessian_vector_product_matches_torch_hvp():
    rng = np.random.default_rng(0)
    a, v = rng.standard_normal(5), rng.standard_normal(5)
    w = rng.standard_normal((5, 5))

    def f_tg(x):
        return ((Tensor(w) @ x).tanh() * x).sum() + (x * x).logsumexp(0)

    def f_torch(x):
        return ((torch.tensor(w) @ x).tanh() * x).sum() + (x * x).logsumexp(0)

    x = Tensor(a, requires_grad=True)
    (g,) = tg.autograd.grad(f_tg(x), x, create_graph=True)
    (hv,) = tg.autograd.grad(g, x, grad_outputs=Tensor(v))
    _, expected = torch.autograd.functional.hvp(f_torch, torch.tensor(a), torch.tensor(v))
    np.testing.assert_allclose(hv.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_autograd_grad_returns_tuple_and_leaves_grad_untouched():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    result = tg.autograd.grad((x * x).sum(), [x])
    assert isinstance(result, tuple) and len(result) == 1
    np.testing.assert_allclose(result[0].numpy(), [2.0, 4.0])
    assert x.grad is None


def test_autograd_grad_allow_unused():
    x = tg.ones(2, requires_grad=True)
    z = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        tg.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = tg.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx is not None


def test_grad_of_non_leaf_input():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (gh,) = tg.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_no_grad_enable_grad_set_grad_enabled():
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        assert not (x * 2).requires_grad
        with tg.enable_grad():
            assert (x * 2).requires_grad
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @tg.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert tg.is_grad_enabled()


def test_detach_shares_data_and_cuts_graph():
    x = tg.ones(3, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x.detach()
    y.data[0] = 5.0
    assert x.data[0] == 5.0


def test_retain_grad_on_non_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])
    h2 = x * 3
    (h2 * h2).sum().backward()
    assert h2.grad is None  # not retained


def test_register_hook_replaces_gradient_and_can_be_removed():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 1.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 10.0])
    np.testing.assert_allclose(seen[0], [10.0, 10.0])
    handle.remove()
    x.grad = None
    (x * 1.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_hook_on_intermediate():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g * 0)
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0])


def test_leaf_grads_never_alias_each_other():
    a = tg.ones(3, requires_grad=True)
    b = tg.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.data *= 5  # an optimiser or clip_grad_norm_ scales grads in place
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0, 1.0])


def test_user_gradient_is_not_aliased_into_grad():
    x = tg.ones(3, requires_grad=True)
    g = tg.tensor([1.0, 2.0, 3.0])
    (x + 0).backward(g)
    x.grad.data *= 0
    np.testing.assert_allclose(g.numpy(), [1.0, 2.0, 3.0])


def test_detect_anomaly_forward_names_op_and_place():
    x = tg.tensor([-1.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"(?s)'Log' produced nan.*test_engine.py"):
        with tg.autograd.detect_anomaly():
            x.log()


def test_detect_anomaly_backward_nan():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        y = (x.sqrt() * 0.0).sum()  # forward is finite; backward computes 0 * inf
        with pytest.raises(RuntimeError, match=r"(?s)Backward' returned nan.*created at"):
            y.backward()


def test_detect_anomaly_inf_only_with_check_inf():
    x = tg.tensor([1000.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        x.exp()  # inf is allowed by default
    with pytest.raises(RuntimeError, match="'Exp' produced inf"):
        with tg.autograd.detect_anomaly(check_inf=True):
            x.exp()


def test_inplace_on_leaf_requiring_grad():
    w = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in place"):
        w += 1
    with tg.no_grad():
        w -= 0.5
    np.testing.assert_allclose(w.detach().numpy(), 0.5)
    assert w.is_leaf and w.requires_grad


def test_inplace_on_saved_tensor_is_caught_at_backward():
    w = tg.ones(3, requires_grad=True)
    x = tg.tensor([1.0, 2.0, 3.0])
    y = (w * x).sum()
    x += 1  # x was saved by Mul for w's gradient
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*Mul"):
        y.backward()


def test_inplace_where_autograd_is_unaffected_gives_correct_grads():
    w = tg.ones(3, requires_grad=True)
    x = tg.tensor([1.0, 2.0, 3.0])
    y = (w + x).sum()  # Add does not need its inputs for backward
    x *= 2
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0, 1.0])


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor([1, 2, 3], requires_grad=True)


def test_grad_fn_and_is_leaf():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name == "Mul"
    assert "MulBackward" in repr(y)


def test_backward_inputs_argument_limits_accumulation():
    a = tg.ones(2, requires_grad=True)
    b = tg.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])


def test_release_frees_every_saved_array():
    """After backward (no retain_graph) a node keeps no activation-sized array: not its inputs,
    not what forward saved (Normalize's xhat and r, CrossEntropy's one-hot, max-pool's argmax)."""
    import tinygrad_edu.nn.functional as F
    from tinygrad_edu import nn
    from tinygrad_edu.autograd.graph import toposort

    model = nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.LayerNorm(36),
        nn.Linear(36, 3),
    )
    x = tg.randn(8, 1, 8, 8)
    loss = F.cross_entropy(model(x), tg.tensor([0, 1, 2, 0, 1, 2, 0, 1]))
    nodes = [t.grad_fn for t in toposort([loss]) if t.grad_fn is not None]
    names = {fn.name for fn in nodes}
    assert {"Normalize", "CrossEntropy", "WindowMax"} <= names
    assert all(fn.saved for fn in nodes if fn.name in ("Normalize", "CrossEntropy", "WindowMax"))
    loss.backward()
    for fn in nodes:
        assert fn.released and fn.parents is None
        big = [k for k, v in vars(fn).items() if isinstance(v, np.ndarray) and v.size > 8]
        assert fn.__dict__.get("saved", ()) == () and not big, (fn.name, big)


def test_released_node_keeps_its_inputs_as_recorded_after_an_inplace_rewrite():
    """release() remembers the inputs a node was recorded with, not what an in-place op made of
    them later: next_functions (and the graph pictures) stay the same after backward."""
    x = tg.ones(3, requires_grad=True)
    h = x * 2
    z = h + 1  # recorded with h = x * 2
    h.mul_(3)  # h is now the output of the in-place Mul
    before = [f for f, _ in z.grad_fn.next_functions]
    z.sum().backward()
    after = [f for f, _ in z.grad_fn.next_functions]
    assert after == before and after[0] is before[0]
    assert h.grad_fn is not before[0]  # (the rewrite did give h a new node)
