# What print() shows: tensors, shapes, 0-d formatting and models.
import torch
from torch import nn

print(torch.tensor([1.0, 2.0], requires_grad=True))
print(torch.tensor([[1, 2], [3, 400]]), torch.tensor([True, False]), torch.tensor(3.5))
print(torch.tensor([1e-5, 1.0, 1e5]), torch.tensor([0.0, float("nan"), float("-inf")]))
print(torch.tensor([[1.25, -2.5]], dtype=torch.float64), torch.tensor([], dtype=torch.int64))
print(torch.arange(2000.0).reshape(40, 50) / 7)
print(torch.arange(24).reshape(2, 3, 4))
print(torch.linspace(0, 1, 30))
x = torch.zeros(2, 3)
print(x.shape, x.size(), x.size(1), x.shape[1:], x.shape.numel(), tuple(x.shape), list(x.shape))
print(f"Shape of tensor: {x.shape}")
print(f"Datatype of tensor: {x.dtype == torch.float32}")
print(f"Device tensor is stored on: {x.device}")
t = torch.tensor(3.14159)
print(format(t, ".3f"), f"{t:.2f}", f"{t}", f"{torch.tensor([1.5, 2.5])}", str(t))
print(nn.Parameter(torch.tensor([1.0, -1.0])))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.bn = nn.BatchNorm2d(64)
        self.dropout1 = nn.Dropout(0.25)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU())])


print(Net())
