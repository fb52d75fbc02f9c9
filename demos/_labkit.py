"""Small helpers shared by labs 11-19: the train/validation split, a report that is printed and
saved, and a few checks that turn a run's numbers into a sentence."""

from __future__ import annotations

import _common

import tinygrad_edu as tg
from tinygrad_edu.data import Subset


def split(dataset, n_train: int | None, n_val: int):
    """(train, validation): disjoint random subsets of `dataset` (n_train None: all the rest).
    The validation part is for every decision; the test set is used once, at the end."""
    order = tg.randperm(len(dataset)).tolist()
    n_val = min(n_val, len(dataset) // 5)
    rest = order[n_val:] if n_train is None else order[n_val : n_val + n_train]
    return Subset(dataset, rest), Subset(dataset, order[:n_val])


class Report:
    """Lines printed as they come and written to `path` at the end (report.txt)."""

    def __init__(self, path: str) -> None:
        self.path, self.lines = path, []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def save(self) -> None:
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")
        print(f"  wrote {self.path}")


def accuracy_noise(n: int) -> float:
    """Two standard errors of an accuracy near 90% measured on n samples: differences below
    this are not evidence (sqrt(p (1 - p) / n) with p = 0.9, doubled)."""
    return 2 * (0.09 / max(n, 1)) ** 0.5


def too_short(args, report: Report) -> bool:
    """Say once that a --quick run is too short to conclude; True when it is one."""
    if args.quick:
        report("  (--quick: too few samples and epochs to conclude; run without --quick)")
    return bool(args.quick)


def plot_pairs(
    panels: dict,
    path: str,
    title: str,
    ylabel: str = "",
    logy: bool = False,
    xlabel: str = "epoch",
    sharey: bool = True,
) -> None:
    """{panel: {label: (train values, validation values)}}: one colour per label, training
    solid and validation dashed, panels on a shared y axis (so heights compare)."""
    from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure

    suptitle = title + "  (solid: training, dashed: validation)"
    width = max(4.8 * len(panels), 0.072 * len(suptitle) + 0.8)  # room for the whole title
    fig, axes = new_figure(1, len(panels), figsize=(width, 3.8), sharey=sharey)
    for ax, (name, lines) in zip(axes, panels.items()):
        for i, (label, (train, val)) in enumerate(lines.items()):
            colour = OKABE_ITO[i % 8]
            for ys, style, tag in ((train, "-", "train"), (val, "--", "val")):
                if ys:
                    ax.plot(
                        range(1, len(ys) + 1),
                        ys,
                        style,
                        color=colour,
                        label=f"{label} {tag}",
                        marker="o" if len(ys) <= 30 else None,
                        markersize=3,
                    )
        if logy:
            ax.set_yscale("log")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(suptitle, fontsize=10)
    _common.save_figure(finish(fig, path), path)


__all__ = ["plot_pairs", "split", "Report", "accuracy_noise", "too_short"]
