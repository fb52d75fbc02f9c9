"""The pictures walk the graph as the engine does (autograd/graph.py): after backward has freed
the graph, and after in-place ops, where a node recorded before the rewrite reads the tensor's
old identity."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd.graph import inputs_of, node_order, toposort, walk
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import draw_graph, explain_backward
from tinygrad_edu.viz.walkthrough import describe

pytest.importorskip("graphviz")


def edges(src: str) -> set:
    return set(re.findall(r"^\t+(\w+) -> (\w+)$", src, re.M))


def engine_edges(root, ids: dict) -> set:
    """The DOT edges producer-output -> op that the engine's own inputs_of gives."""
    found = set()
    for t in toposort([root]):
        fn = t.grad_fn
        if fn is None:
            continue
        for p in inputs_of(fn):
            if p.grad_fn is not None:
                found.add((ids[("out", id(p.grad_fn))], ids[("op", id(fn))]))
    return found


def acyclic(src: str) -> bool:
    succ: dict = {}
    for a, b in edges(src):
        succ.setdefault(a, []).append(b)
    state: dict = {}
    for start in succ:
        stack = [(start, iter(succ.get(start, ())))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return False
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ.get(nxt, ()))))
    return True


def test_graph_after_backward_draws_like_before():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = F.cross_entropy(model(tg.randn(5, 4)), tg.tensor([0, 1, 2, 0, 1]))
    nodes = [fn for fn, _ in walk([loss])]
    before = draw_graph(loss, params=model, show="shapes")
    loss.backward()  # releases every node: the intermediate tensors are gone
    assert all(fn.released for fn in nodes)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        list(walk([loss]))  # the engine's walk refuses a freed graph ...
    assert [
        fn for fn, _ in walk([loss], released="follow")
    ] == nodes  # ... the pictures' follows it
    after = draw_graph(loss, params=model, show="shapes")
    assert after.source == before.source
    stats = draw_graph(loss, params=model).source  # gradients of the parameters are drawn
    assert "<B>0.weight</B>" in stats and "grad" in stats


def inplace_graph():
    x = tg.randn(3, 4, requires_grad=True)
    h = x * 2.0
    z = h + 1.0  # recorded before the rewrite: reads h's old identity (x * 2)
    h.mul_(3.0)  # h now stands for a new Mul node
    return x, h, z, (z + h).sum()


def test_inplace_picture_follows_the_engine_before_and_after_backward():
    tg.manual_seed(1)
    x, h, z, loss = inplace_graph()
    g = draw_graph(loss, params=[("x", x)])
    expected = engine_edges(loss, g.dot_ids)
    first_mul = inputs_of(z.grad_fn)[0].grad_fn
    assert first_mul is not h.grad_fn and first_mul.name == "Mul"
    assert (g.dot_ids[("out", id(first_mul))], g.dot_ids[("op", id(z.grad_fn))]) in expected
    assert expected <= edges(g.source)
    assert len(g.dot_ids) == len(set(g.dot_ids.values()))
    loss.backward()
    after = draw_graph(loss, params=[("x", x)])
    assert after.dot_ids == g.dot_ids and edges(after.source) == edges(g.source)
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 8.0, np.float32))


def test_inplace_rewrite_that_reads_its_own_old_value_draws_no_cycle():
    x = tg.randn(3, 4, requires_grad=True)
    h = x * 2.0
    h.add_(h.sum(dim=1, keepdim=True))  # the Sum reads the old h, the Add makes the new one
    loss = h.sum()
    g = draw_graph(loss, params=[("x", x)])
    assert acyclic(g.source) and edges(g.source) >= engine_edges(loss, g.dot_ids)
    walked = list(walk([loss]))
    assert len(node_order(walked)) == len(walked) == g.source.count('shape="ellipse"')
    loss.backward()
    assert acyclic(draw_graph(loss).source)


def test_walkthrough_shows_the_values_a_node_read_before_an_inplace_op():
    tg.manual_seed(2)
    x, h, z, loss = inplace_graph()
    walk_ = explain_backward(loss, params=[("x", x)])
    (step,) = [s for s in walk_ if s.op == "Add" and dict(s.values).get("b") == "1"]
    with tg.no_grad():
        assert dict(step.values)["a"] == describe((x * 2.0).data)  # not the rewritten h
    graph_edges = {f"{a}->{b}" for a, b in edges(walk_.graph.source)}
    assert all(e in graph_edges for s in walk_ for e in s.edges)


def test_node_order_is_the_engines_order():
    tg.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 2))
    x = tg.randn(4, 3)
    out = model(x)
    loss = (out * out).sum() + out.tanh().mean() + model[0].weight.abs().sum()
    nodes = [t.grad_fn for t in toposort([loss]) if t.grad_fn is not None]
    assert node_order(list(walk([loss]))) == nodes
