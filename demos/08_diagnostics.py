"""Lab 8: training diagnostics — recognise the symptoms of a run that goes wrong.

Five broken or suspicious runs on the 8x8 digits, each with its symptom, diagnosis and fix:
1. learning rate too high     2. learning rate too low     3. deep sigmoid network (vanishing
gradients)     4. overfitting     5. the overfit-one-batch check, on a correct model and on one
with a classic bug (a Softmax layer before CrossEntropyLoss, which applies log_softmax itself).
Ends with a debugging checklist (also saved as checklist.txt).

    python demos/08_diagnostics.py [--quick] [--out DIR]
"""

import math

import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import fit
from tinygrad_edu.viz import plot_grad_flow

args = _common.parse_args("08_diagnostics", "Lab 8: training diagnostics")
train, test = _common.load("digits", args)
epochs = 3 if args.quick else 15
loss_fn = nn.CrossEntropyLoss()
CHANCE = math.log(10)  # the loss of a uniform guess over 10 classes: 2.303


def train_run(model, optimizer, data=train, n_epochs=epochs):
    return fit(model, loss_fn, optimizer, _common.loader(data, 32, shuffle=True),
               _common.loader(test, 512), epochs=n_epochs, verbose=False)  # fmt: skip


def verdict(name, symptom, diagnosis, fix):
    print(f"{name}\n  symptom:   {symptom}\n  diagnosis: {diagnosis}\n  fix:       {fix}")


metrics, panels = {}, {}

# 1. learning rate too high
tg.manual_seed(args.seed)
model = models.mlp(64, [64, 64], 10)
h = train_run(model, optim.SGD(model.parameters(), lr=3.0, momentum=0.9))
panels["lr too high (SGD 3.0)"] = {"train loss": h.train_loss, "val loss": h.val_loss}
metrics["lr_too_high"] = {"train_loss": h.train_loss, "val_acc": h.val_acc[-1]}
bad = [v for v in h.train_loss if not math.isfinite(v) or v > CHANCE]
verdict("1. learning rate 3.0",
        f"train loss {', '.join(f'{v:.3g}' for v in h.train_loss[:4])} ... (chance is "
        f"{CHANCE:.2f}); {len(bad)} of {len(h)} epochs at or above chance or NaN; test accuracy "
        f"{h.val_acc[-1]:.1%}",
        "each step overshoots the minimum, the weights blow up or the ReLUs die",
        "divide the learning rate by 10 until the loss falls in the first epoch; or use lr_find")  # fmt: skip

# 2. learning rate too low
tg.manual_seed(args.seed)
model = models.mlp(64, [64, 64], 10)
h = train_run(model, optim.SGD(model.parameters(), lr=1e-4))
panels["lr too low (SGD 1e-4)"] = {"train loss": h.train_loss, "val loss": h.val_loss}
metrics["lr_too_low"] = {"train_loss": h.train_loss, "val_acc": h.val_acc[-1]}
verdict("2. learning rate 1e-4, no momentum",
        f"train loss {h.train_loss[0]:.4f} -> {h.train_loss[-1]:.4f} in {len(h)} epochs, "
        f"smooth but barely moving; test accuracy {h.val_acc[-1]:.1%}",
        "the steps are too small: training is stable, just far too slow",
        "multiply the learning rate by 10 (or 100), add momentum 0.9, or switch to Adam")  # fmt: skip

# 3. deep sigmoid network: vanishing gradients
tg.manual_seed(args.seed)
deep = models.mlp(64, [64] * 8, 10, activation="sigmoid")
h = train_run(deep, optim.SGD(deep.parameters(), lr=0.1, momentum=0.9))
panels["deep sigmoid (8 layers)"] = {"train loss": h.train_loss, "val loss": h.val_loss}
x, y = next(iter(_common.loader(train, 256, shuffle=True)))
deep.zero_grad()
loss_fn(deep(x), y).backward()
norms = [p.grad.norm().item() for n, p in deep.named_parameters() if n.endswith("weight")]
path = f"{args.out}/grad_flow_deep_sigmoid.png"
_common.save_figure(plot_grad_flow(deep.named_parameters(), path), path)
metrics["deep_sigmoid"] = {"train_loss": h.train_loss, "val_acc": h.val_acc[-1],
                           "weight_grad_norms": norms}  # fmt: skip
verdict("3. 8 sigmoid layers",
        f"loss stuck near {CHANCE:.2f} ({h.train_loss[-1]:.4f} after {len(h)} epochs); weight "
        f"gradient norm {norms[0]:.1e} at the first layer vs {norms[-1]:.1e} at the last",
        "vanishing gradients: every sigmoid layer multiplies the gradient by at most 0.25",
        "ReLU/GELU activations with He init, normalisation layers, residual connections")  # fmt: skip

# 4. overfitting: a big network on 150 images
tg.manual_seed(args.seed)
small = _common.subset(train, 150)
model = models.mlp(64, [512, 512], 10)
h = train_run(model, optim.Adam(model.parameters(), lr=1e-3), data=small, n_epochs=3 * epochs)
panels["overfitting (150 images)"] = {"train loss": h.train_loss, "val loss": h.val_loss}
best = h.best_epoch("val_loss")
metrics["overfitting"] = {
    "train_acc": h.train_acc[-1],
    "val_acc": h.val_acc[-1],
    "best_epoch": best,
}
verdict("4. 512-512 MLP on 150 images",
        f"train accuracy {h.train_acc[-1]:.1%} vs test {h.val_acc[-1]:.1%}; the validation loss "
        + (f"was lowest at epoch {best} of {len(h)} and rose afterwards ({h.val_loss[-1]:.3f})"
           if best < len(h) else f"still falls, but far above the training loss "
           f"({h.val_loss[-1]:.3f} vs {h.train_loss[-1]:.3f})"),
        "the model memorises the training set instead of learning the pattern",
        "more data or augmentation, weight decay, dropout, a smaller model, early stopping")  # fmt: skip
_common.plot_lines({}, f"{args.out}/diagnostics.png", "what going wrong looks like",
                   ylabel="loss", panels=panels, logy=True)  # fmt: skip

# 5. overfit one batch: a correct model drives the loss of a single batch to ~0
x, y = next(iter(_common.loader(train, 32, shuffle=True)))
steps = 60 if args.quick else 150
curves = {}
for label, bug in (("correct model", False), ("Softmax before CrossEntropyLoss", True)):
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
    print(f"5. overfit one batch, {label}: loss {losses[0]:.3f} -> {losses[-1]:.4f} in {steps} "
          f"steps: {'PASS' if ok else 'FAIL'}")  # fmt: skip
    if not ok:
        print("  a model that cannot memorise 32 samples has a bug: here log_softmax(softmax(z)) "
              "squashes the logits into [0, 1], so the loss cannot go below ~1.46")  # fmt: skip
_common.plot_lines(curves, f"{args.out}/overfit_one_batch.png", "overfitting a single batch",
                   xlabel="step", ylabel="loss", logy=True)  # fmt: skip

CHECKLIST = """Debugging checklist
 1. Overfit one batch first: the loss must go to ~0. If not, there is a bug (data, model, loss).
 2. Check the initial loss: ln(num_classes) (2.30 for 10 classes) for a fresh classifier.
 3. Look at the data: shapes, dtypes, value range, labels matching inputs, shuffling on.
 4. Loss NaN or rising: learning rate too high; clip gradients; check log(0) and x/0.
 5. Loss flat: learning rate too low, dead ReLUs, vanishing gradients (plot_grad_flow).
 6. Train accuracy >> validation accuracy: overfitting; regularise or add data.
 7. Both low: underfitting; a bigger model, train longer, a better optimiser.
 8. model.train() for training, model.eval() for evaluation (dropout, BatchNorm).
 9. optimizer.zero_grad() every step; gradients accumulate otherwise.
10. Do not put Softmax before CrossEntropyLoss: it takes raw logits.
11. Compare a hand-written gradient with gradcheck (demos/10_gradcheck.py).
12. Fix the seed (tg.manual_seed) so that two runs can be compared."""
print(CHECKLIST)
with open(f"{args.out}/checklist.txt", "w", encoding="utf-8") as f:
    f.write(CHECKLIST + "\n")
_common.write_json(f"{args.out}/metrics.json", metrics)
