"""Differential checks against PyTorch (imported lazily: only these functions need torch).

compare_with_torch runs the same function in both libraries on the same arrays, compares the
outputs, then backpropagates the same random upstream gradient through both and compares the
gradients of every floating-point input. A random upstream gradient (not .sum()) is what exposes
bugs in softmax/normalisation backwards, whose rows of the Jacobian sum to zero.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import autograd
from ..tensor import Tensor


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "compare_with_torch needs PyTorch: pip install 'tinygrad_edu[test]' (CPU wheel: "
            "pip install torch)"
        ) from None
    return torch


def _flat(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _assert_close(name: str, ours, theirs, atol: float, rtol: float) -> None:
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    if ours.shape != theirs.shape:
        raise AssertionError(f"{name}: shape {ours.shape} vs PyTorch's {theirs.shape}")
    if ours.dtype.kind == "b" or theirs.dtype.kind == "b" or ours.dtype.kind in "iu":
        if not np.array_equal(ours, theirs):
            bad = np.argwhere(ours != theirs)[0]
            raise AssertionError(
                f"{name}: differs from PyTorch at {tuple(bad)}: "
                f"{ours[tuple(bad)]} vs {theirs[tuple(bad)]}"
            )
        return
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    nan_mismatch = np.isnan(a) != np.isnan(b)
    err = np.where(np.isnan(a) & np.isnan(b), 0.0, np.abs(a - b) - (atol + rtol * np.abs(b)))
    err = np.where(np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b)), 0.0, err)
    if a.size and (np.any(err > 0) or np.any(nan_mismatch) or np.any(np.isnan(err))):
        err = np.where(nan_mismatch | np.isnan(err), np.inf, err)
        worst = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"{name}: worst mismatch at {tuple(int(i) for i in worst)}: {a[worst]:.8g} vs "
            f"PyTorch {b[worst]:.8g} (|diff| {abs(a[worst] - b[worst]):.3g}, atol={atol}, "
            f"rtol={rtol})"
        )


def compare_with_torch(
    tg_fn: Callable,
    torch_fn: Callable,
    *arrays,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
    backward: bool = True,
    device: str = "cpu",
) -> None:
    """Check tg_fn(*tensors) against torch_fn(*torch_tensors): outputs and input gradients.

    `arrays` are NumPy arrays; floating ones become requires_grad inputs in both libraries. Raises
    AssertionError naming the output or input and the worst element.
    """
    torch = _torch()
    arrays = [np.asarray(a) for a in arrays]
    ours = [
        Tensor(a, requires_grad=a.dtype.kind == "f" and backward, device=device) for a in arrays
    ]
    theirs = [torch.tensor(a, requires_grad=a.dtype.kind == "f" and backward) for a in arrays]
    out_ours = _flat(tg_fn(*ours))
    out_theirs = _flat(torch_fn(*theirs))
    if len(out_ours) != len(out_theirs):
        raise AssertionError(f"{len(out_ours)} outputs vs PyTorch's {len(out_theirs)}")
    for k, (o, t) in enumerate(zip(out_ours, out_theirs)):
        _assert_close(f"output {k}", o.detach().numpy(), t.detach().cpu().numpy(), atol, rtol)
    if not backward:
        return
    rng = np.random.default_rng(seed)
    pairs = [(o, t) for o, t in zip(out_ours, out_theirs) if o.requires_grad and t.requires_grad]
    if not pairs:
        return
    gs = [rng.standard_normal(o.shape).astype(o.dtype) for o, _ in pairs]
    wrt = [(i, x) for i, x in enumerate(ours) if x.requires_grad]
    g_ours = autograd.grad(
        [o for o, _ in pairs],
        [x for _, x in wrt],
        grad_outputs=[Tensor(g, device=device) for g in gs],
        allow_unused=True,
    )
    t_wrt = [theirs[i] for i, _ in wrt]
    g_theirs = torch.autograd.grad(
        [t for _, t in pairs], t_wrt, grad_outputs=[torch.tensor(g) for g in gs], allow_unused=True
    )
    for (i, x), a, b in zip(wrt, g_ours, g_theirs):
        a = np.zeros(x.shape, x.dtype) if a is None else a.numpy()
        b = np.zeros(x.shape, x.dtype) if b is None else b.numpy()
        scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
        _assert_close(f"gradient of input {i}", a, b, atol * scale, rtol)


def as_torch_function(fn: Callable):
    """Wrap a tinygrad_edu function as a torch.autograd.Function, so torch.autograd.gradcheck can
    check our backward from PyTorch's side: forward runs fn on copies of the inputs, backward
    returns tinygrad_edu's vector-Jacobian product.

        f = as_torch_function(lambda x: x.tanh() * 2)
        torch.autograd.gradcheck(f, (torch.randn(3, dtype=torch.float64, requires_grad=True),))
    """
    torch = _torch()

    class Wrapped(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *xs):
            ins = [
                Tensor(x.detach().cpu().numpy(), requires_grad=x.dtype.is_floating_point)
                for x in xs
            ]
            out = fn(*ins)
            ctx.tg_inputs, ctx.tg_output = ins, out
            return torch.from_numpy(out.detach().numpy().copy())

        @staticmethod
        def backward(ctx, grad_out):
            wrt = [x for x in ctx.tg_inputs if x.requires_grad]
            grads = autograd.grad(
                ctx.tg_output,
                wrt,
                grad_outputs=Tensor(grad_out.detach().cpu().numpy()),
                retain_graph=True,
                allow_unused=True,
            )
            it = iter(grads)
            result = []
            for x in ctx.tg_inputs:
                g = next(it) if x.requires_grad else None
                result.append(None if g is None else torch.from_numpy(g.numpy().copy()))
            return tuple(result)

    def apply(*xs):
        return Wrapped.apply(*xs)

    apply.__name__ = getattr(fn, "__name__", "tinygrad_edu_function")
    return apply
