"""In-place ops (`add_`, `relu_`, `x += y`, `t[i] = v`, ...) with PyTorch's semantics.

Three rules, as in PyTorch:
1. Version counters. A tensor, its views and `detach()` share one counter; every in-place op bumps
   it. A node that needs a tensor's values at backward remembers the counter's value when it was
   recorded and raises if it changed (Function.check_inputs_unmodified), instead of silently
   using the new values.
2. Recorded, not refused. An in-place op on a tensor that is part of a graph is differentiated:
   the result is computed out of place from an *alias* of the old tensor (which keeps the old
   node), written into the tensor's memory, and the tensor is *rebased* onto the new node. Nodes
   recorded earlier still see the old identity (tensor._rebased, resolved by the engine).
3. Views. Writing into a view `v` of `base` rewrites part of `base`: the base is rebased onto a
   CopySlices node (its gradient skips the overwritten region, which goes to the new values) and
   `v` becomes a fresh view of the new base.
(Rules 2 and 3, the graph rewrites, are in rebase.py.)
In-place on a leaf that requires grad (or a view of one) is an error while grad mode is on: the
leaf's old value would be lost. Without a graph (no_grad, or nothing requires grad) the update is
written straight into the array, the optimisers' fast path.
"""

from __future__ import annotations

from .. import backend
from ..autograd.grad_mode import state
from ..ops import indexing, nograd
from . import frontend, rebase

_ARITH = {"add", "sub", "mul", "div"}


class InplaceMixin:
    """Mixed into Tensor: every in-place method and index assignment."""

    __slots__ = ()

    # ------------------------------------------------------------------ version counter
    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen (a global stamp)."""
        vc = self._vc
        return 0 if vc is None else vc[1]

    def _shared_counter(self) -> list:
        """[global stamp of the last in-place change, number of changes], shared by views."""
        if self._vc is None:
            self._vc = [0, 0]
        return self._vc

    def _bump_version(self) -> None:
        """Record an in-place change; nodes recorded earlier compare their stamp with it."""
        state.inplace_ops += 1
        vc = self._shared_counter()
        vc[0] = state.inplace_ops
        vc[1] += 1

    # ------------------------------------------------------------------ the core
    def _check_inplace(self, op: str) -> None:
        if not state.grad_enabled:
            return
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{op}: a leaf tensor that requires grad (shape {self.shape}) cannot be modified "
                "in place while autograd is recording; wrap the update in `with tg.no_grad():` "
                "or work on a copy (x = x.clone())"
            )
        view = self._view
        if view is not None and view[0].requires_grad and view[0].grad_fn is None:
            raise RuntimeError(
                f"{op}: this tensor (shape {self.shape}) is a view of a leaf tensor that requires "
                f"grad (shape {view[0].shape}) and cannot be modified in place while autograd is "
                "recording; use `with tg.no_grad():` or clone the leaf first"
            )

    def _apply_inplace(self, op: str, compute, other=None, reads_self: bool = True):
        """self <- compute(self), written into self's memory; recorded when a graph is involved.

        compute(t) builds the out-of-place result from t with Tensor ops (so its gradient is the
        op's own); reads_self=False for ops whose backward never reads self (add, sub)."""
        self._check_inplace(op)
        other_grad = getattr(other, "requires_grad", False)
        if not (state.grad_enabled and (self.requires_grad or other_grad)):
            if state.recorder is not None:  # tg.compile: name the tensor whose array is updated
                state.recorder.touch(self, other)
            out = compute(self)
            self._write(op, out.data)
            self._bump_version()
            return self
        data = nograd.copy(self.data) if reads_self and self.requires_grad else self.data
        alias = self._make(data, self.requires_grad, self.grad_fn)  # self's old identity
        out = compute(alias)
        self._write(op, out.data)
        self._bump_version()
        if out.requires_grad or self.requires_grad:
            rebase.rebase_written(self, alias, out)
        return self

    def _write(self, op: str, values) -> None:
        if values.shape != self.shape:
            raise RuntimeError(
                f"{op}: the result has shape {tuple(values.shape)} but the tensor has shape "
                f"{tuple(self.shape)}; an in-place op cannot change a tensor's shape (broadcasting "
                "may "
                "only grow the other operand)"
            )
        if values.dtype != self.dtype and not backend.can_cast(values.dtype, self.dtype):
            raise RuntimeError(
                f"{op}: result type {values.dtype} can't be cast to the tensor's dtype {self.dtype}"
            )
        if not self.data.flags.writeable:
            raise RuntimeError(
                f"{op}: this tensor (shape {self.shape}) is an expanded view in which several "
                "elements share one memory location; clone() it before writing to it"
            )
        nograd.copy_(self.data, values)

    def _arith_inplace(self, op: str, other):
        """self op= other (add, sub, mul, div): straight into the array when nothing records
        (the optimisers' updates, so this path reads arrays, not Tensor properties)."""
        if state.grad_enabled:
            self._check_inplace("in-place " + op)
            if self.requires_grad or getattr(other, "requires_grad", False):
                fn = {"add": _add, "sub": _sub, "mul": _mul, "div": _div}[op]
                return self._apply_inplace(op + "_", lambda t: fn(t, other), other, op in "muldiv")
        if state.recorder is not None:  # tg.compile: name the tensor whose array is updated
            state.recorder.touch(self, other)
        data, other_is_tensor = self.data, frontend.is_tensor(other)
        o = other.data if other_is_tensor else other
        if other_is_tensor and type(o) is not type(data):
            raise RuntimeError(
                f"in-place {op}: tensors on different devices ({self.device}, {other.device})"
            )
        other_float = (o.dtype.kind == "f") if hasattr(o, "dtype") else isinstance(o, float)
        if data.dtype.kind != "f" and (other_float or op == "div"):
            raise RuntimeError(
                f"in-place {op}: result type float can't be cast to the tensor's dtype {data.dtype}"
            )
        shape = getattr(o, "shape", ())
        if shape != data.shape and backend.broadcast_shapes(data.shape, shape) != data.shape:
            raise RuntimeError(
                f"in-place {op}: the result has shape {backend.broadcast_shapes(data.shape, shape)}"
                f" but the tensor has shape {data.shape}; in-place ops cannot grow a tensor by "
                "broadcasting"
            )
        try:
            nograd.inplace(op, data, o)
        except ValueError:
            if data.flags.writeable:
                raise
            self._write(f"in-place {op}", data)  # raises the expanded-view error
        self._bump_version()
        return self

    # ------------------------------------------------------------------ arithmetic
    def __iadd__(self, other):
        return self._arith_inplace("add", other)

    def __isub__(self, other):
        return self._arith_inplace("sub", other)

    def __imul__(self, other):
        return self._arith_inplace("mul", other)

    def __itruediv__(self, other):
        return self._arith_inplace("div", other)

    def add_(self, other, alpha=1):
        """self += alpha * other"""
        return self._arith_inplace("add", other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        """self -= alpha * other"""
        return self._arith_inplace("sub", other if alpha == 1 else other * alpha)

    def mul_(self, other):
        return self._arith_inplace("mul", other)

    def div_(self, other):
        return self._arith_inplace("div", other)

    def pow_(self, exponent):
        return self._apply_inplace("pow_", lambda t: t.pow(exponent), exponent)

    def clamp_(self, min=None, max=None):
        return self._apply_inplace("clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    # ------------------------------------------------------------------ unary
    def relu_(self):
        return self._apply_inplace("relu_", lambda t: t.relu())

    def sigmoid_(self):
        return self._apply_inplace("sigmoid_", lambda t: t.sigmoid())

    def tanh_(self):
        return self._apply_inplace("tanh_", lambda t: t.tanh())

    def neg_(self):
        return self._apply_inplace("neg_", lambda t: -t, reads_self=False)

    def exp_(self):
        return self._apply_inplace("exp_", lambda t: t.exp())

    def sqrt_(self):
        return self._apply_inplace("sqrt_", lambda t: t.sqrt())

    def abs_(self):
        return self._apply_inplace("abs_", lambda t: t.abs())

    # ------------------------------------------------------------------ filling
    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        """Every element set to value (a number or a 0-d tensor, whose gradient is the sum)."""
        if frontend.is_tensor(value):
            if value.ndim != 0:
                raise RuntimeError(
                    f"fill_: only a 0-d tensor can fill a tensor, got shape {value.shape}"
                )
            return self.copy_(value)
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(f"fill_: value must be a number, got {value!r}")
        _check_fill_value("fill_", value, self.dtype)

        def compute(t):
            return t._make(nograd.full(t.shape, value, t.dtype, t.device), False, None)

        return self._apply_inplace("fill_", compute, reads_self=False)

    def copy_(self, src, non_blocking: bool = False):
        """self's values replaced by src's (broadcast to self's shape, cast to its dtype, moved to
        its device); the gradient flows to src."""
        if not frontend.is_tensor(src):
            if not backend.is_array(src):
                raise TypeError(f"copy_: src must be a Tensor, got {type(src).__name__}")
            src = frontend.tensor_like(src, self)
        if src.device != self.device:
            src = src.to(self.device)
        try:
            shape = backend.broadcast_shapes(src.shape, self.shape)
        except ValueError:
            shape = None
        if shape != self.shape:
            raise RuntimeError(
                f"copy_: cannot copy a tensor of shape {src.shape} into one of shape {self.shape}"
            )

        def compute(t):
            s = src if src.dtype == t.dtype else src.to(t.dtype)
            return s.expand(t.shape) if s.shape != t.shape else s.clone()

        return self._apply_inplace("copy_", compute, src, reads_self=False)

    def masked_fill_(self, mask, value):
        return self._apply_inplace("masked_fill_", lambda t: t.masked_fill(mask, value), value)

    def index_fill_(self, dim: int, index, value):
        return self._apply_inplace("index_fill_", lambda t: t.index_fill(dim, index, value), value)

    def uniform_(self, a: float = 0.0, b: float = 1.0):
        """Fill with draws from U(a, b) (the library's generator)."""
        if not a <= b:
            raise RuntimeError(f"uniform_: expects a [from, to) range, but found from={a} > to={b}")
        r = nograd.rand(self.shape, backend.float64, self.device)
        return self._fill_random("uniform_", r * (b - a) + a)

    def normal_(self, mean: float = 0.0, std: float = 1.0):
        """Fill with draws from N(mean, std^2) (the library's generator)."""
        if not std >= 0:
            raise RuntimeError(f"normal_: expects std >= 0.0, but found std {std}")
        r = nograd.randn(self.shape, backend.float64, self.device)
        return self._fill_random("normal_", r * std + mean)

    def _fill_random(self, op: str, values):
        if self.dtype.kind != "f":
            raise RuntimeError(f"{op}: expects a floating point tensor, got dtype {self.dtype}")
        self._check_inplace(op)
        return self._apply_inplace(op, lambda t: t._make(values.astype(t.dtype), False, None))

    # ------------------------------------------------------------------ index assignment
    def __setitem__(self, index, value) -> None:
        """self[index] = value (a number or a tensor broadcast to the indexed shape); with
        autograd, the gradient of the overwritten region goes to `value`, not to the old values."""
        self._check_inplace("__setitem__ (index assignment)")
        for i in index if isinstance(index, tuple) else (index,):
            if isinstance(i, float):
                raise IndexError(
                    f"__setitem__: index {i!r} on a tensor of shape {self.shape} "
                    "is a float; indices must be ints, slices or tensors"
                )
        scalar = isinstance(value, (int, float, bool)) or backend.is_scalar(value)
        if not scalar and not frontend.is_tensor(value):
            if not backend.is_array(value):
                raise TypeError(
                    f"__setitem__: value must be a Tensor or a number, got "
                    f"{type(value).__name__} ({value!r:.40})"
                )
        idx = self._normalize_index(index)
        if self.device != "cpu":
            msg = backend.index_bounds_error(idx, self.shape)
            if msg:
                raise IndexError(f"index {index!r} on a tensor of shape {self.shape}: {msg}")
        if state.recorder is not None:  # tg.compile does not capture index assignment
            state.recorder.refuse("index assignment (t[i] = v)")
        value_grad = getattr(value, "requires_grad", False)
        if not (state.grad_enabled and (self.requires_grad or value_grad)):
            is_tensor = frontend.is_tensor(value)
            val = value.data if is_tensor else value
            if is_tensor and type(val) is not type(self.data):
                raise RuntimeError(f"__setitem__: value on {value.device}, tensor on {self.device}")
            try:
                self.data[idx] = val
            except IndexError as e:
                raise IndexError(f"__setitem__ on a tensor of shape {self.shape}: {e}") from None
            except (ValueError, TypeError) as e:
                raise RuntimeError(
                    f"__setitem__: a value of shape {tuple(getattr(value, 'shape', ()))} cannot "
                    f"be written into index {index!r} of a tensor of shape {self.shape}: {e}"
                ) from None
            self._bump_version()
            return
        if not frontend.is_tensor(value):
            value = frontend.tensor_like(value, self, self.dtype)
        rebase.assign_region(self, ((indexing.Getitem, {"index": idx}),), value, index)


def _check_fill_value(op: str, value, dtype) -> None:
    if isinstance(value, float) and dtype.kind in "iub" and value != int(value):
        raise RuntimeError(f"{op}: value {value} cannot be converted to dtype {dtype} exactly")


def _add(a, b):
    return a + b


def _sub(a, b):
    return a - b


def _mul(a, b):
    return a * b


def _div(a, b):
    return a / b
