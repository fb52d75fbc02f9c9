"""explain_backward: watch backpropagation happen, one graph node at a time.

    loss = F.cross_entropy(model(x), y)
    walk = explain_backward(loss, params=model)   # before loss.backward(): the graph must be alive
    walk.save("backward.html")                    # slider, arrow keys, the rule and the numbers
    print(walk)                                   # the same steps as text
    loss.backward()

The walk visits the nodes in the engine's order (`_engine_order`: Kahn's algorithm over consumer
counts, the ready stack popped last-in first-out, as autograd/engine.py does) and calls each op's
own `backward` under no_grad. Nothing is written to `.grad` and the graph is not released, so
`loss.backward()` afterwards gives the same gradients (a test checks that they are equal).
Tensor hooks (register_hook) are not called: the walk shows the ops' own rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..autograd.graph import count_consumers, count_down, edges_of, inputs_of, unique
from . import _graph_style as style
from .explain import primitive_card

SMALL = 12  # tensors with at most this many elements are shown value by value


def _engine_order(roots: list, root_grads: list) -> list:
    """[(tensor, [(from step or None, grad), ...], grads per input or None)] in the order the
    engine visits the tensors that receive a gradient. The arriving contributions are summed in
    the order they arrived, as the engine sums them, and the results are `fn.backward(sum)`.
    The walk is the engine's own (autograd/graph.py): the same consumer counts, the same
    ready stack and count_down, the same inputs per node (in-place rewrites resolved)."""
    _, counts = count_consumers(roots)
    arrived: dict = {}
    for r, g in zip(roots, root_grads):
        arrived.setdefault(id(r), []).append((None, g))
    ready = [t for t in unique(roots) if not counts.get(id(t))]
    steps: list = []
    while ready:
        t = ready.pop()
        fn, parts = t.grad_fn, arrived.pop(id(t), [])
        results = None
        if parts:
            if fn is not None:
                if fn.uses_inputs or fn.save_output:
                    fn.check_inputs_unmodified()
                results = fn.backward(_sum(parts))
                results = results if isinstance(results, tuple) else (results,)
            steps.append((t, parts, results))
        if fn is None:
            continue
        parents = inputs_of(fn)
        if results is not None:
            for p, gp in zip(parents, results):
                if gp is not None and p.requires_grad:
                    arrived.setdefault(id(p), []).append((len(steps) - 1, gp))
        count_down(parents, counts, ready)
    return steps


def _sum(parts: list):
    total = parts[0][1]
    for _, g in parts[1:]:
        total = total + g
    return total


def describe(data, small: int = SMALL) -> str:
    """Values of a small array ('[0.42, -1]'), summary statistics of a big one."""
    s = style.summarize(data, small)
    if s.values is not None:
        return " ".join(style.fmt_values(s.values, per_line=8))
    return f"{s.numel} values: {style.stats_text(s, with_norm=True)}"


@dataclass
class Step:
    """One node the engine visits: what arrives, the rule, and what leaves for each input."""

    index: int
    kind: str  # 'op' or 'leaf'
    title: str  # 'Tanh', 'Sum(dim=1)' or a leaf's name
    op: str | None  # the primitive's class name (its derivation card), None for a leaf
    forward: str = ""
    rule: str = ""
    arriving: list = field(default_factory=list)  # [(where from, value text)]
    grad: str = ""  # the sum of the arriving gradients
    values: list = field(default_factory=list)  # [(symbol, value text)]: numbers in the rule
    delivered: list = field(default_factory=list)  # [(input name, to what, gradient text)]
    highlight: list = field(default_factory=list)  # DOT ids of the current node(s)
    edges: list = field(default_factory=list)  # 'a->b' DOT edges that carry this step's grads

    def text(self) -> str:
        lines = [f"step {self.index + 1}: {self.title}"]
        if self.rule:
            rule = f"{self.forward};  {self.rule}" if self.kind == "op" else self.rule
            lines.append(f"  rule      {rule}")
        for src, val in self.arriving:
            lines.append(f"  arrives   {val}   ({src})")
        if len(self.arriving) > 1:
            lines.append(f"  sum g     {self.grad}")
        lines += [f"  {sym:<9} {val}" for sym, val in self.values]
        lines += [f"  {'d' + name:<9} {val}   (to {dest})" for name, dest, val in self.delivered]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class Walkthrough:
    """The recorded steps of one backward pass; see `explain_backward`."""

    def __init__(self, steps: list, graph, grads: dict, title: str) -> None:
        self.steps = steps
        self.graph = graph  # the TensorGraph drawn with the same DOT ids
        self.grads = grads  # {name: final gradient array} of the named leaves
        self.title = title

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def __iter__(self):
        return iter(self.steps)

    def __str__(self) -> str:
        return "\n\n".join(s.text() for s in self.steps)

    def __repr__(self) -> str:
        return f"<Walkthrough of {self.title}: {len(self)} steps>"

    def html(self) -> str:
        """One self-contained HTML page (inline SVG, CSS and JS; no network)."""
        from ._walk_html import page

        return page(self)

    def _repr_html_(self) -> str:
        from ._walk_html import iframe

        return iframe(self.html())

    def save(self, path) -> str:
        """Write '.html' (interactive page), '.gif' (animation) or a folder of PNG frames (a path
        without a suffix, or ending in '/'). Returns the path."""
        path = os.fspath(path)
        ext = os.path.splitext(path.rstrip("/\\"))[1].lower()
        parent = os.path.dirname(path.rstrip("/\\"))
        if parent:
            os.makedirs(parent, exist_ok=True)
        if ext in (".html", ".htm"):
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(self.html())
            os.replace(tmp, path)
            return path
        from ._walk_frames import save_frames, save_gif

        if ext == ".gif":
            return save_gif(self, path)
        if ext == "":
            return save_frames(self, path)
        raise ValueError(
            f"Walkthrough.save: unknown file type {ext!r} in {path!r}; use .html, "
            ".gif, or a folder name for PNG frames"
        )


def _root_grads(roots: list) -> list:
    from ..factories import ones_like

    for i, r in enumerate(roots):
        if not (hasattr(r, "grad_fn") and hasattr(r, "data")):
            raise TypeError(f"explain_backward: expected Tensors, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError(f"explain_backward: output {i} does not require grad")
        if r.numel() != 1:
            raise RuntimeError(
                f"explain_backward: output {i} has shape {tuple(r.shape)}; "
                "backward starts from a scalar (e.g. a loss)"
            )
        if r.grad_fn is not None and r.grad_fn.released:
            raise RuntimeError(
                "explain_backward: the graph was already freed by backward(); call "
                "explain_backward(loss) before loss.backward(), or pass retain_graph=True to it"
            )
    return [ones_like(r) for r in roots]


def explain_backward(
    *roots, params=None, show: str = "auto", max_nodes: int = 400, rankdir: str = "TB"
) -> Walkthrough:
    """Record backward from `roots` (scalar Tensors), one Step per node the engine visits.

    params: a Module or (name, Tensor) pairs, to name the leaves and group ops by module.
    show, max_nodes, rankdir: as draw_graph (the picture in the HTML and the frames).
    Call it before loss.backward() (or after backward(retain_graph=True)); it writes no .grad.
    """
    from .. import no_grad
    from .graph import _collect_names, draw_graph

    if len(roots) == 1 and isinstance(roots[0], (list, tuple)):
        roots = tuple(roots[0])
    if not roots:
        raise TypeError("explain_backward: give the loss, e.g. explain_backward(loss)")
    root_grads = _root_grads(list(roots))
    names, _, _keep = _collect_names(params)
    graph = draw_graph(*roots, params=params, show=show, max_nodes=max_nodes, rankdir=rankdir)
    with no_grad():
        raw = _engine_order(list(roots), root_grads)
        steps, grads = _build_steps(raw, names, graph.dot_ids)
    title = ", ".join(r.grad_fn.label() if r.grad_fn else "leaf" for r in roots)
    return Walkthrough(steps, graph, grads, title)


def _key(t) -> tuple:
    return ("out", id(t.grad_fn)) if t.grad_fn is not None else ("leaf", id(t))


def _what(t, names: dict) -> str:
    """'0.weight (8, 4)', 'Tanh output (16, 8)': how the panel names a tensor."""
    shape = f" {tuple(t.shape)}" if t.ndim else ""
    if id(t) in names:
        return f"{names[id(t)]}{shape}"
    if t.grad_fn is not None:
        return f"{t.grad_fn.name} output{shape}"
    return f"leaf{shape}"


def _build_steps(raw: list, names: dict, ids: dict) -> tuple:
    """Steps (text for the panel, DOT ids for the picture) and {leaf name: final gradient}."""
    steps, grads = [], {}
    for i, (t, parts, results) in enumerate(raw):
        fn = t.grad_fn
        arriving = []
        for src, g in parts:
            where = (
                "seed: d(out)/d(out) = 1"
                if src is None
                else f"from step {src + 1}: {steps[src].title}"
            )
            arriving.append((where, describe(g.data)))
        total = describe(_sum(parts).data)
        if fn is None:
            name = names.get(id(t), "leaf")
            grads[name if id(t) in names else f"leaf {i}"] = _sum(parts).data
            step = Step(
                i,
                "leaf",
                name,
                None,
                rule=f"{name}.grad = sum of the arriving gradients",
                forward=_what(t, names),
                arriving=arriving,
                grad=total,
                highlight=[ids.get(_key(t))],
            )
            steps.append(step)
            continue
        card = primitive_card(type(fn), fn)
        ins = edges_of(fn)
        symbols = card.input_names(len(ins))
        step = Step(
            i,
            "op",
            fn.label(),
            fn.name,
            card.forward,
            card.gradient,
            arriving,
            total,
            highlight=[ids.get(("op", id(fn))), ids.get(_key(t))],
        )
        step.values.append(("g", total))
        step.values += [
            (sym, describe(p.data)) for sym, (p, _, _, _) in zip(symbols, ins) if p is not None
        ]
        step.values.append(("y", describe(t.data)))
        for sym, (p, _, _, _), gp in zip(symbols, ins, results):
            if p is None or not p.requires_grad:
                continue
            step.delivered.append(
                (
                    sym,
                    _what(p, names),
                    describe(gp.data) if gp is not None else "none (no gradient flows here)",
                )
            )
            if gp is not None and ids.get(_key(p)) and ids.get(("op", id(fn))):
                step.edges.append(f"{ids[_key(p)]}->{ids[('op', id(fn))]}")
        if ids.get(("op", id(fn))) and ids.get(_key(t)):
            step.edges.append(f"{ids[('op', id(fn))]}->{ids[_key(t)]}")
        steps.append(step)
    for s in steps:
        s.highlight = [h for h in s.highlight if h]
    return steps, grads
