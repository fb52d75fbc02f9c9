"""Dropout: randomly zero activations while training (a regulariser); the identity in eval()."""

from __future__ import annotations

from ...composite.args import as_float
from ...tensor import Tensor
from .. import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout: in training each element is zeroed with probability p and the rest are
    scaled by 1/(1-p); in eval mode y = x. Masks come from the seeded generator (tg.manual_seed)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        p = as_float(p, "Dropout", "p")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
