"""Helpers of the train tests: the real `python -m tinygrad_edu` in a subprocess, and run files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A small run on the 2-D moons points (no optional package needed); each epoch is 10 steps.
MOONS = [
    "--dataset",
    "moons",
    "--hidden",
    "64,64",
    "--lr",
    "0.01",
    "--batch-size",
    "100",
    "--dropout",
    "0.1",
    "--no-progress",
]


def env() -> dict:
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
        TINYGRAD_EDU_DEBUG="",
    )


def start(*args: str, **kwargs) -> subprocess.Popen:
    """`python -m tinygrad_edu ARGS` with stdout and stderr piped (text)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tinygrad_edu", *args],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def wait_for(proc: subprocess.Popen, text: str, timeout: float = 120.0) -> list:
    """Read proc's stdout until a line containing `text`; return the lines read."""
    lines, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never printed; got {lines}")


def finish(proc: subprocess.Popen, timeout: float = 300.0) -> tuple:
    """(exit code, rest of stdout, stderr)."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def interrupt(proc: subprocess.Popen, presses: int, gap: float = 0.002) -> None:
    for i in range(presses):
        if i:
            time.sleep(gap)
        proc.send_signal(signal.SIGINT)


def arrays(path: Path) -> dict:
    """{name: ndarray} of a tg.save file of a state dict."""
    import tinygrad_edu as tg

    return {k: v.numpy().copy() for k, v in tg.load(str(path)).items()}


def same_arrays(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
