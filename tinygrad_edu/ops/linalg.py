"""Matrix multiplication: the one primitive that hands the heavy lifting to BLAS."""

from __future__ import annotations

from ..autograd.function import Function


class MatMul(Function):
    """y = a @ b for a (..., n, k) and b (..., k, m) with equal batch dims;
    da = g @ b^T,  db = a^T @ g  (the front end handles 1-D operands and batch broadcasting)"""

    def forward(self, a, b):
        return a @ b

    def backward(self, g):
        a, b = self.parents
        need_a, need_b = self.needs_input_grad
        ga = g @ b.mT if need_a else None
        gb = a.mT @ g if need_b else None
        return ga, gb
