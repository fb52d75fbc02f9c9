"""Lab 5: regularisation on a small MNIST training set (2,000 images, so that overfitting shows).

1. Under-, good and over-fitting: three model sizes, train vs validation loss -> fitting.png.
2. L2 sweep: SGD weight decay 0 ... 1e-2 -> l2_sweep.png (validation accuracy, weight norm).
3. Dropout sweep: p = 0, 0.2, 0.5 -> dropout_sweep.png.
4. Early stopping: stop when the validation loss has not improved for 5 epochs and restore the
   best weights -> early_stopping.png.

Validation = 1,000 other training images; the test set is used once per run at the end.

    python demos/05_regularisation.py --data-dir DIR [--quick]
"""

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
    history = fit(model, loss_fn, optimizer, train_loader, val_loader, epochs=n_epochs,
                  early_stopping=early_stopping, verbose=False)  # fmt: skip
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    norm = sum((w.detach() ** 2).sum().item() for w in weights) ** 0.5
    return history, evaluate(model, test_loader, loss_fn)["accuracy"], norm


def report(label, history, test_acc, norm=None) -> dict:
    gap = history.train_acc[-1] - history.val_acc[-1]
    extra = f", ||W|| {norm:.1f}" if norm is not None else ""
    print(f"  {label:22s} train {history.train_acc[-1]:6.1%}  val {history.val_acc[-1]:6.1%}  "
          f"gap {gap:+6.1%}  test {test_acc:6.1%}{extra}")  # fmt: skip
    return {"train_acc": history.train_acc[-1], "val_acc": history.val_acc[-1],
            "test_acc": test_acc, "weight_norm": norm}  # fmt: skip


metrics = {}
print("1. model size: under-, good and over-fitting (no regularisation)")
sizes = {"underfit [4]": [4], "good fit [128]": [128], "overfit [1024, 1024]": [1024, 1024]}
panels = {}
for label, hidden in sizes.items():
    h, acc, norm = run(hidden)
    metrics[label] = report(label, h, acc)
    panels[label] = {"train loss": h.train_loss, "val loss": h.val_loss}
_common.plot_lines({}, f"{args.out}/fitting.png", "train vs validation loss by model size",
                   ylabel="loss", panels=panels)  # fmt: skip

print("2. L2 regularisation (SGD weight_decay) on [512, 512]")
l2 = {}
for wd in (0.0, 1e-4, 1e-3, 5e-3, 1e-2):
    h, acc, norm = run([512, 512], weight_decay=wd)
    metrics[f"weight_decay {wd:g}"] = report(f"weight_decay {wd:g}", h, acc, norm)
    l2[f"wd {wd:g} val acc"] = h.val_acc
_common.plot_lines(l2, f"{args.out}/l2_sweep.png", "validation accuracy by weight decay",
                   ylabel="accuracy")  # fmt: skip

print("3. dropout on [512, 512]")
drop = {}
for p in (0.0, 0.2, 0.5):
    h, acc, norm = run([512, 512], dropout=p)
    metrics[f"dropout {p:g}"] = report(f"dropout {p:g}", h, acc)
    drop[f"p={p:g} train acc"], drop[f"p={p:g} val acc"] = h.train_acc, h.val_acc
_common.plot_lines(drop, f"{args.out}/dropout_sweep.png", "dropout: train vs validation accuracy",
                   ylabel="accuracy")  # fmt: skip

stopper = EarlyStopping(patience=2 if args.quick else 5, monitor="val_loss")
print(f"4. early stopping (patience {stopper.patience}) on the overfitting model")
h, acc, _ = run([1024, 1024], early_stopping=stopper, n_epochs=2 * epochs)
metrics["early stopping"] = report("early stopping", h, acc)
if stopper.stopped_epoch:
    print(f"  stopped at epoch {stopper.stopped_epoch}: val loss best at epoch "
          f"{stopper.best_epoch} ({stopper.best:.4f}); the weights of that epoch were restored")  # fmt: skip
else:
    print(f"  the validation loss was still improving after {len(h)} epochs: no stop")
metrics["early stopping"].update(stopped_epoch=stopper.stopped_epoch, best_epoch=stopper.best_epoch)
_common.save_figure(h.plot(f"{args.out}/early_stopping.png", title="early stopping"),
                    f"{args.out}/early_stopping.png")  # fmt: skip
_common.write_json(f"{args.out}/metrics.json", metrics)
