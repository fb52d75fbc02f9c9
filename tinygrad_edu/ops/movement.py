"""Movement primitives: they move or copy elements without arithmetic.

(BroadcastTo, a view too, lives in reduce.py beside Sum, its adjoint.)
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from . import nograd


def _xp(a):
    return backend.xp_of_array(a)


class Reshape(Function):
    """y = x viewed with a new shape;  dx = g reshaped back

    why: movement: no arithmetic, its adjoint reshapes back
    """

    uses_inputs = False
    is_view = True

    def forward(self, x, shape):
        self.in_shape, self.out_shape = x.shape, shape
        return x.reshape(shape)

    def backward(self, g):
        return Reshape.apply(g, shape=self.in_shape)

    def extra_repr(self) -> str:
        return f"{self.in_shape} -> {self.out_shape}"


class Permute(Function):
    """y = x with its axes reordered;  dx = g with the inverse order

    why: movement: no arithmetic, its adjoint applies the inverse permutation
    """

    uses_inputs = False
    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, g):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return Permute.apply(g, dims=tuple(inverse))

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class CopySlices(Function):
    """y = x with the region `steps` (a chain of views) replaced by v;
    dx = g with that region zeroed,  dv = g's region

    The graph of t[i] = v and of in-place ops on views: the overwritten values of x get no
    gradient.

    why: gradient semantics: an assignment routes the region's gradient to the new values
    """

    uses_inputs = False

    def forward(self, x, v, steps, write=True):
        self.steps, self.region = steps, v.shape
        if not write:  # the caller already wrote v into x's memory (an in-place op)
            return x
        out = x.copy(order="K")  # keep x's layout so that the view steps apply to the copy
        write_region(out, steps, v)
        return out

    def backward(self, g):
        zeros = self.const(nograd.full(self.region, 0, g.dtype, backend.device_of(g.data)))
        dx = CopySlices.apply(g, zeros, steps=self.steps)
        dv = g
        for cls, options in self.steps:
            dv = cls.apply(dv, **options)
        return dx, dv


def _view_array(array, steps):
    for cls, options in steps:
        array = cls.forward(object.__new__(cls), array, **options)
    return array


def region_shape(array, steps) -> tuple:
    """The shape of `array` seen through the view steps."""
    return tuple(_view_array(array, steps).shape)


def write_region(array, steps, values) -> None:
    """array's region `steps` = values, in place (the last step may be an advanced index)."""
    if not steps:
        array[...] = values
        return
    *lead, (cls, options) = steps
    target = _view_array(array, lead)
    if "index" in options:
        target[options["index"]] = values
        return
    view = _view_array(target, ((cls, options),))
    if not backend.may_share_memory(view, array):
        raise RuntimeError("in-place write: the view no longer aliases its base's memory")
    view[...] = values


class Pad(Function):
    """y = x with constant padding, pads = ((before, after), ...) per axis;  dx = g cropped

    why: movement: its adjoint crops
    """

    uses_inputs = False

    def forward(self, x, pads, value):
        self.pads, self.in_shape = pads, x.shape
        return _xp(x).pad(x, pads, mode="constant", constant_values=value)

    def backward(self, g):
        index = tuple(slice(b, b + s) for (b, _), s in zip(self.pads, self.in_shape))
        return g[index]

    def extra_repr(self) -> str:
        return f"pads={self.pads}"


class Cat(Function):
    """y = the inputs joined along dim;  dx_i = the slice of g that came from input i

    why: joins several inputs in one node; its adjoint slices the gradient apart
    """

    uses_inputs = False

    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = tuple(x.shape[dim] for x in xs)
        return _xp(xs[0]).concatenate(xs, axis=dim)

    def backward(self, g):
        grads, start = [], 0
        lead = (slice(None),) * self.dim
        for size, need in zip(self.sizes, self.needs_input_grad):
            grads.append(g[lead + (slice(start, start + size),)] if need else None)
            start += size
        return tuple(grads)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class ToDevice(Function):
    """y = x copied to another device;  dx = g copied back

    why: moves data between devices; its adjoint moves the gradient back
    """

    uses_inputs = False

    def forward(self, x, device):
        self.in_device = backend.device_of(x)
        return backend.to_device(x, device)

    def backward(self, g):
        return g.to(self.in_device)

    def extra_repr(self) -> str:
        return f"{self.in_device}->"
