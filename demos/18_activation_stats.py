# %% [markdown]
# # Lab 18: activation distributions over training, and first-layer weights
#
# Three MLPs on MNIST, watched after every epoch on a fixed batch of validation images:
#
# * **ReLU, a sensible learning rate**;
# * **ReLU, a learning rate 6x too high** (0.3 with momentum 0.9): big updates push units'
#   pre-activations below zero for every input; such a **dead ReLU** outputs 0 and gets
#   gradient 0, so it never comes back;
# * **sigmoid**: units **saturate** near 0 or 1, where the derivative σ(1 - σ) is almost 0.
#
# Pictures: dead_and_saturated.png (per layer, per epoch), activations_<model>.png (histograms
# at the end), first_layer_weights.png (after the full run). Validation = held-out training
# images; the test set is used once per model at the end.
#
#     python demos/18_activation_stats.py --data-dir DIR [--quick]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import Callback, evaluate, fit
from tinygrad_edu.viz import plot_activation_stats, plot_weights

args = _common.parse_args("18_activation_stats", "Lab 18: activation distributions")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("mnist", args)
n_train, n_val = (1000, 500) if args.quick else (10000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
test = _common.subset(test, 1000 if args.quick else None)
epochs = 3 if args.quick else 15
loss_fn = nn.CrossEntropyLoss()
probe, _ = next(iter(_common.loader(val, 500)))
RUNS = {
    "ReLU, SGD lr 0.05": ("relu", 0.05),
    "ReLU, SGD lr 0.3": ("relu", 0.3),
    "sigmoid, SGD lr 0.05": ("sigmoid", 0.05),
}


# %%
def activations(model) -> dict:
    """{layer name: output} of every activation module for the probe batch (eval mode)."""
    out, x = {}, probe
    was = model.training
    model.eval()
    with tg.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, (nn.ReLU, nn.Sigmoid)):
                out[f"layer {len(out) + 1} ({type(layer).__name__})"] = x
    model.train(was)
    return out


def dead_or_saturated(layer: str, a) -> float:
    """ReLU: share of units that are 0 for every probe image (dead). Sigmoid: share of
    outputs within 0.03 of 0 or 1 (saturated)."""
    if "Sigmoid" in layer:
        return ((a < 0.03) | (a > 0.97)).float().mean().item()
    if not a.isfinite().all().item():
        return float("nan")  # the run diverged: an explosion, not dead units
    return (a.amax(dim=0) <= 0).float().mean().item()


class Watch(Callback):
    """Records dead_or_saturated per layer at init and after every epoch."""

    def __init__(self):
        self.rows = []

    def on_train_begin(self, state):
        self.rows.append({k: dead_or_saturated(k, v) for k, v in activations(state.model).items()})

    def on_epoch_end(self, state, logs):
        self.on_train_begin(state)


# %%
curves, results, finals, start = {}, {}, {}, {}
for name, (act, lr) in RUNS.items():
    tg.manual_seed(args.seed)
    model = models.mlp(784, [256, 256, 256], 10, activation=act)
    watch = Watch()
    start[name] = model[1].weight.detach().clone()  # the first Linear's weights at init
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=lr, momentum=0.9),
        _common.loader(train, 64, shuffle=True),
        _common.loader(val, 1000),
        epochs=epochs,
        callbacks=[watch],
        verbose=False,
    )
    layers = list(watch.rows[0])
    curves[name] = {layer: [row[layer] for row in watch.rows] for layer in layers}
    finals[name] = model
    test_acc = evaluate(model, _common.loader(test, 1000), loss_fn)["accuracy"]
    results[name] = {
        "val_acc": h.val_acc[-1],
        "test_acc": test_acc,
        "final_share_per_layer": watch.rows[-1],
    }
    kind = "dead units" if act == "relu" else "saturated outputs"
    say(
        f"{name:21s}: val acc {h.val_acc[-1]:.1%}; {kind} per layer at init "
        + ", ".join(f"{v:.0%}" for v in watch.rows[0].values())
        + " -> after training "
        + ", ".join(f"{v:.0%}" for v in watch.rows[-1].values())
    )
    safe = name.split(",")[0].lower() + ("_high_lr" if lr > 0.1 else "")
    fig = plot_activation_stats(activations(model), f"{args.out}/activations_{safe}.png")
    _common.save_figure(fig, f"{args.out}/activations_{safe}.png")

# %%
from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, len(curves), figsize=(4.6 * len(curves), 3.6), sharey=True)
for ax, (name, per_layer) in zip(axes, curves.items()):
    for i, (layer, ys) in enumerate(per_layer.items()):
        ax.plot(range(len(ys)), ys, "o-", color=OKABE_ITO[i], label=layer, markersize=3)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("epoch (0 = at init)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
axes[0].set_ylabel("share dead (ReLU) / saturated (sigmoid)")
fig.suptitle("dead ReLUs and saturated sigmoids, on 500 validation images", fontsize=10)
_common.save_figure(
    finish(fig, f"{args.out}/dead_and_saturated.png"), f"{args.out}/dead_and_saturated.png"
)

# %% [markdown]
# ## First-layer weights
# Each tile is one first-layer unit's 784 weights as a 28x28 image (red > 0 > blue). What to
# look for: after a good run, smooth stroke- and blob-like templates; pure salt-and-pepper
# noise means the unit barely learned (too few epochs, too small a learning rate); identical
# tiles mean the symmetry was never broken (lab 13); a unit that is dead gets no gradient, so
# its tile stays the random noise it started as. Tiles share one colour scale: a pale tile is a
# unit whose weights are still about as small as at init (PyTorch's default: within ±0.036
# for 784 inputs); it learned little, and the run measures how many there are.

# %%
good = finals["ReLU, SGD lr 0.05"]
dead_first = curves["ReLU, SGD lr 0.05"]["layer 1 (ReLU)"][-1]
w0, w1 = start["ReLU, SGD lr 0.05"], good[1].weight.detach()
moved = ((w1 - w0).norm(dim=1) / w0.norm(dim=1)).tolist()  # change relative to the init, per unit
little = sum(m < 1.0 for m in moved)
_common.save_figure(
    plot_weights(good, f"{args.out}/first_layer_weights.png"), f"{args.out}/first_layer_weights.png"
)

# %% [markdown]
# ## What the run shows (computed from the numbers above)

# %%
low, high = results["ReLU, SGD lr 0.05"], results["ReLU, SGD lr 0.3"]
dead_low = max(low["final_share_per_layer"].values())
shares = list(high["final_share_per_layer"].values())
dead_high = max(shares) if all(v == v for v in shares) else float("nan")
if dead_high != dead_high:  # NaN
    say("the high learning rate made the weights NaN: it exploded, a different failure")
else:
    say(
        f"largest share of dead ReLUs in a layer: {dead_low:.0%} at lr 0.05, {dead_high:.0%} "
        "at lr 0.3"
        + (
            " -> the high learning rate killed units"
            if dead_high > dead_low + 0.05
            else " -> no clear difference in dead units in this run"
        )
    )
sig = results["sigmoid, SGD lr 0.05"]
say(
    "sigmoid: saturated share per layer after training "
    + ", ".join(f"{v:.0%}" for v in sig["final_share_per_layer"].values())
    + f"; val acc {sig['val_acc']:.1%} vs ReLU's {low['val_acc']:.1%}"
)
say(
    f"first layer of the good ReLU net: {dead_first:.0%} of its units dead on the probe images; "
    f"{little} of {len(moved)} units moved less than the size of their initial weights (the "
    f"pale tiles); the median unit moved {sorted(moved)[len(moved) // 2]:.1f}x its init norm"
)
_labkit.too_short(args, say)
_common.write_json(f"{args.out}/metrics.json", results)
say.save()
