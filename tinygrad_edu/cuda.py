"""tg.cuda: is a GPU usable here, which one, and waiting for it. Nothing here ever raises.

    import tinygrad_edu as tg
    if tg.cuda.is_available():
        print(tg.cuda.get_device_name())      # e.g. 'NVIDIA H100 80GB HBM3'
    else:
        print(tg.cuda.unavailable_reason())   # e.g. 'CuPy is not installed'

GPU work is asynchronous: a CuPy call returns once the kernel is queued. Time GPU code with
tg.cuda.synchronize() before reading the clock, or you measure the queueing, not the work.
"""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy imports and sees a CUDA GPU; False (never an exception) otherwise."""
    return backend.cuda_available()


def device_count() -> int:
    """The number of CUDA GPUs CuPy sees (0 without CuPy or a GPU)."""
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
    try:
        return backend.cuda_unavailable_reason()
    except Exception as e:  # pragma: no cover - cuda_available() already never raises
        return f"{type(e).__name__}: {e}"


def get_device_name(device: int | None = None) -> str | None:
    """The GPU's model name, e.g. 'NVIDIA H100 80GB HBM3' (None without a usable GPU)."""
    if not backend.cuda_available():
        return None
    try:
        cp = backend.xp_of("cuda")
        index = cp.cuda.Device().id if device is None else int(device)
        name = cp.cuda.runtime.getDeviceProperties(index)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:
        return None


def empty_cache() -> None:
    """Hand the GPU memory that CuPy keeps cached for reuse back to the driver (a no-op
    without a GPU), as torch.cuda.empty_cache()."""
    if not backend.cuda_available():
        return
    try:
        cp = backend.xp_of("cuda")
        cp.get_default_memory_pool().free_all_blocks()
        cp.get_default_pinned_memory_pool().free_all_blocks()
    except Exception:
        pass
