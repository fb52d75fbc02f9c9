"""History: what happened in each epoch of a training run, as lists of plain floats.

    history = fit(model, loss_fn, optimizer, train_loader, val_loader, epochs=10)
    history.val_acc[-1]              # the last epoch's validation accuracy
    history.best_epoch()             # 1-based epoch with the lowest val_loss
    history.save_json("history.json"); History.load_json("history.json")
    history.save_csv("history.csv");  History.load_csv("history.csv")
    history.plot("curves.png")       # loss / accuracy / learning-rate panels (needs matplotlib)

Columns (one value per epoch; None where a value does not exist, e.g. val_loss without a
validation loader): epoch, train_loss, train_acc, val_loss, val_acc, lr (the learning rate of the
epoch's first step), time (seconds), grad_norm (mean total gradient norm of the epoch's steps)
and grad_norm_max. Extra columns added with `record(..., name=value)` are kept too.
"""

from __future__ import annotations

import csv
import json
import math
import os
from typing import Any

COLUMNS = (
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "lr",
    "time",
    "grad_norm",
    "grad_norm_max",
)
_MIN_IS_BEST = ("loss",)  # a monitored name containing one of these is minimised


def _clean(value: Any) -> float | int | None:
    """A JSON/CSV-friendly number: floats stay floats (nan/inf included), ints stay ints."""
    if value is None:
        return None
    if hasattr(value, "item"):  # a 0-d Tensor or NumPy scalar
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return float(value)


class History:
    """Per-epoch metrics of a training run (attribute access by column: `h.train_loss`)."""

    def __init__(self, columns: dict[str, list] | None = None) -> None:
        self._data: dict[str, list] = {name: [] for name in COLUMNS}
        for name, values in (columns or {}).items():
            self._data[name] = [_clean(v) for v in values]
        lengths = {len(v) for v in self._data.values() if v}
        if len(lengths) > 1:
            raise ValueError(f"History: columns have different lengths {sorted(lengths)}")

    # ----------------------------------------------------------------------------- access
    def __getattr__(self, name: str) -> list:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            return data[name]
        raise AttributeError(f"History has no column {name!r}; it has {sorted(data or {})}")

    def __getitem__(self, name: str) -> list:
        return self._data[name]

    def __len__(self) -> int:
        return len(self._data["epoch"])

    def __contains__(self, name: str) -> bool:
        return name in self._data and any(v is not None for v in self._data[name])

    @property
    def columns(self) -> list[str]:
        """Column names in order (the standard ones first)."""
        return list(self._data)

    def record(self, **values: Any) -> None:
        """Append one epoch: values for some columns (the others get None)."""
        n = len(self)
        for name in values:
            if name not in self._data:
                self._data[name] = [None] * n
        for name, column in self._data.items():
            column.append(_clean(values.get(name)))

    def last(self) -> dict[str, Any]:
        """The latest epoch as {column: value}."""
        return {name: column[-1] for name, column in self._data.items()} if len(self) else {}

    def best_epoch(self, monitor: str = "val_loss", mode: str = "auto") -> int | None:
        """The 1-based epoch with the best value of `monitor` (min for losses, else max), the
        first one at ties; None when that column holds no finite value."""
        values = self._data.get(monitor, [])
        finite = [(v, i) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
        if not finite:
            return None
        minimise = is_minimised(monitor, mode)
        best = min(finite, key=lambda t: (t[0] if minimise else -t[0], t[1]))
        return self._data["epoch"][best[1]]

    def to_dict(self) -> dict[str, list]:
        """{column: [values]} with only the columns that hold some value (a copy)."""
        return {name: list(col) for name, col in self._data.items() if name in self}

    def __repr__(self) -> str:
        last = ", ".join(
            f"{k}={v:.4g}" for k, v in self.last().items() if isinstance(v, float) and k != "time"
        )
        return f"History({len(self)} epochs{': ' + last if last else ''})"

    # ----------------------------------------------------------------------------- files
    def save_json(self, path: str | os.PathLike) -> None:
        """Write {"columns": {...}} (NaN and inf as the strings "nan", "inf", "-inf")."""
        cols = {k: [_json_number(v) for v in col] for k, col in self._data.items()}
        _atomic_write(path, json.dumps({"columns": cols}, indent=1) + "\n")

    @classmethod
    def load_json(cls, path: str | os.PathLike) -> "History":
        """Read a file written by save_json."""
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise ValueError(f"{os.fspath(path)} is not a History JSON file (no 'columns' object)")
        return cls({k: [_from_json(v) for v in col] for k, col in raw["columns"].items()})

    def save_csv(self, path: str | os.PathLike) -> None:
        """One row per epoch, one column per metric; empty cells for missing values."""
        names = self.columns
        lines = [",".join(names)]
        for i in range(len(self)):
            lines.append(",".join(_csv_cell(self._data[n][i]) for n in names))
        _atomic_write(path, "\n".join(lines) + "\n")

    @classmethod
    def load_csv(cls, path: str | os.PathLike) -> "History":
        """Read a file written by save_csv (or any CSV with a header row of metric names)."""
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if not rows:
            raise ValueError(f"{os.fspath(path)} is empty; expected a header row of metric names")
        header, body = rows[0], rows[1:]
        cols: dict[str, list] = {name: [] for name in header}
        for lineno, row in enumerate(body, start=2):
            if len(row) != len(header):
                raise ValueError(
                    f"{os.fspath(path)} line {lineno}: {len(row)} cells, the header "
                    f"has {len(header)}"
                )
            for name, cell in zip(header, row):
                cols[name].append(_parse_cell(cell))
        return cls(cols)

    def plot(self, path: str | os.PathLike | None = None, title: str | None = None):
        """Loss, accuracy and learning-rate curves (tinygrad_edu.viz.plot_history)."""
        from ..viz import plot_history

        return plot_history(self.to_dict(), path, title=title)


def is_minimised(monitor: str, mode: str = "auto") -> bool:
    """True when a smaller value of `monitor` is better: mode 'min', or 'auto' and a loss."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return any(word in monitor for word in _MIN_IS_BEST)
    return mode == "min"


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if v != v else ("inf" if v > 0 else "-inf")
    return v


def _from_json(v: Any) -> Any:
    return float(v) if v in ("nan", "inf", "-inf") else v


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    return repr(v) if isinstance(v, float) else str(v)


def _parse_cell(cell: str) -> float | int | None:
    cell = cell.strip()
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        return float(cell)


def _atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write text to a temporary file next to `path`, then rename it into place."""
    from ..data._atomic import write_text

    write_text(path, text)
