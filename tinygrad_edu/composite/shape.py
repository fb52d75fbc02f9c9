"""Shape methods: views, reshapes, splits, padding and triangles.

Primitives: Reshape, Permute, Pad (ops/movement.py) and BroadcastTo (ops/reduce.py). Everything
else (squeeze, repeat, split, tril, ...) is composed from them; indexing lives in indexing.py,
the matrix products in linalg.py, cat/stack in join.py.
"""

from __future__ import annotations

from ..ops import movement, nograd, reduce
from .args import as_int, non_negative_int


def _shape_args(shape, op: str) -> tuple:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]); every entry must be an int (never truncated)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(as_int(s, op, f"each size in {tuple(shape)!r}") for s in shape)


class ShapeMixin:
    __slots__ = ()

    # ------------------------------------------------------------------ dims
    def _dim(self, dim: int, op: str, extra: int = 0) -> int:
        """Normalise one (possibly negative) dim, raising IndexError naming the op and shape."""
        n = self.ndim + extra
        lo, hi = (-n, n - 1) if n else (-1, 0)
        if not isinstance(dim, int):
            raise TypeError(f"{op}: dim must be an int, got {dim!r} ({type(dim).__name__})")
        if not lo <= dim <= hi:
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
        return self._reshape(_shape_args(shape, "reshape"), "reshape")

    def _reshape(self, shape: tuple, op: str):
        size = self.data.size
        if -1 in shape:
            known = 1
            for s in shape:
                if s != -1:
                    known *= s
            if shape.count(-1) > 1 or known == 0 or size % known:
                raise RuntimeError(
                    f"{op}: shape {shape} is invalid for input of size {size} (shape {self.shape})"
                )
            shape = tuple(size // known if s == -1 else s for s in shape)
        if shape == self.shape:
            return self
        n = 1
        for s in shape:
            n *= s
        if n != size or any(s < 0 for s in shape):
            raise RuntimeError(
                f"{op}: shape {shape} is invalid for input of size {size} (shape {self.shape})"
            )
        return movement.Reshape.apply(self, shape=shape)

    def view(self, *shape):
        return self._reshape(_shape_args(shape, "view"), "view")

    def view_as(self, other):
        return self._reshape(tuple(other.shape), "view_as")

    def reshape_as(self, other):
        return self._reshape(tuple(other.shape), "reshape_as")

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim, "flatten"), self._dim(end_dim, "flatten")
        if s > e:
            raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*self.shape[:s], _prod(self.shape[s : e + 1]), *self.shape[e + 1 :])

    def unflatten(self, dim: int, sizes):
        d = self._dim(dim, "unflatten")
        sizes = _shape_args((sizes,), "unflatten")
        known = _prod(s for s in sizes if s != -1)
        n = self.shape[d]
        if sizes.count(-1) > 1 or (n != known if -1 not in sizes else (known == 0 or n % known)):
            raise RuntimeError(
                f"unflatten: sizes {sizes} don't multiply up to the size {n} of "
                f"dim {dim} of shape {self.shape}"
            )
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
        dims = _shape_args(dims, "permute")
        norm = tuple(self._dim(d, "permute") for d in dims)
        if sorted(norm) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: {dims} is not a permutation of the dims of a tensor "
                f"of shape {self.shape}"
            )
        if norm == tuple(range(self.ndim)):
            return self
        return movement.Permute.apply(self, dims=norm)

    def transpose(self, dim0: int, dim1: int):
        return self._transpose(dim0, dim1, "transpose")

    def swapaxes(self, axis0: int, axis1: int):
        return self._transpose(axis0, axis1, "swapaxes")

    def _transpose(self, dim0: int, dim1: int, op: str):
        a, b = self._dim(dim0, op), self._dim(dim1, op)
        if self.ndim == 0:
            return self
        order = list(range(self.ndim))
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

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
        return self._expand(_shape_args(sizes, "expand"), "expand")

    def _expand(self, sizes: tuple, op: str):
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"{op}: the number of sizes {sizes} must be at least the "
                f"number of dims of shape {self.shape}"
            )
        lead = len(sizes) - self.ndim
        shape = []
        for i, s in enumerate(sizes):
            old = self.shape[i - lead] if i >= lead else None
            if s == -1:
                if old is None:
                    raise RuntimeError(
                        f"{op}: -1 is not allowed for a new leading dim (sizes {sizes})"
                    )
                s = old
            if s < 0:
                raise RuntimeError(f"{op}: invalid size {s} in {sizes}")
            if old is not None and old != s and old != 1:
                raise RuntimeError(
                    f"{op}: the size {old} at dim {i - lead} of shape "
                    f"{self.shape} cannot be expanded to {s} (sizes {sizes}; only "
                    "size-1 dims can)"
                )
            shape.append(s)
        shape = tuple(shape)
        return self if shape == self.shape else reduce.BroadcastTo.apply(self, shape=shape)

    def broadcast_to(self, *shape):
        return self._expand(_shape_args(shape, "broadcast_to"), "broadcast_to")

    def expand_as(self, other):
        return self._expand(tuple(other.shape), "expand_as")

    def repeat(self, *sizes):
        """Tile the tensor: result shape = shape * sizes (as torch.Tensor.repeat)."""
        sizes = _shape_args(sizes, "repeat")
        if any(r < 0 for r in sizes):
            raise RuntimeError(f"repeat: repeats {sizes} must be non-negative")
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"repeat: {len(sizes)} sizes for a tensor of shape {self.shape}; "
                "need at least one per dim"
            )
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        inter = tuple(v for s in x.shape for v in (1, s))
        tiled = tuple(v for r, s in zip(sizes, x.shape) for v in (r, s))
        return x.reshape(inter).expand(*tiled).reshape(*(r * s for r, s in zip(sizes, x.shape)))

    def flip(self, *dims):
        dims = self._dims(_shape_args(dims, "flip"), "flip")
        return self[
            tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(self.ndim))
        ]

    def split(self, split_size_or_sections, dim: int = 0):
        return self._split(split_size_or_sections, dim, "split")

    def _split(self, split_size_or_sections, dim: int, op: str):
        d = self._dim(dim, op)
        n = self.shape[d]
        if not isinstance(split_size_or_sections, (tuple, list)):
            step = non_negative_int(split_size_or_sections, op, "split_size")
            if step == 0 and n:
                raise RuntimeError(
                    f"{op}: split_size can only be 0 if dim {dim} has size 0, "
                    f"got size {n} (shape {self.shape})"
                )
            sizes = ([min(step, n - i) for i in range(0, n, step)] if step else []) or [0]
        else:
            sizes = [
                non_negative_int(s, op, f"each size in {split_size_or_sections}")
                for s in split_size_or_sections
            ]
            if sum(sizes) != n:
                raise RuntimeError(
                    f"split: sizes {sizes} do not add up to {n}, the size of dim "
                    f"{d} of shape {self.shape}"
                )
        out, start, lead = [], 0, (slice(None),) * d
        for s in sizes:
            out.append(self[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    def chunk(self, chunks: int, dim: int = 0):
        chunks = as_int(chunks, "chunk", "chunks")
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be greater than 0, got {chunks}")
        n = self.shape[self._dim(dim, "chunk")]
        return self._split(max(-(-n // chunks), 1), dim, "chunk")

    def unbind(self, dim: int = 0):
        d = self._dim(dim, "unbind")
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.shape[d]))

    def narrow(self, dim: int, start: int, length: int):
        """Elements start .. start + length - 1 of dim (a negative start counts from the end)."""
        d = self._dim(dim, "narrow")
        start, length = as_int(start, "narrow", "start"), as_int(length, "narrow", "length")
        n = self.shape[d]
        if not -n <= start <= n:
            raise IndexError(
                f"narrow: start {start} is out of range for dim {dim} of size {n} "
                f"(expected a start in [{-n}, {n}])"
            )
        start = start + n if start < 0 else start
        if length < 0:
            raise RuntimeError(f"narrow: length must be non-negative, got {length}")
        if start + length > n:
            raise RuntimeError(
                f"narrow: start ({start}) + length ({length}) exceeds the size "
                f"{n} of dim {dim} (shape {self.shape})"
            )
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def pad(self, pad, value: float = 0.0):
        """Constant padding, F.pad style: (left, right) of the last dim first, then the one
        before."""
        if len(pad) % 2 or len(pad) // 2 > self.ndim:
            raise RuntimeError(
                f"pad: {tuple(pad)} must have an even length of at most 2 * "
                f"{self.ndim} for a tensor of shape {self.shape}"
            )
        pad = _shape_args((pad,), "pad")
        pairs = [(0, 0)] * self.ndim
        for i in range(len(pad) // 2):
            pairs[self.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        for (b, a), s in zip(pairs, self.shape):
            if s + b + a < 0:
                raise RuntimeError(
                    f"pad: padding {pad} makes a dim of size {s} negative (shape {self.shape})"
                )
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
        diagonal = as_int(diagonal, "triu" if upper else "tril", "diagonal")
        if self.ndim < 2:
            raise RuntimeError(
                f"{'triu' if upper else 'tril'}: needs at least 2 dims, got shape {self.shape}"
            )
        mask = nograd.tri_mask(self.shape[-2], self.shape[-1], diagonal, upper, self.device)
        return self.masked_fill(self._make(mask, False, None).logical_not(), 0)


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
