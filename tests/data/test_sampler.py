"""Samplers and the DataLoader's sampler/batch_sampler arguments, against torch.utils.data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tinygrad_edu as tg
from tinygrad_edu.data import (
    BatchSampler,
    DataLoader,
    Generator,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)


def _ds(n: int = 10) -> TensorDataset:
    return TensorDataset(tg.arange(n).float(), tg.arange(n))


@pytest.mark.parametrize(
    "n, bs, drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]
)
def test_sequential_and_batch_sampler_match_torch(n, bs, drop):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    assert list(SequentialSampler(range(n))) == list(tud.SequentialSampler(range(n)))


def test_random_sampler_is_a_reproducible_permutation():
    s = RandomSampler(range(20), generator=Generator().manual_seed(3))
    a, b = list(s), list(s)
    assert sorted(a) == list(range(20)) and a != b and len(s) == 20
    assert list(RandomSampler(range(20), generator=Generator().manual_seed(3))) == a
    tg.manual_seed(1)
    c = list(RandomSampler(range(20)))
    tg.manual_seed(1)
    assert list(RandomSampler(range(20))) == c  # the library RNG without a generator


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(range(5), num_samples=12)
    out = list(s)
    assert len(out) == len(s) == 12
    assert sorted(out[:5]) == sorted(out[5:10]) == list(range(5))  # whole permutations first
    r = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(r) == 50 and set(r) <= {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(5), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(5), replacement=1)


def test_subset_random_sampler():
    idx = [3, 7, 11, 15]
    out = list(SubsetRandomSampler(idx, generator=Generator().manual_seed(0)))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0]
    draws = list(WeightedRandomSampler(w, 4000, generator=Generator().manual_seed(0)))
    counts = np.bincount(draws, minlength=3)
    assert counts[0] == 0 and abs(counts[2] / counts[1] - 3) < 0.4
    no_repl = list(WeightedRandomSampler(tg.tensor([1.0, 1.0, 1.0, 0.5]), 4, replacement=False))
    assert sorted(no_repl) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler(w, 0)
    with pytest.raises(RuntimeError, match="cannot draw 3 samples without replacement"):
        WeightedRandomSampler(w, 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)


def test_batch_sampler_errors_match_torch():
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            BatchSampler(range(3), bad, False)
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            tud.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 1)


def test_dataloader_with_sampler_and_batch_sampler():
    loader = DataLoader(_ds(10), batch_size=4, sampler=[9, 8, 7, 6, 5])
    assert [y.tolist() for _, y in loader] == [[9, 8, 7, 6], [5]] and len(loader) == 2
    batches = [[0, 5], [1], [9, 2, 3]]
    loader = DataLoader(_ds(10), batch_sampler=batches)
    assert [y.tolist() for _, y in loader] == batches and len(loader) == 3
    assert loader.batch_size is None and loader.drop_last is False
    unbatched = DataLoader(_ds(3), batch_size=None)
    assert [y.tolist() for _, y in unbatched] == [0, 1, 2] and len(unbatched) == 3
    shuffled = DataLoader(_ds(10), batch_size=3, shuffle=True)
    assert isinstance(shuffled.sampler, RandomSampler)
    assert isinstance(shuffled.batch_sampler, BatchSampler)


def test_dataloader_generator_makes_the_order_reproducible():
    def order(seed):
        loader = DataLoader(
            _ds(12), batch_size=5, shuffle=True, generator=Generator().manual_seed(seed)
        )
        return [y.tolist() for _, y in loader]

    assert order(4) == order(4) != order(5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    ],
)
def test_dataloader_exclusive_arguments_as_torch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(_ds(4), **kwargs)
    with pytest.raises(ValueError, match=message):
        tud.DataLoader(tud.TensorDataset(torch.arange(4)), **kwargs)


def test_random_split_takes_a_generator():
    from tinygrad_edu.data import random_split

    def split(seed):
        a, b = random_split(_ds(10), [7, 3], generator=Generator().manual_seed(seed))
        return a.indices, b.indices

    assert split(42) == split(42) != split(43)
    assert sorted(split(42)[0] + split(42)[1]) == list(range(10))
