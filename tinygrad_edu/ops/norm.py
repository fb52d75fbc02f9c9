"""Fused normalisation: BatchNorm (training) and LayerNorm in one primitive.

Composed, a training-mode BatchNorm is ~18 ops forward and ~30 backward; fused, it is one op each
way, with the textbook gradient. DESIGN.md admits a primitive for large speed: this is one.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import state
from .movement import Reshape
from .reduce import Sum


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, mean and (biased) var taken over `dims`;
    w and b (optional) broadcast against x (BatchNorm: (1, C, 1, 1); LayerNorm: the last dims).

    With xhat = (x - mean) * r, r = 1 / sqrt(var + eps), n = elements per statistic, d = g * w:
      dx = r / n * (n d - sum(d) - xhat sum(d xhat))   (sums over `dims`)
      dw = sum(g xhat),  db = sum(g)                    (over the dims where w broadcasts)
    `stats`, if given, receives the batch (mean, var) arrays (for running statistics)."""

    def forward(self, x, *params, dims: tuple, eps: float, has_weight: bool, stats=None):
        xp = backend.xp_of_array(x)
        self.dims, self.eps, self.has_weight = dims, eps, has_weight
        mean = x.mean(axis=dims, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=dims, keepdims=True)
        r = 1.0 / xp.sqrt(var + x.dtype.type(eps))
        xhat = xc * r
        self.save_for_backward(xhat, r)
        if stats is not None:
            stats.extend([mean, var])
        y = xhat
        if has_weight:
            y = y * params[0]
        if len(params) > int(has_weight):
            y = y + params[-1]
        return y.astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.parents[0]
        w = self.parents[1] if self.has_weight else None
        dims = self.dims
        if state.grad_enabled:  # create_graph: rebuild xhat and r from x so they differentiate
            mean = x.mean(dims, keepdim=True)
            xc = x - mean
            r = ((xc * xc).mean(dims, keepdim=True) + self.eps).rsqrt()
            xhat = xc * r
        else:
            xhat, r = map(self.const, self.saved)
        n = 1
        for k in dims:
            n *= x.shape[k]
        d = g * w if w is not None else g
        # dx = (d - (sum(d) + xhat * sum(d * xhat)) / n) * r, with the primitives called directly
        s1 = Sum.apply(d, dims=dims, keepdim=True)
        s2 = Sum.apply(d * xhat, dims=dims, keepdim=True)
        dx = (d - (s1 + xhat * s2) * (1.0 / n)) * r
        grads = [dx]
        for p in self.parents[1:]:
            if p is w:
                grads.append(_sum_to(g * xhat, p.shape))
            else:
                grads.append(_sum_to(g, p.shape))
        return tuple(grads)

    def extra_repr(self) -> str:
        return f"dims={self.dims}, eps={self.eps}"


def _sum_to(t, shape: tuple):
    """Sum t (x's shape) down to a parameter's broadcast shape."""
    lead = t.ndim - len(shape)
    ones = tuple(lead + i for i, s in enumerate(shape) if s == 1 and t.shape[lead + i] != 1)
    if not ones:  # LayerNorm's parameters: only the leading (batch) dims go
        return Sum.apply(t, dims=tuple(range(lead)), keepdim=False) if lead else t
    out = Sum.apply(t, dims=tuple(range(lead)) + ones, keepdim=True)
    return Reshape.apply(out, shape=shape) if out.shape != shape else out
