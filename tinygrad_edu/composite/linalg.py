"""Matrix products with PyTorch's checks (matmul and its mm/bmm/dot forms, the fused linear).

MatMul and Linear (ops/fused.py) are the primitives; the 1-D and batched forms of matmul
are composed here.
"""

from __future__ import annotations

from .. import backend
from ..ops import fused, linalg
from . import frontend
from .frontend import into


def matmul(a, b, op: str = "matmul"):
    """Matrix product for 1-D, 2-D and batched N-D operands with broadcast batch dims; `op`
    names the calling method (matmul, mm, bmm, dot) in errors."""
    if not hasattr(b, "grad_fn"):
        raise TypeError(f"{op}: expected a Tensor as the second argument, got {type(b).__name__}")
    a, b = backend.autocast_cast((a, b), "low")  # tinygrad_edu.amp: low precision when on
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"{op}: both arguments need at least 1 dim, got shapes {a.shape} and {b.shape}"
        )
    if a.dtype != b.dtype:  # PyTorch does not promote here
        raise RuntimeError(
            f"{op}: expected both operands to have the same dtype, got "
            f"{a.dtype} {a.shape} and {b.dtype} {b.shape}"
        )
    if type(a.data) is not type(b.data):
        raise RuntimeError(f"{op}: tensors on different devices ({a.device}, {b.device})")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise RuntimeError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be multiplied "
            f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})"
        )
    if a.ndim == 2 and b.ndim == 2:
        return linalg.MatMul.apply(a, b)
    if a.ndim == 1 and b.ndim == 1:
        return linalg.MatMul.apply(a.reshape(1, -1), b.reshape(-1, 1)).reshape(())
    if a.ndim == 1:
        return matmul(a.unsqueeze(0), b, op).squeeze(-2)
    if b.ndim == 1:
        return matmul(a, b.unsqueeze(-1), op).squeeze(-1)
    try:
        batch = frontend.broadcast_shape(op, a.shape[:-2], b.shape[:-2])
    except RuntimeError:
        raise RuntimeError(
            f"{op}: the batch dims of shapes {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    if a.shape[:-2] != batch and a.requires_grad:
        a = a.expand(*batch, *a.shape[-2:])
    if b.shape[:-2] != batch and b.requires_grad:
        b = b.expand(*batch, *b.shape[-2:])
    return linalg.MatMul.apply(a, b)


def check_ndims(a, b, ndim: int, op: str) -> None:
    if not hasattr(b, "grad_fn"):
        raise TypeError(f"{op}: expected a Tensor, got {type(b).__name__}")
    if a.ndim != ndim or b.ndim != ndim:
        raise RuntimeError(f"{op}: expects {ndim}-D tensors, got shapes {a.shape} and {b.shape}")


def linear(x, weight, bias=None):
    """y = x @ weight^T + bias for x (..., in), weight (out, in), bias (out,): one fused op."""
    xs, ws = x.data.shape, weight.data.shape
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(x.shape)} cannot be multiplied by a "
            f"weight of shape {tuple(weight.shape)} (out, in): expected last dim "
            f"{weight.shape[-1]}"
        )
    if bias is not None and bias.data.shape != (ws[0],):
        raise RuntimeError(
            f"linear: bias of shape {tuple(bias.shape)} does not match "
            f"{weight.shape[0]} output features"
        )
    args = backend.autocast_cast((x, weight) if bias is None else (x, weight, bias), "low")
    return fused.Linear.apply(*frontend.operands("linear", *args))


class LinalgMixin:
    """Mixed into Tensor: the matrix products as methods."""

    __slots__ = ()

    def matmul(self, other, *, out=None):
        """Matrix product for 1-D, 2-D and batched N-D operands with broadcast batch dims."""
        return into(out, matmul(self, other, "matmul"))

    def mm(self, other, *, out=None):
        check_ndims(self, other, 2, "mm")
        return into(out, matmul(self, other, "mm"))

    def bmm(self, other, *, out=None):
        check_ndims(self, other, 3, "bmm")
        if self.shape[0] != other.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: shapes {self.shape} and {other.shape}")
        return into(out, matmul(self, other, "bmm"))

    def dot(self, other, *, out=None):
        check_ndims(self, other, 1, "dot")
        return into(out, matmul(self, other, "dot"))

    def outer(self, other, *, out=None):
        check_ndims(self, other, 1, "outer")
        return into(out, self.reshape(-1, 1) * other.reshape(1, -1))
