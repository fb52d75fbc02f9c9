"""Run folders that are never half-written: resume completes whatever is missing, and a folder
that cannot be written (read-only, full disk) is one line and exit code 2, with nothing
half-written under a final name."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys

import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.train import runner

from ._cli import MOONS, arrays, env, same_arrays

FINAL = ("config.json", "metrics.json", "model.npz", "history.csv", "history.json")


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def leftovers(folder) -> list:
    return [p.name for p in folder.rglob("*") if ".tgtmp-" in p.name or p.name.endswith(".tmp")]


def test_ctrl_c_during_the_final_evaluation_then_resume_completes(tmp_path, capsys, monkeypatch):
    full, out = tmp_path / "full", tmp_path / "run"
    assert main(["train", *MOONS, "--epochs", "2", "--out", str(full)]) == 0
    real_evaluate, calls = runner.evaluate, []

    def interrupted_evaluate(*args, **kwargs):
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "evaluate", interrupted_evaluate)
    assert main(["train", *MOONS, "--epochs", "2", "--out", str(out)]) == 130
    assert calls and not (out / "metrics.json").exists()
    assert f"resume {out}" in capsys.readouterr().err
    monkeypatch.setattr(runner, "evaluate", real_evaluate)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / "checkpoints" / f".best.npz.tgtmp-{dead.pid}-k2j9x0qa"  # a SIGKILLed save's
    stale.write_bytes(b"half")
    assert main(["resume", str(out)]) == 0
    assert not stale.exists()  # no checkpoint is saved any more, yet it is cleaned up
    assert "finishing the run folder" in capsys.readouterr().out
    assert same_arrays(arrays(out / "model.npz"), arrays(full / "model.npz"))
    done, ref = (json.loads((d / "metrics.json").read_text()) for d in (out, full))
    assert done["test_accuracy"] == ref["test_accuracy"] and done["epochs"] == 2
    assert main(["resume", str(out)]) == 2  # now it is finished
    assert "already trained 2 of 2" in one_line(capsys.readouterr().err)


def test_resume_completes_an_early_stopped_run_with_its_best_weights(tmp_path, monkeypatch):
    args = [*MOONS, "--epochs", "40", "--early-stopping", "2", "--lr", "0.05"]
    full, out = tmp_path / "full", tmp_path / "run"
    assert main(["train", *args, "--out", str(full)]) == 0
    assert json.loads((full / "metrics.json").read_text())["stopped_early"]

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "write_outputs", interrupted)
    assert main(["train", *args, "--out", str(out)]) == 130
    monkeypatch.undo()
    assert main(["resume", str(out), "--no-progress"]) == 0
    assert same_arrays(arrays(out / "model.npz"), arrays(full / "model.npz"))
    epochs = (json.loads((d / "metrics.json").read_text())["epochs"] for d in (out, full))
    assert len(set(epochs)) == 1


def test_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    """ENOSPC when model.npz is made durable (fsync reports a full disk on many systems)."""
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to tell which file is synced")
    out = tmp_path / "run"
    real_fsync = os.fsync

    def fsync(fd):
        if "model.npz" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert main(["train", *MOONS, "--epochs", "1", "--out", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "No space left on device" in line and str(out / "model.npz") in line
    assert "free some space" in line
    assert not (out / "model.npz").exists() and not (out / "metrics.json").exists()
    assert leftovers(out) == []
    monkeypatch.undo()
    assert main(["resume", str(out)]) == 0  # space again: the run completes
    assert (out / "metrics.json").is_file()


def _limit_file_size():  # in the child: files may not grow past 64 KiB (EFBIG, no SIGXFSZ)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file size limit")
def test_file_size_limit_in_the_real_command(tmp_path):
    """The kernel refuses writes past RLIMIT_FSIZE: the checkpoints (~110 KiB) cannot be
    written. One line, exit code 2, no file cut short under its final name."""
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "tinygrad_edu",
        "train",
        *MOONS,
        "--hidden",
        "128,128",
        "--epochs",
        "2",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        argv, env=env(), capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size
    )
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert "File too large" in line and "last.npz" in line
    assert not (out / "checkpoints" / "last.npz").exists() and leftovers(out) == []
    assert json.loads((out / "config.json").read_text())["epochs"] == 2  # whole, or absent


def _read_only_folder(tmp_path):
    """A folder no file can be made in: a read-only tmpfs as root, else chmod 0o555."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder, None
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("root without mount: cannot make a read-only folder")
    return folder, ["umount", str(folder)]


def test_read_only_out_is_one_line(tmp_path, capsys):
    folder, cleanup = _read_only_folder(tmp_path)
    try:
        assert main(["train", *MOONS, "--epochs", "1", "--out", str(folder / "run")]) == 2
        line = one_line(capsys.readouterr().err)
        assert str(folder / "run") in line and ("Read-only" in line or "denied" in line)
        assert main(["train", *MOONS, "--epochs", "1", "--out", str(folder)]) == 2
        assert str(folder) in one_line(capsys.readouterr().err)
    finally:
        if cleanup:
            subprocess.run(cleanup, check=True)
        else:
            folder.chmod(0o755)
