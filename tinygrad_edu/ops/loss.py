"""Fused losses: primitives that earn their place by speed (DESIGN.md).

Cross entropy of logits and class indices is the last op of every classifier step. Composed, it
takes log_softmax, a gather, masks for ignore_index and a mean: about ten ops. Fused, the forward
is one log-softmax and the backward one softmax, with the same gradients.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function


class CrossEntropy(Function):
    """l_i = logsumexp(x_i) - x_i[t_i] for logits x (N, C) and class indices t (N,); rows with
    t_i == ignore_index give 0. 'mean' divides by the number of kept rows.
    dx_i = (softmax(x_i) - onehot(t_i)) * g_i  (g_i = g / count for 'mean'), 0 on ignored rows."""

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
