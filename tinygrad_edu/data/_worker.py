"""The worker side of DataLoader(num_workers=N): what runs inside each worker process.

A worker gets (epoch, batch number, indices) tasks on its own queue, reads the samples with
``dataset[i]``, collates them and puts (epoch, batch number, batch) on the shared result queue;
None on its queue tells it to stop. Tensors travel as plain NumPy arrays (``_HostTensor``) and
become Tensors again in the main process. An exception is caught and sent back as an
``ExceptionWrapper`` naming the worker and the sample index, and re-raised in the main process.
"""

from __future__ import annotations

import os
import queue
import random
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from .. import backend
from ..tensor import Tensor

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info: "WorkerInfo | None" = None


@dataclass(frozen=True)
class WorkerInfo:
    """What get_worker_info() returns inside a worker: id (0..num_workers-1), num_workers,
    seed (the library RNG of the worker was seeded with it) and the worker's copy of the
    dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The WorkerInfo of the current DataLoader worker process, or None in the main process."""
    return _worker_info


class _HostTensor:
    """A Tensor reduced to its host array for the trip between processes."""

    __slots__ = ("array",)

    def __init__(self, array) -> None:
        self.array = array


def to_host(obj: Any) -> Any:
    if isinstance(obj, Tensor):
        return _HostTensor(backend.to_host(obj.detach().data))
    if isinstance(obj, dict):
        return {k: to_host(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return type(obj)(to_host(v) for v in obj) if type(obj) in (tuple, list) else obj
    return obj


def from_host(obj: Any) -> Any:
    if isinstance(obj, _HostTensor):
        return Tensor(obj.array, device="cpu")
    if isinstance(obj, dict):
        return {k: from_host(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)) and type(obj) in (tuple, list):
        return type(obj)(from_host(v) for v in obj)
    return obj


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process as text."""

    def __init__(self, exc: BaseException, worker_id: int, where: str) -> None:
        self.exc_type = type(exc)
        self.where = f"in DataLoader worker process {worker_id} {where}"
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def reraise(self) -> None:
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.text}"
        try:
            exc = self.exc_type(msg)
        except Exception:  # an exception class that needs other arguments
            exc = RuntimeError(msg)
        raise exc


def fetch(dataset: Any, indices: list, collate_fn: Callable | None, worker_id: int) -> Any:
    """dataset[i] for each index, collated; an error names the worker and the index."""
    samples = []
    for i in indices:
        try:
            samples.append(dataset[i])
        except Exception as exc:
            return ExceptionWrapper(exc, worker_id, f"reading dataset[{i}]")
    if collate_fn is None:  # batch_size=None: one sample per "batch"
        return samples[0]
    try:
        return collate_fn(samples)
    except Exception as exc:
        return ExceptionWrapper(exc, worker_id, f"collating the samples {indices}")


def worker_loop(
    dataset,
    index_queue,
    result_queue,
    collate_fn,
    worker_init_fn,  # noqa: PLR0913
    worker_id: int,
    num_workers: int,
    seed: int,
    parent_pid: int,
) -> None:
    """The main function of a worker process."""
    global _worker_info
    try:
        backend.manual_seed(seed % 2**63)
        random.seed(seed)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as exc:
        result_queue.put((None, None, ExceptionWrapper(exc, worker_id, "in worker_init_fn")))
        return
    while True:
        try:
            task = index_queue.get(timeout=5.0)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process is gone: stop, don't linger
                return
            continue
        if task is None:
            result_queue.cancel_join_thread()  # exit now, even if unread results are queued
            return
        epoch, number, indices = task
        batch = fetch(dataset, indices, collate_fn, worker_id)
        if not isinstance(batch, ExceptionWrapper):
            batch = to_host(batch)
        result_queue.put((epoch, number, batch))
