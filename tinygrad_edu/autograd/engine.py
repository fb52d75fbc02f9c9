"""The backward engine: Kahn's algorithm over the graph, one node at a time, like micrograd.

`run_backward` is the core; `grad()` (returns gradients) and `backward()` (accumulates them into
leaf `.grad`) are thin wrappers. Hooks, retain_grad, retain_graph, create_graph, the in-place
version check and anomaly checks all live here and nowhere else.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import repeat

from .. import backend
from . import anomaly
from . import function as _function
from .grad_mode import set_grad_enabled, state
from .graph import count_consumers, inputs_of, unique

_NONES = repeat(None)  # the "gradients" of a node that received none: its inputs only count down


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, capture=None):
    """Propagate `root_grads` from `roots` to every tensor that requires grad.

    With `capture` (a dict id(tensor) -> None) the gradients of those tensors are stored in it
    and no `.grad` is written (autograd.grad); otherwise leaves and retain_grad tensors
    accumulate theirs. Backward ops are recorded only when `create_graph`.
    """
    nodes, counts = count_consumers(roots)
    grads: dict = {}
    handed_out: set = set()  # ids of arrays the caller holds: copy before a leaf keeps them
    for r, g in zip(roots, root_grads):
        _add_grad(grads, r, g)
        handed_out.add(id(g.data))
    ready = [t for t in unique(roots) if not counts.get(id(t))]
    with set_grad_enabled(create_graph), _gc_paused():
        while ready:
            t = ready.pop()
            fn = t.grad_fn
            g = grads.pop(id(t), None)
            if g is not None:
                if t._hooks:
                    g = _call_hooks(t, g)
                if fn is None or capture is not None or t._retains_grad:  # else nobody asked
                    _deliver(t, g, capture, handed_out, create_graph)
            if fn is None:
                continue
            # skip inputs_of() (a call per node) when no in-place op ran since fn was recorded
            parents = fn.parents if fn.stamp == state.inplace_ops else inputs_of(fn)
            for p, gp in zip(parents, _node_backward(fn, g) if g is not None else _NONES):
                if p.requires_grad:
                    k = id(p)
                    if gp is not None:
                        if gp.data.shape != p.data.shape:
                            raise _shape_error(fn, gp, p)
                        _add_grad(grads, p, gp)
                    counts[k] -= 1  # one consumer of p is done; the last one makes p ready
                    if not counts[k]:
                        ready.append(p)
        if not retain_graph:  # still without the collector: release allocates per node
            for t in nodes:
                if t.grad_fn is not None and not t.grad_fn.released:
                    t.grad_fn.release()


@contextmanager
def _gc_paused():
    # The engine makes no reference cycles (graphs are freed by reference counting), so the
    # cyclic collector would only rescan the graph's many objects: on 100k-op graphs that was a
    # fifth of the backward's time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _add_grad(grads: dict, t, g) -> None:
    old = grads.get(id(t))
    grads[id(t)] = g if old is None else old + g  # fan-in: contributions add up


def _call_hooks(t, g):
    """Tensor hooks see the gradient first; one that returns a tensor replaces it."""
    for hook in t._hooks:
        out = hook(g)
        if out is not None:
            g = out
    return g


def _deliver(t, g, capture, handed_out: set, create_graph: bool) -> None:
    """Hand t's finished gradient to whoever asked: autograd.grad's capture, a leaf's .grad,
    or a non-leaf's .grad after retain_grad()."""
    if capture is not None:
        if id(t) in capture:
            old = capture[id(t)]
            capture[id(t)] = g if old is None else old + g
    elif t.grad_fn is None:
        accumulate_leaf(t, g, handed_out, create_graph)
    elif t._retains_grad:
        t.grad = g if t.grad is None else t.grad + g
        handed_out.add(id(g.data))


def _node_backward(fn, g) -> tuple:
    """fn.backward(g) as a tuple, after checking that no tensor it reads changed in place."""
    if (fn.uses_inputs or fn.save_output) and fn.stamp != state.inplace_ops:
        fn.check_inputs_unmodified()
    if not state.anomaly:
        res = fn.backward(g)
        return res if type(res) is tuple else (res,)
    state.in_backward = True
    try:
        res = fn.backward(g)
    finally:
        state.in_backward = False
    res = res if type(res) is tuple else (res,)
    anomaly.check_backward(fn, res)
    return res


def _shape_error(fn, gp, p) -> RuntimeError:
    return RuntimeError(
        f"internal error: {fn.name}.backward returned a gradient of shape "
        f"{tuple(gp.shape)} for an input of shape {tuple(p.shape)}"
    )


def accumulate_leaf(t, g, handed_out: set, create_graph: bool) -> None:
    """t.grad += g. Without create_graph the stored gradient is a plain array of t's own, never
    one the caller or another leaf holds (optimisers change .grad in place)."""
    if state.recorder is not None:  # tg.compile: .grad is an output of the step
        state.recorder.leaf_grad(t)
    if not create_graph:
        data = g.data
        if id(data) in handed_out or data.base is not None or g.requires_grad:
            data = data.copy()
            if state.recorder is not None:
                state.recorder.record_call("copy", (g.data,), {}, data)
        handed_out.add(id(data))
        if data is not g.data:
            g = _function.Function.const(data)
    t.grad = g if t.grad is None else t.grad + g


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _root_grads(outputs, grad_outputs) -> list:
    grad_outputs = _as_list(grad_outputs) or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    return [_root_grad(i, o, g) for i, (o, g) in enumerate(zip(outputs, grad_outputs))]


def _root_grad(i: int, o, g):
    if not o.requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn "
            f"(shape {tuple(o.shape)}); did you build it under no_grad() or from tensors "
            "without requires_grad=True?"
        )
    if g is None:
        if o.numel() != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but the output has "
                f"shape {tuple(o.shape)}; pass gradient= (backward) or grad_outputs= (grad) "
                "with that shape"
            )
        ones = backend.xp_of_array(o.data).ones_like(o.data)
        if state.recorder is not None:  # tg.compile: the root gradient is an array op
            state.recorder.record_call("ones_like", (o.data,), {}, ones)
        return _function.Function.const(ones)
    if not (hasattr(g, "grad_fn") and hasattr(g, "data")):
        g = _function.Function.const(backend.asarray(g, dtype=o.dtype, device=o.device))
    if g.shape != o.shape:
        raise RuntimeError(
            f"gradient has shape {tuple(g.shape)} but the output has shape {tuple(o.shape)}; "
            "they must match"
        )
    return g


def backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(tensor)/d(leaf) into `.grad` of every leaf that requires grad (or of
    `inputs` only)."""
    root_grads = _root_grads([tensor], gradient)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward([tensor], root_grads, retain_graph, create_graph)
        return
    inputs = _as_list(inputs)
    capture = {id(t): None for t in inputs}
    run_backward([tensor], root_grads, retain_graph, create_graph, capture)
    for t in inputs:
        if capture[id(t)] is not None:
            accumulate_leaf(t, capture[id(t)], set(), create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """d(outputs)/d(inputs) as a tuple, without touching any `.grad` (as torch.autograd.grad)."""
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) does not require grad")
    root_grads = _root_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {id(t): None for t in inputs}
    run_backward(outputs, root_grads, retain_graph, create_graph, capture)
    result = tuple(capture[id(t)] for t in inputs)
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return result
