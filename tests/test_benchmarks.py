"""benchmarks/run.py runs end to end: every workload is printed and a RESULTS file is written.

Correctness only: the smallest sizes (--quick --smoke), one repetition, no timing assertions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("threadpoolctl")

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
WORKLOADS = (
    "mlp64",
    "mlp512",
    "cnn",
    "bn_mlp",
    "ln_mlp",
    "tiny_mlp",
    "tiny_mlp8",
    "moons",
    "chain",
    "chain_bwd",
    "mnist_epoch",
    "scalar_mlp",
)


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, str(RUN), *args],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        env=env,
        timeout=timeout,
    )


def test_quick_run_prints_every_workload_and_writes_results(tmp_path):
    out = tmp_path / "RESULTS.md"
    p = _run(
        "--quick",
        "--smoke",
        "--repeat",
        "1",
        "--no-memory",
        "--profile",
        "tiny_mlp",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr[-3000:]
    for name in WORKLOADS:  # mnist_epoch may say SKIPPED where the MNIST files are missing
        assert f"\n{name} " in p.stdout, f"{name} missing from the output:\n{p.stdout}"
    assert "machine:" in p.stdout and "threads 1" in p.stdout
    assert "tottime" in p.stdout  # the profile of the tinygrad_edu side
    text = out.read_text()
    for section in ("## Machine", "## Workloads", "## Scaling", "## Method", "BLAS"):
        assert section in text
    for name in WORKLOADS:
        assert f"**{name}**" in text
    assert "MISMATCH" not in text  # the three implementations agree on the check values
    for group in ("batch size", "hidden layers", "ops in the chain"):
        assert group in text


def test_memory_child_reports_peak_rss():
    p = _run("--_memory-child", "tiny_mlp", "numpy", "--quick", "--smoke")
    assert p.returncode == 0, p.stderr[-3000:]
    m = json.loads(p.stdout.strip().splitlines()[-1])
    assert m["base_kb"] > 0 and m["peak_kb"] >= 0 and m["first_kb"] >= 0
