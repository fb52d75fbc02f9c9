"""draw_graph after the picture review: 'zero gradient' is not 'vanishing', BatchNorm's running
statistics are named inside the module, large models collapse by size, the output shows grad 1."""

from __future__ import annotations

import re

import pytest

import tinygrad_edu as tg
from tinygrad_edu import models, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import _graph_style as style
from tinygrad_edu.viz import draw_graph

pytest.importorskip("graphviz")


def node_attrs(src: str, text: str) -> str:
    """The attribute text of the one node statement whose label contains `text`."""
    found = [line for line in src.splitlines() if re.match(r"^\t+\w+ \[", line) and text in line]
    assert len(found) == 1, (text, len(found))
    return found[0]


def test_zero_gradient_is_not_vanishing():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    w = model[2].weight.data
    w[...] = w * 1e-9  # a tiny but non-zero gradient reaches layer 0's bias
    loss = model(tg.zeros(5, 3)).sum()  # input 0: the first weight's gradient is exactly 0
    loss.backward()
    src = draw_graph(loss, params=model).source
    weight = node_attrs(src, "<B>0.weight</B>")
    assert "zero gradient" in weight and "vanishing" not in weight
    assert f'fillcolor="{style.ZERO_FILL}"' in weight and "dotted" in weight
    assert "vanishing gradient" in node_attrs(src, "<B>0.bias</B>")
    assert "zero gradient: exactly 0" in src  # the legend explains it
    assert style.health(style.Stats(1, norm=0.0), None, 1.0) == "zero"
    assert style.health(style.Stats(1, norm=1e-9), None, 1.0) == "vanishing"


def clusters_with(src: str, text: str) -> list:
    """Labels of the clusters whose direct members include a node whose label has `text`."""
    out, stack = [], []
    for line in src.splitlines():
        if "subgraph cluster_" in line:
            stack.append(None)
        elif line.strip() == "}" and stack:
            stack.pop()
        elif stack and stack[-1] is None and line.strip().startswith("label="):
            stack[-1] = re.search(r'label="([^"]*)"', line).group(1)
        elif stack and text in line and re.match(r"^\t+\w+ \[", line):
            out.append(stack[-1])
    return out


def test_batchnorm_running_statistics_named_in_eval_mode():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    model(tg.randn(8, 4))  # one training batch moves the running statistics
    model.eval()
    loss = F.cross_entropy(model(tg.randn(5, 4)), tg.tensor([0, 1, 2, 0, 1]))
    loss.backward(retain_graph=True)  # keeps the temporaries that show the statistics
    src = draw_graph(loss, params=model, collapse=False).source
    assert clusters_with(src, "<B>1.running_mean</B>") == ["1: BatchNorm1d"]
    assert clusters_with(src, "<B>rsqrt(1.running_var + eps)</B>") == ["1: BatchNorm1d"]
    assert "<B>input</B> (1, 6)" not in src
    assert clusters_with(src, 'label="Sub"') == ["1: BatchNorm1d"]
    box = draw_graph(loss, params=model, collapse=True).source
    assert "running_mean (1, 6) float32" in box and 'label="Sub"' not in box


def test_residual_cnn_collapses_by_size():
    tg.manual_seed(0)
    model = models.resnet(1, 10)
    model.eval()
    loss = F.cross_entropy(model(tg.randn(2, 1, 28, 28)), tg.tensor([1, 2]))
    loss.backward()
    full = draw_graph(loss, params=model, collapse=False)
    auto = draw_graph(loss, params=model)  # collapse='auto'
    assert full.num_nodes > 150 and auto.num_nodes <= 80
    assert "<B>4</B>: Sequential" in auto.source  # one box per residual block
    assert "subgraph cluster" not in auto.source  # nothing nested left to draw
    small = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    out = small(tg.randn(2, 4)).sum()
    assert "subgraph cluster" in draw_graph(out, params=small).source  # small: not collapsed
    with pytest.raises(ValueError, match="'auto'"):
        draw_graph(loss, params=model, collapse="yes")


def test_output_shows_its_gradient_one():
    x = tg.randn(3, requires_grad=True)
    loss = (x * 2.0).sum()
    loss.backward()
    src = draw_graph(loss).source
    assert "grad 1.0000" in node_attrs(src, "<B>output</B>")
    assert "legend [" in src  # other gradients exist
    z = tg.randn(2, requires_grad=True)
    before = draw_graph((z * 3.0).sum()).source  # before backward: only the seed is known
    assert "grad 1.0000" in node_attrs(before, "<B>output</B>") and "legend [" not in before
