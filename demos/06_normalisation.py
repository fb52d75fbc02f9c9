# %% [markdown]
# # Lab 6: normalisation layers — none vs BatchNorm vs LayerNorm vs RMSNorm
#
# A 5-hidden-layer MLP (784-256x5-10, ReLU) on 10,000 MNIST images, trained with SGD + momentum at
# a moderate (0.02) and a large (0.3) learning rate. Normalising each layer's pre-activations keeps
# their scale under control, which makes training faster; BatchNorm also makes it tolerant of
# large steps (the network without normalisation diverges at lr 0.3: expect overflow there).
#
#     BatchNorm: y = (x - mean_batch) / sqrt(var_batch + eps) * gamma + beta   per feature
#                (running statistics are used in eval mode)
#     LayerNorm: the same over the features of each sample (no batch dependence)
#     RMSNorm:   y = x / sqrt(mean(x^2) + eps) * gamma                         (no centring)
#
# Validation = 2,000 other training images (the curves); the test set is used once per run, at
# the end.
#
# Writes normalisation.png (training loss per epoch, one panel per learning rate) and metrics.json.
#
#     python demos/06_normalisation.py --data-dir DIR [--quick]

# %%
import math
import warnings

import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("06_normalisation", "Lab 6: normalisation layers")
full_train, test = _common.load("mnist", args)
train, val = _common.split_validation(
    full_train, 500 if args.quick else 2000, n_train=1000 if args.quick else 10000, seed=args.seed
)
test = _common.subset(test, 1000) if args.quick else test
epochs = 3 if args.quick else 8
NORMS = {"no norm": "none", "BatchNorm": "batch", "LayerNorm": "layer", "RMSNorm": "rms"}
warnings.filterwarnings("ignore", "overflow", RuntimeWarning)  # the diverging run, on purpose
warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)

# %% [markdown]
# ## The same network, four normalisations, two learning rates

# %%
metrics, panels = {}, {}
for lr in (0.02, 0.3):
    panels[f"lr {lr}"] = {}
    for label, norm in NORMS.items():
        tg.manual_seed(args.seed)
        model = models.mlp(784, [256] * 5, 10, norm=norm)
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        with _common.Timer() as timer:
            h = fit(
                model,
                nn.CrossEntropyLoss(),
                optimizer,
                _common.loader(train, 64, shuffle=True),
                _common.loader(val, 1000),
                epochs=epochs,
                verbose=False,
            )
        acc = evaluate(model, _common.loader(test, 1000))["accuracy"]
        if not math.isfinite(h.train_loss[-1]):
            verdict = "  (diverged: the loss became NaN/inf)"
        elif h.val_acc[-1] < 0.2:
            verdict = "  (not learning: stuck near chance, loss ~ ln 10 = 2.30)"
        else:
            verdict = ""
        print(
            f"  lr {lr:<5} {label:9s} val {h.val_acc[-1]:6.1%}  test {acc:6.1%}  train loss "
            f"{h.train_loss[-1]:.4f}  {timer.seconds / epochs:.1f}s/epoch{verdict}"
        )
        metrics[f"lr {lr} {label}"] = {
            "test_accuracy": acc,
            "val_accuracy": h.val_acc[-1],
            "train_loss": h.train_loss[-1],
            "seconds_per_epoch": timer.seconds / epochs,
        }
        finite = [v if math.isfinite(v) else float("nan") for v in h.train_loss]
        bad = sum(not math.isfinite(v) for v in h.train_loss)
        name = f"{label} (NaN/inf in {bad} of {epochs} epochs: not drawn)" if bad else label
        panels[f"lr {lr}"][name] = finite
_common.plot_lines(
    {},
    f"{args.out}/normalisation.png",
    "training loss: no normalisation vs BatchNorm vs LayerNorm vs RMSNorm (one y-axis)",
    ylabel="train loss",
    logy=True,
    panels=panels,
    sharey=True,
)

for lr in (0.02, 0.3):
    runs = {label: metrics[f"lr {lr} {label}"] for label in NORMS}
    best = max(runs, key=lambda k: runs[k]["val_accuracy"])
    trained = [k for k, v in runs.items() if v["val_accuracy"] > 0.5]
    print(
        f"lr {lr}: best by validation accuracy {best} ({runs[best]['val_accuracy']:.1%}); "
        f"trained (validation > 50%): {', '.join(trained) or 'none'}"
    )

# %% [markdown]
# ## BatchNorm in train and eval mode

# %%
# BatchNorm behaves differently in train and eval mode: batch statistics vs running averages.
bn = nn.BatchNorm1d(3)
x = tg.randn(256, 3) * 5 + 2
bn.train()
y_train = bn(x)
bn.eval()
y_eval = bn(x)
print(
    f"BatchNorm train vs eval on a batch with mean ~2: train mode normalises with the batch's "
    f"statistics (output mean {y_train.mean().item():+.3f}); eval mode uses the running "
    f"averages, after one batch still near their initial 0 and 1 (running_mean "
    f"{[round(v, 2) for v in bn.running_mean.tolist()]}), so the output mean is "
    f"{y_eval.mean().item():+.3f}: evaluate a BatchNorm model only after training has filled "
    "its running statistics"
)
_common.write_json(f"{args.out}/metrics.json", metrics)
