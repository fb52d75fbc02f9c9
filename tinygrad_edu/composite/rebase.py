"""How an in-place op rewrites the graph (rules 2 and 3 of inplace.py).

The tensor written in place keeps its identity for the user, but stands for a new node from now
on: it is *rebased*. Nodes recorded before still need its old value, so an *alias* (a tensor
holding the old identity: the old node and, when backward needs it, a copy of the old array) is
remembered in `tensor._rebased`, with the in-place stamp after which it applies; the engine's
`inputs_of` (autograd/graph.py) hands that alias to the earlier nodes. A write into a view
rewrites part of its base: the base is rebased onto CopySlices(old base, new values) and the view
is rebuilt from the new base by replaying its view steps.
"""

from __future__ import annotations

import weakref

from ..autograd.grad_mode import state
from ..ops import movement


def _remember(t, alias) -> None:
    """Nodes recorded before t's latest version keep seeing `alias` (t's old identity)."""
    alias._view = t._view
    t._rebased = (t._rebased or ()) + ((state.inplace_ops, alias),)


def _old_identity(t):
    return t._make(t.data, t.requires_grad, t.grad_fn)


def _rebase(t, node) -> None:
    """t now stands for the output of `node` (recorded before t's latest version)."""
    t.grad_fn = node
    t.requires_grad = True
    if node.save_output:
        node._out = weakref.ref(t)
    node.stamp = state.inplace_ops  # t's own new version is not a change to node's output


def _refuse_while_compiling(what: str) -> None:
    if state.recorder is not None:  # tg.compile replays array ops; a graph rewrite is not one
        state.recorder.refuse(f"{what} on a tensor that is part of the graph")


def rebase_written(t, alias, out) -> None:
    """t's memory now holds out's values: rebase t (and its base, when t is a view)."""
    _refuse_while_compiling("an in-place op")
    _remember(t, alias)
    if t._view is None:
        if out.requires_grad:
            _rebase(t, out.grad_fn)
        else:  # fill_, zero_, ...: a node that gives the old values a zero gradient
            _rebase(t, movement.CopySlices.apply(alias, out, steps=(), write=False).grad_fn)
        return
    base, steps = t._view
    _rebase_base(base, steps, out)
    _refresh_view(t, base, steps)


def assign_region(t, steps, value, index) -> None:
    """t[index] = value with autograd: t (or its base) rebased onto a CopySlices node."""
    _refuse_while_compiling("index assignment")
    base = t
    if t._view is not None:
        base, prefix = t._view
        steps = prefix + steps
    region_shape = movement.region_shape(base.data, steps)
    if value.dtype != t.dtype:
        value = value.to(t.dtype)
    if value.shape != region_shape:
        try:
            value = value.expand(region_shape)
        except RuntimeError:
            raise RuntimeError(
                f"__setitem__: a value of shape {value.shape} cannot be assigned to the region "
                f"{index!r} of shape {region_shape} (tensor shape {t.shape})"
            ) from None
    old_t = _old_identity(t)
    movement.write_region(base.data, steps, value.data)
    t._bump_version()
    _rebase_base(base, steps, value)
    if t is not base:
        _remember(t, old_t)
        _refresh_view(t, base, t._view[1])


def _rebase_base(base, steps, new) -> None:
    """base's region `steps` now holds `new`: rebase base onto CopySlices(old base, new)."""
    alias = _old_identity(base)
    _remember(base, alias)
    node = movement.CopySlices.apply(alias, new, steps=steps, write=False).grad_fn
    _rebase(base, node)


def _refresh_view(v, base, steps) -> None:
    """Give view v a node that reads it from its (rebased) base."""
    fresh = base
    for cls, options in steps:
        fresh = cls.apply(fresh, **options)
    _rebase(v, fresh.grad_fn)
