"""Atomic file writes: a file under its final name is either the old one or the whole new one.

Every writer of the library fills a temporary file in the target's folder, flushes and fsyncs it,
and renames it over the target (os.replace is atomic on one file system). Temporaries are named

    .<target name>.tgtmp-<pid>-<random><ext>        e.g. .last.npz.tgtmp-4242-k2j9x0qa

so that one left behind by a killed process (SIGKILL, power loss) is recognisable: the next
write into that folder removes those whose process no longer runs.

An OSError while writing (a full disk, a read-only folder) removes the temporary and is raised
again with the target's path in it, so the caller can print one line naming the file.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from typing import Iterator

TEMP_TAG = ".tgtmp-"
_TEMP_RE = re.compile(r"^\..+\.tgtmp-(?P<pid>\d+)-[0-9a-z_]+(\.[0-9A-Za-z]+)?$")


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (a process of another user counts)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # e.g. Windows, where signal 0 is not a probe
        return True
    return True


def is_temporary(name: str) -> bool:
    """True for a temporary file name of this library (see the module docstring)."""
    return _TEMP_RE.match(name) is not None


def remove_stale_temporaries(folder: str | os.PathLike) -> list:
    """Remove the temporaries in `folder` whose writing process has died; return their names.

    Temporaries of live processes (including this one) are left alone: they may be in use.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None or pid_alive(int(m.group("pid"))):
            continue
        try:
            os.unlink(os.path.join(folder, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _with_path(e: OSError, path: str) -> OSError:
    """The same error naming `path` where it named no file (a write that hit a full disk) or
    the temporary (a folder where no file can be made)."""
    if e.errno is None or (e.filename is not None and TEMP_TAG not in str(e.filename)):
        return e
    return type(e)(e.errno, e.strerror or str(e), path)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_file_mode(path: str) -> int:
    """Keep an existing file's permissions; new files get 0o666 minus the umask (as open())."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def replacing(path: str | os.PathLike, keep_suffix: bool = False) -> Iterator[str]:
    """`with replacing(path) as tmp:` write the file `tmp`; on success it becomes `path`.

    keep_suffix: the temporary ends with path's suffix (for writers that choose the format by
    it, like matplotlib's savefig). On any exception the temporary is removed.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    suffix = os.path.splitext(base)[1] if keep_suffix else ""
    remove_stale_temporaries(folder)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{base}{TEMP_TAG}{os.getpid()}-", suffix=suffix, dir=folder
        )
    except OSError as e:
        raise _with_path(e, path) from None
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise _with_path(e, path) from None
        raise
    fsync_dir(folder)


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", **kwargs) -> Iterator:
    """`with atomic_open(path, "w") as f:` like open(), but the file appears whole or not at
    all (flushed and fsync'ed before the rename)."""
    with replacing(path) as tmp:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
