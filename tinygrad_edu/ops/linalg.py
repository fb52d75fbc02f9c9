"""Matrix products: the primitives that hand the heavy lifting to BLAS.

Transposes are flags, not ops: MatMul(a, b, ta, tb) computes op(a) @ op(b) with op = transpose of
the last two dims when its flag is set. NumPy passes a transposed view to BLAS without copying,
and each gradient is one MatMul again, so a backward costs two ops instead of four.
"""

from __future__ import annotations

from ..autograd.function import Function


def _t(x, flag: bool):
    return x.swapaxes(-1, -2) if flag else x


class MatMul(Function):
    """y = op(a) @ op(b) for (..., n, k) @ (..., k, m) with equal batch dims;
    da = g @ op(b)^T (transposed back if ta),  db = op(a)^T @ g (transposed back if tb)

    why: speed: one BLAS call, with transpose flags instead of copies
    """

    def forward(self, a, b, ta: bool = False, tb: bool = False):
        self.ta, self.tb = ta, tb
        y = _t(a, ta) @ _t(b, tb)
        return y if y.dtype == a.dtype else y.astype(a.dtype)  # ml_dtypes' bfloat16 @ -> float32

    def backward(self, g):
        a, b = self.parents
        need_a, need_b = self.needs_input_grad
        ta, tb = self.ta, self.tb
        ga = gb = None
        if need_a:  # d op(a) = g @ op(b)^T;  if ta, da = (g @ op(b)^T)^T = op(b) @ g^T
            ga = (
                MatMul.apply(b, g, ta=tb, tb=True)
                if ta
                else MatMul.apply(g, b, ta=False, tb=not tb)
            )
        if need_b:  # d op(b) = op(a)^T @ g;  if tb, db = g^T @ op(a)
            gb = (
                MatMul.apply(g, a, ta=True, tb=ta)
                if tb
                else MatMul.apply(a, g, ta=not ta, tb=False)
            )
        return ga, gb

    def extra_repr(self) -> str:
        return ", ".join(n for n, f in (("a^T", self.ta), ("b^T", self.tb)) if f)
