"""Linear algebra without gradients, for initialisers (nn.init.orthogonal_)."""

from __future__ import annotations

from .. import backend


def qr(a):
    """Reduced QR decomposition of a 2-D array (m, n): q (m, k), r (k, n) with k = min(m, n)."""
    return backend.xp_of_array(a).linalg.qr(a, mode="reduced")
