"""One table of every differentiable op of the Tensor API. It drives three tests
(tests/ops/test_op_table.py): forward + backward against PyTorch with a random upstream gradient
(float32 and float64), float64 gradcheck, and second-order gradcheck for smooth ops.

A spec's `sample(data)` draws (arrays, kwargs) with hypothesis; `tg(*tensors, **kwargs)` and
`torch(*tensors, **kwargs)` compute the same thing in each library. A bug fix adds a row here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.strategies import (
    broadcast_pairs,
    dims_for,
    matrix_shapes,
    nonscalar_shapes,
    seeds,
    shapes,
    values,
)
from tinygrad_edu.composite.linalg import linear


@dataclass
class OpSpec:
    name: str
    tg: Callable
    torch: Callable
    sample: Callable
    smooth: bool = True  # run the second-order test
    atol: float = 1e-5  # float32 tolerances vs PyTorch
    rtol: float = 1e-5
    tags: tuple = field(default_factory=tuple)


def unary(domain="real", shape_strategy=shapes):
    def sample(data):
        return [values(data.draw(seeds), data.draw(shape_strategy), domain)], {}

    return sample


def binary(domain_a="real", domain_b="real"):
    def sample(data):
        (sa, sb), _ = data.draw(broadcast_pairs)
        return [values(data.draw(seeds), sa, domain_a), values(data.draw(seeds), sb, domain_b)], {}

    return sample


def with_scalar(domain="real", scalar=st.floats(-2, 2).filter(lambda v: abs(v) > 0.1)):
    def sample(data):
        return [values(data.draw(seeds), data.draw(shapes), domain)], {"s": data.draw(scalar)}

    return sample


def reduction(domain="real", allow_tuple=True, allow_none=True, keepdim=True, nonscalar=False):
    def sample(data):
        shape = data.draw(nonscalar_shapes if nonscalar else shapes)
        dim = data.draw(dims_for(len(shape), allow_none=allow_none, allow_tuple=allow_tuple))
        kw = {"dim": dim}
        if keepdim:
            kw["keepdim"] = data.draw(st.booleans())
        return [values(data.draw(seeds), shape, domain)], kw

    return sample


def _all_dims(x, dim):
    return tuple(range(x.ndim)) if dim is None else dim


def _softmax_sample(data):
    shape = data.draw(nonscalar_shapes)
    return [values(data.draw(seeds), shape)], {
        "dim": data.draw(st.integers(-len(shape), len(shape) - 1))
    }


def _var_sample(data):
    shape = data.draw(nonscalar_shapes.filter(lambda s: np.prod(s) > 1))
    dim = data.draw(dims_for(len(shape)))
    dims = _all_dims(np.empty(shape), dim)
    dims = (dims,) if isinstance(dims, int) else dims
    n = int(np.prod([shape[d] for d in dims]))
    return [values(data.draw(seeds), shape)], {
        "dim": dim,
        "keepdim": data.draw(st.booleans()),
        "correction": data.draw(st.sampled_from([0, 1] if n > 1 else [0])),
    }


def _reshape_sample(data):
    shape = data.draw(shapes)
    n = int(np.prod(shape))
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    a = data.draw(st.sampled_from(divisors))
    target = data.draw(st.sampled_from([(a, n // a), (-1, a), (n,), (a, 1, -1)]))
    return [values(data.draw(seeds), shape)], {"shape": target}


def _permute_sample(data):
    shape = data.draw(shapes)
    perm = data.draw(st.permutations(range(len(shape))))
    perm = [p - len(shape) if i % 2 else p for i, p in enumerate(perm)]
    return [values(data.draw(seeds), shape)], {"dims": tuple(perm)}


def _transpose_sample(data):
    shape = data.draw(nonscalar_shapes)
    n = len(shape)
    return [values(data.draw(seeds), shape)], {
        "d0": data.draw(st.integers(-n, n - 1)),
        "d1": data.draw(st.integers(-n, n - 1)),
    }


def _expand_sample(data):
    shape = data.draw(shapes)
    new = tuple(data.draw(st.integers(1, 3)) if s == 1 else s for s in shape)
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    return [values(data.draw(seeds), shape)], {"shape": lead + new}


def _repeat_sample(data):
    shape = data.draw(shapes)
    reps = tuple(
        data.draw(st.lists(st.integers(1, 3), min_size=len(shape), max_size=len(shape) + 1))
    )
    return [values(data.draw(seeds), shape)], {"reps": reps}


def _squeeze_sample(data):
    shape = data.draw(shapes)
    dim = (
        data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1))) if shape else None
    )
    return [values(data.draw(seeds), shape)], {"dim": dim}


def _unsqueeze_sample(data):
    shape = data.draw(shapes)
    return [values(data.draw(seeds), shape)], {
        "dim": data.draw(st.integers(-len(shape) - 1, len(shape)))
    }


def _flatten_sample(data):
    shape = data.draw(nonscalar_shapes)
    n = len(shape)
    a, b = sorted([data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))])
    return [values(data.draw(seeds), shape)], {"start": a - n if a % 2 else a, "end": b}


_slice = st.builds(
    slice,
    st.one_of(st.none(), st.integers(-4, 4)),
    st.one_of(st.none(), st.integers(-4, 4)),
    st.sampled_from([None, 1, 2, -1, -2]),
)


def _getitem_sample(data):
    shape = data.draw(nonscalar_shapes)
    x = values(data.draw(seeds), shape)
    kind = data.draw(st.sampled_from(["basic", "int_array", "mask", "mixed"]))
    if kind == "basic":
        idx = []
        for s in shape[: data.draw(st.integers(1, len(shape)))]:
            idx.append(data.draw(st.one_of(_slice, st.integers(-s, s - 1))))
        if data.draw(st.booleans()):
            idx.insert(data.draw(st.integers(0, len(idx))), None)
        idx = tuple(idx)
    elif kind == "int_array":  # repeated indices must add up in the gradient
        idx = (
            np.array(
                data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6))
            ),
        )
    elif kind == "mask":
        rng = np.random.default_rng(data.draw(seeds))
        idx = (rng.random(shape[: data.draw(st.integers(1, len(shape)))]) > 0.4,)
    else:
        idx = (Ellipsis, np.array([0, -1, 0]) % shape[-1])
    return [x], {"idx": idx}


def _idx_tg(idx):
    return tuple(tg.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)


def _idx_torch(idx):
    return tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in idx)


def _torch_getitem(x, idx):
    # PyTorch refuses negative slice steps: flip those dims, then index with positive steps
    out = []
    for k, i in enumerate(idx):
        if isinstance(i, slice) and i.step is not None and i.step < 0:
            arr = np.arange(x.shape[k - sum(1 for j in idx[:k] if j is None)])[i]
            out.append(torch.from_numpy(arr.copy()))
        else:
            out.append(i)
    n_adv = sum(1 for i in out if isinstance(i, torch.Tensor))
    if n_adv <= 1:
        return x[_idx_torch(tuple(out))]
    # several tensor indices (from negative-step slices) would be broadcast together; apply
    # them one dim at a time instead
    y, dim = x, 0
    for i in out:
        if i is None:
            y = y.unsqueeze(dim)
            dim += 1
        elif isinstance(i, int):
            y = y.select(dim, i)
        elif isinstance(i, torch.Tensor) and i.dtype != torch.bool:
            y = y.index_select(dim, i % y.shape[dim])
            dim += 1
        else:
            y = y[(slice(None),) * dim + (i,)]
            dim += 1
    return y


def _cat_sample(data):
    shape = data.draw(nonscalar_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = data.draw(st.integers(1, 3))
        arrays.append(values(data.draw(seeds), tuple(s)))
    return arrays, {"dim": dim}


def _stack_sample(data):
    shape = data.draw(shapes)
    arrays = [values(data.draw(seeds), shape) for _ in range(data.draw(st.integers(1, 3)))]
    return arrays, {"dim": data.draw(st.integers(-len(shape) - 1, len(shape)))}


def _split_sample(data):
    shape = data.draw(nonscalar_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    return [values(data.draw(seeds), shape)], {"size": data.draw(st.integers(1, 3)), "dim": dim}


def _pad_sample(data):
    shape = data.draw(nonscalar_shapes)
    pads = data.draw(
        st.lists(st.integers(0, 2), min_size=2, max_size=2 * min(len(shape), 2)).filter(
            lambda p: len(p) % 2 == 0
        )
    )
    return [values(data.draw(seeds), shape)], {
        "pad": tuple(pads),
        "value": data.draw(st.sampled_from([0.0, 1.5])),
    }


def _gather_sample(data):
    shape = data.draw(nonscalar_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(data.draw(seeds))
    ishape = tuple(
        data.draw(st.integers(1, 4)) if i == dim % len(shape) else data.draw(st.integers(1, s))
        for i, s in enumerate(shape)
    )
    index = rng.integers(0, shape[dim], ishape)
    return [values(data.draw(seeds), shape), index], {"dim": dim}


def _masked_fill_sample(data):
    (sx, sm), _ = data.draw(broadcast_pairs)
    shape = np.broadcast_shapes(sx, sm)
    rng = np.random.default_rng(data.draw(seeds))
    return [values(data.draw(seeds), shape), rng.random(sm) > 0.5], {"value": -1.25}


def _where_sample(data):
    (sa, sb), _ = data.draw(broadcast_pairs)
    rng = np.random.default_rng(data.draw(seeds))
    sc = (
        np.broadcast_shapes(sa, sb)[data.draw(st.integers(0, 1)) :]
        if np.broadcast_shapes(sa, sb)
        else ()
    )
    return [rng.random(sc) > 0.5, values(data.draw(seeds), sa), values(data.draw(seeds), sb)], {}


def _tri_sample(data):
    shape = data.draw(matrix_shapes)
    return [values(data.draw(seeds), shape)], {"diagonal": data.draw(st.integers(-2, 2))}


def _matmul_sample(data):
    kind = data.draw(st.sampled_from(["1d1d", "1d2d", "2d1d", "2d2d", "batched", "nd1d"]))
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    batch_a = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    batch_b = tuple(1 if data.draw(st.booleans()) else b for b in batch_a)[
        data.draw(st.integers(0, len(batch_a))) :
    ]
    sa, sb = {
        "1d1d": ((k,), (k,)),
        "1d2d": ((k,), (k, m)),
        "2d1d": ((n, k), (k,)),
        "2d2d": ((n, k), (k, m)),
        "batched": (batch_a + (n, k), batch_b + (k, m)),
        "nd1d": (batch_a + (n, k), (k,)),
    }[kind]
    return [values(data.draw(seeds), sa), values(data.draw(seeds), sb)], {}


def _norm_sample(data):
    shape = data.draw(shapes)
    return [values(data.draw(seeds), shape, "away")], {
        "p": data.draw(st.sampled_from([1, 2, 3, float("inf")])),
        "dim": data.draw(dims_for(len(shape))),
        "keepdim": data.draw(st.booleans()),
    }


def _clamp_sample(data):
    shape = data.draw(shapes)
    lo = data.draw(st.sampled_from([None, -0.5]))
    hi = data.draw(st.sampled_from([None, 0.7] if lo is not None else [0.7]))
    x = values(data.draw(seeds), shape)
    x = np.where(np.abs(x + 0.5) < 0.02, x + 0.05, x)  # keep finite differences off the bounds
    x = np.where(np.abs(x - 0.7) < 0.02, x + 0.05, x)
    return [x], {"min": lo, "max": hi}


def _max_dim_sample(data):
    shape = data.draw(nonscalar_shapes)
    return [values(data.draw(seeds), shape, "distinct")], {
        "dim": data.draw(st.integers(-len(shape), len(shape) - 1)),
        "keepdim": data.draw(st.booleans()),
    }


def _pow_sample(data):
    (sa, sb), _ = data.draw(broadcast_pairs)
    return [values(data.draw(seeds), sa, "positive"), values(data.draw(seeds), sb, "unit") * 2], {}


def _prod_sample(data):
    shape = data.draw(shapes)
    dim = (
        data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1))) if shape else None
    )
    x = values(data.draw(seeds), shape, "away")
    if data.draw(st.booleans()) and x.size > 1:  # exact zeros: the gradient must stay exact
        x.reshape(-1)[0] = 0.0
    return [x], {"dim": dim, "keepdim": data.draw(st.booleans())}


def _torch_prod(x, dim, keepdim):
    if dim is None:
        out = x.prod()
        return out.reshape((1,) * x.ndim) if keepdim else out
    return x.prod(dim, keepdim=keepdim)


def _unflatten_sample(data):
    shape = data.draw(nonscalar_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    a = data.draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    return [values(data.draw(seeds), shape)], {"dim": dim, "sizes": (a, n // a)}


def _image_sample(data, with_weight=False):
    n, c = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    k = data.draw(st.integers(1, 3))
    stride, pad, dil = (
        data.draw(st.integers(1, 2)),
        data.draw(st.integers(0, 1)),
        data.draw(st.integers(1, 2)),
    )
    pad = min(pad, k // 2) if not with_weight else pad
    h = data.draw(st.integers(dil * (k - 1) + 1, 6))
    w = data.draw(st.integers(dil * (k - 1) + 1, 6))
    arrays = [values(data.draw(seeds), (n, c, h, w), "distinct" if not with_weight else "real")]
    kw = {"k": k, "stride": stride, "pad": pad, "dil": dil}
    if with_weight:
        groups = data.draw(st.sampled_from([g for g in (1, c) if c % g == 0]))
        out = groups * data.draw(st.integers(1, 2))
        arrays += [
            values(data.draw(seeds), (out, c // groups, k, k)),
            values(data.draw(seeds), (out,)),
        ]
        kw["groups"] = groups
    return arrays, kw


def _fold_sample(data):
    (x,), kw = _image_sample(data)
    cols = TF.unfold(torch.from_numpy(x), kw["k"], kw["dil"], kw["pad"], kw["stride"]).numpy()
    return [values(data.draw(seeds), cols.shape)], dict(kw, size=x.shape[-2:])


def _ce_sample(data):
    n, c = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 5))
    t = np.random.default_rng(data.draw(seeds)).integers(0, c, n)
    if (t == 1).all():  # keep at least one row that is not ignored
        t[0] = 0
    return [values(data.draw(seeds), (n, c)), t], {
        "reduction": data.draw(st.sampled_from(["mean", "sum", "none"]))
    }


def _bn_sample(data):
    c = data.draw(st.integers(1, 3))
    shape = data.draw(st.sampled_from([(4, c), (3, c, 2), (2, c, 2, 3)]))
    return [
        values(data.draw(seeds), shape, "distinct"),
        values(data.draw(seeds), (c,)),
        values(data.draw(seeds), (c,)),
    ], {}


def _ln_sample(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4))
    k = data.draw(st.integers(1, 2))
    return [
        values(data.draw(seeds), shape, "distinct"),
        values(data.draw(seeds), shape[-k:]),
        values(data.draw(seeds), shape[-k:]),
    ], {"k": k}


def _linear_sample(data):
    lead = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    i, o = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    return [
        values(data.draw(seeds), lead + (i,)),
        values(data.draw(seeds), (o, i)),
        values(data.draw(seeds), (o,)),
    ], {}


_T = torch
SPECS = [
    # ------------------------------------------------------------------ unary primitives
    OpSpec("exp", lambda x: x.exp(), _T.exp, unary()),
    OpSpec("log", lambda x: x.log(), _T.log, unary("positive")),
    OpSpec("log1p", lambda x: x.log1p(), _T.log1p, unary("positive")),
    OpSpec("expm1", lambda x: x.expm1(), _T.expm1, unary()),
    OpSpec("sqrt", lambda x: x.sqrt(), _T.sqrt, unary("positive")),
    OpSpec("rsqrt", lambda x: x.rsqrt(), _T.rsqrt, unary("positive")),
    OpSpec("sin", lambda x: x.sin(), _T.sin, unary()),
    OpSpec("cos", lambda x: x.cos(), _T.cos, unary()),
    OpSpec("tanh", lambda x: x.tanh(), _T.tanh, unary()),
    OpSpec("sigmoid", lambda x: x.sigmoid(), _T.sigmoid, unary()),
    OpSpec("relu", lambda x: x.relu(), _T.relu, unary("away"), smooth=False),
    OpSpec("abs", lambda x: x.abs(), _T.abs, unary("away"), smooth=False),
    OpSpec("neg", lambda x: -x, _T.neg, unary()),
    OpSpec("erf", lambda x: x.erf(), _T.erf, unary()),
    OpSpec("square", lambda x: x.square(), _T.square, unary()),
    OpSpec("reciprocal", lambda x: x.reciprocal(), _T.reciprocal, unary("away")),
    # piecewise constant: a grad_fn and a zero gradient, as PyTorch's
    OpSpec("sign", lambda x: x.sign(), _T.sign, unary("away"), smooth=False),
    OpSpec("floor", lambda x: x.floor(), _T.floor, unary(), smooth=False),
    OpSpec("ceil", lambda x: x.ceil(), _T.ceil, unary(), smooth=False),
    OpSpec("round", lambda x: x.round(), _T.round, unary(), smooth=False),
    OpSpec(
        "round_decimals",
        lambda x: x.round(decimals=1),
        lambda x: x.round(decimals=1),
        unary(),
        smooth=False,
    ),
    # ------------------------------------------------------------------ activations
    OpSpec(
        "leaky_relu",
        lambda x: x.leaky_relu(0.1),
        lambda x: TF.leaky_relu(x, 0.1),
        unary("away"),
        smooth=False,
    ),
    OpSpec("elu", lambda x: x.elu(1.3), lambda x: TF.elu(x, 1.3), unary("away"), smooth=False),
    OpSpec("gelu", lambda x: x.gelu(), TF.gelu, unary()),
    OpSpec(
        "gelu_tanh", lambda x: x.gelu("tanh"), lambda x: TF.gelu(x, approximate="tanh"), unary()
    ),
    OpSpec("silu", lambda x: x.silu(), TF.silu, unary()),
    OpSpec("swish", lambda x: x.swish(), TF.silu, unary()),
    OpSpec("softplus", lambda x: x.softplus(), TF.softplus, unary("away")),
    OpSpec(
        "softplus_beta",
        lambda x: (x * 8).softplus(beta=2.0, threshold=5.0),
        lambda x: TF.softplus(x * 8, beta=2.0, threshold=5.0),
        unary("away"),
        smooth=False,
    ),
    OpSpec("mish", lambda x: x.mish(), TF.mish, unary()),
    OpSpec("hardtanh", lambda x: x.hardtanh(), TF.hardtanh, unary("away"), smooth=False),
    OpSpec(
        "clamp",
        lambda x, min, max: x.clamp(min, max),
        lambda x, min, max: x.clamp(min, max),
        _clamp_sample,
        smooth=False,
    ),
    OpSpec(
        "clip",
        lambda x, min, max: x.clip(min, max),
        lambda x, min, max: x.clip(min, max),
        _clamp_sample,
        smooth=False,
    ),
    OpSpec("selu", lambda x: x.selu(), TF.selu, unary("away"), smooth=False),
    OpSpec("relu6", lambda x: x.relu6() * 1.0, TF.relu6, unary("away"), smooth=False),
    OpSpec("logsigmoid", lambda x: x.logsigmoid(), TF.logsigmoid, unary("away")),
    OpSpec("softsign", lambda x: x.softsign(), TF.softsign, unary("away"), smooth=False),
    OpSpec("hardswish", lambda x: x.hardswish(), TF.hardswish, unary("unit"), smooth=False),
    # ------------------------------------------------------------------ binary
    OpSpec("add", lambda a, b: a + b, lambda a, b: a + b, binary()),
    OpSpec("sub", lambda a, b: a - b, lambda a, b: a - b, binary()),
    OpSpec("mul", lambda a, b: a * b, lambda a, b: a * b, binary()),
    OpSpec("div", lambda a, b: a / b, lambda a, b: a / b, binary("real", "away")),
    OpSpec("pow", lambda a, b: a**b, lambda a, b: a**b, _pow_sample),
    OpSpec("maximum", lambda a, b: a.maximum(b), _T.maximum, binary(), smooth=False),
    OpSpec("minimum", lambda a, b: a.minimum(b), _T.minimum, binary(), smooth=False),
    OpSpec("add_scalar", lambda x, s: x + s, lambda x, s: x + s, with_scalar()),
    OpSpec("rsub_scalar", lambda x, s: s - x, lambda x, s: s - x, with_scalar()),
    OpSpec("mul_scalar", lambda x, s: s * x, lambda x, s: s * x, with_scalar()),
    OpSpec("rdiv_scalar", lambda x, s: s / x, lambda x, s: s / x, with_scalar("away")),
    OpSpec("pow_scalar", lambda x, s: x**s, lambda x, s: x**s, with_scalar("positive")),
    OpSpec("pow_square", lambda x: x**2, lambda x: x**2, unary()),
    OpSpec("rpow_scalar", lambda x, s: abs(s) ** x, lambda x, s: abs(s) ** x, with_scalar()),
    OpSpec(
        "remainder",
        lambda a, b: a % b,
        lambda a, b: a % b,
        binary("real", "positive"),
        smooth=False,
        atol=1e-4,
    ),
    OpSpec("where", lambda c, a, b: tg.where(c, a, b), _T.where, _where_sample),
    OpSpec(
        "masked_fill",
        lambda x, m, value: x.masked_fill(m, value),
        lambda x, m, value: x.masked_fill(m, value),
        _masked_fill_sample,
    ),
    # ------------------------------------------------------------------ reductions
    OpSpec(
        "sum",
        lambda x, dim, keepdim: x.sum(dim, keepdim),
        lambda x, dim, keepdim: x.sum(_all_dims(x, dim), keepdim=keepdim),
        reduction(),
    ),
    OpSpec(
        "mean",
        lambda x, dim, keepdim: x.mean(dim, keepdim),
        lambda x, dim, keepdim: x.mean(_all_dims(x, dim), keepdim=keepdim),
        reduction(),
    ),
    OpSpec(
        "var",
        lambda x, dim, keepdim, correction: x.var(dim, keepdim, correction=correction),
        lambda x, dim, keepdim, correction: x.var(dim, keepdim=keepdim, correction=correction),
        _var_sample,
    ),
    OpSpec(
        "std",
        lambda x, dim, keepdim, correction: x.std(dim, keepdim, correction=correction),
        lambda x, dim, keepdim, correction: x.std(dim, keepdim=keepdim, correction=correction),
        _var_sample,
    ),
    OpSpec(
        "amax",
        lambda x, dim, keepdim: x.amax(dim, keepdim),
        lambda x, dim, keepdim: x.amax(_all_dims(x, dim), keepdim=keepdim),
        reduction("distinct"),
        smooth=False,
    ),
    OpSpec(
        "amin",
        lambda x, dim, keepdim: x.amin(dim, keepdim),
        lambda x, dim, keepdim: x.amin(_all_dims(x, dim), keepdim=keepdim),
        reduction("distinct"),
        smooth=False,
    ),
    OpSpec("max_all", lambda x: x.max(), lambda x: x.max(), unary("distinct"), smooth=False),
    OpSpec("min_all", lambda x: x.min(), lambda x: x.min(), unary("distinct"), smooth=False),
    OpSpec(
        "max_dim",
        lambda x, dim, keepdim: tuple(x.max(dim, keepdim)),
        lambda x, dim, keepdim: tuple(x.max(dim, keepdim)),
        _max_dim_sample,
        smooth=False,
    ),
    OpSpec(
        "min_dim",
        lambda x, dim, keepdim: tuple(x.min(dim, keepdim)),
        lambda x, dim, keepdim: tuple(x.min(dim, keepdim)),
        _max_dim_sample,
        smooth=False,
    ),
    OpSpec("prod", lambda x, dim, keepdim: x.prod(dim, keepdim), _torch_prod, _prod_sample),
    OpSpec(
        "logsumexp",
        lambda x, dim, keepdim: x.logsumexp(dim, keepdim),
        lambda x, dim, keepdim: x.logsumexp(_all_dims(x, dim), keepdim=keepdim),
        reduction(),
    ),
    OpSpec(
        "norm",
        lambda x, p, dim, keepdim: x.norm(p, dim, keepdim),
        lambda x, p, dim, keepdim: torch.linalg.vector_norm(x, p, dim, keepdim),
        _norm_sample,
        smooth=False,
    ),
    OpSpec(
        "softmax", lambda x, dim: x.softmax(dim), lambda x, dim: x.softmax(dim), _softmax_sample
    ),
    OpSpec(
        "log_softmax",
        lambda x, dim: x.log_softmax(dim),
        lambda x, dim: x.log_softmax(dim),
        _softmax_sample,
    ),
    # ------------------------------------------------------------------ shape
    OpSpec(
        "reshape",
        lambda x, shape: x.reshape(shape),
        lambda x, shape: x.reshape(shape),
        _reshape_sample,
    ),
    OpSpec(
        "view", lambda x, shape: x.view(*shape), lambda x, shape: x.reshape(*shape), _reshape_sample
    ),
    OpSpec(
        "flatten",
        lambda x, start, end: x.flatten(start, end),
        lambda x, start, end: x.flatten(start, end),
        _flatten_sample,
    ),
    OpSpec(
        "squeeze",
        lambda x, dim: x.squeeze(dim),
        lambda x, dim: x.squeeze() if dim is None else x.squeeze(dim),
        _squeeze_sample,
    ),
    OpSpec(
        "unsqueeze",
        lambda x, dim: x.unsqueeze(dim),
        lambda x, dim: x.unsqueeze(dim),
        _unsqueeze_sample,
    ),
    OpSpec(
        "permute",
        lambda x, dims: x.permute(*dims),
        lambda x, dims: x.permute(*dims) if dims else x,
        _permute_sample,
    ),
    OpSpec(
        "transpose",
        lambda x, d0, d1: x.transpose(d0, d1),
        lambda x, d0, d1: x.transpose(d0, d1),
        _transpose_sample,
    ),
    OpSpec(
        "T", lambda x: x.T, lambda x: x.permute(*reversed(range(x.ndim))) if x.ndim else x, unary()
    ),
    OpSpec(
        "expand",
        lambda x, shape: x.expand(*shape),
        lambda x, shape: x.expand(*shape) if shape else x,
        _expand_sample,
    ),
    OpSpec(
        "broadcast_to",
        lambda x, shape: x.broadcast_to(shape),
        lambda x, shape: x.broadcast_to(shape),
        _expand_sample,
    ),
    OpSpec(
        "repeat",
        lambda x, reps: x.repeat(*reps),
        lambda x, reps: x.repeat(*reps) if reps else x,
        _repeat_sample,
    ),
    OpSpec(
        "unflatten",
        lambda x, dim, sizes: x.unflatten(dim, sizes),
        lambda x, dim, sizes: x.unflatten(dim, sizes),
        _unflatten_sample,
    ),
    OpSpec("unbind", lambda x, dim: x.unbind(dim), lambda x, dim: x.unbind(dim), _softmax_sample),
    OpSpec("flip", lambda x, dim: x.flip(dim), lambda x, dim: x.flip(dim), _softmax_sample),
    OpSpec(
        "narrow",
        lambda x, dim: x.narrow(dim, 0, 1),
        lambda x, dim: x.narrow(dim, 0, 1),
        _softmax_sample,
    ),
    OpSpec("getitem", lambda x, idx: x[_idx_tg(idx)], _torch_getitem, _getitem_sample),
    OpSpec(
        "cat", lambda *xs, dim: tg.cat(xs, dim), lambda *xs, dim: torch.cat(xs, dim), _cat_sample
    ),
    OpSpec(
        "stack",
        lambda *xs, dim: tg.stack(xs, dim),
        lambda *xs, dim: torch.stack(xs, dim),
        _stack_sample,
    ),
    OpSpec(
        "split",
        lambda x, size, dim: x.split(size, dim),
        lambda x, size, dim: x.split(size, dim),
        _split_sample,
    ),
    OpSpec(
        "chunk",
        lambda x, size, dim: x.chunk(size, dim),
        lambda x, size, dim: x.chunk(size, dim),
        _split_sample,
    ),
    OpSpec(
        "pad",
        lambda x, pad, value: x.pad(pad, value),
        lambda x, pad, value: TF.pad(x, pad, value=value),
        _pad_sample,
    ),
    OpSpec(
        "gather",
        lambda x, i, dim: x.gather(dim, i),
        lambda x, i, dim: x.gather(dim, i),
        _gather_sample,
    ),
    OpSpec(
        "tril",
        lambda x, diagonal: x.tril(diagonal),
        lambda x, diagonal: x.tril(diagonal),
        _tri_sample,
    ),
    OpSpec(
        "triu",
        lambda x, diagonal: x.triu(diagonal),
        lambda x, diagonal: x.triu(diagonal),
        _tri_sample,
    ),
    # ------------------------------------------------------------------ linear algebra
    OpSpec("matmul", lambda a, b: a @ b, lambda a, b: a @ b, _matmul_sample),
    OpSpec(
        "dot",
        lambda a, b: a.dot(b),
        lambda a, b: a.dot(b),
        lambda data: _matmul_fixed(data, "1d1d"),
    ),
    OpSpec(
        "outer",
        lambda a, b: a.outer(b),
        lambda a, b: a.outer(b),
        lambda data: _matmul_fixed(data, "outer"),
    ),
    OpSpec("linear", lambda x, w, b: linear(x, w, b), TF.linear, _linear_sample),
    OpSpec(
        "linear_nobias",
        lambda x, w: linear(x, w),
        TF.linear,
        lambda data: (_linear_sample(data)[0][:2], {}),
    ),
    # ------------------------------------------------------------------ images (ops/conv.py)
    OpSpec(
        "conv2d",
        lambda x, w, b, k, stride, pad, dil, groups: F.conv2d(x, w, b, stride, pad, dil, groups),
        lambda x, w, b, k, stride, pad, dil, groups: TF.conv2d(x, w, b, stride, pad, dil, groups),
        lambda data: _image_sample(data, with_weight=True),
        atol=1e-4,
        rtol=1e-4,
    ),
    OpSpec(
        "unfold",
        lambda x, k, stride, pad, dil: F.unfold(x, k, dil, pad, stride),
        lambda x, k, stride, pad, dil: TF.unfold(x, k, dil, pad, stride),
        _image_sample,
    ),
    OpSpec(
        "fold",
        lambda c, k, stride, pad, dil, size: F.fold(c, size, k, dil, pad, stride),
        lambda c, k, stride, pad, dil, size: TF.fold(c, tuple(size), k, dil, pad, stride),
        _fold_sample,
    ),
    OpSpec(
        "max_pool2d",
        lambda x, k, stride, pad, dil: F.max_pool2d(x, k, stride, pad, dil),
        lambda x, k, stride, pad, dil: TF.max_pool2d(x, k, stride, pad, dil),
        _image_sample,
        smooth=False,
    ),
    OpSpec(
        "avg_pool2d",
        lambda x, k, stride, pad, dil: F.avg_pool2d(x, k, stride, pad),
        lambda x, k, stride, pad, dil: TF.avg_pool2d(x, k, stride, pad),
        _image_sample,
    ),
    # ------------------------------------------------------------------ fused losses (ops/loss.py)
    OpSpec(
        "cross_entropy",
        lambda x, t, reduction: F.cross_entropy(x, t, ignore_index=1, reduction=reduction),
        lambda x, t, reduction: TF.cross_entropy(x, t, ignore_index=1, reduction=reduction),
        _ce_sample,
    ),
    # ------------------------------------------------------------------ fused norms (ops/norm.py)
    OpSpec(
        "batch_norm",
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
        _bn_sample,
        atol=1e-4,
        rtol=1e-4,
    ),
    OpSpec(
        "layer_norm",
        lambda x, w, b, k: F.layer_norm(x, x.shape[-k:], w, b),
        lambda x, w, b, k: TF.layer_norm(x, x.shape[-k:], w, b),
        _ln_sample,
        atol=1e-4,
        rtol=1e-4,
    ),
    # ------------------------------------------------------------------ conversions
    OpSpec("to_float64", lambda x: x.double() * 1.5, lambda x: x.double() * 1.5, unary()),
    OpSpec("clone", lambda x: x.clone() * 2, lambda x: x.clone() * 2, unary()),
]


def _ip(x):
    """A non-leaf copy to modify in place (in-place ops on leaves that require grad raise)."""
    return x * 1


def _inplace_binary_sample(domain_b="real"):
    def sample(data):
        (sa, sb), _ = data.draw(broadcast_pairs)
        shape = np.broadcast_shapes(sa, sb)
        return [values(data.draw(seeds), shape), values(data.draw(seeds), sb, domain_b)], {}

    return sample


def _setitem_sample(data):
    [x], kw = _getitem_sample(data)
    assume(not any(isinstance(i, slice) and (i.step or 1) < 0 for i in kw["idx"]))  # torch: no
    for i in kw["idx"]:  # repeated positions: which write wins is unspecified (as in PyTorch)
        if isinstance(i, np.ndarray) and i.dtype.kind == "i":
            assume(len(set((i % x.shape[0]).tolist())) == i.size)
    region = np.empty(x.shape)[kw["idx"]].shape
    return [x, values(data.draw(seeds), region)], kw


def _setitem(lib, x, v, idx):
    y = _ip(x)
    y[_idx_tg(idx) if lib is tg else _idx_torch(idx)] = v
    return y


def _view_inplace_sample(data):
    shape = data.draw(nonscalar_shapes)
    k = data.draw(st.integers(0, shape[0] - 1))
    return [values(data.draw(seeds), shape), values(data.draw(seeds), shape[1:])], {"k": k}


def _view_inplace(x, w, k):
    """y[k] *= w through a view: the base's gradient must see the change (CopySlices)."""
    y = _ip(x)
    v = y[k]
    v.mul_(w)
    return y * y


INPLACE_SPECS = [
    OpSpec(
        "add_",
        lambda a, b: _ip(a).add_(b, alpha=2),
        lambda a, b: _ip(a).add_(b, alpha=2),
        _inplace_binary_sample(),
    ),
    OpSpec(
        "sub_", lambda a, b: _ip(a).sub_(b), lambda a, b: _ip(a).sub_(b), _inplace_binary_sample()
    ),
    OpSpec(
        "mul_", lambda a, b: _ip(a).mul_(b), lambda a, b: _ip(a).mul_(b), _inplace_binary_sample()
    ),
    OpSpec(
        "div_",
        lambda a, b: _ip(a).div_(b),
        lambda a, b: _ip(a).div_(b),
        _inplace_binary_sample("away"),
    ),
    OpSpec(
        "iadd_residual",
        lambda a, b: _iadd(a, b),
        lambda a, b: _iadd(a, b),
        _inplace_binary_sample(),
    ),
    OpSpec("pow_", lambda x: _ip(x).pow_(3), lambda x: _ip(x).pow_(3), unary()),
    OpSpec(
        "clamp_",
        lambda x: _ip(x).clamp_(-0.5, 0.7),
        lambda x: _ip(x).clamp_(-0.5, 0.7),
        unary("away"),
        smooth=False,
    ),
    OpSpec(
        "relu_", lambda x: _ip(x).relu_(), lambda x: _ip(x).relu_(), unary("away"), smooth=False
    ),
    OpSpec("sigmoid_", lambda x: _ip(x).sigmoid_(), lambda x: _ip(x).sigmoid_(), unary()),
    OpSpec("tanh_", lambda x: _ip(x).tanh_(), lambda x: _ip(x).tanh_(), unary()),
    OpSpec("neg_", lambda x: _ip(x).neg_(), lambda x: _ip(x).neg_(), unary()),
    OpSpec("exp_", lambda x: _ip(x).exp_(), lambda x: _ip(x).exp_(), unary()),
    OpSpec("sqrt_", lambda x: _ip(x).sqrt_(), lambda x: _ip(x).sqrt_(), unary("positive")),
    OpSpec("abs_", lambda x: _ip(x).abs_(), lambda x: _ip(x).abs_(), unary("away"), smooth=False),
    OpSpec(
        "copy_",
        lambda a, b: _ip(a).copy_(b) * a,
        lambda a, b: _ip(a).copy_(b) * a,
        _inplace_binary_sample(),
    ),
    OpSpec("fill_", lambda x: _ip(x).fill_(1.5) * x, lambda x: _ip(x).fill_(1.5) * x, unary()),
    OpSpec(
        "zero_", lambda x: (_ip(x).zero_() + 1) * x, lambda x: (_ip(x).zero_() + 1) * x, unary()
    ),
    OpSpec(
        "masked_fill_",
        lambda x, m, value: _ip(x).masked_fill_(m, value),
        lambda x, m, value: _ip(x).masked_fill_(m, value),
        _masked_fill_sample,
    ),
    OpSpec(
        "index_fill_",
        lambda x, dim: _ip(x).index_fill_(dim, tg.tensor([0]), 2.0),
        lambda x, dim: _ip(x).index_fill_(dim, torch.tensor([0]), 2.0),
        _softmax_sample,
    ),
    OpSpec(
        "setitem",
        lambda x, v, idx: _setitem(tg, x, v, idx),
        lambda x, v, idx: _setitem(torch, x, v, idx),
        _setitem_sample,
    ),
    OpSpec("view_mul_", _view_inplace, _view_inplace, _view_inplace_sample),
]


def _iadd(a, b):
    """The ResNet idiom: out = f(x); out += identity."""
    out = a * 2
    out += b
    return out.tanh()


SPECS += INPLACE_SPECS


def _matmul_fixed(data, kind):
    k = data.draw(st.integers(1, 5))
    m = data.draw(st.integers(1, 5)) if kind == "outer" else k
    return [values(data.draw(seeds), (k,)), values(data.draw(seeds), (m,))], {}


SPEC_BY_NAME = {s.name: s for s in SPECS}
