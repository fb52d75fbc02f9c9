# %% [markdown]
# # Lab 12: from scratch, checked by the library
#
# Write a layer's forward and backward yourself, as a custom autograd Function in PyTorch's
# style, then let the library prove it right:
#
# 1. BatchNorm and LayerNorm as `class BN(tg.autograd.Function)` with `forward(ctx, ...)` and
#    `backward(ctx, grad)`: gradcheck (float64 central differences) and the same outputs and
#    gradients as `nn.BatchNorm1d` / `nn.LayerNorm`.
# 2. SGD, SGD with momentum and Adam as ten-line update rules, step-equal to `optim`.
# 3. Micrograd-style activations (ReLU, GELU, Swish) checked by `torch.autograd.gradcheck`
#    through `testing.as_torch_function`, then trained on XOR and on the 8x8 digits: a loss
#    curve per activation (activations.png).
#
#     python demos/12_from_scratch.py [--quick] [--out DIR]

# %%
import math

import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.data import datasets
from tinygrad_edu.testing import as_torch_function, gradcheck
from tinygrad_edu.train import fit

args = _common.parse_args("12_from_scratch", "Lab 12: from scratch, checked by the library")
say = _labkit.Report(f"{args.out}/report.txt")
metrics = {}


# %% [markdown]
# ## 1. BatchNorm and LayerNorm by hand
# With x̂ = (x - mean) / sqrt(var + eps) and y = γ x̂ + β over the normalised axis of size N:
#
#     dγ = Σ g x̂,   dβ = Σ g,   dx = (N ĝ - Σ ĝ - x̂ Σ(ĝ x̂)) / (N sqrt(var + eps)),  ĝ = g γ.
#
# BatchNorm normalises each feature over the batch (axis 0), LayerNorm each sample over its
# features (the last axis); the formula is the same.


# %%
class Norm(tg.autograd.Function):
    """Normalise x over `dim`, then scale by gamma and shift by beta."""

    @staticmethod
    def forward(ctx, x, gamma, beta, dim, eps):
        mean = x.mean(dim, keepdim=True)
        var = ((x - mean) ** 2).mean(dim, keepdim=True)  # biased, as in training mode
        inv_std = 1 / (var + eps).sqrt()
        xhat = (x - mean) * inv_std
        ctx.save_for_backward(xhat, gamma, inv_std)
        ctx.dim = dim
        return gamma * xhat + beta

    @staticmethod
    def backward(ctx, g):
        xhat, gamma, inv_std = ctx.saved_tensors
        dim = ctx.dim
        n = xhat.shape[dim]
        dgamma = (g * xhat).sum(0) if dim == 0 else (g * xhat).reshape(-1, xhat.shape[-1]).sum(0)
        dbeta = g.sum(0) if dim == 0 else g.reshape(-1, g.shape[-1]).sum(0)
        gh = g * gamma
        dx = (
            inv_std
            / n
            * (n * gh - gh.sum(dim, keepdim=True) - xhat * (gh * xhat).sum(dim, keepdim=True))
        )
        return dx, dgamma, dbeta, None, None


def batch_norm(x, gamma, beta, eps=1e-5):
    return Norm.apply(x, gamma, beta, 0, eps)


def layer_norm(x, gamma, beta, eps=1e-5):
    return Norm.apply(x, gamma, beta, -1, eps)


# %%
tg.manual_seed(args.seed)
N, C = (6, 4) if args.quick else (16, 8)
x = tg.randn(N, C, dtype=tg.float64, requires_grad=True) * 3 + 1
x = x.detach().requires_grad_()
gamma = tg.randn(C, dtype=tg.float64, requires_grad=True)
beta = tg.randn(C, dtype=tg.float64, requires_grad=True)
for name, fn in (("BatchNorm", batch_norm), ("LayerNorm", layer_norm)):
    ok = gradcheck(fn, [x, gamma, beta])
    say(f"1. {name} by hand: gradcheck against central differences (float64): {ok}")

library = {"BatchNorm": (batch_norm, nn.BatchNorm1d(C)), "LayerNorm": (layer_norm, nn.LayerNorm(C))}
for name, (mine, layer) in library.items():
    layer = layer.double()
    with tg.no_grad():
        layer.weight.copy_(gamma)
        layer.bias.copy_(beta)
    xs = [x.detach().clone().requires_grad_() for _ in range(2)]
    w = tg.randn(N, C, dtype=tg.float64)  # a random upstream gradient
    (mine(xs[0], gamma, beta) * w).sum().backward()
    ours = [xs[0].grad, gamma.grad.clone(), beta.grad.clone()]
    gamma.grad, beta.grad = None, None
    out = layer(xs[1])
    (out * w).sum().backward()
    theirs = [xs[1].grad, layer.weight.grad, layer.bias.grad]
    diff_out = (mine(x, gamma, beta) - out).abs().max().item()
    diff_grad = max((a - b).abs().max().item() for a, b in zip(ours, theirs))
    metrics[f"{name}_max_diff"] = max(diff_out, diff_grad)
    verdict = "the same" if max(diff_out, diff_grad) < 1e-10 else "DIFFERENT"
    say(
        f"   {name} vs nn.{type(layer).__name__}: max |output diff| {diff_out:.1e}, max |grad "
        f"diff| (x, weight, bias) {diff_grad:.1e}: {verdict}"
    )

# %% [markdown]
# ## 2. Optimisers as update rules
# PyTorch's formulas, written out (no weight decay, no dampening):
#
#     momentum:  b = μ b + g (b = g at the first step);  p -= lr b
#     Adam:      m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²;
#                p -= lr / (1 - β1^t) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)


# %%
class MySGD:
    def __init__(self, params, lr, momentum=0.0):
        self.params, self.lr, self.momentum, self.bufs = list(params), lr, momentum, {}

    def step(self):
        with tg.no_grad():
            for i, p in enumerate(self.params):
                g = p.grad
                if self.momentum:
                    b = self.bufs.get(i)
                    g = self.bufs[i] = g.clone() if b is None else b * self.momentum + g
                p.sub_(self.lr * g)


class MyAdam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, (self.b1, self.b2), self.eps = list(params), lr, betas, eps
        self.m = [tg.zeros_like(p) for p in self.params]
        self.v = [tg.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        with tg.no_grad():
            for p, m, v in zip(self.params, self.m, self.v):
                m.mul_(self.b1).add_((1 - self.b1) * p.grad)
                v.mul_(self.b2).add_((1 - self.b2) * p.grad * p.grad)
                p.sub_(self.lr / c1 * m / (v.sqrt() / math.sqrt(c2) + self.eps))


# %%
digits_train, digits_test = datasets.load_digits(flatten=True)
steps = 10 if args.quick else 50
batches = [b for _, b in zip(range(steps), _common.loader(digits_train, 32, shuffle=True))]
rules = {
    "SGD": (lambda ps: MySGD(ps, 0.1), lambda ps: optim.SGD(ps, lr=0.1)),
    "momentum": (lambda ps: MySGD(ps, 0.05, 0.9), lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9)),
    "Adam": (lambda ps: MyAdam(ps, 1e-2), lambda ps: optim.Adam(ps, lr=1e-2)),
}
for name, (mine, theirs) in rules.items():
    pair = []
    for make in (mine, theirs):
        tg.manual_seed(args.seed)
        model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
        opt = make(list(model.parameters()))
        for xb, yb in batches:
            model.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        pair.append(list(model.parameters()))
    diff = max((a - b).abs().max().item() for a, b in zip(*pair))
    metrics[f"{name}_max_param_diff"] = diff
    say(
        f"2. {name:8s} by hand vs optim after {steps} steps: max |param diff| {diff:.1e} "
        + ("(step-equal)" if diff < 1e-6 else "(NOT equal: check the formula)")
    )


# %% [markdown]
# ## 3. Activations, micrograd style
# Each is a Function with its derivative written next to it:
#
#     ReLU:  y = max(x, 0)             y' = 1 if x > 0 else 0
#     GELU:  y = x Φ(x) (tanh approx.)  y' from the product rule
#     Swish: y = x σ(x)               y' = σ(x) (1 + x (1 - σ(x)))


# %%
class ReLU(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > 0).to(g.dtype)


class GELU(tg.autograd.Function):
    K = math.sqrt(2 / math.pi)

    @staticmethod
    def forward(ctx, x):
        t = (GELU.K * (x + 0.044715 * x**3)).tanh()
        ctx.save_for_backward(x, t)
        return 0.5 * x * (1 + t)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        dt = (1 - t * t) * GELU.K * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * dt)


class Swish(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * s * (1 + x * (1 - s))


ACTIVATIONS = {"ReLU": ReLU, "GELU": GELU, "Swish": Swish}
try:
    import torch

    for name, fn in ACTIVATIONS.items():
        xt = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
        ok = torch.autograd.gradcheck(as_torch_function(fn.apply), (xt,))
        say(f"3. torch.autograd.gradcheck of {name}.backward: {ok}")
except ImportError:
    say("3. torch is not installed: torch.autograd.gradcheck skipped (pip install torch)")


# %%
class Act(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn.apply(x)


def train_curves(train, val, n_in, hidden, epochs, lr):
    curves, accs = {}, {}
    for name, fn in ACTIVATIONS.items():
        tg.manual_seed(args.seed)
        model = nn.Sequential(
            nn.Linear(n_in, hidden),
            Act(fn),
            nn.Linear(hidden, hidden),
            Act(fn),
            nn.Linear(hidden, 10 if n_in == 64 else 2),
        )
        h = fit(
            model,
            nn.CrossEntropyLoss(),
            optim.Adam(model.parameters(), lr=lr),
            _common.loader(train, 32, shuffle=True),
            _common.loader(val, 512),
            epochs=epochs,
            verbose=False,
        )
        curves[name] = (h.train_loss, h.val_loss)
        accs[name] = h.val_acc[-1]
    return curves, accs


xor_train, xor_val = datasets.make_xor(400, seed=1), datasets.make_xor(200, seed=2)
dig_train, dig_val = _labkit.split(digits_train, None, 300)
epochs = 6 if args.quick else 40
xor_curves, xor_acc = train_curves(xor_train, xor_val, 2, 16, epochs, 0.01)
dig_curves, dig_acc = train_curves(dig_train, dig_val, 64, 64, epochs, 3e-3)
for task, accs in (("XOR", xor_acc), ("digits", dig_acc)):
    say(f"   {task}: validation accuracy " + ", ".join(f"{k} {v:.1%}" for k, v in accs.items()))
    metrics[f"{task}_val_acc"] = accs
    best, worst = max(accs, key=accs.get), min(accs, key=accs.get)
    noise = _labkit.accuracy_noise(200 if task == "XOR" else 300)
    if not args.quick:
        say(
            f"   {task}: "
            + (
                f"{best} ahead of {worst} by {accs[best] - accs[worst]:.1%}"
                if accs[best] - accs[worst] > noise
                else f"all within {noise:.1%} (noise of the validation set): "
                "the three activations do equally well here"
            )
        )
_labkit.too_short(args, say)
_labkit.plot_pairs(
    {"XOR (2-16-16-2)": xor_curves, "8x8 digits (64-64-64-10)": dig_curves},
    f"{args.out}/activations.png",
    "hand-written activations",
    ylabel="cross-entropy",
    logy=True,
    sharey=False,
)
say("   (no test set here: the lab checks code, it chooses nothing)")
_common.write_json(f"{args.out}/metrics.json", metrics)
say.save()
