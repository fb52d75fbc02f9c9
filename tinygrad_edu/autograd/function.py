"""The Function base class: one op = one subclass, its instance is the graph node (`t.grad_fn`).

A subclass writes
  * `forward(self, *arrays, **options) -> array` on raw backend arrays (NumPy or CuPy), keeping what
    backward needs as attributes of `self`, and
  * `backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]`, one gradient per input,
    written with Tensor ops so that the engine can record it when `create_graph=True`.

Inside backward, `self.parents` are the input Tensors and `self.output` the result Tensor (for ops
that set `save_output = True`), so gradients of gradients come for free.
"""

from __future__ import annotations

import weakref
from operator import attrgetter

from ..backend import may_share_memory
from . import anomaly
from .grad_mode import state
from .graph import inputs_of

_weakref = weakref.ref
_data, _requires_grad = attrgetter("data"), attrgetter("requires_grad")

_new = object.__new__
_make_tensor = None  # set by tensor.py: (array, requires_grad, grad_fn) -> Tensor


class Function:
    __slots__ = (
        "parents",
        "needs_input_grad",
        "stamp",
        "_out",
        "trace",
        "released_parents",
        "__dict__",
        "__weakref__",
    )

    released = False  # set on the instance by release()
    save_output = False  # True when backward reads the output (exp, sigmoid, tanh, ...)
    is_view = False  # True when the output may alias the first input's memory (reshape, x[i])
    uses_inputs = True  # False when backward never reads its inputs (add, reshape, ...)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A user's PyTorch-style Function (`@staticmethod def forward(ctx, ...)`) gets the ctx
        # protocol's apply; the library's primitives keep the array-level apply below.
        if isinstance(cls.__dict__.get("forward"), staticmethod):
            cls.apply = classmethod(_apply_custom)

    def forward(self, *arrays, **options):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    @classmethod
    def apply(cls, *inputs, **options):
        """Run forward on the inputs' arrays; record a graph node if any input requires grad."""
        ctx = _new(cls)
        out = ctx.forward(*map(_data, inputs), **options)
        if state.recorder is not None:  # tg.compile is tracing
            out = state.recorder.op(ctx, inputs, options, out)
        result = None
        if state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    ctx.parents = inputs
                    ctx.needs_input_grad = tuple(map(_requires_grad, inputs))
                    ctx.stamp = state.inplace_ops  # in-place ops after this are caught later
                    result = _make_tensor(out, True, ctx)
                    if cls.save_output:
                        ctx._out = _weakref(result)
                    break
        if result is None:
            result = _make_tensor(out, False, None)
        if state.anomaly:
            _check_forward(ctx, inputs, out)
        if cls.is_view:
            _mark_view(result, inputs[0], cls, options)
        return result

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays (beyond the inputs and output) that backward needs; `release()` frees
        them. Read them back as `self.saved`."""
        self.saved = arrays

    def check_inputs_unmodified(self) -> None:
        """Raise if a tensor backward reads was modified in place after this node was recorded."""
        for i, p in enumerate(self.parents if self.uses_inputs else ()):
            if p._vc is not None and p._vc[0] > self.stamp:
                raise RuntimeError(_modified_message(self, f"input {i}", p))
        if self.save_output:
            out = self._out()
            if out is not None and out._vc is not None and out._vc[0] > self.stamp:
                raise RuntimeError(_modified_message(self, "the output", out))

    @staticmethod
    def const(array):
        """A Tensor without grad around a backend array (masks and constants in a backward)."""
        if state.recorder is not None:  # tg.compile checks the array came from a recorded op
            state.recorder.const(array)
        return _make_tensor(array, False, None)

    @property
    def output(self):
        """The Tensor this node produced (alive while backward runs)."""
        return self._out()

    @property
    def name(self) -> str:
        return type(self).__name__

    def label(self) -> str:
        """A short description for pictures and reprs, e.g. 'Sum(dim=(1,))'."""
        try:
            extra = self.extra_repr()
        except (AttributeError, KeyError):  # details freed by release()
            extra = ""
        return f"{self.name}({extra})" if extra else self.name

    def extra_repr(self) -> str:
        return ""

    def next_inputs(self):
        """(tensor or None, shape, dtype, grad_fn) per input; works after the graph is released."""
        if not self.released:
            return [(p, p.shape, p.dtype, p.grad_fn) for p in self.parents]
        return [(ref(), shape, dtype, fn) for ref, shape, dtype, fn in self.released_parents]

    def release(self) -> None:
        """Drop the inputs (and so the arrays backward needed); keep the graph's structure, with
        weak references to the input tensors, so that it can still be drawn."""
        ps = inputs_of(self)  # as recorded, even where an in-place op has rewritten one since
        self.released = True
        # a comprehension, not zip(map(...)) x 4: half the time on 1-2 inputs (a 5% faster chain)
        self.released_parents = [(_weakref(p), p.data.shape, p.data.dtype, p.grad_fn) for p in ps]
        self.parents = None
        if "saved" in self.__dict__:
            self.saved = ()

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the graph: one (node, 0) per input, where node is the input's
        grad_fn, an AccumulateGrad for a leaf that requires grad, or None."""
        if self.released:
            return tuple((fn or None, 0) for _, _, _, fn in self.released_parents)
        return tuple((_next_node(p), 0) for p in inputs_of(self))

    def __repr__(self) -> str:
        return f"<{torch_name(self)}>"


def _next_node(t):
    if t.grad_fn is not None:
        return t.grad_fn
    return AccumulateGrad(t) if t.requires_grad else None


class AccumulateGrad:
    """The node PyTorch shows for a leaf in next_functions: it adds the gradient to .variable."""

    __slots__ = ("variable",)
    next_functions = ()
    name = "AccumulateGrad"

    def __init__(self, variable) -> None:
        self.variable = variable

    def __eq__(self, other) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


# The class name PyTorch gives the same node (grad_fn's repr), where our primitive corresponds to
# one of its ops; every other primitive X is shown as XBackward0, as PyTorch names its own.
TORCH_NAMES = {
    "Linear": "AddmmBackward0",
    "MatMul": "MmBackward0",
    "CrossEntropy": "NllLossBackward0",
    "Normalize": "NativeBatchNormBackward0",
    "BroadcastTo": "ExpandBackward0",
    "Reshape": "ViewBackward0",
    "Getitem": "IndexBackward0",
    "Cast": "ToCopyBackward0",
    "Unfold": "Im2ColBackward0",
    "Fold": "Col2ImBackward0",
    "WindowMax": "MaxPool2DWithIndicesBackward0",
    "Pad": "ConstantPadNdBackward0",
    "IndexAdd": "IndexPutBackward0",
    "CopySlices": "CopySlices",
    "LogSumExp": "LogsumexpBackward0",
    "Softmax": "SoftmaxBackward0",
    "LogSoftmax": "LogSoftmaxBackward0",
    "ToDevice": "ToCopyBackward0",
}


def torch_name(node) -> str:
    """PyTorch's class name for this node, e.g. 'MulBackward0' or 'MyReLUBackward'."""
    if isinstance(node, CustomFunctionNode):
        return f"{node.name}Backward"
    return TORCH_NAMES.get(node.name, f"{node.name}Backward0")


def _modified_message(node, what: str, t) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} of {node.name} (shape {tuple(t.shape)}) is at version {t._version}, "
        f"but {node.name} used it at an earlier version. Use an out-of-place op (x = x + y) "
        "instead, or call .clone() before modifying it."
    )


def _mark_view(result, src, cls, options) -> None:
    """A view shares its source's version counter and remembers how to re-derive it from its base
    (so that writing into it can be differentiated; see composite/inplace.py)."""
    if not may_share_memory(result.data, src.data):  # reshape had to copy, advanced indexing
        return
    result._vc = src._shared_counter()
    base, steps = src._view or (src, ())
    result._view = (base, steps + ((cls, options),))


def _check_forward(ctx, inputs, out) -> None:
    ctx.trace = anomaly.user_stack()
    anomaly.check_forward(ctx, inputs, out)


# --------------------------------------------------------------------- PyTorch's ctx protocol
class FunctionCtx:
    """What a custom Function's forward(ctx, ...) and backward(ctx, ...) receive as `ctx`."""

    def save_for_backward(self, *tensors) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not (hasattr(t, "grad_fn") and hasattr(t, "data")):
                raise TypeError(
                    f"save_for_backward: argument {i} is a {type(t).__name__}, not a Tensor or "
                    "None; keep other values as attributes of ctx (ctx.name = value)"
                )
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class CustomFunctionNode(FunctionCtx, Function):
    """The graph node of a user's Function: it is the `ctx` of both forward and backward."""

    materialize_grads = True
    uses_inputs = False  # only the saved tensors are checked for in-place changes

    def backward(self, grad):
        grads = self.function_cls.backward(self, grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < len(self.arg_is_tensor):
            raise RuntimeError(
                f"{self.name}.backward returned {len(grads)} gradients, but forward took "
                f"{len(self.arg_is_tensor)} arguments (return None for non-tensor arguments)"
            )
        out = []
        for i, (is_tensor, g) in enumerate(zip(self.arg_is_tensor, grads)):
            if is_tensor:
                out.append(_as_grad(self, i, g))
        return tuple(out)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to save_for_backward, checked for in-place changes since."""
        if self.released:
            raise RuntimeError(f"{self.name}: {FREED_SAVED}")
        result = []
        for t, version in self.saved:
            if t is _OUTPUT:
                t = self.output
            elif t is not None and t._version != version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: a tensor of shape {tuple(t.shape)} saved by "
                    f"{self.name} is at version {t._version}; expected version {version}"
                )
            result.append(t)
        return tuple(result)

    @property
    def name(self) -> str:
        return self.function_cls.__name__


FREED_SAVED = (
    "the saved tensors were freed by an earlier backward; pass retain_graph=True to the first "
    "backward() if you need to go through the graph again"
)
_OUTPUT = object()  # marks "the output" in ctx.saved (a weak link: no reference cycle)


def _as_grad(node, i: int, g):
    if g is None:
        return None
    if not (hasattr(g, "grad_fn") and hasattr(g, "data")):
        raise TypeError(
            f"{node.name}.backward returned a {type(g).__name__} as gradient {i}; return a "
            "Tensor or None"
        )
    shape = node.parents_shapes[i]
    if tuple(g.shape) != shape:
        raise RuntimeError(
            f"{node.name}.backward returned a gradient of shape {tuple(g.shape)} for input {i} "
            f"of shape {shape}"
        )
    return g


def _apply_custom(cls, *args, **kwargs):
    """Function.apply for a user's PyTorch-style Function: forward(ctx, *args) runs without
    recording; its result becomes one graph node whose backward calls cls.backward(ctx, grad)."""
    node = _new(CustomFunctionNode)
    node.function_cls = cls
    is_tensor = tuple(hasattr(a, "grad_fn") and hasattr(a, "data") for a in args)
    node.arg_is_tensor = is_tensor
    node.needs_input_grad = tuple(t and a.requires_grad for t, a in zip(is_tensor, args))
    prev = state.grad_enabled
    state.grad_enabled = False
    try:
        out = cls.forward(node, *args, **kwargs)
    finally:
        state.grad_enabled = prev
    if isinstance(out, (tuple, list)):
        raise TypeError(
            f"{cls.__name__}.forward returned {len(out)} outputs; tinygrad_edu's custom Functions "
            "return one Tensor (write one Function per output)"
        )
    if not (hasattr(out, "grad_fn") and hasattr(out, "data")):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}")
    to_save = getattr(node, "_to_save", ())
    node.__dict__.pop("_to_save", None)
    record = state.grad_enabled and any(node.needs_input_grad)
    if record and id(out) in getattr(node, "_non_differentiable", ()):
        record = False
    if not record:
        return _make_tensor(out.data, False, None)
    tensors = tuple(a for t, a in zip(is_tensor, args) if t)
    node.parents = tensors
    node.parents_shapes = tuple(tuple(a.shape) for t, a in zip(is_tensor, args) if t)
    node.stamp = state.inplace_ops
    result = _make_tensor(out.data, True, node)
    node._out = _weakref(result)
    node.saved = tuple(
        (_OUTPUT, 0) if t is out else (t, t._version if t is not None else 0) for t in to_save
    )
    return result
