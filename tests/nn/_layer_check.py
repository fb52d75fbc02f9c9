"""Differential checks of nn layers against torch.nn: copy the weights over, run both on the same
input, push the same random upstream gradient back, and compare the output and every gradient."""

from __future__ import annotations

import os

import numpy as np
import torch
from hypothesis import HealthCheck, settings

from tinygrad_edu import Tensor

# NN_MAX_EXAMPLES=200 runs a deeper search (the default keeps the whole nn suite fast)
FAST = settings(
    max_examples=int(os.environ.get("NN_MAX_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def rand(seed: int, *shape, scale: float = 1.0, dtype=np.float32) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def assert_close(ours, theirs, rtol: float = 1e-4, atol: float = 1e-5, what: str = "") -> None:
    """allclose with atol relative to the magnitude of the reference."""
    ours = np.asarray(ours.detach().numpy() if isinstance(ours, Tensor) else ours)
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    scale = max(1.0, float(np.abs(theirs).max())) if theirs.size else 1.0
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol * scale, err_msg=what)


def copy_to_torch(ours, theirs) -> None:
    """Load our module's state (parameters and buffers) into the torch module."""
    sd = {k: torch.tensor(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(sd)


def check_layer(
    ours,
    theirs,
    x: np.ndarray,
    device: str = "cpu",
    seed: int = 0,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    input_grad: bool = True,
    copy: bool = True,
):
    """Forward and backward through both layers; compare outputs, input and parameter grads.

    Returns (our output, torch output) for further checks."""
    if copy:
        copy_to_torch(ours, theirs)
    xt = Tensor(x, device=device, requires_grad=input_grad and x.dtype.kind == "f")
    xT = torch.tensor(x, requires_grad=input_grad and x.dtype.kind == "f")
    out, ref = ours(xt), theirs(xT)
    assert out.device == device
    assert_close(out.to("cpu"), ref, rtol, atol, "output")
    g = rand(seed + 1, *out.shape).astype(np.float32)
    out.backward(Tensor(g, dtype=out.dtype, device=device))
    ref.backward(torch.tensor(g, dtype=ref.dtype))
    if xt.requires_grad:
        assert_close(xt.grad.to("cpu"), xT.grad, rtol, atol, "input gradient")
    theirs_params = dict(theirs.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(theirs_params), (names, list(theirs_params))
    for name, p in ours.named_parameters():
        tp = theirs_params[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
            continue
        assert p.grad is not None, f"no gradient for {name}"
        assert_close(p.grad.to("cpu"), tp.grad, rtol, atol, f"gradient of {name}")
    return out, ref
