"""Reductions, and BroadcastTo beside Sum: each is the other's gradient (an adjoint pair).

The front end passes `dims` as a sorted tuple of non-negative axes.

`keep` is the input shape with the reduced axes set to 1: the shape a gradient is reshaped to before
it is broadcast back over the input.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from .movement import Reshape


def _xp(a):
    return backend.xp_of_array(a)


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    """y = sum of x over dims;  dx = g broadcast back over the reduced dims

    why: the basic reduction; the adjoint of BroadcastTo
    """

    uses_inputs = False

    def forward(self, x, dims, keepdim):
        self.in_shape, self.dims = x.shape, dims
        return x.sum(axis=dims, keepdims=keepdim)

    def backward(self, g):
        keep = _keep_shape(self.in_shape, self.dims)
        if g.shape != keep:
            g = Reshape.apply(g, shape=keep)
        return BroadcastTo.apply(g, shape=self.in_shape) if keep != self.in_shape else g

    def extra_repr(self) -> str:
        return f"dim={self.dims}"


class BroadcastTo(Function):
    """y = x repeated (without copying) to `shape`;  dx = g summed over the repeated axes

    why: the one place where a gradient is summed down to an input's shape
    """

    uses_inputs = False
    is_view = True

    def forward(self, x, shape):
        self.in_shape, self.out_shape = x.shape, shape
        return _xp(x).broadcast_to(x, shape)

    def backward(self, g):
        in_shape = self.in_shape
        lead = g.ndim - len(in_shape)
        ones = tuple(lead + i for i, s in enumerate(in_shape) if s == 1 and g.shape[lead + i] != 1)
        if not ones:  # only new leading dims: one sum gives the input's shape
            return Sum.apply(g, dims=tuple(range(lead)), keepdim=False)
        out = Sum.apply(g, dims=tuple(range(lead)) + ones, keepdim=True)
        return Reshape.apply(out, shape=in_shape) if out.shape != in_shape else out

    def extra_repr(self) -> str:
        return f"{self.in_shape} -> {self.out_shape}"


class Amax(Function):
    """y = max of x over dims;  dx = g shared evenly among the elements equal to the max

    why: gradient semantics: ties share the gradient evenly, as in PyTorch
    """

    save_output = True

    def forward(self, x, dims, keepdim):
        if x.size == 0:
            raise RuntimeError(f"amax: cannot reduce an empty tensor of shape {x.shape}")
        self.dims = dims
        return x.max(axis=dims, keepdims=keepdim)

    def backward(self, g):
        x = self.parents[0]
        keep = _keep_shape(x.shape, self.dims)
        mask = (x == self.output.reshape(keep)).to(g.dtype)
        share = mask / mask.sum(self.dims, keepdim=True)
        return g.reshape(keep) * share

    def extra_repr(self) -> str:
        return f"dim={self.dims}"


class LogSumExp(Function):
    """y = log(sum(exp(x))) over dims, shifted by the max for stability;  dx = g * exp(x - y)

    why: numerical stability: shifted by the max, so exp never overflows
    """

    save_output = True

    def forward(self, x, dims, keepdim):
        xp = _xp(x)
        self.dims = dims
        m = x.max(axis=dims, keepdims=True) if x.size else xp.zeros(_keep_shape(x.shape, dims))
        m = xp.where(xp.isfinite(m), m, 0).astype(x.dtype, copy=False)  # all -inf rows
        y = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
        return y if keepdim else y.reshape([s for i, s in enumerate(y.shape) if i not in dims])

    def backward(self, g):
        x = self.parents[0]
        keep = _keep_shape(x.shape, self.dims)
        return g.reshape(keep) * (x - self.output.reshape(keep)).exp()

    def extra_repr(self) -> str:
        return f"dim={self.dims}"


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max)) along dim;  dx = y * (g - sum(g * y))

    why: numerical stability and a short backward (y * (g - sum(g y)))
    """

    save_output = True
    uses_inputs = False

    def forward(self, x, dim):
        xp = _xp(x)
        self.dim = dim
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e.astype(x.dtype, copy=False)  # bfloat16 (ml_dtypes) sums come back as float32

    def backward(self, g):
        y = self.output
        return y * (g - (g * y).sum(self.dim, keepdim=True))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Function):
    """y = x - logsumexp(x) along dim;  dx = g - exp(y) * sum(g)

    why: numerical stability: x - logsumexp(x) never takes log(0)
    """

    save_output = True
    uses_inputs = False

    def forward(self, x, dim):
        xp = _xp(x)
        self.dim = dim
        s = x - x.max(axis=dim, keepdims=True)
        s = s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        return s.astype(x.dtype, copy=False)  # bfloat16 (ml_dtypes) sums come back as float32

    def backward(self, g):
        return g - self.output.exp() * g.sum(self.dim, keepdim=True)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
