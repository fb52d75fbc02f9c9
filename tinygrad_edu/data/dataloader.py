"""DataLoader (as torch.utils.data.DataLoader): a dataset in (shuffled) mini-batches of Tensors.

    loader = DataLoader(train, batch_size=64, shuffle=True, num_workers=2)
    for xb, yb in loader:            # xb (64, C, H, W) float32, yb (64,) int64
        ...

Which indices form a batch is decided by a sampler (data/sampler.py): shuffle=True means a
RandomSampler, drawing from the library's seeded RNG (``tg.manual_seed(n)``) or `generator`.
A TensorDataset (or a Subset of one, as random_split returns) takes a fast path: each batch is
cut from the whole tensors with one fancy-index per tensor, in the main process. Any other
dataset is read sample by sample (``dataset[i]``) and the samples are stacked by
``default_collate`` (or your ``collate_fn``), in the main process (num_workers=0) or in worker
processes (_multiprocess.py) that deliver the batches in the same order.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from .. import backend
from ..composite.join import stack
from ..tensor import Tensor
from ._multiprocess import MultiProcessBatches
from .dataset import Dataset, Subset, TensorDataset
from .sampler import BatchSampler, Generator, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples: list) -> Any:
    """Stack a list of samples into a batch, field by field.

    Each sample is a tuple/list of fields (a Tensor, NumPy array, Python number or a nested
    tuple/dict of them), a dict of fields, or a single field. Tensors and arrays of equal shape
    are stacked along a new first dim; Python ints become an int64 tensor, floats a float32 one.
    Tuples and lists give a tuple, dicts a dict with the same keys.
    """
    if not samples:
        raise ValueError("default_collate: cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, Tensor):
        return _stack_field(samples, "sample")
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        sizes = {len(s) for s in samples}
        if len(sizes) != 1:
            raise ValueError(
                f"default_collate: samples have different numbers of fields {sorted(sizes)}; "
                "every sample must have the same structure"
            )
        return tuple(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, (bool, int, float)) or backend.is_array(first) or backend.is_scalar(first):
        return _stack_field([Tensor(s) for s in samples], "field")
    raise TypeError(
        f"default_collate: don't know how to batch a sample field of type "
        f"{type(first).__name__}; return Tensors, arrays or numbers from __getitem__, or pass "
        "collate_fn= to the DataLoader"
    )


def _stack_field(tensors: list, what: str) -> Tensor:
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) != 1:
        raise RuntimeError(
            f"default_collate: cannot stack {what}s of different shapes {sorted(shapes)[:4]}; "
            "make the samples the same size (e.g. with a transform) or pass collate_fn="
        )
    return stack(tensors, 0)


def _to_device(batch: Any, device: str) -> Any:
    """Move every Tensor inside a (nested) batch to `device`."""
    if isinstance(batch, Tensor):
        return batch if batch.device == device else batch.to(device)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return tuple(_to_device(v, device) for v in batch)
    return batch


def _tensor_source(dataset: Dataset):
    """(TensorDataset, index Tensor or None) when batches can be sliced out of whole tensors:
    the dataset is a TensorDataset, or a (nested) Subset of one."""
    mapping = None
    while isinstance(dataset, Subset):
        idx = Tensor(dataset.indices, dtype=backend.int64, device="cpu")
        mapping = idx if mapping is None else idx[mapping]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:  # a subclass may override __getitem__: use the slow path
        return dataset, mapping
    return None, None


def _check_int(value: Any, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"DataLoader: {name} must be an int >= {minimum}, got {value!r}")


class DataLoader:
    """Mini-batches of a dataset, as torch.utils.data.DataLoader.

    DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device='', in_order=True, device=None, transform=None)

    - shuffle: a new random order every epoch (a RandomSampler drawing from `generator`, or the
      library RNG: tg.manual_seed). sampler: any iterable of indices (excludes shuffle).
      batch_sampler: any iterable of index lists (excludes batch_size, shuffle, sampler and
      drop_last). batch_size=None: no batching, the samples one by one.
    - drop_last: skip the last batch when it is smaller than batch_size.
    - collate_fn: turns a list of samples into a batch (default: ``default_collate``); unused by
      the TensorDataset fast path, where the batch is already whole.
    - num_workers: worker processes reading and collating the batches of a map-style dataset,
      delivered in the same order as num_workers=0; worker_init_fn(worker_id) runs first in
      each; get_worker_info() tells a worker who it is; errors are re-raised here naming the
      worker and the index; timeout (seconds, 0 = none) bounds the wait for one batch;
      prefetch_factor (default 2) batches are requested ahead per worker; persistent_workers
      keeps the workers between epochs. multiprocessing_context: 'fork', 'spawn', ... or None.
    - pin_memory, pin_memory_device: accepted; a no-op (NumPy memory needs no pinning).
    - device (tinygrad_edu): where the batches go ('cpu' or 'cuda'); None means the library
      default device at iteration time. transform (tinygrad_edu): a callable applied to the
      first tensor of each batch after it has been moved to `device`.
    """

    def __init__(  # noqa: PLR0913 - PyTorch's signature
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        device: Any = None,
        transform: Callable | None = None,
    ) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader: the dataset ({type(dataset).__name__}) must define __getitem__ and "
                "__len__ (subclass tinygrad_edu.data.Dataset or use TensorDataset)"
            )
        if batch_size is not None:
            _check_int(batch_size, "batch_size", 1)
        self._check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        for name, fn in (
            ("collate_fn", collate_fn),
            ("worker_init_fn", worker_init_fn),
            ("transform", transform),
        ):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable, got {fn!r}")
        self.dataset = dataset
        self.num_workers, self.timeout = num_workers, timeout
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.persistent_workers, self.worker_init_fn = persistent_workers, worker_init_fn
        self.multiprocessing_context, self.generator = multiprocessing_context, generator
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device  # no-ops on CPU
        self.in_order = in_order
        self.collate_fn = collate_fn
        self.device = None if device is None else backend.normalize_device(device)
        self.transform = transform
        self._make_samplers(batch_size, shuffle, sampler, batch_sampler, drop_last, generator)
        self._workers: MultiProcessBatches | None = None

    @staticmethod
    def _check_workers(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                f"DataLoader: num_workers option should be non-negative (got {num_workers!r}); "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader: prefetch_factor option could only be specified in multiprocessing. "
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if prefetch_factor is not None:
            _check_int(prefetch_factor, "prefetch_factor", 1)
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")

    def _make_samplers(
        self, batch_size, shuffle, sampler, batch_sampler, drop_last, generator
    ) -> None:
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        if sampler is None:
            sampler = (
                RandomSampler(self.dataset, generator=generator)
                if shuffle
                else SequentialSampler(self.dataset)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, bool(drop_last))
        self.batch_size, self.drop_last = batch_size, bool(drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.shuffle = isinstance(sampler, RandomSampler)

    def __len__(self) -> int:
        """The number of batches per epoch (of samples with batch_size=None)."""
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _index_batches(self) -> Iterator[list]:
        if self.batch_sampler is not None:
            return (list(b) for b in self.batch_sampler)
        return ([int(i)] for i in self.sampler)  # batch_size=None: one sample at a time

    def __iter__(self) -> Iterator:
        device = self.device or backend.get_default_device()
        if len(self.dataset) == 0:
            return
        for batch in self._batches():
            batch = _to_device(batch, device)
            if self.transform is not None:
                batch = self._apply_transform(batch)
            yield batch

    def _batches(self) -> Iterator:
        """The batches on the host, from the fast path, this process or the workers."""
        auto = self.batch_sampler is not None
        source, mapping = (
            (None, None) if self.collate_fn or not auto else _tensor_source(self.dataset)
        )
        if source is not None:
            for idx in self._index_batches():
                rows = Tensor(idx, dtype=backend.int64, device="cpu")
                yield source[rows if mapping is None else mapping[rows]]  # one fancy-index
            return
        collate = (self.collate_fn or default_collate) if auto else None
        if self.num_workers == 0:
            for idx in self._index_batches():
                samples = [self.dataset[i] for i in idx]
                yield collate(samples) if collate is not None else samples[0]
            return
        workers = self._workers or MultiProcessBatches(self, collate)
        if self.persistent_workers:
            self._workers = workers
        try:
            yield from workers.epoch(self._index_batches())
        finally:
            if not self.persistent_workers:
                workers.shutdown()

    def _apply_transform(self, batch: Any) -> Any:
        if isinstance(batch, Tensor):
            return self.transform(batch)
        if isinstance(batch, tuple) and batch and isinstance(batch[0], Tensor):
            return (self.transform(batch[0]),) + batch[1:]
        raise TypeError(
            "DataLoader: transform= is applied to the first tensor of each batch, but this batch "
            f"is a {type(batch).__name__}; apply the transform in your collate_fn instead"
        )

    def __del__(self) -> None:
        workers = getattr(self, "_workers", None)
        if workers is not None:
            workers.shutdown()

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size="
            f"{self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last}, "
            f"num_workers={self.num_workers}, device={self.device!r}, batches={len(self)})"
        )
