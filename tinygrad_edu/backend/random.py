"""Backend the seeded random generators, one per device (tg.manual_seed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .devices import _load_cupy, cuda_unavailable_error
from .dtypes import as_dtype, float16, float32, float64, int64

_rng: dict[str, Any] = {}

_seed: int | None = None


def forget(device: str) -> None:
    """Drop the generator of a device (the CUDA state was reset)."""
    _rng.pop(device, None)


def manual_seed(seed: int) -> None:
    """Seed every random draw of the library (factories, init, dropout, shuffling), all devices."""
    global _seed
    try:
        value = int(seed)
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
        if isinstance(x, (int, np.integer)):
            return self._cp.argsort(self._gen.random(int(x)))
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
