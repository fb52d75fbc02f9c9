# %% [markdown]
# # Lab 15: optimisers, learning-rate sweeps and tracking runs
#
# 1. **An LR sweep per optimiser** (SGD, SGD + momentum, RMSprop, Adam) on one MNIST MLP:
#    the validation loss after a short budget against the learning rate (log axis). Each
#    optimiser has its own good range; comparing optimisers at one shared learning rate
#    compares learning rates, not optimisers. Picture: lr_sweep.png.
# 2. **The lr_find curve** (the range test): one pass with an exponentially growing learning
#    rate; start a little before the steepest fall. Picture: lr_find.png.
# 3. **SGD vs Adam on the same net**, each at its own best swept learning rate, trained longer;
#    the runs are saved as run folders and drawn with `tinygrad-edu compare`'s plot (and logged
#    for TensorBoard when tensorboardX is installed). Picture: sgd_vs_adam.png.
#
# Validation = held-out training images for every choice; the test set is used once per
# finalist at the end.
#
#     python demos/15_optimizer_sweeps.py --data-dir DIR [--quick]
#     tinygrad-edu compare runs/demos/15_optimizer_sweeps/runs/*    # the same picture again
#     tensorboard --logdir runs/demos/15_optimizer_sweeps/tensorboard

# %%
import math
import os

import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.train.compare import load_runs, plot_runs
from tinygrad_edu.viz import lr_find, plot_lr_find

args = _common.parse_args("15_optimizer_sweeps", "Lab 15: optimisers, LR sweeps and tracking")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("mnist", args)
n_train, n_val = (600, 300) if args.quick else (4000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
test = _common.subset(test, 1000 if args.quick else None)
loss_fn = nn.CrossEntropyLoss()
train_loader = _common.loader(train, 64, shuffle=True)
val_loader, test_loader = _common.loader(val, 1000), _common.loader(test, 1000)
OPTIMIZERS = {
    "SGD": lambda ps, lr: optim.SGD(ps, lr=lr),
    "SGD+momentum": lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9),
    "RMSprop": lambda ps, lr: optim.RMSprop(ps, lr=lr),
    "Adam": lambda ps, lr: optim.Adam(ps, lr=lr),
}
LRS = [10 ** (-4 + 0.5 * k) for k in range(0, 11, 2 if args.quick else 1)]  # 1e-4 ... 10
SWEEP_EPOCHS = 2 if args.quick else 4


def new_model():
    tg.manual_seed(args.seed)
    return models.mlp(784, [256], 10)


# %% [markdown]
# ## 1. The sweep

# %%
sweep = {}
for name, make in OPTIMIZERS.items():
    sweep[name] = []
    for lr in LRS:
        model = new_model()
        h = fit(
            model,
            loss_fn,
            make(model.parameters(), lr),
            train_loader,
            val_loader,
            epochs=SWEEP_EPOCHS,
            verbose=False,
        )
        value = h.val_loss[-1]
        sweep[name].append(value if value is not None and math.isfinite(value) else float("nan"))
    ok = [(v, lr) for v, lr in zip(sweep[name], LRS) if math.isfinite(v)]
    best_v, best_lr = min(ok)
    good = [lr for v, lr in ok if v < 1.5 * best_v]
    say(
        f"1. {name:13s}: best lr {best_lr:.0e} (val loss {best_v:.3f}); within 1.5x of its best "
        f"from {min(good):.0e} to {max(good):.0e}; "
        f"{sum(not math.isfinite(v) for v in sweep[name])} lrs diverged"
    )

from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, 1, figsize=(6.8, 4.2))
for i, (name, values) in enumerate(sweep.items()):
    axes[0].plot(LRS, values, "o-", color=OKABE_ITO[i], label=name, markersize=4)
axes[0].axhline(math.log(10), color="grey", ls=":", lw=1, label="chance (ln 10)")
axes[0].set_xscale("log")
axes[0].set_yscale("log")
axes[0].set_xlabel("learning rate")
axes[0].set_ylim(top=10)  # above 10 the run has blown up: off the chart
axes[0].set_ylabel(f"validation loss after {SWEEP_EPOCHS} epochs\n(off the top or gaps: diverged)")
axes[0].set_title("one sweep per optimiser")
axes[0].legend(fontsize=8)
axes[0].grid(alpha=0.3)
_common.save_figure(finish(fig, f"{args.out}/lr_sweep.png"), f"{args.out}/lr_sweep.png")

# %% [markdown]
# ## 2. lr_find: the range test, in one pass

# %%
model = new_model()
lrs, losses = lr_find(
    model,
    loss_fn,
    optim.SGD(model.parameters(), lr=1e-4, momentum=0.9),
    train_loader,
    start_lr=1e-5,
    end_lr=10,
    num_iter=30 if args.quick else 100,
)
fig = plot_lr_find(lrs, losses, f"{args.out}/lr_find.png")
_common.save_figure(fig, f"{args.out}/lr_find.png")
from tinygrad_edu.viz._lr_plots import suggest_lr  # noqa: E402

suggested = suggest_lr(lrs, losses)
momentum_best = min((v, lr) for v, lr in zip(sweep["SGD+momentum"], LRS) if math.isfinite(v))[1]
if suggested is not None:
    say(
        f"2. lr_find (SGD+momentum) suggests {suggested:.1e}; the sweep's best was "
        f"{momentum_best:.0e}, {abs(math.log10(suggested / momentum_best)):.1f} decades away "
        f"({len(lrs)} batches instead of {len(LRS)} short trainings)"
    )

# %% [markdown]
# ## 3. SGD vs Adam, each at its own best learning rate

# %%
epochs = 4 if args.quick else 15
runs_dir = os.path.join(args.out, "runs")
from tinygrad_edu.train.tensorboard import TensorBoardLogger  # noqa: E402 (tensorboardX: lazily)

results, folders = {}, []
for name in ("SGD+momentum", "Adam"):
    lr = min((v, lr) for v, lr in zip(sweep[name], LRS) if math.isfinite(v))[1]
    model = new_model()
    callbacks = []
    try:
        callbacks.append(TensorBoardLogger(os.path.join(args.out, "tensorboard", name)))
    except ImportError:  # tensorboardX is optional: the lab runs without it
        pass
    h = fit(
        model,
        loss_fn,
        OPTIMIZERS[name](model.parameters(), lr),
        train_loader,
        val_loader,
        epochs=epochs,
        verbose=False,
        callbacks=callbacks,
    )
    for cb in callbacks:
        cb.close()
    folder = os.path.join(runs_dir, f"{name}-lr{lr:.0e}")
    os.makedirs(folder, exist_ok=True)
    h.save_json(os.path.join(folder, "history.json"))
    folders.append(folder)
    test_acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    _common.write_json(os.path.join(folder, "metrics.json"), {"test_accuracy": test_acc, "lr": lr})
    best_epoch = h.best_epoch("val_loss")
    results[name] = {
        "lr": lr,
        "best_val_loss": h.val_loss[best_epoch - 1],
        "best_epoch": best_epoch,
        "val_acc": h.val_acc[-1],
        "test_acc": test_acc,
    }
    say(
        f"3. {name:13s} lr {lr:.0e}: best val loss {h.val_loss[best_epoch - 1]:.3f} at epoch "
        f"{best_epoch}; final val acc {h.val_acc[-1]:.1%}; test {test_acc:.1%}"
        + ("; TensorBoard log written" if callbacks else "")
    )
fig = plot_runs(
    load_runs(folders),
    f"{args.out}/sgd_vs_adam.png",
    title="SGD + momentum vs Adam, each at its best swept learning rate",
)
_common.save_figure(fig, f"{args.out}/sgd_vs_adam.png")
s, a = results["SGD+momentum"], results["Adam"]
if not _labkit.too_short(args, say):
    noise = _labkit.accuracy_noise(n_val)
    d = a["val_acc"] - s["val_acc"]
    say(
        "   "
        + (
            f"Adam ends {d:+.1%} ahead in validation accuracy"
            if d > noise
            else f"SGD+momentum ends {-d:+.1%} ahead"
            if d < -noise
            else f"a tie within the noise ({d:+.1%}, noise {noise:.1%}): tuned, both optimisers "
            "reach the same place on this problem"
        )
        + "; best validation loss at epoch "
        f"{a['best_epoch']} (Adam) vs {s['best_epoch']} (SGD)"
    )
_common.write_json(
    f"{args.out}/metrics.json",
    {"sweep": {"lrs": LRS, **sweep}, "lr_find_suggestion": suggested, "final": results},
)
say.save()
