"""The Optimizer base class: parameter groups, per-parameter state, zero_grad and state_dict.

A subclass supplies `_validate(group)` (raise for bad hyper-parameters) and `_update(group)` (one
update of every parameter of a group that has a gradient). `step()` runs `_update` under
`no_grad`, so updates are plain in-place tensor ops (`p -= lr * g`).

State follows PyTorch: `optimizer.state[p]` is a dict of buffers keyed by the parameter Tensor
itself (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `square_avg`, `grad_avg`,
`sum`, `step`), and `state_dict()` replaces the parameters by integer ids:
    {'state': {0: {'step': 3, 'exp_avg': Tensor, ...}, ...},
     'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.999), ..., 'params': [0, 1]}]}
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable, Union

from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor

ParamsT = Union[Iterable[Tensor], Iterable[dict], Iterable[tuple]]


_NUMBERS = frozenset(
    {
        "lr",
        "momentum",
        "dampening",
        "weight_decay",
        "eps",
        "alpha",
        "lr_decay",
        "initial_accumulator_value",
    }
)
_PAIRS = frozenset({"betas"})


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of (name, Tensor) pairs, or of dicts that each hold
            'params' plus hyper-parameters overriding `defaults` for that group.
        defaults: the hyper-parameters of groups that do not set their own.
    """

    _scalar_state: tuple = ()  # state entries that are 0-d Tensors, not parameter-shaped

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name}: params should be an iterable of Tensors or dicts, but got a "
                "single Tensor; wrap it in a list: [tensor]"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: params must be an ordered collection (list, tuple, generator), "
                "not a set, so that state_dict ids are reproducible"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # ----------------------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with 'params' and optional hyper-parameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{self._name}: a parameter group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{self._name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{self._name}: parameters must be an ordered collection, not a set")
        params = list(params)
        names = None
        if params and all(isinstance(p, tuple) and len(p) == 2 for p in params):
            names = [str(n) for n, _ in params]  # named_parameters() input
            params = [p for _, p in params]
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{self._name}: can only optimize Tensors, but parameter {i} of "
                    f"the group is a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{self._name}: can't optimize a non-leaf Tensor (parameter {i}, shape "
                    f"{p.shape}, made by {p.grad_fn}); optimize the leaf it came from or call "
                    ".detach().requires_grad_()"
                )
            if p.dtype.kind != "f":
                raise TypeError(
                    f"{self._name}: parameter {i} has dtype {p.dtype}; only floating "
                    "point tensors can be optimized"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(
                f"{self._name}: a parameter group contains the same Tensor twice (tied weights?"
                " pass each Tensor once)"
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(
                f"{self._name}: some parameters appear in more than one parameter group"
            )
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        self._check_types(group)
        self._validate(group)
        self.param_groups.append(group)

    def _check_types(self, group: dict[str, Any]) -> None:
        """Numeric hyper-parameters must be numbers (a string lr raises here, not in step)."""
        for key, value in group.items():
            if key in _NUMBERS:
                items = (value,)
            elif key in _PAIRS:
                items = tuple(value) if isinstance(value, (tuple, list)) else (None,)
            else:
                continue
            if not all(
                isinstance(v, (int, float, Tensor)) and not isinstance(v, bool) for v in items
            ):
                what = "a pair of numbers" if key in _PAIRS else "a number"
                raise TypeError(f"{self._name}: {key} must be {what}, got {value!r}")

    def _validate(self, group: dict[str, Any]) -> None:
        """Raise ValueError for hyper-parameters the algorithm cannot use (subclasses)."""

    def _check(self, ok: bool, what: str, value: Any) -> None:
        if not ok:
            raise ValueError(f"{self._name}: invalid {what} {value}")

    # ----------------------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: `p.grad = None` (default), or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None or p.grad.requires_grad:
                        p.grad = p.grad.detach()  # a create_graph gradient: cut it off first
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns closure() if one is given.

        The closure re-evaluates the model (forward + backward) and returns the loss; it runs
        with gradients enabled, the update itself under no_grad.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            rec = _grad_state.recorder  # tg.compile: hyperparameters become replay inputs
            groups = self.param_groups if rec is None else rec.optimizer_enter(self)
            for group in groups:
                self._update(group)
            if rec is not None:
                rec.optimizer_exit(self)
        return loss

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{self._name}._update")

    # ----------------------------------------------------------------------------- state dicts
    def state_dict(self) -> dict[str, Any]:
        """{'state': {id: buffers}, 'param_groups': [{..., 'params': [ids]}]} as PyTorch.

        Ids count the parameters of all groups in order. As in PyTorch, the buffer Tensors are the
        live ones (later steps change them): copy.deepcopy or tg.save the result to keep a snapshot.
        """
        ids: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [ids.setdefault(id(p), len(ids)) for p in group["params"]]
            groups.append(packed)
        state = {ids[id(p)]: dict(s) for p, s in self.state.items() if id(p) in ids}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and buffers from `state_dict()` output (copies, never aliases).

        Buffers are copied onto each parameter's device (floating buffers take its dtype).
        Raises ValueError when the groups or their sizes do not match this optimizer.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{self._name}.load_state_dict: expected a dict, got {type(state_dict).__name__}"
            )
        if not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                f"{self._name}.load_state_dict: expected a dict with 'state' and "
                "'param_groups' (the output of optimizer.state_dict())"
            )
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{self._name}.load_state_dict: the loaded state dict has {len(saved_groups)} "
                f"parameter group(s) but the optimizer has {len(self.param_groups)}"
            )
        by_id: dict[int, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(
                    f"{self._name}.load_state_dict: parameter group {i} of the loaded state "
                    "dict is not a dict with a 'params' list"
                )
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{self._name}.load_state_dict: parameter group {i} has "
                    f"{len(saved['params'])} parameter(s) in the loaded state dict but "
                    f"{len(group['params'])} in the optimizer"
                )
            by_id.update({int(k): p for k, p in zip(saved["params"], group["params"])})
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, buffers in state_dict["state"].items():
            if int(key) not in by_id:
                raise ValueError(
                    f"{self._name}.load_state_dict: state for parameter id {key} "
                    "but no parameter group lists that id"
                )
            p = by_id[int(key)]
            state[p] = {
                name: self._copy_buffer(p, int(key), name, v) for name, v in buffers.items()
            }
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {
                k: _copy_value(v) for k, v in saved.items() if k not in ("params", "param_names")
            }
            for k, v in self.defaults.items():
                new.setdefault(k, v)
            new["params"] = group["params"]
            if "param_names" in group:
                new["param_names"] = group["param_names"]
            self._validate(new)
            new_groups.append(new)
        self.state = state
        self.param_groups = new_groups

    def _copy_buffer(self, p: Tensor, pid: int, name: str, value: Any) -> Any:
        """A copy of one loaded buffer, on p's device; floating buffers in p's dtype."""
        if name == "step":
            return int(value.item()) if isinstance(value, Tensor) else value
        if not isinstance(value, Tensor):
            if isinstance(value, (int, float, bool, str)) or value is None:
                return value
            value = Tensor(value)  # a NumPy array from a foreign state dict
        if name in self._scalar_state:  # a 0-d running scalar (NAdam's mu_product)
            return Tensor(value, dtype=value.dtype, device=p.device)
        if value.shape != p.shape:
            raise ValueError(
                f"{self._name}.load_state_dict: buffer '{name}' of parameter {pid} has shape "
                f"{value.shape} but the parameter has shape {p.shape}"
            )
        dtype = p.dtype if value.dtype.kind == "f" else value.dtype
        return Tensor(value, dtype=dtype, device=p.device)  # Tensor(Tensor) always copies

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])


def _copy_value(value: Any) -> Any:
    """Hyper-parameters are numbers, strings and tuples/lists of them; copy the mutable ones."""
    if isinstance(value, list):
        return [_copy_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy_value(v) for k, v in value.items()}
    if isinstance(value, Tensor):
        return value.detach().clone()
    return value
