"""datasets: scikit-learn classics, toy generators, IDX/CIFAR parsing and the real MNIST files."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import shutil
import tarfile

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.data import TensorDataset, datasets
from tinygrad_edu.data._formats import FormatError, parse_idx, write_idx


def _arrays(ds: TensorDataset) -> tuple:
    return tuple(t.numpy() for t in ds.tensors)


def _check_split(ds, shape, n_classes, n=None):
    x, y = _arrays(ds)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert x.shape[1:] == shape and (n is None or len(x) == n)
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert set(np.unique(y).tolist()) == set(range(n_classes))


# ------------------------------------------------------------------------- scikit-learn
def test_load_digits():
    pytest.importorskip("sklearn")
    train, test = datasets.load_digits()
    _check_split(train, (1, 8, 8), 10)
    _check_split(test, (1, 8, 8), 10)
    assert len(train) + len(test) == 1797 and abs(len(test) - 0.2 * 1797) < 10
    assert train.tensors[0].numpy().max() == 1.0
    again, _ = datasets.load_digits()
    assert np.array_equal(again.tensors[1].numpy(), train.tensors[1].numpy())  # fixed split
    flat, _ = datasets.load_digits(flatten=True)
    assert flat.tensors[0].shape == (len(train), 64)
    counts = np.bincount(test.tensors[1].numpy())
    assert counts.min() >= 34 and counts.max() <= 38  # stratified: ~36 of each digit


def test_load_iris():
    pytest.importorskip("sklearn")
    train, test = datasets.load_iris()
    _check_split(train, (4,), 3, 120)
    _check_split(test, (4,), 3, 30)
    assert np.bincount(test.tensors[1].numpy()).tolist() == [10, 10, 10]


# ------------------------------------------------------------------------- toy generators
GENERATORS = [datasets.make_moons, datasets.make_xor, datasets.make_spiral, datasets.make_circles]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_generator_shapes_and_determinism(make):
    ds = make(101, 0.1, 3)
    x, y = _arrays(ds)
    assert x.shape == (101, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.isfinite(x).all() and y.min() == 0
    assert np.array_equal(_arrays(make(101, 0.1, 3))[0], x)
    assert not np.array_equal(_arrays(make(101, 0.1, 4))[0], x)
    tg.manual_seed(8)
    a = _arrays(make(50, 0.1, None))[0]
    tg.manual_seed(8)
    assert np.array_equal(_arrays(make(50, 0.1, None))[0], a)


def test_generator_geometry():
    x, y = _arrays(datasets.make_circles(400, 0.0, 0, factor=0.3))
    r = np.linalg.norm(x, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-5)
    x, y = _arrays(datasets.make_xor(500, 0.0, 0))
    assert np.array_equal(y, ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.int64))
    x, y = _arrays(datasets.make_moons(200, 0.0, 0))
    assert np.bincount(y).tolist() == [100, 100] and x[y == 0, 1].min() >= -1e-6
    x, y = _arrays(datasets.make_spiral(100, 0.0, 0, classes=4))
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    assert np.linalg.norm(x, axis=1).max() <= 1.0 + 1e-6


def test_generator_errors():
    with pytest.raises(ValueError, match="factor"):
        datasets.make_circles(10, 0.1, 0, factor=1.5)
    with pytest.raises(ValueError, match="classes"):
        datasets.make_spiral(10, 0.1, 0, classes=0)
    with pytest.raises(ValueError, match="n must be"):
        datasets.make_moons(0)


# ------------------------------------------------------------------------- file formats
@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_idx_roundtrip(dtype):
    a = (
        (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        if dtype != "u1"
        else np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    )
    b = parse_idx(write_idx(a))
    assert b.dtype == a.dtype.newbyteorder("=") and np.array_equal(a, b)


def test_idx_errors():
    good = write_idx(np.zeros((3, 2), dtype=np.uint8))
    with pytest.raises(FormatError, match="truncated"):
        parse_idx(good[:-1], "x.idx")
    with pytest.raises(FormatError, match="not an IDX file"):
        parse_idx(b"\x01\x02\x08\x01", "x.idx")
    with pytest.raises(FormatError, match="type code"):
        parse_idx(b"\x00\x00\x07\x01\x00\x00\x00\x00", "x.idx")


# ------------------------------------------------------------------------- MNIST files
def _check_mnist_like(train, test):
    for ds, n in ((train, 60000), (test, 10000)):
        x, y = ds.tensors
        assert x.shape == (n, 1, 28, 28) and y.shape == (n,)
        assert x.dtype == tg.float32 and y.dtype == tg.int64
        xn, yn = x.numpy(), y.numpy()
        assert xn.min() == 0.0 and xn.max() == 1.0
        assert yn.min() == 0 and yn.max() == 9 and len(np.unique(yn)) == 10


def test_load_mnist_from_root(datasets_dir, isolated):
    train, test = datasets.load_mnist(root=datasets_dir, download=False)
    _check_mnist_like(train, test)
    assert train.tensors[1][:5].tolist() == [5, 0, 4, 1, 9]  # MNIST's famous first labels
    flat_train, flat_test = datasets.load_mnist(root=datasets_dir, download=False, flatten=True)
    assert flat_train.tensors[0].shape == (60000, 784) and flat_test.tensors[0].shape == (
        10000,
        784,
    )
    np.testing.assert_array_equal(
        flat_test.tensors[0].numpy()[:3], test.tensors[0].numpy()[:3].reshape(3, -1)
    )
    assert not any(isolated.rglob("*"))  # nothing was downloaded or written


def test_load_fashion_mnist_from_env_var(datasets_dir, isolated, monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(datasets_dir))
    train, test = datasets.load_fashion_mnist(download=False)
    _check_mnist_like(train, test)


def test_fashion_mnist_from_debian_style_folder(datasets_dir, isolated, monkeypatch):
    res = datasets.RESOURCES["fashion-mnist"]
    debian = str(datasets_dir / "fashion-mnist")  # files directly in the folder, as Debian's
    monkeypatch.setitem(
        datasets.RESOURCES, "fashion-mnist", dataclasses.replace(res, system_dirs=(debian,))
    )
    train, _ = datasets.load_fashion_mnist(download=False, flatten=True)
    assert train.tensors[0].shape == (60000, 784)


def test_missing_files_error_says_where(isolated, tmp_path):
    with pytest.raises(FileNotFoundError, match="not found in .*empty.*download=True"):
        datasets.load_mnist(root=tmp_path / "empty", download=False)


def _copy_with_flipped_byte(src, dst, compress: bool) -> None:
    raw = bytearray(gzip.decompress(src.read_bytes()))
    raw[-1] ^= 0xFF
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(gzip.compress(bytes(raw)) if compress else bytes(raw))


@pytest.mark.parametrize("compress", [True, False])
def test_corrupted_copy_is_detected(datasets_dir, isolated, tmp_path, monkeypatch, compress):
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(datasets_dir))  # the other files come from here
    name = "t10k-labels-idx1-ubyte"
    bad = tmp_path / "root" / "mnist" / (name + (".gz" if compress else ""))
    _copy_with_flipped_byte(datasets_dir / "mnist" / f"{name}.gz", bad, compress)
    expected = datasets.RESOURCES["mnist"].files[name]
    with pytest.raises(datasets.ChecksumError, match=f"{bad.name}.*SHA-256.*expected {expected}"):
        datasets.load_mnist(root=tmp_path / "root", download=False)


def test_damaged_gzip_and_wrong_dataset(datasets_dir, isolated, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    gz = (datasets_dir / "mnist" / "train-labels-idx1-ubyte.gz").read_bytes()
    (root / "train-labels-idx1-ubyte.gz").write_bytes(gz[: len(gz) // 2])
    shutil.copy(datasets_dir / "mnist" / "train-images-idx3-ubyte.gz", root)
    with pytest.raises(FormatError, match="train-labels.*damaged or truncated"):
        datasets.load_mnist(root=root, download=False)
    # MNIST's images where Fashion-MNIST's are expected: a wrong file is refused
    with pytest.raises(datasets.ChecksumError, match="Fashion-MNIST's train-images"):
        datasets.load_fashion_mnist(root=root, download=False)


# ------------------------------------------------------------------------- CIFAR-10 binary
def _cifar_batch(n: int, offset: int) -> tuple:
    labels = (np.arange(n) + offset) % 10
    images = np.random.default_rng(offset).integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    records = np.concatenate([labels[:, None].astype(np.uint8), images.reshape(n, -1)], 1)
    return records.tobytes(), images, labels


def _fake_cifar_tar(path) -> tuple:
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    batches = {name: _cifar_batch(3, k) for k, name in enumerate(names)}
    with tarfile.open(path, "w:gz") as tar:
        for name, (data, _, _) in batches.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return batches


def test_cifar10_from_fake_tarball(isolated, tmp_path, monkeypatch):
    tar_path = tmp_path / "root" / "cifar-10-binary.tar.gz"
    tar_path.parent.mkdir()
    batches = _fake_cifar_tar(tar_path)
    res = datasets.RESOURCES["cifar10"]
    md5 = hashlib.md5(tar_path.read_bytes()).hexdigest()
    with pytest.raises(datasets.ChecksumError, match="MD5"):  # the real tarball's md5 differs
        datasets.load_cifar10(root=tmp_path / "root", download=False)
    monkeypatch.setitem(
        datasets.RESOURCES,
        "cifar10",
        dataclasses.replace(res, files={"cifar-10-binary.tar.gz": md5}),
    )
    train, test = datasets.load_cifar10(root=tmp_path / "root", download=False)
    assert train.tensors[0].shape == (15, 3, 32, 32) and test.tensors[0].shape == (3, 3, 32, 32)
    _, images, labels = batches["data_batch_1.bin"]
    np.testing.assert_allclose(train.tensors[0].numpy()[:3], images / 255.0, rtol=1e-6)
    assert train.tensors[1].numpy()[:3].tolist() == labels.tolist()
    assert train.tensors[1].dtype == tg.int64
    flat, _ = datasets.load_cifar10(root=tmp_path / "root", download=False, flatten=True)
    assert flat.tensors[0].shape == (15, 3072)


def test_cifar10_from_extracted_folder(isolated, tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for k, name in enumerate(names):
        (folder / name).write_bytes(_cifar_batch(2, k)[0])
    train, test = datasets.load_cifar10(root=tmp_path, download=False)
    assert len(train) == 10 and len(test) == 2
    (folder / "test_batch.bin").write_bytes(b"\x00" * 100)
    with pytest.raises(FormatError, match="test_batch.bin.*3073-byte records"):
        datasets.load_cifar10(root=tmp_path, download=False)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="lacks data_batch_3.bin"):
        datasets.load_cifar10(root=tmp_path, download=False)
