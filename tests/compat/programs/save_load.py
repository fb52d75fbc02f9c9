# The "Save and load the model" tutorial, the weights_only way.
import os
import tempfile

import torch
from torch import nn

model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) / (i + 2))
path = os.path.join(tempfile.mkdtemp(), "model_weights.pth")
torch.save(model.state_dict(), path)

model2 = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
state = torch.load(path, weights_only=True, map_location=torch.device("cpu"))
print(list(state))
print(model2.load_state_dict(state))
model2.eval()
x = torch.tensor([[1.0, -1.0, 2.0]])
print(model2(x).detach(), torch.equal(model(x), model2(x)))
print(torch.load(path, weights_only=True, map_location="cpu")["0.weight"])
opt = torch.optim.SGD(model.parameters(), lr=0.1)
torch.save({"epoch": 3, "loss": 0.25, "optimizer": opt.state_dict()}, path)
ckpt = torch.load(path, weights_only=True)
print(ckpt["epoch"], ckpt["loss"], ckpt["optimizer"]["param_groups"][0]["lr"])
