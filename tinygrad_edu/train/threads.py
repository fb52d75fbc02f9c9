"""How many threads the BLAS library behind NumPy may use.

NumPy's BLAS (OpenBLAS, MKL) starts one thread per core for every matrix product. For the small
products of this library (a batch of 64 through a 784x256 layer) the threads cost more than they
save, and on a busy machine they wait for each other: one thread is often 5-20x faster there.
The command line and the demos use one thread unless told otherwise (--threads).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

_ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_limiter = None


def _check(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of threads must be an int >= 1, got {n!r}")


def set_num_threads(n: int) -> bool:
    """Limit the BLAS thread pool to `n` threads for the rest of the process (like
    torch.set_num_threads). Child processes inherit it through OPENBLAS/OMP/MKL_NUM_THREADS.
    Returns False when the already-loaded BLAS could not be limited (install threadpoolctl)."""
    global _limiter
    _check(n)
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    _limiter = threadpool_limits(limits=n, user_api="blas")
    return True


@contextmanager
def num_threads(n: int | None) -> Iterator[None]:
    """`with num_threads(1): ...` limits BLAS to n threads inside the block only (None: no
    change). Without threadpoolctl only child processes are affected."""
    if n is None:
        yield
        return
    _check(n)
    saved = {var: os.environ.get(var) for var in _ENV_VARS}
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            yield
        else:
            with threadpool_limits(limits=n, user_api="blas"):
                yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
