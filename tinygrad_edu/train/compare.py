"""Side-by-side comparison of finished runs: their curves on shared axes and one table.

    tinygrad-edu compare runs/mnist-mlp-A runs/mnist-mlp-B --out compare.png
    from tinygrad_edu.train.compare import load_runs, compare_table, plot_runs

A run is a run folder (history.json or history.csv, and metrics.json when the run finished) or
a history file itself. Each run keeps one colour in every panel; training curves are solid and
validation curves dashed.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from .history import History

PANELS = (
    ("loss", "train_loss", "val_loss"),
    ("accuracy", "train_acc", "val_acc"),
    ("learning rate", "lr", None),
)


def load_run(path: str | os.PathLike) -> tuple:
    """(History, metrics dict or {}) of a run folder or a history .json/.csv file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        for name in ("history.json", "history.csv"):
            if os.path.exists(os.path.join(path, name)):
                history_path = os.path.join(path, name)
                break
        else:
            raise FileNotFoundError(
                f"compare: {path} has no history.json or history.csv (is it a run folder?)"
            )
        metrics_path = os.path.join(path, "metrics.json")
    elif os.path.exists(path):
        history_path, metrics_path = path, os.path.join(os.path.dirname(path), "metrics.json")
    else:
        raise FileNotFoundError(f"compare: no run folder or history file at {path}")
    if history_path.endswith(".csv"):
        history = History.load_csv(history_path)
    else:
        history = History.load_json(history_path)
    metrics = {}
    if os.path.exists(metrics_path):
        with open(metrics_path, encoding="utf-8") as f:
            metrics = json.load(f)
    return history, metrics


def run_labels(paths: list) -> list:
    """Short, distinct labels: the folder names (with their parent when names repeat)."""
    names = [os.path.basename(os.path.normpath(os.fspath(p))) for p in paths]
    if len(set(names)) == len(names):
        return names
    return [os.path.normpath(os.fspath(p)) for p in paths]


def load_runs(paths: list) -> dict:
    """{label: (History, metrics)} in the order given."""
    if not paths:
        raise ValueError("compare: give at least one run folder")
    return dict(zip(run_labels(paths), (load_run(p) for p in paths)))


def _values(history: History, column: str | None) -> list:
    if column is None or column not in history.columns:
        return []
    return history[column]


def _finite(values: list) -> list:
    return [v for v in values if v is not None and math.isfinite(v)]


def compare_table(runs: dict) -> list:
    """One line per run: epochs, final train loss, best val loss (epoch), best val accuracy,
    test accuracy (when metrics.json has it). Returns the lines (header first)."""
    width = max(12, *(len(k) for k in runs))
    lines = [f"{'run':{width}s}  epochs  train loss  best val loss (epoch)  best val acc  test acc"]
    for label, (h, metrics) in runs.items():
        train = _finite(_values(h, "train_loss"))
        val_loss = _values(h, "val_loss")
        best = h.best_epoch("val_loss") if _finite(val_loss) else None
        val_acc = _finite(_values(h, "val_acc"))
        test = metrics.get("test_accuracy")
        cells = [
            f"{train[-1]:10.4f}" if train else f"{'-':>10s}",
            f"{val_loss[best - 1]:13.4f} ({best:3d})  " if best else f"{'-':>21s}",
            f"{max(val_acc):12.2%}" if val_acc else f"{'-':>12s}",
            f"{test:8.2%}" if isinstance(test, (int, float)) else f"{'-':>8s}",
        ]
        lines.append(f"{label:{width}s}  {len(h):6d}  {cells[0]}  {cells[1]}{cells[2]}  {cells[3]}")
    return lines


def plot_runs(runs: dict, path: str | None = None, title: str | None = None):
    """Loss, accuracy and learning rate per epoch of every run, one colour per run, on shared
    axes (a panel is left out when no run has its columns). Returns the figure."""
    from ..viz._mpl import OKABE_ITO, finish, new_figure

    panels = [
        p for p in PANELS if any(_finite(_values(h, c)) for h, _ in runs.values() for c in p[1:])
    ]
    if not panels:
        raise ValueError("compare: the runs have no loss, accuracy or lr columns to plot")
    fig, axes = new_figure(1, len(panels), figsize=(4.8 * len(panels), 3.8))
    for ax, (name, train_col, val_col) in zip(axes, panels):
        for i, (label, (h, _)) in enumerate(runs.items()):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for column, style in ((train_col, "-"), (val_col, "--")):
                ys = _values(h, column)
                if _finite(ys):
                    xs = h.epoch if "epoch" in h.columns else list(range(1, len(ys) + 1))
                    tag = "" if column == "lr" else (" train" if style == "-" else " val")
                    ax.plot(
                        xs,
                        [float("nan") if v is None else v for v in ys],
                        style,
                        color=colour,
                        label=label + tag,
                        marker="o" if len(ys) <= 30 else None,
                        markersize=3,
                    )
        if name == "loss" or name == "learning rate":
            ax.set_yscale("log")
        ax.set_title(
            name + (" (solid: train, dashed: validation)" if name != "learning rate" else ""),
            fontsize=9,
        )
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return finish(fig, path)


def compare(paths: list, out: str | None = None, print_fn: Any = print) -> dict:
    """What `tinygrad-edu compare` does: print the table and save the picture to `out`
    (default compare.png in the current folder). Returns the runs."""
    runs = load_runs(paths)
    for line in compare_table(runs):
        print_fn(line)
    out = out or "compare.png"
    fig = plot_runs(runs, out, title=f"{len(runs)} runs")
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except ImportError:
        pass
    print_fn(f"wrote {os.path.abspath(out)}")
    return runs


def add_compare_subcommand(subparsers) -> None:
    """Register `tinygrad-edu compare RUN... [--out PNG]`."""
    p = subparsers.add_parser(
        "compare",
        help="plot finished runs' curves on shared axes",
        description="Print a table of finished runs and plot their loss, "
        "accuracy and learning-rate curves on shared axes.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run folders (or history files)")
    p.add_argument("--out", metavar="PNG", help="the picture (default compare.png)")
    p.set_defaults(threads=1, no_progress=False)  # what main() reads for every command
