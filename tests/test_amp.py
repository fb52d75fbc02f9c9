"""tinygrad_edu.amp: autocast's op lists and GradScaler's dynamics, against torch.autocast('cpu')
and torch.amp.GradScaler('cpu'). bfloat16 tests need the optional ml_dtypes package."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5)).astype(np.float32)
W = RNG.standard_normal((3, 5)).astype(np.float32)
IMG = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
CW = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)

try:
    import ml_dtypes  # noqa: F401

    DTYPES = ["float16", "bfloat16"]
except ImportError:  # pragma: no cover - the amp extra is not installed
    DTYPES = ["float16", pytest.param("bfloat16", marks=pytest.mark.skip("ml_dtypes missing"))]


def _ops(lib, Fn, dtype):
    """The same ops under autocast in either library; returns {name: output}."""
    x, w, img, cw = (lib.tensor(a) for a in (X, W, IMG, CW))
    t, half = lib.tensor([0, 1, 2, 0]), lib.ones(4, 3) / 2
    with lib.autocast("cpu", dtype=dtype):
        y = Fn.linear(x, w)
        return {
            "matmul": x @ w.T,
            "linear": y,
            "conv2d": Fn.conv2d(img, cw),
            "relu": Fn.relu(y),
            "add_fp32": y + x[:, :3],
            "cross_entropy": Fn.cross_entropy(y, t),
            "mse_loss": Fn.mse_loss(y, y.detach()),
            "nll_loss": Fn.nll_loss(y, t),
            "l1_loss": Fn.l1_loss(y, y.detach()),
            "bce": Fn.binary_cross_entropy(y.sigmoid(), half),
            "bce_with_logits": Fn.binary_cross_entropy_with_logits(y, half),
            "layer_norm": Fn.layer_norm(y, (3,), lib.ones(3), lib.zeros(3)),
            "softmax": Fn.softmax(y, 1),
            "log_softmax": Fn.log_softmax(y, 1),
        }


@pytest.mark.parametrize("name", DTYPES)
def test_autocast_op_dtypes_and_values_match_torch_cpu(name):
    ours, theirs = _ops(tg, F, getattr(tg, name)), _ops(torch, TF, getattr(torch, name))
    bf16_float32: set = set()  # softmax/log_softmax/layer_norm cast NumPy's float32 sums back
    tol = 1e-2 if name == "bfloat16" else 2e-3
    for op, t in theirs.items():
        expected = "float32" if op in bf16_float32 else str(t.dtype).replace("torch.", "")
        assert str(ours[op].dtype) == expected, op
        np.testing.assert_allclose(
            ours[op].detach().float().numpy(),
            t.detach().float().numpy(),
            rtol=tol,
            atol=tol,
            err_msg=op,
        )


def test_autocast_leaves_float64_and_restores_state():
    x = tg.randn(2, 3, dtype=tg.float64)
    with tg.amp.autocast("cpu", dtype=tg.float16):
        assert (x @ x.T).dtype == tg.float64
        with tg.amp.autocast("cpu", enabled=False):  # a float32 island
            assert (tg.randn(2, 3) @ tg.randn(3, 2)).dtype == tg.float32
        assert (tg.randn(2, 3) @ tg.randn(3, 2)).dtype == tg.float16
    assert (tg.randn(2, 3) @ tg.randn(3, 2)).dtype == tg.float32

    @tg.amp.autocast("cpu", dtype=tg.float16)
    def forward(a, b):
        return a @ b

    assert forward(tg.randn(2, 3), tg.randn(3, 2)).dtype == tg.float16
    assert (tg.randn(2, 3) @ tg.randn(3, 2)).dtype == tg.float32


def test_autocast_arguments():
    with pytest.raises(RuntimeError, match="device_type must be 'cpu' or 'cuda'"):
        tg.amp.autocast("tpu")
    with pytest.raises(RuntimeError, match="only float16 and bfloat16 are supported"):
        tg.amp.autocast("cpu", dtype=tg.float64)
    assert tg.autocast is tg.amp.autocast and tg.amp.is_autocast_available("cpu")


@pytest.mark.parametrize("name", DTYPES)
def test_autocast_training_step_gradients_match_torch(name):
    lin = nn.Linear(5, 3)
    tlin = torch.nn.Linear(5, 3)
    with torch.no_grad():
        tlin.weight.copy_(torch.tensor(lin.weight.detach().numpy()))
        tlin.bias.copy_(torch.tensor(lin.bias.detach().numpy()))
    t = [0, 1, 2, 0]
    with tg.amp.autocast("cpu", dtype=getattr(tg, name)):
        loss = F.cross_entropy(lin(tg.tensor(X)), tg.tensor(t))
    with torch.autocast("cpu", dtype=getattr(torch, name)):
        tloss = TF.cross_entropy(tlin(torch.tensor(X)), torch.tensor(t))
    loss.backward()
    tloss.backward()
    assert lin.weight.grad.dtype == tg.float32  # gradients come back in the parameters' dtype
    tol = 2e-2 if name == "bfloat16" else 2e-3
    np.testing.assert_allclose(
        lin.weight.grad.numpy(), tlin.weight.grad.numpy(), rtol=tol, atol=tol
    )
    np.testing.assert_allclose(lin.bias.grad.numpy(), tlin.bias.grad.numpy(), rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- GradScaler
def test_grad_scaler_dynamics_match_torch():
    """Scaled gradients with overflows on chosen steps: the skipped steps, the scale sequence
    (backoff, growth every growth_interval clean steps), the parameters and state_dict agree."""
    kwargs = dict(init_scale=2.0**10, growth_factor=4.0, backoff_factor=0.25, growth_interval=3)
    scaler, tscaler = tg.amp.GradScaler("cpu", **kwargs), torch.amp.GradScaler("cpu", **kwargs)
    p, tp = tg.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    opt, topt = optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    scales = []
    for step in range(14):
        scaler.scale(tg.ones(()))  # what scaler.scale(loss).backward() would do first
        tscaler.scale(torch.ones(()))
        g = rng.standard_normal(3).astype(np.float32) * np.float32(scaler.get_scale())
        if step in (2, 7, 8):
            g[1] = np.inf if step != 8 else np.nan
        p.grad, tp.grad = tg.tensor(g), torch.tensor(g)
        if step % 2:  # unscale_ first (as for gradient clipping), then step
            scaler.unscale_(opt)
            tscaler.unscale_(topt)
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)
        scaler.step(opt)
        tscaler.step(topt)
        scaler.update()
        tscaler.update()
        scales.append(scaler.get_scale())
        assert scaler.get_scale() == tscaler.get_scale(), step
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert scales[2] == 2.0**10 / 4 and scales[5] == 2.0**10  # backed off, then grew x4
    assert scaler.state_dict() == tscaler.state_dict()


def test_grad_scaler_errors_and_state_dict():
    scaler = tg.amp.GradScaler("cpu")
    p = tg.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(RuntimeError, match="did not use scaler.scale"):
        scaler.update()
    loss = scaler.scale((p * 2).sum())
    assert loss.item() == 0.0 and scaler.get_scale() == 2.0**16
    loss.backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    scaler.update()
    assert p.grad.tolist() == [2.0, 2.0]  # unscaled
    sd = scaler.state_dict()
    other = tg.amp.GradScaler("cpu", init_scale=1.0)
    other.load_state_dict(sd)
    assert other.state_dict() == sd
    off = tg.amp.GradScaler("cpu", enabled=False)
    assert off.state_dict() == {} and off.scale(loss) is loss and off.get_scale() == 1.0
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        other.load_state_dict({})
    with pytest.raises(ValueError, match="growth factor must be > 1.0"):
        tg.amp.GradScaler("cpu", growth_factor=1.0)
