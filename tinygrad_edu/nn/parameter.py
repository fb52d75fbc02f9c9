"""nn.Parameter: a leaf Tensor that a Module registers as one of its trainable weights."""

from __future__ import annotations

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a model weight: a leaf with requires_grad=True (by default).

    Parameter(data) shares memory with `data` when it is a Tensor (as torch.nn.Parameter does).
    Assigning a Parameter as a Module attribute registers it, so it appears in `parameters()` and
    `state_dict()`. Results of ops on a Parameter are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = backend.asarray([], dtype=backend.get_default_dtype())
        if isinstance(data, Tensor):  # memory and version counter shared with the given tensor
            super().__init__([], requires_grad=False)
            self.data, self._vc = data.data, data._shared_counter()
        elif not backend.is_array(data):  # PyTorch takes Tensors only (no lists or numbers)
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        else:
            super().__init__(data, requires_grad=False)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self.detach().clone(), self.requires_grad)
        if self.grad is not None:
            out.grad = self.grad.clone()
        memo[id(self)] = out
        return out


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)
