# Tensor.t, torch.clone/detach/unflatten, sign/round/floor/ceil gradients and out=.
import torch

a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
print(a.t().shape, torch.t(a).detach(), torch.ones(3).t())
c = torch.clone(a)
print(c.requires_grad, c.grad_fn is not None, torch.detach(a).requires_grad)
print(torch.unflatten(torch.arange(12), 0, (3, 4)))
for name in ["sign", "round", "floor", "ceil"]:
    x = torch.tensor([1.5, -2.5, 0.3], requires_grad=True)
    y = getattr(torch, name)(x)
    (y * x).sum().backward()
    print(name, y.detach(), y.grad_fn is not None, x.grad)

out = torch.empty(2, 3)
torch.add(a.detach(), 1, out=out)
print(out)
torch.mul(out, 2, out=out)
print(out)
torch.matmul(a.detach(), a.detach().t(), out=torch.empty(2, 2))
r = torch.empty(4, 3)
print(torch.cat([a.detach(), a.detach()], out=r) is r, r.sum())
print(torch.exp(torch.zeros(3), out=torch.empty(3)))
print(torch.sum(a.detach(), 1, out=torch.empty(2)))
try:
    torch.add(a, 1, out=torch.empty(2, 3))
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.exp(torch.ones(2), out=torch.empty(2, dtype=torch.long))
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.no_grad():
    print(torch.add(a, 1, out=torch.empty(2, 3)))
