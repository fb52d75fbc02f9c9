# Mixed precision with autocast and dynamic loss scaling (PyTorch's AMP recipe, on the CPU).
import torch
from torch import nn, optim

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
x = torch.linspace(-1, 1, 24).reshape(6, 4)
y = torch.tensor([0, 1, 1, 0, 1, 0])
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scaler = torch.amp.GradScaler("cpu", init_scale=2.0**12, growth_interval=3)
loss_fn = nn.CrossEntropyLoss()
for step in range(8):
    opt.zero_grad()
    with torch.autocast(device_type="cpu", dtype=torch.float16):
        logits = model(x)
        loss = loss_fn(logits, y)
    scaler.scale(loss).backward()
    if step == 4:  # an overflow: this step is skipped and the scale backs off
        model[0].weight.grad += float("inf")
    scaler.unscale_(opt)
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    scaler.step(opt)
    scaler.update()
    print(
        step,
        str(logits.dtype).replace("torch.", ""),
        str(loss.dtype).replace("torch.", ""),
        f"{loss.item():.3f}",
        scaler.get_scale(),
    )
print(scaler.state_dict())
