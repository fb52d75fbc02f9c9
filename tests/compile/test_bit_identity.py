"""tg.compile replays are bit-identical to eager steps: N eager steps on one copy of a model and N
compiled steps on an identical copy give exactly equal losses, parameters, optimizer state and
BatchNorm running statistics (np.array_equal, no tolerance)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F


def _state(model, opt):
    """Every array and number a step can change: parameters, buffers, optimizer state, grads."""
    out = {f"m.{k}": v.data.copy() for k, v in model.state_dict().items()}
    for i, p in enumerate(model.parameters()):
        out[f"grad{i}"] = None if p.grad is None else p.grad.data.copy()
    for i, (p, st) in enumerate(opt.state.items()):
        for k, v in st.items():
            out[f"opt{i}.{k}"] = v.data.copy() if hasattr(v, "data") else v
    return out


def _assert_same(a: dict, b: dict, where: str) -> None:
    assert a.keys() == b.keys(), where
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray):
            assert y is not None and x.dtype == y.dtype and np.array_equal(x, y), f"{where}: {k}"
        else:
            assert type(x) is type(y) and x == y, f"{where}: {k} {x!r} != {y!r}"


def _run(make, loss_fn, batches, before_step=None, steps=6):
    """Eager and compiled runs from identical copies; compare after every step."""
    copies = []
    for _ in range(2):
        tg.manual_seed(123)
        model, opt, sched = make()
        copies.append((model, opt, sched))

    def step_of(model, opt):
        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model, x, y)
            loss.backward()
            opt.step()
            return loss

        return step

    eager = step_of(*copies[0][:2])
    compiled = tg.compile(step_of(*copies[1][:2]))
    for k in range(steps):
        x, y = batches[k % len(batches)]
        outs = []
        for fn, (model, opt, sched) in ((eager, copies[0]), (compiled, copies[1])):
            if before_step is not None:
                before_step(opt, k)
            tg.manual_seed(1000 + k)  # the same dropout stream for both
            outs.append(fn(x, y))
            if sched is not None:
                sched.step()
        assert np.array_equal(outs[0].data, outs[1].data), f"loss differs at step {k}"
        _assert_same(_state(*copies[0][:2]), _state(*copies[1][:2]), f"step {k}")
    assert compiled.replays >= steps - 3, compiled
    return compiled


def _batches(shape, classes, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [
        (
            tg.tensor(rng.standard_normal(shape).astype(np.float32)),
            tg.tensor(rng.integers(0, classes, shape[0])),
        )
        for _ in range(n)
    ]


def _ce(model, x, y):
    return F.cross_entropy(model(x), y)


def test_mlp_sgd_nesterov():
    def make():
        m = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5))
        return m, optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True), None

    step = _run(make, _ce, _batches((16, 20), 5))
    assert "# ---- backward" in step.source and "# ---- optimizer step" in step.source


def test_cnn_batchnorm_dropout_adam():
    def make():
        m = nn.Sequential(
            nn.Conv2d(1, 4, 3),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(0.3),
            nn.Linear(4 * 3 * 3, 3),
        )
        return m, optim.Adam(m.parameters(), lr=1e-2), None

    _run(make, _ce, _batches((8, 1, 8, 8), 3))


def test_tiny_tanh_mlp_mse():
    def make():
        m = nn.Sequential(
            nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)
        )
        return m, optim.SGD(m.parameters(), lr=0.1), None

    rng = np.random.default_rng(1)
    data = [
        (
            tg.tensor(rng.standard_normal((8, 2)).astype(np.float32)),
            tg.tensor(rng.standard_normal((8, 1)).astype(np.float32)),
        )
    ]
    _run(make, lambda m, x, y: F.mse_loss(m(x), y), data)


def test_moons_svm_loss_with_lr_set_outside():
    """micrograd's demo: hinge loss + L2, learning rate 1 - 0.9 k / 100 set before each step."""

    def make():
        m = nn.Sequential(
            nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
        )
        return m, optim.SGD(m.parameters(), lr=1.0), None

    def svm(m, x, y):
        scores = m(x).reshape(-1)
        data_loss = (1 + -y * scores).relu().mean()
        reg = sum((p * p).sum() for p in m.parameters())
        return data_loss + 1e-4 * reg

    def set_lr(opt, k):
        opt.param_groups[0]["lr"] = 1.0 - 0.9 * k / 100

    rng = np.random.default_rng(2)
    x = tg.tensor(rng.standard_normal((32, 2)).astype(np.float32))
    y = tg.tensor(np.sign(rng.standard_normal(32)).astype(np.float32))
    step = _run(make, svm, [(x, y)], before_step=set_lr, steps=8)
    assert step.traces == 1  # the learning rate is an input of the replay, not a constant


OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd_momentum_dampening_wd": lambda ps: optim.SGD(
        ps, lr=0.1, momentum=0.8, dampening=0.1, weight_decay=1e-3
    ),
    "sgd_maximize": lambda ps: optim.SGD(ps, lr=0.01, momentum=0.5, maximize=True),
    "adam": lambda ps: optim.Adam(ps, lr=1e-2, weight_decay=1e-3),
    "adam_amsgrad": lambda ps: optim.Adam(ps, lr=1e-2, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps, lr=1e-2),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=1e-3),
    "rmsprop_centered_momentum": lambda ps: optim.RMSprop(ps, lr=1e-3, centered=True, momentum=0.9),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=1e-3),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_each_optimizer(name):
    def make():
        m = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
        return m, OPTIMIZERS[name](m.parameters()), None

    _run(make, _ce, _batches((10, 6), 3))


@pytest.mark.parametrize("sched", ["step", "exponential", "cosine"])
def test_scheduler_between_replays(sched):
    def make():
        m = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))
        opt = optim.Adam(m.parameters(), lr=1e-2)
        s = {
            "step": lambda: optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
            "exponential": lambda: optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
            "cosine": lambda: optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20),
        }[sched]()
        return m, opt, s

    step = _run(make, _ce, _batches((10, 6), 3), steps=8)
    assert step.traces <= 2  # warm-up (Adam creates its state) + one trace
