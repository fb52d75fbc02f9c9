"""Run folders: one process at a time (a lock holding the pid), never overwritten without
--overwrite, unique default names."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.train.runfolder import LOCK_NAME, RunExists, RunInUse, RunLock

from ._cli import MOONS, ROOT, arrays, env, finish, same_arrays, start, wait_for


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _holder(folder):
    """A process that holds the lock of `folder` until its stdin closes."""
    code = (
        "import sys; from tinygrad_edu.train.runfolder import RunLock\n"
        f"with RunLock({str(folder)!r}):\n"
        "    print('locked', flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_locked_folder_is_refused_with_the_pid(tmp_path, capsys):
    out = tmp_path / "run"
    holder = _holder(out)
    try:
        assert main(["train", *MOONS, "--epochs", "1", "--out", str(out)]) == 2
        line = one_line(capsys.readouterr().err)
        assert str(out) in line and f"process {holder.pid}" in line and "in use" in line
        with pytest.raises(RunInUse):
            RunLock(out).__enter__()
    finally:
        holder.stdin.close()
        holder.wait()
    assert not (out / "metrics.json").exists()
    assert main(["train", *MOONS, "--epochs", "1", "--out", str(out)]) == 0  # free again
    assert not (out / LOCK_NAME).exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / LOCK_NAME).write_text(f"{dead.pid}\n")  # left by a process killed with SIGKILL
    with RunLock(out):
        assert (out / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert main(["train", *MOONS, "--epochs", "1", "--out", str(out)]) == 0


def test_a_finished_run_is_never_overwritten_without_the_flag(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *MOONS, "--epochs", "1", "--out", str(out)]) == 0
    first = arrays(out / "model.npz")
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["train", *MOONS, "--epochs", "1", "--seed", "3", "--out", str(out)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "finished run" in line and "--overwrite" in line and str(out) in line
    assert same_arrays(arrays(out / "model.npz"), first)
    assert (
        main(["train", *MOONS, "--epochs", "1", "--seed", "3", "--out", str(out), "--overwrite"])
        == 0
    )
    assert not same_arrays(arrays(out / "model.npz"), first)
    assert json.loads((out / "metrics.json").read_text())["seed"] == 3
    assert (out / "notes.txt").read_text() == "mine"  # only the run's own files are replaced


def test_an_unfinished_run_points_to_resume(tmp_path, capsys):
    out = tmp_path / "run"
    (out / "checkpoints").mkdir(parents=True)
    (out / "config.json").write_text("{}")
    with pytest.raises(RunExists, match="resume"):
        from tinygrad_edu.train.runfolder import prepare_new_run

        prepare_new_run(str(out))


def test_two_commands_on_one_folder_never_mix(tmp_path):
    out = tmp_path / "run"
    first = start("train", *MOONS, "--epochs", "1000", "--out", str(out))
    try:
        wait_for(first, "epoch ")
        second = start("train", *MOONS, "--epochs", "1", "--seed", "5", "--out", str(out))
        code, _, err = finish(second)
        assert code == 2 and f"process {first.pid}" in one_line(err)
        assert first.poll() is None  # the first run never noticed
        first.send_signal(signal.SIGINT)
        code, _, err = finish(first)
        assert code == 130, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert json.loads((out / "config.json").read_text())["seed"] == 0
    assert not (out / "model.npz").exists() and not (out / "metrics.json").exists()
    assert not (out / LOCK_NAME).exists()


def test_default_run_folders_are_unique(tmp_path, monkeypatch):
    from tinygrad_edu.cli import _default_out, build_parser

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["train"])
    names = {_default_out(args) for _ in range(3)}  # within one second: still three folders
    assert len(names) == 3 and all(os.path.isdir(n) for n in names)


def test_lock_is_released_when_its_process_is_killed(tmp_path):
    out = tmp_path / "run"
    holder = _holder(out)
    holder.kill()
    holder.wait()
    deadline = time.monotonic() + 10
    while True:  # the kernel drops the lock with the process
        try:
            with RunLock(out):
                break
        except RunInUse:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert ROOT.is_dir()
