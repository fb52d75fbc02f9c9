"""draw_graph: the DOT source (nodes, edges, labels, colours, clusters) of hand-built graphs,
real rendering with Graphviz, the 'dot missing' error, and the `tinygrad-edu graph` command."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys

import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph
from tinygrad_edu.viz import _graph_style as style

pytest.importorskip("graphviz")
from tinygrad_edu.viz._render import find_renderer  # noqa: E402

needs_dot = pytest.mark.skipif(
    find_renderer()[0] is None, reason="neither Graphviz `dot` nor graphviz-pure is installed"
)


def nodes(src: str) -> dict:
    """{dot id: attribute text} of every node statement, the legend left out."""
    found = dict(re.findall(r"^\t+(\w+) \[(.*)\]$", src, re.M))
    for key in ("legend", "graph", "node", "edge"):
        found.pop(key, None)
    return found


def edges(src: str) -> list:
    return re.findall(r"^\t+(\w+) -> (\w+)$", src, re.M)


def label_of(src: str, text: str) -> str:
    """The id of the one node whose label contains `text`."""
    hits = [k for k, v in nodes(src).items() if text in v]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def micrograd_expr():
    a = tg.tensor(2.0, requires_grad=True)
    b = tg.tensor(-3.0, requires_grad=True)
    c = tg.tensor(10.0, requires_grad=True)
    e = a * b
    d = e + c
    o = d.tanh()
    return a, b, c, e, d, o


class MLP:
    """A duck-typed module (named_parameters / named_modules), as nn.Module offers them."""

    def __init__(self, sizes=(4, 8, 3), nested=False):
        self.w = [(tg.randn(o, i) * 0.5).requires_grad_() for i, o in zip(sizes, sizes[1:])]
        self.b = [tg.zeros(o).requires_grad_() for o in sizes[1:]]
        self.prefix = "block." if nested else ""

    def named_parameters(self):
        for i, (w, b) in enumerate(zip(self.w, self.b)):
            yield f"{self.prefix}fc{i}.weight", w
            yield f"{self.prefix}fc{i}.bias", b

    def named_modules(self):
        yield "", self
        if self.prefix:
            yield "block", type("Block", (), {})()
        for i in range(len(self.w)):
            yield f"{self.prefix}fc{i}", type("Linear", (), {})()

    def __call__(self, x):
        for i, (w, b) in enumerate(zip(self.w, self.b)):
            x = x @ w.T + b
            if i < len(self.w) - 1:
                x = x.relu()
        return x


def clusters(src: str) -> dict:
    """{cluster label: set of node ids directly inside it} (nested clusters parsed too)."""
    out, stack, current = {}, [], None
    for line in src.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            stack.append(current)
            current = None
        elif current is None and stack and "label=" in line and "[" not in line.split("label")[0]:
            current = re.search(r'label="([^"]*)"', line).group(1)
            out[current] = set()
        elif line.strip() == "}" and stack:
            current = stack.pop()
        elif current is not None and re.match(r"^\t+(\w+) \[", line):
            out[current].add(re.match(r"^\t+(\w+) \[", line).group(1))
    return out


def test_micrograd_expression_records_data_and_grad():
    a, b, c, e, d, o = micrograd_expr()
    e.retain_grad()
    o.backward()
    g = draw_graph(o, params=[("a", a), ("b", b), ("c", c), ("e", e)], rankdir="LR")
    src = g.source
    assert len(nodes(src)) == 9 and len(edges(src)) == 8  # 6 values, 3 ops
    assert g.num_nodes == 9 and g.num_edges == 8
    assert "rankdir=LR" in src
    a_id = label_of(src, "<B>a</B>")
    assert f"data 2.0000</TD><VR/><TD>grad {a.grad.item():.4f}" in nodes(src)[a_id]
    assert f"grad {e.grad.item():.4f}" in nodes(src)[label_of(src, "<B>e</B>")]
    mul, tanh = label_of(src, 'label="Mul"'), label_of(src, 'label="Tanh"')
    out = label_of(src, "<B>output</B>")
    assert (a_id, mul) in edges(src) and (tanh, out) in edges(src)  # data-flow order
    assert not [x for x in edges(src) if x[0] == out]
    assert "legend" in src


def test_op_names_and_tensor_shapes():
    x = tg.randn(3, 4, requires_grad=True)
    w = tg.randn(4, 5, requires_grad=True)
    b = tg.randn(5, requires_grad=True)
    y = ((x @ w + b).sum(1) * 2.0).mean()
    src = draw_graph(y).source
    for name in ("MatMul", "BroadcastTo((5,) -> (3, 5))", "Sum(dim=1)", "Add", "Mul"):
        assert f'label="{name}"' in src, name
    assert "(3, 4) float32" in src and "(3, 5) float32" in src
    assert "legend" not in src  # no gradient yet: no legend
    assert "grad [" not in src and "grad norm" not in src


def test_chain_of_10000_ops_draws_without_recursion():
    x = tg.randn(2, requires_grad=True)
    y = x
    for i in range(10_000):
        y = y * 1.0001 if i % 2 else y + 0.5
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(250)
    try:
        g = draw_graph(y, max_nodes=50_000, show="shapes")
    finally:
        sys.setrecursionlimit(limit)
    assert g.num_nodes == 10_000 + 10_001 + 10_000  # ops, their outputs and x, a constant each
    with pytest.raises(ValueError, match="max_nodes=2000"):
        draw_graph(y)


def test_small_values_large_statistics_and_modes():
    small = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    big = tg.randn(50, 40, requires_grad=True)
    loss = (small * 2.0).sum() + (big * big).sum()
    src = draw_graph(loss, params=[("small", small), ("big", big)]).source
    assert "data [1, 2, 3]" in nodes(src)[label_of(src, "<B>small</B>")]
    assert "data mean" in nodes(src)[label_of(src, "<B>big</B>")]
    loss.backward()
    src = draw_graph(loss, params=[("small", small), ("big", big)]).source
    assert "grad [2, 2, 2]" in src
    big_label = nodes(src)[label_of(src, "<B>big</B>")]
    norm = float((big.grad * big.grad).sum().sqrt().item())
    assert f"grad norm {style.fmt(norm)}" in big_label and "std" in big_label
    shapes = draw_graph(loss, params=[("small", small), ("big", big)], show="shapes").source
    assert "data" not in shapes and "(50, 40) float32" in shapes
    stats = draw_graph(loss, params=[("small", small)], show="stats").source
    assert "data [1, 2, 3]" not in stats and "mean 2" in stats
    with pytest.raises(ValueError, match="show"):
        draw_graph(loss, show="everything")
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(loss, rankdir="XY")
    with pytest.raises(TypeError):
        draw_graph([1, 2])


def test_released_graph_still_draws_shapes():
    x = tg.randn(4, 3, requires_grad=True)
    before = draw_graph((x.tanh() * 3.0).sum())
    loss = (x.tanh() * 3.0).sum()
    loss.backward()  # frees the graph; the intermediate tensors are gone
    after = draw_graph(loss)
    assert after.num_nodes == before.num_nodes and after.num_edges == before.num_edges
    assert "(4, 3) float32" in after.source


def test_repeated_input_shared_subgraph_and_two_roots():
    x = tg.randn(3, requires_grad=True)
    sq = x * x
    src = draw_graph(sq).source
    mul = label_of(src, 'label="Mul"')
    assert sum(1 for e in edges(src) if e[1] == mul) == 2  # x enters Mul twice
    h = x.exp()
    g = draw_graph(h.sum(), (h * 2.0).sum())
    assert "output 0" in g.source and "output 1" in g.source
    assert g.source.count('label="Exp"') == 1  # the shared part is drawn once
    a = tg.randn(2, requires_grad=True)
    src = draw_graph(a * 2.0 + a * 2.0).source
    assert src.count("<B>const</B>") == 2  # one constant node per use


def test_gradient_colours_nan_vanishing_exploding_and_legend():
    assert style.grad_colour(1.0) == style.GRAD_SCALE[7]
    assert style.grad_colour(0.05) == style.GRAD_SCALE[5]
    assert style.grad_colour(1e-12) == style.GRAD_SCALE[0]
    assert style.grad_colour(1e9) == style.GRAD_SCALE[-1]
    ok, tiny, huge, bad = (tg.randn(3, requires_grad=True) for _ in range(4))
    loss = ok.sum() + (tiny * 1e-12).sum() + (huge * 1e6).sum()
    loss.backward()
    named = [("ok", ok), ("tiny", tiny), ("huge", huge)]
    src = draw_graph(loss, params=named).source
    ok_attrs = nodes(src)[label_of(src, "<B>ok</B>")]
    assert f'fillcolor="{style.GRAD_SCALE[7]}"' in ok_attrs  # ||grad|| = sqrt(3)
    tiny_attrs = nodes(src)[label_of(src, "<B>tiny</B>")]
    assert f'color="{style.VANISHING_BORDER}"' in tiny_attrs and "dashed" in tiny_attrs
    assert "vanishing gradient" in tiny_attrs
    huge_attrs = nodes(src)[label_of(src, "<B>huge</B>")]
    assert f'color="{style.EXPLODING_BORDER}"' in huge_attrs and "exploding gradient" in huge_attrs
    assert src.count("legend [") == 1 and "log scale" in src
    (bad * float("nan")).sum().backward()
    src = draw_graph((bad * 1.0).sum(), params=[("bad", bad)]).source
    bad_attrs = nodes(src)[label_of(src, "<B>bad</B>")]
    assert f'fillcolor="{style.NAN_FILL}"' in bad_attrs and "NaN/Inf!" in bad_attrs
    assert math.isnan(bad.grad.sum().item())


def test_module_clusters_follow_parameters():
    model = MLP()
    loss = model(tg.randn(5, 4)).sum()
    loss.backward()
    src = draw_graph(loss, params=model).source
    groups = clusters(src)
    assert set(groups) == {"fc0: Linear", "fc1: Linear"}
    n = nodes(src)
    for label, members in groups.items():
        names = " ".join(n[m] for m in members)
        for op in ('label="MatMul"', 'label="Add"', "BroadcastTo", "Permute"):
            assert op in names, (label, op)
    relu = label_of(src, 'label="Relu"')
    assert all(relu not in m for m in groups.values())  # parameter-free ops stay outside
    assert "fc0.weight" in " ".join(n[m] for m in groups["fc0: Linear"])
    plain = draw_graph(loss, params=list(model.named_parameters())).source
    assert set(clusters(plain)) == {"fc0", "fc1"}  # dotted names group without a Module


def test_ops_between_ops_of_a_module_join_it_and_a_penalty_does_not():
    w = tg.randn(6, 4, requires_grad=True)
    b = tg.randn(2, requires_grad=True)
    y = (tg.randn(2, 4) @ w.T).reshape(2, 3, 2).permute(0, 2, 1) + b.reshape(1, 2, 1)
    loss = y.relu().sum() + (w * w).sum() * 0.01  # an L2 penalty on the conv weight
    src = draw_graph(loss, params=[("conv.weight", w), ("conv.bias", b)]).source
    members = clusters(src)["conv"]
    inside = " ".join(nodes(src)[m] for m in members)
    assert (
        "Reshape((2, 6) -> (2, 3, 2))" in inside and "Permute(dims=(0, 2, 1))" in inside
    )  # rule 2
    assert inside.count('label="Add"') == 1  # the bias Add, not the loss + penalty
    assert 'label="Relu"' not in inside
    last_add = [k for k, v in nodes(src).items() if 'label="Add"' in v and k not in members]
    assert len(last_add) == 1


def test_nested_clusters_and_collapse():
    model = MLP(sizes=(4, 8, 8, 3), nested=True)
    loss = model(tg.randn(5, 4)).sum()
    loss.backward()
    src = draw_graph(loss, params=model).source
    assert src.count("subgraph cluster_") == 4  # block and its three layers
    assert 'label="block: Block"' in src
    full = draw_graph(loss, params=model)
    boxes = draw_graph(loss, params=model, collapse=True)
    assert boxes.num_nodes < full.num_nodes / 2
    box_ids = [k for k in nodes(boxes.source) if k.startswith("m")]
    assert len(box_ids) == 3 and "MatMul" not in boxes.source
    assert "weight (8, 4) float32  grad norm" in boxes.source
    assert boxes.source.count("subgraph cluster_") == 1  # only 'block' stays a cluster
    for a, b in edges(boxes.source):
        assert a != b
    one = draw_graph(loss, params=model, collapse=1)
    assert len([k for k in nodes(one.source) if k.startswith("m")]) == 1
    assert "fc2.weight (3, 8) float32" in one.source and "<B>block</B>: Block" in one.source
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(loss, params=model, collapse=-1)


def test_nn_module_is_accepted():
    nn = pytest.importorskip("tinygrad_edu.nn")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model(tg.randn(3, 4)).sum().backward()
    src = draw_graph(model(tg.randn(3, 4)).sum(), params=model).source
    assert set(clusters(src)) == {"0: Linear", "2: Linear"}
    assert "<B>0.weight</B> (8, 4) float32" in src


@needs_dot
def test_render_svg_png_pdf(tmp_path):
    a, b, c, e, d, o = micrograd_expr()
    o.backward()
    g = draw_graph(o, params=[("a", a), ("b", b), ("c", c)])
    svg = g.save(tmp_path / "g.svg")
    text = open(svg, encoding="utf-8").read()
    assert "<svg" in text and "Tanh" in text and "data 2.0000" in text
    png = open(g.save(tmp_path / "sub" / "g.png"), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    if shutil.which("dot"):  # graphviz-pure writes no PDF
        assert open(g.save(str(tmp_path / "g.pdf")), "rb").read(4) == b"%PDF"
    assert g._repr_svg_().lstrip().startswith("<?xml")
    assert "image/svg+xml" in g._repr_mimebundle_()
    with pytest.raises(ValueError, match="unknown file type"):
        g.save(tmp_path / "g.bmpx")


def test_missing_dot_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("tinygrad_edu.viz._render._scripts_dir", lambda: str(tmp_path / "empty"))
    x = tg.randn(2, requires_grad=True)
    g = draw_graph((x * 2.0).sum())  # building needs no `dot`
    assert "digraph" in g.source
    for render in (
        lambda: g.save(tmp_path / "g.svg"),
        g._repr_svg_,
        lambda: g.render(tmp_path / "r", format="png"),
    ):
        with pytest.raises(GraphvizNotFoundError, match="pip install graphviz-pure"):
            render()
    assert open(tmp_path / "g.gv").read().startswith("digraph")  # save() kept the DOT text
    assert open(g.save(tmp_path / "h.gv")).read().startswith("digraph")


def test_importing_viz_imports_neither_graphviz_nor_matplotlib():
    code = (
        "import sys, tinygrad_edu.viz, tinygrad_edu.viz.cli; "
        "assert 'graphviz' not in sys.modules and 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
