"""Data pipeline: datasets, mini-batch loading, augmentation and ready-made datasets.

    from tinygrad_edu.data import DataLoader, TensorDataset, datasets, transforms
    train, test = datasets.load_mnist()
    loader = DataLoader(train, batch_size=64, shuffle=True, transform=transforms.RandomShift(2))
    for xb, yb in loader:
        ...

Names follow torch.utils.data and torchvision (Dataset, TensorDataset, Subset, random_split,
DataLoader; transforms.Compose, Normalize, RandomCrop, ...).
"""

from . import datasets, transforms
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .sampler import (
    BatchSampler,
    Generator,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "random_split",
    "DataLoader",
    "default_collate",
    "datasets",
    "transforms",
    "get_worker_info",
    "WorkerInfo",
    "Generator",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]
