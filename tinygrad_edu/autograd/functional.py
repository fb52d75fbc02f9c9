"""Higher-level autograd (as torch.autograd.functional): Jacobians, Hessians and their products.

    from tinygrad_edu.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
    J = jacobian(f, x)              # shape f(x).shape + x.shape
    H = hessian(lambda x: (x ** 3).sum(), x)
    out, vJ = vjp(f, x, v)          # v^T J    (one backward pass)
    out, Jv = jvp(f, x, v)          # J v      (the double-backward trick: two backward passes)

Every function takes `inputs` as a Tensor or a tuple of Tensors and answers in the same shape:
a Tensor for a Tensor, a tuple for a tuple (jacobian/hessian: a tuple of tuples when both the
inputs and the outputs are tuples). Results are detached unless create_graph=True, in which case
they are differentiable with respect to the original inputs. An input the outputs do not depend on
gets a zero gradient, or raises with strict=True. Everything is reverse mode (PyTorch's default
strategy); `vectorize=True` is accepted and computes the same values one row at a time.
"""

from __future__ import annotations

from typing import Any, Callable

from ..composite.join import stack
from ..factories import eye, zeros, zeros_like
from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# ----------------------------------------------------------------------------- helpers
def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple]:
    """(was a tuple, the Tensors as a tuple); raises TypeError for anything but Tensors."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"{arg}[{i}]" if is_tuple else arg
            raise TypeError(
                f"{fn}: {where} must be a Tensor (or a tuple of Tensors), got {type(t).__name__}"
            )
    return is_tuple, items


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that track gradients: detached copies, or (create_graph) differentiable views so
    that the results keep their graph back to the user's tensors."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(tensors: tuple, create_graph: bool) -> tuple:
    return tuple(t if create_graph or t is None else t.detach() for t in tensors)


def _grads(
    outputs: tuple,
    inputs: tuple,
    grad_outputs: tuple,
    create_graph: bool,
    strict: bool,
    fn: str,
    what: str = "output",
) -> tuple:
    """d(outputs)/d(inputs) weighted by grad_outputs; zeros (or, strict, an error) where unused."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        res = grad(
            [o for o, _ in pairs],
            inputs,
            [g for _, g in pairs],
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
    else:
        res = (None,) * len(inputs)
    result = []
    for i, (g, x) in enumerate(zip(res, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{fn}: the {what} is independent of input {i} (shape {tuple(x.shape)}); "
                    "strict=True forbids this (pass strict=False to get zeros)"
                )
            g = zeros_like(x)
        result.append(g)
    return tuple(result)


def _check_v(v: Any, like: tuple, fn: str, arg: str) -> tuple:
    _, vs = _as_tuple(v, "v", fn)
    if len(vs) != len(like):
        raise ValueError(f"{fn}: v has {len(vs)} tensor(s) but the {arg} have {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise ValueError(
                f"{fn}: v {i} has shape {tuple(a.shape)} but {arg[:-1]} {i} has shape "
                f"{tuple(b.shape)}"
            )
    return vs


def _default_v(outputs: tuple, fn: str) -> tuple:
    if len(outputs) != 1 or outputs[0].numel() != 1:
        shapes = [tuple(o.shape) for o in outputs]
        raise RuntimeError(
            f"{fn}: v can be omitted only when func returns a single one-element Tensor, "
            f"got outputs of shapes {shapes}"
        )
    return (zeros_like(outputs[0]) + 1,)


def _call(func: Callable, inputs: tuple, fn: str) -> tuple[bool, tuple]:
    with enable_grad():
        return _as_tuple(func(*inputs), "output of func", fn)


def _pack(is_tuple: bool, items: tuple) -> Any:
    return items if is_tuple else items[0]


# ----------------------------------------------------------------------------- products
def vjp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """(func(inputs), v^T J): the vector-Jacobian product, one backward pass.

    v has the shape of func's output(s); it may be omitted when the output has one element."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _call(func, xs, "vjp")
    vs = _default_v(outs, "vjp") if v is None else _check_v(v, outs, "vjp", "outputs")
    res = _grads(outs, xs, vs, create_graph, strict, "vjp")
    return _pack(out_tuple, _finish(outs, create_graph)), _pack(
        in_tuple, _finish(res, create_graph)
    )


def jvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """(func(inputs), J v): the Jacobian-vector product by the double-backward trick.

    g(u) = u^T J is linear in a dummy u; its gradient with respect to u, weighted by v, is J v."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    xs = _prepare(xs, create_graph)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("jvp: v can be omitted only for a single one-element input")
        vs = (zeros_like(xs[0]) + 1,)
    else:
        vs = _check_v(v, xs, "jvp", "inputs")
    out_tuple, outs = _call(func, xs, "jvp")
    with enable_grad():
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g = _grads(outs, xs, us, True, strict, "jvp")
    res = _grads(g, us, vs, create_graph, strict, "jvp", "output of the double backward")
    return _pack(out_tuple, _finish(outs, create_graph)), _pack(
        out_tuple, _finish(res, create_graph)
    )


# ----------------------------------------------------------------------------- jacobians
def _jacobian_rows(outs: tuple, xs: tuple, create_graph: bool, strict: bool) -> list:
    """jac[i][j] = d outs[i] / d xs[j], shape outs[i].shape + xs[j].shape, row by row."""
    jac = []
    for i, out in enumerate(outs):
        rows: list = [[] for _ in xs]
        n = out.numel()
        basis = eye(n, dtype=out.dtype, device=out.device)  # row k weights output element k
        for k in range(n):
            weights = tuple(
                basis[k].reshape(out.shape) if j == i else zeros_like(o) for j, o in enumerate(outs)
            )
            for j, g in enumerate(_grads(outs, xs, weights, create_graph, strict, "jacobian")):
                rows[j].append(g)
        jac.append(
            tuple(
                stack(r, 0).reshape(*out.shape, *x.shape)
                if n
                else zeros(*out.shape, *x.shape, dtype=x.dtype, device=x.device)
                for r, x in zip(rows, xs)
            )
        )
    return jac


def jacobian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of func at inputs: d out_i / d in_j has shape out_i.shape + in_j.shape.

    A Tensor when inputs and output are single Tensors; a tuple over whichever is a tuple; a
    tuple (outputs) of tuples (inputs) when both are."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got {strategy!r}"
        )
    if strategy == "forward-mode" and not vectorize:
        raise ValueError("jacobian: strategy='forward-mode' needs vectorize=True (as PyTorch)")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _call(func, xs, "jacobian")
    jac = [_finish(row, create_graph) for row in _jacobian_rows(outs, xs, create_graph, strict)]
    if out_tuple and in_tuple:
        return tuple(jac)
    if out_tuple:
        return tuple(row[0] for row in jac)
    return _pack(in_tuple, jac[0])


def hessian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar func: H[i][j] = d^2 f / d in_i d in_j, shape in_i.shape + in_j.shape.

    A Tensor for a single input, a tuple of tuples for a tuple of inputs."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args):
        _, outs = _call(func, args, "hessian")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError(
                f"hessian: func must return a single one-element Tensor, got shapes "
                f"{[tuple(o.shape) for o in outs]}"
            )
        return _grads(outs, args, (zeros_like(outs[0]) + 1,), True, strict, "hessian")

    res = jacobian(gradient, xs, create_graph, strict, vectorize, outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def vhp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """(func(inputs), v^T H) for a scalar func: the gradient of (grad f . v)."""
    return _hessian_product("vhp", func, inputs, v, create_graph, strict)


def hvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """(func(inputs), H v) for a scalar func (H is symmetric for smooth f, so H v = (v^T H)^T)."""
    return _hessian_product("hvp", func, inputs, v, create_graph, strict)


def _hessian_product(
    fn: str, func: Callable, inputs: Any, v: Any, create_graph: bool, strict: bool
) -> tuple:
    in_tuple, xs = _as_tuple(inputs, "inputs", fn)
    xs = _prepare(xs, create_graph)
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError(f"{fn}: v can be omitted only for a single one-element input")
        vs = (zeros_like(xs[0]) + 1,)
    else:
        vs = _check_v(v, xs, fn, "inputs")
    _, outs = _call(func, xs, fn)
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(
            f"{fn}: func must return a single one-element Tensor, got shapes "
            f"{[tuple(o.shape) for o in outs]}"
        )
    with enable_grad():
        g = _grads(outs, xs, (zeros_like(outs[0]) + 1,), True, strict, fn)
    res = _grads(g, xs, vs, create_graph, strict, fn, "gradient")
    return _finish(outs, create_graph)[0], _pack(in_tuple, _finish(res, create_graph))
