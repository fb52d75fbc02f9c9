"""tinygrad_edu: a readable reverse-mode autograd engine for N-D tensors, in PyTorch's image.

    import tinygrad_edu as tg
    x = tg.randn(3, requires_grad=True)
    (x * x).sum().backward()
    x.grad  # 2 * x
"""

from . import autograd, backend, cuda
from .autograd import enable_grad, no_grad, set_grad_enabled, is_grad_enabled
from .backend import (
    bool_ as bool,
    double,
    float16,
    float32,
    float64,
    get_default_device,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_device,
    set_default_dtype,
    uint8,
)
from .composite.elementwise import where
from .composite.shape import cat, stack
from .factories import (
    arange,
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
    chunk,
    clamp,
    clip,
    cos,
    div,
    dot,
    equal,
    erf,
    exp,
    expm1,
    flatten,
    flip,
    gather,
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
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    split,
    sqrt,
    square,
    squeeze,
    std,
    sub,
    sum,
    tanh,
    transpose,
    tril,
    triu,
    unbind,
    unsqueeze,
    var,
)
from .tensor import Tensor
from .autograd import functional as _autograd_functional  # noqa: F401  (tg.autograd.functional)
from . import amp
from .amp import autocast
from .data.serialization import load, save

__version__ = "0.1.0"

backend.env_default_device()


def __getattr__(name: str):
    """tg.bfloat16 (from the optional ml_dtypes package) and tg.Generator, made on first use."""
    if name == "bfloat16":
        return backend.bfloat16()
    if name == "Generator":  # torch.Generator: a private random stream for samplers/DataLoader
        from .data.sampler import Generator

        return Generator
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")

__all__ = [
    "Tensor", "tensor", "autograd", "cuda", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "manual_seed", "set_default_device", "get_default_device",
    "set_default_dtype", "get_default_dtype", "float16", "float32", "float64", "half", "double",
    "int8", "int16", "int32", "int64", "long", "uint8", "bool", "cat", "stack", "where",
    "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand", "randn", "rand_like", "randn_like", "randint", "randperm", "arange", "linspace",
    "eye", "from_numpy", "save", "load", "amp", "autocast",
] + ['abs', 'add', 'allclose', 'amax', 'amin', 'argmax', 'argmin', 'bmm', 'broadcast_to', 'chunk', 'clamp', 'clip', 'cos', 'div', 'dot', 'equal', 'erf', 'exp', 'expm1', 'flatten', 'flip', 'gather', 'isfinite', 'isinf', 'isnan', 'log', 'log1p', 'log_softmax', 'logical_not', 'logsumexp', 'masked_fill', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum', 'mm', 'mul', 'neg', 'norm', 'numel', 'outer', 'permute', 'pow', 'prod', 'reciprocal', 'relu', 'reshape', 'rsqrt', 'sigmoid', 'sign', 'sin', 'softmax', 'split', 'sqrt', 'square', 'squeeze', 'std', 'sub', 'sum', 'tanh', 'transpose', 'tril', 'triu', 'unbind', 'unsqueeze', 'var']
