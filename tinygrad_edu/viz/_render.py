"""The object `draw_graph` returns: a graphviz.Digraph that renders to files and in Jupyter.

graphviz is imported on first use, so `import tinygrad_edu.viz` works without it. Rendering runs
Graphviz's `dot` program when it is on PATH, else the `graphviz-pure` executable (a Rust port of
Graphviz with dot's command line, `pip install graphviz-pure`, part of the viz extra). Where
neither exists, every way of rendering raises one `GraphvizNotFoundError` that says how to install
one; `save('x.svg')` then writes the DOT text to `x.gv` first, and `g.source` keeps working.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig

RENDER_FORMATS = ("svg", "png", "pdf", "jpg", "jpeg")
SOURCE_FORMATS = ("gv", "dot")
PURE_FORMATS = ("svg", "png", "jpg", "jpeg")  # what graphviz-pure writes (no pdf)
RENDERERS = ("dot", "graphviz-pure")  # in order of preference

INSTALL_HINT = (
    "Rendering the graph needs Graphviz's `dot` program or the `graphviz-pure` executable, and "
    "neither was found. Easiest: `pip install graphviz-pure` (or pip install "
    "'tinygrad_edu[viz]'). Or install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz` or `winget install "
    "graphviz` (Windows). Until then the DOT text is in `graph.source`, and "
    "`graph.save('graph.gv')` writes it for an online viewer."
)


def _scripts_dir() -> str:
    """Where pip puts executables of this Python (not on PATH in an unactivated venv)."""
    return sysconfig.get_path("scripts") or os.path.dirname(sys.executable)


def find_renderer() -> tuple:
    """(name, path) of the program that renders DOT: system `dot` first, then `graphviz-pure`
    on PATH or next to this Python; (None, None) when there is neither."""
    for name in RENDERERS:
        path = shutil.which(name)
        if path is None and name == "graphviz-pure":
            path = shutil.which(name, path=_scripts_dir())
        if path is not None:
            return name, path
    return None, None


class GraphvizNotFoundError(RuntimeError):
    """Raised when a graph is rendered and neither `dot` nor `graphviz-pure` is installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""))


def import_graphviz():
    """The graphviz Python package, or an ImportError that says how to install it."""
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "draw_graph needs the `graphviz` Python package: pip install graphviz "
            "(or pip install 'tinygrad_edu[viz]'); rendering also needs "
            "`pip install graphviz-pure` "
            "or Graphviz's `dot` program (sudo apt-get install graphviz / brew install graphviz)"
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
        dot_ids: dict = {}

        def pipe(self, format=None, *args, encoding=None, **kwargs):
            name, path = find_renderer()
            if name == "graphviz-pure" and not args and not kwargs.get("renderer"):
                data = _pure_pipe(
                    path, self.source, format or self.format, kwargs.get("engine") or self.engine
                )
                return data.decode(encoding) if encoding else data
            try:
                return super().pipe(format, *args, encoding=encoding, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(str(e)) from None

        def render(
            self, filename=None, directory=None, view=False, cleanup=False, format=None, **kwargs
        ):
            if find_renderer()[0] == "graphviz-pure" and not view and not kwargs:
                gv = super().save(filename, directory=directory)
                return _render_next_to(self, gv, format or self.format, cleanup)
            try:
                return super().render(
                    filename,
                    directory=directory,
                    view=view,
                    cleanup=cleanup,
                    format=format,
                    **kwargs,
                )
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
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            if find_renderer()[0] is None:  # keep the DOT text, say how to get a renderer
                gv = os.path.splitext(path)[0] + ".gv"
                super().save(gv)
                raise GraphvizNotFoundError(f"wrote the DOT text to {gv} instead of {path}")
            data = self.pipe(format="jpeg" if ext == "jpg" else ext)
            with open(path, "wb") as f:
                f.write(data)
            return path

        def _repr_svg_(self) -> str:
            return self.pipe(format="svg", encoding="utf-8")

    _CLASS = TensorGraph
    return TensorGraph


def _render_next_to(graph, gv: str, fmt: str, cleanup: bool) -> str:
    """graphviz's render() for graphviz-pure: the picture at `<gv>.<fmt>`, the .gv kept unless
    cleanup."""
    out = f"{gv}.{fmt}"
    with open(out, "wb") as f:
        f.write(graph.pipe(format=fmt))
    if cleanup:
        os.remove(gv)
    return out


def pipe_source(source: str, fmt: str, engine: str = "dot") -> bytes:
    """Render DOT text with system `dot` or graphviz-pure; the output file's bytes."""
    name, path = find_renderer()
    if name is None:
        raise GraphvizNotFoundError()
    return _pure_pipe(path, source, fmt, engine, name)


def _pure_pipe(exe: str, source: str, fmt: str, engine: str, name: str = "graphviz-pure") -> bytes:
    """Run `<exe> -K<engine> -T<fmt>` on the DOT text; return its output bytes."""
    if name == "graphviz-pure" and fmt not in PURE_FORMATS:
        raise ValueError(
            f"graphviz-pure cannot write '{fmt}'; use one of {', '.join(PURE_FORMATS)}, or "
            "install Graphviz (sudo apt-get install graphviz / brew install graphviz) for it"
        )
    fmt = "jpeg" if fmt == "jpg" else fmt
    done = subprocess.run(
        [exe, f"-K{engine}", f"-T{fmt}"],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise RuntimeError(f"{name} failed (exit {done.returncode}): {err}")
    return done.stdout
