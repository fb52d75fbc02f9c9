"""The one package that knows about NumPy and CuPy; ops are written once against `xp`.

dtypes.py   dtypes, promotion, the default float, tg.Size, the autocast state
devices.py  CuPy found on first use, tg.device, `xp` of a device or array, transfers
arrays.py   Python data and arrays into backend arrays (tg.tensor's rules and errors)
random.py   the seeded generators, one per device
kernels.py  what NumPy and CuPy spell differently (scatter-add, index grids, erf, ...)

The names below are the backend's interface (`backend.asarray`, `backend.float32`, ...);
module state (the CuPy module, the default device) is read from its own module.
"""

from . import arrays, devices, dtypes, kernels, random  # noqa: F401 (backend.devices, ...)
from .arrays import (  # noqa: F401
    asarray,
    infer_dtype,
    is_scalar,
    scalar_array,
)
from .devices import (  # noqa: F401
    ARRAY_TYPES,
    CUDA_INSTALL_HINT,
    _load_cupy,
    _reset_cuda_state,
    as_array,
    cuda_available,
    cuda_device_count,
    cuda_synchronize,
    cuda_unavailable_error,
    cuda_unavailable_reason,
    device,
    device_object,
    device_of,
    env_default_device,
    get_default_device,
    is_array,
    normalize_device,
    set_default_device,
    to_device,
    to_host,
    xp_of,
    xp_of_array,
)
from .dtypes import (  # noqa: F401
    Size,
    as_dtype,
    autocast_cast,
    autocast_dtype,
    bfloat16,
    bool_,
    can_cast,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    is_floating,
    promote_types,
    python_scalar_dtype,
    scalar_result_dtype,
    set_autocast_dtype,
    set_default_dtype,
    uint8,
)
from .kernels import (  # noqa: F401
    as_strided,
    broadcast_shapes,
    erf,
    has_inf,
    has_nan,
    index_bounds_error,
    may_share_memory,
    put_along_axis,
    scatter_add,
    sparse_indices,
    uint64_,
)
from .random import (  # noqa: F401
    CudaGenerator,
    forget,
    get_rng_state,
    manual_seed,
    rng,
    set_rng_state,
)
