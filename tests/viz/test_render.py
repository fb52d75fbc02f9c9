"""Choosing the Graphviz renderer: system `dot` first, then graphviz-pure, else a clear error
that keeps the DOT text."""

from __future__ import annotations

import os
import shutil

import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import GraphvizNotFoundError, _render, draw_graph

pytest.importorskip("graphviz")
PURE = shutil.which("graphviz-pure") or shutil.which("graphviz-pure", path=_render._scripts_dir())


def only(tmp_path, monkeypatch, *programs) -> None:
    """PATH holds just `programs` (links to the real ones); pip's scripts folder is hidden."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, target in programs:
        os.symlink(target, bin_dir / name)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(_render, "_scripts_dir", lambda: str(tmp_path / "empty"))


def test_system_dot_comes_first(tmp_path, monkeypatch):
    fake = tmp_path / "fake-dot"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    only(tmp_path, monkeypatch, ("dot", str(fake)), ("graphviz-pure", str(fake)))
    assert _render.find_renderer() == ("dot", str(tmp_path / "bin" / "dot"))
    (tmp_path / "none").mkdir()
    only(tmp_path / "none", monkeypatch)  # nothing on PATH
    assert _render.find_renderer() == (None, None)


@pytest.mark.skipif(PURE is None, reason="graphviz-pure is not installed")
def test_graphviz_pure_renders_without_dot(tmp_path, monkeypatch):
    only(tmp_path, monkeypatch, ("graphviz-pure", PURE))
    assert _render.find_renderer()[0] == "graphviz-pure"
    x = tg.randn(3, requires_grad=True)
    g = draw_graph((x.tanh() * 2.0).sum())
    svg = open(g.save(tmp_path / "g.svg"), encoding="utf-8").read()
    assert "<svg" in svg and "Tanh" in svg
    png = open(g.render(str(tmp_path / "r"), format="png", cleanup=True), "rb").read()
    assert png[:4] == b"\x89PNG" and not (tmp_path / "r").exists()
    assert _render.pipe_source("digraph { a -> b }", "svg").lstrip().startswith(b"<?xml")
    with pytest.raises(ValueError, match="graphviz-pure cannot write 'pdf'"):
        g.save(tmp_path / "g.pdf")


def test_no_renderer_names_both_ways_to_get_one(tmp_path, monkeypatch):
    only(tmp_path, monkeypatch)
    with pytest.raises(GraphvizNotFoundError) as err:
        _render.pipe_source("digraph { a -> b }", "svg")
    assert "pip install graphviz-pure" in str(err.value)
    assert "apt-get install graphviz" in str(err.value)
