"""Samplers (as torch.utils.data): which sample indices a DataLoader reads, in which order.

    loader = DataLoader(ds, batch_size=32, sampler=SubsetRandomSampler(range(1000)))
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 32, drop_last=True))
    g = Generator().manual_seed(0)          # a private random stream (torch.Generator)
    loader = DataLoader(ds, batch_size=32, shuffle=True, generator=g)

A sampler is any iterable of indices with a length; a batch sampler any iterable of index lists.
Random samplers draw from their `generator` when given one, else from the library RNG, so
``tg.manual_seed(n)`` makes every epoch's order reproducible.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .. import backend

__all__ = [
    "Generator",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]


class Generator:
    """A private random-number stream (torch.Generator): ``Generator().manual_seed(42)``.

    Samplers and DataLoader(generator=...) draw from it instead of the library RNG. Like
    torch.Generator it starts at a fixed default seed (67280421310721) until manual_seed."""

    default_seed = 67280421310721

    def __init__(self, device: Any = "cpu") -> None:
        self.device = backend.normalize_device(str(device))
        self.manual_seed(self.default_seed)

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the stream to `seed`; returns the generator itself."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got {seed!r}")
        self._initial_seed = int(seed)
        self._rng = np.random.default_rng(self._initial_seed)
        return self

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self._rng.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"Generator(device={self.device!r}, initial_seed={self._initial_seed})"


def _rng(generator: Generator | None):
    if generator is None:
        return backend.rng("cpu")
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a tinygrad_edu Generator (tg.Generator().manual_seed(n)), got "
            f"{type(generator).__name__}"
        )
    return generator._rng


def peek_seed(generator: Generator | None) -> int:
    """A 63-bit seed derived from the current state of the generator (or the library RNG)
    without drawing from it: worker seeds must not change the order the samplers draw."""
    state = repr(_rng(generator).bit_generator.state).encode()
    return int(hashlib.sha256(state).hexdigest()[:15], 16)


class Sampler:
    """Base class: iterate over sample indices; ``len()`` their number when known."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices each epoch, or num_samples draws with replacement.

    RandomSampler(data_source, replacement=False, num_samples=None, generator=None)"""

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"RandomSampler: replacement should be a boolean value, got {replacement!r}"
            )
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if (
            isinstance(self.num_samples, bool)
            or not isinstance(self.num_samples, int)
            or (self.num_samples <= 0)
        ):
            raise ValueError(
                f"RandomSampler: num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples!r}"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _rng(self.generator)
        if self.replacement:
            return iter(rng.integers(0, n, self.num_samples).tolist())
        # whole permutations, then part of one: as PyTorch for num_samples > len(data_source)
        full, rest = divmod(self.num_samples, n)
        if self.generator is None and full == 1 and rest == 0:
            from ..factories import randperm  # the library's own permutation (old DataLoader order)

            return iter(randperm(n, device="cpu").tolist())
        order = [rng.permutation(n) for _ in range(full)] + [rng.permutation(n)[:rest]]
        return iter(np.concatenate(order).tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a new random order each epoch (e.g. a validation split)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        perm = _rng(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in perm.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices in [0, len(weights)) drawn with probability proportional to weights.

    WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)"""

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(
                f"WeightedRandomSampler: num_samples should be a positive integer value, but got "
                f"num_samples={num_samples!r}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"WeightedRandomSampler: replacement should be a boolean value, but got "
                f"replacement={replacement!r}"
            )
        w = np.asarray(weights.tolist() if hasattr(weights, "tolist") else weights, np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"WeightedRandomSampler: weights should be a 1-D sequence, got shape {w.shape}"
            )
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(
                "WeightedRandomSampler: weights must be finite, non-negative and not all zero"
            )
        if not replacement and num_samples > int((w > 0).sum()):
            raise RuntimeError(
                f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement "
                f"from {int((w > 0).sum())} non-zero weights"
            )
        self.weights, self.num_samples = w, num_samples
        self.replacement, self.generator = replacement, generator

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        draws = _rng(self.generator).choice(len(p), self.num_samples, self.replacement, p)
        return iter(draws.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size indices from `sampler`; the last one shorter unless drop_last."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"BatchSampler: batch_size should be a positive integer value, but got "
                f"batch_size={batch_size!r}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"BatchSampler: drop_last should be a boolean value, but got "
                f"drop_last={drop_last!r}"
            )
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list]:
        batch: list = []
        for idx in self.sampler:
            batch.append(int(idx))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
