# Jacobians and Hessians through torch.autograd.functional.
import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def f(x):
    return torch.stack([x[0] * x[1], torch.sin(x[0]) + x[1] ** 2, torch.exp(x[1])])


def energy(x, y):
    return (x**2 * y).sum() + torch.tanh(x).sum() * y.sum()


def show(name, t):
    print(name, [round(v, 4) for v in t.flatten().tolist()])


x = torch.tensor([0.5, -1.0])
y = torch.tensor([1.5, 2.0])
show("jacobian", jacobian(f, x))
show("hessian", hessian(lambda v: (v**3).sum() + v.prod(), x))
out, g = vjp(f, x, torch.tensor([1.0, 0.5, -1.0]))
show("vjp", g)
out, jv = jvp(f, x, torch.tensor([0.3, 0.7]))
show("jvp", jv)
_, hv = hvp(lambda v: (v**3).sum() + v.prod(), x, torch.tensor([1.0, 2.0]))
show("hvp", hv)
_, vh = vhp(lambda v: (v**3).sum() + v.prod(), x, torch.tensor([1.0, 2.0]))
show("vhp", vh)
(hxx, hxy), (hyx, hyy) = hessian(energy, (x, y))
show("hessian xy", hxy)
jx, jy = jacobian(energy, (x, y))
show("grad x", jx)
