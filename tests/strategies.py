"""Hypothesis strategies shared by the op tests: shapes, broadcastable pairs, dims and values.

Values are drawn from a NumPy generator seeded by hypothesis (fast, and still shrinkable by seed);
each domain keeps inputs where an op is smooth and well-conditioned for finite differences.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# every shape has at most 4 dims of size <= 4: small enough for elementwise gradcheck
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
matrix_shapes = hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4)
broadcast_pairs = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=4, max_side=4
)
seeds = st.integers(0, 2**31 - 1)


def values(seed: int, shape, domain: str = "real", dtype=np.float64) -> np.ndarray:
    """Random values of a domain: 'real' (normal), 'positive' (0.2..3), 'away' (|x| in 0.1..2,
    away from kinks at 0), 'unit' (-0.9..0.9), 'distinct' (well separated values, no near-ties)."""
    rng = np.random.default_rng(seed)
    if domain == "real":
        x = rng.standard_normal(shape)
    elif domain == "positive":
        x = rng.uniform(0.2, 3.0, shape)
    elif domain == "away":
        x = rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    elif domain == "unit":
        x = rng.uniform(-0.9, 0.9, shape)
    elif domain == "distinct":
        n = int(np.prod(shape))
        x = (rng.permutation(n) * 0.37 - n * 0.15).reshape(shape) + rng.uniform(-0.05, 0.05, shape)
    else:
        raise ValueError(domain)
    return np.asarray(x, dtype=dtype)


@st.composite
def dims_for(draw, ndim: int, allow_none: bool = True, allow_tuple: bool = True):
    """None, a single (maybe negative) dim, or a tuple of distinct dims, valid for ndim."""
    if ndim == 0:
        return (
            draw(st.sampled_from([None, 0, -1])) if allow_none else draw(st.sampled_from([0, -1]))
        )
    options = [st.integers(-ndim, ndim - 1)]
    if allow_none:
        options.append(st.none())
    if allow_tuple:
        options.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
                lambda ds: tuple(d - ndim if i % 2 else d for i, d in enumerate(ds))
            )
        )
    return draw(st.one_of(*options))
