"""tinygrad_edu: a readable reverse-mode autograd engine for N-D tensors, in PyTorch's image.

import tinygrad_edu as tg
x = tg.randn(3, requires_grad=True)
(x * x).sum().backward()
x.grad  # 2 * x
"""

from . import accelerator, amp, autograd, backend, cuda
from ._tensor_str import set_printoptions
from .amp import autocast
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import functional as _autograd_functional  # noqa: F401  (tg.autograd.functional)
from .backend import (
    Size,
    device,
    float16,
    float32,
    float64,
    get_default_device,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_device,
    set_default_dtype,
    uint8,
)
from .backend import (
    bool_ as bool,
)
from .compile import CompiledFunction, compile  # noqa: A004 (tg.compile, as torch.compile)
from .factories import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .functions import (  # tg.exp, tg.maximum, ... (torch.X forms of Tensor methods)
    abs,
    add,
    allclose,
    amax,
    amin,
    argmax,
    argmin,
    bmm,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    cos,
    detach,
    div,
    dot,
    equal,
    erf,
    exp,
    expm1,
    flatten,
    flip,
    floor,
    gather,
    is_floating_point,
    is_tensor,
    isfinite,
    isinf,
    isnan,
    log,
    log1p,
    log_softmax,
    logical_not,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    neg,
    norm,
    numel,
    outer,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    reshape,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    t,
    tanh,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
    var,
    where,
)
from .tensor import Tensor

# PyTorch's dtype aliases (tg.float, tg.long, ...): they shadow the builtins only as attributes
# of the package, as torch.float does
half, float, double, long, int, short = float16, float32, float64, int64, int32, int16  # noqa: A001

__version__ = "0.1.0"

backend.env_default_device()

# Submodules and names loaded on first use, so that `import tinygrad_edu` stays light (nn, optim
# and data together take longer to import than the core): tg.nn, tg.optim, tg.utils.data, ...
# work without further imports, as in PyTorch.
_LAZY_MODULES = (
    "nn",
    "optim",
    "utils",
    "data",
    "amp",
    "vision",
    "viz",
    "models",
    "testing",
    "train",
)
_LAZY_NAMES = {"load": "data.serialization", "save": "data.serialization"}


def __getattr__(name: str):
    import importlib

    if name in _LAZY_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}") from None
        return module
    if name == "bfloat16":  # from the optional ml_dtypes package
        return backend.bfloat16()
    if name == "Generator":  # torch.Generator: a private random stream for samplers/DataLoader
        from .data.sampler import Generator

        return Generator
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


__all__ = [
    # tensors, devices, dtypes, shapes
    "Tensor",
    "tensor",
    "device",
    "Size",
    "float16",
    "float32",
    "float64",
    "half",
    "float",
    "double",
    "int8",
    "int16",
    "int32",
    "int64",
    "short",
    "int",
    "long",
    "uint8",
    "bool",
    "set_default_device",
    "get_default_device",
    "set_default_dtype",
    "get_default_dtype",
    "set_printoptions",
    # autograd switches and random seed
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "manual_seed",
    # factories
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand",
    "randn",
    "rand_like",
    "randn_like",
    "randint",
    "randperm",
    "arange",
    "linspace",
    "eye",
    "from_numpy",
    "as_tensor",
    "autocast",
    "compile",
    "CompiledFunction",
    # function forms of Tensor methods (functions.py)
    "abs",
    "add",
    "allclose",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "bmm",
    "broadcast_to",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clip",
    "clone",
    "concat",
    "concatenate",
    "cos",
    "detach",
    "div",
    "dot",
    "equal",
    "erf",
    "exp",
    "expm1",
    "flatten",
    "flip",
    "floor",
    "gather",
    "is_floating_point",
    "is_tensor",
    "isfinite",
    "isinf",
    "isnan",
    "log",
    "log1p",
    "log_softmax",
    "logical_not",
    "logsumexp",
    "masked_fill",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "neg",
    "norm",
    "numel",
    "outer",
    "permute",
    "pow",
    "prod",
    "reciprocal",
    "relu",
    "reshape",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "softmax",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "t",
    "tanh",
    "transpose",
    "tril",
    "triu",
    "unbind",
    "unflatten",
    "unsqueeze",
    "var",
    "where",
    # files and submodules (nn ... data load on first use)
    "save",
    "load",
    "accelerator",
    "autograd",
    "cuda",
    "backend",
    "nn",
    "optim",
    "utils",
    "data",
    "amp",
    "vision",
]
