"""Ready-made datasets as TensorDatasets: toy 2-D problems, small classics and image benchmarks.

    train, test = datasets.load_mnist()          # images (N, 1, 28, 28) float32 in [0, 1]
    train, test = datasets.load_digits()         # scikit-learn's 8x8 digits, (N, 1, 8, 8)
    moons = datasets.make_moons(500, noise=0.1, seed=0)

Loaders return ``(train, test)`` TensorDatasets of float32 inputs in [0, 1] and int64 labels;
``flatten=True`` gives image rows (N, C*H*W). The make_* generators return one TensorDataset of
2-D points (N, 2) float32 in their natural coordinates and int64 labels; with seed=None they draw
from the library RNG (tg.manual_seed), with an int seed from their own generator.

Where image files are looked for, how they are downloaded and verified: see ``_download.py``.
Mirrors can be changed in ``MIRRORS`` (or with $TINYGRAD_EDU_MNIST_MIRROR,
$TINYGRAD_EDU_FASHION_MNIST_MIRROR, $TINYGRAD_EDU_CIFAR10_MIRROR, or ``mirrors=``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .. import backend
from ..tensor import Tensor
from ._download import (
    MIRRORS,
    RESOURCES,
    ChecksumError,
    DownloadError,
    Resource,
    cache_dir,
    places,
    resolve,
    verify,
)
from ._formats import (
    CIFAR10_CLASSES,
    CIFAR10_TEST_FILES,
    CIFAR10_TRAIN_FILES,
    FormatError,
    parse_idx,
    read_cifar10_dir,
    read_cifar10_tar,
)
from .dataset import TensorDataset

__all__ = [
    "load_digits",
    "load_iris",
    "load_mnist",
    "load_fashion_mnist",
    "load_cifar10",
    "make_moons",
    "make_xor",
    "make_spiral",
    "make_circles",
    "MIRRORS",
    "RESOURCES",
    "ChecksumError",
    "DownloadError",
    "FormatError",
    "cache_dir",
    "FASHION_MNIST_CLASSES",
    "CIFAR10_CLASSES",
]

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def _dataset(x: np.ndarray, y: np.ndarray) -> TensorDataset:
    """float32 inputs and int64 labels as CPU tensors (a DataLoader moves batches to a device)."""
    return TensorDataset(
        Tensor(np.ascontiguousarray(x, dtype=np.float32), device="cpu"),
        Tensor(np.ascontiguousarray(y, dtype=np.int64), device="cpu"),
    )


def _rng(seed):
    """The library RNG for seed=None (tg.manual_seed applies), else a private seeded generator."""
    return backend.rng("cpu") if seed is None else np.random.default_rng(int(seed))


def _check_n(n: int, name: str, minimum: int = 1) -> int:
    if not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name}: n must be an int >= {minimum}, got {n!r}")
    return int(n)


# ------------------------------------------------------------------------------ toy 2-D problems
def make_moons(n: int = 200, noise: float = 0.1, seed: int | None = None) -> TensorDataset:
    """Two interleaving half circles: class 0 the upper moon (cos t, sin t), class 1 the lower one
    (1 - cos t, 0.5 - sin t), t in [0, pi], plus N(0, noise^2) on each coordinate; shuffled."""
    n = _check_n(n, "make_moons", 2)
    rng = _rng(seed)
    n_out = n // 2
    t_out = np.linspace(0.0, math.pi, n_out)
    t_in = np.linspace(0.0, math.pi, n - n_out)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], 1),
            np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], 1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n - n_out)])
    x = x + noise * rng.standard_normal(x.shape)
    perm = rng.permutation(n)
    return _dataset(x[perm], y[perm])


def make_xor(n: int = 200, noise: float = 0.1, seed: int | None = None) -> TensorDataset:
    """Points uniform in [-1, 1]^2 labelled 1 where x0 and x1 have different signs (XOR of the
    signs), then moved by N(0, noise^2) noise so the classes overlap near the axes."""
    n = _check_n(n, "make_xor")
    rng = _rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (x[:, 0] > 0) != (x[:, 1] > 0)
    x = x + noise * rng.standard_normal(x.shape)
    return _dataset(x, y)


def make_spiral(
    n: int = 300, noise: float = 0.1, seed: int | None = None, classes: int = 3
) -> TensorDataset:
    """`classes` interleaved spiral arms (labels 0..classes-1) of n points in all: arm k has
    radius r in [0, 1] and angle 2*pi*k/classes + 4r, plus N(0, noise^2) on each coordinate."""
    n = _check_n(n, "make_spiral")
    if not isinstance(classes, int) or classes < 1 or classes > n:
        raise ValueError(f"make_spiral: classes must be an int in 1..n={n}, got {classes!r}")
    rng = _rng(seed)
    sizes = [n // classes + (k < n % classes) for k in range(classes)]
    xs, ys = [], []
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        theta = 2.0 * math.pi * k / classes + 4.0 * r
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], 1))
        ys.append(np.full(m, k))
    x = np.concatenate(xs)
    x = x + noise * rng.standard_normal(x.shape)
    perm = rng.permutation(n)
    return _dataset(x[perm], np.concatenate(ys)[perm])


def make_circles(
    n: int = 200, noise: float = 0.05, seed: int | None = None, factor: float = 0.5
) -> TensorDataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor` (0 < factor < 1),
    evenly spaced angles, plus N(0, noise^2) on each coordinate; shuffled."""
    n = _check_n(n, "make_circles", 2)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}")
    rng = _rng(seed)
    n_out = n // 2
    t_out = np.linspace(0.0, 2.0 * math.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2.0 * math.pi, n - n_out, endpoint=False)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], 1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], 1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n - n_out)])
    x = x + noise * rng.standard_normal(x.shape)
    perm = rng.permutation(n)
    return _dataset(x[perm], y[perm])


# ------------------------------------------------------------------------------ scikit-learn's
def _stratified_split(y: np.ndarray, test_size: float, seed: int) -> tuple:
    """(train indices, test indices): round(test_size * count) of every class go to the test
    set, chosen by a generator seeded with `seed`; both index lists are sorted."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.append(idx[: int(round(test_size * len(idx)))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
    return train_idx, test_idx


def _sklearn_datasets():
    try:
        import sklearn.datasets
    except ImportError:
        raise ImportError(
            "this dataset ships with scikit-learn, which is not installed: pip "
            "install scikit-learn (or pip install 'tinygrad_edu[data]')"
        ) from None
    return sklearn.datasets


def load_digits(flatten: bool = False, test_size: float = 0.2, seed: int = 0) -> tuple:
    """scikit-learn's 1797 8x8 handwritten digits as (train, test) TensorDatasets.

    Images (N, 1, 8, 8) float32 in [0, 1] (the 0..16 grey levels divided by 16), or (N, 64)
    with flatten=True; labels int64 0..9. The split is stratified (each digit keeps its share)
    and fixed by `seed`: 1438 train / 359 test with the defaults.
    """
    raw = _sklearn_datasets().load_digits()
    x = raw.images.astype(np.float32) / np.float32(16.0)
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, 8, 8)
    y = raw.target.astype(np.int64)
    tr, te = _stratified_split(y, test_size, seed)
    return _dataset(x[tr], y[tr]), _dataset(x[te], y[te])


def load_iris(test_size: float = 0.2, seed: int = 0) -> tuple:
    """Fisher's 150 irises (4 measurements, 3 species) as (train, test) TensorDatasets.

    Features (N, 4) float32 min-max scaled to [0, 1] with the minimum and maximum of each
    feature over all 150 flowers; labels int64 0..2. Stratified split fixed by `seed` (120/30).
    """
    raw = _sklearn_datasets().load_iris()
    x = raw.data.astype(np.float64)
    lo, hi = x.min(axis=0), x.max(axis=0)
    x = (x - lo) / (hi - lo)
    y = raw.target.astype(np.int64)
    tr, te = _stratified_split(y, test_size, seed)
    return _dataset(x[tr], y[tr]), _dataset(x[te], y[te])


# ------------------------------------------------------------------------------ image files
_MEMO: dict = {}  # parsed uint8 arrays of verified files, keyed by path, size, mtime and digest
_MEMO_LIMIT = 12


def _memo_key(path: Path, digest: str) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, digest)


def _remember(key: tuple, value) -> None:
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    _MEMO[key] = value


def _idx_array(resource: Resource, filename: str, root, download: bool, mirrors) -> np.ndarray:
    """A verified, parsed IDX file (parsed once per process while the file is unchanged)."""
    path = resolve(resource, filename, root, download, mirrors)
    key = _memo_key(path, resource.files[filename])
    arr = _MEMO.get(key)
    if arr is None:
        arr = parse_idx(verify(resource, filename, path), str(path))
        _remember(key, arr)
    return arr


def _images(images: np.ndarray, labels: np.ndarray, flatten: bool, source: str) -> TensorDataset:
    """uint8 images (N, C, H, W) and labels (N,) -> float32 in [0, 1] and int64."""
    if images.shape[0] != labels.shape[0] or labels.ndim != 1:
        raise FormatError(
            f"{source}: {images.shape[0]} images but labels of shape "
            f"{labels.shape}; the files do not belong together"
        )
    x = images.astype(np.float32)
    x /= np.float32(255.0)  # in place: one 4-byte copy of the images, no temporary
    x = x.reshape(len(x), -1) if flatten else x
    return _dataset(x, labels.astype(np.int64))


def _load_idx_dataset(name: str, root, download: bool, flatten: bool, mirrors) -> tuple:
    resource = RESOURCES[name]
    out = []
    for split in ("train", "t10k"):
        images = _idx_array(resource, f"{split}-images-idx3-ubyte", root, download, mirrors)
        labels = _idx_array(resource, f"{split}-labels-idx1-ubyte", root, download, mirrors)
        if images.ndim != 3:
            raise FormatError(
                f"{resource.title} {split} images: expected 3 IDX dims (N, H, W), "
                f"got shape {images.shape}"
            )
        images = images.reshape(len(images), 1, *images.shape[1:])
        out.append(_images(images, labels, flatten, f"{resource.title} {split}"))
    return tuple(out)


def load_mnist(root=None, download: bool = True, flatten: bool = False, mirrors=None) -> tuple:
    """MNIST handwritten digits: (train, test) TensorDatasets of 60000 and 10000 samples.

    Images (N, 1, 28, 28) float32 in [0, 1] (or (N, 784) with flatten=True), labels int64 0..9.
    root: a folder searched first (files as root/mnist/train-images-idx3-ubyte.gz or
    root/train-images-idx3-ubyte[.gz]); then $TINYGRAD_EDU_DATA and the cache. Missing files
    are downloaded into the cache when download=True (mirrors: a list of base URLs to use
    instead of MIRRORS['mnist']). Every file is checked against its published SHA-256.
    """
    return _load_idx_dataset("mnist", root, download, flatten, mirrors)


def load_fashion_mnist(
    root=None, download: bool = True, flatten: bool = False, mirrors=None
) -> tuple:
    """Zalando's Fashion-MNIST: like load_mnist, with 10 kinds of clothing
    (FASHION_MNIST_CLASSES). Also found in Debian's /usr/share/datasets/fashion-mnist."""
    return _load_idx_dataset("fashion-mnist", root, download, flatten, mirrors)


def _find_cifar10(root) -> tuple:
    """('tar', path) or ('dir', path) of the first local CIFAR-10 copy, or (None, None)."""
    resource = RESOURCES["cifar10"]
    (tar_name,) = resource.files
    for folder in places(resource, root):
        if (folder / tar_name).is_file():
            return "tar", folder / tar_name
        extracted = folder / "cifar-10-batches-bin"
        if (extracted / "data_batch_1.bin").is_file():
            return "dir", extracted
    return None, None


def load_cifar10(root=None, download: bool = True, flatten: bool = False, mirrors=None) -> tuple:
    """CIFAR-10 (A. Krizhevsky): (train, test) TensorDatasets of 50000 and 10000 colour images.

    Images (N, 3, 32, 32) float32 in [0, 1] (or (N, 3072) with flatten=True), labels int64 0..9
    (CIFAR10_CLASSES). Reads the *binary* version, cifar-10-binary.tar.gz (MD5-checked against
    the value its authors publish), or its extracted cifar-10-batches-bin folder (checked for
    structure only: no published per-file digests), from root, $TINYGRAD_EDU_DATA or the cache,
    downloading the tarball (~162 MB) when missing and download=True.
    """
    parts = cifar10_arrays(root, download, mirrors)
    return tuple(_images(*parts[s], flatten, f"CIFAR-10 {s}") for s in ("train", "test"))


def cifar10_arrays(root=None, download: bool = True, mirrors=None) -> dict:
    """{'train': (images, labels), 'test': (...)}: the verified CIFAR-10 uint8 arrays, images
    (N, 3, 32, 32), parsed once per process while the files are unchanged."""
    resource = RESOURCES["cifar10"]
    (tar_name,) = resource.files
    kind, path = _find_cifar10(root)
    if kind is None:
        kind, path = "tar", resolve(resource, tar_name, root, download, mirrors)
    digest = resource.files[tar_name]
    if kind == "dir":
        names = CIFAR10_TRAIN_FILES + CIFAR10_TEST_FILES
        missing = [f for f in names if not (path / f).is_file()]
        if missing:
            raise FileNotFoundError(
                f"CIFAR-10 folder {path} lacks {', '.join(missing)}; extract "
                f"all of cifar-10-binary.tar.gz there, or put the tarball "
                f"itself in {path.parent}"
            )
        key = tuple(_memo_key(path / f, digest) for f in names)
    else:
        key = _memo_key(path, digest)
    parts = _MEMO.get(key)
    if parts is None:
        if kind == "tar":
            verify(resource, tar_name, path)
            parts = read_cifar10_tar(path)
        else:
            parts = read_cifar10_dir(path)
        _remember(key, parts)
    return parts
