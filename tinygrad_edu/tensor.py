"""The Tensor: an array (NumPy or CuPy), an optional gradient and the node that made it.

This file holds the tensor's state, constructors, conversions, autograd entry points and the
Python operators. The op surface is in the mixins of composite/ (elementwise, reduction, shape),
each method a thin call into a primitive of ops/ or a composition of other methods.
"""

from __future__ import annotations

from typing import Any, Callable

from . import _tensor_str, backend
from .autograd import engine
from .autograd import function as _function
from .autograd.grad_mode import state as _state
from .composite import frontend as _frontend
from .composite.elementwise import ElementwiseMixin
from .composite.frontend import OperatorMixin
from .composite.indexing import IndexingMixin
from .composite.inplace import InplaceMixin
from .composite.linalg import LinalgMixin
from .composite.reduction import ReductionMixin
from .composite.shape import ShapeMixin
from .ops import movement, unary

_ARRAY_TYPES = backend.ARRAY_TYPES


class Tensor(
    OperatorMixin,
    InplaceMixin,
    ElementwiseMixin,
    ReductionMixin,
    ShapeMixin,
    IndexingMixin,
    LinalgMixin,
):
    """An N-D array with reverse-mode autograd (PyTorch's torch.Tensor, in plain Python).

    Tensor(data, requires_grad=False, dtype=None, device=None): data is a scalar, nested list,
    NumPy/CuPy array or Tensor. Python floats become float32, ints int64, bools bool; a NumPy
    array keeps its dtype.
    """

    __slots__ = (
        "data",
        "requires_grad",
        "grad",
        "grad_fn",
        "_vc",
        "_view",
        "_rebased",
        "_hooks",
        "_retains_grad",
        "__weakref__",
    )
    # _vc: the version counter ([n], shared with views and detach(); None until first shared or
    # bumped); _view: (base, steps) when this tensor is a view of `base`; _rebased: the earlier
    # identities of a tensor that in-place ops rewrote, for nodes recorded before (rebase.py)
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype=None, device=None) -> None:
        if isinstance(data, Tensor):
            device = data.device if device is None else device
            data = data.data
        arr = _frontend.new_array(data, dtype, device)
        self.data = arr
        self.grad = None
        self.grad_fn = None
        self._vc = self._view = self._rebased = None
        self._hooks = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, requires_grad: bool, grad_fn) -> "Tensor":
        """Wrap a backend array without any checks (the hot path of every op)."""
        if type(data) not in _ARRAY_TYPES:  # NumPy turns 0-d results into scalars
            data = backend.as_array(data)
        t = object.__new__(Tensor)
        t.data = data
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._vc = t._view = t._rebased = None
        t._hooks = None
        t._retains_grad = False
        return t

    # ----------------------------------------------------------------------------- attributes
    @property
    def shape(self) -> backend.Size:
        return backend.Size(self.data.shape)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> backend.device:
        """tg.device('cpu') or tg.device('cuda', 0); equal to the strings 'cpu' / 'cuda'."""
        return backend.device_object(backend.device_of(self.data))

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def is_cuda(self) -> bool:
        return self.device == "cuda"

    def numel(self) -> int:
        return int(self.data.size)

    def size(self, dim: int | None = None):
        """The shape as a tg.Size (as PyTorch's size()), or the length of one dim."""
        if dim is None:
            return self.shape
        return self.data.shape[self._dim(dim, "size")]

    def dim(self) -> int:
        return self.ndim

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def element_size(self) -> int:
        return self.data.itemsize

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ----------------------------------------------------------------------------- conversion
    def numpy(self):
        """The values as a NumPy array: shares memory on 'cpu', a host copy on 'cuda'."""
        if _state.recorder is not None:  # tg.compile: a tensor's value read by Python
            _state.recorder.refuse(".numpy()")
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad; use tensor.detach().numpy()"
            )
        return backend.to_host(self.data)

    def __array__(self, dtype=None, copy=None):
        if _state.recorder is not None:  # tg.compile: a tensor's value read by Python
            _state.recorder.refuse("np.asarray(tensor)")
        arr = backend.to_host(self.data)
        return arr if dtype is None else arr.astype(dtype)

    def item(self):
        if _state.recorder is not None:  # tg.compile: a tensor's value read by Python
            _state.recorder.refuse(".item()")
        if self.numel() != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self.numel()} elements (shape {self.shape}) cannot be "
                "converted to a Python scalar"
            )
        return self.data.item()

    def tolist(self):
        if _state.recorder is not None:  # tg.compile: a tensor's value read by Python
            _state.recorder.refuse(".tolist()")
        return backend.to_host(self.data).tolist()

    def to(self, *args, **kwargs) -> "Tensor":
        """to(device), to(dtype), to(device, dtype) or to(other_tensor); differentiable."""
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to(): unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str) and (a.split(":")[0] in ("cpu", "cuda", "gpu")):
                device = a
            elif a is not None and type(a).__name__ == "device":  # torch.device
                device = str(a)
            elif a is not None:
                dtype = a
        out = self
        if device is not None:
            dev = backend.normalize_device(device)
            if dev != out.device:
                out = movement.ToDevice.apply(out, device=dev)
        if dtype is not None:
            dt = backend.as_dtype(dtype)
            if dt != out.dtype:
                if out.requires_grad and not backend.is_floating(dt):  # bfloat16: kind 'V'
                    return out.detach().to(dt)
                out = unary.Cast.apply(out, dtype=dt)
        return out

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self) -> "Tensor":
        return self.to("cuda")

    def float(self) -> "Tensor":
        return self.to(backend.float32)

    def double(self) -> "Tensor":
        return self.to(backend.float64)

    def half(self) -> "Tensor":
        return self.to(backend.float16)

    def long(self) -> "Tensor":
        return self.to(backend.int64)

    def int(self) -> "Tensor":
        return self.to(backend.int32)

    def bool(self) -> "Tensor":
        return self.to(backend.bool_)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def type(self, dtype=None) -> "str | Tensor":
        """type(): PyTorch's type name ('torch.FloatTensor', 'torch.cuda.LongTensor', ...);
        type(dtype): the tensor cast to dtype (a dtype or such a name)."""
        if dtype is None:
            return _tensor_str.type_name(self.dtype, self.device.type)
        return self.to(_tensor_str.dtype_of_type_name(dtype))

    def t(self) -> "Tensor":
        """The transpose of a tensor of at most 2 dims (as PyTorch's t())."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    def detach(self) -> "Tensor":
        """The same data (shared memory) cut off from the graph."""
        t = Tensor._make(self.data, False, None)
        t._vc = self._shared_counter()  # in-place changes through t are seen by self's graph
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self.requires_grad = False
        return self

    def clone(self, *, memory_format=None) -> "Tensor":
        """A copy with its own memory; gradients flow back to the original (memory_format is
        accepted and ignored: arrays here have one layout)."""
        return unary.Clone.apply(self)

    def contiguous(self) -> "Tensor":
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_(): you can only change requires_grad of leaf tensors; use "
                "x.detach().requires_grad_() to make a new leaf"
            )
        if requires_grad and not backend.is_floating(self.dtype):
            raise RuntimeError(
                f"requires_grad_(): only floating point tensors can require gradients, got dtype "
                f"{self.dtype}; "
                "convert with .float() first"
            )
        self.requires_grad = bool(requires_grad)
        return self

    # ----------------------------------------------------------------------------- autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into the `.grad` of every leaf that requires grad."""
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep `.grad` of this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad(): the tensor does not require grad")
        if self.grad_fn is not None:
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable) -> "_HookHandle":
        """Call hook(grad) when this tensor's gradient is computed; a tensor it returns replaces
        the gradient."""
        if not self.requires_grad:
            raise RuntimeError(
                "register_hook(): cannot register a hook on a tensor that doesn't require gradient"
            )
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    # ----------------------------------------------------------------------------- conversions
    def __bool__(self) -> bool:
        if _state.recorder is not None:  # tg.compile: Python control flow on a tensor's value
            _state.recorder.refuse("bool(tensor)")
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of a Tensor with {self.numel()} elements is ambiguous; use "
                ".any() or .all()"
            )
        return bool(self.data.item())

    def __float__(self) -> float:
        self._one_element("float")
        return float(self.item())

    def __int__(self) -> int:
        self._one_element("int")
        return int(self.item())

    def _one_element(self, op: str) -> None:
        if self.numel() != 1:
            raise ValueError(
                f"{op}(): only one element tensors can be converted to Python "
                f"scalars, got shape {self.shape}"
            )

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        """PyTorch's format: tensor([1., 2.], requires_grad=True) (see _tensor_str.py)."""
        return _tensor_str.tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """format(t, '.3f') formats the number of a 0-d tensor; f'{t}' is str(t)."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)


class _HookHandle:
    def __init__(self, hooks: list, hook) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


_function._make_tensor = Tensor._make
