# %% [markdown]
# # Lab 17: transfer learning, MNIST -> Fashion-MNIST
#
# 1. Pretrain a small CNN on MNIST digits (inside this lab).
# 2. Reuse its convolutional features for Fashion-MNIST with only a few labelled images:
#    * **frozen**: keep the pretrained convolutions fixed, train a new classifier head;
#    * **fine-tuned**: start from the pretrained weights and train everything;
#    * **from scratch**: the same network from a random init.
#    All three get the same budget: the same images, epochs and optimiser.
#
# Digits and clothes are different, but edges and strokes are not: the question is how much of
# that carries over when labels are scarce. Pictures: transfer.png (validation accuracy per
# epoch), filters.png (the pretrained first-layer kernels). Validation = held-out Fashion-MNIST
# training images; the test set is used once per model at the end.
#
#     python demos/17_transfer_learning.py --data-dir DIR [--quick]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_weights

args = _common.parse_args("17_transfer_learning", "Lab 17: transfer learning")
say = _labkit.Report(f"{args.out}/report.txt")
loss_fn = nn.CrossEntropyLoss()
mnist_train, _ = _common.load("mnist", args)
fashion_train, fashion_test = _common.load("fashion-mnist", args)
n_pre, pre_epochs = (1000, 1) if args.quick else (10000, 3)
n_few, n_val = (200, 300) if args.quick else (500, 2000)
epochs = 4 if args.quick else 20
FEATURES = 6  # conv, ReLU, pool, conv, ReLU, pool: the layers before the Flatten


def new_cnn():
    return models.cnn(1, 10, channels=(16, 32), norm="none", hidden=64)


# %% [markdown]
# ## 1. Pretraining on MNIST

# %%
tg.manual_seed(args.seed)
pre_train, pre_val = _labkit.split(mnist_train, n_pre, 1000)
pretrained = new_cnn()
h = fit(
    pretrained,
    loss_fn,
    optim.Adam(pretrained.parameters(), lr=2e-3),
    _common.loader(pre_train, 64, shuffle=True),
    _common.loader(pre_val, 1000),
    epochs=pre_epochs,
    verbose=False,
)
say(
    f"1. pretrained on {n_pre:,} MNIST images for {pre_epochs} epoch(s): MNIST validation "
    f"accuracy {h.val_acc[-1]:.1%}"
)
_common.save_figure(plot_weights(pretrained, f"{args.out}/filters.png"), f"{args.out}/filters.png")
features = pretrained.state_dict()

# %% [markdown]
# ## 2. Few labels of Fashion-MNIST, three starting points

# %%
few, val = _labkit.split(fashion_train, n_few, n_val)
test = _common.subset(fashion_test, 500 if args.quick else None)
curves, results = {}, {}
for name in ("from scratch", "frozen features", "fine-tuned"):
    tg.manual_seed(args.seed + 1)
    model = new_cnn()
    if name != "from scratch":
        conv = {k: v for k, v in features.items() if int(k.split(".")[0]) < FEATURES}
        model.load_state_dict({**model.state_dict(), **conv})  # new head, pretrained features
    if name == "frozen features":
        for i, layer in enumerate(model):
            if i < FEATURES:
                layer.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    h = fit(
        model,
        loss_fn,
        optim.Adam(trainable, lr=2e-3),
        _common.loader(few, 32, shuffle=True),
        _common.loader(val, 1000),
        epochs=epochs,
        verbose=False,
    )
    curves[name] = (h.train_acc, h.val_acc)
    test_acc = evaluate(model, _common.loader(test, 1000), loss_fn)["accuracy"]
    results[name] = {
        "val_acc_epoch1": h.val_acc[0],
        "val_acc": h.val_acc[-1],
        "best_val_acc": max(h.val_acc),
        "test_acc": test_acc,
        "trainable_parameters": sum(p.numel() for p in trainable),
    }
    say(
        f"2. {name:15s}: {results[name]['trainable_parameters']:6,} trainable parameters; val acc "
        f"after epoch 1 {h.val_acc[0]:.1%}, best {max(h.val_acc):.1%}, last {h.val_acc[-1]:.1%}; "
        f"test {test_acc:.1%}"
    )
_labkit.plot_pairs(
    {f"Fashion-MNIST with {n_few} labelled images": curves},
    f"{args.out}/transfer.png",
    "transfer from MNIST vs from scratch",
    ylabel="accuracy",
)

# %% [markdown]
# ## What the run shows (computed from the numbers above)

# %%
noise = _labkit.accuracy_noise(n_val)
scratch = results["from scratch"]
if not _labkit.too_short(args, say):
    for name in ("frozen features", "fine-tuned"):
        r = results[name]
        d1, db = (
            r["val_acc_epoch1"] - scratch["val_acc_epoch1"],
            r["best_val_acc"] - scratch["best_val_acc"],
        )
        say(
            f"{name} vs from scratch: {d1:+.1%} after one epoch, {db:+.1%} at its best: "
            + (
                "transfer helps"
                if db > noise
                else "transfer hurts"
                if db < -noise
                else f"the same within the {noise:.1%} noise once trained"
            )
            + ("; it starts faster" if d1 > noise else "")
        )
_common.write_json(f"{args.out}/metrics.json", results)
say.save()
