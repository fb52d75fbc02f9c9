"""Fused primitives: ops that PyTorch also runs as one kernel, fused here for speed alone.

Each is mathematically a composition of other ops, and the op table (tests/op_specs.py) checks it
against that composite reference (`reference_*` below) as well as against PyTorch:
- Linear: y = x @ w^T + b (PyTorch's addmm). Composed it is a transpose, a matmul and a
  broadcast add; fused, one BLAS call each way.
- Normalize: training BatchNorm and LayerNorm. Composed, ~18 ops forward and ~30 backward;
  fused, one each way with the textbook gradient.
- CrossEntropy: logits (N, C) and class indices. Composed, log_softmax, a gather, masks for
  ignore_index and a mean (about ten ops); fused, one log-softmax forward and one softmax back.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import state
from .linalg import MatMul
from .movement import Reshape
from .reduce import Sum


class Linear(Function):
    """y = x @ w^T + b for x (..., in), w (out, in), b (out,), PyTorch's addmm, fused;
    dx = g @ w,  dw = g^T x (summed over the batch dims),  db = g summed over the batch dims

    why: speed: fused x @ w^T + b, one node per layer instead of MatMul, Permute and Add
    """

    def forward(self, x, w, b=None):
        y = x @ w.T
        y = y if y.dtype == x.dtype else y.astype(x.dtype)  # ml_dtypes' bfloat16 @ -> float32
        if b is not None:
            y += b
        return y

    def backward(self, g):
        x, w = self.parents[0], self.parents[1]
        need = self.needs_input_grad
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
        gx = gw = gb = None
        if need[0]:  # batch dims are flattened so that each product is one 2-D BLAS call
            gx = MatMul.apply(g2, w)
            gx = gx if x.ndim == 2 else gx.reshape(x.shape)
        if need[1]:
            x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            gw = MatMul.apply(g2, x2, ta=True)
        if len(self.parents) > 2 and need[2]:
            gb = g2.sum(0)
        return (gx, gw, gb) if len(self.parents) > 2 else (gx, gw)


class Normalize(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, mean and (biased) var over `dims`;
    dx = r / n * (n d - sum(d) - xhat sum(d xhat)),  dw = sum(g xhat),  db = sum(g)

    w and b (optional) broadcast against x (BatchNorm: (1, C, 1, 1); LayerNorm: the last dims).
    Here xhat = (x - mean) * r, r = 1 / sqrt(var + eps), n = elements per statistic, d = g * w;
    the sums in dx run over `dims`, those of dw and db over the dims where w broadcasts.
    `stats`, if given, receives the batch (mean, var) arrays (for running statistics).

    why: speed: BatchNorm and LayerNorm in one node instead of about a dozen
    """

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


class CrossEntropy(Function):
    """l_i = logsumexp(x_i) - x_i[t_i] for logits x (N, C) and class indices t (N,);
    dx_i = (softmax(x_i) - onehot(t_i)) * g_i  (g_i = g / count for 'mean'), 0 on ignored rows,
    dt = none (class indices)

    Rows with t_i == ignore_index give 0; 'mean' divides by the number of kept rows.

    why: stability and speed: log-softmax and the target pick fused, softmax - onehot
    """

    def forward(self, x, t, ignore_index: int, reduction: str):
        xp = backend.xp_of_array(x)
        n, c = x.shape
        self.reduction = reduction
        keep = t != ignore_index
        safe = xp.where(keep, t, 0)
        shifted = x - x.max(axis=1, keepdims=True)
        lse = xp.log(xp.exp(shifted).sum(axis=1))
        loss = (lse - shifted[xp.arange(n), safe]) * keep
        onehot = xp.zeros((n, c), dtype=x.dtype)
        onehot[xp.arange(n), safe] = 1
        self.save_for_backward(keep[:, None].astype(x.dtype), onehot * keep[:, None])
        self.count = int(keep.sum())
        if reduction == "none":
            return loss.astype(x.dtype, copy=False)
        total = loss.sum(dtype=x.dtype)
        return total / x.dtype.type(self.count) if reduction == "mean" else total

    def backward(self, g):
        x = self.parents[0]
        if self.reduction == "none":
            scale = g.reshape(-1, 1)
        elif self.reduction == "mean":
            scale = g / float(self.count) if self.count else g * float("nan")
        else:
            scale = g
        keep, onehot = map(self.const, self.saved)
        grad = x.softmax(-1) * keep - onehot
        return grad * scale, None

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


# ------------------------------------------------------------------ composite references
def reference_linear(x, w, b=None):
    """Linear composed from Tensor ops (what the fused op must equal)."""
    y = x @ w.T
    return y if b is None else y + b


def reference_normalize(x, dims, eps, w=None, b=None):
    """Normalize composed from Tensor ops."""
    xc = x - x.mean(dims, keepdim=True)
    y = xc * ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    y = y if w is None else y * w
    return y if b is None else y + b


def reference_cross_entropy(x, t, ignore_index, reduction):
    """CrossEntropy composed from Tensor ops."""
    keep = t != ignore_index
    safe = t.masked_fill(keep.logical_not(), 0)
    picked = x.log_softmax(1).gather(1, safe.unsqueeze(1)).squeeze(1)
    loss = (-picked).masked_fill(keep.logical_not(), 0.0)
    if reduction == "none":
        return loss
    return loss.sum() / keep.sum().float() if reduction == "mean" else loss.sum()
