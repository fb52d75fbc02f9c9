"""Finding dataset files on disk, downloading them, and checking that they are the right bytes.

A file is looked for, in this order, in
  1. the `root` argument of the loader,
  2. the folder(s) in $TINYGRAD_EDU_DATA (os.pathsep-separated),
  3. the cache, $XDG_CACHE_HOME/tinygrad_edu or ~/.cache/tinygrad_edu,
  4. system folders of the dataset (Debian's /usr/share/datasets/fashion-mnist),
and in each place both as `<place>/<dataset>/<file>` and `<place>/<file>`, gzipped (`.gz`) or not.
A file found there is checked against the published hash, and a wrong one raises: it is never used.

Otherwise it is downloaded into the cache from the mirrors, in order, into a temporary file that is
checked, fsync'ed and renamed into place (os.replace), so the cache never holds a partial or wrong
file. Everything is bounded by the known size of each file: a body longer than that is cut off,
gzip data is decompressed in chunks up to that size, and a whole download has a deadline, so a
damaged or hostile mirror costs a bounded amount of memory, disk and time before the next one is
tried. MNIST and Fashion-MNIST are checked by the SHA-256 of their decompressed content (gzip bytes
differ between mirrors), CIFAR-10 by the MD5 of the tarball its authors publish.
"""

from __future__ import annotations

import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ._atomic import TEMP_TAG, fsync_dir, remove_stale_temporaries
from ._formats import FormatError, file_digest, read_maybe_gzip, sha256_hex

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror counts as unreachable
DOWNLOAD_MIN_RATE = 20_000  # bytes/s: a whole file must arrive within TIMEOUT + size / MIN_RATE


@dataclass(frozen=True)
class Resource:
    """What a dataset's files are called, where they live and how they are verified.

    files maps each file name (without `.gz`) to its expected digest; `algorithm` is 'sha256'
    (of the decompressed content) or 'md5' (of the file as stored); `sizes` maps a file name to
    its size in bytes (decompressed for 'sha256', as stored for 'md5'), which bounds downloads
    and decompression; `remote_suffix` is appended to a file name to form its download URL.
    """

    name: str
    title: str
    files: dict
    sizes: dict = field(default_factory=dict)
    algorithm: str = "sha256"
    remote_suffix: str = ".gz"
    dirnames: tuple = ()
    system_dirs: tuple = ()
    mirror_env: str = ""
    hints: str = ""


# Base URLs tried in order; edit these lists, set the environment variable of the resource, or
# pass mirrors= to a loader to use another server (tests point them at a local one).
MIRRORS: dict = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion-mnist": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    "cifar10": ["https://www.cs.toronto.edu/~kriz/"],
}

# IDX sizes follow from the format: 16-byte image header + N*28*28, 8-byte label header + N
_IDX_SIZES = {
    "train-images-idx3-ubyte": 16 + 60000 * 784,
    "train-labels-idx1-ubyte": 8 + 60000,
    "t10k-images-idx3-ubyte": 16 + 10000 * 784,
    "t10k-labels-idx1-ubyte": 8 + 10000,
}

RESOURCES: dict = {
    "mnist": Resource(
        name="mnist",
        title="MNIST",
        files={
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
        },
        sizes=dict(_IDX_SIZES),
        dirnames=("mnist", "MNIST/raw", "MNIST"),
        mirror_env="TINYGRAD_EDU_MNIST_MIRROR",
    ),
    "fashion-mnist": Resource(
        name="fashion-mnist",
        title="Fashion-MNIST",
        files={
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",  # noqa: E501
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",  # noqa: E501
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",  # noqa: E501
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",  # noqa: E501
        },
        sizes=dict(_IDX_SIZES),
        dirnames=("fashion-mnist", "fashion_mnist", "FashionMNIST/raw", "FashionMNIST"),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        mirror_env="TINYGRAD_EDU_FASHION_MNIST_MIRROR",
        hints=" (on Debian/Ubuntu: apt install dataset-fashion-mnist)",
    ),
    "cifar10": Resource(
        name="cifar10",
        title="CIFAR-10",
        files={"cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530"},
        sizes={"cifar-10-binary.tar.gz": 170_052_171},
        algorithm="md5",
        remote_suffix="",
        dirnames=("cifar10", "cifar-10", "CIFAR10"),
        mirror_env="TINYGRAD_EDU_CIFAR10_MIRROR",
    ),
}


class ChecksumError(RuntimeError):
    """A dataset file whose content does not hash to the published value.

    Attributes: path, what (which digest), actual and expected (hex digests).
    """

    def __init__(self, message: str, path=None, what="", actual="", expected="") -> None:
        super().__init__(message)
        self.path, self.what, self.actual, self.expected = path, what, actual, expected


class DownloadError(RuntimeError):
    """No mirror delivered a good copy of a dataset file."""


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/tinygrad_edu, or ~/.cache/tinygrad_edu (where downloads go)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tinygrad_edu"


def base_places(resource: Resource, root=None) -> list:
    """The places searched, in order: root, $TINYGRAD_EDU_DATA, the cache, system folders."""
    bases = [Path(root).expanduser()] if root is not None else []
    env = os.environ.get("TINYGRAD_EDU_DATA", "")
    bases += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    bases.append(cache_dir())
    bases += [Path(p) for p in resource.system_dirs]
    return bases


def places(resource: Resource, root=None) -> list:
    """The folders searched for a dataset's files, in order, without duplicates: each place's
    dataset subfolders (e.g. <place>/mnist), then the place itself."""
    out: list = []
    for base in base_places(resource, root):
        for folder in [base / d for d in resource.dirnames] + [base]:
            if folder not in out:
                out.append(folder)
    return out


def find_local(resource: Resource, filename: str, root=None):
    """The first existing copy of a file (gzipped or not) in the search places, or None."""
    names = [filename + ".gz", filename] if resource.algorithm == "sha256" else [filename]
    for folder in places(resource, root):
        for name in names:
            path = folder / name
            if path.is_file():
                return path
    return None


def verify(resource: Resource, filename: str, path: Path):
    """Check a file against its published digest; return its (decompressed) bytes for sha256
    resources, None for md5 ones. Raise ChecksumError naming the file and both digests."""
    expected = resource.files[filename]
    if resource.algorithm == "sha256":
        data = read_maybe_gzip(path, resource.sizes.get(filename))
        actual = sha256_hex(data)
        what = "SHA-256 of the decompressed content"
    else:
        size, known = path.stat().st_size, resource.sizes.get(filename)
        if known is not None and size > known:  # too large to be it: not even worth hashing
            raise ChecksumError(
                f"{path}: the file has {size:,} bytes, expected {known:,} for {resource.title}'s "
                f"{filename}; it is incomplete or a different file. Delete it (a fresh copy is "
                "downloaded into the cache with download=True) or replace it with the right file.",
                path,
                "size",
                f"{size} bytes",
                f"{known} bytes",
            )
        data, actual, what = None, file_digest(path, resource.algorithm), resource.algorithm.upper()
    if actual != expected:
        raise ChecksumError(
            f"{path}: {what} is {actual}, expected {expected} for {resource.title}'s {filename}; "
            "the file is corrupted, incomplete or a different dataset's. Delete it (a fresh copy "
            "is downloaded into the cache with download=True) or replace it with the right file.",
            path,
            what,
            actual,
            expected,
        )
    return data


def mirror_list(resource: Resource, mirrors=None) -> list:
    """The base URLs to try: the mirrors argument, else $<mirror_env>, else MIRRORS[name]."""
    if mirrors is None:
        env = os.environ.get(resource.mirror_env, "") if resource.mirror_env else ""
        mirrors = env.split(",") if env.strip() else MIRRORS.get(resource.name, [])
    elif isinstance(mirrors, str):
        mirrors = [mirrors]
    return [m.strip() for m in mirrors if m and m.strip()]


def _show_progress() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _progress_bar(total, desc: str):
    """A tqdm bar on a terminal, else None (tqdm is optional and imported only here)."""
    if not _show_progress():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def download_limit(resource: Resource, filename: str) -> int | None:
    """The most bytes a download of `filename` may have: its known size, plus gzip's worst-case
    overhead for the gzipped files (None where the size is unknown)."""
    size = resource.sizes.get(filename)
    if size is None or resource.algorithm != "sha256":
        return size
    return size + size // 1000 + 1024  # stored deflate blocks add 5 bytes per 64 KiB


def _stream(url: str, out, desc: str, limit: int | None = None) -> None:
    """Copy the body at `url` into the open file `out`, at most `limit` bytes, within the
    deadline DOWNLOAD_TIMEOUT + limit / DOWNLOAD_MIN_RATE; raise OSError otherwise and on a
    short body."""
    if not url.startswith(("http://", "https://", "file://")):
        raise urllib.error.URLError(f"unsupported URL scheme in {url!r}")
    allowed = DOWNLOAD_TIMEOUT + (limit or 0) / DOWNLOAD_MIN_RATE
    deadline = time.monotonic() + allowed
    request = urllib.request.Request(url, headers={"User-Agent": "tinygrad_edu"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if limit is not None and total is not None and total > limit:
            raise OSError(
                f"the server announces {total:,} bytes, more than the {limit:,} this file can have"
            )
        bar = _progress_bar(total, desc)
        received = 0
        try:
            while True:
                left = deadline - time.monotonic()
                late = TimeoutError(
                    f"the download did not finish within {allowed:.3g} s "
                    f"({received:,} bytes received)"
                )
                if left <= 0:
                    raise late
                _socket_timeout(response, min(DOWNLOAD_TIMEOUT, left))
                try:
                    block = (
                        response.read1(1 << 16)
                        if hasattr(response, "read1")
                        else (response.read(1 << 16))
                    )
                except TimeoutError:
                    if left < DOWNLOAD_TIMEOUT:  # the wait was cut short by the deadline
                        raise late from None
                    raise TimeoutError(f"no data for {DOWNLOAD_TIMEOUT:g} s") from None
                if not block:
                    break
                received += len(block)
                if limit is not None and received > limit:
                    raise OSError(
                        f"the server sent more than the {limit:,} bytes this file can have"
                    )
                out.write(block)
                if bar is not None:
                    bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and received != total:
        raise OSError(f"incomplete download: got {received} of {total} bytes")


def _socket_timeout(response, seconds: float) -> None:
    """Shorten the wait of the next read to what is left of the deadline (http responses only:
    urllib keeps the socket at response.fp.raw._sock)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None and hasattr(sock, "settimeout"):
        sock.settimeout(max(0.01, seconds))


def download(resource: Resource, filename: str, mirrors=None) -> Path:
    """Fetch `filename` into the cache from the first mirror that delivers a verified copy."""
    remote = filename + resource.remote_suffix
    dest_dir = cache_dir() / resource.name
    urls = [m.rstrip("/") + "/" + remote for m in mirror_list(resource, mirrors)]
    if not urls:
        raise DownloadError(f"no mirrors configured for {resource.title}; " + manual_hint(resource))
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(
            f"cannot create the cache folder {dest_dir} ({e}); set XDG_CACHE_HOME "
            "to a writable folder or " + manual_hint(resource)
        ) from None
    failures = []
    remove_stale_temporaries(dest_dir)  # left by a download that was killed
    for url in urls:
        print(f"tinygrad_edu: downloading {url}", file=sys.stderr)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{remote}{TEMP_TAG}{os.getpid()}-", dir=dest_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                _stream(url, out, remote, download_limit(resource, filename))
                out.flush()
                os.fsync(out.fileno())
            verify(resource, filename, tmp)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; a cache entry is an ordinary file
            dest = dest_dir / remote
            os.replace(tmp, dest)
            fsync_dir(dest_dir)
            return dest
        except urllib.error.HTTPError as e:
            failures.append(f"{url} (HTTP {e.code} {e.reason})")
        except urllib.error.URLError as e:
            failures.append(f"{url} ({e.reason})")
        except ChecksumError as e:
            failures.append(
                f"{url} (wrong content, discarded: the {e.what} is {e.actual}, "
                f"expected {e.expected})"
            )
        except FormatError as e:
            failures.append(
                f"{url} (unreadable content, discarded: {str(e).replace(str(tmp) + ': ', '')})"
            )
        except (OSError, EOFError, ValueError, http.client.HTTPException) as e:  # timeouts,
            # resets, short or overlong bodies
            failures.append(f"{url} ({type(e).__name__}: {e})")
        finally:
            if tmp.exists():
                tmp.unlink()
    raise DownloadError(
        f"could not download {resource.title}'s {remote}; tried: "
        + "; ".join(failures)
        + ". "
        + manual_hint(resource)
    )


def manual_hint(resource: Resource) -> str:
    """One sentence telling a person how to provide the files without a download."""
    env = f"set {resource.mirror_env} or " if resource.mirror_env else ""
    gz = ", gzipped or not" if resource.algorithm == "sha256" else ""
    return (
        f"To fix it, {env}pass mirrors=[...], or place the files ({', '.join(resource.files)}"
        f"{gz}) in {cache_dir() / resource.name} or in a folder given by root= or "
        f"$TINYGRAD_EDU_DATA{resource.hints}."
    )


def resolve(
    resource: Resource, filename: str, root=None, download_ok: bool = True, mirrors=None
) -> Path:
    """The path of a present-or-downloaded copy of `filename` (not yet verified, if local)."""
    path = find_local(resource, filename, root)
    if path is not None:
        return path
    if not download_ok:
        looked = ", ".join(dict.fromkeys(str(p) for p in base_places(resource, root)))
        raise FileNotFoundError(
            f"{resource.title} file {filename}[.gz] not found in {looked} (as <place>/"
            f"{resource.name}/{filename}[.gz] or <place>/{filename}[.gz]); pass "
            f"download=True to fetch it into {cache_dir() / resource.name}, or place the files "
            f"there or in a folder given by root= or $TINYGRAD_EDU_DATA{resource.hints}."
        )
    return download(resource, filename, mirrors)
