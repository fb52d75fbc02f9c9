"""torchvision's data side for tinygrad_edu: datasets, per-sample transforms and make_grid.

    from tinygrad_edu.vision import datasets, transforms, utils   # for: from torchvision import ...
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST("data", train=True, download=True, transform=tf)
    image, label = train[0]               # image (1, 28, 28) float32, label an int

An image before ToTensor is a uint8 NumPy array, (H, W) or (H, W, C), standing in for the PIL
image torchvision returns (Pillow is not needed; ToTensor also takes PIL images when it is
installed). Transforms work on one sample, as torchvision's; the batch transforms of
``tinygrad_edu.data.transforms`` work on whole batches inside a DataLoader.
"""

from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
