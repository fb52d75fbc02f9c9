"""How the graph picture looks: numbers, summary statistics, HTML labels, colours and the legend.

Nothing here walks the graph or imports graphviz; `graph.py` asks these functions for the label
and attributes of each node. Colours are a lightened *viridis* scale (readable by people with
any common form of colour blindness, and by black text on top) plus Okabe-Ito accents for the
warnings: red for NaN/Inf, blue dashes for vanishing and a thick orange border for exploding
gradients.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import numpy as np

from .. import backend

SHOWS = ("auto", "values", "stats", "shapes")
SMALL_NUMEL = {"auto": 8, "values": 64, "stats": 0, "shapes": 0}  # show values up to this size

VANISHING_RATIO = 1e-7  # a gradient norm below this fraction of the largest one in the graph
EXPLODING_NORM = 1e3  # a gradient norm above this
LOG_MIN, LOG_MAX = -7, 3  # the colour scale spans gradient norms 1e-7 .. 1e3, one colour a decade

_VIRIDIS = [
    "#440154",
    "#482878",
    "#3e4989",
    "#31688e",
    "#26828e",
    "#1f9e89",
    "#35b779",
    "#6ece58",
    "#b5de2b",
    "#fde725",
]
NAN_FILL, NAN_BORDER = "#f4a3a3", "#c00000"  # red: NaN or Inf somewhere in the tensor
VANISHING_BORDER = "#0072b2"  # Okabe-Ito blue, dashed
EXPLODING_BORDER = "#e69f00"  # Okabe-Ito orange, thick
ZERO_FILL, ZERO_BORDER = "#d9d9d9", "#555555"  # a gradient of exactly 0: grey, dotted
NO_GRAD_FILL = "#ffffff"  # requires grad, but no gradient stored (yet)
CONSTANT_FILL = "#eeeeee"  # inputs and constants: no gradient is ever computed for them
OP_FILL, OP_BORDER = "#f7f7f7", "#888888"
BORDER = "#444444"


def _lighten(hex_colour: str, white: float = 0.42) -> str:
    """Mix a colour with white so that black text stays readable on it."""
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - white) + 255 * white):02x}" for c in rgb)


GRAD_SCALE = [_lighten(c) for c in _VIRIDIS]
_TABLE_OPEN = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'


def grad_colour(norm: float) -> str:
    """The fill for a gradient norm: one colour per decade from 1e-7 (purple) to 1e3 (yellow)."""
    if not norm > 0:
        return GRAD_SCALE[0]
    k = math.floor(math.log10(norm)) - LOG_MIN
    return GRAD_SCALE[min(max(k, 0), len(GRAD_SCALE) - 1)]


@dataclass
class Stats:
    """Summary of one array, computed in float64 on the host over its finite entries."""

    numel: int
    mean: float = 0.0
    std: float = 0.0
    min: float = 0.0
    max: float = 0.0
    norm: float = 0.0
    nan: int = 0
    inf: int = 0
    values: np.ndarray | None = None  # the array itself when it is small

    @property
    def finite(self) -> bool:
        return self.nan == 0 and self.inf == 0


def summarize(data, keep_values: int) -> Stats:
    """Stats of a backend array (NumPy or CuPy); the values too when numel <= keep_values."""
    arr = np.asarray(backend.to_host(data))
    s = Stats(numel=int(arr.size))
    if arr.size <= keep_values:
        s.values = arr.astype(np.float64)
    if arr.size == 0:
        return s
    if arr.size <= 16:  # plain Python beats NumPy's per-call overhead on tiny arrays
        flat = [float(v) for v in arr.reshape(-1).tolist()]
        ok = [v for v in flat if math.isfinite(v)]
        s.nan = sum(1 for v in flat if v != v)
        s.inf = len(flat) - len(ok) - s.nan
        if ok:
            s.mean = sum(ok) / len(ok)
            s.std = math.sqrt(sum((v - s.mean) ** 2 for v in ok) / len(ok))
            s.min, s.max = min(ok), max(ok)
            s.norm = math.sqrt(sum(v * v for v in ok))
        return s
    arr = arr.astype(np.float64)
    ok = np.isfinite(arr)
    if not ok.all():
        s.nan = int(np.isnan(arr).sum())
        s.inf = int(arr.size - ok.sum() - s.nan)
        arr = arr[ok]
        if arr.size == 0:
            return s
    s.mean, s.std = float(arr.mean()), float(arr.std())
    s.min, s.max = float(arr.min()), float(arr.max())
    s.norm = float(np.sqrt(np.square(arr).sum()))
    return s


def seed_stats(keep_values: int) -> Stats:
    """The gradient backward starts from at a scalar output: d(out)/d(out) = 1."""
    values = np.ones((), np.float64) if keep_values >= 1 else None
    return Stats(numel=1, mean=1.0, min=1.0, max=1.0, norm=1.0, values=values)


def fmt(v: float) -> str:
    """A number in at most ~8 characters: 4 decimals for ordinary sizes, else scientific."""
    if v != v or v in (math.inf, -math.inf):
        return str(v)
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-3 <= a < 1e4:
        return f"{v:.4f}".rstrip("0").rstrip(".") if a < 1 else f"{v:.4g}"
    return f"{v:.2e}"


def fmt_scalar(s: Stats) -> str:
    """A 0-d value as micrograd prints it: 4 decimals (scientific when tiny or huge)."""
    v = float(s.values.reshape(-1)[0]) if s.values is not None and s.values.size else s.mean
    if not s.finite:
        return str(v) if s.values is not None else ("nan" if s.nan else "inf")
    return f"{v:.4f}" if v == 0 or 1e-4 <= abs(v) < 1e5 else f"{v:.3e}"


def fmt_values(values: np.ndarray, per_line: int = 6) -> list:
    """Small arrays as lines of text: '[1, 2, 3]', a 2-D array one row per line, higher ranks
    flattened ('flat [...]')."""
    if values.ndim == 0:
        return [fmt(float(values))]

    def row(vals) -> list:
        items = [fmt(float(v)) for v in vals]
        chunks = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return chunks or [""]

    if values.ndim == 1:
        lines = row(values)
        lines[0] = "[" + lines[0]
        lines[-1] += "]"
        return lines
    if values.ndim == 2 and values.shape[1] == 1:  # a column: [[1], [2], ...] on few lines
        items = [f"[{fmt(float(v))}]" for v in values[:, 0]]
        lines = [", ".join(items[i : i + 4]) for i in range(0, len(items), 4)]
        lines[0] = "[" + lines[0]
        lines[-1] += "]"
        return lines
    if values.ndim == 2:
        rows = [" [" + ", ".join(row(r)) + "]" for r in values]
        rows[0] = "[" + rows[0][1:]
        rows[-1] += "]"
        return rows
    return ["flat [" + ", ".join(row(values.reshape(-1))) + "]"]


def stats_text(s: Stats, with_norm: bool) -> str:
    """'mean 0.01  std 0.3  [-1, 1]', prefixed by 'norm 2.3' for gradients."""
    parts = [f"norm {fmt(s.norm)}"] if with_norm else []
    if s.numel > 1:
        parts += [f"mean {fmt(s.mean)}", f"std {fmt(s.std)}", f"[{fmt(s.min)}, {fmt(s.max)}]"]
    elif not with_norm:
        parts.append(fmt(s.mean))
    if not s.finite:
        parts.append(f"NaN x{s.nan}, Inf x{s.inf}")
    return "  ".join(parts)


def health(grad: Stats | None, data: Stats | None, largest: float) -> str:
    """'nan', 'exploding', 'zero' (exactly 0, e.g. its input was 0), 'vanishing' (a tiny non-zero
    norm relative to the largest), 'ok' or 'none' (no gradient stored)."""
    if (data is not None and not data.finite) or (grad is not None and not grad.finite):
        return "nan"
    if grad is None:
        return "none"
    if grad.norm > EXPLODING_NORM:
        return "exploding"
    if grad.norm == 0:
        return "zero"
    if grad.norm < VANISHING_RATIO * largest:
        return "vanishing"
    return "ok"


def node_style(state: str, grad: Stats | None, requires_grad: bool) -> dict:
    """Graphviz attributes (fill, border, pen) of a tensor or module box."""
    if state == "nan":
        return {"fillcolor": NAN_FILL, "color": NAN_BORDER, "penwidth": "3"}
    if grad is None:
        fill = NO_GRAD_FILL if requires_grad else CONSTANT_FILL
        return {"fillcolor": fill, "color": BORDER, "penwidth": "1"}
    attrs = {"fillcolor": grad_colour(grad.norm), "color": BORDER, "penwidth": "1"}
    if state == "zero":
        attrs.update(fillcolor=ZERO_FILL, color=ZERO_BORDER, penwidth="2", style="filled,dotted")
    elif state == "vanishing":
        attrs.update(color=VANISHING_BORDER, penwidth="2.5", style="filled,dashed")
    elif state == "exploding":
        attrs.update(color=EXPLODING_BORDER, penwidth="4")
    return attrs


WARNINGS = {
    "nan": "NaN/Inf!",
    "zero": "zero gradient",
    "vanishing": "vanishing gradient",
    "exploding": "exploding gradient",
}


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def shape_text(shape: tuple, dtype) -> str:
    return f"{tuple(shape)} {dtype}"


def tensor_label(
    title: str, shape: tuple, dtype, data: Stats | None, grad: Stats | None, state: str
) -> str:
    """An HTML-like label: micrograd's 'name | data | grad' record for 0-d float32 tensors, and
    a header with rows of values or statistics for everything else."""
    if len(shape) == 0 and str(dtype) == "float32":
        cells = [f"<B>{esc(title)}</B>"] if title else []
        if data is not None:
            cells.append(f"data {esc(fmt_scalar(data))}")
        if grad is not None:
            cells.append(f"grad {esc(fmt_scalar(grad))}")
        if state in WARNINGS:
            cells.append(f"<B>{WARNINGS[state]}</B>")
        if not cells:
            cells.append("scalar")
        tds = "<VR/>".join(f"<TD>{c}</TD>" for c in cells)
        return f"<{_TABLE_OPEN}<TR>{tds}</TR></TABLE>>"
    head = f"<B>{esc(title)}</B> " if title else ""
    rows = [head + esc(shape_text(shape, dtype))]
    for kind, s in (("data", data), ("grad", grad)):
        if s is None or s.numel == 0:
            continue
        if s.values is not None:
            lines = fmt_values(s.values)
            text = "<BR/>".join(esc(line) for line in lines)
            extra = f"  (norm {esc(fmt(s.norm))})" if kind == "grad" and s.numel > 1 else ""
            rows.append(f"{kind} {text}{extra}")
        else:
            rows.append(f"{kind} {esc(stats_text(s, kind == 'grad'))}")
    if state in WARNINGS:
        rows.append(f"<B>{WARNINGS[state]}</B>")
    return _table(rows)


def _table(rows: list) -> str:
    body = "<HR/>".join(f"<TR><TD>{r}</TD></TR>" for r in rows)
    return f"<{_TABLE_OPEN}{body}</TABLE>>"


def module_label(
    path: str, type_name: str | None, params: list, outputs: list, state: str = "ok"
) -> str:
    """A collapsed module: its name and type, each parameter with its gradient, its outputs."""
    title = f"<B>{esc(path)}</B>" + (f": {esc(type_name)}" if type_name else "")
    rows = [title]
    for name, shape, dtype, grad in params:
        g = f"  grad norm {esc(fmt(grad.norm))}" if grad is not None else ""
        rows.append(f"{esc(name)} {esc(shape_text(shape, dtype))}{g}")
    for shape, dtype in outputs:
        rows.append(f"out {esc(shape_text(shape, dtype))}")
    if state in WARNINGS:
        rows.append(f"<B>{WARNINGS[state]}</B>")
    return _table(rows)


def dot_attrs(attrs: dict) -> str:
    """'k="v" ...': HTML labels (<...>) stay as they are, other values are quoted.
    Written by hand because graphviz's own quoting dominates the time on 10,000-node graphs."""
    parts = []
    for k, v in attrs.items():
        v = str(v)
        if not (v.startswith("<") and v.endswith(">")):
            v = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{k}={v}")
    return " ".join(parts)


def dot_line(dot_id: str, attrs: dict) -> str:
    """One DOT node statement."""
    return f"\t{dot_id} [{dot_attrs(attrs)}]\n"


def op_label(text: str) -> str:
    """'Sum(dim=(1,))' -> 'Sum(dim=1)': a one-element tuple of dims reads better as a number."""
    return re.sub(r"=\((-?\d+),\)", r"=\1", text)


def legend_label() -> str:
    """An HTML table: the colour of each decade of gradient norm, and the warning marks."""
    cells = "".join(f'<TD BGCOLOR="{c}">1e{LOG_MIN + i}</TD>' for i, c in enumerate(GRAD_SCALE))
    n = len(GRAD_SCALE)
    warn = (
        f'<TD COLSPAN="3" BGCOLOR="{NAN_FILL}" COLOR="{NAN_BORDER}" BORDER="3">NaN / Inf</TD>'
        f'<TD COLSPAN="4" COLOR="{VANISHING_BORDER}" BORDER="2">vanishing: &lt; 1e-7 x largest'
        f"</TD>"
        f'<TD COLSPAN="3" COLOR="{EXPLODING_BORDER}" BORDER="4">exploding: &gt; 1e3</TD>'
    )
    other = (
        f'<TD COLSPAN="5" BGCOLOR="{NO_GRAD_FILL}">white: no .grad kept (retain_grad())</TD>'
        f'<TD COLSPAN="5" BGCOLOR="{CONSTANT_FILL}">grey: input / constant</TD>'
    )
    zero = (
        f'<TD COLSPAN="{n}" BGCOLOR="{ZERO_FILL}" COLOR="{ZERO_BORDER}" BORDER="2" '
        'STYLE="dotted">zero gradient: exactly 0 (e.g. its input was 0)</TD>'
    )
    return (
        '<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
        f'<TR><TD COLSPAN="{n}"><B>gradient norm ||grad|| (log scale)</B></TD></TR>'
        f"<TR>{cells}</TR><TR>{warn}</TR><TR>{zero}</TR><TR>{other}</TR></TABLE>>"
    )
