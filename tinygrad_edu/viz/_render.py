"""The object `draw_graph` returns: a graphviz.Digraph that renders to files and in Jupyter.

graphviz is imported on first use, so `import tinygrad_edu.viz` works without it. Rendering runs
Graphviz's `dot` program; where it is missing, every way of rendering raises one
`GraphvizNotFoundError` that says how to install it, while the DOT source (`g.source`) and
`g.save('x.gv')` keep working.
"""

from __future__ import annotations

import os

RENDER_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")
SOURCE_FORMATS = ("gv", "dot")

INSTALL_HINT = (
    "Rendering the graph needs the Graphviz `dot` program, which was not found on PATH. "
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS), `conda install -c conda-forge graphviz` or `winget install graphviz` (Windows), "
    "then restart Python. Until then the DOT text is in `graph.source`, and "
    "`graph.save('graph.gv')` writes it for an online viewer."
)


class GraphvizNotFoundError(RuntimeError):
    """Raised when a graph is rendered and the Graphviz `dot` program is not installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))


def import_graphviz():
    """The graphviz Python package, or an ImportError that says how to install it."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "draw_graph needs the `graphviz` Python package: pip install graphviz "
            "(or pip install 'tinygrad_edu[viz]'); rendering also needs the Graphviz `dot` "
            "program (sudo apt-get install graphviz / brew install graphviz)"
        ) from e
    return graphviz


_CLASS = None


def graph_class():
    """TensorGraph, a graphviz.Digraph subclass, defined on first use (graphviz is optional)."""
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    graphviz = import_graphviz()

    class TensorGraph(graphviz.Digraph):
        """A graphviz.Digraph of a tinygrad_edu autograd graph.

        `g.save('graph.svg' | '.png' | '.pdf')` renders to that file (and `'.gv'` writes the DOT
        text), `g.render(...)` and `g.pipe(...)` are graphviz's, and Jupyter shows it inline.
        `g.num_nodes` / `g.num_edges` count what was drawn (the legend not included).
        """

        num_nodes = 0
        num_edges = 0

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(str(e)) from None

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(str(e)) from None

        def save(self, filename=None, directory=None, **kwargs) -> str:
            """Write the picture to `filename`: svg/png/pdf/jpg by its suffix, or DOT for .gv."""
            if filename is None:
                return super().save(filename, directory=directory, **kwargs)
            path = os.fspath(filename)
            if directory is not None:
                path = os.path.join(os.fspath(directory), path)
            ext = os.path.splitext(path)[1].lower().lstrip(".")
            if ext in SOURCE_FORMATS or kwargs:  # graphviz's own render() saves the source
                return super().save(filename, directory=directory, **kwargs)
            if ext not in RENDER_FORMATS:
                raise ValueError(
                    f"save: unknown file type '.{ext}' in {path!r}; use one of "
                    f"{', '.join('.' + f for f in RENDER_FORMATS + SOURCE_FORMATS)}"
                )
            data = self.pipe(format="jpeg" if ext == "jpg" else ext)
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            return path

        def _repr_svg_(self) -> str:
            return self.pipe(format="svg", encoding="utf-8")

    _CLASS = TensorGraph
    return TensorGraph
