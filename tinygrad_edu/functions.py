"""Function forms: every Tensor method that PyTorch also offers as torch.X is tg.X here."""

from __future__ import annotations

from .composite.elementwise import where
from .composite.shape import cat, stack
from .tensor import Tensor


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x):
    return _t(x).exp()


def log(x):
    return _t(x).log()


def log1p(x):
    return _t(x).log1p()


def expm1(x):
    return _t(x).expm1()


def sqrt(x):
    return _t(x).sqrt()


def rsqrt(x):
    return _t(x).rsqrt()


def sin(x):
    return _t(x).sin()


def cos(x):
    return _t(x).cos()


def tanh(x):
    return _t(x).tanh()


def sigmoid(x):
    return _t(x).sigmoid()


def relu(x):
    return _t(x).relu()


def abs(x):
    return _t(x).abs()


def neg(x):
    return -_t(x)


def sign(x):
    return _t(x).sign()


def square(x):
    return _t(x).square()


def reciprocal(x):
    return _t(x).reciprocal()


def erf(x):
    return _t(x).erf()


def clamp(x, min=None, max=None):
    return _t(x).clamp(min, max)


clip = clamp


def maximum(a, b):
    return _t(a).maximum(b)


def minimum(a, b):
    return _t(a).minimum(b)


def pow(a, b):
    return _t(a).pow(b) if isinstance(a, Tensor) or not isinstance(b, Tensor) else b.__rpow__(a)


def add(a, b, alpha=1):
    return _t(a).add(b, alpha=alpha)


def sub(a, b, alpha=1):
    return _t(a).sub(b, alpha=alpha)


def mul(a, b):
    return _t(a) * b


def div(a, b):
    return _t(a) / b


def matmul(a, b):
    return _t(a).matmul(b)


def mm(a, b):
    return _t(a).mm(b)


def bmm(a, b):
    return _t(a).bmm(b)


def dot(a, b):
    return _t(a).dot(b)


def outer(a, b):
    return _t(a).outer(b)


def sum(x, dim=None, keepdim=False, **kw):
    return _t(x).sum(dim, keepdim, **kw)


def mean(x, dim=None, keepdim=False, **kw):
    return _t(x).mean(dim, keepdim, **kw)


def var(x, dim=None, keepdim=False, **kw):
    return _t(x).var(dim, keepdim, **kw)


def std(x, dim=None, keepdim=False, **kw):
    return _t(x).std(dim, keepdim, **kw)


def prod(x, dim=None, keepdim=False, **kw):
    return _t(x).prod(dim, keepdim, **kw)


def amax(x, dim=None, keepdim=False, **kw):
    return _t(x).amax(dim, keepdim, **kw)


def amin(x, dim=None, keepdim=False, **kw):
    return _t(x).amin(dim, keepdim, **kw)


def max(x, dim=None, keepdim=False, **kw):
    return _t(x).max(dim, keepdim, **kw)


def min(x, dim=None, keepdim=False, **kw):
    return _t(x).min(dim, keepdim, **kw)


def argmax(x, dim=None, keepdim=False, **kw):
    return _t(x).argmax(dim, keepdim, **kw)


def argmin(x, dim=None, keepdim=False, **kw):
    return _t(x).argmin(dim, keepdim, **kw)


def logsumexp(x, dim=None, keepdim=False, **kw):
    return _t(x).logsumexp(dim, keepdim, **kw)


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


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("annotations", "Tensor")]
__all__ += ["where", "cat", "stack"]
