"""Regenerate the README's pictures: python docs/make_images.py (system dot or graphviz-pure)."""

from __future__ import annotations

from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu.viz import draw_graph

OUT = Path(__file__).resolve().parent / "images"


def mlp_graph() -> None:
    """A small MLP after backward: one cluster per Linear, boxes coloured by gradient norm."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x, y = tg.randn(8, 3), tg.randn(8, 1)
    loss = nn.MSELoss()(model(x), y)
    loss.backward()
    draw_graph(loss, params=model).save(str(OUT / "mlp_graph.png"))


def micrograd_style() -> None:
    """micrograd's classic expression, as 0-d tensors: data | grad in every box."""
    a = tg.tensor(2.0, requires_grad=True)
    b = tg.tensor(-3.0, requires_grad=True)
    c = tg.tensor(10.0, requires_grad=True)
    e = a * b
    d = e + c
    e.retain_grad()
    d.retain_grad()
    out = d.tanh()
    out.backward()
    draw_graph(out, params=[("a", a), ("b", b), ("c", c), ("e", e), ("d", d)], rankdir="LR").save(
        str(OUT / "micrograd_style.png")
    )


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    mlp_graph()
    micrograd_style()
    print(f"wrote {OUT / 'mlp_graph.png'} and {OUT / 'micrograd_style.png'}")
