# %% [markdown]
# # Lab 10: write your own op and prove its gradient — numerically and against PyTorch
#
# An op is a Function subclass: `forward` computes on raw arrays, `backward` returns the gradient
# with Tensor ops (so it can itself be differentiated). Here: softsign,
#
#     y = x / (1 + |x|),        dy/dx = 1 / (1 + |x|)^2.
#
# 1. gradcheck: the analytic vector-Jacobian product against float64 central differences
#    (f(x + h) - f(x - h)) / 2h, element by element.
# 2. gradgradcheck: second derivatives, through the Tensor-op backward.
# 3. A buggy backward (the square forgotten) is caught, with the worst element named.
# 4. compare_with_torch: values and gradients against torch.nn.functional.softsign.
# 5. The op inside a small network: gradcheck of the loss with respect to the weights.
#
#     python demos/10_gradcheck.py [--quick] [--out DIR]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.testing import GradcheckError, compare_with_torch, gradcheck, gradgradcheck
from tinygrad_edu.viz import plot_activations

args = _common.parse_args("10_gradcheck", "Lab 10: a hand-written op and its gradient checks")


# %% [markdown]
# ## The op: forward on arrays, backward with Tensor ops


# %%
class Softsign(Function):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)^2."""

    def forward(self, x):
        return x / (1 + abs(x))  # x is a NumPy (or CuPy) array here

    def backward(self, grad):
        (x,) = self.parents  # the input Tensor
        return grad / (1 + x.abs()) ** 2


class BuggySoftsign(Softsign):
    """The same forward with a classic mistake in backward: the square is missing."""

    def backward(self, grad):
        (x,) = self.parents
        return grad / (1 + x.abs())


def softsign(x: tg.Tensor) -> tg.Tensor:
    return Softsign.apply(x)


report = []


def say(line: str = "") -> None:
    print(line)
    report.append(line)


# %% [markdown]
# ## 1. Analytic vs numerical, element by element

# %%
x = tg.tensor([-3.0, -1.0, -0.25, 0.5, 2.0], dtype=tg.float64, requires_grad=True)
softsign(x).sum().backward()
h = 1e-6
with tg.no_grad():
    numerical = (softsign(x + h) - softsign(x - h)) / (2 * h)
say("1. d softsign / dx: autograd vs central differences (float64, h = 1e-6)")
for xi, a, n in zip(x.tolist(), x.grad.tolist(), numerical.tolist()):
    say(f"   x = {xi:+5.2f}   analytic {a:.10f}   numerical {n:.10f}   |diff| {abs(a - n):.1e}")
shape = (4, 5) if args.quick else (16, 32)
xs = tg.randn(*shape, dtype=tg.float64, requires_grad=True)
say(f"   gradcheck on a random {shape} input: {gradcheck(softsign, [xs])}")

# %% [markdown]
# ## 2. Second derivatives
# The backward is made of Tensor ops, so it has a gradient too.

# %%
say(f"2. gradgradcheck (d2y/dx2 = -2 sign(x) / (1 + |x|)^3): {gradgradcheck(softsign, [xs])}")

# %% [markdown]
# ## 3. A wrong backward does not pass

# %%
try:
    gradcheck(BuggySoftsign.apply, [xs])
    say("3. the buggy backward passed gradcheck?! (it should not)")
except GradcheckError as e:
    say(f"3. the buggy backward is caught: {e}")

# %% [markdown]
# ## 4. Against PyTorch

# %%
try:
    import torch

    data = tg.randn(*shape).numpy() * 3
    compare_with_torch(softsign, torch.nn.functional.softsign, data)
    say(
        f"4. compare_with_torch: values and gradients match torch.nn.functional.softsign on a "
        f"{shape} float32 input"
    )
except ImportError:
    say("4. compare_with_torch skipped: PyTorch is not installed (pip install torch)")

# %% [markdown]
# ## 5. Inside a network: loss(W1, W2) = CE(softsign(x W1^T) W2^T, y)

# %%
inputs = tg.randn(8, 6, dtype=tg.float64)
targets = tg.randint(0, 3, (8,))
w1 = tg.randn(5, 6, dtype=tg.float64, requires_grad=True)
w2 = tg.randn(3, 5, dtype=tg.float64, requires_grad=True)


def network_loss(w1, w2):
    return F.cross_entropy(softsign(inputs @ w1.T) @ w2.T, targets)


say(
    f"5. gradcheck of a 2-layer softsign network's loss w.r.t. both weight matrices: "
    f"{gradcheck(network_loss, [w1, w2])}"
)

path = f"{args.out}/softsign.png"
_common.save_figure(plot_activations([softsign, "tanh"], path, ncols=2), path)
with open(f"{args.out}/gradcheck.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(report) + "\n")
print(f"  wrote {args.out}/gradcheck.txt")
