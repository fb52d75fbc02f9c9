"""The one module that knows about NumPy and CuPy.

Everything that depends on the array library lives here: the device of an array, the array module
``xp`` of a device, dtypes and PyTorch-style promotion, host/device transfers, the seeded random
generators and ``cuda_available()``. Ops are written once against ``xp``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------------------
# dtypes (NumPy dtype objects, so `t.dtype == tg.float32` and `t.dtype == np.float32` both hold)
# ---------------------------------------------------------------------------------------------
float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")
half, float, double, long, int = float16, float32, float64, int64, int32  # PyTorch aliases

_DTYPE_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "uint8": uint8, "int16": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "bool": bool_,
}  # fmt: skip

_default_float = float32


def get_default_dtype() -> np.dtype:
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype Python floats become (float32 or float64), as torch.set_default_dtype."""
    global _default_float
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    _default_float = d


def as_dtype(dtype: Any) -> np.dtype:
    """Normalise a dtype given as tg.float32, np.float32, 'float32', 'float' or a torch dtype."""
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, str):
        name = dtype.replace("torch.", "")
        if name in _DTYPE_NAMES:
            return _DTYPE_NAMES[name]
        raise TypeError(f"unknown dtype {dtype!r}; expected one of {sorted(_DTYPE_NAMES)}")
    if dtype is builtins_float:
        return _default_float
    if dtype is builtins_int:
        return int64
    if dtype is builtins_bool:
        return bool_
    if type(dtype).__module__ == "torch":  # torch.float32 -> 'float32'
        return as_dtype(str(dtype))
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None


import builtins as _builtins  # noqa: E402  (after the aliases above shadow float/int)

builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion of two tensor dtypes: bool < integers < floats, the wider one wins.

    Unlike NumPy, an integer tensor meeting a float tensor takes the float tensor's dtype
    (int64 + float32 -> float32, not float64).
    """
    if a == b:
        return a
    fa, fb = a.kind == "f", b.kind == "f"
    if fa != fb:
        return a if fa else b
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    return np.promote_types(a, b)


def scalar_result_dtype(tensor_dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of `tensor op python_scalar`: a scalar never widens a tensor of its category."""
    if isinstance(scalar, _builtins.bool):
        return tensor_dtype
    if isinstance(scalar, _builtins.int):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    if isinstance(scalar, (_builtins.float, np.floating)):
        return tensor_dtype if tensor_dtype.kind == "f" else _default_float
    if isinstance(scalar, np.integer):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    raise TypeError(f"unsupported scalar type {type(scalar).__name__}")


def python_scalar_dtype(value: Any) -> np.dtype:
    if isinstance(value, _builtins.bool):
        return bool_
    if isinstance(value, _builtins.int):
        return int64
    return _default_float


# ---------------------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------------------
_cupy = None
_cupy_error: str | None = None


ARRAY_TYPES = {np.ndarray}  # cupy.ndarray joins when CuPy loads


def as_array(value):
    """A 0-d array for a NumPy/CuPy scalar result (ops must return arrays, not scalars)."""
    return np.asarray(value) if isinstance(value, (np.generic, _builtins.float, _builtins.int,
                                                   _builtins.bool)) else value  # fmt: skip


def _load_cupy():
    """Import CuPy once; remember why it failed so error messages can say so."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy  # noqa: F401

            if cupy.cuda.runtime.getDeviceCount() < 1:
                _cupy_error = "CuPy is installed but no CUDA GPU was found"
            else:
                _cupy = cupy
                ARRAY_TYPES.add(cupy.ndarray)
        except ImportError:
            _cupy_error = "CuPy is not installed (pip install 'tinygrad_edu[cuda]', i.e. cupy-cuda12x)"
        except Exception as e:  # driver missing, runtime error, ...
            _cupy_error = f"CuPy could not reach a CUDA GPU ({type(e).__name__}: {e})"
    return _cupy


def cuda_available() -> bool:
    """True when CuPy imports and sees at least one GPU. Never raises."""
    try:
        return _load_cupy() is not None
    except Exception:
        return False


def cuda_device_count() -> int:
    cp = _load_cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def cuda_synchronize() -> None:
    cp = _load_cupy()
    if cp is not None:
        cp.cuda.Device().synchronize()


def normalize_device(device: Any) -> str:
    """'cpu' | 'cuda' from 'cpu', 'cuda', 'cuda:0', 'gpu' or a torch.device."""
    if device is None:
        return _default_device
    name = str(device).lower()
    if name == "cpu":
        return "cpu"
    if name in ("cuda", "gpu") or name.startswith("cuda:"):
        if not cuda_available():
            raise RuntimeError(
                f"device 'cuda' was requested but is unavailable: {_cupy_error}. Install the GPU "
                "extra with pip install 'tinygrad_edu[cuda]' on a machine with an NVIDIA GPU, "
                "or use device='cpu'."
            )
        return "cuda"
    raise ValueError(f"unknown device {device!r}; expected 'cpu' or 'cuda'")


_default_device = "cpu"


def get_default_device() -> str:
    return _default_device


def set_default_device(device: Any) -> None:
    """Make new tensors live on `device` ('cpu' or 'cuda') unless told otherwise."""
    global _default_device
    _default_device = "cpu" if device is None else normalize_device(device)


def xp_of(device: str):
    """The array module of a device: numpy for 'cpu', cupy for 'cuda'."""
    return np if device == "cpu" else _load_cupy()


def device_of(array) -> str:
    return "cpu" if isinstance(array, (np.ndarray, np.generic)) else "cuda"


def xp_of_array(array):
    return np if isinstance(array, (np.ndarray, np.generic)) else _load_cupy()


def is_array(obj) -> bool:
    if isinstance(obj, np.ndarray):
        return True
    return _cupy is not None and isinstance(obj, _cupy.ndarray)


def to_host(array) -> np.ndarray:
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, np.generic):
        return np.asarray(array)
    return array.get()


def to_device(array, device: str):
    """Move an array to a device (no copy when it is already there)."""
    if device == "cpu":
        return to_host(array)
    cp = _load_cupy()
    if cp is None:
        normalize_device("cuda")  # raises the clear error
    return cp.asarray(array)


def infer_dtype(data: Any) -> np.dtype:
    """PyTorch's dtype for Python data: floats -> default float, ints -> int64, bools -> bool."""
    if isinstance(data, _builtins.bool):
        return bool_
    if isinstance(data, _builtins.int):
        return int64
    if isinstance(data, (_builtins.float, _builtins.complex)):
        return _default_float
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return _default_float
    if arr.dtype.kind in "iu":
        return int64
    if arr.dtype.kind == "b":
        return bool_
    raise TypeError(f"Tensor: cannot make a tensor from data of dtype {arr.dtype}")


def asarray(data: Any, dtype: Any = None, device: str | None = None, copy: bool = False):
    """Turn scalars, nested lists and NumPy/CuPy arrays into a backend array on `device`."""
    device = normalize_device(device)
    xp = xp_of(device)
    if isinstance(data, np.generic):
        data = np.asarray(data)
    if is_array(data):
        arr = data if device_of(data) == device else to_device(data, device)
        if dtype is not None:
            d = as_dtype(dtype)
            if arr.dtype != d:
                return arr.astype(d)
        return arr.copy() if copy and arr is data else arr
    d = as_dtype(dtype) if dtype is not None else infer_dtype(data)
    try:
        return xp.asarray(np.asarray(data, dtype=d))
    except (ValueError, TypeError) as e:
        raise TypeError(f"Tensor: cannot build a tensor from {type(data).__name__}: {e}") from None


# ---------------------------------------------------------------------------------------------
# random numbers: one seeded generator per device
# ---------------------------------------------------------------------------------------------
_rng: dict[str, Any] = {}
_seed: int | None = None


def manual_seed(seed: int) -> None:
    """Seed every random draw of the library (factories, init, dropout, shuffling) on all devices."""
    global _seed
    _seed = _builtins.int(seed)
    _rng.clear()


def rng(device: str = "cpu"):
    """The generator of a device: numpy.random.Generator on cpu, cupy.random.Generator on cuda."""
    g = _rng.get(device)
    if g is None:
        if device == "cpu":
            g = np.random.Generator(np.random.PCG64(_seed))
        else:
            cp = _load_cupy()
            g = cp.random.Generator(cp.random.XORWOW(_seed))
        _rng[device] = g
    return g


def get_rng_state() -> dict:
    """A picklable-free snapshot of the CPU generator (for checkpoints)."""
    return {"seed": _seed, "cpu": rng("cpu").bit_generator.state}


def set_rng_state(state: dict) -> None:
    global _seed
    _seed = state.get("seed")
    _rng.clear()
    rng("cpu").bit_generator.state = state["cpu"]


def env_default_device() -> None:
    """Apply TINYGRAD_EDU_DEVICE at import time (falls back to cpu with a warning)."""
    want = os.environ.get("TINYGRAD_EDU_DEVICE")
    if want:
        try:
            set_default_device(want)
        except RuntimeError as e:
            import warnings

            warnings.warn(f"TINYGRAD_EDU_DEVICE={want!r} ignored: {e}", stacklevel=2)


# ---------------------------------------------------------------------------------------------
# operations NumPy and CuPy spell differently
# ---------------------------------------------------------------------------------------------
def scatter_add(target, index, values) -> None:
    """target[index] += values with repeated indices adding up (np.add.at / cupyx.scatter_add)."""
    if isinstance(target, np.ndarray):
        np.add.at(target, index, values)
    else:
        import cupyx

        cupyx.scatter_add(target, index, values)


def erf(x):
    """The error function on either device (NumPy has none; SciPy is not a dependency)."""
    if not isinstance(x, np.ndarray):
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(x)
    try:
        from scipy.special import erf as _erf

        return _erf(x)
    except ImportError:
        return _erf_numpy(x)


def _erf_numpy(x: np.ndarray) -> np.ndarray:
    """erf without SciPy: exact math.erf for float64, a 1.2e-7-accurate fit for smaller floats."""
    if x.dtype == np.float64:
        import math

        return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)
    a = np.abs(x.astype(np.float64))
    t = 1.0 / (1.0 + 0.5 * a)
    # Numerical Recipes' erfc Chebyshev fit: relative error below 1.2e-7 everywhere.
    poly = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))  # fmt: skip
    return (np.sign(x) * (1.0 - t * np.exp(poly))).astype(x.dtype)


def has_nan(array) -> bool:
    if array.dtype.kind != "f":
        return False
    return bool(xp_of_array(array).isnan(array).any())


def has_inf(array) -> bool:
    if array.dtype.kind != "f":
        return False
    return bool(xp_of_array(array).isinf(array).any())


def is_scalar(value) -> bool:
    """A NumPy scalar such as np.float32(2.0) (Python scalars are checked by the caller)."""
    return isinstance(value, np.generic)


def scalar_array(value, dtype, like):
    """A 0-d array holding `value` on the device of `like`."""
    return xp_of_array(like).asarray(value, dtype=dtype)


def format_array(array, prefix: str = "") -> str:
    return np.array2string(
        to_host(array), separator=", ", prefix=prefix, precision=4, threshold=200, edgeitems=3
    )
