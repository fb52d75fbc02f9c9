"""tg.save / tg.load under faults: sizes checked before anything is allocated, NumPy scalar
types kept, temporaries of killed saves removed, SIGKILL during a save never leaves a bad file."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.data.serialization import META_KEY, CheckpointError


def _round_trip(obj, tmp_path):
    path = tmp_path / "obj.ckpt"
    tg.save(obj, path)
    return tg.load(path)


def test_numpy_float64_scalar_stays_float64(tmp_path):
    out = _round_trip({"lr": np.float64(0.1), "py": 0.1, "b": np.bool_(True)}, tmp_path)
    assert type(out["lr"]) is np.float64 and out["lr"] == np.float64(0.1)
    assert type(out["py"]) is float and type(out["b"]) is np.bool_


def _npy_header(shape, descr="<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_2_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def _archive(path, shape, body, compression=zipfile.ZIP_STORED):
    """A tg.save-like archive whose one tensor a0 declares `shape` (float32); body(w) writes
    the entry's data."""
    root = {"t": "ndarray", "key": "a0", "dtype": "float32", "shape": list(shape)}
    meta = {"format": "tinygrad_edu.checkpoint", "version": 1, "root": root}
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        with zf.open("a0.npy", "w", force_zip64=True) as w:
            w.write(_npy_header(shape))
            body(w)
        zf.writestr(
            META_KEY + ".npy",
            _npy_header((len(json.dumps(meta)),), "|u1") + json.dumps(meta).encode(),
        )


def test_a_declared_4_tb_array_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "huge.npz"
    _archive(path, (1 << 40,), lambda w: w.write(bytes(16)))
    with pytest.raises(CheckpointError, match="declares shape"):
        tg.load(path)


def test_a_small_deflated_entry_never_inflates(tmp_path):
    import tracemalloc

    path = tmp_path / "bomb.npz"
    zeros = bytes(1 << 20)
    _archive(
        path, (32 << 20,), lambda w: [w.write(zeros) for _ in range(128)], zipfile.ZIP_DEFLATED
    )
    assert path.stat().st_size < 1 << 20  # 128 MB of zeros in under 1 MB
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match="compressed"):
            tg.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_stale_temporaries_of_dead_processes_are_removed_on_save(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".last.npz.tgtmp-{dead.pid}-k2j9x0qa"
    alive = tmp_path / f".last.npz.tgtmp-{os.getppid()}-a1b2c3d4"  # a live writer's
    other = tmp_path / ".last.npz.k2j9x0qa.tmp"  # not this library's pattern: never touched
    for p in (stale, alive, other):
        p.write_bytes(b"x" * 1000)
    tg.save({"w": 1}, tmp_path / "last.npz")
    assert not stale.exists() and alive.exists() and other.exists()


_SAVER = """
import sys, numpy as np, tinygrad_edu as tg
state = {"w": np.arange(6 << 20, dtype=np.float32)}
print("ready", flush=True)
while True:
    tg.save(state, sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX SIGKILL")
def test_sigkill_during_save_never_leaves_a_bad_file_and_temporaries_go(tmp_path):
    import random
    import subprocess
    import sys
    import time

    target = tmp_path / "ck.npz"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(tg.__file__)))
    rng, kills, left = random.Random(4), 0, 0
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(target)], env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.kill()
        proc.wait()
        kills += 1
        if target.exists():
            assert tg.load(target)["w"].shape == (6 << 20,)  # old or new, never half
        left += len([p for p in os.listdir(tmp_path) if ".tgtmp-" in p])
        if left:
            break
    if not left:
        pytest.skip(f"{kills} kills all landed between saves")
    tg.save({"w": 1}, tmp_path / "other.npz")  # the next save into the folder cleans up
    assert [p for p in os.listdir(tmp_path) if ".tgtmp-" in p] == []
