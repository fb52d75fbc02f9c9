"""DataLoader: iterate over a dataset in (shuffled) mini-batches of Tensors on a device.

    loader = DataLoader(train, batch_size=64, shuffle=True, device="cuda",
                        transform=transforms.RandomHorizontalFlip())
    for xb, yb in loader:            # xb (64, C, H, W) float32, yb (64,) int64, both on cuda
        ...

Shuffling draws from the library's seeded RNG, so ``tg.manual_seed(n)`` makes the order of every
epoch reproducible. A TensorDataset (or a Subset of one, as random_split returns) takes a fast
path: each batch is cut from the whole tensors with one fancy-index per tensor, no Python loop
over samples. Any other dataset is read sample by sample and the samples are stacked by
``default_collate`` (or your ``collate_fn``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from .. import backend
from ..composite.shape import stack
from ..factories import arange, randperm
from ..tensor import Tensor
from .dataset import Dataset, Subset, TensorDataset

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


class DataLoader:
    """Mini-batches of a dataset as tuples of Tensors on `device`.

    DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
    device=None, transform=None)

    - shuffle: a new random order every epoch, drawn from the library RNG (tg.manual_seed).
    - drop_last: skip the last batch when it is smaller than batch_size.
    - collate_fn: turns a list of samples into a batch (default: ``default_collate``); unused by
      the TensorDataset fast path, where the batch is already whole.
    - device: where the batches go ('cpu' or 'cuda'); None means the library default device at
      iteration time (tg.set_default_device). An unavailable device raises here, at construction.
    - transform: a callable applied to the first tensor of each batch (the inputs), after it has
      been moved to `device`; e.g. ``transforms.Compose([transforms.RandomCrop(28, padding=2),
      transforms.Normalize([0.1307], [0.3081])])``. Random transforms draw from the library RNG.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable | None = None,
        device: Any = None,
        transform: Callable | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader: the dataset ({type(dataset).__name__}) must define __getitem__ and "
                "__len__ (subclass tinygrad_edu.data.Dataset or use TensorDataset)"
            )
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {transform!r}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.device = None if device is None else backend.normalize_device(device)
        self.transform = transform

    def __len__(self) -> int:
        """The number of batches per epoch."""
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def _order(self) -> Tensor:
        n = len(self.dataset)
        # On the CPU whatever the default device: the same seed gives the same order everywhere.
        return randperm(n, device="cpu") if self.shuffle else arange(n, device="cpu")

    def __iter__(self) -> Iterator:
        device = self.device or backend.get_default_device()
        n, bs = len(self.dataset), self.batch_size
        if n == 0:
            return
        order = self._order()
        stop = (n // bs) * bs if self.drop_last else n
        source, mapping = (None, None) if self.collate_fn else _tensor_source(self.dataset)
        if source is not None and mapping is not None:
            order = mapping[order]  # positions in the Subset -> rows of the base tensors
        for start in range(0, stop, bs):
            idx = order[start : start + bs]
            if source is not None:
                batch = source[idx]  # one fancy-index per tensor
            else:
                samples = [self.dataset[i] for i in idx.tolist()]
                batch = (self.collate_fn or default_collate)(samples)
            batch = _to_device(batch, device)
            if self.transform is not None:
                batch = self._apply_transform(batch)
            yield batch

    def _apply_transform(self, batch: Any) -> Any:
        if isinstance(batch, Tensor):
            return self.transform(batch)
        if isinstance(batch, tuple) and batch and isinstance(batch[0], Tensor):
            return (self.transform(batch[0]),) + batch[1:]
        raise TypeError(
            "DataLoader: transform= is applied to the first tensor of each batch, but this batch "
            f"is a {type(batch).__name__}; apply the transform in your collate_fn instead"
        )

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size="
            f"{self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last}, "
            f"device={self.device!r}, batches={len(self)})"
        )
