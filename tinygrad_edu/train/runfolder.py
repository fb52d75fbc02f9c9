"""Run folders that are never mixed: one process at a time, and no silent overwrite.

    with RunLock("runs/mnist"):          # RunInUse if another process holds it
        prepare_new_run("runs/mnist", overwrite=False)   # RunExists if a run is already there
        ...

The lock is the file `<run>/.tinygrad-edu.lock`, which holds the process id of its owner. Where
the system has flock (Linux, macOS) the kernel releases it when that process dies, even by
SIGKILL; elsewhere a lock whose process no longer runs is taken over. Either way a stale lock
never blocks a folder, and a live one always does.
"""

from __future__ import annotations

import os
import time
from typing import Any

from ..data._atomic import pid_alive, remove_stale_temporaries

LOCK_NAME = ".tinygrad-edu.lock"
# Everything a run writes (and so what --overwrite removes; nothing else in the folder is touched)
RUN_FILES = (
    "metrics.json",
    "model.npz",
    "history.csv",
    "history.json",
    "curves.png",
    "graph.svg",
    "config.json",
)
CHECKPOINT_FILES = ("last.npz", "best.npz")


class RunInUse(RuntimeError):
    """The run folder is locked by another running process."""


class RunExists(RuntimeError):
    """The folder already holds a run, and --overwrite was not given."""


class RunLock:
    """An exclusive lock on a run folder (created if missing); a context manager."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = os.fspath(folder)
        self.path = os.path.join(self.folder, LOCK_NAME)
        self.fd: int | None = None
        self.created_folder = False

    def __enter__(self) -> "RunLock":
        if not os.path.isdir(self.folder):
            os.makedirs(self.folder, exist_ok=True)
            self.created_folder = True
        try:
            import fcntl
        except ImportError:  # Windows: a lock file with the pid, stale ones taken over
            self._acquire_by_pid()
        else:
            self._acquire_by_flock(fcntl)
        return self

    def _acquire_by_flock(self, fcntl: Any) -> None:
        for _ in range(100):  # retried only while other processes remove the file under us
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise self._in_use(_read_pid(self.path)) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # the file we locked is still the lock (not one removed meanwhile)
                self._write_pid(fd)
                return
            os.close(fd)
        raise RunInUse(f"{self.folder}: could not take the lock {self.path}")

    def _acquire_by_pid(self) -> None:
        for _ in range(100):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pid = _read_pid(self.path)
                if pid is None or pid_alive(pid):
                    raise self._in_use(pid) from None
                try:
                    os.unlink(self.path)  # stale: its process is gone
                except FileNotFoundError:
                    pass
                continue
            self._write_pid(fd)
            return
        raise RunInUse(f"{self.folder}: could not take the lock {self.path}")

    def _write_pid(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def _in_use(self, pid: int | None) -> RunInUse:
        who = f"process {pid}" if pid is not None else "another process"
        return RunInUse(
            f"{self.folder} is in use by {who} (a training run writing there); wait "
            f"for it to finish or stop it, or choose another --out"
        )

    def __exit__(self, *exc: Any) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)  # while still holding it: a waiting process re-checks the inode
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None
        if self.created_folder:
            try:
                os.rmdir(self.folder)  # only succeeds if nothing was written (a failed start)
            except OSError:
                pass


def _read_pid(path: str) -> int | None:
    for _ in range(3):  # the owner may be between creating the file and writing its pid
        try:
            with open(path, encoding="ascii", errors="replace") as f:
                text = f.read().strip()
        except OSError:
            return None
        if text.isdigit():
            return int(text)
        time.sleep(0.01)
    return None


def run_state(folder: str) -> str | None:
    """'finished' (metrics.json present), 'unfinished' (other run files), or None (no run)."""
    if os.path.isfile(os.path.join(folder, "metrics.json")):
        return "finished"
    ckpt = os.path.join(folder, "checkpoints")
    if any(os.path.exists(os.path.join(folder, f)) for f in RUN_FILES) or any(
        os.path.exists(os.path.join(ckpt, f)) for f in CHECKPOINT_FILES
    ):
        return "unfinished"
    return None


def prepare_new_run(folder: str, overwrite: bool = False) -> None:
    """Make `folder` ready for a new run (call it holding the RunLock).

    A folder that already holds a run raises RunExists unless overwrite=True, which removes that
    run's files (only those: other files in the folder are kept) before anything new is written.
    """
    state = run_state(folder)
    if state is not None and not overwrite:
        what = (
            "holds a finished run"
            if state == "finished"
            else f"holds an unfinished run (continue it with `tinygrad-edu resume {folder}`)"
        )
        raise RunExists(f"{folder} {what}; pass --overwrite to replace it, or choose another --out")
    if state is not None:
        clear_run(folder)
    remove_stale_temporaries(folder)


def clear_run(folder: str) -> None:
    """Remove the files a run writes; metrics.json first, so that no reader ever sees a
    finished-looking folder that is half replaced."""
    for name in RUN_FILES:
        _remove(os.path.join(folder, name))
    ckpt = os.path.join(folder, "checkpoints")
    for name in CHECKPOINT_FILES:
        _remove(os.path.join(ckpt, name))
    remove_stale_temporaries(ckpt)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
