"""draw_graph: a Graphviz picture of the autograd graph behind one or more tensors.

    loss = F.cross_entropy(model(x), y)
    loss.backward()
    draw_graph(loss, params=model).save("graph.svg")

One node per op (a rounded ellipse with its name, e.g. `MatMul`, `Sum(dim=1)`) and one per tensor
(a box with its name, shape and dtype, its values when it is small, and summary statistics of its
data and gradient); edges follow the data from inputs to the output. Tensor boxes are coloured by
gradient norm on a log scale, NaN/Inf are red, vanishing gradients get a dashed blue border and
exploding ones a thick orange border (see the legend).

Module grouping. With `params=model` (anything with named_parameters()/named_modules()) or an
iterable of (name, Tensor) whose names are dotted paths, an op joins the cluster of module M when
  1. it reads a parameter of M, or a tensor computed from M's parameters and scalar constants
     alone (W.T, the broadcast bias): the MatMul and the bias Add of a Linear (a 0-d tensor made
     of parameters, such as an L2 penalty, pulls in nothing);
  2. or it lies between ops of M: data reaches it only from ops of M, and everything it computes
     flows only into ops of M (the reshapes between a convolution's MatMul and its bias Add).
Ops of modules without parameters (ReLU, Dropout, pooling) and the loss stay outside clusters; a
tensor sits in the cluster of the op that made it. `collapse=True` draws each module as one box.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..autograd.graph import node_order, walk
from . import _graph_style as style
from ._graph_draw import _box_attrs, _clusters, _tensor_attrs
from ._graph_names import name_buffer_inputs
from ._render import graph_class

RANKDIRS = ("TB", "LR", "BT", "RL")
AUTO_COLLAPSE = 150  # collapse="auto": draw modules as boxes above this many nodes ...
AUTO_TARGET = 80  # ... choosing the shallowest module depth that leaves at most this many


@dataclass
class _TensorNode:
    tensor: object  # the Tensor, or None when the graph no longer holds it
    shape: tuple
    dtype: object
    requires_grad: bool
    producer: object = None  # id of the op that made it, None for leaves
    name: str | None = None
    kind: str = "intermediate"  # 'output', 'intermediate', 'leaf', 'input' or 'const'
    module: str | None = None
    data: style.Stats | None = None
    grad: style.Stats | None = None
    state: str = "none"


@dataclass
class _OpNode:
    fn: object
    inputs: list = field(default_factory=list)  # tensor keys in argument order
    module: str | None = None


def _collect_names(params) -> tuple:
    """({id(tensor): name}, {module path: type name}, [tensors kept alive]) from `params`."""
    if params is None:
        return {}, {}, []
    types: dict = {}
    if hasattr(params, "named_parameters"):
        if hasattr(params, "named_modules"):
            types = {p: type(m).__name__ for p, m in params.named_modules() if p}
        params = params.named_parameters()
    names, keep = {}, []
    for item in params:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise TypeError(
                "draw_graph: params must be a Module or an iterable of (name, Tensor) pairs such "
                f"as model.named_parameters(); got an item {item!r:.60}"
            )
        names.setdefault(id(item[1]), item[0])
        keep.append(item[1])
    return names, types, keep


def _walk(roots: list, names: dict) -> tuple:
    """Tensor and op nodes reachable from `roots` (the engine's walk, autograd/graph.py), and
    the op ids in an order where each op comes after the ops that made its inputs."""
    tensors: dict = {}
    ops: dict = {}
    for i, r in enumerate(roots):
        key = ("out", id(r.grad_fn)) if r.grad_fn is not None else ("leaf", id(r))
        title = "output" if len(roots) == 1 else f"output {i}"
        tensors[key] = _TensorNode(
            r, r.shape, r.dtype, r.requires_grad, kind="output", name=names.get(id(r), title)
        )
        if r.grad_fn is not None:
            tensors[key].producer = id(r.grad_fn)
    walked = list(walk(roots, released="follow"))  # a graph freed by backward still draws
    for fn, edges in walked:
        op = ops[id(fn)] = _OpNode(fn)
        for i, (t, shape, dtype, pfn) in enumerate(edges):
            if pfn is not None:
                key = ("out", id(pfn))
                node = tensors.get(key)
                if node is None:
                    tensors[key] = _TensorNode(
                        t,
                        shape,
                        dtype,
                        True,
                        producer=id(pfn),
                        name=names.get(id(t)) if t is not None else None,
                    )
                elif node.tensor is None and t is not None:
                    node.tensor = t
            elif t is not None and (t.ndim > 0 or t.requires_grad or id(t) in names):
                key = ("leaf", id(t))
                if key not in tensors:
                    kind = "leaf" if t.requires_grad else "input"
                    tensors[key] = _TensorNode(
                        t, shape, dtype, t.requires_grad, kind=kind, name=names.get(id(t))
                    )
            else:  # a scalar constant (shared between graphs by the front end) or an input
                key = ("use", id(fn), i)  # that the graph no longer holds: one node per use
                kind = "const" if len(shape) == 0 else "input"
                tensors[key] = _TensorNode(t, shape, dtype, False, kind=kind)
            op.inputs.append(key)
    order = [id(fn) for fn in reversed(node_order(walked))]  # inputs first
    return tensors, ops, order


def _group(tensors: dict, ops: dict, order: list, names: dict) -> None:
    """Assign ops and tensors to modules (see the module docstring for the two rules); `order`:
    op ids, each after the ops that made its inputs."""
    for node in tensors.values():
        if node.kind == "leaf" and node.name and "." in node.name and node.tensor is not None:
            if id(node.tensor) in names:
                node.module = node.name.rsplit(".", 1)[0]
    if not any(n.module for n in tensors.values()):
        return
    derived: dict = {k: n.module for k, n in tensors.items() if n.module}
    for k in order:  # rule 1, inputs first
        op = ops[k]
        sources = [derived.get(t) for t in op.inputs if tensors[t].kind != "const"]
        if sources and sources[0] and all(m == sources[0] for m in sources):
            op.module = derived[("out", k)] = sources[0]  # computed from M's parameters alone
            continue
        # a scalar made of parameters (an L2 penalty) does not pull the op that reads it into M
        mods = {derived.get(t) for t in op.inputs if tensors[t].shape} - {None}
        if len(mods) == 1:
            op.module = mods.pop()
    _between(tensors, ops, order)
    for key, node in tensors.items():
        if node.producer is not None and node.producer in ops:
            node.module = ops[node.producer].module
        elif node.kind == "const":  # a scalar constant sits next to the op that reads it
            node.module = ops[key[1]].module


def _between(tensors: dict, ops: dict, order: list) -> None:
    """Rule 2: an op without a module joins M when data reaches it only from ops of M (through
    other such ops) and everything it feeds ends in ops of M."""
    users = defaultdict(list)
    for k, op in ops.items():
        for t in op.inputs:
            if tensors[t].producer in ops:
                users[tensors[t].producer].append(k)
    up: dict = {}
    for k in order:
        if ops[k].module is None:
            found = set()
            for t in ops[k].inputs:
                p = tensors[t].producer
                if p in ops:
                    found.add(ops[p].module or up.get(p))
            up[k] = found.pop() if len(found) == 1 else None
    down: dict = {}
    for k in reversed(order):
        if ops[k].module is None:
            found = {ops[u].module or down.get(u) for u in users[k]}
            is_root = tensors[("out", k)].kind == "output"
            down[k] = found.pop() if len(found) == 1 and not is_root else None
    for k, m in up.items():
        if m is not None and down.get(k) == m:
            ops[k].module = m


def _measure(tensors: dict, show: str) -> None:
    """Statistics of data and grad of every tensor still alive, and its gradient health."""
    if show == "shapes":
        return
    small = style.SMALL_NUMEL[show]
    for node in tensors.values():
        t = node.tensor
        if t is None:
            continue
        node.data = style.summarize(t.data, small if node.kind != "const" else 1)
        g = getattr(t, "grad", None)
        if g is not None and node.requires_grad:
            node.grad = style.summarize(g.data, small)
        elif node.kind == "output" and node.requires_grad and t.numel() == 1:
            node.grad = style.seed_stats(small)  # backward starts from d(out)/d(out) = 1
    norms = [n.grad.norm for n in tensors.values() if n.grad is not None and n.grad.finite]
    largest = max(norms, default=0.0)
    for node in tensors.values():
        node.state = style.health(node.grad, node.data, largest)


def _cut(path: str, depth) -> str:
    return path if depth is True else ".".join(path.split(".")[: int(depth)])


def _count(tensors: dict, ops: dict, collapse) -> int:
    """Nodes in the picture: every tensor and op, or with collapse one box per module."""
    if not collapse:
        return len(tensors) + len(ops)
    boxes = {n.module for n in tensors.values() if n.module}
    return (
        sum(1 for n in tensors.values() if not n.module)
        + len(boxes)
        + sum(1 for n in ops.values() if not n.module)
    )


def _regroup(tensors: dict, ops: dict, order: list) -> None:
    """After merging modules, ops between two ops of one module join it (rule 2 again)."""
    _between(tensors, ops, order)
    for node in tensors.values():
        if node.producer is not None and node.producer in ops:
            node.module = ops[node.producer].module


def _auto_depth(tensors: dict, ops: dict, order: list):
    """collapse='auto': False for small pictures, else the shallowest cut that leaves at least
    4 boxes (one per block of a Sequential) and at most AUTO_TARGET nodes, else the smallest."""
    if len(tensors) + len(ops) <= AUTO_COLLAPSE or not any(n.module for n in tensors.values()):
        return False
    nodes = list(tensors.values()) + list(ops.values())
    saved = [n.module for n in nodes]
    modules = {m for m in saved if m}
    deepest = max(m.count(".") + 1 for m in modules)
    best = None
    for depth in [*range(1, deepest), True]:
        for n, m in zip(nodes, saved):
            n.module = m if m is None else _cut(m, depth)
        _regroup(tensors, ops, order)
        count = _count(tensors, ops, depth)
        boxes = len({n.module for n in tensors.values() if n.module})
        for n, m in zip(nodes, saved):
            n.module = m
        if count <= AUTO_TARGET and boxes >= min(4, len(modules)):
            return depth
        if best is None or count < best[0]:
            best = (count, depth)
    return best[1]


def draw_graph(
    *roots,
    params=None,
    show: str = "auto",
    collapse="auto",
    max_nodes: int = 2000,
    rankdir: str = "TB",
    legend: bool | None = None,
):
    """Draw the autograd graph that produced `roots` (Tensors) as a graphviz.Digraph.

    params: a Module, or an iterable of (name, Tensor) such as model.named_parameters(); names
        label the tensors and dotted names group ops into one cluster per module.
    show: 'auto' (values of tensors with <= 8 elements, statistics otherwise), 'values' (values
        up to 64 elements), 'stats' (statistics only) or 'shapes' (names, shapes, dtypes only).
    collapse: True draws each module (with params) as one box; an int d merges modules to the
        first d parts of their dotted path before collapsing ('layer1.0.conv' -> 'layer1' for 1).
        'auto' (default): False up to AUTO_COLLAPSE nodes, else the shallowest depth that leaves
        4 or more boxes and at most AUTO_TARGET nodes (one box per block of a Sequential).
    max_nodes: raise ValueError when the picture would have more nodes than this.
    rankdir: 'TB' (inputs on top), 'LR', 'BT' or 'RL'.
    legend: add the colour legend; by default when some gradient is drawn.
    Returns a graphviz.Digraph (subclass) with `.save('g.svg'|'g.png'|'g.pdf')` and `.render()`.
    """
    if len(roots) == 1 and isinstance(roots[0], (list, tuple)):
        roots = tuple(roots[0])
    if not roots:
        raise TypeError("draw_graph: give at least one output Tensor, e.g. draw_graph(loss)")
    for r in roots:
        if not (hasattr(r, "grad_fn") and hasattr(r, "data") and hasattr(r, "shape")):
            raise TypeError(f"draw_graph: expected Tensors, got {type(r).__name__}")
    if show not in style.SHOWS:
        raise ValueError(f"draw_graph: show must be one of {style.SHOWS}, got {show!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if not (
        collapse is True
        or collapse is False
        or collapse == "auto"
        or (type(collapse) is int and collapse >= 1)
    ):
        raise ValueError(
            f"draw_graph: collapse must be True, False, 'auto' or a depth >= 1, got {collapse!r}"
        )
    names, types, _keep = _collect_names(params)
    tensors, ops, order = _walk(list(roots), names)
    name_buffer_inputs(tensors, params)
    _group(tensors, ops, order, names)
    if collapse == "auto":
        collapse = _auto_depth(tensors, ops, order)
    if collapse is not False:
        for n in list(tensors.values()) + list(ops.values()):
            if n.module is not None:
                n.module = _cut(n.module, collapse)
        _regroup(tensors, ops, order)
    boxes = sorted({n.module for n in tensors.values() if n.module}) if collapse else []
    count = _count(tensors, ops, collapse)
    if count > max_nodes:
        raise ValueError(
            f"draw_graph: the picture would have {count} nodes, more than max_nodes={max_nodes}. "
            "Pass a larger max_nodes= to draw it anyway, collapse=True with params=model to draw "
            "one box per module, or draw a smaller part of the graph (e.g. one layer's output)."
        )
    _measure(tensors, show)
    return _build(tensors, ops, names, types, boxes, show, rankdir, legend)


def _build(tensors, ops, names, types, boxes, show, rankdir, legend):
    """Emit the DOT nodes (inside nested module clusters) and edges."""
    g = graph_class()(
        "autograd",
        graph_attr={
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "fontsize": "11",
            "nodesep": "0.25",
            "ranksep": "0.35",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10", "margin": "0.05,0.03"},
        edge_attr={"color": "#555555", "arrowsize": "0.6"},
    )
    ids: dict = {}
    members = defaultdict(list)  # module path -> [(dot id, attrs)]
    for n, (key, node) in enumerate(tensors.items()):
        ids[key] = f"t{n}"
    for n, k in enumerate(ops):
        ids[("op", k)] = f"op{n}"
    box_ids = {m: f"m{i}" for i, m in enumerate(boxes)}
    for k, op in ops.items():
        if op.module in box_ids:
            ids[("op", k)] = box_ids[op.module]
        else:
            attrs = {
                "label": style.op_label(op.fn.label()),
                "shape": "ellipse",
                "style": "filled",
                "fillcolor": style.OP_FILL,
                "color": style.OP_BORDER,
            }
            members[op.module].append((ids[("op", k)], attrs))
    for key, node in tensors.items():
        if node.module in box_ids:
            ids[key] = box_ids[node.module]
        elif boxes and node.kind == "intermediate" and node.producer in ops:
            ids[key] = ids[("op", node.producer)]  # collapsed: op -> op, no tensor box between
        else:
            members[node.module].append((ids[key], _tensor_attrs(node)))
    rank = {n: i for i, n in enumerate(names.values())}  # parameters in named_parameters order
    read_by = defaultdict(set)  # tensor key -> modules of the ops that read it
    for op in ops.values():
        for t in op.inputs:
            read_by[t].add(op.module)
    for m in boxes:
        outs = [
            n
            for k, n in tensors.items()
            if n.module == m and n.producer is not None and (n.kind == "output" or read_by[k] - {m})
        ]
        parent = m.rsplit(".", 1)[0] if "." in m else None  # the box replaces m's cluster
        members[parent].append((box_ids[m], _box_attrs(m, types, tensors, outs, rank)))
    edges: list = []
    for k, op in ops.items():
        for t in op.inputs:
            edges.append((ids[t], ids[("op", k)]))
        edges.append((ids[("op", k)], ids[("out", k)]))
    if boxes:  # edges inside a box vanish, parallel ones between a box and a node merge
        edges = list(dict.fromkeys(e for e in edges if e[0] != e[1]))
    g.body.extend(style.dot_line(dot_id, attrs) for dot_id, attrs in members.pop(None, []))
    _clusters(g, members, types)
    g.body.extend(f"\t{a} -> {b}\n" for a, b in edges)
    g.dot_ids = ids  # ('out'|'leaf', id) and ('op', id(fn)) -> DOT node id (the walkthrough)
    g.num_nodes = len(set(ids.values()))
    g.num_edges = len(edges)
    if legend is None:
        legend = show != "shapes" and any(
            n.grad is not None and n.kind != "output" for n in tensors.values()
        )
    if legend:
        g.node("legend", label=style.legend_label(), shape="plaintext")
    return g
