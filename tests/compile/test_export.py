"""compiled.export(): a NumPy-only script that reproduces the compiled step bit for bit."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F


def _run_script(path, steps: int) -> list:
    # -I: isolated mode, so the script cannot import tinygrad_edu from the working directory
    code = (
        "import sys, builtins; real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    assert not name.startswith(('tinygrad_edu', 'torch')), name\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        f"sys.argv = [{str(path)!r}, '{steps}']\n"
        f"exec(compile(open({str(path)!r}).read(), {str(path)!r}, 'exec'), "
        "{'__name__': '__main__', '__file__': " + repr(str(path)) + "})\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(path.parent),
    )
    assert out.returncode == 0, out.stderr
    return [float(line.split(": ")[1]) for line in out.stdout.splitlines()]


@pytest.mark.parametrize("kind", ["mlp_momentum", "dropout_adam"])
def test_exported_script_reproduces_the_compiled_steps(tmp_path, kind):
    tg.manual_seed(0)
    if kind == "mlp_momentum":
        model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 3))
        opt = optim.Adam(model.parameters(), lr=1e-2)

    @tg.compile
    def train_step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((12, 5)).astype(np.float32))
    y = tg.tensor(rng.integers(0, 3, 12))
    for _ in range(3):
        train_step(x, y)
    script = tmp_path / "mlp_step.py"
    train_step.export(str(script), x, y)
    text = script.read_text()
    assert "import numpy as np" in text and "tinygrad_edu" not in text.split('"""')[2]
    losses = _run_script(script, 4)
    want = [train_step(x, y).item() for _ in range(4)]
    assert losses == want
    saved = np.load(tmp_path / "mlp_step.out.npz")
    live = train_step.last.externals
    for name, (_, code) in live.items():
        assert np.array_equal(saved[name], eval(code, train_step.last.namespace)), name


def test_export_refuses_ops_without_template(tmp_path):
    f = tg.compile(lambda x: x.logsumexp(0))
    f(tg.randn(4))
    with pytest.raises(RuntimeError, match="no NumPy template for LogSumExp"):
        f.export(str(tmp_path / "s.py"))
    with pytest.raises(ValueError, match=r"end in \.py"):
        f.export(str(tmp_path / "s.txt"))
