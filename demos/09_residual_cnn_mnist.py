# %% [markdown]
# # Lab 9: a small CNN with residual connections on MNIST (or Fashion-MNIST)
#
#     conv3x3(1->16) BN ReLU, maxpool                      28x28 -> 14x14
#     residual block: x + BN(conv(ReLU(BN(conv(x))))), ReLU
#     conv3x3(16->32) BN ReLU, maxpool                     14x14 -> 7x7
#     residual block (32 channels)
#     global average pooling -> Linear(32, 10)
#
# 28k parameters, a tenth of the MLP's, and better: the convolutions share their weights across
# the image and the skip connections give the gradient a short path back to the first layers.
# Trained with AdamW and a one-cycle schedule (the learning rate rises, then anneals to ~0).
#
# 5,000 training images are held out for validation (the curves); the test set is used once,
# at the end.
#
# Writes curves.png, conv_kernels.png, confusion.png, graph.svg (one box per module), model.npz
# and metrics.json (test accuracy, wall time).
#
#     python demos/09_residual_cnn_mnist.py --data-dir DIR [--dataset fashion-mnist] [--quick]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.data import transforms
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import evaluate, fit


def extra(p):
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    p.add_argument("--epochs", type=int, help="default 5 (MNIST) or 12 (Fashion-MNIST)")
    p.add_argument("--channels", default="16,32", help="channels per stage, e.g. 16,32")
    p.add_argument("--augment", action="store_true", help="random shifts of up to 2 pixels")


args = _common.parse_args("09_residual_cnn_mnist", "Lab 9: a residual CNN", extra)
full_train, test = _common.load(args.dataset, args)
train, val = _common.split_validation(
    full_train, 300 if args.quick else 5000, n_train=1500 if args.quick else None, seed=args.seed
)
if args.quick:
    test = _common.subset(test, 1000)
epochs = args.epochs or (3 if args.quick else 5 if args.dataset == "mnist" else 12)
channels = tuple(int(c) for c in args.channels.split(","))

tg.manual_seed(args.seed)
model = models.resnet(in_channels=1, num_classes=10, channels=channels, blocks=1)
print(model)
print(f"{models.count_parameters(model):,} parameters")
augment = transforms.RandomShift(2) if args.augment else None
train_loader = _common.loader(train, 64 if args.quick else 128, shuffle=True, transform=augment)
val_loader, test_loader = _common.loader(val, 500), _common.loader(test, 500)
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(train_loader))

# %% [markdown]
# ## Training (validation curves per epoch), then the test set once

# %%
with _common.Timer() as timer:
    history = fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        val_loader,
        epochs=epochs,
        scheduler=scheduler,
        checkpoint_dir=f"{args.out}/checkpoints",
    )
result = evaluate(model, test_loader, loss_fn)
print(
    f"{args.dataset}: validation accuracy {history.val_acc[-1]:.2%}, test accuracy "
    f"{result['accuracy']:.2%} after {epochs} epochs on {len(train)} images, "
    f"{timer.seconds:.0f}s ({timer.seconds / epochs:.0f}s per epoch)"
)

# %% [markdown]
# ## What the network learned: curves, first-layer kernels, confusions, the graph
# In the curves, an epoch's training loss is the mean over its batches while the weights still
# change, so in the first epoch it lies above the validation loss measured at the epoch's end.
# The first-layer kernels are 3x3: look for edge and stroke detectors, a row or diagonal of red
# next to one of blue (a change of brightness in that direction).

# %%

from tinygrad_edu.viz import plot_confusion_matrix, plot_weights  # noqa: E402

history.save_csv(f"{args.out}/history.csv")
path = f"{args.out}/curves.png"
_common.save_figure(history.plot(path, title=f"residual CNN on {args.dataset}"), path)
path = f"{args.out}/conv_kernels.png"
_common.save_figure(plot_weights(model[0].weight, path), path)
predictions, labels = [], []
model.eval()
with tg.no_grad():
    for x, y in test_loader:
        predictions.append(model(x).argmax(1))
        labels.append(y)
path = f"{args.out}/confusion.png"
predictions, labels = tg.cat(predictions), tg.cat(labels)
_common.save_figure(plot_confusion_matrix(labels, predictions, path), path)
counts = [int((predictions == c).sum().item()) for c in range(10)]
print(
    f"test predictions per class: {counts}"
    + (
        " (every class predicted: the network has learned)"
        if min(counts) > 0
        else f" ({counts.count(0)} classes never predicted: too short a run)"
    )
)
x, y = next(iter(test_loader))
loss = loss_fn(model(x[:2]), y[:2])  # eval mode: BatchNorm uses its running statistics
loss.backward(retain_graph=True)  # the picture can then name BatchNorm's running statistics
try:
    from tinygrad_edu.viz import draw_graph

    path = draw_graph(loss, params=model).save(f"{args.out}/graph.svg")  # boxes chosen by size
    print(f"  wrote {path}")
except (ImportError, RuntimeError) as e:  # graphviz is optional
    print(f"  (graph skipped: {e})")
tg.save(model.state_dict(), f"{args.out}/model.npz")
_common.write_json(
    f"{args.out}/metrics.json",
    {
        "dataset": args.dataset,
        "test_accuracy": result["accuracy"],
        "epochs": epochs,
        "parameters": models.count_parameters(model),
        "wall_time_s": round(timer.seconds, 1),
        "seconds_per_epoch": round(timer.seconds / epochs, 1),
        "augment": bool(args.augment),
    },
)
