"""Every lab runs with --quick (as CI does) and writes its figures and metrics; the notebooks in
docs/labs/ match the scripts and (opt-in, slow) execute."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS, LABS = ROOT / "demos", ROOT / "docs" / "labs"
# every lab found, so that new labs are tested without touching this file
NAMES = sorted(p.stem for p in DEMOS.glob("[0-9][0-9]_*.py")) + ["quickstart", "cpu_vs_gpu"]
OPTIONAL = {
    "graph.svg",
    "scalar_graph.svg",
    "neuron_graph.svg",
    "eager_graph.png",
}  # need the graphviz program
EXPECTED = {
    "quickstart": ["curves.png", "graph.svg", "history.csv", "model.npz", "metrics.json"],
    "cpu_vs_gpu": ["cpu_vs_gpu.png", "timings.json"],
    "01_perceptron_iris": [
        "setosa_epoch01.png",
        "versicolor_epoch08.png",
        "mistakes.png",
        "scaling.png",
        "softmax_curves.png",
        "metrics.json",
    ],
    "02_micrograd_xor_moons": [
        "scalar_graph.svg",
        "neuron_graph.svg",
        "xor_relu.png",
        "moons_swish.png",
        "xor_curves.png",
        "metrics.json",
    ],
    "03_mnist_mlp": [
        "classic_curves.png",
        "plain_curves.png",
        "compare.png",
        "first_layer_weights.png",
        "confusion.png",
        "metrics.json",
    ],
    "04_activations": [
        "activations.png",
        "activation_training.png",
        "vanishing_gradients.png",
        "grad_flow_sigmoid.png",
        "metrics.json",
    ],
    "05_regularisation": [
        "fitting.png",
        "l2_sweep.png",
        "dropout_sweep.png",
        "early_stopping.png",
        "metrics.json",
    ],
    "06_normalisation": ["normalisation.png", "metrics.json"],
    "07_optimizers_fashion": [
        "optimizers.png",
        "schedules.png",
        "clipping.png",
        "best_curves.png",
        "metrics.json",
    ],
    "08_diagnostics": [
        "diagnostics.png",
        "dead_relus_lr3.png",
        "grad_flow_deep_sigmoid.png",
        "overfit_one_batch.png",
        "checklist.txt",
        "metrics.json",
    ],
    "09_residual_cnn_mnist": [
        "curves.png",
        "conv_kernels.png",
        "confusion.png",
        "graph.svg",
        "model.npz",
        "metrics.json",
    ],
    "10_gradcheck": ["softsign.png", "gradcheck.txt"],
    "11_loss_landscape": [
        "interpolation.png",
        "contours.png",
        "surfaces.png",
        "metrics.json",
        "report.txt",
    ],
    "12_from_scratch": ["activations.png", "metrics.json", "report.txt"],
    "13_init_and_depth": [
        "init_signal.png",
        "init_training.png",
        "depth.png",
        "metrics.json",
        "report.txt",
    ],
    "14_losses": [
        "loss_gradients.png",
        "classification.png",
        "huber.png",
        "metrics.json",
        "report.txt",
    ],
    "15_optimizer_sweeps": [
        "lr_sweep.png",
        "lr_find.png",
        "sgd_vs_adam.png",
        "metrics.json",
        "report.txt",
    ],
    "16_augmentation_batchnorm": ["curves.png", "gaps.png", "metrics.json", "report.txt"],
    "17_transfer_learning": ["filters.png", "transfer.png", "metrics.json", "report.txt"],
    "18_activation_stats": [
        "dead_and_saturated.png",
        "activations_relu.png",
        "activations_relu_high_lr.png",
        "activations_sigmoid.png",
        "first_layer_weights.png",
        "metrics.json",
        "report.txt",
    ],
    "19_mixed_precision": ["underflow.png", "fp16_training.png", "metrics.json", "report.txt"],
    "20_compile_two_layer": [
        "compile_side_by_side.png",
        "train_step_code.py",
        "eager_graph.png",
        "two_layer_step.py",
        "two_layer_step.npz",
        "metrics.json",
    ],
}
PHRASES = {  # conclusions the quick runs reach; each is computed from the run's numbers
    "01_perceptron_iris": ["separates the classes from epoch", "never separated"],
    "03_mnist_mlp": ["momentum 0.9 beats plain SGD"],
    "08_diagnostics": ["of the ReLUs are dead", "FAIL", "PASS"],
    "09_residual_cnn_mnist": ["every class predicted"],
    "10_gradcheck": ["the buggy backward is caught"],
    "12_from_scratch": ["(step-equal)"],
    "13_init_and_depth": ["the symmetry was never broken"],
    "14_losses": ["MSE barely corrects"],
    "19_mixed_precision": ["(equal up to rounding)"],
    "20_compile_two_layer": ["largest weight difference 0;"],
}


def needs_data(name: str) -> bool:
    """A lab that loads MNIST / Fashion-MNIST (the built-in digits and iris need no files)."""
    source = (DEMOS / f"{name}.py").read_text(encoding="utf-8")
    return re.search(r'_common\.load\((?!"(digits|iris)")', source) is not None


def test_every_lab_has_a_demo():
    assert set(EXPECTED) <= set(NAMES)


def _run(name: str, out: Path, data: Path | None, env_extra: dict | None = None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.pop("TINYGRAD_EDU_DATA", None)
    if data is not None:
        env["TINYGRAD_EDU_DATA"] = str(data)
    env.update(env_extra or {})
    cmd = [sys.executable, str(DEMOS / f"{name}.py"), "--quick", "--out", str(out)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)


def _datasets() -> Path | None:
    shared = Path(os.environ.get("TINYGRAD_EDU_TEST_DATA", ROOT.parent / "shared" / "datasets"))
    return shared if shared.exists() else None


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """Start all demos at once (three at a time) and hand each test its finished process."""
    root = tmp_path_factory.mktemp("demos")
    data = _datasets()
    pool = ThreadPoolExecutor(max_workers=3)
    futures = {}
    for name in NAMES:
        if needs_data(name) and data is None:
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


@pytest.mark.parametrize("name", NAMES)
def test_demo_quick_run(name, demo_runs):
    if name not in demo_runs:
        pytest.skip("the MNIST / Fashion-MNIST files are not available (see tests/conftest.py)")
    future, out = demo_runs[name]
    done = future.result()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    for filename in EXPECTED.get(name, []):
        if filename in OPTIONAL and not _has_dot():
            continue
        assert (out / filename).is_file(), f"{name} did not write {filename}"
    pictures = list(out.glob("*.png"))
    assert pictures, f"{name} wrote no picture"
    assert all(p.stat().st_size > 1000 for p in pictures), "an empty picture"
    for phrase in PHRASES.get(name, []):
        assert phrase in done.stdout, f"{name}: {phrase!r} not in its output"


def test_demo_without_data_says_where_to_put_it(tmp_path):
    done = _run(
        "06_normalisation",
        tmp_path / "out",
        tmp_path / "empty",
        {"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--data-dir" in lines[0] and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------- notebooks
NOTEBOOKS = [n for n in NAMES if n != "cpu_vs_gpu"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lab_is_in_percent_format(name):
    """`# %%` code cells and `# %% [markdown]` cells holding only comments (code left inside a
    markdown cell would never run in the notebook)."""
    lines = (DEMOS / f"{name}.py").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# %% [markdown]" and lines[1].startswith("# # "), "start with a title"
    in_markdown = False
    for number, line in enumerate(lines, 1):
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif in_markdown and line.strip() and not line.startswith("#"):
            pytest.fail(f"demos/{name}.py:{number}: code inside a markdown cell: {line!r}")
    assert sum(line.startswith("# %%") for line in lines) >= 4, "too few cells to read well"


def test_notebooks_match_the_scripts():
    """docs/labs/*.ipynb are generated from demos/ by docs/make_labs.py and kept current."""
    pytest.importorskip("jupytext")
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_labs.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes_quick(name, tmp_path, monkeypatch):
    """Run a lab's notebook in a Jupyter kernel on --quick settings (TINYGRAD_EDU_QUICK=1)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    data = _datasets()
    if needs_data(name) and data is None:
        pytest.skip("the MNIST / Fashion-MNIST files are not available")
    for key, value in {
        "TINYGRAD_EDU_QUICK": "1",
        "TINYGRAD_EDU_OUT": str(tmp_path),
        "MPLBACKEND": "Agg",
        "TINYGRAD_EDU_DATA": str(data or ""),
    }.items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(LABS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(LABS)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "[--quick]" in text, "the notebook did not pick up TINYGRAD_EDU_QUICK=1"
    assert any("image/png" in o.get("data", {}) for o in outputs), "no picture shown"
    assert list((tmp_path / name).iterdir()), "nothing written to TINYGRAD_EDU_OUT"
