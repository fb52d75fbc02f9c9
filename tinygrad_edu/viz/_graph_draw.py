"""How draw_graph emits its nodes: tensor boxes, nested module clusters and collapsed-module boxes.

graph.py walks and groups the graph; this file turns the grouped nodes into DOT statements.
"""

from __future__ import annotations

from collections import defaultdict

from . import _graph_style as style


def _title(node) -> str:
    if node.name:
        return node.name
    return {"input": "input", "leaf": "leaf", "const": "const"}.get(node.kind, "")


def _tensor_attrs(node) -> dict:
    attrs = style.node_style(node.state, node.grad, node.requires_grad)
    attrs.setdefault("style", "filled")
    if node.kind == "const":
        attrs.update(style="filled,dotted", fontsize="9")
    if node.kind == "output":
        attrs["peripheries"] = "2"
    label = style.tensor_label(
        _title(node), node.shape, node.dtype, node.data, node.grad, node.state
    )
    return {"label": label, "shape": "box", **attrs}


def _parents(path: str) -> list:
    """'a.b.c' -> ['a', 'a.b', 'a.b.c']: the clusters that hold a node of module a.b.c."""
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _clusters(g, members: dict, types: dict) -> None:
    """Nested `subgraph cluster_*` blocks, one per module path that holds nodes."""
    paths = sorted({p for m in members for p in _parents(m)})
    children = defaultdict(list)
    for p in paths:
        children[p.rsplit(".", 1)[0] if "." in p else None].append(p)
    counter = [0]

    def emit(parent, path):  # recursion depth = module nesting depth (a handful)
        counter[0] += 1
        with parent.subgraph(name=f"cluster_{counter[0]}") as c:
            kind = types.get(path)
            attrs = {
                "label": f"{path}: {kind}" if kind else path,
                "style": "rounded,dashed",
                "color": "#7a7a7a",
                "fontcolor": "#333333",
                "labeljust": "l",
            }
            c.body.append(f"\t{style.dot_attrs(attrs)}\n")
            c.body.extend(style.dot_line(i, attrs) for i, attrs in members.get(path, []))
            for child in children.get(path, []):
                emit(c, child)

    for top in children.get(None, []):
        emit(g, top)


def _box_attrs(path: str, types: dict, tensors: dict, outputs: list, rank: dict) -> dict:
    """One box for a collapsed module: its parameters' gradients and its output shapes."""
    inside = [n for n in tensors.values() if n.module == path]
    leaves = sorted((n for n in inside if n.kind == "leaf" and n.name), key=lambda n: rank[n.name])
    params = [(n.name[len(path) + 1 :], n.shape, n.dtype, n.grad) for n in leaves]
    params += [
        (n.name.replace(path + ".", ""), n.shape, n.dtype, None)  # running statistics
        for n in inside
        if n.kind == "input" and n.name
    ]
    outs = [(n.shape, n.dtype) for n in outputs]
    grads = [n.grad for n in inside if n.kind == "leaf" and n.grad is not None]
    states = [n.state for n in inside if n.kind == "leaf"]
    state = next((s for s in ("nan", "exploding", "vanishing") if s in states), "ok")
    if states and all(s == "zero" for s in states):
        state = "zero"
    total = None
    if grads:
        total = style.Stats(numel=1, norm=sum(s.norm**2 for s in grads) ** 0.5)
        if state == "nan":
            total.nan = 1
    attrs = style.node_style(state if grads or state == "nan" else "none", total, True)
    attrs.setdefault("style", "filled")
    attrs["style"] = attrs["style"].replace("filled", "filled,rounded")
    label = style.module_label(path, types.get(path), params, outs, state)
    return {"label": label, "shape": "box", **attrs}
