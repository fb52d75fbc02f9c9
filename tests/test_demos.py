"""Every demo runs with --quick (as CI does) and writes its figures and metrics."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"
NEEDS_DATA = {"03_mnist_mlp", "05_regularisation", "06_normalisation", "07_optimizers_fashion",
              "09_residual_cnn_mnist"}  # fmt: skip
OPTIONAL = {"graph.svg", "scalar_graph.svg", "neuron_graph.svg",
            "eager_graph.png"}  # fmt: skip  # need the graphviz program
EXPECTED = {
    "quickstart": ["curves.png", "graph.svg", "history.csv", "model.npz", "metrics.json"],
    "01_perceptron_iris": ["setosa_epoch01.png", "mistakes.png", "softmax_curves.png",
                           "metrics.json"],
    "02_micrograd_xor_moons": ["scalar_graph.svg", "neuron_graph.svg", "xor_relu.png",
                               "moons_swish.png", "xor_curves.png", "metrics.json"],
    "03_mnist_mlp": ["classic_curves.png", "plain_curves.png", "compare.png",
                     "first_layer_weights.png", "confusion.png", "metrics.json"],
    "04_activations": ["activations.png", "activation_training.png", "vanishing_gradients.png",
                       "grad_flow_sigmoid.png", "metrics.json"],
    "05_regularisation": ["fitting.png", "l2_sweep.png", "dropout_sweep.png",
                          "early_stopping.png", "metrics.json"],
    "06_normalisation": ["normalisation.png", "metrics.json"],
    "07_optimizers_fashion": ["optimizers.png", "schedules.png", "clipping.png",
                              "best_curves.png", "metrics.json"],
    "08_diagnostics": ["diagnostics.png", "grad_flow_deep_sigmoid.png", "overfit_one_batch.png",
                       "checklist.txt", "metrics.json"],
    "09_residual_cnn_mnist": ["curves.png", "conv_kernels.png", "confusion.png", "graph.svg",
                              "model.npz", "metrics.json"],
    "10_gradcheck": ["softsign.png", "gradcheck.txt"],
    "20_compile_two_layer": ["compile_side_by_side.png", "train_step_code.py", "eager_graph.png",
                             "two_layer_step.py", "two_layer_step.npz", "metrics.json"],
}  # fmt: skip
PHRASES = {
    "03_mnist_mlp": "near 93.5% after 10 epochs in PyTorch too",
    "08_diagnostics": "FAIL",
    "10_gradcheck": "the buggy backward is caught",
    "20_compile_two_layer": "largest weight difference 0;",
}


def test_every_lab_has_a_demo():
    found = {p.stem for p in DEMOS.glob("*.py") if not p.stem.startswith("_")}
    assert set(EXPECTED) <= found


def _run(name: str, out: Path, data: Path | None, env_extra: dict | None = None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.pop("TINYGRAD_EDU_DATA", None)
    if data is not None:
        env["TINYGRAD_EDU_DATA"] = str(data)
    env.update(env_extra or {})
    cmd = [sys.executable, str(DEMOS / f"{name}.py"), "--quick", "--out", str(out)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """Start all demos at once (three at a time) and hand each test its finished process."""
    root = tmp_path_factory.mktemp("demos")
    shared = Path(os.environ.get("TINYGRAD_EDU_TEST_DATA",
                                 ROOT.parent / "shared" / "datasets"))  # fmt: skip
    data = shared if shared.exists() else None
    pool = ThreadPoolExecutor(max_workers=3)
    futures = {}
    for name in EXPECTED:
        if name in NEEDS_DATA and data is None:
            continue
        futures[name] = (pool.submit(_run, name, root / name, data), root / name)
    yield futures
    pool.shutdown(wait=True)


def _has_dot() -> bool:
    from shutil import which

    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return which("dot") is not None


@pytest.mark.parametrize("name", list(EXPECTED))
def test_demo_quick_run(name, demo_runs):
    if name not in demo_runs:
        pytest.skip("the MNIST / Fashion-MNIST files are not available (see tests/conftest.py)")
    future, out = demo_runs[name]
    done = future.result()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    for filename in EXPECTED[name]:
        if filename in OPTIONAL and not _has_dot():
            continue
        assert (out / filename).is_file(), f"{name} did not write {filename}"
    if name in PHRASES:
        assert PHRASES[name] in done.stdout


def test_demo_without_data_says_where_to_put_it(tmp_path):
    done = _run("06_normalisation", tmp_path / "out", tmp_path / "empty",
                {"XDG_CACHE_HOME": str(tmp_path / "cache")})  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--data-dir" in lines[0] and "Traceback" not in done.stderr
