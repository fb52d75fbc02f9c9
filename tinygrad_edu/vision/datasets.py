"""MNIST, FashionMNIST and CIFAR10 as torchvision has them: per-sample (image, label) items.

    train = MNIST(root, train=True, transform=None, target_transform=None, download=False)
    img, label = train[0]      # img: uint8 array (28, 28) (CIFAR10: (32, 32, 3)); label: int

The files are read (and checked against their published digests) by tinygrad_edu.data.datasets.
torchvision's folder layout is searched first: root/MNIST/raw/train-images-idx3-ubyte[.gz],
root/FashionMNIST/raw/..., and for CIFAR10 root/cifar-10-batches-bin/ or
root/cifar-10-binary.tar.gz (the *binary* version: the python version is pickled, and
tinygrad_edu never unpickles). Then $TINYGRAD_EDU_DATA and the shared cache are searched, and
download=True downloads missing files into the cache rather than into root.
"""

from __future__ import annotations

from typing import Any, Callable

from ..data import datasets as _data
from ..data.dataset import Dataset
from ..factories import from_numpy

__all__ = ["MNIST", "FashionMNIST", "CIFAR10"]


class _ImageDataset(Dataset):
    """Images uint8 (N, H, W[, C]), int labels; item i = (transform(img), target_transform(y))."""

    classes: list = []

    def __init__(
        self,
        root: Any,
        train: bool,
        transform: Callable | None,
        target_transform: Callable | None,
        download: bool,
    ) -> None:
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{type(self).__name__}: {name} must be callable, got {fn!r}")
        self.root, self.train = root, bool(train)
        self.transform, self.target_transform = transform, target_transform
        images, labels = self._load(root, self.train, bool(download))
        self._images, self._labels = images, labels.astype("int64")
        self.data = from_numpy(images)  # as torchvision: the uint8 images, shared, not copied
        self.targets = from_numpy(self._labels)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _load(self, root: Any, train: bool, download: bool) -> tuple:
        """(uint8 images, int labels) of the split: each dataset class reads its own files."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement _load(root, train, download)"
        )

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index: int) -> tuple:
        if not isinstance(index, int) and hasattr(index, "__index__"):
            index = index.__index__()
        if not isinstance(index, int):
            raise TypeError(
                f"{type(self).__name__}: index must be an int, got {type(index).__name__} "
                "(a DataLoader batches samples for you)"
            )
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for {n} items")
        img, target = self._images[index].copy(), int(self._labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    StandardTransform\nTransform: {self.transform!r}")
        return "\n".join(lines)


def _idx_pair(name: str, root: Any, train: bool, download: bool) -> tuple:
    resource = _data.RESOURCES[name]
    split = "train" if train else "t10k"
    images = _data._idx_array(resource, f"{split}-images-idx3-ubyte", root, download, None)
    labels = _data._idx_array(resource, f"{split}-labels-idx1-ubyte", root, download, None)
    if images.ndim != 3 or len(images) != len(labels):
        raise _data.FormatError(
            f"{resource.title} {split}: images of shape {images.shape} and {len(labels)} labels "
            "do not belong together"
        )
    return images, labels


class MNIST(_ImageDataset):
    """MNIST(root, train=True, transform=None, target_transform=None, download=False):
    60000 (train) or 10000 (test) handwritten digits, images uint8 (28, 28), labels 0..9."""

    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]
    _resource = "mnist"

    def __init__(
        self,
        root: Any,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, train, transform, target_transform, download)

    def _load(self, root: Any, train: bool, download: bool) -> tuple:
        return _idx_pair(self._resource, root, train, download)


class FashionMNIST(MNIST):
    """FashionMNIST(root, train=True, ...): Zalando's 10 kinds of clothing, as MNIST."""

    classes = list(_data.FASHION_MNIST_CLASSES)
    _resource = "fashion-mnist"


class CIFAR10(_ImageDataset):
    """CIFAR10(root, train=True, transform=None, target_transform=None, download=False):
    50000 (train) or 10000 (test) colour images, uint8 (32, 32, 3) (height, width, RGB),
    labels 0..9 (classes: airplane ... truck)."""

    classes = list(_data.CIFAR10_CLASSES)

    def __init__(
        self,
        root: Any,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, train, transform, target_transform, download)

    def _load(self, root: Any, train: bool, download: bool) -> tuple:
        images, labels = _data.cifar10_arrays(root, download)["train" if train else "test"]
        return images.transpose(0, 2, 3, 1).copy(), labels  # (N, 3, H, W) -> torchvision's NHWC
