"""nn.functional (F): the functional form of every layer, activation and loss.

Layers hold parameters and call these; these hold no state (except batch_norm, which updates the
running statistics it is given, in place). Convolution and pooling live in _conv_functional.py,
the losses in _loss_functional.py; both are re-exported here.
"""

from __future__ import annotations

from .. import backend
from .. import functions as _functions
from ..autograd.grad_mode import no_grad
from ..composite.args import as_float, as_int
from ..composite.elementwise import where
from ..composite.linalg import linear as _linear
from ..factories import arange, as_tensor, rand
from ..functions import function_form
from ..ops import fused as _fused
from ..tensor import Tensor
from ._conv_functional import (
    adaptive_avg_pool2d,
    avg_pool2d,
    conv2d,
    fold,
    max_pool2d,
    unfold,
)
from ._loss_functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    multi_margin_loss,
    nll_loss,
    smooth_l1_loss,
)

# machine epsilon per dtype (RMSNorm's default eps), as torch.finfo(dtype).eps
_MACHINE_EPS = {
    "float16": 0.0009765625,
    "float32": 1.1920928955078125e-07,
    "float64": 2.220446049250313e-16,
}


# ----------------------------------------------------------------------------- linear
linear = _linear  # y = x @ W^T + b (composite/linalg.py): one fused op

# ----------------------------------------------------------------------------- activations
# Each is the Tensor method written once in composite/ (F.relu is tg.relu, made from
# Tensor.relu by functions.function_form); they take PyTorch's `inplace`.
relu, sigmoid, tanh, softmax, log_softmax = (
    _functions.relu,
    _functions.sigmoid,
    _functions.tanh,
    _functions.softmax,
    _functions.log_softmax,
)
relu6 = function_form(Tensor.relu6)
leaky_relu = function_form(Tensor.leaky_relu)
elu = function_form(Tensor.elu)
selu = function_form(Tensor.selu)
gelu = function_form(Tensor.gelu)
silu = function_form(Tensor.silu)
swish = function_form(Tensor.swish)
softplus = function_form(Tensor.softplus)
mish = function_form(Tensor.mish)
hardtanh = function_form(Tensor.hardtanh)
logsigmoid = function_form(Tensor.logsigmoid)
softsign = function_form(Tensor.softsign)
hardsigmoid = function_form(Tensor.hardsigmoid)
hardswish = function_form(Tensor.hardswish)


# ----------------------------------------------------------------------------- dropout
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: each element is zeroed with probability p and the survivors are scaled
    by 1/(1-p), so the expected value is unchanged; the identity when not training."""
    p = as_float(p, "dropout", "p")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        scale = 0.0
    else:
        mask = rand(*input.shape, device=input.device) < 1.0 - p
        scale = mask.to(input.dtype) * (1.0 / (1.0 - p))
    if inplace:  # as PyTorch: x itself is overwritten (and recorded like x.mul_(scale))
        return input.mul_(scale)
    return input * scale


# ----------------------------------------------------------------------------- normalisation
def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dim 1) of x (N, C, ...).

    training: mean and (biased) var of the batch, and the running statistics, if given, are
    updated in place: r = (1 - momentum) * r + momentum * batch_stat (the unbiased variance for
    running_var). Otherwise the running statistics are used."""
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input of shape (N, C, ...), got {tuple(input.shape)}"
        )
    c = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(
                f"batch_norm: {name} must have shape ({c},) for an input of shape "
                f"{tuple(input.shape)}, got {tuple(t.shape)}"
            )
    dims = (0,) + tuple(range(2, input.ndim))
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        n = input.numel() // max(c, 1)
        if n <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input size {tuple(input.shape)}"
            )
        # (C,) parameters broadcast against (N, C) as they are; other layouts need (1, C, 1, ..)
        params = [
            p if input.ndim == 2 else p.reshape(shape) for p in (weight, bias) if p is not None
        ]
        params = _same_dtype_and_device("batch_norm", input, params)
        stats: list = []
        out = _fused.Normalize.apply(
            input, *params, dims=dims, eps=eps, has_weight=weight is not None, stats=stats
        )
        _update_running(
            running_mean,
            running_var,
            as_tensor(stats[0]).reshape(c),
            as_tensor(stats[1]).reshape(c),
            momentum,
            n,
        )
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError(
            "batch_norm: running_mean and running_var are needed when not "
            "training (or pass training=True)"
        )
    scale = (running_var + eps).rsqrt()
    out = (input - running_mean.reshape(shape)) * scale.reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _same_dtype_and_device(op: str, input: Tensor, params: list) -> list:
    """The fused Normalize op runs in the input's floating dtype on its device."""
    if not backend.is_floating(input.dtype):
        raise TypeError(f"{op}: expected a floating point input, got dtype {input.dtype}")
    for p in params:
        if p.device != input.device:
            raise RuntimeError(f"{op}: input on {input.device} but a parameter on {p.device}")
    return [p if p.dtype == input.dtype else p.to(input.dtype) for p in params]


def _update_running(
    running_mean, running_var, mean: Tensor, var: Tensor, momentum: float, n: int
) -> None:
    """r = (1 - momentum) r + momentum * batch statistic (the unbiased variance for running_var)."""
    with no_grad():  # in place: the buffers keep their identity (state_dict, optimisers)
        if running_mean is not None:
            running_mean *= 1.0 - momentum
            running_mean += mean * momentum
        if running_var is not None:
            running_var *= 1.0 - momentum
            running_var += var * (n / (n - 1) * momentum)


def _norm_dims(op: str, input: Tensor, normalized_shape) -> tuple:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[-k:]) != shape:
        raise RuntimeError(
            f"{op}: expected an input whose last dims are {shape}, got shape {tuple(input.shape)}"
        )
    return tuple(range(input.ndim - k, input.ndim))


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the last
    len(normalized_shape) dims of each sample."""
    input, weight, bias = backend.autocast_cast((input, weight, bias), "fp32_cuda")  # CUDA amp
    if backend.autocast_dtype(input.device) == input.dtype:  # CPU amp: the input's dtype, as torch
        weight, bias = (p if p is None else p.to(input.dtype) for p in (weight, bias))
    dims = _norm_dims("layer_norm", input, normalized_shape)
    params = [p for p in (weight, bias) if p is not None]
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != tuple(input.shape[dims[0] :]):
            raise RuntimeError(
                f"layer_norm: {name} of shape {tuple(p.shape)} does not match "
                f"normalized_shape {tuple(input.shape[dims[0] :])}"
            )
    params = _same_dtype_and_device("layer_norm", input, params)
    return _fused.Normalize.apply(input, *params, dims=dims, eps=eps, has_weight=weight is not None)


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight over the last len(normalized_shape) dims;
    eps=None uses the machine epsilon of the input's dtype."""
    input, weight = backend.autocast_cast((input, weight), "fp32_cuda")  # CUDA amp: float32
    dims = _norm_dims("rms_norm", input, normalized_shape)
    if eps is None:
        eps = _MACHINE_EPS.get(str(input.dtype), _MACHINE_EPS["float32"])
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p, eps) along dim (unit vectors; an all-zero vector stays zero)."""
    (x,) = backend.autocast_cast((input,), "fp32_cuda")  # CUDA amp: float32
    if p == float("inf"):
        norm = x.abs().amax(dim, keepdim=True).clamp(min=eps)
    elif p == 1:
        norm = x.abs().sum(dim, keepdim=True).clamp(min=eps)
    elif p == 2:  # clamp before the sqrt, so an all-zero vector gets gradient 0, not NaN
        norm = (x * x).sum(dim, keepdim=True).clamp(min=eps * eps).sqrt()
    else:
        norm = (x.abs() ** float(p)).sum(dim, keepdim=True).clamp(min=eps**p) ** (1.0 / p)
    return x / norm


# ----------------------------------------------------------------------------- embeddings
def _index_tensor(op: str, index, device) -> Tensor:
    t = index if isinstance(index, Tensor) else Tensor(index, device=device)
    if t.dtype.kind not in "iu":  # PyTorch raises a RuntimeError for float indices
        raise RuntimeError(f"{op}: expected an integer index tensor, got dtype {t.dtype}")
    return t


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """y[...] = weight[input[...]]: indices (...) and weight (num, dim) -> (..., dim).
    Rows at padding_idx get no gradient."""
    idx = _index_tensor("embedding", input, weight.device)
    if weight.ndim != 2:
        raise RuntimeError(
            f"embedding: weight must be a 2-D (num_embeddings, embedding_dim) "
            f"matrix, got shape {tuple(weight.shape)}"
        )
    num = weight.shape[0]
    if idx.numel() and (int(idx.max().item()) >= num or int(idx.min().item()) < 0):
        raise IndexError(
            f"embedding: index out of range: indices must be in [0, {num}) for a "
            f"weight of shape {tuple(weight.shape)}, got values in "
            f"[{idx.min().item()}, {idx.max().item()}]"
        )
    out = weight[idx]
    if padding_idx is not None and out.requires_grad:
        pad = padding_idx % num
        keep = (idx != pad).unsqueeze(-1)
        out = where(keep, out, weight.detach()[pad])  # same values, no gradient to the pad row
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(...) integer class indices -> (..., num_classes) int64 with a 1 at each index."""
    idx = _index_tensor("one_hot", tensor, None)
    num_classes = as_int(num_classes, "one_hot", "num_classes")
    if idx.numel() and int(idx.min().item()) < 0:
        raise RuntimeError(
            f"one_hot: class values must be non-negative, got {int(idx.min().item())}"
        )
    top = int(idx.max().item()) + 1 if idx.numel() else 0
    if num_classes == -1:
        num_classes = top
    elif top > num_classes:
        raise RuntimeError(
            f"one_hot: class value {top - 1} is too large for num_classes={num_classes}"
        )
    classes = arange(num_classes, device=idx.device)
    return (idx.unsqueeze(-1) == classes).long()


# ----------------------------------------------------------------------------- padding
def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims: pad = (left, right) of the last dim, then the one before...
    mode 'constant' (with value), 'reflect', 'replicate' or 'circular'."""
    if mode == "constant":
        return input.pad(tuple(pad), 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}"
        )
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"pad: {tuple(pad)} must have an even length of at most 2 * "
            f"{input.ndim} for an input of shape {tuple(input.shape)}"
        )
    x = input
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        left, right, n = int(pad[2 * i]), int(pad[2 * i + 1]), x.shape[d]
        if (
            left < 0
            or right < 0
            or (mode == "reflect" and max(left, right) >= n)
            or (mode == "circular" and max(left, right) > n)
        ):
            raise ValueError(
                f"pad: padding ({left}, {right}) is invalid for mode {mode!r} on a "
                f"dim of size {n} (input shape {tuple(input.shape)})"
            )
        positions = range(-left, n + right)
        if mode == "reflect":
            src = [-j if j < 0 else (2 * (n - 1) - j if j >= n else j) for j in positions]
        elif mode == "replicate":
            src = [min(max(j, 0), n - 1) for j in positions]
        else:
            src = [j % n for j in positions]
        x = x[(slice(None),) * d + (Tensor(src, device=x.device),)]
    return x


__all__ = [
    "linear",
    "conv2d",
    "unfold",
    "fold",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "sigmoid",
    "tanh",
    "softplus",
    "mish",
    "hardtanh",
    "logsigmoid",
    "softsign",
    "hardsigmoid",
    "hardswish",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "layer_norm",
    "rms_norm",
    "normalize",
    "embedding",
    "one_hot",
    "pad",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "multi_margin_loss",
    "kl_div",
]
