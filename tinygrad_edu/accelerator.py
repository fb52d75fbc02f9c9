"""tg.accelerator: PyTorch's device-agnostic way to ask for the GPU. Nothing here raises.

    device = (tg.accelerator.current_accelerator().type if tg.accelerator.is_available()
              else "cpu")

tinygrad_edu's one accelerator is a CUDA GPU reached through CuPy (see tg.cuda).
"""

from __future__ import annotations

from . import backend, cuda


def is_available() -> bool:
    """True when a CUDA GPU is usable (CuPy imports and sees one); never raises."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> backend.device | None:
    """device(type='cuda') when a GPU is usable, else None (PyTorch's answer on a CPU-only
    machine); check_available is accepted for PyTorch's signature and changes nothing here."""
    return backend.device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """The number of usable accelerators: 1 with a GPU (tinygrad_edu drives one), else 0."""
    return 1 if cuda.is_available() else 0


def current_device_index() -> int:
    """0 (the one GPU) with a GPU; -1 without one, as PyTorch."""
    return 0 if cuda.is_available() else -1


def synchronize(device=None) -> None:
    """Wait for queued GPU work (for timing); a no-op without a GPU."""
    cuda.synchronize()


__all__ = [
    "is_available",
    "current_accelerator",
    "device_count",
    "current_device_index",
    "synchronize",
]
