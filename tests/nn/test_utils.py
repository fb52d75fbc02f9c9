"""nn.utils against torch.nn.utils: gradient clipping and parameter vectors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tests.nn._layer_check import assert_close, rand
from tinygrad_edu import Tensor
from tinygrad_edu.nn import utils


def _pair_with_grads(scale: float):
    """The same 3 parameters with the same gradients in both libraries."""
    shapes = [(3, 4), (4,), (2, 2, 2)]
    ours, theirs = [], []
    for i, s in enumerate(shapes):
        p = nn.Parameter(Tensor(rand(i, *s)))
        p.grad = Tensor(rand(i + 10, *s, scale=scale))
        q = torch.nn.Parameter(torch.tensor(p.detach().numpy()))
        q.grad = torch.tensor(p.grad.numpy())
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize(
    "max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1), (0.3, "inf"), (2.0, 3.0)]
)
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    norm_type = float(norm_type)
    ours, theirs = _pair_with_grads(2.0)
    total = utils.clip_grad_norm_(ours, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, Tensor) and total.ndim == 0
    assert_close(total, ref)
    for p, q in zip(ours, theirs):
        assert_close(p.grad, q.grad)
    assert float(total * 2) == pytest.approx(2 * float(ref), rel=1e-5)  # a usable 0-d tensor


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(tg.ones(3))
    assert float(utils.clip_grad_norm_([p], 1.0)) == 0.0  # no gradients at all
    p.grad = Tensor(np.array([3.0, 4.0, 0.0], np.float32))
    grad_data = p.grad.data
    total = utils.clip_grad_norm_(p, 1.0)  # a single tensor is accepted
    assert float(total) == pytest.approx(5.0)
    assert p.grad.data is grad_data  # scaled in place
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    p.grad = Tensor(np.array([np.nan, 1.0, 0.0], np.float32))
    with pytest.raises(RuntimeError, match="non-finite"):
        utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    ours, theirs = _pair_with_grads(3.0)
    utils.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        assert_close(p.grad, q.grad)


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    vec = utils.parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    vec.sum().backward()  # differentiable, as torch's
    assert all(np.all(p.grad.numpy() == 1) for p in model.parameters())
    new = Tensor(np.arange(vec.shape[0], dtype=np.float32))
    utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(
        utils.parameters_to_vector(model.parameters()).detach().numpy(), new.numpy()
    )
    with pytest.raises(RuntimeError, match="elements"):
        utils.vector_to_parameters(tg.zeros(3), model.parameters())


def test_l1_l2_penalties_are_exported_and_differentiable():
    import tinygrad_edu as tg
    import tinygrad_edu.nn as nn
    from tinygrad_edu.nn.utils import l1_penalty, l2_penalty

    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    w0, w1 = model[0].weight, model[1].weight
    expected = float((w0.detach() ** 2).sum() + (w1.detach() ** 2).sum())
    assert abs(l2_penalty(model).item() - expected) < 1e-5  # weights only, no biases
    l1_penalty(model).backward()
    assert tg.allclose(w0.grad, w0.detach().sign()) and model[0].bias.grad is None
