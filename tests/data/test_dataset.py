"""TensorDataset, Subset and random_split."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.data import Dataset, Subset, TensorDataset, random_split


def _ds(n: int = 10) -> TensorDataset:
    x = tg.arange(n * 3).reshape(n, 3).float()
    y = tg.arange(n)
    return TensorDataset(x, y)


def test_tensor_dataset_basics():
    ds = _ds(10)
    assert len(ds) == 10
    assert len(ds.tensors) == 2
    x, y = ds[3]
    assert isinstance(x, Tensor) and x.shape == (3,)
    assert x.tolist() == [9.0, 10.0, 11.0] and y.item() == 3
    x, y = ds[-1]
    assert y.item() == 9
    assert "TensorDataset(n=10" in repr(ds)


def test_tensor_dataset_batched_indexing():
    ds = _ds(10)
    xb, yb = ds[2:5]
    assert xb.shape == (3, 3) and yb.tolist() == [2, 3, 4]
    xb, yb = ds[[7, 1, 1]]
    assert yb.tolist() == [7, 1, 1]
    xb, yb = ds[np.array([0, 9])]
    assert yb.tolist() == [0, 9] and xb.shape == (2, 3)
    xb, yb = ds[tg.tensor([4, 2])]
    assert yb.tolist() == [4, 2]


def test_tensor_dataset_single_tensor_and_iteration():
    ds = TensorDataset(tg.arange(4))
    assert ds[2][0].item() == 2
    assert [s[0].item() for s in ds] == [0, 1, 2, 3]  # __getitem__ raises IndexError at the end


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match="size mismatch.*tensor 0 has 5.*tensor 1 has 4"):
        TensorDataset(tg.zeros(5, 2), tg.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(tg.tensor(1.0))
    with pytest.raises(IndexError, match="out of range"):
        _ds(3)[5]


def test_subset():
    ds = _ds(10)
    sub = Subset(ds, [8, 2, 5])
    assert len(sub) == 3
    assert sub[0][1].item() == 8 and sub[-1][1].item() == 5
    assert sub[1:][1].tolist() == [2, 5]
    assert sub[[2, 0]][1].tolist() == [5, 8]
    with pytest.raises(IndexError, match="out of range"):
        Subset(ds, [0, 10])


def test_random_split_lengths_and_disjoint():
    ds = _ds(10)
    a, b = random_split(ds, [7, 3])
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    parts = random_split(ds, [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(_ds(11), [0.5, 0.5])  # remainder goes to the first split
    assert [len(p) for p in parts] == [6, 5]


def test_random_split_reproducible():
    ds = _ds(50)
    tg.manual_seed(3)
    first = random_split(ds, [40, 10])[1].indices
    tg.manual_seed(3)
    assert random_split(ds, [40, 10])[1].indices == first
    seeded = random_split(ds, [40, 10], generator=7)[1].indices
    tg.manual_seed(99)
    assert random_split(ds, [40, 10], generator=7)[1].indices == seeded
    rng = np.random.default_rng(1)
    assert len(random_split(ds, [25, 25], generator=rng)[0]) == 25


def test_random_split_errors():
    with pytest.raises(ValueError, match="sum to 9.*10 samples"):
        random_split(_ds(10), [5, 4])
    with pytest.raises(ValueError, match="fractions summing to 1"):
        random_split(_ds(10), [0.5, 0.6])
    with pytest.raises(TypeError, match="generator"):
        random_split(_ds(10), [5, 5], generator="seed")


def test_dataset_base_is_abstract():
    class Empty(Dataset):
        pass

    with pytest.raises(NotImplementedError, match="__getitem__"):
        Empty()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Empty())
