"""tg.cuda: is a GPU usable here? Never raises."""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy imports and sees a CUDA GPU; False (never an exception) otherwise."""
    return backend.cuda_available()


def device_count() -> int:
    try:
        return backend.cuda_device_count()
    except Exception:
        return 0


def synchronize() -> None:
    """Wait for queued GPU work (for timing); a no-op without a GPU."""
    try:
        backend.cuda_synchronize()
    except Exception:
        pass


def unavailable_reason() -> str | None:
    """Why CUDA is unavailable (None when it is available)."""
    return None if backend.cuda_available() else backend._cupy_error


def get_device_name() -> str | None:
    if not backend.cuda_available():
        return None
    import cupy

    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)
