"""tg.utils.data, PyTorch's torch.utils.data: the names of tinygrad_edu.data under their torch path.

from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split
"""

from ..data import (
    BatchSampler,
    DataLoader,
    Dataset,
    Generator,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    WorkerInfo,
    default_collate,
    get_worker_info,
    random_split,
)

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "get_worker_info",
    "WorkerInfo",
    "Generator",
]
