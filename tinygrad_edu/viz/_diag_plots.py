"""Diagnostic plots: gradient flow, activation statistics and the confusion matrix.

Public through tinygrad_edu.viz.plots (and tinygrad_edu.viz).
"""

from __future__ import annotations

import math

import numpy as np

from ._mpl import OKABE_ITO, finish, new_figure, to_numpy

VANISHING = 1e-7  # mean |grad| below this is flagged in plot_grad_flow


def plot_grad_flow(
    named_parameters, path=None, *, include_bias: bool = False, figsize=None, dpi: int = 100
):
    """Mean and max |grad| of each layer's weights, input side on the left (log scale): the
    classic picture of vanishing gradients, where bars shrink towards the first layers.

    named_parameters: model.named_parameters(), a Module, or (name, Tensor) pairs, after
    backward(). Biases are left out unless include_bias=True; a parameter without a gradient
    is marked 'no grad'.
    """
    if hasattr(named_parameters, "named_parameters"):
        named_parameters = named_parameters.named_parameters()
    rows = []
    for name, p in named_parameters:
        if not getattr(p, "requires_grad", True):
            continue
        if not include_bias and (name == "bias" or name.endswith(".bias")):
            continue
        g = getattr(p, "grad", None)
        if g is None:
            rows.append((name, math.nan, math.nan))
        else:
            a = np.abs(to_numpy(g, np.float64))
            rows.append((name, float(a.mean()), float(a.max())))
    if not rows:
        raise ValueError("plot_grad_flow: no parameters that require grad")
    names = [r[0] for r in rows]
    means = np.array([r[1] for r in rows])
    maxes = np.array([r[2] for r in rows])
    floor = 1e-12  # a log axis cannot show 0
    x = np.arange(len(rows))
    fig, (ax,) = new_figure(
        1, 1, figsize=figsize or (max(5.0, 0.55 * len(rows) + 2.5), 4.2), dpi=dpi
    )
    ax.bar(
        x,
        np.nan_to_num(np.maximum(maxes, floor), nan=floor),
        width=0.8,
        color=OKABE_ITO[5],
        alpha=0.6,
        label="max |grad|",
    )
    ax.bar(
        x,
        np.nan_to_num(np.maximum(means, floor), nan=floor),
        width=0.45,
        color=OKABE_ITO[0],
        label="mean |grad|",
    )
    ax.set_yscale("log")
    top = np.nanmax(maxes) if np.isfinite(maxes).any() else 1.0
    for i, (m, mx) in enumerate(zip(means, maxes)):
        if math.isnan(m):
            ax.text(i, floor * 3, "no grad", rotation=90, ha="center", va="bottom", fontsize=7)
        elif m < VANISHING or not math.isfinite(mx):
            label = "NaN/Inf" if not math.isfinite(mx) else "vanishing"
            ax.text(
                i,
                max(m, floor) * 3,
                label,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=7,
                color=OKABE_ITO[3],
            )
    ax.axhline(
        VANISHING, color=OKABE_ITO[3], lw=0.8, ls=":", label=f"vanishing below {VANISHING:g}"
    )
    ax.set_ylim(floor, max(top, VANISHING) * 10 if np.isfinite(top) and top > 0 else 1.0)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_xlim(-0.7, len(rows) - 0.3)
    ax.set_ylabel("|grad| (log scale)")
    ax.set_title("gradient flow: mean and max |grad| per layer")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return finish(fig, path)


def plot_activation_stats(
    activations, path=None, *, bins: int = 60, ncols: int = 4, figsize=None, dpi: int = 100
):
    """A histogram of each layer's activations with its mean, std, share of exact zeros (dead
    ReLUs) and, for outputs within [0, 1] or [-1, 1] (sigmoid, tanh), the share saturated
    (within 0.03 of a bound).

    activations: {name: Tensor} (insertion order is layer order) or (name, Tensor) pairs.
    """
    items = list(activations.items() if isinstance(activations, dict) else activations)
    if not items:
        raise ValueError("plot_activation_stats: no activations given")
    ncols = min(ncols, len(items))
    nrows = math.ceil(len(items) / ncols)
    fig, axes = new_figure(nrows, ncols, figsize=figsize or (3.2 * ncols, 2.5 * nrows), dpi=dpi)
    for i, (ax, (name, t)) in enumerate(zip(axes, items)):
        a = to_numpy(t, np.float64).reshape(-1)
        a = a[np.isfinite(a)]
        if a.size == 0:
            ax.set_title(f"{name}: no finite values", fontsize=9)
            continue
        note = f"zeros {float((a == 0).mean()):.0%}"
        # sigmoid never outputs an exact 0 and tanh has negative values: a layer of ReLU
        # outputs that happen to lie in [0, 1] (dead ones: all 0) is not "saturated"
        if 0 < a.min() and a.max() <= 1:  # sigmoid-like: saturated near 0 or 1
            note += f"\nsaturated {float(((a < 0.03) | (a > 0.97)).mean()):.0%}"
        elif -1 <= a.min() < 0 and a.max() <= 1:  # tanh-like: saturated near -1 or 1
            note += f"\nsaturated {float((np.abs(a) > 0.97).mean()):.0%}"
        ax.hist(a, bins=bins, color=OKABE_ITO[i % 6], alpha=0.85)  # (6: no pale yellow)
        ax.set_title(f"{name}\nmean {a.mean():.3g}  std {a.std():.3g}", fontsize=9)
        ax.text(
            0.98,
            0.95,
            note,
            ha="right",
            va="top",
            transform=ax.transAxes,
            fontsize=7,
            bbox={"facecolor": "white", "alpha": 0.7, "lw": 0},
        )
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes[len(items) :]:
        ax.set_visible(False)
    fig.suptitle("activation distributions per layer", fontsize=10)
    return finish(fig, path)


def _labels(y) -> np.ndarray:
    """Class indices from labels (N,) or from scores/logits (N, C) (argmax)."""
    a = to_numpy(y)
    if a.ndim == 2:
        a = a.argmax(axis=1)
    return a.reshape(-1).astype(np.int64)


def plot_confusion_matrix(
    y_true,
    y_pred,
    path=None,
    *,
    class_names=None,
    normalize: bool = False,
    num_classes: int | None = None,
    figsize=None,
    dpi: int = 100,
):
    """Counts (or, with normalize=True, the share of each true class) of every (true, predicted)
    pair. y_true: labels; y_pred: labels or logits (N, C). Tensors or arrays."""
    t, p = _labels(y_true), _labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"plot_confusion_matrix: {t.size} true labels but {p.size} predictions")
    n = num_classes or (
        len(class_names)
        if class_names is not None
        else int(max(t.max(initial=0), p.max(initial=0))) + 1
    )
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    names = [str(c) for c in (class_names if class_names is not None else range(n))]
    size = figsize or (min(max(4.4, 1.9 + 0.55 * n), 12), min(max(3.6, 1.5 + 0.5 * n), 11))
    fig, (ax,) = new_figure(1, 1, figsize=size, dpi=dpi)
    image = ax.imshow(shown, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, shrink=0.8, label="share of true class" if normalize else "count")
    if n <= 20:
        cut = shown.max() / 2 if shown.max() > 0 else 1
        for i in range(n):
            for j in range(n):
                text = f"{shown[i, j]:.2f}" if normalize else str(cm[i, j])
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if shown[i, j] > cut else "black",
                )
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(names, rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
    ax.set_yticklabels(names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = float(np.trace(cm) / max(cm.sum(), 1))
    ax.set_title(f"confusion matrix (accuracy {accuracy:.1%})")
    return finish(fig, path)
