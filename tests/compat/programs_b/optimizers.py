# The optimizers a tutorial might reach for, on a small regression, with PyTorch's arguments.
import torch
from torch import nn, optim

x = torch.linspace(-2, 2, 40).reshape(-1, 1)
features = torch.cat([x, x**2, torch.sin(3 * x)], 1)
target = 0.5 * x - 0.3 * x**2 + torch.sin(3 * x)


def fresh_model():
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
        model.bias.copy_(torch.tensor([0.05]))
    return model


loss_fn = nn.MSELoss()
for name, make in [
    ("Adadelta", lambda p: optim.Adadelta(p, lr=1.0)),
    ("Adamax", lambda p: optim.Adamax(p, lr=0.05)),
    ("NAdam", lambda p: optim.NAdam(p, lr=0.05, weight_decay=1e-3)),
    ("RAdam", lambda p: optim.RAdam(p, lr=0.05, decoupled_weight_decay=True, weight_decay=0.01)),
]:
    model = fresh_model()
    opt = make(model.parameters())
    for step in range(30):
        opt.zero_grad()
        loss = loss_fn(model(features), target)
        loss.backward()
        opt.step()
    print(
        f"{name:9s} loss {loss.item():.4f}",
        "weight",
        [round(v, 3) for v in model.weight.flatten().tolist()],
    )

for line_search in (None, "strong_wolfe"):
    model = fresh_model()
    opt = optim.LBFGS(model.parameters(), lr=0.5, max_iter=5, line_search_fn=line_search)

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(features), target)
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for step in range(3)]
    print(f"LBFGS({line_search}) losses {[f'{v:.5f}' for v in losses]}")
print("state keys", sorted(opt.state_dict()["state"][0].keys())[:4])
