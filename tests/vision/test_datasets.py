"""vision.datasets: torchvision's per-sample items and folder layout, read through the verified
loaders of tinygrad_edu.data (the real MNIST / Fashion-MNIST files come from the datasets_dir
fixture: $TINYGRAD_EDU_TEST_DATA or ../shared/datasets)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.data import DataLoader, Subset
from tinygrad_edu.data import datasets as data_datasets
from tinygrad_edu.vision import datasets, transforms


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TINYGRAD_EDU_DATA", raising=False)


def _torchvision_root(tmp_path, datasets_dir, src: str, dst: str):
    """root/<dst>/raw/<the four .gz files>, linked from the shared copies."""
    raw = tmp_path / "root" / dst / "raw"
    raw.mkdir(parents=True)
    for f in (datasets_dir / src).glob("*.gz"):
        (raw / f.name).symlink_to(f)
    return tmp_path / "root"


def test_mnist_from_torchvision_layout(tmp_path, datasets_dir, isolated):
    root = _torchvision_root(tmp_path, datasets_dir, "mnist", "MNIST")
    test = datasets.MNIST(root, train=False)
    train = datasets.MNIST(str(root), train=True, download=False)
    assert len(train) == 60000 and len(test) == 10000
    img, label = train[0]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    assert label == 5 and isinstance(label, int)
    assert [train[i][1] for i in range(5)] == [5, 0, 4, 1, 9]
    assert train.data.shape == (60000, 28, 28) and train.data.dtype == tg.uint8
    assert train.targets.dtype == tg.int64 and train.targets[:3].tolist() == [5, 0, 4]
    assert train.classes[0] == "0 - zero" and train.class_to_idx["9 - nine"] == 9
    whole, _ = data_datasets.load_mnist(root=root, download=False)
    np.testing.assert_array_equal(img, (whole.tensors[0][0, 0].numpy() * 255).round())
    assert "Number of datapoints: 60000" in repr(train) and "Split: Train" in repr(train)
    img[:] = 0  # items are copies: the dataset is unchanged
    assert train[0][0].sum() > 0


def test_mnist_transforms_and_a_dataloader_with_workers(tmp_path, datasets_dir, isolated):
    root = _torchvision_root(tmp_path, datasets_dir, "mnist", "MNIST")
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    test = datasets.MNIST(root, train=False, transform=tf, target_transform=lambda y: y + 100)
    x, y = test[0]
    assert x.shape == (1, 28, 28) and x.dtype == tg.float32 and y == 107
    raw = datasets.MNIST(root, train=False)[0][0]
    np.testing.assert_allclose(x.numpy()[0], (raw / 255.0 - 0.1307) / 0.3081, rtol=1e-5, atol=1e-5)
    subset = Subset(test, list(range(64)))
    single = [(xb.numpy(), yb.tolist()) for xb, yb in DataLoader(subset, batch_size=16)]
    multi = [
        (xb.numpy(), yb.tolist()) for xb, yb in DataLoader(subset, batch_size=16, num_workers=2)
    ]
    assert [b[1] for b in multi] == [b[1] for b in single] and single[0][0].shape == (16, 1, 28, 28)
    for (a, _), (b, _) in zip(single, multi):
        np.testing.assert_array_equal(a, b)


def test_fashion_mnist(tmp_path, datasets_dir, isolated):
    root = _torchvision_root(tmp_path, datasets_dir, "fashion-mnist", "FashionMNIST")
    test = datasets.FashionMNIST(root, train=False)
    assert len(test) == 10000 and test.classes[9] == "Ankle boot"
    img, label = test[0]
    assert img.shape == (28, 28) and label == 9  # the first test item is an ankle boot


def test_missing_files_and_bad_arguments(tmp_path, isolated):
    with pytest.raises(FileNotFoundError, match="MNIST file train-images-idx3-ubyte"):
        datasets.MNIST(tmp_path / "nowhere", train=True, download=False)
    with pytest.raises(TypeError, match="transform must be callable"):
        datasets.MNIST(tmp_path, transform="ToTensor")


def _fake_cifar(folder, n_per_file: int = 4):
    """A cifar-10-batches-bin folder in the binary format: records of 1 label + 3072 bytes."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    out = {}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        labels = rng.integers(0, 10, n_per_file, dtype=np.uint8)
        images = rng.integers(0, 256, (n_per_file, 3, 32, 32), dtype=np.uint8)
        records = np.concatenate([labels[:, None], images.reshape(n_per_file, -1)], axis=1)
        (folder / name).write_bytes(records.tobytes())
        out[name] = (images, labels)
    return out


def test_cifar10_items_are_hwc(tmp_path, isolated):
    files = _fake_cifar(tmp_path / "root" / "cifar-10-batches-bin")
    train = datasets.CIFAR10(tmp_path / "root", train=True)
    test = datasets.CIFAR10(tmp_path / "root", train=False, transform=transforms.ToTensor())
    assert len(train) == 20 and len(test) == 4 and train.classes[0] == "airplane"
    img, label = train[5]  # the second item of data_batch_2
    images, labels = files["data_batch_2.bin"]
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    np.testing.assert_array_equal(img, images[1].transpose(1, 2, 0))
    assert label == int(labels[1])
    x, _ = test[0]
    np.testing.assert_allclose(x.numpy(), files["test_batch.bin"][0][0] / 255.0, rtol=1e-6)
    assert train.data.shape == (20, 32, 32, 3)
    with pytest.raises(IndexError, match="index 20 is out of range for 20 items"):
        train[20]
