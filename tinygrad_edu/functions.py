"""Function forms: every Tensor method that PyTorch also offers as torch.X is tg.X here.

The common ones take PyTorch's `out=` keyword: the result is written into the given tensor
(resized, with PyTorch's warning, when its shape differs and it is not empty; cast to its dtype
when the cast does not lower the kind, e.g. not float into an integer tensor). Like PyTorch,
out= refuses to run while autograd records an op on a tensor that requires grad.
"""

from __future__ import annotations

import warnings

from . import _tensor_str
from .autograd.grad_mode import state
from .composite import elementwise as _elementwise
from .composite import shape as _shape
from .ops import nograd as _nograd
from .tensor import Tensor


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}


def _check_out(name: str, out, *inputs) -> None:
    """PyTorch's checks on out= made before computing: a Tensor, and no autograd through it."""
    if out is None:
        return
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if state.grad_enabled and (
        out.requires_grad or any(isinstance(t, Tensor) and t.requires_grad for t in inputs)
    ):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def _into(out, result: Tensor) -> Tensor:
    """Write result into out (when given) as PyTorch does and return out, else return result."""
    if out is None:
        return result
    if _KIND_RANK[result.dtype.kind] > _KIND_RANK[out.dtype.kind]:
        names = [_tensor_str.type_name(t.dtype, "cpu")[6:-6] for t in (result, out)]
        raise RuntimeError(
            f"result type {names[0]} can't be cast to the desired output type {names[1]}"
        )
    if result.device != out.device:
        raise RuntimeError(
            f"Expected out tensor to have device {out.device}, but got {result.device} instead"
        )
    if result.data.shape != out.data.shape:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}.",
                UserWarning,
                stacklevel=3,
            )
        out.data = result.data.astype(out.dtype)  # a new array of the new shape
    else:
        _nograd.copy_(out.data, result.data)
    out._bump_version()
    return out


def exp(x, *, out=None):
    _check_out("exp", out, x)
    return _into(out, _t(x).exp())


def log(x, *, out=None):
    _check_out("log", out, x)
    return _into(out, _t(x).log())


def log1p(x, *, out=None):
    _check_out("log1p", out, x)
    return _into(out, _t(x).log1p())


def expm1(x, *, out=None):
    _check_out("expm1", out, x)
    return _into(out, _t(x).expm1())


def sqrt(x, *, out=None):
    _check_out("sqrt", out, x)
    return _into(out, _t(x).sqrt())


def rsqrt(x, *, out=None):
    _check_out("rsqrt", out, x)
    return _into(out, _t(x).rsqrt())


def sin(x, *, out=None):
    _check_out("sin", out, x)
    return _into(out, _t(x).sin())


def cos(x, *, out=None):
    _check_out("cos", out, x)
    return _into(out, _t(x).cos())


def tanh(x, *, out=None):
    _check_out("tanh", out, x)
    return _into(out, _t(x).tanh())


def sigmoid(x, *, out=None):
    _check_out("sigmoid", out, x)
    return _into(out, _t(x).sigmoid())


def relu(x):
    return _t(x).relu()


def abs(x, *, out=None):
    _check_out("abs", out, x)
    return _into(out, _t(x).abs())


def neg(x, *, out=None):
    _check_out("neg", out, x)
    return _into(out, -_t(x))


def sign(x, *, out=None):
    _check_out("sign", out, x)
    return _into(out, _t(x).sign())


def square(x, *, out=None):
    _check_out("square", out, x)
    return _into(out, _t(x).square())


def reciprocal(x, *, out=None):
    _check_out("reciprocal", out, x)
    return _into(out, _t(x).reciprocal())


def erf(x, *, out=None):
    _check_out("erf", out, x)
    return _into(out, _t(x).erf())


def clamp(x, min=None, max=None, *, out=None):
    _check_out("clamp", out, x, min, max)
    return _into(out, _t(x).clamp(min, max))


clip = clamp


def maximum(a, b, *, out=None):
    _check_out("maximum", out, a, b)
    return _into(out, _t(a).maximum(b))


def minimum(a, b, *, out=None):
    _check_out("minimum", out, a, b)
    return _into(out, _t(a).minimum(b))


def pow(a, b, *, out=None):
    _check_out("pow", out, a, b)
    return _into(
        out, _t(a).pow(b) if isinstance(a, Tensor) or not isinstance(b, Tensor) else b.__rpow__(a)
    )


def add(a, b, *, alpha=1, out=None):
    _check_out("add", out, a, b)
    return _into(out, _t(a).add(b, alpha=alpha))


def sub(a, b, *, alpha=1, out=None):
    _check_out("sub", out, a, b)
    return _into(out, _t(a).sub(b, alpha=alpha))


def mul(a, b, *, out=None):
    _check_out("mul", out, a, b)
    return _into(out, _t(a) * b)


def div(a, b, *, out=None):
    _check_out("div", out, a, b)
    return _into(out, _t(a) / b)


def matmul(a, b, *, out=None):
    _check_out("matmul", out, a, b)
    return _into(out, _t(a).matmul(b))


def mm(a, b, *, out=None):
    _check_out("mm", out, a, b)
    return _into(out, _t(a).mm(b))


def bmm(a, b, *, out=None):
    _check_out("bmm", out, a, b)
    return _into(out, _t(a).bmm(b))


def dot(a, b, *, out=None):
    _check_out("dot", out, a, b)
    return _into(out, _t(a).dot(b))


def outer(a, b, *, out=None):
    _check_out("outer", out, a, b)
    return _into(out, _t(a).outer(b))


def sum(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("sum", out, x)
    return _into(out, _t(x).sum(dim, keepdim, **kw))


def mean(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("mean", out, x)
    return _into(out, _t(x).mean(dim, keepdim, **kw))


def var(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("var", out, x)
    return _into(out, _t(x).var(dim, keepdim, **kw))


def std(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("std", out, x)
    return _into(out, _t(x).std(dim, keepdim, **kw))


def prod(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("prod", out, x)
    return _into(out, _t(x).prod(dim, keepdim, **kw))


def amax(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("amax", out, x)
    return _into(out, _t(x).amax(dim, keepdim, **kw))


def amin(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("amin", out, x)
    return _into(out, _t(x).amin(dim, keepdim, **kw))


def max(x, dim=None, keepdim=False, **kw):
    return _t(x).max(dim, keepdim, **kw)


def min(x, dim=None, keepdim=False, **kw):
    return _t(x).min(dim, keepdim, **kw)


def argmax(x, dim=None, keepdim=False, **kw):
    return _t(x).argmax(dim, keepdim, **kw)


def argmin(x, dim=None, keepdim=False, **kw):
    return _t(x).argmin(dim, keepdim, **kw)


def logsumexp(x, dim=None, keepdim=False, *, out=None, **kw):
    _check_out("logsumexp", out, x)
    return _into(out, _t(x).logsumexp(dim, keepdim, **kw))


def norm(x, p=2, dim=None, keepdim=False, **kw):
    return _t(x).norm(p, dim, keepdim, **kw)


def softmax(x, dim=-1, dtype=None):
    return _t(x).softmax(dim, dtype)


def log_softmax(x, dim=-1, dtype=None):
    return _t(x).log_softmax(dim, dtype)


def reshape(x, *shape):
    return _t(x).reshape(*shape)


def flatten(x, start_dim=0, end_dim=-1):
    return _t(x).flatten(start_dim, end_dim)


def squeeze(x, dim=None):
    return _t(x).squeeze(dim)


def unsqueeze(x, dim):
    return _t(x).unsqueeze(dim)


def permute(x, *dims):
    return _t(x).permute(*dims)


def transpose(x, dim0, dim1):
    return _t(x).transpose(dim0, dim1)


def broadcast_to(x, *shape):
    return _t(x).broadcast_to(*shape)


def split(x, split_size_or_sections, dim=0):
    return _t(x).split(split_size_or_sections, dim)


def chunk(x, chunks, dim=0):
    return _t(x).chunk(chunks, dim)


def unbind(x, dim=0):
    return _t(x).unbind(dim)


def flip(x, dims):
    return _t(x).flip(dims)


def gather(x, dim, index):
    return _t(x).gather(dim, index)


def masked_fill(x, mask, value):
    return _t(x).masked_fill(mask, value)


def tril(x, diagonal=0):
    return _t(x).tril(diagonal)


def triu(x, diagonal=0):
    return _t(x).triu(diagonal)


def isnan(x):
    return _t(x).isnan()


def isinf(x):
    return _t(x).isinf()


def isfinite(x):
    return _t(x).isfinite()


def logical_not(x):
    return _t(x).logical_not()


def equal(a, b) -> bool:
    return _t(a).equal(_t(b))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return _t(a).allclose(b, rtol, atol, equal_nan)


def numel(x) -> int:
    return _t(x).numel()


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(x) -> bool:
    return x.is_floating_point()


def round(x, *, decimals: int = 0, out=None):
    _check_out("round", out, x)
    return _into(out, _t(x).round(decimals))


def floor(x, *, out=None):
    _check_out("floor", out, x)
    return _into(out, _t(x).floor())


def ceil(x, *, out=None):
    _check_out("ceil", out, x)
    return _into(out, _t(x).ceil())


def clone(x, *, memory_format=None):
    """A copy with its own memory; gradients flow back to x (memory_format is accepted and
    ignored: arrays here have one layout)."""
    return _t(x).clone()


def detach(x):
    return _t(x).detach()


def unflatten(x, dim, sizes):
    return _t(x).unflatten(dim, sizes)


def t(x):
    return _t(x).t()


def _sequence(tensors):
    """A generator of tensors made a list once; anything else is left for cat/stack to check
    (a single Tensor or a number is refused there, naming the op)."""
    if isinstance(tensors, (list, tuple, Tensor)) or not hasattr(tensors, "__iter__"):
        return tensors
    return list(tensors)


def cat(tensors, dim: int = 0, *, out=None):
    """Join tensors along an existing dim (all other dims must match)."""
    tensors = _sequence(tensors)
    _check_out("cat", out, *(tensors if isinstance(tensors, (list, tuple)) else ()))
    return _into(out, _shape.cat(tensors, dim))


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None):
    """Join tensors of equal shape along a new dim."""
    tensors = _sequence(tensors)
    _check_out("stack", out, *(tensors if isinstance(tensors, (list, tuple)) else ()))
    return _into(out, _shape.stack(tensors, dim))


def where(condition, input, other, *, out=None):
    """condition ? input : other, elementwise with broadcasting; no gradient to condition."""
    _check_out("where", out, input, other)
    return _into(out, _elementwise.where(condition, input, other))


_NOT_EXPORTED = ("annotations", "Tensor", "warnings", "state")
__all__ = [n for n in dir() if not n.startswith("_") and n not in _NOT_EXPORTED]
