"""tg.compile on CUDA: the replay runs the same list through CuPy, optionally as a CUDA graph.
Skipped without a GPU (run them where the device tool lends one)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F

pytestmark = pytest.mark.skipif(not tg.cuda.is_available(), reason="needs CUDA and CuPy")


def _copies(opt_cls, **kw):
    out = []
    for _ in range(2):
        tg.manual_seed(0)
        m = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4)).to("cuda")
        out.append((m, opt_cls(m.parameters(), **kw)))
    return out


def _step(m, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _batch():
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((16, 8)).astype(np.float32), device="cuda")
    return x, tg.tensor(rng.integers(0, 4, 16), device="cuda")


@pytest.mark.parametrize("cuda_graph", [False, True])
def test_cuda_replay_matches_eager(cuda_graph):
    (m1, o1), (m2, o2) = _copies(optim.SGD, lr=0.1)
    eager, compiled = _step(m1, o1), tg.compile(_step(m2, o2), cuda_graph=cuda_graph)
    x, y = _batch()
    for _ in range(5):
        a, b = eager(x, y), compiled(x, y)
        assert np.array_equal(a.detach().cpu().numpy(), b.cpu().numpy())
    assert compiled.replays >= 3 and "cp." in compiled.source
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.detach().cpu().numpy(), q.detach().cpu().numpy())


def test_cuda_graph_refuses_python_state():
    (m, o), _ = _copies(optim.Adam, lr=1e-3)
    step = tg.compile(_step(m, o), cuda_graph=True)
    x, y = _batch()
    step(x, y), step(x, y)  # warm-up (Adam creates its state), trace
    with pytest.raises(RuntimeError, match="step count"):
        step(x, y)
