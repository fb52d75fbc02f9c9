"""Each fused primitive (ops/fused.py) equals its composite reference: values, first and second
derivatives, in float64, over hypothesis shapes. (The op table also compares them with PyTorch.)"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tests.strategies import seeds, values
from tinygrad_edu.ops import fused

FAST = settings(max_examples=15, deadline=None)


def _same(f, g, inputs):
    """f(*inputs) == g(*inputs), and so are their gradients and gradients of gradients."""
    outs = []
    for fn in (f, g):
        ts = [tg.tensor(a, requires_grad=True) for a in inputs]
        y = fn(*ts)
        up = tg.tensor(np.random.default_rng(0).standard_normal(y.shape))
        grads = tg.autograd.grad((y * up).sum(), ts, create_graph=True)
        second = tg.autograd.grad(sum((gr * gr).sum() for gr in grads), ts, allow_unused=True)
        outs.append(
            [
                y,
                *grads,
                *(
                    s if s is not None else tg.zeros(t.shape, dtype=tg.float64)
                    for s, t in zip(second, ts)
                ),
            ]
        )
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-10)


@FAST
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.booleans(), seeds)
def test_linear_equals_reference(n, k, m, bias, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, k)), rng.standard_normal((m, k))]
    if bias:
        arrays.append(rng.standard_normal(m))
    _same(fused.Linear.apply, fused.reference_linear, arrays)


@FAST
@given(st.integers(2, 5), st.integers(1, 4), st.sampled_from(["batch", "layer"]), seeds)
def test_normalize_equals_reference(n, c, kind, seed):
    x = values(seed, (n, c, 3))
    if kind == "batch":
        dims, pshape = (0, 2), (1, c, 1)
    else:
        dims, pshape = (1, 2), (c, 3)
    w, b = values(seed + 1, pshape), values(seed + 2, pshape)

    def ours(x, w, b):
        return fused.Normalize.apply(x, w, b, dims=dims, eps=1e-5, has_weight=True)

    def reference(x, w, b):
        return fused.reference_normalize(x, dims, 1e-5, w, b)

    _same(ours, reference, [x, w, b])


@FAST
@given(st.integers(1, 5), st.integers(2, 5), st.sampled_from(["mean", "sum", "none"]), seeds)
def test_cross_entropy_equals_reference(n, c, reduction, seed):
    x = values(seed, (n, c))
    t = tg.tensor(np.random.default_rng(seed).integers(0, c, n))

    def ours(x):
        return fused.CrossEntropy.apply(x, t, ignore_index=1, reduction=reduction)

    def reference(x):
        return fused.reference_cross_entropy(x, t, 1, reduction)

    if reduction == "mean" and not bool((t != 1).any()):
        return  # every target ignored: both are 0/0
    _same(ours, reference, [x])
