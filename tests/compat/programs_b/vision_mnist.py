# The data side of PyTorch's MNIST example (torchvision), on the real MNIST files.
import os

from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms
from torchvision.utils import make_grid

root = os.environ.get("MNIST_ROOT", "../data")
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
test_set = datasets.MNIST(root, train=False, download=False, transform=transform)
print(len(test_set), test_set.classes[:2])
image, label = test_set[0]
print(list(image.shape), label, f"{image.mean().item():.4f}", f"{image.max().item():.4f}")
loader = DataLoader(Subset(test_set, range(64)), batch_size=16, num_workers=2)
images, labels = next(iter(loader))
print(list(images.shape), labels[:8].tolist())
grid = make_grid(images, nrow=4, padding=2, normalize=True)
print(list(grid.shape), f"{grid.min().item():.2f}", f"{grid.max().item():.2f}")
augment = transforms.Compose(
    [
        transforms.RandomCrop(28, padding=4),
        transforms.RandomHorizontalFlip(),
        transforms.Resize(14),
        transforms.ToTensor(),
    ]
)
raw = datasets.MNIST(root, train=False, transform=augment)
print(list(raw[0][0].shape), raw[0][0].dtype)
