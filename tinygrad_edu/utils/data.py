"""tg.utils.data, PyTorch's torch.utils.data: the names of tinygrad_edu.data under their torch path.

    from tinygrad_edu.utils.data import DataLoader, TensorDataset, random_split
"""

from ..data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
