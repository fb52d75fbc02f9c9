"""Function forms: tg.X for every Tensor method that PyTorch also offers as torch.X.

An op is written once, as a Tensor method in composite/ or tensor.py, with its docstring, its
checks and, where PyTorch has it, its `out=` keyword (composite/frontend.into). tg.X is that
same function made callable as torch.X is (tg.exp.__wrapped__ is Tensor.exp): the one thing
added is PyTorch's check that the input is a Tensor, so that tg.exp([1.0]) is a TypeError that
names the op. nn.functional binds these same objects (F.relu is tg.relu).

Module functions rather than methods, as in PyTorch: cat, stack and where (Tensor.where has the
method's argument order, x.where(condition, y)), and add, sub, mul, div, pow, which also take a
Python number first (torch.pow(2, t)) and so are the methods themselves: the front end accepts a
number on either side.
"""

from __future__ import annotations

import functools
import inspect

from .composite.elementwise import where
from .composite.join import cat, stack
from .tensor import Tensor


def function_form(method):
    """torch.X(input, ...) from Tensor.X: the method itself, after PyTorch's input check."""
    name = method.__name__

    @functools.wraps(method)
    def function_form(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return method(input, *args, **kwargs)

    sig = inspect.signature(method)  # help() shows (input, ...) as PyTorch's, not (self, ...)
    first, *rest = sig.parameters.values()
    function_form.__signature__ = sig.replace(parameters=[first.replace(name="input"), *rest])
    return function_form


# elementwise (composite/elementwise.py)
abs = function_form(Tensor.abs)
add = Tensor.add
ceil = function_form(Tensor.ceil)
clamp = function_form(Tensor.clamp)
clip = function_form(Tensor.clip)
cos = function_form(Tensor.cos)
div = Tensor.div
erf = function_form(Tensor.erf)
exp = function_form(Tensor.exp)
expm1 = function_form(Tensor.expm1)
floor = function_form(Tensor.floor)
isfinite = function_form(Tensor.isfinite)
isinf = function_form(Tensor.isinf)
isnan = function_form(Tensor.isnan)
log = function_form(Tensor.log)
log1p = function_form(Tensor.log1p)
logical_not = function_form(Tensor.logical_not)
masked_fill = function_form(Tensor.masked_fill)
maximum = function_form(Tensor.maximum)
minimum = function_form(Tensor.minimum)
mul = Tensor.mul
neg = function_form(Tensor.neg)
reciprocal = function_form(Tensor.reciprocal)
relu = function_form(Tensor.relu)
round = function_form(Tensor.round)
rsqrt = function_form(Tensor.rsqrt)
sigmoid = function_form(Tensor.sigmoid)
sign = function_form(Tensor.sign)
sin = function_form(Tensor.sin)
sqrt = function_form(Tensor.sqrt)
square = function_form(Tensor.square)
sub = Tensor.sub
tanh = function_form(Tensor.tanh)
equal = function_form(Tensor.equal)
allclose = function_form(Tensor.allclose)

# reductions (composite/reduction.py)
amax = function_form(Tensor.amax)
amin = function_form(Tensor.amin)
argmax = function_form(Tensor.argmax)
argmin = function_form(Tensor.argmin)
log_softmax = function_form(Tensor.log_softmax)
logsumexp = function_form(Tensor.logsumexp)
max = function_form(Tensor.max)
mean = function_form(Tensor.mean)
min = function_form(Tensor.min)
norm = function_form(Tensor.norm)
prod = function_form(Tensor.prod)
softmax = function_form(Tensor.softmax)
std = function_form(Tensor.std)
sum = function_form(Tensor.sum)
var = function_form(Tensor.var)

# shape, indexing and products (composite/shape.py)
bmm = function_form(Tensor.bmm)
broadcast_to = function_form(Tensor.broadcast_to)
chunk = function_form(Tensor.chunk)
dot = function_form(Tensor.dot)
flatten = function_form(Tensor.flatten)
flip = function_form(Tensor.flip)
gather = function_form(Tensor.gather)
matmul = function_form(Tensor.matmul)
mm = function_form(Tensor.mm)
outer = function_form(Tensor.outer)
permute = function_form(Tensor.permute)
reshape = function_form(Tensor.reshape)
split = function_form(Tensor.split)
squeeze = function_form(Tensor.squeeze)
transpose = function_form(Tensor.transpose)
tril = function_form(Tensor.tril)
triu = function_form(Tensor.triu)
unbind = function_form(Tensor.unbind)
unflatten = function_form(Tensor.unflatten)
unsqueeze = function_form(Tensor.unsqueeze)

# the tensor itself (tensor.py)
clone = function_form(Tensor.clone)
detach = function_form(Tensor.detach)
is_floating_point = function_form(Tensor.is_floating_point)
numel = function_form(Tensor.numel)
t = function_form(Tensor.t)

pow = Tensor.pow
concat = concatenate = cat  # PyTorch's other names


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


__all__ = [
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
]
