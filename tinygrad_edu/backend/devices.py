"""Backend devices: CuPy found on first use, tg.device, the array module `xp` of a device or
an array, host/device transfers."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_cupy = None

_cupy_error: str | None = None

ARRAY_TYPES = {np.ndarray}  # cupy.ndarray joins when CuPy loads (tensor.py shares this set)

CUDA_INSTALL_HINT = (
    "install the `cuda` extra on a machine with an NVIDIA GPU and driver: "
    "pip install 'tinygrad_edu[cuda]' (it brings cupy-cuda12x; use cupy-cuda13x with a CUDA 13 "
    "toolkit), or use device='cpu'"
)


def as_array(value):
    """A 0-d array for a NumPy/CuPy scalar result (ops must return arrays, not scalars)."""
    return np.asarray(value) if isinstance(value, (np.generic, float, int, bool)) else value


def _load_cupy():
    """Import CuPy once and check that it reaches a GPU; remember why not, for error messages.

    Never raises: a missing package, a broken install (missing CUDA libraries), a missing driver
    or a machine without a GPU all leave `_cupy` None and say why in `_cupy_error`.
    """
    global _cupy, _cupy_error
    if _cupy is not None or _cupy_error is not None:
        return _cupy
    try:
        import cupy
    except ModuleNotFoundError as e:
        if e.name == "cupy":
            _cupy_error = "CuPy is not installed"
        else:
            _cupy_error = f"CuPy is installed but failed to import (ModuleNotFoundError: {e})"
        return None
    except Exception as e:  # ImportError of a CUDA library, OSError, RuntimeError, ...
        _cupy_error = f"CuPy is installed but failed to import ({type(e).__name__}: {e})"
        return None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDARuntimeError: no driver, driver too old, no device, ...
        _cupy_error = f"CuPy is installed but no CUDA GPU is usable ({type(e).__name__}: {e})"
        return None
    if count < 1:
        _cupy_error = "CuPy is installed but no CUDA GPU was found"
        return None
    try:  # one tiny kernel: creates the CUDA context and proves kernels compile (NVRTC) and run
        (cupy.zeros(2, dtype="float32") + 1).get()
    except Exception as e:
        _cupy_error = (
            f"CuPy sees {count} GPU(s) but cannot run a kernel ({type(e).__name__}: {e}); the "
            "CUDA runtime libraries may be missing: pip install 'cupy-cuda12x[ctk]'"
        )
        return None
    _cupy = cupy
    ARRAY_TYPES.add(cupy.ndarray)
    return _cupy


def _reset_cuda_state() -> None:
    """Forget what _load_cupy found (tests use it to simulate machines without CuPy or a GPU)."""
    global _cupy, _cupy_error, _default_device
    _cupy, _cupy_error = None, None
    from . import random  # random imports this module: a call-time import avoids the cycle

    random.forget("cuda")
    for t in list(ARRAY_TYPES):
        if t is not np.ndarray:
            ARRAY_TYPES.discard(t)
    if _default_device != "cpu":
        _default_device = "cpu"


def cuda_available() -> bool:
    """True when CuPy imports and sees at least one GPU. Never raises."""
    try:
        return _load_cupy() is not None
    except Exception:
        return False


def cuda_unavailable_reason() -> str | None:
    """Why 'cuda' cannot be used here (None when it can)."""
    return None if cuda_available() else _cupy_error


def cuda_device_count() -> int:
    cp = _load_cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def cuda_synchronize() -> None:
    cp = _load_cupy()
    if cp is not None:
        cp.cuda.Device().synchronize()


def cuda_unavailable_error() -> RuntimeError:
    """The error raised wherever 'cuda' is requested but cannot be used."""
    return RuntimeError(
        f"device 'cuda' was requested but is unavailable: {cuda_unavailable_reason()}. "
        f"To use the GPU, {CUDA_INSTALL_HINT}."
    )


class device(str):
    """A device, PyTorch's torch.device: device('cpu'), device('cuda', 0), device('cuda:0').

    `.type` is 'cpu' or 'cuda', `.index` an int or None; str() and repr() as PyTorch's. It is a
    str subclass whose value is the type ('cpu' or 'cuda'), so it is accepted wherever a device
    string is and compares equal to 'cpu', 'cuda' and 'cuda:0' (PyTorch's devices do not compare
    equal to strings). tinygrad_edu drives one GPU: 'cuda' means 'cuda:0'.
    """

    __slots__ = ("index",)

    def __new__(cls, type: Any, index: Any = None) -> "device":  # noqa: A002 (PyTorch's name)
        kind, parsed = _parse_device(type)
        if parsed is not None and index is not None:
            raise RuntimeError(
                "device: type (string) must not include an index because index "
                f"was passed explicitly: {type}"
            )
        index = parsed if index is None else index
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device: index must be an int, got {index!r}")
            if index < 0:
                raise RuntimeError(f"device: index must not be negative, got {index}")
        self = str.__new__(cls, kind)
        self.index = index
        return self

    @property
    def type(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, str) and type(other).__name__ != "device":
            return NotImplemented
        try:
            kind, index = _parse_device(other)
        except ValueError:
            return False
        return kind == self.type and (kind == "cpu" or (index or 0) == (self.index or 0))

    def __ne__(self, other: Any) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = str.__hash__  # the hash of 'cpu' / 'cuda', so devices and strings share dict keys

    def __reduce__(self):
        return (device, (self.type, self.index))


def _parse_device(spec: Any) -> tuple[str, Any]:
    """('cpu' | 'cuda', index or None) from 'cpu', 'cuda', 'cuda:0', 'gpu', 0, a tg/torch device.

    The one place where device names are read; it does not check that CUDA is usable.
    """
    if isinstance(spec, device):
        return spec.type, spec.index
    if isinstance(spec, int) and not isinstance(spec, bool):
        return "cuda", spec  # PyTorch: an int is a CUDA device index
    name = str(spec).strip().lower()  # also a torch.device: str() gives 'cuda:0'
    kind, _, index = name.partition(":")
    if kind == "gpu":
        kind = "cuda"
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"unknown device {spec!r}; expected 'cpu', 'cuda' or 'cuda:0'")
    return kind, (int(index) if index else None)


def normalize_device(device: Any) -> str:
    """'cpu' | 'cuda' (the form used inside the library) from anything `device()` accepts;
    None means the default device. Raises the clear error when CUDA is requested but unusable."""
    if device is None:
        return _default_device
    kind, index = _parse_device(device)
    if kind == "cuda":
        if index not in (None, 0):
            raise ValueError(f"device 'cuda:{index}': tinygrad_edu drives one GPU, 'cuda:0'")
        if not cuda_available():
            raise cuda_unavailable_error()
    return kind


def device_object(name: str) -> device:
    """The tg.device of an internal device name: device('cpu') or device('cuda', 0)."""
    return _DEVICES[name]


_default_device = "cpu"

_DEVICES = {"cpu": device("cpu"), "cuda": device("cuda", 0)}


def get_default_device() -> str:
    return _default_device


def set_default_device(device: Any) -> None:
    """Make new tensors live on `device` ('cpu' or 'cuda') unless told otherwise."""
    global _default_device
    _default_device = "cpu" if device is None else normalize_device(device)


def xp_of(device: str):
    """The array module of a device: numpy for 'cpu', cupy for 'cuda'."""
    return np if device == "cpu" else _load_cupy()


def _on_gpu(array) -> bool:
    return _cupy is not None and isinstance(array, _cupy.ndarray)


def device_of(array) -> str:
    """'cuda' for a CuPy array, 'cpu' for anything else (NumPy arrays and scalars)."""
    return "cuda" if _on_gpu(array) else "cpu"


def xp_of_array(array):
    """The array module (numpy or cupy) that owns `array`."""
    return _cupy if _on_gpu(array) else np


def is_array(obj) -> bool:
    if isinstance(obj, np.ndarray):
        return True
    return _cupy is not None and isinstance(obj, _cupy.ndarray)


def to_host(array) -> np.ndarray:
    """A NumPy array with the values of `array` (the array itself when it is already one)."""
    if _on_gpu(array):
        return array.get()
    if isinstance(array, np.ndarray):
        return array
    return np.asarray(array)


def to_device(array, device: str):
    """Move an array to a device (no copy when it is already there)."""
    if device == "cpu":
        return to_host(array)
    cp = _load_cupy()
    if cp is None:
        raise cuda_unavailable_error()
    return cp.asarray(array)


def env_default_device() -> None:
    """Apply TINYGRAD_EDU_DEVICE at import time (falls back to cpu with a warning)."""
    want = os.environ.get("TINYGRAD_EDU_DEVICE")
    if want:
        try:
            set_default_device(want)
        except (RuntimeError, ValueError) as e:  # CUDA unavailable, or a misspelt device
            import warnings

            warnings.warn(f"TINYGRAD_EDU_DEVICE={want!r} ignored: {e}", stacklevel=2)
