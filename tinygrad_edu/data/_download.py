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
file. MNIST and Fashion-MNIST are checked by the SHA-256 of their decompressed content (gzip bytes
differ between mirrors), CIFAR-10 by the MD5 of the tarball its authors publish.
"""

from __future__ import annotations

import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ._formats import FormatError, file_digest, read_maybe_gzip, sha256_hex

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror counts as unreachable


@dataclass(frozen=True)
class Resource:
    """What a dataset's files are called, where they live and how they are verified.

    files maps each file name (without `.gz`) to its expected digest; `algorithm` is 'sha256'
    (of the decompressed content) or 'md5' (of the file as stored); `remote_suffix` is appended
    to a file name to form its download URL.
    """

    name: str
    title: str
    files: dict
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

RESOURCES: dict = {
    "mnist": Resource(
        name="mnist",
        title="MNIST",
        files={
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },  # fmt: skip
        dirnames=("mnist", "MNIST/raw", "MNIST"),
        mirror_env="TINYGRAD_EDU_MNIST_MIRROR",
    ),
    "fashion-mnist": Resource(
        name="fashion-mnist",
        title="Fashion-MNIST",
        files={
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },  # fmt: skip
        dirnames=("fashion-mnist", "fashion_mnist", "FashionMNIST/raw", "FashionMNIST"),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        mirror_env="TINYGRAD_EDU_FASHION_MNIST_MIRROR",
        hints=" (on Debian/Ubuntu: apt install dataset-fashion-mnist)",
    ),
    "cifar10": Resource(
        name="cifar10",
        title="CIFAR-10",
        files={"cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530"},
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
        data = read_maybe_gzip(path)
        actual = sha256_hex(data)
        what = "SHA-256 of the decompressed content"
    else:
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


def _stream(url: str, out, desc: str) -> None:
    """Copy the body at `url` into the open file `out`; raise OSError on a short body."""
    if not url.startswith(("http://", "https://", "file://")):
        raise urllib.error.URLError(f"unsupported URL scheme in {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "tinygrad_edu"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _progress_bar(total, desc)
        received = 0
        try:
            while True:
                block = response.read(1 << 16)
                if not block:
                    break
                out.write(block)
                received += len(block)
                if bar is not None:
                    bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and received != total:
        raise OSError(f"incomplete download: got {received} of {total} bytes")


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
        raise DownloadError(f"cannot create the cache folder {dest_dir} ({e}); set XDG_CACHE_HOME "
                            "to a writable folder or " + manual_hint(resource)) from None  # fmt: skip
    failures = []
    for url in urls:
        print(f"tinygrad_edu: downloading {url}", file=sys.stderr)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{remote}.", suffix=".part", dir=dest_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                _stream(url, out, remote)
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
            failures.append(f"{url} (wrong content, discarded: the {e.what} is {e.actual}, "
                            f"expected {e.expected})")  # fmt: skip
        except FormatError as e:
            failures.append(f"{url} (unreadable content, discarded: "
                            f"{str(e).replace(str(tmp) + ': ', '')})")  # fmt: skip
        except (OSError, http.client.HTTPException) as e:  # timeouts, resets, short bodies
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


def fsync_dir(folder) -> None:
    """Make the rename durable (a no-op where directories cannot be opened, e.g. Windows)."""
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


def manual_hint(resource: Resource) -> str:
    """One sentence telling a person how to provide the files without a download."""
    env = f"set {resource.mirror_env} or " if resource.mirror_env else ""
    gz = ", gzipped or not" if resource.algorithm == "sha256" else ""
    return (
        f"To fix it, {env}pass mirrors=[...], or place the files ({', '.join(resource.files)}"
        f"{gz}) in {cache_dir() / resource.name} or in a folder given by root= or "
        f"$TINYGRAD_EDU_DATA{resource.hints}."
    )


def resolve(resource: Resource, filename: str, root=None, download_ok: bool = True,
            mirrors=None) -> Path:  # fmt: skip
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
