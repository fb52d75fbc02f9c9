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


def clearly_better(a: float, b: float, noise: float) -> int:
    """+1 when a > b by more than `noise`, -1 when b > a by more than it, 0 otherwise."""
    if a - b > noise:
        return 1
    if b - a > noise:
        return -1
    return 0


def accuracy_noise(n: int) -> float:
    """Two standard errors of an accuracy near 90% measured on n samples: differences below
    this are not evidence (sqrt(p (1 - p) / n) with p = 0.9, doubled)."""
    return 2 * (0.09 / max(n, 1)) ** 0.5


def too_short(args, report: Report) -> bool:
    """Say once that a --quick run is too short to conclude; True when it is one."""
    if args.quick:
        report("  (--quick: too few samples and epochs to conclude; run without --quick)")
    return bool(args.quick)


__all__ = ["split", "Report", "clearly_better", "accuracy_noise", "too_short", "_common"]
