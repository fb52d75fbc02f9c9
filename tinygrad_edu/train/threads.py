"""How many threads the BLAS library behind NumPy may use.

NumPy's BLAS (OpenBLAS, MKL) starts one thread per core for every matrix product. For the small
products of this library (a batch of 64 through a 784x256 layer) the threads cost more than they
save, and on a busy machine they wait for each other: one thread is often 5-20x faster there.
`set_num_threads(1)` is what the command line and the demos do by default.
"""

from __future__ import annotations

import os

_ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_limiter = None


def set_num_threads(n: int | None) -> bool:
    """Limit the BLAS thread pool to `n` threads (None: leave it as it is); like
    torch.set_num_threads. Returns False when the limit could not be applied to an
    already-loaded BLAS (install threadpoolctl for that); child processes always inherit it
    through the OPENBLAS/OMP/MKL_NUM_THREADS environment variables."""
    global _limiter
    if n is None:
        return True
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be an int >= 1, got {n!r}")
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    _limiter = threadpool_limits(limits=n, user_api="blas")
    return True
