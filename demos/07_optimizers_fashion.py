# %% [markdown]
# # Lab 7: optimiser and schedule showdown on Fashion-MNIST
#
# 1. Optimisers: SGD + momentum, Adam, AdamW, RMSprop on the same MLP -> optimizers.png.
# 2. Learning-rate schedules for SGD + momentum: constant, step (x0.1 at 1/2 and 3/4), cosine,
#    linear warmup then cosine (per step) -> schedules.png (accuracy and the lr itself).
# 3. Gradient clipping at norm 1 with a too-large Adam step: the gradient norm per epoch with
#    and without clipping -> clipping.png.
# 4. The best MLP recipe found for Fashion-MNIST (784-512-256, dropout 0.2, AdamW, cosine,
#    20 epochs) -> best_curves.png.
#
# 5,000 training images are held out for validation (the curves, and any choice between
# runs); each run meets the test set once, at the end.
#
#     python demos/07_optimizers_fashion.py --data-dir DIR [--quick]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args(
    "07_optimizers_fashion", "Lab 7: optimisers and schedules on Fashion-MNIST"
)
full_train, test = _common.load("fashion-mnist", args)
train, val = _common.split_validation(
    full_train, 500 if args.quick else 5000, n_train=2000 if args.quick else None, seed=args.seed
)
if args.quick:
    test = _common.subset(test, 2000)
epochs = 3 if args.quick else 8
train_loader = _common.loader(train, 64, shuffle=True)
val_loader, test_loader = _common.loader(val, 1000), _common.loader(test, 1000)
loss_fn = nn.CrossEntropyLoss()
metrics = {}


def run(
    label: str,
    make_optimizer,
    make_scheduler=None,
    clip=None,
    hidden=(256, 128),
    dropout=0.0,
    n_epochs=epochs,
    loader=train_loader,
):
    """Train a fresh MLP (same seed, same initial weights) and return its History."""
    tg.manual_seed(args.seed)
    model = models.mlp(784, hidden, 10, dropout=dropout)
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    with _common.Timer() as timer:
        h = fit(
            model,
            loss_fn,
            optimizer,
            loader,
            val_loader,
            epochs=n_epochs,
            scheduler=scheduler,
            clip_grad_norm=clip,
            verbose=False,
        )
    acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    metrics[label] = {
        "test_accuracy": acc,
        "val_accuracy": h.val_acc[-1],
        "final_train_loss": h.train_loss[-1],
        "max_grad_norm": max(h.grad_norm_max),
        "wall_time_s": round(timer.seconds, 1),
    }
    print(
        f"  {label:28s} val {h.val_acc[-1]:6.2%}  test {acc:6.2%}  "
        f"train loss {h.train_loss[-1]:.4f}  "
        f"max |grad| {max(h.grad_norm_max):8.3g}  {timer.seconds:5.1f}s"
    )
    return h


def ranking(results: dict, what: str) -> None:
    """Name the best run by validation accuracy, or say the run was too short to tell."""
    ordered = sorted(results.items(), key=lambda kv: -kv[1])
    (best, top), (second, runner) = ordered[0], ordered[1]
    if top - runner < 0.005:
        print(
            f"  {best} and {second} are within half a point ({top:.2%} vs {runner:.2%}) after "
            f"{epochs} epochs: too close (or too short a run) to call a winner among {what}"
        )
    else:
        print(
            f"  best {what} here: {best} ({top:.2%} validation), ahead of {second} "
            f"({runner:.2%}) after {epochs} epochs"
        )


# %% [markdown]
# ## 1. Optimisers on the same MLP, from the same initial weights

# %%
print("1. optimisers (MLP 784-256-128-10, batch 64)")
optimizers = {
    "SGD lr 0.05 momentum 0.9": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Adam lr 1e-3": lambda p: optim.Adam(p, lr=1e-3),
    "AdamW lr 1e-3 wd 0.05": lambda p: optim.AdamW(p, lr=1e-3, weight_decay=0.05),
    "RMSprop lr 1e-3": lambda p: optim.RMSprop(p, lr=1e-3),
}
curves = {name: run(name, make).val_acc for name, make in optimizers.items()}
ranking({k: v[-1] for k, v in curves.items()}, "optimisers")
_common.plot_lines(
    curves, f"{args.out}/optimizers.png", "Fashion-MNIST validation accuracy", ylabel="accuracy"
)

# %% [markdown]
# ## 2. Learning-rate schedules for SGD + momentum

# %%

print("2. schedules (SGD lr 0.05 momentum 0.9)")
steps = len(train_loader)
warm = steps  # one epoch of linear warmup, counted in optimizer steps


def sgd(p):
    return optim.SGD(p, lr=0.05, momentum=0.9)


def warmup_cosine(o):
    warmup = lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=warm)
    cosine = lr_scheduler.CosineAnnealingLR(o, T_max=max(1, epochs * steps - warm))
    return lr_scheduler.SequentialLR(o, [warmup, cosine], milestones=[warm])


schedules = {
    "constant": None,
    "step": lambda o: lr_scheduler.MultiStepLR(o, [max(1, epochs // 2), max(1, 3 * epochs // 4)]),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=epochs),
    "warmup + cosine": warmup_cosine,
}
acc_curves, lr_curves = {}, {}
for name, make in schedules.items():
    interval = "step" if name == "warmup + cosine" else "epoch"
    tg.manual_seed(args.seed)
    model = models.mlp(784, (256, 128), 10)
    optimizer = sgd(model.parameters())
    scheduler = make(optimizer) if make else None
    h = fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        val_loader,
        epochs=epochs,
        scheduler=scheduler,
        scheduler_interval=interval,
        verbose=False,
    )
    acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    metrics[f"schedule {name}"] = {"val_accuracy": h.val_acc[-1], "test_accuracy": acc}
    print(
        f"  {name:28s} val {h.val_acc[-1]:6.2%}  test {acc:6.2%}  lr per epoch "
        + " ".join(f"{v:.3g}" for v in h.lr)
    )
    acc_curves[name], lr_curves[name] = h.val_acc, h.lr
ranking({k: v[-1] for k, v in acc_curves.items()}, "schedules")
_common.plot_lines(
    {},
    f"{args.out}/schedules.png",
    "learning-rate schedules (SGD + momentum)",
    panels={"validation accuracy": acc_curves, "learning rate (epoch start)": lr_curves},
)

# %% [markdown]
# ## 3. Gradient clipping
# Clipping rescales any gradient longer than the threshold before the step: it caps the size of
# rare huge updates (spikes, exploding gradients); it does not fix a learning rate that is too
# large on average, which only a smaller lr or a schedule does.

# %%

print("3. gradient clipping at norm 1 (Adam lr 1e-2, too large on purpose)")
norms, clip_acc = {}, {}
for clip in (None, 1.0):
    label = "clip 1.0" if clip else "no clipping"
    h = run(f"Adam lr 1e-2, {label}", lambda p: optim.Adam(p, lr=1e-2), clip=clip)
    norms[f"{label}: mean |grad|"], norms[f"{label}: max |grad|"] = h.grad_norm, h.grad_norm_max
    clip_acc[label] = h.val_acc[-1]
above = sum(v > 1.0 for v in norms["clip 1.0: mean |grad|"])
spikes = sum(v > 1.0 for v in norms["clip 1.0: max |grad|"])
delta = clip_acc["clip 1.0"] - clip_acc["no clipping"]
print(
    f"  with clipping at 1.0: the epoch's mean gradient norm was above 1 in {above} of {epochs} "
    f"epochs (there most steps were shortened), its largest in {spikes} of {epochs} (at least "
    f"one step cut); validation accuracy {clip_acc['clip 1.0']:.2%} vs "
    f"{clip_acc['no clipping']:.2%} without "
    + (
        "(clipping helped)"
        if delta > 0.005
        else "(clipping hurt)"
        if delta < -0.005
        else "(no clear difference)"
    )
    + " in this single run"
)
_common.plot_lines(
    norms,
    f"{args.out}/clipping.png",
    "gradient norm before clipping, per epoch",
    ylabel="||grad||",
    logy=True,
    hlines={"clipping threshold 1.0": 1.0},
)

# %% [markdown]
# ## 4. The best MLP recipe found

# %%
print("4. the best MLP recipe found: 784-512-256, dropout 0.2, AdamW, cosine, batch 128")
best_epochs = 3 if args.quick else 20
h = run(
    "best MLP",
    lambda p: optim.AdamW(p, lr=1e-3, weight_decay=0.01),
    lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=best_epochs),
    hidden=(512, 256),
    dropout=0.2,
    n_epochs=best_epochs,
    loader=_common.loader(train, 128, shuffle=True),
)
_common.save_figure(
    h.plot(f"{args.out}/best_curves.png", title="Fashion-MNIST, best MLP"),
    f"{args.out}/best_curves.png",
)
_common.write_json(f"{args.out}/metrics.json", metrics)
