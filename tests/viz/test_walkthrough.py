"""viz.explain_backward: the engine's order, the numbers of every step, the gradients equal to
loss.backward() (and PyTorch's), and the HTML / GIF / PNG outputs."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.viz import Walkthrough, explain_backward
from tinygrad_edu.viz._render import find_renderer
from tinygrad_edu.viz.cli import evaluate_expression

pytest.importorskip("graphviz")
needs_renderer = pytest.mark.skipif(find_renderer()[0] is None, reason="no Graphviz renderer")


def mlp_and_loss():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    x, y = tg.randn(16, 4), tg.randint(0, 3, (16,))
    return model, F.cross_entropy(model(x), y)


def test_micrograd_expression_steps_and_numbers():
    out, v = evaluate_expression("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 10})
    walk = explain_backward(out, params=list(v.items()))
    assert isinstance(walk, Walkthrough) and len(walk) == 6
    assert [s.title for s in walk] == ["Tanh", "Add", "c", "Mul", "b", "a"]
    tanh = walk[0]
    assert tanh.rule == "dx = g * (1 - y^2)" and tanh.forward == "y = tanh(x)"
    assert tanh.arriving == [("seed: d(out)/d(out) = 1", "1")]
    values = dict(tanh.values)
    assert values["x"] == "4" and values["y"] == "0.9993"
    dx = 1 - math.tanh(4.0) ** 2
    assert tanh.delivered == [("x", "Add output", f"{dx:.4f}".rstrip("0"))]
    mul = walk[3]
    assert dict(mul.values) == {"g": "0.0013", "a": "2", "b": "-3", "y": "-6"}
    assert [(d[0], d[1]) for d in mul.delivered] == [("a", "a"), ("b", "b")]
    assert walk[2].kind == "leaf" and walk[2].rule == "c.grad = sum of the arriving gradients"
    text = str(walk)
    assert "step 1: Tanh" in text and "rule      y = a * b;  da = g * b, db = g * a" in text


def test_gradients_equal_backward_and_pytorch():
    torch = pytest.importorskip("torch")
    out, v = evaluate_expression("(a*b + c).tanh() * a + b.exp()", {"a": 0.7, "b": -0.4, "c": 0.3})
    walk = explain_backward(out, params=list(v.items()))
    assert all(t.grad is None for t in v.values())  # nothing written to .grad
    out.backward()  # the graph was not released
    for name, t in v.items():
        np.testing.assert_array_equal(walk.grads[name], t.grad.numpy())
    a, b, c = (torch.tensor(float(v[k].item()), requires_grad=True) for k in "abc")
    ((a * b + c).tanh() * a + b.exp()).backward()
    for name, ref in zip("abc", (a, b, c)):
        assert float(walk.grads[name]) == pytest.approx(ref.grad.item(), rel=1e-5)


def test_fan_in_shows_each_contribution_and_their_sum():
    out, v = evaluate_expression("a*a + a.tanh()", {"a": 0.5})
    walk = explain_backward(out, params=list(v.items()))
    leaf = [s for s in walk if s.title == "a"][0]
    assert len(leaf.arriving) == 3  # twice from Mul, once from Tanh
    parts = [float(val) for _, val in leaf.arriving]
    assert sum(parts) == pytest.approx(2 * 0.5 + 1 - math.tanh(0.5) ** 2, rel=1e-4)
    assert float(leaf.grad) == pytest.approx(sum(parts), rel=1e-3)
    assert all(src.startswith("from step ") for src, _ in leaf.arriving)
    assert "sum g" in leaf.text()


def test_mlp_matches_backward_and_engine_order():
    model, loss = mlp_and_loss()
    seen = []  # the order in which the engine reaches the non-leaf tensors
    stack, done = [loss], set()
    while stack:
        t = stack.pop()
        if t.grad_fn is None or id(t) in done:
            continue
        done.add(id(t))
        t.register_hook(lambda g, fn=t.grad_fn: seen.append(fn.label()))
        stack += [p for p, _, _, _ in t.grad_fn.next_inputs() if p is not None]
    walk = explain_backward(loss, params=model)
    loss.backward()
    assert [s.title for s in walk if s.kind == "op"] == seen
    names = dict(model.named_parameters())
    assert set(walk.grads) == set(names)
    for name, p in names.items():
        np.testing.assert_array_equal(walk.grads[name], p.grad.numpy())
    linear = [s for s in walk if s.op == "Linear"][0]
    assert [d[0] for d in linear.delivered] == ["x", "w", "b"]
    assert "values: norm" in dict(linear.values)["w"]  # 24 numbers: summary statistics


def test_errors():
    x = tg.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="shape \\(3,\\)"):
        explain_backward(x * 2)
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="before loss.backward"):
        explain_backward(y)
    with pytest.raises(TypeError):
        explain_backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        explain_backward(tg.randn(1).sum())


@needs_renderer
def test_html_is_self_contained(tmp_path):
    model, loss = mlp_and_loss()
    walk = explain_backward(loss, params=model)
    path = walk.save(tmp_path / "sub" / "backward.html")
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page)
    assert not re.findall(r"https?://(?!www\.w3\.org/)", page)  # only SVG namespace names
    data = re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', page, re.S)
    steps = json.loads(data.group(1))
    assert len(steps) == len(walk) and steps[0]["title"] == "CrossEntropy(reduction='mean')"
    titles = set(re.findall(r"<title>(.*?)</title>", page))
    for s in steps:  # every highlighted node and carried edge exists in the picture
        assert set(s["highlight"]) <= titles
        assert {e.replace("->", "&#45;&gt;") for e in s["edges"]} <= titles
    for op in ("CrossEntropy", "Linear", "Tanh"):
        assert f'id="card-{op}"' in page
    frame = walk._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "&lt;svg" in frame


@needs_renderer
def test_gif_and_png_frames(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    out, v = evaluate_expression("(a*b).tanh()")
    walk = explain_backward(out, params=list(v.items()), rankdir="LR")
    gif = Image.open(walk.save(tmp_path / "walk.gif"))
    assert gif.n_frames == len(walk) == 4
    folder = walk.save(tmp_path / "frames")
    files = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert folder.endswith("frames") and files == [f"step_00{i}.png" for i in range(1, 5)]
    first, second = (np.asarray(Image.open(tmp_path / "frames" / f)) for f in files[:2])
    assert first.shape == second.shape and (first != second).any()
    with pytest.raises(ValueError, match="unknown file type"):
        walk.save(tmp_path / "walk.bmpx")


def test_html_without_a_renderer_still_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("tinygrad_edu.viz._render._scripts_dir", lambda: str(tmp_path / "empty"))
    out, v = evaluate_expression("(a*b).tanh()")
    page = open(explain_backward(out).save(tmp_path / "w.html"), encoding="utf-8").read()
    assert "<svg" not in page and "No picture" in page and "pip install graphviz-pure" in page
    assert '"title": "Tanh"' in page and "function show(k)" in page
