# %% [markdown]
# # Lab 13: initialisation and depth
#
# 1. **Xavier vs He vs zero init** on a deep ReLU MLP (MNIST subset). Xavier keeps the variance
#    of a *linear/tanh* layer's output equal to its input's (std = sqrt(2 / (fan_in + fan_out)));
#    He (Kaiming) doubles it for ReLU, which zeroes half the signal (std = sqrt(2 / fan_in)).
#    Zero (or any constant) init is the **symmetry failure**: every unit of a layer computes
#    the same thing and gets the same gradient, so they stay identical forever. Pictures:
#    init_signal.png (activation std per layer at init), init_training.png.
# 2. **Residual vs plain CNN of the same depth** (no BatchNorm in either, so the skip
#    connection is the only difference): the plain stack's gradient at the first layers
#    vanishes, the residual one passes it through `x + f(x)`. Picture: depth.png.
#
# Validation = held-out training images; the test set is used once per model at the end.
#
#     python demos/13_init_and_depth.py --data-dir DIR [--quick]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("13_init_and_depth", "Lab 13: initialisation and depth")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("mnist", args)
n_train, n_val = (600, 300) if args.quick else (5000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
test = _common.subset(test, 1000 if args.quick else None)
loss_fn = nn.CrossEntropyLoss()
train_loader = _common.loader(train, 64, shuffle=True)
val_loader, test_loader = _common.loader(val, 500), _common.loader(test, 1000)
EPOCHS = 3 if args.quick else 12
metrics = {"init": {}, "depth": {}}

# %% [markdown]
# ## 1. Initialisation


# %%
DEPTH, WIDTH = 8, 256


def mlp_with_init(scheme: str) -> nn.Sequential:
    tg.manual_seed(args.seed)
    sizes = [784] + [WIDTH] * DEPTH
    layers = [nn.Flatten()]
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(WIDTH, 10))
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, nn.Linear):
            if scheme == "xavier":
                nn.init.xavier_normal_(m.weight)
            elif scheme == "he":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            else:  # zero or constant: every unit of a layer is the same
                nn.init.constant_(m.weight, 0.0 if scheme == "zero" else 1.0 / m.in_features)
            nn.init.zeros_(m.bias)
    return model


def signal_std(model, x) -> list:
    """The std of each hidden ReLU's output for one batch, at initialisation."""
    stds = []
    with tg.no_grad():
        for m in model:
            x = m(x)
            if isinstance(m, nn.ReLU):
                stds.append(x.std().item())
    return stds


def distinct_units(model) -> int:
    """How many first-layer units differ (by more than 1e-6) from unit 0."""
    w = model[1].weight.detach()
    return 1 + int(((w - w[:1]).abs().amax(dim=1) > 1e-6).sum().item())


x_probe, _ = next(iter(_common.loader(train, 256)))
init_signal, init_curves = {}, {}
for scheme in ("xavier", "he", "zero", "constant"):
    model = mlp_with_init(scheme)
    init_signal[scheme] = signal_std(model, x_probe)
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.02, momentum=0.9),
        train_loader,
        val_loader,
        epochs=EPOCHS,
        verbose=False,
    )
    init_curves[scheme] = (h.train_loss, h.val_loss)
    units = distinct_units(model)
    test_acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    metrics["init"][scheme] = {
        "val_acc": h.val_acc[-1],
        "test_acc": test_acc,
        "distinct_first_layer_units": units,
        "last_layer_std_at_init": init_signal[scheme][-1],
    }
    say(
        f"{scheme:8s}: activation std at init, layer 1 -> {DEPTH}: {init_signal[scheme][0]:.3g} -> "
        f"{init_signal[scheme][-1]:.3g}; val acc {h.val_acc[-1]:.1%}; distinct first-layer "
        f"units after training: {units} of {WIDTH}"
    )

# %%
drawn = {k: s for k, s in init_signal.items() if min(s) > 0}  # a log axis cannot show 0
zeros = sorted(set(init_signal) - set(drawn))
_common.plot_lines(
    drawn,
    f"{args.out}/init_signal.png",
    "std of each ReLU layer's output at init"
    + (f" ({', '.join(zeros)}: exactly 0, not drawn)" if zeros else ""),
    xlabel="hidden layer",
    ylabel="std (log scale)",
    logy=True,
)
_labkit.plot_pairs(
    {"8 hidden ReLU layers of 256": init_curves},
    f"{args.out}/init_training.png",
    "training with each init",
    ylabel="cross-entropy",
    logy=True,
)

m = metrics["init"]
he_x = m["he"]["last_layer_std_at_init"] / max(m["xavier"]["last_layer_std_at_init"], 1e-12)
say(
    f"At init the signal after {DEPTH} ReLU layers is {he_x:.1f}x larger with He than with Xavier "
    f"(expected about sqrt(2)^{DEPTH} = {2 ** (DEPTH / 2):.0f}x: Xavier halves the variance at "
    "every ReLU)."
)
for scheme in ("zero", "constant"):
    units = m[scheme]["distinct_first_layer_units"]
    say(
        f"{scheme} init: {units} distinct first-layer unit(s) after training"
        + (
            f" -> the symmetry was never broken: the layer is one unit copied {WIDTH} times"
            if units == 1
            else " (symmetry broken)"
        )
    )
if not _labkit.too_short(args, say):
    noise = _labkit.accuracy_noise(n_val)
    d = m["he"]["val_acc"] - m["xavier"]["val_acc"]
    say(
        f"He vs Xavier after {EPOCHS} epochs: {d:+.1%} validation accuracy "
        + (
            "(He clearly ahead)"
            if d > noise
            else "(Xavier clearly ahead)"
            if d < -noise
            else f"(within the noise of {noise:.1%}: both train at this depth)"
        )
    )

# %% [markdown]
# ## 2. Residual vs plain CNN, same depth
# A stem brings the 28x28 image to 16 channels of 7x7; then `BLOCKS` blocks of two 3x3
# convolutions: plain `relu(conv(relu(conv(x))))` or residual `relu(x + conv(relu(conv(x))))`.


# %%
class Block(nn.Module):
    def __init__(self, c: int, residual: bool) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
        self.residual = residual

    def forward(self, x):
        y = self.conv2(self.conv1(x).relu())
        return (x + y).relu() if self.residual else y.relu()


BLOCKS = 3 if args.quick else 8


def cnn(residual: bool) -> nn.Sequential:
    tg.manual_seed(args.seed)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        *[Block(16, residual) for _ in range(BLOCKS)],
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )


def first_grad_norm(model) -> float:
    xb, yb = next(iter(_common.loader(train, 128)))
    model.zero_grad()
    loss_fn(model(xb), yb).backward()
    g = model[0].weight.grad.norm().item()
    model.zero_grad()
    return g


cnn_train = _common.loader(_common.subset(train, 300 if args.quick else 3000), 64, shuffle=True)
depth_panels = {}
for residual in (False, True):
    name = "residual" if residual else "plain"
    model = cnn(residual)
    g0 = first_grad_norm(model)
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
        cnn_train,
        val_loader,
        epochs=EPOCHS,
        verbose=False,
    )
    depth_panels[name] = (h.train_loss, h.val_loss)
    test_acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    metrics["depth"][name] = {
        "val_acc": h.val_acc[-1],
        "test_acc": test_acc,
        "first_layer_grad_norm_at_init": g0,
    }
    say(
        f"{name:8s} CNN, {2 * BLOCKS + 2} conv layers: |grad| of the first layer at init {g0:.2e}; "
        f"val acc {h.val_acc[-1]:.1%} after {EPOCHS} epochs; test {test_acc:.1%}"
    )
_labkit.plot_pairs(
    {f"{2 * BLOCKS + 2} conv layers, no BatchNorm": depth_panels},
    f"{args.out}/depth.png",
    "same depth, with and without skip connections",
    ylabel="cross-entropy",
    logy=True,
)
p, r = metrics["depth"]["plain"], metrics["depth"]["residual"]
ratio = r["first_layer_grad_norm_at_init"] / max(p["first_layer_grad_norm_at_init"], 1e-30)
say(f"the first layer's gradient at init is {ratio:.1f}x larger with skip connections")
if not _labkit.too_short(args, say):
    d = r["val_acc"] - p["val_acc"]
    noise = _labkit.accuracy_noise(n_val)
    if d > noise:
        say(f"residual vs plain: {d:+.1%} validation accuracy: the skip connections win")
    elif d >= -noise:
        say(f"residual vs plain: {d:+.1%}: no clear difference at this depth")
    else:
        say(f"residual vs plain: {d:+.1%}: the plain net is ahead here")
_common.write_json(f"{args.out}/metrics.json", metrics)
say.save()
