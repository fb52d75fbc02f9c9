"""Backend the array functions NumPy and CuPy spell differently (scatter-add, sparse index grids,
put_along_axis, as_strided, erf), and small array checks the ops share."""

from __future__ import annotations

import numpy as np

from . import devices
from .devices import _on_gpu, is_array, xp_of_array
from .dtypes import int64

uint64_ = np.dtype("uint64")


def broadcast_shapes(*shapes) -> tuple:
    """NumPy's broadcast shape (ValueError when the shapes don't broadcast)."""
    return tuple(np.broadcast_shapes(*shapes))


def may_share_memory(a, b) -> bool:
    """Whether two arrays can overlap (cheap bounds check; views of one buffer do)."""
    if type(a) is not type(b):
        return False
    check = getattr(xp_of_array(a), "may_share_memory", None)  # stand-in GPU arrays lack it
    return bool(check(a, b)) if check is not None else False


# dtypes CuPy's scatter add (CUDA atomicAdd) handles directly
_CUPY_ATOMIC_ADD = frozenset(
    np.dtype(t) for t in ("float16", "float32", "float64", "int32", "uint32", "uint64")
)


def scatter_add(target, index, values) -> None:
    """target[index] += values, repeated indices adding up (np.add.at / cupyx.scatter_add).

    CuPy's scatter add runs on CUDA atomics, which exist for a few dtypes only: int64 is added
    through a uint64 view (two's complement addition is the same bit pattern), smaller integers
    and bool through an int64 copy. Out-of-range indices raise on NumPy but wrap on CuPy.
    """
    if not _on_gpu(target):
        np.add.at(target, index, values)
        return
    cp = devices._cupy
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
            lo, hi = int(i.min()), int(i.max())
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
    poly = (
        -a * a
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    return (np.sign(x) * (1.0 - t * np.exp(poly))).astype(x.dtype)


def has_nan(array) -> bool:
    if array.dtype.kind != "f":
        return False
    return bool(xp_of_array(array).isnan(array).any())


def has_inf(array) -> bool:
    if array.dtype.kind != "f":
        return False
    return bool(xp_of_array(array).isinf(array).any())
