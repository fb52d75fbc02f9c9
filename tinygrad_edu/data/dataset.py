"""Datasets: anything with ``__getitem__`` and ``__len__`` (PyTorch's torch.utils.data names).

    ds = TensorDataset(images, labels)      # images (N, C, H, W), labels (N,)
    x, y = ds[0]                            # one sample: a tuple of tensors
    xb, yb = ds[0:32]                       # a slice or an index array gives whole batches
    train, val = random_split(ds, [0.8, 0.2])

A DataLoader batches any of them; TensorDataset and its Subsets take its fast path.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from ..factories import randperm
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """The base class of map-style datasets: ``ds[i]`` returns sample i, ``len(ds)`` their number.

    Subclasses implement ``__getitem__`` and ``__len__``; a DataLoader then batches them.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")


class TensorDataset(Dataset):
    """Samples are the rows of tensors sharing their first dimension.

    TensorDataset(x, y): x (N, ...), y (N, ...). ``ds[i]`` is the tuple ``(x[i], y[i])``; a slice,
    list, index array or index Tensor gives ``(x[idx], y[idx])`` (batched). ``.tensors`` holds
    the tensors themselves.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(x, y)")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {i} is 0-d (a scalar); every tensor needs a first "
                    "dimension indexing the samples"
                )
        n = tensors[0].shape[0]
        for i, t in enumerate(tensors[1:], start=1):
            if t.shape[0] != n:
                shapes = ", ".join(str(tuple(s.shape)) for s in tensors)
                raise ValueError(
                    f"TensorDataset: size mismatch between tensors: tensor 0 has {n} samples but "
                    f"tensor {i} has {t.shape[0]} (shapes {shapes}); all tensors must have the "
                    "same size in their first dimension"
                )
        self.tensors = tensors

    def __getitem__(self, index) -> tuple:
        if isinstance(index, Tensor):
            return tuple(
                t[index if index.device == t.device else index.to(t.device)] for t in self.tensors
            )
        try:
            return tuple(t[index] for t in self.tensors)
        except IndexError as e:
            raise IndexError(
                f"TensorDataset index {index!r} is out of range for a dataset of {len(self)} "
                f"samples ({e})"
            ) from None

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        parts = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in self.tensors)
        return f"TensorDataset(n={len(self)}, tensors=[{parts}])"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (in that order): ``Subset(ds, idx)[i] ==
    ds[idx[i]]``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        if isinstance(indices, Tensor):
            indices = indices.tolist()
        self.dataset = dataset
        self.indices = [int(i) for i in indices]
        n = len(dataset)
        bad = [i for i in self.indices if not -n <= i < n]
        if bad:
            raise IndexError(
                f"Subset: indices {bad[:5]} are out of range for a dataset of {n} samples"
            )

    def __getitem__(self, index):
        if isinstance(index, numbers.Integral) or (isinstance(index, Tensor) and index.ndim == 0):
            return self.dataset[self.indices[int(index)]]
        return self.dataset[self._pick(index)]

    def _pick(self, index) -> list:
        """Map a slice, list, index array or index Tensor to indices of the parent dataset."""
        if isinstance(index, slice):
            return self.indices[index]
        if isinstance(index, Tensor):
            index = index.tolist()
        try:
            return [self.indices[int(i)] for i in index]
        except TypeError:
            raise TypeError(
                f"Subset indices must be ints, slices or sequences of ints, got "
                f"{type(index).__name__}"
            ) from None

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset(n={len(self)}, of {type(self.dataset).__name__} with {len(self.dataset)})"


def _split_lengths(lengths: Sequence, n: int) -> list:
    """Integer lengths, or fractions summing to 1 turned into lengths (PyTorch's rule: floor each,
    then hand the remainder out one by one from the first split)."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    all_ints = all(isinstance(x, numbers.Integral) for x in lengths)
    if not all_ints:
        if not math.isclose(sum(lengths), 1.0, abs_tol=1e-6) or any(x < 0 for x in lengths):
            raise ValueError(
                f"random_split: lengths {lengths} must be non-negative integers summing to the "
                f"dataset size ({n}) or fractions summing to 1"
            )
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        return sizes
    sizes = [int(x) for x in lengths]
    if sum(sizes) != n or any(x < 0 for x in sizes):
        raise ValueError(
            f"random_split: lengths {sizes} sum to {sum(sizes)}, but the dataset has {n} "
            "samples; give non-negative lengths that add up to it (or fractions summing to 1)"
        )
    return sizes


def random_split(dataset: Dataset, lengths: Sequence, generator: Any = None) -> list:
    """Split a dataset into non-overlapping random Subsets of the given lengths.

    lengths: integers summing to len(dataset), or fractions summing to 1 (e.g. [0.8, 0.2]).
    generator: None draws the permutation from the library RNG (reproducible with
    tg.manual_seed); an int seeds a private generator (the split is then the same whatever the
    global seed); a tg.Generator (torch.Generator().manual_seed(42)) or a numpy.random.Generator
    is used as is.
    """
    n = len(dataset)
    sizes = _split_lengths(lengths, n)
    if generator is None:
        perm = randperm(n, device="cpu").tolist()
    else:
        perm = _permutation_from(generator, n)
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, perm[start : start + size]))
        start += size
    return out


def _permutation_from(generator: Any, n: int) -> list:
    """A permutation of range(n) from an int seed or an object with a permutation() method."""
    if isinstance(generator, numbers.Integral):
        import numpy as np  # host array assembly only (data/ may use NumPy)

        return np.random.default_rng(int(generator)).permutation(n).tolist()
    from .sampler import Generator

    if isinstance(generator, Generator):  # tg.Generator().manual_seed(42), as torch.Generator
        return generator._rng.permutation(n).tolist()
    if hasattr(generator, "permutation"):
        return [int(i) for i in generator.permutation(n)]
    raise TypeError(
        "random_split: generator must be None, a tg.Generator, an int seed or a "
        f"numpy.random.Generator, got "
        f"{type(generator).__name__}"
    )
