# %% [markdown]
# # Lab 16: augmentation and BatchNorm against overfitting (Fashion-MNIST)
#
# The regularisation setting of lab 5, on Fashion-MNIST: 2,000 training images, so that a
# [512, 512] MLP overfits. Four runs differ in one switch each:
#
# * **augmentation**: every batch is randomly shifted by up to 2 pixels (`RandomShift(2)`),
#   so the network never sees the same image twice;
# * **BatchNorm** after each hidden Linear: normalised activations, and a little noise from the
#   batch statistics.
#
# Measured: training vs validation accuracy per epoch (the gap is the overfitting), and the
# test accuracy of each final model, used once. Pictures: curves.png, gaps.png. The training
# accuracy is the running one over each epoch's batches as they were trained (shifted when
# augmenting), so with augmentation it can sit *below* the validation accuracy.
#
#     python demos/16_augmentation_batchnorm.py --data-dir DIR [--quick]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.data import DataLoader, transforms
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("16_augmentation_batchnorm", "Lab 16: augmentation and BatchNorm")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("fashion-mnist", args)
n_train, n_val = (500, 500) if args.quick else (2000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
test = _common.subset(test, 1000 if args.quick else None)
epochs = 4 if args.quick else 30
loss_fn = nn.CrossEntropyLoss()
val_loader, test_loader = _common.loader(val, 1000), _common.loader(test, 1000)
RUNS = {
    "baseline": dict(augment=False, norm="none"),
    "augmentation": dict(augment=True, norm="none"),
    "BatchNorm": dict(augment=False, norm="batch"),
    "both": dict(augment=True, norm="batch"),
}

# %%
curves, results = {}, {}
for name, opts in RUNS.items():
    tg.manual_seed(args.seed)
    model = models.mlp(784, [512, 512], 10, norm=opts["norm"])
    shift = transforms.RandomShift(2) if opts["augment"] else None
    loader = DataLoader(train, 64, shuffle=True, transform=shift)
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
        loader,
        val_loader,
        epochs=epochs,
        verbose=False,
    )
    curves[name] = (h.train_acc, h.val_acc)
    best = h.best_epoch("val_loss")
    test_acc = evaluate(model, test_loader, loss_fn)["accuracy"]
    results[name] = {
        "train_acc": h.train_acc[-1],
        "val_acc": h.val_acc[-1],
        "gap": h.train_acc[-1] - h.val_acc[-1],
        "best_val_loss_epoch": best,
        "test_acc": test_acc,
    }
    say(
        f"{name:13s}: train {h.train_acc[-1]:6.1%}  val {h.val_acc[-1]:6.1%}  gap "
        f"{results[name]['gap']:+6.1%}  val loss lowest at epoch {best}/{epochs}  "
        f"test {test_acc:6.1%}"
    )

# %%
_labkit.plot_pairs(
    {name: {"": pair} for name, pair in curves.items()},
    f"{args.out}/curves.png",
    f"Fashion-MNIST, {n_train:,} training images",
    ylabel="accuracy",
)

from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, 1, figsize=(6.4, 3.8))
names = list(results)
axes[0].bar(names, [results[n]["gap"] for n in names], color=OKABE_ITO[: len(names)])
for i, n in enumerate(names):
    axes[0].text(
        i,
        results[n]["gap"],
        f"val {results[n]['val_acc']:.1%}",
        ha="center",
        va="bottom",
        fontsize=8,
    )
axes[0].set_ylabel("train accuracy - validation accuracy")
axes[0].set_title(f"the overfitting gap after {epochs} epochs (labels: validation accuracy)")
axes[0].grid(alpha=0.3, axis="y")
_common.save_figure(finish(fig, f"{args.out}/gaps.png"), f"{args.out}/gaps.png")

# %% [markdown]
# ## What the run shows (computed from the numbers above)

# %%
noise = _labkit.accuracy_noise(n_val)
base = results["baseline"]
if not _labkit.too_short(args, say):
    for name in ("augmentation", "BatchNorm", "both"):
        r = results[name]
        dv, dg = r["val_acc"] - base["val_acc"], r["gap"] - base["gap"]
        verdict = (
            "helps"
            if dv > noise
            else "hurts"
            if dv < -noise
            else f"makes no difference beyond the {noise:.1%} noise"
        )
        say(
            f"{name}: {verdict} in validation accuracy ({dv:+.1%}); the gap changes by "
            f"{dg:+.1%}" + (" (less overfitting)" if dg < -noise else "")
        )
_common.write_json(f"{args.out}/metrics.json", results)
say.save()
