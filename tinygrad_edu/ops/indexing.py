"""Indexing primitives and their scatter counterparts (each is the other's backward).

Getitem <-> IndexAdd:  y = x[index]             dx = zeros(x.shape) with g added at index
Gather  <-> ScatterAdd: y = x.gather(dim, idx)   dx = zeros(x.shape) with g added at idx along dim
Repeated indices add up in the backward (scatter-add), as PyTorch does.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function


def _xp(a):
    return backend.xp_of_array(a)


def _is_advanced(index: tuple) -> bool:
    return any(backend.is_array(i) for i in index)


class Getitem(Function):
    """y = x[index] (ints, slices, None, Ellipsis, integer arrays);  dx = g scattered back

    why: indexing: its adjoint scatters the gradient back into a zero tensor
    """

    uses_inputs = False
    is_view = True  # basic indexing aliases x's memory (advanced indexing copies)

    def forward(self, x, index):
        self.index, self.in_shape = index, x.shape
        out = x[index]
        if not isinstance(out, type(x)) and Ellipsis not in index:
            out = x[index + (Ellipsis,)]  # x[i] of a 1-d x: a 0-d view, not a copied scalar
        return out

    def backward(self, g):
        return IndexAdd.apply(g, shape=self.in_shape, index=self.index)


class IndexAdd(Function):
    """y = zeros(shape) with g added at index (repeats accumulate);  dg = y_grad[index]

    why: the adjoint of integer-array indexing (repeated indices accumulate)
    """

    uses_inputs = False

    def forward(self, g, shape, index):
        self.index = index
        out = _xp(g).zeros(shape, dtype=g.dtype)
        if _is_advanced(index):
            backend.scatter_add(out, index, g)
        else:
            out[index] = g
        return out

    def backward(self, gg):
        return gg[self.index]


def _gather_index(xp, index, dim):
    grids = list(backend.sparse_indices(index.shape, index))
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    """y[i][j] = x[index[i][j]][j] (dim=0), etc.;  dx = zeros with g added along dim at index

    why: indexing along a dim; its adjoint is ScatterAdd
    """

    uses_inputs = False

    def forward(self, x, index, dim):
        self.dim, self.in_shape = dim, x.shape
        return x[_gather_index(_xp(x), index, dim)]

    def backward(self, g):
        return ScatterAdd.apply(g, self.parents[1], dim=self.dim, shape=self.in_shape)


class ScatterAdd(Function):
    """y = zeros(shape) with src added along dim at index;  dsrc = y_grad.gather(dim, index)

    why: the adjoint of Gather; its own gradient gathers
    """

    uses_inputs = False

    def forward(self, src, index, dim, shape):
        self.dim = dim
        out = _xp(src).zeros(shape, dtype=src.dtype)
        backend.scatter_add(out, _gather_index(_xp(src), index, dim), src)
        return out

    def backward(self, gg):
        return gg.gather(self.dim, self.parents[1]), None
