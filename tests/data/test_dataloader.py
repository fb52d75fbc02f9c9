"""DataLoader: batching, shuffling with the library seed, drop_last, collate, devices."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.data import DataLoader, Dataset, TensorDataset, default_collate, random_split


def _ds(n: int = 10) -> TensorDataset:
    return TensorDataset(tg.arange(n * 2).reshape(n, 2).float(), tg.arange(n))


def _labels(loader) -> list:
    return [yb.tolist() for _, yb in loader]


def test_batches_in_order():
    loader = DataLoader(_ds(10), batch_size=4)
    assert len(loader) == 3 and loader.dataset is not None
    batches = list(loader)
    assert [tuple(b[0].shape) for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert _labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and xb.dtype == tg.float32 and yb.dtype == tg.int64
    assert xb.device == "cpu" and not xb.requires_grad


def test_default_batch_size_is_one():
    loader = DataLoader(_ds(3))
    assert len(loader) == 3
    assert [yb.shape for _, yb in loader] == [(1,), (1,), (1,)]


def test_drop_last():
    loader = DataLoader(_ds(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert _labels(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(_ds(3), batch_size=4, drop_last=True)) == 0
    assert list(DataLoader(_ds(3), batch_size=4, drop_last=True)) == []


def test_shuffle_is_a_permutation_and_reproducible():
    loader = DataLoader(_ds(20), batch_size=6, shuffle=True)
    tg.manual_seed(5)
    epoch1 = _labels(loader)
    epoch2 = _labels(loader)
    assert sorted(sum(epoch1, [])) == list(range(20))
    assert epoch1 != epoch2  # a new order every epoch
    tg.manual_seed(5)
    assert _labels(loader) == epoch1
    assert sum(epoch1, []) != list(range(20))


def test_batches_are_copies():
    ds = _ds(4)
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    with tg.no_grad():
        xb += 100.0
    assert ds.tensors[0].tolist()[0] == [0.0, 1.0]


def test_subset_uses_fast_path_with_right_rows():
    ds = _ds(10)
    train, _ = random_split(ds, [6, 4])
    got = sorted(sum(_labels(DataLoader(train, batch_size=4, shuffle=True)), []))
    assert got == sorted(train.indices)
    xb, yb = next(iter(DataLoader(train, batch_size=6)))
    assert xb.tolist() == [[2.0 * i, 2.0 * i + 1] for i in train.indices]


class Squares(Dataset):
    """A generic dataset: samples (array, python int, python float)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.full((2, 2), i, dtype=np.float32), i, float(i) ** 2


def test_generic_dataset_default_collate():
    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    x, i, sq = batches[0]
    assert x.shape == (2, 2, 2) and x.dtype == tg.float32
    assert i.dtype == tg.int64 and i.tolist() == [0, 1]
    assert sq.dtype == tg.float32 and sq.tolist() == [0.0, 1.0]
    assert batches[-1][1].tolist() == [4]


def test_generic_dataset_shuffle_matches_tensor_dataset_order():
    tg.manual_seed(1)
    generic = [b[1].tolist() for b in DataLoader(Squares(), batch_size=5, shuffle=True)]
    tg.manual_seed(1)
    fast = _labels(DataLoader(_ds(5), batch_size=5, shuffle=True))
    assert generic == fast


def test_default_collate_structures():
    samples = [{"x": tg.ones(3), "y": 1}, {"x": tg.zeros(3), "y": 2}]
    out = default_collate(samples)
    assert out["x"].shape == (2, 3) and out["y"].tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="different shapes"):
        default_collate([tg.ones(2), tg.ones(3)])
    with pytest.raises(TypeError, match="collate_fn"):
        default_collate([object(), object()])


def test_custom_collate_fn():
    def collate(samples):
        return tuple(s[1] for s in samples)

    loader = DataLoader(_ds(5), batch_size=2, collate_fn=collate)
    first = next(iter(loader))
    assert [t.item() for t in first] == [0, 1]


def test_transform_applies_to_first_tensor():
    loader = DataLoader(_ds(4), batch_size=2, transform=lambda x: x * 0 - 1)
    xb, yb = next(iter(loader))
    assert xb.tolist() == [[-1.0, -1.0], [-1.0, -1.0]] and yb.tolist() == [0, 1]


def test_device_argument():
    loader = DataLoader(_ds(4), batch_size=2, device="cpu")
    assert all(xb.device == "cpu" for xb, _ in loader)
    if not tg.cuda.is_available():
        with pytest.raises(RuntimeError, match="cuda"):
            DataLoader(_ds(4), device="cuda")


def test_batches_on_cuda(device):
    xb, yb = next(iter(DataLoader(_ds(6), batch_size=3, shuffle=True, device=device)))
    assert xb.device == device and yb.device == device and xb.shape == (3, 2)


def test_argument_errors():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_ds(4), batch_size=0)
    with pytest.raises(TypeError, match="__getitem__"):
        DataLoader(42)
    assert "batch_size=3" in repr(DataLoader(_ds(4), batch_size=3))


def test_tensor_dataset_fast_path_indexes_once_per_batch(monkeypatch):
    calls = []
    original = TensorDataset.__getitem__

    def counting(self, index):
        calls.append(index)
        return original(self, index)

    monkeypatch.setattr(TensorDataset, "__getitem__", counting)
    ds = TensorDataset(tg.zeros(1000, 8), tg.zeros(1000, dtype=tg.int64))
    train, _ = random_split(ds, [0.9, 0.1])
    for data, batches in ((ds, 8), (train, 8)):
        calls.clear()
        assert sum(1 for _ in DataLoader(data, batch_size=128, shuffle=True)) == batches
        assert len(calls) == batches and all(isinstance(i, Tensor) for i in calls)
