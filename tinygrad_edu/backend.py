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
half, float, double, long, int, short = float16, float32, float64, int64, int32, int16  # PyTorch

_DTYPE_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "uint8": uint8, "int16": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "bool": bool_, "short": int16,
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
        if name == "bfloat16":
            return bfloat16()
        raise TypeError(f"unknown dtype {dtype!r} (and not a device: 'cpu' or 'cuda'); expected "
                        f"one of {sorted(_DTYPE_NAMES)}")  # fmt: skip
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
    return dtype.kind == "f" or dtype.name == "bfloat16"  # ml_dtypes' bfloat16 has kind 'V'


def bfloat16() -> np.dtype:
    """The bfloat16 dtype of the optional ml_dtypes package (pip install tinygrad_edu[amp])."""
    try:
        import ml_dtypes
    except ImportError:
        raise RuntimeError(
            "bfloat16 needs the ml_dtypes package: pip install ml_dtypes (or the amp extra: "
            "pip install tinygrad_edu[amp])"
        ) from None
    return np.dtype(ml_dtypes.bfloat16)


# ---------------------------------------------------------------------------------------------
# autocast (tinygrad_edu.amp): the low-precision dtype per device type, None when off. It lives
# here, at the bottom layer, because the ops that consult it (matmul, linear, conv2d, softmax,
# losses, ...) sit below amp.py.
# ---------------------------------------------------------------------------------------------
_autocast: dict = {"cpu": None, "cuda": None}


def autocast_dtype(device: str):
    """The dtype autocast runs matmul/linear/conv in on `device`, or None when autocast is off."""
    return _autocast.get(device)


def set_autocast_dtype(device_type: str, dtype) -> Any:
    """Set (or clear, with None) the autocast dtype of a device type; returns the previous one."""
    prev = _autocast[device_type]
    _autocast[device_type] = dtype
    return prev


def autocast_cast(tensors: tuple, policy: str) -> tuple:
    """What autocast does to an op's floating inputs, by PyTorch's op lists:
    'low' casts float32/float16/bfloat16 to the autocast dtype (matmul, linear, conv);
    'fp32' casts float16/bfloat16 up to float32 (losses); 'fp32_cuda' does so on CUDA only
    (softmax, log_softmax, layer_norm, normalize: PyTorch's CPU autocast leaves them alone).
    float64 and non-floating tensors are never touched, as in PyTorch."""
    device = next((t.device for t in tensors if hasattr(t, "device")), None)
    dtype = _autocast.get(device)
    if dtype is None or (policy == "fp32_cuda" and device != "cuda"):
        return tensors
    low = policy == "low"
    target = dtype if low else float32
    out = []
    for t in tensors:
        d = getattr(t, "dtype", None)
        eligible = d is not None and is_floating(d) and d != float64 and d != target
        out.append(t.to(target) if eligible and (low or d.itemsize == 2) else t)
    return tuple(out)


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion of two tensor dtypes: bool < integers < floats, the wider one wins.

    Unlike NumPy, an integer tensor meeting a float tensor takes the float tensor's dtype
    (int64 + float32 -> float32, not float64).
    """
    if a == b:
        return a
    fa, fb = is_floating(a), is_floating(b)
    if fa != fb:
        return a if fa else b
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    return np.promote_types(a, b)


def can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """Whether an in-place op may write values of dtype src into a tensor of dtype dst."""
    return bool(np.can_cast(src, dst, casting="same_kind"))


def broadcast_shapes(*shapes) -> tuple:
    """NumPy's broadcast shape (ValueError when the shapes don't broadcast)."""
    return tuple(np.broadcast_shapes(*shapes))


def may_share_memory(a, b) -> bool:
    """Whether two arrays can overlap (cheap bounds check; views of one buffer do)."""
    if type(a) is not type(b):
        return False
    check = getattr(xp_of_array(a), "may_share_memory", None)  # stand-in GPU arrays lack it
    return bool(check(a, b)) if check is not None else False


def scalar_result_dtype(tensor_dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of `tensor op python_scalar`: a scalar never widens a tensor of its category."""
    if isinstance(scalar, _builtins.bool):
        return tensor_dtype
    if isinstance(scalar, _builtins.int):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    if isinstance(scalar, (_builtins.float, np.floating)):
        return tensor_dtype if is_floating(tensor_dtype) else _default_float
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

ARRAY_TYPES = {np.ndarray}  # cupy.ndarray joins when CuPy loads (tensor.py shares this set)

CUDA_INSTALL_HINT = (
    "install the `cuda` extra on a machine with an NVIDIA GPU and driver: "
    "pip install 'tinygrad_edu[cuda]' (it brings cupy-cuda12x; use cupy-cuda13x with a CUDA 13 "
    "toolkit), or use device='cpu'"
)


def as_array(value):
    """A 0-d array for a NumPy/CuPy scalar result (ops must return arrays, not scalars)."""
    return np.asarray(value) if isinstance(value, (np.generic, _builtins.float, _builtins.int,
                                                   _builtins.bool)) else value  # fmt: skip


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
    _rng.pop("cuda", None)
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
            raise RuntimeError("device: type (string) must not include an index because index "
                               f"was passed explicitly: {type}")  # fmt: skip
        index = parsed if index is None else index
        if index is not None:
            if not isinstance(index, _builtins.int) or isinstance(index, _builtins.bool):
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
    if isinstance(spec, _builtins.int) and not isinstance(spec, _builtins.bool):
        return "cuda", spec  # PyTorch: an int is a CUDA device index
    name = str(spec).strip().lower()  # also a torch.device: str() gives 'cuda:0'
    kind, _, index = name.partition(":")
    if kind == "gpu":
        kind = "cuda"
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"unknown device {spec!r}; expected 'cpu', 'cuda' or 'cuda:0'")
    return kind, (_builtins.int(index) if index else None)


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


def infer_dtype(data: Any) -> np.dtype:
    """PyTorch's dtype for Python data: floats -> default float, ints -> int64, bools -> bool."""
    if isinstance(data, _builtins.bool):
        return bool_
    if isinstance(data, _builtins.int):
        return int64
    if isinstance(data, _builtins.float):
        return _default_float
    arr = _host_array(data)
    if arr.dtype.kind == "f":
        return _default_float
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
        raise ValueError(f"tensor: nested sequences must be rectangular (every list at a depth "
                         f"of the same length), got {_short(data)}: {e}") from None  # fmt: skip


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 80 else text[:77] + "..."


def _unsupported_data(data: Any, arr) -> TypeError:
    """The TypeError for data with no tensor dtype (strings, objects, dates, complex numbers)."""
    found, bad = _first_unsupported(data)
    what = f"an element of type {type(bad).__name__} ({_short(bad)})" if found else (
        f"an array of dtype {arr.dtype}")  # fmt: skip
    text = (f"tensor: cannot make a tensor from {what}; tensors hold bool, integer and "
            f"floating-point numbers only (data: {_short(data)})")  # fmt: skip
    if not found or isinstance(bad, (str, bytes, _builtins.complex, np.generic)):
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
    if isinstance(data, (_builtins.bool, _builtins.int, _builtins.float)) or is_array(data):
        return False, None
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return False, None
    return True, data


def asarray(data: Any, dtype: Any = None, device: str | None = None, copy: bool = False):
    """Turn scalars, nested lists and NumPy/CuPy arrays into a backend array on `device`.

    device=None means the default device, except for a CuPy array, which stays on the GPU.
    """
    if _cupy is None and type(data).__module__.startswith("cupy"):
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
    if dtype is not None and not isinstance(data, (_builtins.int, _builtins.float)):
        infer_dtype(data)  # strings, objects and ragged lists are refused whatever the dtype
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
    try:
        value = _builtins.int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"manual_seed: seed must be an int, got {seed!r}") from None
    if not -(2**63) <= value < 2**64:
        raise ValueError(f"manual_seed: seed {value} is outside [-2**63, 2**64)")
    _seed = value % 2**64  # PyTorch's rule: a negative seed wraps into uint64 (-1 -> 2**64 - 1)
    _rng.clear()


def rng(device: str = "cpu"):
    """The generator of a device: numpy.random.Generator on cpu, a CudaGenerator on cuda.

    Both are seeded by tg.manual_seed; they are different algorithms (PCG64 and cuRAND's
    XORWOW), so the same seed gives reproducible but different numbers on the two devices.
    """
    g = _rng.get(device)
    if g is None:
        if device == "cpu":
            g = np.random.Generator(np.random.PCG64(_seed))
        else:
            cp = _load_cupy()
            if cp is None:
                raise cuda_unavailable_error()
            g = CudaGenerator(cp, _seed)
        _rng[device] = g
    return g


class CudaGenerator:
    """cupy.random.Generator with the numpy.random.Generator methods the library draws from.

    CuPy's Generator has random, standard_normal and integers but no permutation, and its
    standard_normal refuses float16; both gaps are filled here, everything else is CuPy's.
    """

    def __init__(self, cp, seed: int | None) -> None:
        self._cp = cp
        self._gen = cp.random.Generator(cp.random.XORWOW(seed))
        self.bit_generator = self._gen.bit_generator

    def random(self, size=None, dtype=float64):
        """Uniform samples in [0, 1)."""
        return self._gen.random(size, dtype=dtype)

    def standard_normal(self, size=None, dtype=float64):
        """N(0, 1) samples; float16 ones are drawn in float32 and rounded."""
        d = as_dtype(dtype)
        if d == float16:
            return self._gen.standard_normal(size, dtype=float32).astype(float16)
        return self._gen.standard_normal(size, dtype=d)

    def integers(self, low, high=None, size=None, dtype=int64, endpoint: bool = False):
        """Integers in [low, high) (or [0, low) when high is None)."""
        return self._gen.integers(low, high, size, dtype=dtype, endpoint=endpoint)

    def permutation(self, x):
        """A random permutation of range(x) (int x), or of the rows of an array: the argsort of
        uniform keys, which is uniform over permutations (ties among 53-bit keys are negligible)."""
        if isinstance(x, (_builtins.int, np.integer)):
            return self._cp.argsort(self._gen.random(_builtins.int(x)))
        arr = self._cp.asarray(x)
        return arr[self.permutation(arr.shape[0])]

    def __getattr__(self, name: str):
        return getattr(self._gen, name)  # the other distributions, as CuPy spells them


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
        except (RuntimeError, ValueError) as e:  # CUDA unavailable, or a misspelt device
            import warnings

            warnings.warn(f"TINYGRAD_EDU_DEVICE={want!r} ignored: {e}", stacklevel=2)


# ---------------------------------------------------------------------------------------------
# operations NumPy and CuPy spell differently
# ---------------------------------------------------------------------------------------------
uint64_ = np.dtype("uint64")
# dtypes CuPy's scatter add (CUDA atomicAdd) handles directly
_CUPY_ATOMIC_ADD = frozenset(np.dtype(t) for t in ("float16", "float32", "float64", "int32",
                                                   "uint32", "uint64"))  # fmt: skip


def scatter_add(target, index, values) -> None:
    """target[index] += values, repeated indices adding up (np.add.at / cupyx.scatter_add).

    CuPy's scatter add runs on CUDA atomics, which exist for a few dtypes only: int64 is added
    through a uint64 view (two's complement addition is the same bit pattern), smaller integers
    and bool through an int64 copy. Out-of-range indices raise on NumPy but wrap on CuPy.
    """
    if not _on_gpu(target):
        np.add.at(target, index, values)
        return
    cp = _cupy
    values = cp.asarray(values)
    dt = target.dtype
    if dt in _CUPY_ATOMIC_ADD:
        target.scatter_add(index, values.astype(dt, copy=False))
    elif dt == int64:
        target.view(uint64_).scatter_add(index, values.astype(int64).view(uint64_))
    else:
        wide = target.astype(int64)
        wide.view(uint64_).scatter_add(index, values.astype(int64).view(uint64_))
        target[...] = wide.astype(dt)


def sparse_indices(shape: tuple, like) -> tuple:
    """np.indices(shape, sparse=True) on the device of `like` (cupy.indices has no sparse=):
    one int64 arange per axis, shaped to broadcast along that axis only."""
    xp = xp_of_array(like)
    n = len(shape)
    return tuple(
        xp.arange(size, dtype=int64).reshape((1,) * i + (size,) + (1,) * (n - i - 1))
        for i, size in enumerate(shape)
    )


def put_along_axis(array, indices, values, axis: int) -> None:
    """np.put_along_axis on either device (CuPy has it from v13; older ones get fancy indexing)."""
    xp = xp_of_array(array)
    if hasattr(xp, "put_along_axis"):
        xp.put_along_axis(array, indices, values, axis=axis)
        return
    grids = list(sparse_indices(indices.shape, indices))
    grids[axis] = indices
    array[tuple(grids)] = values


def as_strided(array, shape: tuple, strides: tuple):
    """A view of `array` with the given shape and byte strides (no copy, on either device)."""
    if _on_gpu(array):
        from cupy.lib.stride_tricks import as_strided as _as_strided
    else:
        from numpy.lib.stride_tricks import as_strided as _as_strided
    return _as_strided(array, shape, strides)


def index_bounds_error(index: tuple, shape: tuple) -> str | None:
    """A message naming the first integer index array out of range for `shape`, else None.

    `index` is a normalised index tuple (ints, slices, None, Ellipsis, integer or bool arrays).
    NumPy raises IndexError for an out-of-range integer array, CuPy silently wraps it around;
    calling this first gives both devices NumPy's behaviour, for one device synchronisation
    per integer index array on the GPU.
    """

    def consumed(i) -> int:
        return i.ndim if is_array(i) and i.dtype.kind == "b" else 1

    used = sum(consumed(i) for i in index if i is not None and i is not Ellipsis)
    axis = 0
    for i in index:
        if i is None:
            continue
        if i is Ellipsis:
            axis += len(shape) - used
            continue
        if is_array(i) and i.dtype.kind in "iu" and i.size and axis < len(shape):
            n = shape[axis]
            lo, hi = _builtins.int(i.min()), _builtins.int(i.max())
            if lo < -n or hi >= n:
                bad = hi if hi >= n else lo
                return f"index {bad} is out of bounds for axis {axis} with size {n}"
        axis += consumed(i)
    return None


def erf(x):
    """The error function on either device (NumPy has none; SciPy is not a dependency)."""
    if _on_gpu(x):
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


# ---------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------
class Size(tuple):
    """The shape of a tensor (PyTorch's torch.Size): a tuple of ints, usable wherever a tuple is,
    whose repr is `tg.Size([2, 3])`; `.numel()` is the product of the sizes."""

    __slots__ = ()

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, index):
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(other + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __repr__(self) -> str:
        return f"tg.Size({list(self)})"

    __str__ = __repr__
