"""The one walk over a graph, shared by the engine and the pictures.

The graph's vertices are tensors; a tensor made by an op points to that op's node
(`tensor.grad_fn`), and the node points to its input tensors (`node.parents`, as `inputs_of`
reads them: a tensor rewritten in place since is seen as it was). Walking from the outputs
towards the leaves with a stack (no recursion: graphs can be 100k ops deep) visits every node
once; that is the walk.

* `count_consumers` is the engine's walk: it finds every tensor that will receive a gradient
  and how many edges bring it one; the engine then runs Kahn's algorithm on those counts
  (`count_down`): a tensor's node runs backward once all of its consumers have sent their
  gradient. `toposort` is that order.
* `walk` is the same traversal one node at a time, yielding each node with its input edges
  (`edges_of`: tensor, shape, dtype, producing node), and `node_order` is Kahn's algorithm on
  its nodes (backward's order, node by node). The pictures (viz: draw_graph, explain_backward,
  explain) read the graph only through these. They also walk a graph already freed by
  backward: `release()` keeps each input's shape, dtype and node, and a weak reference to the
  tensor (None once the program drops it).

count_consumers does not call walk: it runs in every backward, and going through a generator
costs it time (a 10,000-op chain: 5.5 ms inline, 8.9 ms through a generator of (node, inputs),
18.5 ms with walk's edge tuples).
"""

from __future__ import annotations

from .grad_mode import state

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or to use gradients of a graph whose "
    "saved tensors were already freed by an earlier backward). Pass retain_graph=True to the "
    "first backward() or autograd.grad() call if you need to go through the graph again."
)


def inputs_of(node) -> tuple:
    """The tensors `node` sends gradients to: its inputs as they were when it was recorded.

    A tensor rewritten in place since then stands for a new node; the old identity it had for
    `node` is kept in `tensor._rebased` (see composite/rebase.py)."""
    parents = node.parents
    if node.stamp == state.inplace_ops:  # no in-place op ran since node was recorded
        return parents
    for p in parents:
        if p._rebased is not None:
            return tuple(_as_of(p, node.stamp) for p in parents)
    return parents


def _as_of(t, stamp: int):
    if t._rebased is not None:
        for when, old in t._rebased:
            if stamp < when:
                return old
    return t


def unique(tensors) -> list:
    """The tensors in order, each once (by identity: Tensor's == is elementwise)."""
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def count_consumers(roots) -> tuple[list, dict]:
    """Every tensor reachable from `roots` through requires_grad edges, and for each the number
    of edges that will bring it a gradient."""
    nodes = unique(roots)
    stack = list(nodes)
    seen = {id(t) for t in nodes}
    counts: dict = {}
    while stack:
        fn = stack.pop().grad_fn
        if fn is None:
            continue
        if fn.released:
            raise RuntimeError(f"{FREED_GRAPH_MESSAGE} (node {fn.name})")
        # skip inputs_of() (a call per node, 4% of the chain) when no in-place op ran since fn
        for p in fn.parents if fn.stamp == state.inplace_ops else inputs_of(fn):
            if p.requires_grad:
                k = id(p)
                counts[k] = counts.get(k, 0) + 1
                if k not in seen:
                    seen.add(k)
                    nodes.append(p)
                    stack.append(p)
    return nodes, counts


def count_down(parents, counts: dict, ready: list) -> None:
    """One consumer of each parent is done; parents with no consumer left become ready."""
    for p in parents:
        if p.requires_grad:
            k = id(p)
            counts[k] -= 1
            if counts[k] == 0:
                ready.append(p)


def toposort(roots) -> list:
    """Tensors reachable from `roots`, each after every tensor that consumes it: the order in
    which the engine runs their nodes."""
    _, counts = count_consumers(roots)
    order, ready = [], [t for t in unique(roots) if not counts.get(id(t))]
    while ready:
        t = ready.pop()
        order.append(t)
        if t.grad_fn is not None:
            count_down(inputs_of(t.grad_fn), counts, ready)
    return order


def edges_of(node) -> list:
    """(tensor or None, shape, dtype, producing node or None) per input of `node`, as
    `inputs_of` sees them; also after `release()`, when a tensor is None once nothing holds it."""
    if not node.released:
        return [(p, p.shape, p.dtype, p.grad_fn) for p in inputs_of(node)]
    edges = []
    for ref, shape, dtype, fn in node.released_parents:
        t = ref()
        if t is not None and t._rebased is not None:  # rewritten in place: its old identity
            t = _as_of(t, node.stamp)
            fn = t.grad_fn
        edges.append((t, shape, dtype, fn))
    return edges


def walk(roots, released: str = "raise"):
    """Yield (node, edges_of(node)) for every node reachable from the tensors `roots`, each
    once, depth first from the outputs. released: 'raise' (a freed graph cannot be
    differentiated again) or 'follow' (draw it anyway, from what release() kept)."""
    if released not in ("raise", "follow"):
        raise ValueError(f"walk: released must be 'raise' or 'follow', got {released!r}")
    stack = [t.grad_fn for t in roots if t.grad_fn is not None]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.released and released == "raise":
            raise RuntimeError(f"{FREED_GRAPH_MESSAGE} (node {node.name})")
        edges = edges_of(node)
        yield node, edges
        for _, _, _, fn in edges:
            if fn is not None and id(fn) not in seen:
                stack.append(fn)


def node_order(walked: list) -> list:
    """The nodes of `walked` (walk's (node, edges) pairs), each after every node that reads its
    output: Kahn's algorithm on consumer counts, the ready stack popped last in, first out. For
    one root that is the order of toposort (and backward), without the leaves."""
    counts: dict = {}
    for _, edges in walked:
        for _, _, _, fn in edges:
            if fn is not None:
                counts[id(fn)] = counts.get(id(fn), 0) + 1
    inputs = {id(node): edges for node, edges in walked}
    order, ready = [], [node for node, _ in reversed(walked) if not counts.get(id(node))]
    while ready:
        node = ready.pop()
        order.append(node)
        for _, _, _, fn in inputs[id(node)]:
            if fn is not None:
                counts[id(fn)] -= 1
                if counts[id(fn)] == 0:
                    ready.append(fn)
    return order
