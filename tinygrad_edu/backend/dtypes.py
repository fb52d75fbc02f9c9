"""Backend dtypes (NumPy dtype objects, so `t.dtype == tg.float32` and `t.dtype == np.float32`
both hold), the default float, PyTorch's promotion rules, tg.Size, and the autocast state
(tinygrad_edu.amp)."""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")

float32 = np.dtype("float32")

float64 = np.dtype("float64")

int8 = np.dtype("int8")

uint8 = np.dtype("uint8")

int16 = np.dtype("int16")

int32 = np.dtype("int32")

int64 = np.dtype("int64")

bool_ = np.dtype("bool")

_DTYPE_NAMES = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int8": int8,
    "uint8": uint8,
    "int16": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "bool": bool_,
    "short": int16,
}

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
        raise TypeError(
            f"unknown dtype {dtype!r} (and not a device: 'cpu' or 'cuda'); expected "
            f"one of {sorted(_DTYPE_NAMES)}"
        )
    if dtype is float:
        return _default_float
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if type(dtype).__module__ == "torch":  # torch.float32 -> 'float32'
        return as_dtype(str(dtype))
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None


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
    if _autocast["cpu"] is None and _autocast["cuda"] is None:  # autocast off: the usual case
        return tensors
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


def scalar_result_dtype(tensor_dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of `tensor op python_scalar`: a scalar never widens a tensor of its category."""
    if isinstance(scalar, bool):
        return tensor_dtype
    if isinstance(scalar, int):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    if isinstance(scalar, (float, np.floating)):
        return tensor_dtype if is_floating(tensor_dtype) else _default_float
    if isinstance(scalar, np.integer):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    raise TypeError(f"unsupported scalar type {type(scalar).__name__}")


def python_scalar_dtype(value: Any) -> np.dtype:
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return _default_float


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
