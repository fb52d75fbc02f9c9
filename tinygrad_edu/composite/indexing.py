"""Indexing methods: t[index] (NumPy's rules: ints, slices, None, ..., bool masks, integer
arrays) and gather. Primitives: Getitem and Gather (ops/indexing.py), whose gradients scatter-add.
Writing through an index (t[index] = v) is in-place: see inplace.py."""

from __future__ import annotations

from .. import backend
from ..ops import indexing, nograd
from . import frontend


class IndexingMixin:
    """Mixed into Tensor: reading by index."""

    __slots__ = ()

    def _normalize_index(self, index) -> tuple:
        """Turn a user index into a tuple NumPy understands; masks become integer arrays."""
        if not isinstance(index, tuple):
            index = (index,)
        out = []
        dim = 0  # the dim of self the next index entry applies to
        for n, i in enumerate(index):
            if i is Ellipsis:
                dim = self.ndim - sum(_dims_used(j) for j in index[n + 1 :])
                out.append(i)
                continue
            if hasattr(i, "grad_fn"):  # a Tensor
                i = i.data
            elif isinstance(i, list):
                i = backend.asarray(i, device=self.device)
            if backend.is_array(i) and backend.device_of(i) != self.device:
                i = backend.to_device(i, self.device)
            if backend.is_array(i):
                if i.dtype.kind == "b":
                    if tuple(i.shape) != self.shape[dim : dim + i.ndim]:
                        raise IndexError(
                            f"index: the shape of the mask {tuple(i.shape)} at "
                            f"index {n} does not match the shape of the indexed "
                            f"tensor {self.shape}"
                        )
                    out.extend(nograd.nonzero(i))
                    dim += i.ndim
                    continue
                if i.dtype.kind not in "iu":
                    raise IndexError(
                        f"index: tensors used as indices must be integer or bool, "
                        f"got dtype {i.dtype}"
                    )
            out.append(i)
            dim += _dims_used(i)
        return tuple(out)

    def __getitem__(self, index):
        """NumPy indexing (ints, slices with any step, None, ..., bool masks, integer arrays);
        the gradient is scattered back, adding up at repeated indices."""
        idx = self._normalize_index(index)
        if self.device != "cpu":  # CuPy wraps out-of-range indices instead of raising
            msg = backend.index_bounds_error(idx, self.shape)
            if msg:
                raise IndexError(f"index {index!r} on a tensor of shape {self.shape}: {msg}")
        try:
            return indexing.Getitem.apply(self, index=idx)
        except IndexError as e:
            raise IndexError(f"index {index!r} on a tensor of shape {self.shape}: {e}") from None

    def gather(self, dim: int, index):
        """out[i][j] = self[index[i][j]][j] for dim=0 (and so on); gradient scatter-adds."""
        d = self._dim(dim, "gather")
        if not frontend.is_tensor(index):
            raise TypeError(f"gather: index must be a Tensor, got {type(index).__name__}")
        idx = index
        if idx.dtype.kind not in "iu" or idx.ndim != self.ndim:
            raise RuntimeError(
                f"gather: index must be an integer tensor with {self.ndim} dims "
                f"like the input {self.shape}, got {idx.dtype} {idx.shape}"
            )
        for i, (s, t) in enumerate(zip(idx.shape, self.shape)):
            if i != d and s > t:
                raise RuntimeError(
                    f"gather: index shape {idx.shape} is larger than the input "
                    f"shape {self.shape} at dim {i}"
                )
        n = self.shape[d]
        if idx.numel():  # PyTorch raises for any index outside [0, n): no wrap-around
            lo, hi = int(idx.data.min()), int(idx.data.max())
            if lo < 0 or hi >= n:
                raise RuntimeError(
                    f"gather: index {lo if lo < 0 else hi} is out of bounds for "
                    f"dim {d} with size {n} (input shape {self.shape})"
                )
        return indexing.Gather.apply(self, idx, dim=d)


def _dims_used(i) -> int:
    """How many dims of the indexed tensor one index entry consumes (None adds one, uses 0)."""
    if i is None or i is Ellipsis:
        return 0
    if getattr(i, "dtype", None) is not None and i.dtype.kind == "b":
        return i.ndim
    return 1
