"""Shape, indexing and linear-algebra methods, and tg.cat / tg.stack.

Primitives: Reshape, Permute, BroadcastTo, Pad, Cat, Getitem, Gather, MatMul. Everything else
(squeeze, repeat, split, tril, matmul's 1-D and batched forms, ...) is composed from them.
"""

from __future__ import annotations

from .. import backend
from ..ops import indexing, linalg, movement, nograd


def _shape_args(shape) -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3])."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


class ShapeMixin:

    __slots__ = ()
    # ------------------------------------------------------------------ dims
    def _dim(self, dim: int, op: str, extra: int = 0) -> int:
        """Normalise one (possibly negative) dim, raising IndexError naming the op and shape."""
        n = self.ndim + extra
        lo, hi = (-n, n - 1) if n else (-1, 0)
        if not isinstance(dim, int) or not lo <= dim <= hi:
            raise IndexError(
                f"{op}: dim {dim} is out of range for a tensor of shape {self.shape} "
                f"(expected a dim in [{lo}, {hi}])"
            )
        return dim % n if n else 0

    def _dims(self, dim, op: str) -> tuple:
        """Normalise dim=None|int|tuple to a sorted tuple of non-negative dims."""
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            return tuple(range(self.ndim))
        if isinstance(dim, (tuple, list)):
            dims = tuple(sorted({self._dim(d, op) for d in dim}))
            if len(dims) != len(dim):
                raise RuntimeError(f"{op}: dim {tuple(dim)} appears more than once")
            return dims if self.ndim else ()
        return (self._dim(dim, op),) if self.ndim else ()

    # ------------------------------------------------------------------ views
    def reshape(self, *shape):
        """The same elements in a new shape; one dim may be -1."""
        shape = _shape_args(shape)
        size = self.data.size
        if -1 in shape:
            known = 1
            for s in shape:
                if s != -1:
                    known *= s
            if shape.count(-1) > 1 or known == 0 or size % known:
                raise RuntimeError(f"reshape: shape {shape} is invalid for input of size {size} "
                                   f"(shape {self.shape})")  # fmt: skip
            shape = tuple(size // known if s == -1 else s for s in shape)
        if shape == self.shape:
            return self
        n = 1
        for s in shape:
            n *= s
        if n != size or any(s < 0 for s in shape):
            raise RuntimeError(
                f"reshape: shape {shape} is invalid for input of size {size} (shape {self.shape})"
            )
        return movement.Reshape.apply(self, shape=shape)

    def view(self, *shape):
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim, "flatten"), self._dim(end_dim, "flatten")
        if s > e:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*self.shape[:s], _prod(self.shape[s : e + 1]), *self.shape[e + 1 :])

    def unflatten(self, dim: int, sizes):
        d = self._dim(dim, "unflatten")
        return self.reshape(*self.shape[:d], *sizes, *self.shape[d + 1 :])

    def squeeze(self, dim=None):
        """Remove dims of size 1 (all of them, or those in dim that have size 1)."""
        if dim is None:
            dims = [i for i, s in enumerate(self.shape) if s == 1]
        else:
            dims = [d for d in self._dims(dim, "squeeze") if self.shape[d] == 1]
        return self.reshape(tuple(s for i, s in enumerate(self.shape) if i not in dims))

    def unsqueeze(self, dim: int):
        d = self._dim(dim, "unsqueeze", extra=1)
        return self.reshape(*self.shape[:d], 1, *self.shape[d:])

    def permute(self, *dims):
        dims = _shape_args(dims)
        norm = tuple(self._dim(d, "permute") for d in dims)
        if sorted(norm) != list(range(self.ndim)):
            raise RuntimeError(f"permute: {dims} is not a permutation of the dims of a tensor "
                               f"of shape {self.shape}")  # fmt: skip
        if norm == tuple(range(self.ndim)):
            return self
        return movement.Permute.apply(self, dims=norm)

    def transpose(self, dim0: int, dim1: int):
        if self.ndim == 0:
            return self
        order = list(range(self.ndim))
        a, b = self._dim(dim0, "transpose"), self._dim(dim1, "transpose")
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    swapaxes = transpose

    @property
    def T(self):
        return self.permute(*reversed(range(self.ndim))) if self.ndim >= 2 else self

    @property
    def mT(self):
        if self.ndim < 2:
            raise RuntimeError(f"mT: needs at least 2 dims, got shape {self.shape}")
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        """Repeat size-1 dims (and add leading dims) without copying; -1 keeps a size."""
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"expand: the number of sizes {sizes} must be at least the "
                               f"number of dims of shape {self.shape}")  # fmt: skip
        lead = len(sizes) - self.ndim
        shape = []
        for i, s in enumerate(sizes):
            old = self.shape[i - lead] if i >= lead else None
            if s == -1:
                if old is None:
                    raise RuntimeError("expand: -1 is not allowed for a new leading dim")
                s = old
            if old is not None and old != s and old != 1:
                raise RuntimeError(f"expand: the size {old} at dim {i - lead} of shape "
                                   f"{self.shape} cannot be expanded to {s} (only size-1 dims "
                                   f"can)")  # fmt: skip
            shape.append(s)
        shape = tuple(shape)
        return self if shape == self.shape else movement.BroadcastTo.apply(self, shape=shape)

    def broadcast_to(self, *shape):
        return self.expand(*_shape_args(shape))

    def expand_as(self, other):
        return self.expand(*other.shape)

    def repeat(self, *sizes):
        """Tile the tensor: result shape = shape * sizes (as torch.Tensor.repeat)."""
        sizes = _shape_args(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: {len(sizes)} sizes for a tensor of shape {self.shape}; "
                               "need at least one per dim")  # fmt: skip
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        inter = tuple(v for s in x.shape for v in (1, s))
        tiled = tuple(v for r, s in zip(sizes, x.shape) for v in (r, s))
        return x.reshape(inter).expand(*tiled).reshape(*(r * s for r, s in zip(sizes, x.shape)))

    def flip(self, *dims):
        dims = self._dims(_shape_args(dims), "flip")
        return self[tuple(slice(None, None, -1) if i in dims else slice(None)
                          for i in range(self.ndim))]  # fmt: skip

    # ------------------------------------------------------------------ indexing
    def _normalize_index(self, index) -> tuple:
        """Turn a user index into a tuple NumPy understands; masks become integer arrays."""
        if not isinstance(index, tuple):
            index = (index,)
        out = []
        for i in index:
            if hasattr(i, "grad_fn"):  # a Tensor
                i = i.data
            elif isinstance(i, list):
                i = backend.asarray(i, device=self.device)
            if backend.is_array(i) and backend.device_of(i) != self.device:
                i = backend.to_device(i, self.device)
            if backend.is_array(i):
                if i.dtype.kind == "b":
                    out.extend(nograd.nonzero(i))
                    continue
                if i.dtype.kind not in "iu":
                    raise IndexError(f"index: tensors used as indices must be integer or bool, "
                                     f"got dtype {i.dtype}")  # fmt: skip
            out.append(i)
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
        idx = index if hasattr(index, "grad_fn") else self._make(
            backend.asarray(index, device=self.device), False, None)  # fmt: skip
        if idx.dtype.kind not in "iu" or idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index must be an integer tensor with {self.ndim} dims "
                               f"like the input {self.shape}, got {idx.dtype} {idx.shape}")  # fmt: skip
        for i, (s, t) in enumerate(zip(idx.shape, self.shape)):
            if i != d and s > t:
                raise RuntimeError(f"gather: index shape {idx.shape} is larger than the input "
                                   f"shape {self.shape} at dim {i}")  # fmt: skip
        n = self.shape[d]
        if idx.numel() and (int(idx.data.max()) >= n or int(idx.data.min()) < -n):
            raise IndexError(f"gather: index out of range for dim {d} of size {n} "
                             f"(input shape {self.shape})")  # fmt: skip
        return indexing.Gather.apply(self, idx, dim=d)

    def split(self, split_size_or_sections, dim: int = 0):
        d = self._dim(dim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            sizes = [min(step, n - i) for i in range(0, n, step)] or [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise RuntimeError(f"split: sizes {sizes} do not add up to {n}, the size of dim "
                                   f"{d} of shape {self.shape}")  # fmt: skip
        out, start, lead = [], 0, (slice(None),) * d
        for s in sizes:
            out.append(self[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    def chunk(self, chunks: int, dim: int = 0):
        n = self.shape[self._dim(dim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    def unbind(self, dim: int = 0):
        d = self._dim(dim, "unbind")
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.shape[d]))

    def narrow(self, dim: int, start: int, length: int):
        d = self._dim(dim, "narrow")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def pad(self, pad, value: float = 0.0):
        """Constant padding, F.pad style: (left, right) of the last dim first, then the one before."""
        if len(pad) % 2 or len(pad) // 2 > self.ndim:
            raise RuntimeError(f"pad: {tuple(pad)} must have an even length of at most 2 * "
                               f"{self.ndim} for a tensor of shape {self.shape}")  # fmt: skip
        pairs = [(0, 0)] * self.ndim
        for i in range(len(pad) // 2):
            pairs[self.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
        x = self
        if any(b < 0 or a < 0 for b, a in pairs):  # negative padding crops
            x = x[tuple(slice(-min(b, 0), s + min(a, 0)) for (b, a), s in zip(pairs, x.shape))]
            pairs = [(max(b, 0), max(a, 0)) for b, a in pairs]
        if all(p == (0, 0) for p in pairs):
            return x
        return movement.Pad.apply(x, pads=tuple(pairs), value=value)

    def tril(self, diagonal: int = 0):
        """Keep the lower triangle of the last two dims (zero above `diagonal`)."""
        return self._triangle(diagonal, upper=False)

    def triu(self, diagonal: int = 0):
        return self._triangle(diagonal, upper=True)

    def _triangle(self, diagonal: int, upper: bool):
        if self.ndim < 2:
            raise RuntimeError(f"{'triu' if upper else 'tril'}: needs at least 2 dims, got "
                               f"shape {self.shape}")  # fmt: skip
        mask = nograd.tri_mask(self.shape[-2], self.shape[-1], diagonal, upper, self.device)
        return self.masked_fill(self._make(mask, False, None).logical_not(), 0)

    # ------------------------------------------------------------------ linear algebra
    def matmul(self, other):
        """Matrix product for 1-D, 2-D and batched N-D operands with broadcast batch dims."""
        from ..tensor import Tensor

        a, b = self, other if isinstance(other, Tensor) else Tensor(other, device=self.device)
        a, b = backend.autocast_cast((a, b), "low")  # tinygrad_edu.amp: low precision when on
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"matmul: both arguments need at least 1 dim, got shapes "
                               f"{a.shape} and {b.shape}")  # fmt: skip
        if a.dtype != b.dtype:
            dt = backend.promote_types(a.dtype, b.dtype)
            a, b = a.to(dt), b.to(dt)
        if type(a.data) is not type(b.data):
            raise RuntimeError(f"matmul: tensors on different devices ({a.device}, {b.device})")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise RuntimeError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})"
            )
        if a.ndim == 2 and b.ndim == 2:
            return linalg.MatMul.apply(a, b)
        if a.ndim == 1 and b.ndim == 1:
            return linalg.MatMul.apply(a.reshape(1, -1), b.reshape(-1, 1)).reshape(())
        if a.ndim == 1:
            return a.unsqueeze(0).matmul(b).squeeze(-2)
        if b.ndim == 1:
            return a.matmul(b.unsqueeze(-1)).squeeze(-1)
        from .operators import _broadcast_shape

        batch = _broadcast_shape(a.shape[:-2], b.shape[:-2], "matmul")
        if a.shape[:-2] != batch and a.requires_grad:
            a = a.expand(*batch, *a.shape[-2:])
        if b.shape[:-2] != batch and b.requires_grad:
            b = b.expand(*batch, *b.shape[-2:])
        return linalg.MatMul.apply(a, b)

    def mm(self, other):
        return self.matmul(other)

    def bmm(self, other):
        return self.matmul(other)

    def dot(self, other):
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot: expects 1-D tensors, got shapes {self.shape} and "
                               f"{other.shape}")  # fmt: skip
        return self.matmul(other)

    def outer(self, other):
        return self.reshape(-1, 1) * other.reshape(1, -1)


def linear(x, weight, bias=None):
    """y = x @ weight^T + bias for x (..., in), weight (out, in), bias (out,): one fused op."""
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"linear: input of shape {tuple(x.shape)} cannot be multiplied by a "
                           f"weight of shape {tuple(weight.shape)} (out, in): expected last dim "
                           f"{weight.shape[-1]}")  # fmt: skip
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)} does not match "
                           f"{weight.shape[0]} output features")  # fmt: skip
    args = backend.autocast_cast((x, weight) if bias is None else (x, weight, bias), "low")
    dt = args[0].dtype
    for t in args[1:]:
        dt = backend.promote_types(dt, t.dtype)
    args = tuple(t if t.dtype == dt else t.to(dt) for t in args)
    if len({type(t.data) for t in args}) > 1:
        raise RuntimeError("linear: input, weight and bias must be on the same device, got "
                           + ", ".join(t.device for t in args))  # fmt: skip
    return linalg.Linear.apply(*args)


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def cat(tensors, dim: int = 0):
    """Join tensors along an existing dim (all other dims must match)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of tensors")
    first = tensors[0]
    d = first._dim(dim, "cat")
    dt = first.dtype
    for t in tensors[1:]:
        dt = backend.promote_types(dt, t.dtype)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != d
        ):
            raise RuntimeError(f"cat: tensor {i} has shape {t.shape}, which does not match "
                               f"{first.shape} outside dim {d}")  # fmt: skip
        if type(t.data) is not type(first.data):
            raise RuntimeError(f"cat: tensor {i} is on {t.device}, tensor 0 on {first.device}")
    tensors = [t if t.dtype == dt else t.to(dt) for t in tensors]
    if len(tensors) == 1:
        return tensors[0]
    return movement.Cat.apply(*tensors, dim=d)


def stack(tensors, dim: int = 0):
    """Join tensors of equal shape along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has "
                               f"{tensors[0].shape}; all must be equal")  # fmt: skip
    d = tensors[0]._dim(dim, "stack", extra=1)
    return cat([t.unsqueeze(d) for t in tensors], d)
