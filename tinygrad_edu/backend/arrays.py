"""Backend turning Python data and arrays into backend arrays (tg.tensor's rules and errors)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import devices
from .devices import (
    _load_cupy,
    _on_gpu,
    device_of,
    is_array,
    normalize_device,
    to_device,
    xp_of,
    xp_of_array,
)
from .dtypes import as_dtype, bool_, get_default_dtype, int64


def infer_dtype(data: Any) -> np.dtype:
    """PyTorch's dtype for Python data: floats -> default float, ints -> int64, bools -> bool."""
    if isinstance(data, bool):
        return bool_
    if isinstance(data, int):
        return int64
    if isinstance(data, float):
        return get_default_dtype()
    arr = _host_array(data)
    if arr.dtype.kind == "f":
        return get_default_dtype()
    if arr.dtype.kind in "iu":
        return int64
    if arr.dtype.kind == "b":
        return bool_
    raise _unsupported_data(data, arr)


def _host_array(data: Any) -> np.ndarray:
    """np.asarray(data), with ragged nested lists refused as PyTorch refuses them."""
    try:
        return np.asarray(data)
    except ValueError as e:
        raise ValueError(
            f"tensor: nested sequences must be rectangular (every list at a depth "
            f"of the same length), got {_short(data)}: {e}"
        ) from None


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 80 else text[:77] + "..."


def _unsupported_data(data: Any, arr) -> TypeError:
    """The TypeError for data with no tensor dtype (strings, objects, dates, complex numbers)."""
    found, bad = _first_unsupported(data)
    what = (
        f"an element of type {type(bad).__name__} ({_short(bad)})"
        if found
        else (f"an array of dtype {arr.dtype}")
    )
    text = (
        f"tensor: cannot make a tensor from {what}; tensors hold bool, integer and "
        f"floating-point numbers only (data: {_short(data)})"
    )
    if not found or isinstance(bad, (str, bytes, complex, np.generic)):
        return TypeError(text)
    return RuntimeError(f"{text}: could not infer a dtype")  # PyTorch: None, dicts, objects


def _first_unsupported(data: Any) -> tuple:
    """(True, the first element that is not a number) or (False, None)."""
    if isinstance(data, (list, tuple)):
        for x in data:
            found, bad = _first_unsupported(x)
            if found:
                return found, bad
        return False, None
    if isinstance(data, (bool, int, float)) or is_array(data):
        return False, None
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return False, None
    return True, data


def asarray(data: Any, dtype: Any = None, device: str | None = None, copy: bool = False):
    """Turn scalars, nested lists and NumPy/CuPy arrays into a backend array on `device`.

    device=None means the default device, except for a CuPy array, which stays on the GPU.
    """
    if devices._cupy is None and type(data).__module__.startswith("cupy"):
        _load_cupy()  # a CuPy array made before tinygrad_edu first looked for CuPy
    if device is None and _on_gpu(data):
        device = "cuda"
    device = normalize_device(device)
    xp = xp_of(device)
    if isinstance(data, np.generic):
        data = np.asarray(data)
    if is_array(data):
        if data.dtype.kind not in "biuf":
            raise _unsupported_data(data, data)
        arr = data if device_of(data) == device else to_device(data, device)
        if dtype is not None:
            d = as_dtype(dtype)
            if arr.dtype != d:
                return arr.astype(d)
        return arr.copy() if copy and arr is data else arr
    if dtype is not None and not isinstance(data, (int, float)):
        infer_dtype(data)  # strings, objects and ragged lists are refused whatever the dtype
    d = as_dtype(dtype) if dtype is not None else infer_dtype(data)
    try:
        return xp.asarray(np.asarray(data, dtype=d))
    except (ValueError, TypeError) as e:
        raise TypeError(f"Tensor: cannot build a tensor from {type(data).__name__}: {e}") from None


def is_scalar(value) -> bool:
    """A NumPy scalar such as np.float32(2.0) (Python scalars are checked by the caller)."""
    return isinstance(value, np.generic)


def scalar_array(value, dtype, like):
    """A 0-d array holding `value` on the device of `like`."""
    return xp_of_array(like).asarray(value, dtype=dtype)
