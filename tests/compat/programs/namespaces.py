# nn, nn.functional, optim, optim.lr_scheduler, autograd and utils.data without further imports.
import torch

x = torch.linspace(-1, 1, 16).reshape(16, 1)
y = 3 * x - 0.5
dataset = torch.utils.data.TensorDataset(x, y)
train, valid = torch.utils.data.random_split(dataset, [12, 4])
print(len(train), len(valid), type(train).__name__)
first_half = torch.utils.data.Subset(dataset, range(8))
print(len(first_half), first_half[0][0].tolist())
loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=False)

model = torch.nn.Linear(1, 1)
with torch.no_grad():
    model.weight.fill_(0.5)
    model.bias.fill_(0.0)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(4):
    total = 0.0
    for xb, yb in loader:
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step()
    print(f"epoch {epoch}: loss {total / len(loader):.4f} lr {sched.get_last_lr()[0]:.4f}")
print(f"w={model.weight.item():.4f} b={model.bias.item():.4f}")

w = torch.tensor([2.0, -1.0], requires_grad=True)
(g,) = torch.autograd.grad((w**3).sum(), w)
print(g)


class Squares(torch.utils.data.Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return torch.tensor([float(i)]), torch.tensor(i * i)


for xb, yb in torch.utils.data.DataLoader(Squares(), batch_size=2):
    print(xb.shape, yb)
