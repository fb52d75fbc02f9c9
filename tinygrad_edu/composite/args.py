"""Argument checks shared by the factories, shape ops, nn, optim and data: each refuses a bad
argument at the call with PyTorch's exception type and a message naming the op and the value.
"""

from __future__ import annotations

import operator
from numbers import Real


def as_int(value, op: str, what: str) -> int:
    """value as an int; floats, strings and None raise TypeError (PyTorch never truncates)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{op}: {what} must be an int, got {value!r} ({type(value).__name__})"
        ) from None


def as_float(value, op: str, what: str) -> float:
    """value as a float; strings, None and tensors of several elements raise TypeError."""
    if isinstance(value, bool) or not isinstance(value, Real):
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            return float(value.item())
        raise TypeError(f"{op}: {what} must be a number, got {value!r} ({type(value).__name__})")
    return float(value)


def as_size(size, op: str) -> tuple:
    """f(2, 3), f((2, 3)) and f([2, 3]) as a tuple of non-negative ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{op}: size must be a tuple of ints, got {size!r}")
    out = []
    for s in size:
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(
                f"{op}: size must be a tuple of ints, but {s!r} "
                f"({type(s).__name__}) in {tuple(size)!r} is not one"
            ) from None
    for s in out:
        if s < 0:
            raise RuntimeError(f"{op}: negative dimension {s} in size {tuple(out)}")
    return tuple(out)


def positive_int(value, op: str, what: str, error=RuntimeError) -> int:
    """An int > 0 (kernel sizes, chunks, steps)."""
    v = as_int(value, op, what)
    if v <= 0:
        raise error(f"{op}: {what} must be positive, got {value!r}")
    return v


def non_negative_int(value, op: str, what: str, error=RuntimeError) -> int:
    v = as_int(value, op, what)
    if v < 0:
        raise error(f"{op}: {what} must be non-negative, got {value!r}")
    return v


def probability(value, op: str, what: str = "p") -> float:
    """A float in [0, 1] (dropout rates, flip probabilities); ValueError otherwise."""
    v = as_float(value, op, what)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{op}: {what} must be a probability in [0, 1], got {value!r}")
    return v


def reduction(value, op: str) -> str:
    if value not in ("mean", "sum", "none"):
        raise ValueError(
            f"{op}: {value!r} is not a valid value for reduction (expected 'mean', 'sum' or 'none')"
        )
    return value
