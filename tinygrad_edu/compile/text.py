"""Text for the generated code: Python literals of constants, dtype names, the user's line."""

from __future__ import annotations

import linecache
import os
import sys

from .. import backend


def literal(v, rec) -> str:
    """Python source for a constant: a literal when it round-trips exactly, else a bound name."""
    if v is None or type(v) in (bool, int, str):
        return repr(v)
    if type(v) is float:
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else f"float('{v}')"
    if isinstance(v, slice):
        return f"slice({literal(v.start, rec)}, {literal(v.stop, rec)}, {literal(v.step, rec)})"
    if isinstance(v, tuple) and all(type(x) in (bool, int, str, type(None)) for x in v):
        return repr(v)
    if isinstance(v, type(backend.float32)):
        return f"np.dtype({dtype_name(v)!r})"
    return rec.constant(v)


_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LINES: dict = {}


_DTYPE_NAMES: dict = {}


def dtype_name(dt) -> str:
    """str(dtype), cached (NumPy computes it in Python each time)."""
    name = _DTYPE_NAMES.get(dt)
    if name is None:
        name = _DTYPE_NAMES[dt] = str(dt)
    return name


def user_line() -> str:
    """'file.py, line 12: code' of the innermost frame outside the library."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG):
        f = f.f_back
    if f is None:
        return "inside the library"
    key = (f.f_code.co_filename, f.f_lineno)
    text = _LINES.get(key)
    if text is None:
        code = linecache.getline(*key).strip()
        text = _LINES[key] = f"{os.path.basename(key[0])}, line {key[1]}: {code}"
    return text
