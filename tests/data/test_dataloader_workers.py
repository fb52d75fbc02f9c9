"""DataLoader(num_workers=2): real worker processes, the same batches in the same order as
num_workers=0, worker errors re-raised in the main process, workers always cleaned up."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time

import pytest

import tinygrad_edu as tg
from tinygrad_edu.data import DataLoader, Dataset, Generator, TensorDataset, get_worker_info


class Squares(Dataset):
    """Per-sample items: (x float32 (2,), y int) computed in __getitem__, as tutorials write."""

    def __init__(
        self,
        n: int = 20,
        fail_at: int | None = None,
        exit_at: int | None = None,
        sleep: float = 0.0,
    ) -> None:
        self.n, self.fail_at, self.exit_at, self.sleep = n, fail_at, exit_at, sleep

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        if i == self.fail_at:
            raise ValueError(f"bad sample {i}")
        if i == self.exit_at:
            os._exit(3)
        time.sleep(self.sleep)
        return tg.tensor([float(i), float(i * i)]), i


class WhoAmI(Dataset):
    def __len__(self) -> int:
        return 12

    def __getitem__(self, i: int):
        info = get_worker_info()
        return i, info.id, info.num_workers, os.getpid(), info.seed, int(tg.randint(0, 10**9, ()))


def _children() -> list:
    gc.collect()
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children()


def _as_lists(loader) -> list:
    return [[t.tolist() for t in batch] for batch in loader]


def test_same_batches_in_the_same_order_as_num_workers_0():
    ds = Squares(23)
    tg.manual_seed(7)
    single = _as_lists(DataLoader(ds, batch_size=4, shuffle=True))
    tg.manual_seed(7)
    multi = _as_lists(DataLoader(ds, batch_size=4, shuffle=True, num_workers=2))
    assert multi == single and len(multi) == 6
    assert sorted(sum((b[1] for b in multi), [])) == list(range(23))
    g0 = _as_lists(DataLoader(ds, batch_size=5, shuffle=True, generator=Generator().manual_seed(1)))
    g2 = _as_lists(
        DataLoader(
            ds,
            batch_size=5,
            shuffle=True,
            num_workers=2,
            generator=Generator().manual_seed(1),
            prefetch_factor=1,
        )
    )
    assert g0 == g2
    assert _children() == []


def test_worker_info_init_fn_and_round_robin():
    assert get_worker_info() is None  # the main process
    started = multiprocessing.get_context().Queue()
    loader = DataLoader(WhoAmI(), batch_size=2, num_workers=2, worker_init_fn=started.put)
    batches = list(loader)
    ids, nums, pids, seeds = (sum((b[k].tolist() for b in batches), []) for k in (1, 2, 3, 4))
    assert [b[0].tolist() for b in batches] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]
    assert ids == [0, 0, 1, 1] * 3 and set(nums) == {2}  # batch k is made by worker k % 2
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert seeds[2] == seeds[0] + 1  # seed = base_seed + worker id, as PyTorch
    assert sorted(started.get(timeout=5) for _ in range(2)) == [0, 1]
    draws = sum((b[5].tolist() for b in batches), [])
    assert draws[0] != draws[2]  # each worker's library RNG has its own seed
    assert _children() == []


def test_worker_error_is_reraised_naming_worker_and_index():
    loader = DataLoader(Squares(10, fail_at=5), batch_size=2, num_workers=2)
    with pytest.raises(
        ValueError, match=r"(?s)worker process 0 reading dataset\[5\].*bad sample 5"
    ):
        list(loader)
    assert _children() == []


def test_worker_init_fn_error_and_dead_worker():
    def bad_init(worker_id):
        raise KeyError(f"no config for worker {worker_id}")

    with pytest.raises(KeyError, match="worker_init_fn"):
        list(DataLoader(Squares(6), batch_size=2, num_workers=2, worker_init_fn=bad_init))
    with pytest.raises(
        RuntimeError,
        match=r"DataLoader worker 1 \(pid \d+\) exited unexpectedly "
        r"with exit code 3",
    ):
        list(DataLoader(Squares(6, exit_at=2), batch_size=2, num_workers=2))
    assert _children() == []


def test_break_and_exceptions_clean_up_workers():
    loader = DataLoader(Squares(40), batch_size=2, num_workers=2)
    for _ in loader:
        break
    assert _children() == []
    with pytest.raises(ZeroDivisionError):
        for _ in loader:
            1 / 0
    assert _children() == []
    it = iter(loader)
    next(it)
    del it  # an abandoned iterator (garbage collected)
    assert _children() == []


def test_persistent_workers_survive_epochs_and_go_with_the_loader():
    loader = DataLoader(WhoAmI(), batch_size=3, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b[3].tolist()}
    for _ in loader:  # a broken epoch leaves nothing behind for the next one
        break
    second = [b[0].tolist() for b in loader]
    assert second == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    third = {p for b in loader for p in b[3].tolist()}
    assert first == third and len(first) == 2
    assert len(multiprocessing.active_children()) == 2
    old, new = iter(loader), iter(loader)
    next(old)
    next(new)  # PyTorch resets the one iterator; here the older one says so
    with pytest.raises(RuntimeError, match="a new epoch of this loader"):
        list(old)
    assert len(list(new)) == 3
    del loader, old, new
    assert _children() == []


def test_timeout():
    loader = DataLoader(Squares(4, sleep=3.0), batch_size=2, num_workers=1, timeout=0.3)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(iter(loader))
    assert _children() == []


def test_tensor_dataset_and_no_batching_with_workers():
    ds = TensorDataset(tg.arange(10).float(), tg.arange(10))
    loader = DataLoader(ds, batch_size=4, num_workers=2, pin_memory=True)
    assert [y.tolist() for _, y in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    unbatched = list(DataLoader(Squares(3), batch_size=None, num_workers=2))
    assert [y for _, y in unbatched] == [0, 1, 2] and unbatched[1][0].tolist() == [1.0, 1.0]
    assert _children() == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multi"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(num_workers=1, prefetch_factor=0), "prefetch_factor must be an int >= 1"),
    ],
)
def test_worker_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Squares(4), **kwargs)


@pytest.mark.slow
def test_spawn_context_gives_the_same_batches():
    ds = Squares(9)
    single = _as_lists(DataLoader(ds, batch_size=4))
    spawned = _as_lists(
        DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="spawn")
    )
    assert spawned == single
    assert _children() == []
