"""The main-process side of DataLoader(num_workers=N): start workers, hand out index batches,
deliver the batches in sampler order, re-raise worker errors and always clean up.

Batch k goes to worker k % N; up to prefetch_factor * N batches are in flight. Results may
arrive in any order and wait in a small buffer until their turn, so the loader yields exactly
the batches of num_workers=0, in the same order. Each epoch is numbered and results of an
abandoned epoch (a `break`) are dropped. Workers are stopped when the epoch ends (or, with
persistent_workers, when the DataLoader is garbage collected), when the loop is left by `break`
or an exception (the generator is closed), and at interpreter exit (weakref.finalize);
a worker that does not stop within two seconds is terminated.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
import weakref
from typing import Any, Callable, Iterator

from ._worker import ExceptionWrapper, from_host, worker_loop
from .sampler import peek_seed

_POLL = 1.0  # seconds between checks that the workers are still alive


def _context(spec: Any):
    if spec is None or isinstance(spec, str):
        return multiprocessing.get_context(spec)
    return spec  # a multiprocessing context object


def _shutdown(workers: list, index_queues: list, result_queue) -> None:
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):  # the queue is already closed
            pass
    deadline = time.monotonic() + 2.0  # then terminate: a worker may be stuck in __getitem__
    for w in workers:
        w.join(timeout=max(0.0, deadline - time.monotonic()))
        if w.is_alive():
            w.terminate()
            w.join(timeout=1.0)
    for q in [*index_queues, result_queue]:
        q.cancel_join_thread()
        q.close()


class MultiProcessBatches:
    """Worker processes of one DataLoader; `epoch(index_batches)` yields the batches in order."""

    def __init__(self, loader: Any, collate: Callable | None) -> None:
        ctx = _context(loader.multiprocessing_context)
        self.num_workers, self.timeout = loader.num_workers, loader.timeout
        self.prefetch = loader.prefetch_factor * loader.num_workers
        self.result_queue = ctx.Queue()
        self.index_queues, self.workers = [], []
        base_seed = peek_seed(loader.generator)
        for wid in range(self.num_workers):
            q = ctx.Queue()
            w = ctx.Process(
                target=worker_loop,
                args=(
                    loader.dataset,
                    q,
                    self.result_queue,
                    collate,
                    loader.worker_init_fn,
                    wid,
                    self.num_workers,
                    base_seed + wid,
                    os.getpid(),
                ),
                daemon=True,
            )
            w.start()
            self.index_queues.append(q)
            self.workers.append(w)
        self._epoch = 0
        self._finalizer = weakref.finalize(
            self, _shutdown, self.workers, self.index_queues, self.result_queue
        )

    def shutdown(self) -> None:
        """Stop the workers (idempotent)."""
        self._finalizer()

    @property
    def alive(self) -> bool:
        return self._finalizer.alive

    def epoch(self, index_batches: Iterator[list]) -> Iterator:
        if not self.alive:
            raise RuntimeError("DataLoader: the worker processes were already shut down")
        self._epoch += 1
        batches = iter(index_batches)
        sent = received = 0
        buffer: dict = {}
        while sent < self.prefetch and self._send(batches, sent):
            sent += 1
        epoch = self._epoch
        while received < sent:
            while received not in buffer:
                if self._epoch != epoch:  # persistent workers serve one epoch at a time
                    raise RuntimeError(
                        "DataLoader: a new epoch of this loader (persistent_workers=True) started "
                        "while this one was unfinished; finish or break out of one loop first"
                    )
                number, batch = self._get()
                buffer[number] = batch
            batch = buffer.pop(received)
            received += 1
            if self._send(batches, sent):
                sent += 1
            yield from_host(batch)

    def _send(self, batches: Iterator[list], number: int) -> bool:
        indices = next(batches, None)
        if indices is None:
            return False
        self.index_queues[number % self.num_workers].put((self._epoch, number, indices))
        return True

    def _get(self) -> tuple:
        """The next (batch number, batch) of this epoch; raises for worker errors, dead workers
        and the timeout."""
        start = time.monotonic()
        while True:
            wait = _POLL if not self.timeout else min(_POLL, self.timeout)
            try:
                epoch, number, batch = self.result_queue.get(timeout=wait)
            except queue.Empty:
                self._check_workers()
                if self.timeout and time.monotonic() - start >= self.timeout:
                    raise RuntimeError(
                        f"DataLoader timed out after {self.timeout} seconds waiting for a batch"
                    ) from None
                continue
            if isinstance(batch, ExceptionWrapper):
                if epoch is None or epoch == self._epoch:
                    self.shutdown()
                    batch.reraise()
                continue
            if epoch == self._epoch:
                return number, batch

    def _check_workers(self) -> None:
        for wid, w in enumerate(self.workers):
            if not w.is_alive():
                code = w.exitcode
                self.shutdown()
                raise RuntimeError(
                    f"DataLoader worker {wid} (pid {w.pid}) exited unexpectedly with exit code "
                    f"{code}"
                )
