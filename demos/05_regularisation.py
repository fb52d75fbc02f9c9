# %% [markdown]
# # Lab 5: regularisation on a small MNIST training set (2,000 images, so that overfitting shows)
#
# 1. Under-, over- and a good fit: a tiny model, a big one, the big one regularised; train vs
#    validation loss per epoch -> fitting.png.
# 2. L2 sweep: SGD weight decay 0 ... 1e-2 -> l2_sweep.png (validation accuracy per epoch;
#    the weight norms are printed).
# 3. Dropout sweep: p = 0, 0.2, 0.5 -> dropout_sweep.png.
# 4. Early stopping: stop when the validation loss has not improved for 5 epochs and restore the
#    best weights -> early_stopping.png.
#
# Validation = 1,000 other training images; the test set is used once per run at the end.
#
#     python demos/05_regularisation.py --data-dir DIR [--quick]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.data import Subset
from tinygrad_edu.train import EarlyStopping, evaluate, fit

args = _common.parse_args("05_regularisation", "Lab 5: regularisation")
full_train, test = _common.load("mnist", args)
n_train, n_val = (500, 500) if args.quick else (2000, 1000)
order = tg.randperm(len(full_train)).tolist()
train = Subset(full_train, order[:n_train])
val = Subset(full_train, order[n_train : n_train + n_val])
if args.quick:
    test = _common.subset(test, 2000)
epochs = 4 if args.quick else 30
loss_fn = nn.CrossEntropyLoss()
train_loader = _common.loader(train, 64, shuffle=True)
val_loader, test_loader = _common.loader(val, 1000), _common.loader(test, 1000)


def run(hidden, weight_decay=0.0, dropout=0.0, early_stopping=None, n_epochs=epochs):
    """Train an MLP with SGD + momentum; return (history, test accuracy, weight norm)."""
    tg.manual_seed(args.seed)
    model = models.mlp(784, hidden, 10, dropout=dropout)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=weight_decay)
    history = fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        val_loader,
        epochs=n_epochs,
        early_stopping=early_stopping,
        verbose=False,
    )
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    norm = sum((w.detach() ** 2).sum().item() for w in weights) ** 0.5
    return history, evaluate(model, test_loader, loss_fn)["accuracy"], norm


def report(label, history, test_acc, norm=None) -> dict:
    gap = history.train_acc[-1] - history.val_acc[-1]
    extra = f", ||W|| {norm:.1f}" if norm is not None else ""
    print(
        f"  {label:38s} train {history.train_acc[-1]:6.1%}  val {history.val_acc[-1]:6.1%}  "
        f"gap {gap:+6.1%}  test {test_acc:6.1%}{extra}"
    )
    return {
        "train_acc": history.train_acc[-1],
        "val_acc": history.val_acc[-1],
        "test_acc": test_acc,
        "weight_norm": norm,
    }


def fit_diagnosis(h, best: int, rise: float) -> str:
    """Underfit / overfit / still learning / a good fit, read from this run's own curves."""
    k = max(2, len(h) // 3)
    recent = (h.train_loss[-k] - h.train_loss[-1]) / h.train_loss[
        -k
    ]  # share of the loss lost lately
    if best < len(h) and rise > 0.1:
        return (
            f"overfits: the validation loss rose {rise:.0%} after epoch {best} while the "
            f"training loss kept falling"
        )
    if h.train_acc[-1] < 0.9 and recent < 0.05:
        return (
            f"underfits: the training loss has levelled off ({recent:.0%} lower over the last "
            f"{k} epochs) at a train accuracy of only {h.train_acc[-1]:.1%}"
        )
    if best == len(h):
        return (
            f"still improving at epoch {len(h)} (validation loss at its lowest): too short "
            "a run to conclude"
        )
    return f"fits well: the validation loss ends within {rise:.1%} of its minimum"


metrics = {}
# %% [markdown]
# ## 1. Under-, over- and a good fit
# The validation loss per epoch tells them apart: an underfitting model has both losses high; an
# overfitting one drives its training loss towards 0 while the validation loss turns back up.
# Which one a model does depends on the data as much as on the model: the diagnosis printed under
# each run is read from its own curves, not from its size.

# %%
print("1. under-, over- and a good fit: validation loss per epoch tells them apart")
cases = {
    "tiny: [4]": dict(hidden=[4]),
    "big: [1024, 1024]": dict(hidden=[1024, 1024]),
    "big + dropout 0.5 + L2": dict(hidden=[1024, 1024], dropout=0.5, weight_decay=5e-4),
}
panels = {}
for label, options in cases.items():
    h, acc, norm = run(**options)
    metrics[label] = report(label, h, acc)
    best = h.best_epoch("val_loss")
    rise = h.val_loss[-1] / h.val_loss[best - 1] - 1
    print(
        f"  {'':38s} val loss lowest at epoch {best} ({h.val_loss[best - 1]:.3f}), last "
        f"{h.val_loss[-1]:.3f} ({rise:+.0%}); train loss {h.train_loss[-1]:.4f}"
    )
    metrics[label].update(best_val_epoch=best, val_loss_rise=rise)
    panels[label] = {"train loss": h.train_loss, "val loss": h.val_loss}
    diagnosis = fit_diagnosis(h, best, rise)
    metrics[label]["diagnosis"] = diagnosis
    print(f"  {'':38s} -> {diagnosis}")
_common.plot_lines(
    {},
    f"{args.out}/fitting.png",
    "train vs validation loss (one y-axis)",
    ylabel="loss",
    logy=True,
    panels=panels,
    sharey=True,
)

# %% [markdown]
# ## 2. L2 regularisation (weight decay)

# %%
print("2. L2 regularisation (SGD weight_decay) on [512, 512]")
l2 = {}
for wd in (0.0, 1e-4, 1e-3, 5e-3, 1e-2):
    h, acc, norm = run([512, 512], weight_decay=wd)
    metrics[f"weight_decay {wd:g}"] = report(f"weight_decay {wd:g}", h, acc, norm)
    l2[f"wd {wd:g} val acc"] = h.val_acc
_common.plot_lines(
    l2, f"{args.out}/l2_sweep.png", "validation accuracy by weight decay", ylabel="accuracy"
)
best_wd = max(l2, key=lambda k: l2[k][-1])
gain = l2[best_wd][-1] - l2["wd 0 val acc"][-1]
print(
    f"  best by validation accuracy: {best_wd.replace(' val acc', '')} ({l2[best_wd][-1]:.1%}, "
    f"{gain:+.1%} over no weight decay)"
    + ("" if gain >= 0.005 else ": no weight decay helped measurably in this run")
)

# %% [markdown]
# ## 3. Dropout

# %%

print("3. dropout on [512, 512]")
drop = {}
for p in (0.0, 0.2, 0.5):
    h, acc, norm = run([512, 512], dropout=p)
    metrics[f"dropout {p:g}"] = report(f"dropout {p:g}", h, acc)
    drop[f"p={p:g} train acc"], drop[f"p={p:g} val acc"] = h.train_acc, h.val_acc
_common.plot_lines(
    drop,
    f"{args.out}/dropout_sweep.png",
    "dropout: train vs validation accuracy",
    ylabel="accuracy",
    paired=True,
)
gaps = {p: drop[f"p={p:g} train acc"][-1] - drop[f"p={p:g} val acc"][-1] for p in (0.0, 0.2, 0.5)}
print(
    "  train-validation gap: "
    + ", ".join(f"p={p:g} {g:+.1%}" for p, g in gaps.items())
    + ("; dropout narrows it" if gaps[0.5] < gaps[0.0] else "; dropout did not narrow it here")
)

# %% [markdown]
# ## 4. Early stopping

# %%

stopper = EarlyStopping(patience=2 if args.quick else 5, monitor="val_loss")
print(f"4. early stopping (patience {stopper.patience}) on the big [1024, 1024] model")
h, acc, _ = run([1024, 1024], early_stopping=stopper, n_epochs=2 * epochs)
metrics["early stopping"] = report("early stopping", h, acc)
if stopper.stopped_epoch:
    print(
        f"  stopped at epoch {stopper.stopped_epoch}: val loss best at epoch "
        f"{stopper.best_epoch} ({stopper.best:.4f}); the weights of that epoch were restored"
    )
else:
    print(f"  the validation loss was still improving after {len(h)} epochs: no stop")
metrics["early stopping"].update(stopped_epoch=stopper.stopped_epoch, best_epoch=stopper.best_epoch)
_common.save_figure(
    h.plot(f"{args.out}/early_stopping.png", title="early stopping"),
    f"{args.out}/early_stopping.png",
)
_common.write_json(f"{args.out}/metrics.json", metrics)
