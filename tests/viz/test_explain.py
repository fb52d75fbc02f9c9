"""viz.explain: every primitive's docstring parses into forward, gradient and why; composites list
the primitives they expand to; graph nodes add their inputs' shapes."""

from __future__ import annotations

import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import explain
from tinygrad_edu.viz.explain import card, parse_doc, primitives


def test_every_primitive_has_a_uniform_card():
    prims = primitives()
    assert {"Add", "Mul", "Tanh", "MatMul", "Linear", "Normalize", "CrossEntropy"} <= set(prims)
    for name, cls in prims.items():
        c = card(name)
        assert c.kind == "primitive" and c.where == cls.__module__
        assert c.forward and "=" in c.forward and ";" not in c.forward, name
        assert c.gradient.startswith("d") and "=" in c.gradient, (name, c.gradient)
        assert c.why and not c.why.lower().startswith("why"), name


def test_card_text_and_names():
    text = explain("Tanh")
    assert text.splitlines() == [
        "Tanh (primitive, tinygrad_edu.ops.unary)",
        "  forward   y = tanh(x)",
        "  gradient  dx = g * (1 - y^2)",
        f"  why       {card('Tanh').why}",
    ]
    assert explain("TanhBackward") == text  # the grad_fn's repr name works too
    assert card("MatMul").input_names(2) == ["a", "b"]
    assert card("Linear").input_names(3) == ["x", "w", "b"]
    assert card("Where").input_names(3) == ["cond", "a", "b"]
    assert card("Sum").input_names(2) == ["x0", "x1"]  # no match: numbered


def test_parse_doc_forms():
    assert parse_doc("y = -x;  dx = -g") == ("y = -x", "dx = -g", "", "")
    doc = """y = a long forward
    that wraps;
    da = g,  db = g

    why: a reason
    on two lines

    Some detail."""
    assert parse_doc(doc) == (
        "y = a long forward that wraps",
        "da = g, db = g",
        "a reason on two lines",
        "Some detail.",
    )
    assert parse_doc("just text") == ("just text", "", "", "")
    assert parse_doc(None) == ("", "", "", "")


def test_composite_lists_its_primitives():
    gelu = card("gelu")
    assert gelu.kind == "composite" and {"Erf", "Mul", "Add"} <= set(gelu.composed_of)
    assert "expands to" in str(gelu)
    softmax = card("softmax")  # a method over one primitive shows that primitive's rule
    assert softmax.kind == "primitive" and softmax.gradient.startswith("dx = y * (g - ")
    mse = card("mse_loss")  # nn.functional, two inputs
    assert mse.where == "nn.functional, written in nn/_loss_functional.py"
    assert "Sub" in mse.composed_of


def test_graph_node_shows_its_inputs():
    x = tg.randn(3, 4, requires_grad=True)
    w = tg.randn(4, 2, requires_grad=True)
    y = x @ w
    text = explain(y.grad_fn)
    assert "input a: (3, 4) float32" in text and "input b: (4, 2) float32" in text
    assert explain(y) == text  # a Tensor means its grad_fn


def test_errors():
    with pytest.raises(ValueError, match="unknown op 'tanhh'"):
        explain("tanhh")
    with pytest.raises(ValueError, match="did you mean 'Tanh'"):
        explain("TANH")
    with pytest.raises(ValueError, match="leaf"):
        explain(tg.randn(2, requires_grad=True))
    with pytest.raises(TypeError, match="expected a graph node"):
        explain(3)
