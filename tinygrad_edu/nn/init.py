"""nn.init: fill a weight tensor in place with a chosen distribution (PyTorch's torch.nn.init).

Each function works under no_grad (so it may be applied to Parameters), draws from the library's
seeded generator (tg.manual_seed) and returns the tensor it filled.

fan_in = in_features * receptive field (kh*kw for a conv), fan_out = out_features * receptive
field; "Xavier/Glorot" keeps the variance of activations and gradients equal on average over the
two directions, "Kaiming/He" keeps one of them (fan_in: forward, fan_out: backward) for a given
nonlinearity's gain.
"""

from __future__ import annotations

import math

from ..autograd.grad_mode import no_grad
from ..composite.args import as_float
from ..composite.elementwise import where
from ..factories import eye, full, rand, randn
from ..ops.linalg_nograd import qr
from ..tensor import Tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (the std a layer's init is scaled by).

    linear/conv/sigmoid: 1, tanh: 5/3, relu: sqrt(2), leaky_relu: sqrt(2 / (1 + slope^2)),
    selu: 3/4."""
    linear_fns = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    )
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor, op: str = "init") -> tuple:
    """(fan_in, fan_out) of a weight (out, in, *kernel): in * prod(kernel), out * prod(kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"{op}: fan in and fan out can not be computed for a tensor with fewer "
            f"than 2 dimensions (shape {tuple(tensor.shape)})"
        )
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str, op: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, op)
    return fan_in if mode == "fan_in" else fan_out


def _floating(tensor: Tensor, op: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise RuntimeError(f"{op}: random samples need a floating tensor, got dtype {tensor.dtype}")


def _gain(nonlinearity: str, a: float, op: str) -> float:
    try:
        return calculate_gain(nonlinearity, a)
    except ValueError as e:
        raise ValueError(f"{op}: {e}") from None


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples of U(a, b)."""
    _floating(tensor, "uniform_")
    a, b = as_float(a, "uniform_", "a"), as_float(b, "uniform_", "b")
    if a > b:
        raise RuntimeError(f"uniform_: expects a [from, to) range, but found from={a} > to={b}")
    with no_grad():
        return tensor.uniform_(a, b)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    _floating(tensor, "normal_")
    mean, std = as_float(mean, "normal_", "mean"), as_float(std, "normal_", "std")
    if std < 0:
        raise RuntimeError(f"normal_: expects std >= 0.0, but found std {std}")
    with no_grad():
        return tensor.normal_(mean, std)


def constant_(tensor: Tensor, val: float) -> Tensor:
    val = as_float(val, "constant_", "val")
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, "xavier_uniform_")
    a = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015); `a` is the
    negative slope of leaky_relu (Linear's default init uses a = sqrt(5))."""
    fan = _fan(tensor, mode, "kaiming_uniform_")
    gain = _gain(nonlinearity, a, "kaiming_uniform_")
    if fan == 0:
        return tensor
    bound = gain * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan)."""
    fan = _fan(tensor, mode, "kaiming_normal_")
    gain = _gain(nonlinearity, a, "kaiming_normal_")
    if fan == 0:
        return tensor
    return normal_(tensor, 0.0, gain / math.sqrt(fan))


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _phi(z: Tensor) -> Tensor:
    """The standard normal CDF, elementwise."""
    return ((z * (1.0 / math.sqrt(2.0))).erf() + 1.0) * 0.5


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    """N(mean, std^2) restricted to [a, b] (a and b are absolute values, as in PyTorch)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    lo, hi = (a - mean) / std, (b - mean) / std  # the bounds of a standard normal
    accept = _normal_cdf(hi) - _normal_cdf(lo)
    shape, device = tensor.shape, tensor.device
    with no_grad():
        if accept > 0.3:  # rejection: redraw only the samples that fell outside [lo, hi]
            z = randn(*shape, dtype="float64", device=device)
            outside = (z < lo) | (z > hi)
            count = int(outside.sum().item())
            while count:
                z[outside] = randn(count, dtype="float64", device=device)
                outside = (z < lo) | (z > hi)
                count = int(outside.sum().item())
        else:  # a narrow or far-out interval: invert the CDF of a uniform draw
            target = rand(*shape, dtype="float64", device=device) * accept + _normal_cdf(lo)
            left = full(shape, lo, dtype="float64", device=device)
            right = full(shape, hi, dtype="float64", device=device)
            for _ in range(8):  # bisection: brackets every root to 1/256 of [lo, hi]
                mid = (left + right) * 0.5
                below = _phi(mid) < target
                left, right = where(below, mid, left), where(below, right, mid)
            z = (left + right) * 0.5
            for _ in range(4):  # Newton on Phi(z) = target, kept inside the bracket
                density = (z * z * -0.5).exp() * (1.0 / math.sqrt(2.0 * math.pi))
                z = (z - (_phi(z) - target) / density.clamp(min=1e-300)).clamp(lo, hi)
        tensor.copy_((z * std + mean).clamp(a, b))
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix (Saxe et al., 2013): the Q of the QR decomposition of a
    Gaussian matrix, signs fixed so that the distribution is uniform; trailing dims flattened."""
    if tensor.ndim < 2:
        raise ValueError(
            f"orthogonal_: only tensors with 2 or more dimensions are supported, "
            f"got shape {tuple(tensor.shape)}"
        )
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = randn(rows, cols, dtype="float64", device=tensor.device)
        if rows < cols:
            flat = flat.T
        q_arr, r_arr = qr(flat.data)
        q, r = Tensor(q_arr, device=flat.device), Tensor(r_arr, device=flat.device)
        k = min(rows, cols)
        diag_sign = (r * eye(k, dtype=r.dtype, device=r.device)).sum(0).sign()
        q = q * diag_sign.masked_fill(diag_sign == 0, 1.0)
        if rows < cols:
            q = q.T
        tensor.copy_((q * gain).reshape(tensor.shape))
    return tensor


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (2-D tensors only)."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tuple(tensor.shape)}")
    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))


__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "trunc_normal_",
    "orthogonal_",
]


def default_layer_init_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv2d: kaiming_uniform_(a=sqrt(5)) on the weight and
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) on the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)
