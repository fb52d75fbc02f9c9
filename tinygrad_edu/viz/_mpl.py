"""matplotlib plumbing shared by the plots: the backend choice, new figures, saving, host arrays.

matplotlib is imported on first use. Without a screen (no DISPLAY on Linux) and outside a
Jupyter kernel, the non-interactive Agg backend is selected before pyplot is imported, so plots
work on servers and in CI; a backend the user chose (MPLBACKEND, matplotlib.use) is kept.
"""

from __future__ import annotations

import os
import sys

import numpy as np

# Okabe-Ito: eight colours that people with any common colour-vision deficiency can tell apart
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _has_screen() -> bool:
    if "ipykernel" in sys.modules:  # a notebook renders figures itself
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def pyplot():
    """matplotlib.pyplot, after choosing Agg where nothing could show a window."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(
            "the plots need matplotlib: pip install matplotlib (or pip install 'tinygrad_edu[viz]')"
        ) from e
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        if not _has_screen():
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(6.4, 4.8), dpi: int = 100, **kwargs):
    """(fig, axes as a flat list) with constrained layout, so labels never overlap."""
    plt = pyplot()
    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize, dpi=dpi, layout="constrained", squeeze=False, **kwargs
    )
    return fig, list(axes.ravel())


def finish(fig, path, dpi=None):
    """Save `fig` to `path` (format from the suffix) at exactly figsize * dpi pixels; return it."""
    if path is not None:
        path = os.fspath(path)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        fig.savefig(path, dpi=dpi or fig.dpi)
    return fig


def to_numpy(x, dtype=None) -> np.ndarray:
    """A host NumPy array from a Tensor (detached), a NumPy/CuPy array, a list or a number."""
    if hasattr(x, "grad_fn") and hasattr(x, "detach"):
        x = x.detach().numpy()
    elif hasattr(x, "get") and type(x).__module__.startswith("cupy"):
        x = x.get()
    elif isinstance(x, (list, tuple)):
        x = [float(v) if hasattr(v, "grad_fn") else v for v in x]
    arr = np.asarray(x)
    return arr.astype(dtype) if dtype is not None else arr


def to_float_list(values) -> list:
    """[float, ...] from a list of numbers or 0-d Tensors, or a 1-D Tensor/array."""
    return [float(v) for v in np.asarray(to_numpy(values), dtype=np.float64).reshape(-1)]
