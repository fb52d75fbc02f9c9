# %% [markdown]
# # Lab 8: training diagnostics — recognise the symptoms of a run that goes wrong, then fix it
#
# Five broken or suspicious runs on the 8x8 digits. For each: the symptom (measured), the
# diagnosis, and the fix, **run** next to the broken version on the same axes:
#
# 1. learning rate too high, 2. learning rate too low, 3. a deep sigmoid network (vanishing
# gradients), 4. overfitting, 5. the overfit-one-batch check on a model with a classic bug (a
# Softmax layer before CrossEntropyLoss, which applies log_softmax itself).
#
# All loss panels share one y-axis with the loss of chance (ln 10 = 2.30) drawn in, so a curve
# that barely moves looks flat. Validation = 288 images held out of the training set; the test
# set is used once per run, at the end. Ends with a debugging checklist (checklist.txt).
#
#     python demos/08_diagnostics.py [--quick] [--out DIR]

# %%
import math

import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_activation_stats, plot_grad_flow

args = _common.parse_args("08_diagnostics", "Lab 8: training diagnostics")
full_train, test = _common.load("digits", args)
train, val = _common.split_validation(full_train, 288, seed=args.seed)
epochs = 4 if args.quick else 15
loss_fn = nn.CrossEntropyLoss()
CHANCE = math.log(10)  # the loss of a uniform guess over 10 classes: 2.303
metrics, panels = {}, {}


def train_run(model, optimizer, data=train, n_epochs=epochs):
    """fit() with the held-out validation set; returns (History, test accuracy at the end)."""
    h = fit(
        model,
        loss_fn,
        optimizer,
        _common.loader(data, 32, shuffle=True),
        _common.loader(val, 512),
        epochs=n_epochs,
        verbose=False,
    )
    return h, evaluate(model, _common.loader(test, 512), loss_fn)["accuracy"]


def finite(values):
    return [v if math.isfinite(v) else float("nan") for v in values]


def relu_outputs(model, x) -> dict:
    """{name: output} of every ReLU of a Sequential on the batch x (no graph kept)."""
    out, h = {}, x
    with tg.no_grad():
        for i, layer in enumerate(model):
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                out[f"layer {i} ReLU"] = h
    return out


def dead_fraction(outputs: dict) -> float:
    """Share of ReLU units that output 0 for every sample of the batch (they get no gradient)."""
    dead = [((a > 0).float().sum(0) == 0).float().mean().item() for a in outputs.values()]
    return sum(dead) / len(dead)


def verdict(name, symptom, diagnosis, fix, fixed):
    print(
        f"{name}\n  symptom:   {symptom}\n  diagnosis: {diagnosis}\n  fix:       {fix}\n"
        f"  fixed run: {fixed}"
    )


probe, _ = next(iter(_common.loader(train, 256, shuffle=True)))

# %% [markdown]
# ## 1. Learning rate too high
# SGD with lr 3.0 and momentum 0.9. Watch what really happens: does the loss explode, or do the
# ReLUs die? The dead-ReLU fraction and the number of distinct classes the network predicts tell.

# %%
tg.manual_seed(args.seed)
model = models.mlp(64, [64, 64], 10)
h, test_acc = train_run(model, optim.SGD(model.parameters(), lr=3.0, momentum=0.9))
outputs = relu_outputs(model, probe)
dead = dead_fraction(outputs)
with tg.no_grad():
    n_classes = len(set(model(probe).argmax(1).tolist()))
tg.manual_seed(args.seed)
fixed = models.mlp(64, [64, 64], 10)
hf, fixed_acc = train_run(fixed, optim.SGD(fixed.parameters(), lr=0.03, momentum=0.9))
both = {f"lr 3.0, {k}": v for k, v in outputs.items()}
both.update({f"lr 0.03, {k}": v for k, v in relu_outputs(fixed, probe).items()})
path = f"{args.out}/dead_relus_lr3.png"
_common.save_figure(plot_activation_stats(both, path), path)
panels["1. lr too high: SGD 3.0 vs 0.03"] = {
    "lr 3.0 train": finite(h.train_loss),
    "lr 3.0 val": finite(h.val_loss),
    "lr 0.03 train": hf.train_loss,
    "lr 0.03 val": hf.val_loss,
}
nan = not all(math.isfinite(v) for v in h.train_loss)
if nan:
    what = "the loss became NaN/inf: the weights blew up"
elif dead > 0.5:
    what = (
        f"no explosion: {dead:.0%} of the ReLUs are dead (zero for every input), so no "
        f"gradient reaches the layers below and the network predicts {n_classes} class(es)"
    )
else:
    what = "the loss jumps around above the loss of chance: each step overshoots the minimum"
metrics["lr_too_high"] = {
    "train_loss": finite(h.train_loss),
    "test_acc": test_acc,
    "dead_relu_fraction": dead,
    "classes_predicted": n_classes,
    "fixed_test_acc": fixed_acc,
}
verdict(
    "1. learning rate 3.0",
    f"train loss {', '.join(f'{v:.3g}' for v in h.train_loss[:4])} ... (chance "
    f"{CHANCE:.2f}); test accuracy {test_acc:.1%}",
    what,
    "divide the learning rate by 100 (0.03)",
    f"train loss {hf.train_loss[0]:.3f} -> {hf.train_loss[-1]:.3f}, test accuracy "
    f"{fixed_acc:.1%}, dead ReLUs {dead_fraction(relu_outputs(fixed, probe)):.0%}",
)

# %% [markdown]
# ## 2. Learning rate too low
# SGD with lr 1e-4 and no momentum: stable, but on a shared axis it is plainly flat.

# %%
tg.manual_seed(args.seed)
model = models.mlp(64, [64, 64], 10)
h, test_acc = train_run(model, optim.SGD(model.parameters(), lr=1e-4))
tg.manual_seed(args.seed)
fixed = models.mlp(64, [64, 64], 10)
hf, fixed_acc = train_run(fixed, optim.SGD(fixed.parameters(), lr=1e-2, momentum=0.9))
panels["2. lr too low: 1e-4 vs 1e-2 + momentum"] = {
    "lr 1e-4 train": h.train_loss,
    "lr 1e-4 val": h.val_loss,
    "fixed train": hf.train_loss,
    "fixed val": hf.val_loss,
}
drop = h.train_loss[0] - h.train_loss[-1]
metrics["lr_too_low"] = {
    "train_loss": h.train_loss,
    "test_acc": test_acc,
    "fixed_train_loss": hf.train_loss,
    "fixed_test_acc": fixed_acc,
}
verdict(
    "2. learning rate 1e-4, no momentum",
    f"train loss {h.train_loss[0]:.4f} -> {h.train_loss[-1]:.4f} in {len(h)} epochs (a fall of "
    f"{drop:.4f}, {drop / h.train_loss[0]:.2%}); test accuracy {test_acc:.1%}",
    "the steps are too small: training is stable, just far too slow",
    "lr x100 (1e-2) and momentum 0.9",
    f"train loss {hf.train_loss[0]:.3f} -> {hf.train_loss[-1]:.3f}, test accuracy {fixed_acc:.1%}",
)

# %% [markdown]
# ## 3. A deep sigmoid network: vanishing gradients
# 8 hidden sigmoid layers. Every sigmoid multiplies the gradient by at most 0.25 on its way back.
# The fix: ReLU with He initialisation (and BatchNorm), the same depth.


# %%
def first_last_grad(net) -> list:
    x, y = next(iter(_common.loader(train, 256, shuffle=True)))
    net.zero_grad()
    loss_fn(net(x), y).backward()
    return [p.grad.norm().item() for n, p in net.named_parameters() if n.endswith("weight")]


tg.manual_seed(args.seed)
deep = models.mlp(64, [64] * 8, 10, activation="sigmoid")
norms = first_last_grad(deep)
path = f"{args.out}/grad_flow_deep_sigmoid.png"
_common.save_figure(plot_grad_flow(deep.named_parameters(), path), path)
h, test_acc = train_run(deep, optim.SGD(deep.parameters(), lr=0.1, momentum=0.9))
tg.manual_seed(args.seed)
fixed = models.mlp(64, [64] * 8, 10, activation="relu", norm="batch")
for m in fixed.modules():
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
fixed_norms = first_last_grad(fixed)
hf, fixed_acc = train_run(fixed, optim.SGD(fixed.parameters(), lr=0.1, momentum=0.9))
panels["3. 8 sigmoid layers vs ReLU + He + BatchNorm"] = {
    "sigmoid train": h.train_loss,
    "sigmoid val": h.val_loss,
    "fixed train": hf.train_loss,
    "fixed val": hf.val_loss,
}
metrics["deep_sigmoid"] = {
    "train_loss": h.train_loss,
    "test_acc": test_acc,
    "weight_grad_norms": norms,
    "fixed_weight_grad_norms": fixed_norms,
    "fixed_test_acc": fixed_acc,
}
stuck = abs(h.train_loss[-1] - CHANCE) < 0.1
verdict(
    "3. 8 sigmoid layers",
    (
        f"loss stuck near chance ({h.train_loss[-1]:.4f} after {len(h)} epochs)"
        if stuck
        else f"loss {h.train_loss[0]:.3f} -> {h.train_loss[-1]:.3f}, slower than the fix"
    )
    + f"; first-layer weight gradient {norms[0]:.1e} vs {norms[-1]:.1e} at the last layer; test "
    f"accuracy {test_acc:.1%}",
    "vanishing gradients: the first layers get almost no signal",
    "ReLU, He initialisation and BatchNorm, same depth",
    f"gradient {fixed_norms[0]:.1e} first vs {fixed_norms[-1]:.1e} last; train loss "
    f"{hf.train_loss[-1]:.3f}, test accuracy {fixed_acc:.1%}",
)

# %% [markdown]
# ## 4. Overfitting: a big network on 150 images
# The fix: weight decay and dropout on the same 150 images (more data would be the best fix).

# %%
small = _common.subset(train, 150)
tg.manual_seed(args.seed)
model = models.mlp(64, [512, 512], 10)
h, test_acc = train_run(model, optim.Adam(model.parameters(), lr=1e-3), small, 3 * epochs)
tg.manual_seed(args.seed)
fixed = models.mlp(64, [512, 512], 10, dropout=0.5)
hf, fixed_acc = train_run(
    fixed, optim.AdamW(fixed.parameters(), lr=1e-3, weight_decay=0.5), small, 3 * epochs
)
panels["4. overfitting (150 images): plain vs regularised"] = {
    "plain train": h.train_loss,
    "plain val": h.val_loss,
    "fixed train": hf.train_loss,
    "fixed val": hf.val_loss,
}
best = h.best_epoch("val_loss")
gap, fixed_gap = h.train_acc[-1] - h.val_acc[-1], hf.train_acc[-1] - hf.val_acc[-1]
metrics["overfitting"] = {
    "train_acc": h.train_acc[-1],
    "val_acc": h.val_acc[-1],
    "best_epoch": best,
    "test_acc": test_acc,
    "fixed_train_acc": hf.train_acc[-1],
    "fixed_val_acc": hf.val_acc[-1],
    "fixed_test_acc": fixed_acc,
}
if best < len(h):
    trend = f"the validation loss was lowest at epoch {best} of {len(h)} and rose afterwards"
else:
    trend = (
        f"the validation loss still falls after {len(h)} epochs: too short a run to see it "
        "turn back up"
    )
verdict(
    "4. 512-512 MLP on 150 images",
    f"train accuracy {h.train_acc[-1]:.1%} vs validation {h.val_acc[-1]:.1%} (gap "
    f"{gap:+.1%}); {trend}",
    "the model memorises the training set instead of learning the pattern"
    if gap > 0.05
    else "no clear overfitting in this run (gap under 5 points)",
    "dropout 0.5 and weight decay 0.5 (AdamW); better still, more data",
    f"train {hf.train_acc[-1]:.1%} vs validation {hf.val_acc[-1]:.1%} (gap {fixed_gap:+.1%}), "
    f"test accuracy {fixed_acc:.1%} vs {test_acc:.1%} "
    + (
        "(better)"
        if fixed_acc > test_acc + 0.005
        else f"(the gap went from {gap:+.1%} to {fixed_gap:+.1%} but test accuracy did not "
        "improve: with 150 images, more data is the real fix)"
        if gap > 0.05
        else "(not better: regularising costs accuracy where there is little overfitting)"
    ),
)

# %%
_common.plot_lines(
    {},
    f"{args.out}/diagnostics.png",
    "broken vs fixed (one y-axis for all; dotted: the loss of chance)",
    ylabel="loss",
    panels=panels,
    logy=True,
    sharey=True,
    paired=True,
    hlines={f"chance ln 10 = {CHANCE:.2f}": CHANCE},
)

# %% [markdown]
# ## 5. Overfit one batch
# A correct model drives the loss of a single batch to ~0. One that cannot has a bug.

# %%
x, y = next(iter(_common.loader(train, 32, shuffle=True)))
steps = 60 if args.quick else 150
curves = {}
for label, bug in (("Softmax before CrossEntropyLoss (bug)", True), ("fixed: raw logits", False)):
    tg.manual_seed(args.seed)
    layers = [nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)]
    model = nn.Sequential(*layers, *([nn.Softmax(dim=1)] if bug else []))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    curves[label] = losses
    ok = losses[-1] < 0.05
    metrics[f"overfit_one_batch {label}"] = {"final_loss": losses[-1], "passed": ok}
    print(
        f"5. overfit one batch, {label}: loss {losses[0]:.3f} -> {losses[-1]:.4f} in {steps} "
        f"steps: {'PASS' if ok else 'FAIL'}"
    )
    if bug and not ok:
        floor = -math.log(math.e / (math.e + 9))  # softmax outputs in [0, 1]: best logit gap 1
        print(
            f"  a model that cannot memorise 32 samples has a bug: log_softmax(softmax(z)) "
            f"sees inputs in [0, 1], so the loss cannot go below {floor:.3f}"
        )
_common.plot_lines(
    curves,
    f"{args.out}/overfit_one_batch.png",
    "overfitting a single batch",
    xlabel="step",
    ylabel="loss",
    logy=True,
)

# %% [markdown]
# ## The checklist

# %%
CHECKLIST = """Debugging checklist
 1. Overfit one batch first: the loss must go to ~0. If not, there is a bug (data, model, loss).
 2. Check the initial loss: ln(num_classes) (2.30 for 10 classes) for a fresh classifier.
 3. Look at the data: shapes, dtypes, value range, labels matching inputs, shuffling on.
 4. Loss NaN or rising: learning rate too high; clip gradients; check log(0) and x/0.
 5. Loss flat at ln(num_classes): dead ReLUs (plot_activation_stats), vanishing gradients
    (plot_grad_flow), or a learning rate far too low. Plot runs on shared axes.
 6. Train accuracy >> validation accuracy: overfitting; regularise or add data.
 7. Both low: underfitting; a bigger model, train longer, a better optimiser.
 8. model.train() for training, model.eval() for evaluation (dropout, BatchNorm).
 9. optimizer.zero_grad() every step; gradients accumulate otherwise.
10. Do not put Softmax before CrossEntropyLoss: it takes raw logits.
11. Compare a hand-written gradient with gradcheck (demos/10_gradcheck.py).
12. Fix the seed (tg.manual_seed) so that two runs can be compared.
13. Choose on a validation split; look at the test set once, at the end."""
print(CHECKLIST)
with open(f"{args.out}/checklist.txt", "w", encoding="utf-8") as f:
    f.write(CHECKLIST + "\n")
_common.write_json(f"{args.out}/metrics.json", metrics)
