"""Training and model pictures with matplotlib. Each function returns the Figure and, given
`path`, saves it there (png/svg/pdf by suffix) at exactly figsize * dpi pixels.

    plot_history({"train_loss": [...], "val_loss": [...], "lr": [...]}, "history.png")
    plot_activations(["relu", "gelu", "tanh"])          # f(x) and f'(x) from autograd
    plot_grad_flow(model.named_parameters())             # after loss.backward()
    lrs, losses = lr_find(model, loss_fn, optimizer, loader); plot_lr_find(lrs, losses)
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from ._diag_plots import plot_activation_stats, plot_confusion_matrix, plot_grad_flow
from ._lr_plots import lr_find, plot_lr_find, plot_lr_schedule
from ._mpl import OKABE_ITO, finish, new_figure, to_float_list, to_numpy

__all__ = [
    "plot_history",
    "plot_activations",
    "plot_weights",
    "plot_decision_boundary",
    "plot_grad_flow",
    "plot_activation_stats",
    "plot_confusion_matrix",
    "plot_lr_schedule",
    "lr_find",
    "plot_lr_find",
]

_HISTORY_KEYS = {
    "loss": ("train_loss", "loss", "val_loss", "valid_loss", "test_loss"),
    "accuracy": (
        "train_acc",
        "acc",
        "accuracy",
        "train_accuracy",
        "val_acc",
        "val_accuracy",
        "valid_acc",
        "test_acc",
        "test_accuracy",
    ),
    "learning rate": ("lr", "learning_rate", "lrs"),
}


def _history_dict(history) -> dict:
    """A dict of lists from a dict, an object with .to_dict(), or one with the attributes."""
    if hasattr(history, "to_dict"):
        history = history.to_dict()
    if not isinstance(history, dict):
        keys = [k for group in _HISTORY_KEYS.values() for k in group]
        history = {k: getattr(history, k) for k in keys if getattr(history, k, None) is not None}
    return {k: to_float_list(v) for k, v in history.items() if v is not None and len(v)}


def plot_history(history, path=None, *, title: str | None = None, figsize=None, dpi: int = 100):
    """Loss, accuracy and learning rate per epoch, one panel each (those present).

    history: {'train_loss': [...], 'val_loss': [...], 'train_acc': [...], 'val_acc': [...],
    'lr': [...]} (values may be floats or 0-d Tensors), or an object with .to_dict() or those
    attributes. The best validation loss is marked.
    """
    h = _history_dict(history)
    panels = [(name, [k for k in keys if k in h]) for name, keys in _HISTORY_KEYS.items()]
    panels = [(name, keys) for name, keys in panels if keys]
    if not panels:
        raise ValueError(
            f"plot_history: found none of the keys {sorted(sum(_HISTORY_KEYS.values(), ()))} "
            f"in the history (it has {sorted(h)})"
        )
    fig, axes = new_figure(1, len(panels), figsize=figsize or (4.2 * len(panels), 3.6), dpi=dpi)
    for ax, (name, keys) in zip(axes, panels):
        for i, k in enumerate(keys):
            ys = h[k]
            xs = np.arange(1, len(ys) + 1)
            style = "--" if k.startswith(("val", "valid", "test")) else "-"
            ax.plot(
                xs,
                ys,
                style,
                color=OKABE_ITO[i % 8],
                marker="o" if len(ys) <= 30 else None,
                markersize=3,
                label=k,
            )
            if name == "loss" and k.startswith(("val", "valid")):
                best = int(np.nanargmin(ys))
                ax.plot(
                    xs[best],
                    ys[best],
                    "*",
                    color="#D55E00",
                    markersize=12,
                    label=f"best {k} {ys[best]:.4g} (epoch {best + 1})",
                )
        if name == "learning rate" and max(h[keys[0]]) > 0 and _spread(h[keys[0]]) > 20:
            ax.set_yscale("log")
        ax.set_xlabel("epoch" if name != "learning rate" or len(h[keys[0]]) < 1000 else "step")
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return finish(fig, path)


def _spread(values) -> float:
    pos = [v for v in values if v > 0]
    return max(pos) / min(pos) if pos else 1.0


def _activation_fn(spec) -> tuple:
    """(name, callable Tensor -> Tensor) from an activation name or a callable."""
    if callable(spec):
        return getattr(spec, "__name__", type(spec).__name__), spec
    from ..tensor import Tensor

    if isinstance(spec, str) and callable(getattr(Tensor, spec, None)):
        return spec, lambda x: getattr(x, spec)()
    try:
        from ..nn import functional as F

        fn = getattr(F, spec, None)
    except ImportError:
        fn = None
    if fn is None:
        raise ValueError(
            f"plot_activations: unknown activation {spec!r}; give a Tensor method "
            "name such as 'relu', 'gelu', 'tanh', or a callable"
        )
    return spec, fn


def plot_activations(
    activations: Sequence = (
        "relu",
        "leaky_relu",
        "elu",
        "gelu",
        "silu",
        "softplus",
        "tanh",
        "sigmoid",
    ),
    path=None,
    *,
    x_range=(-4.0, 4.0),
    num: int = 401,
    ncols: int = 4,
    figsize=None,
    dpi: int = 100,
):
    """Each activation f(x) and its derivative f'(x), the derivative computed by autograd:
    x = linspace(...).requires_grad_(); f(x).sum().backward(); f'(x) = x.grad."""
    from .. import factories

    specs = [
        _activation_fn(a)
        for a in (
            [activations] if isinstance(activations, str) or callable(activations) else activations
        )
    ]
    ncols = min(ncols, len(specs))
    nrows = math.ceil(len(specs) / ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=figsize or (3.0 * ncols, 2.6 * nrows), dpi=dpi, sharex=True
    )
    for ax, (name, fn) in zip(axes, specs):
        x = factories.linspace(float(x_range[0]), float(x_range[1]), num).requires_grad_()
        y = fn(x)
        y.sum().backward()
        xs, ys, dys = to_numpy(x), to_numpy(y), to_numpy(x.grad)
        ax.axhline(0, color="#999999", lw=0.8)
        ax.axvline(0, color="#999999", lw=0.8)
        ax.plot(xs, ys, color=OKABE_ITO[0], lw=2, label="f(x)")
        ax.plot(xs, dys, "--", color=OKABE_ITO[1], lw=2, label="f'(x) (autograd)")
        ax.set_title(name)
        ax.grid(alpha=0.3)
    for ax in axes[len(specs) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, loc="upper left")
    return finish(fig, path)


def _first_weight(weights):
    if hasattr(weights, "named_parameters"):
        weights = weights.named_parameters()
    if isinstance(weights, (list, tuple)) or hasattr(weights, "__next__"):
        items = list(weights)
        if items and isinstance(items[0], tuple):
            for _, w in items:
                if len(getattr(w, "shape", ())) >= 2:
                    return w
            raise ValueError("plot_weights: no parameter with 2 or more dims")
    return weights


def plot_weights(
    weights, path=None, *, image_shape=None, max_tiles: int = 64, figsize=None, dpi: int = 100
):
    """First-layer weights as image tiles, one per output unit (blue < 0 < red).

    weights: a Tensor/array (out, in) or (out, C, kh, kw), a Module or named_parameters() (its
    first parameter with >= 2 dims). A Linear's rows are reshaped to image_shape (default: a
    square, 784 -> 28x28); a convolution shows its kernels (RGB when C == 3, else the channel
    mean).
    """
    w = to_numpy(_first_weight(weights), np.float64)
    if w.ndim == 2:
        n_in = w.shape[1]
        if image_shape is None:
            side = math.isqrt(n_in)
            if side * side != n_in:
                raise ValueError(
                    f"plot_weights: {n_in} inputs is not a square image; pass "
                    "image_shape=(height, width)"
                )
            image_shape = (side, side)
        tiles = w.reshape((w.shape[0],) + tuple(image_shape))
    elif w.ndim == 4:
        tiles = w.transpose(0, 2, 3, 1) if w.shape[1] == 3 else w.mean(axis=1)
    else:
        raise ValueError(
            f"plot_weights: expected 2-D (out, in) or 4-D conv weights, got shape {w.shape}"
        )
    n = min(len(tiles), max_tiles)
    ncols = math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(
        nrows, ncols, figsize=figsize or (1.3 * ncols + 0.8, 1.3 * nrows + 0.5), dpi=dpi
    )
    image = None
    limit = float(np.abs(tiles[:n]).max()) or 1.0  # one symmetric scale, so the colorbar is true
    for i, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_visible(False)
            continue
        t = tiles[i]
        if t.ndim == 3:  # RGB: each kernel stretched to [0, 1]
            ax.imshow((t - t.min()) / (np.ptp(t) or 1.0), interpolation="nearest")
        else:
            image = ax.imshow(t, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(str(i), fontsize=7, pad=1)
    fig.suptitle(
        f"first-layer weights: {n} of {len(tiles)} units, shape {tuple(w.shape)}", fontsize=10
    )
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.6, label="weight (blue < 0 < red)")
    return finish(fig, path)


def plot_decision_boundary(
    model: Callable,
    X,
    y,
    path=None,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    figsize=(5.5, 4.8),
    dpi: int = 100,
    title=None,
):
    """The class a 2-D classifier predicts over the plane, with the data points on top.

    model maps an (N, 2) float32 Tensor to logits (N, C) (argmax) or to one score per point
    (N,) / (N, 1): probabilities are split at 0.5, other scores (logits) at 0. Run in no_grad
    and eval mode (restored afterwards).
    """
    X, y = to_numpy(X, np.float64), to_numpy(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (N, 2), got {X.shape}")
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    axis0, axis1 = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(axis0, axis1)
    training = getattr(model, "training", None)
    if training is not None and hasattr(model, "eval"):
        model.eval()
    try:
        pred = _predict(model, np.stack([xx.ravel(), yy.ravel()], axis=1)).reshape(xx.shape)
        accuracy = float((_predict(model, X) == y).mean())
    finally:
        if training and hasattr(model, "train"):
            model.train(training)
    from matplotlib.colors import ListedColormap

    top = int(max(pred.max(), y.max())) + 1
    cmap = ListedColormap([OKABE_ITO[c % 8] for c in range(top)])
    fig, (ax,) = new_figure(1, 1, figsize=figsize, dpi=dpi)
    levels = np.arange(top + 1) - 0.5
    ax.contourf(xx, yy, pred, levels=levels, cmap=cmap, alpha=0.25)
    ax.contour(xx, yy, pred, levels=levels, colors="#333333", linewidths=0.8)
    markers = "osD^vP*X"
    for c in np.unique(y).astype(int):
        m = y == c
        ax.scatter(
            X[m, 0],
            X[m, 1],
            s=18,
            color=OKABE_ITO[c % 8],
            marker=markers[c % 8],
            edgecolors="black",
            linewidths=0.4,
            label=f"class {c}",
        )
    ax.set_title(title or f"decision boundary (accuracy on these points {accuracy:.1%})")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.legend(fontsize=8, loc="best")
    return finish(fig, path)


def _predict(model, X: np.ndarray) -> np.ndarray:
    """Class indices: argmax of (N, C) logits, or one score per point split at 0.5 / 0."""
    from .. import no_grad
    from ..tensor import Tensor

    params = list(model.parameters()) if hasattr(model, "parameters") else []
    device = params[0].device if params else None  # predict where the model lives
    with no_grad():
        out = to_numpy(model(Tensor(X.astype(np.float32), device=device)), np.float64)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    out = out.reshape(-1)
    return (out > (0.5 if out.min() >= 0 and out.max() <= 1 else 0.0)).astype(int)
