"""The backward engine: an explicit-stack topological sort and one loop over the nodes.

`run_backward` is the core; `grad()` (returns gradients) and `backward()` (accumulates them into
leaf `.grad`) are thin wrappers. Hooks, retain_grad, retain_graph, create_graph and anomaly checks
all live here and nowhere else.
"""

from __future__ import annotations

import gc
from typing import Sequence

from .. import backend
from . import anomaly
from . import function as _function
from .grad_mode import state


def _is_tensor(x) -> bool:
    return hasattr(x, "grad_fn") and hasattr(x, "data")


def _wrap(array):
    return _function._make_tensor(array, False, None)

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use gradients of a graph whose "
    "saved tensors were already freed by an earlier backward). Pass retain_graph=True to the "
    "first backward() or autograd.grad() call if you need to go through the graph again."
)


def count_consumers(roots) -> tuple[list, dict]:
    """Every tensor reachable from `roots` through requires_grad edges, and for each the number
    of graph edges that will bring it a gradient (Kahn's algorithm runs on these counts)."""
    nodes: list = []
    counts: dict = {}
    seen: set = set()
    stack: list = []
    for r in roots:
        if id(r) not in seen:
            seen.add(id(r))
            stack.append(r)
    push, get = stack.append, counts.get
    while stack:
        t = stack.pop()
        nodes.append(t)
        fn = t.grad_fn
        if fn is None:
            continue
        if fn.released:
            raise RuntimeError(f"{FREED_GRAPH_MESSAGE} (node {fn.name})")
        for p in fn.parents:
            if p.requires_grad:
                k = id(p)
                counts[k] = get(k, 0) + 1
                if k not in seen:
                    seen.add(k)
                    push(p)
    return nodes, counts


def toposort(roots) -> list:
    """Tensors reachable from `roots`, each after all the tensors that consume it (backward order)."""
    nodes, counts = count_consumers(roots)
    order, ready = [], [t for t in _unique(roots) if not counts.get(id(t))]
    while ready:
        t = ready.pop()
        order.append(t)
        if t.grad_fn is not None:
            for p in t.grad_fn.parents:
                if p.requires_grad:
                    counts[id(p)] -= 1
                    if counts[id(p)] == 0:
                        ready.append(p)
    return order


def _unique(tensors) -> list:
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, capture=None):
    """Propagate `root_grads` from `roots` to every tensor that requires grad.

    Kahn's algorithm: a tensor is processed once every consumer has sent its gradient. With
    `capture` (a dict id(tensor) -> None), the gradients of those tensors are stored in it and no
    `.grad` is written (autograd.grad); otherwise leaves and retain_grad tensors accumulate.
    """
    nodes, counts = count_consumers(roots)
    grads: dict = {}
    # arrays handed to users (root gradients, retained grads) must not become a leaf's .grad
    # without a copy: an optimiser or clip_grad_norm_ later changes .grad in place.
    shared: set = set()
    for r, g in zip(roots, root_grads):
        shared.add(id(g.data))
        k = id(r)
        grads[k] = g if k not in grads else grads[k] + g
    ready = [t for t in _unique(roots) if not counts.get(id(t))]
    accumulate = capture is None
    pop, get = grads.pop, grads.get
    prev = state.grad_enabled
    state.grad_enabled = create_graph
    # The engine makes no reference cycles (graphs are freed by reference counting), so the
    # cyclic collector would only rescan the graph's many objects: on 100k-op graphs that was a
    # fifth of the backward's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while ready:
            t = ready.pop()
            fn = t.grad_fn
            g = pop(id(t), None)
            if g is None:  # no gradient reached t: only release its inputs' counters
                if fn is not None:
                    for p in fn.parents:
                        if p.requires_grad:
                            k = id(p)
                            counts[k] -= 1
                            if counts[k] == 0:
                                ready.append(p)
                continue
            if t._hooks:
                for hook in t._hooks:
                    out = hook(g)
                    if out is not None:
                        g = out
            if capture is not None and id(t) in capture:
                capture[id(t)] = g if capture[id(t)] is None else capture[id(t)] + g
            if fn is None:
                if accumulate:
                    _accumulate_leaf(t, g, shared, create_graph)
                continue
            if accumulate and t._retains_grad:
                t.grad = g if t.grad is None else t.grad + g
                shared.add(id(g.data))
            if fn.uses_inputs and fn.stamp != state.inplace_ops:
                fn.check_inputs_unmodified()
            if state.anomaly:
                state.in_backward = True
                try:
                    res = fn.backward(g)
                finally:
                    state.in_backward = False
                res = res if type(res) is tuple else (res,)
                anomaly.check_backward(fn, res)
            else:
                res = fn.backward(g)
                if type(res) is not tuple:
                    res = (res,)
            for p, gp in zip(fn.parents, res):
                if not p.requires_grad:
                    continue
                k = id(p)
                if gp is not None:
                    if gp.data.shape != p.data.shape:
                        raise RuntimeError(
                            f"internal error: {fn.name}.backward returned a gradient of shape "
                            f"{tuple(gp.shape)} for an input of shape {tuple(p.shape)}"
                        )
                    old = get(k)
                    grads[k] = gp if old is None else old + gp
                counts[k] -= 1
                if counts[k] == 0:
                    ready.append(p)
    finally:
        state.grad_enabled = prev
        if collecting:
            gc.enable()
    if not retain_graph:
        for t in nodes:
            fn = t.grad_fn
            if fn is not None and not fn.released:
                fn.release()


def _accumulate_leaf(t, g, shared: set, create_graph: bool) -> None:
    if state.recorder is not None:  # tg.compile: .grad is an output of the step
        state.recorder.leaf_grad(t)
    if not create_graph:
        data = g.data
        if id(data) in shared or data.base is not None or g.requires_grad:
            data = data.copy()
            if state.recorder is not None:
                state.recorder.record_call("copy", (g.data,), {}, data)
        shared.add(id(data))
        g = _wrap(data) if data is not g.data or g.requires_grad else g
    if t.grad is None:
        t.grad = g
    else:
        t.grad = t.grad + g


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _root_grads(outputs, grad_outputs) -> list:
    grad_outputs = _as_list(grad_outputs) or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    result = []
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
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
            g = _wrap(backend.xp_of_array(o.data).ones_like(o.data))
            if state.recorder is not None:  # tg.compile: the root gradient is an array op
                state.recorder.record_call("ones_like", (o.data,), {}, g.data)
        else:
            if not _is_tensor(g):
                g = _wrap(backend.asarray(g, dtype=o.dtype, device=o.device))
            if g.shape != o.shape:
                raise RuntimeError(
                    f"gradient has shape {tuple(g.shape)} but the output has shape "
                    f"{tuple(o.shape)}; they must match"
                )
        result.append(g)
    return result


def backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(tensor)/d(leaf) into `.grad` of every leaf that requires grad."""
    roots = [tensor]
    root_grads = _root_grads(roots, gradient)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(roots, root_grads, retain_graph, create_graph)
        return
    inputs = _as_list(inputs)
    capture = {id(t): None for t in inputs}
    run_backward(roots, root_grads, retain_graph, create_graph, capture)
    for t in inputs:
        g = capture[id(t)]
        if g is not None:
            _accumulate_leaf(t, g, set(), create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """d(outputs)/d(inputs) as a tuple, without touching any `.grad` (as torch.autograd.grad)."""
    outputs = _as_list(outputs)
    inputs_list: Sequence = _as_list(inputs)
    for i, t in enumerate(inputs_list):
        if not t.requires_grad:
            raise RuntimeError(
                f"grad: input {i} (shape {tuple(t.shape)}) does not require grad"
            )
    root_grads = _root_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {id(t): None for t in inputs_list}
    run_backward(outputs, root_grads, retain_graph, create_graph, capture)
    result = []
    for i, t in enumerate(inputs_list):
        g = capture[id(t)]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)
