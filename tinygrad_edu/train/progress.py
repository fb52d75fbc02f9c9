"""Terminal output of fit(): a tqdm bar per epoch on a terminal, one plain line per epoch always.

tqdm is imported only when a bar is shown; without a terminal (a log file, CI, a pipe) or without
tqdm, nothing but the per-epoch lines is printed.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable


def stream_is_terminal(stream: Any = None) -> bool:
    """True when `stream` (default stderr) is an interactive terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class EpochBar:
    """A progress bar over one epoch's batches, showing running loss, accuracy and lr.

    `update(stats)` is cheap: the running means (which need `.item()`) are computed at most a few
    times per second, through the `stats` callable.
    """

    REFRESH_S = 0.25

    def __init__(self, enabled: bool, total: int | None, desc: str, initial: int = 0) -> None:
        self.bar = None
        self._next = 0.0
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(
            total=total,
            desc=desc,
            initial=initial,
            leave=False,
            unit="batch",
            dynamic_ncols=True,
            file=sys.stderr,
            mininterval=self.REFRESH_S,
        )

    def update(self, stats: Callable[[], dict]) -> None:
        if self.bar is None:
            return
        self.bar.update(1)
        now = time.perf_counter()
        if now >= self._next:
            self._next = now + self.REFRESH_S
            self.bar.set_postfix(stats(), refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def format_epoch(row: dict, epochs: int) -> str:
    """'epoch  3/10  train loss 0.2101 acc 93.81%  val loss 0.1872 acc 94.40%  lr 0.01  2.1s'."""
    width = len(str(epochs))
    parts = [f"epoch {row['epoch']:>{width}}/{epochs}"]
    for split in ("train", "val"):
        loss, acc = row.get(f"{split}_loss"), row.get(f"{split}_acc")
        if loss is None and acc is None:
            continue
        text = f"{split}"
        if loss is not None:
            text += f" loss {loss:.4f}"
        if acc is not None:
            text += f" acc {acc:6.2%}"
        parts.append(text)
    if row.get("lr") is not None:
        parts.append(f"lr {row['lr']:.3g}")
    if row.get("grad_norm") is not None:
        parts.append(f"|g| {row['grad_norm']:.3g}")
    parts.append(f"{row.get('time') or 0.0:.1f}s")
    return "  ".join(parts)
