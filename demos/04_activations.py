# %% [markdown]
# # Lab 4: activation functions — Sigmoid, Tanh, ReLU, LeakyReLU, GELU, SiLU
#
# 1. Each function and its derivative, the derivative computed by autograd itself
#    (x.requires_grad_(); f(x).sum().backward(); x.grad) -> activations.png.
# 2. The same network trained with each activation on the 8x8 digits -> activation_training.png.
# 3. Vanishing gradients: a 10-layer MLP at initialisation, the gradient norm of every layer's
#    weights after one backward pass. Sigmoid's derivative is at most 1/4, so each layer shrinks
#    the gradient and the first layers barely learn -> vanishing_gradients.png, grad_flow_*.png.
#
#     python demos/04_activations.py [--quick] [--out DIR]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_activations, plot_grad_flow

args = _common.parse_args("04_activations", "Lab 4: activation functions")
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu"]

# %% [markdown]
# ## 1. Each function and its derivative (from autograd)

# %%
path = f"{args.out}/activations.png"
_common.save_figure(plot_activations(ACTIVATIONS, path, ncols=3), path)
x = tg.linspace(-4.0, 4.0, 9, requires_grad=True)
for name in ACTIVATIONS:
    x.grad = None
    getattr(x, name)().sum().backward()
    slopes = " ".join(f"{v:5.2f}" for v in x.grad.tolist())
    print(f"  {name:10s} f'(x) at x = -4..4: {slopes}   max {max(x.grad.tolist()):.3f}")

# %% [markdown]
# ## 2. The same network trained with each activation
# 288 training images are held out for validation (the curves); the test set is used once per
# run, at the end.

# %%
full_train, test = _common.load("digits", args)
train, val = _common.split_validation(full_train, 288, seed=args.seed)
epochs = 4 if args.quick else 25
curves, final = {}, {}
for name in ACTIVATIONS:
    tg.manual_seed(args.seed)
    model = models.mlp(64, [64, 64], 10, activation=name)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        _common.loader(train, 32, shuffle=True),
        _common.loader(val, 512),
        epochs=epochs,
        verbose=False,
    )
    curves[name] = history.val_acc
    final[name] = evaluate(model, _common.loader(test, 512))["accuracy"]
    print(
        f"  {name:10s} after {epochs} epochs: validation {history.val_acc[-1]:.1%}, test "
        f"{final[name]:.1%}"
    )
_common.plot_lines(
    curves,
    f"{args.out}/activation_training.png",
    "digits, MLP 64-64-64-10, SGD momentum: validation accuracy",
    ylabel="accuracy",
)
ranked = sorted(curves, key=lambda k: -curves[k][-1])
spread = curves[ranked[0]][-1] - curves[ranked[-1]][-1]
print(
    f"  best by validation accuracy: {ranked[0]} ({curves[ranked[0]][-1]:.1%}); worst: "
    f"{ranked[-1]} ({curves[ranked[-1]][-1]:.1%})"
    + (
        ""
        if spread > 0.01
        else f": within one point after {epochs} epochs, too short a run to rank them"
    )
)

# %% [markdown]
# ## 3. Vanishing gradients in a deep network

# %%
depth = 10
x, y = next(iter(_common.loader(train, 256, shuffle=True)))
grad_norms, ratios = {}, {}
for name in ACTIVATIONS + ["relu + He init"]:
    tg.manual_seed(args.seed)
    deep = models.mlp(64, [64] * depth, 10, activation=name.split()[0])
    if name.endswith("He init"):  # variance-preserving init for ReLU: std = sqrt(2 / fan_in)
        for m in deep.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    nn.CrossEntropyLoss()(deep(x), y).backward()
    weights = [(n, p) for n, p in deep.named_parameters() if n.endswith("weight")]
    norms = [p.grad.norm().item() for _, p in weights]
    grad_norms[name] = norms
    ratios[name] = norms[0] / norms[-1]
    print(
        f"  {name:14s} |grad| first layer {norms[0]:.2e}, last layer {norms[-1]:.2e} "
        f"(first/last {ratios[name]:.1e})"
    )
    if name in ("sigmoid", "relu"):
        path = f"{args.out}/grad_flow_{name}.png"
        _common.save_figure(plot_grad_flow(deep.named_parameters(), path), path)
_common.plot_lines(
    grad_norms,
    f"{args.out}/vanishing_gradients.png",
    f"{depth + 1} Linear layers at init: weight-gradient norm per layer",
    xlabel="layer (1 = input side)",
    ylabel="||dL/dW||",
    logy=True,
)
print(
    f"sigmoid: the first layer's gradient is {1 / ratios['sigmoid']:.0e} times smaller than the "
    f"last one's (relu at PyTorch's default init: {1 / ratios['relu']:.0e}; relu with He init: "
    f"{1 / ratios['relu + He init']:.1f}). Every sigmoid layer multiplies the gradient by at "
    "most 0.25, so deep sigmoid networks learn only near the output."
)
_common.write_json(
    f"{args.out}/metrics.json", {"test_accuracy": final, "first_over_last_grad_norm": ratios}
)
