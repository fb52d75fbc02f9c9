# %% [markdown]
# # Lab 14: choosing the loss
#
# 1. **MSE vs cross-entropy for classification** (MNIST subset, the same MLP and optimiser).
#    MSE between softmax probabilities and one-hot targets has a gradient that *vanishes* when
#    the network is confidently wrong (the softmax saturates), while cross-entropy's gradient
#    with respect to the logits is simply p - y. Pictures: loss_gradients.png (the gradient as a
#    function of how wrong the network is) and classification.png (training curves).
# 2. **Huber vs MSE for regression with outliers**: a line y = 2x + 1 with 10% of the training
#    targets pushed up by +15. MSE's gradient grows with the error, so outliers pull the fit;
#    Huber's is capped at δ. Picture: huber.png. The error is measured on clean held-out points.
#
#     python demos/14_losses.py --data-dir DIR [--quick]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import models, optim
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("14_losses", "Lab 14: choosing the loss")
say = _labkit.Report(f"{args.out}/report.txt")
metrics = {}


# %% [markdown]
# ## 1a. The gradient each loss sends back
# Ten classes; the true class's logit is `margin` above (or below) the nine others, which are 0.
# (MSE averages over the 10 outputs, which accounts for a factor 10 of the gap; the rest, many
# orders of magnitude, is the saturated softmax.)


# %%
def mse_on_probabilities(out, y):
    return F.mse_loss(out.softmax(-1), F.one_hot(y, 10).to(out.dtype))


margins = [-12 + 0.5 * i for i in range(49)]
grad_norms = {"cross-entropy": [], "MSE on softmax": []}
for m in margins:
    for name, fn in (("cross-entropy", F.cross_entropy), ("MSE on softmax", mse_on_probabilities)):
        z = tg.tensor([[m] + [0.0] * 9], requires_grad=True)
        fn(z, tg.tensor([0])).backward()
        grad_norms[name].append(z.grad.norm().item())
wrong = margins.index(-10.0)
ratio = grad_norms["cross-entropy"][wrong] / grad_norms["MSE on softmax"][wrong]
say(
    f"1. confidently wrong (true logit 10 below the others): |dL/dz| cross-entropy "
    f"{grad_norms['cross-entropy'][wrong]:.3f}, MSE {grad_norms['MSE on softmax'][wrong]:.2e} "
    f"({ratio:.0f}x smaller: MSE barely corrects its worst mistakes)"
)
metrics["grad_ratio_at_margin_-10"] = ratio

from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, 1, figsize=(6.4, 4.0))
for i, (name, ys) in enumerate(grad_norms.items()):
    axes[0].plot(margins, ys, color=OKABE_ITO[i], label=name)
axes[0].axvline(0, color="grey", lw=0.8, ls=":")
axes[0].set_yscale("log")
axes[0].set_xlabel("true-class logit minus the others (negative: wrong, positive: right)")
axes[0].set_ylabel("|dL / d logits|")
axes[0].set_title("the gradient each loss sends back, for one sample")
axes[0].legend()
axes[0].grid(alpha=0.3)
_common.save_figure(finish(fig, f"{args.out}/loss_gradients.png"), f"{args.out}/loss_gradients.png")

# %% [markdown]
# ## 1b. Training with each loss
# Same model, same SGD; only the loss differs. Validation = held-out training images.

# %%
full_train, test = _common.load("mnist", args)
n_train, n_val = (600, 300) if args.quick else (5000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
test = _common.subset(test, 1000 if args.quick else None)
epochs = 4 if args.quick else 15
curves, accs = {}, {}
for name, loss_fn in (
    ("cross-entropy", nn.CrossEntropyLoss()),
    ("MSE on softmax", mse_on_probabilities),
):
    tg.manual_seed(args.seed)
    model = models.mlp(784, [256], 10)
    h = fit(
        model,
        loss_fn,
        optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        _common.loader(train, 64, shuffle=True),
        _common.loader(val, 1000),
        epochs=epochs,
        verbose=False,
    )
    curves[name] = (h.train_acc, h.val_acc)
    test_acc = evaluate(model, _common.loader(test, 1000), loss_fn)["accuracy"]
    accs[name] = {"val_acc_by_epoch": h.val_acc, "test_acc": test_acc}
    say(
        f"   {name:15s}: val acc after epoch 1: {h.val_acc[0]:.1%}, after {epochs}: "
        f"{h.val_acc[-1]:.1%}; test {test_acc:.1%}"
    )
metrics["classification"] = accs
_labkit.plot_pairs(
    {"MLP 784-256-10, SGD lr 0.1 + momentum": curves},
    f"{args.out}/classification.png",
    "accuracy per epoch",
    ylabel="accuracy",
)
ce, mse = accs["cross-entropy"]["val_acc_by_epoch"], accs["MSE on softmax"]["val_acc_by_epoch"]
noise = _labkit.accuracy_noise(n_val)
if not _labkit.too_short(args, say):
    say(
        f"   after epoch 1 cross-entropy leads by {ce[0] - mse[0]:+.1%}; at the end by "
        f"{ce[-1] - mse[-1]:+.1%} "
        + (
            "(more than the noise: cross-entropy learns faster)"
            if ce[-1] - mse[-1] > noise
            else f"(within the {noise:.1%} noise: MSE catches up given time)"
        )
    )

# %% [markdown]
# ## 2. Regression with outliers: MSE vs Huber (and L1)

# %%
tg.manual_seed(args.seed)
n = 200
x = tg.rand(n, 1) * 4 - 2
y = 2 * x + 1 + 0.3 * tg.randn(n, 1)
outlier = tg.rand(n, 1) < 0.1
y = tg.where(outlier, y + 15, y)
x_val = tg.rand(200, 1) * 4 - 2
y_val = 2 * x_val + 1  # clean: how close is each fit to the true line?
fits = {}
steps = 300 if args.quick else 2000
for name, loss_fn in (
    ("MSE", nn.MSELoss()),
    ("Huber (δ=1)", nn.HuberLoss(delta=1.0)),
    ("L1", nn.L1Loss()),
):
    tg.manual_seed(args.seed)
    line = nn.Linear(1, 1)
    opt = optim.Adam(line.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(line(x), y).backward()
        opt.step()
    slope, bias = line.weight.item(), line.bias.item()
    with tg.no_grad():
        err = (line(x_val) - y_val).abs().mean().item()
    fits[name] = {"slope": slope, "intercept": bias, "clean_mae": err}
    say(
        f"2. {name:12s}: y = {slope:.2f} x + {bias:.2f}   (true 2.00 x + 1.00); mean |error| on "
        f"clean points {err:.3f}"
    )
metrics["regression"] = fits
best = min(fits, key=lambda k: fits[k]["clean_mae"])
say(
    f"   closest to the true line: {best}; MSE's error is "
    f"{fits['MSE']['clean_mae'] / fits[best]['clean_mae']:.1f}x the best "
    f"({int(outlier.sum().item())} of {n} training targets are outliers)"
)

fig, axes = new_figure(1, 1, figsize=(6.4, 4.4))
ax = axes[0]
xs, ys, out_mask = x.flatten().tolist(), y.flatten().tolist(), outlier.flatten().tolist()
ax.scatter(
    [a for a, o in zip(xs, out_mask) if not o],
    [b for b, o in zip(ys, out_mask) if not o],
    s=8,
    color="grey",
    label="training points",
)
ax.scatter(
    [a for a, o in zip(xs, out_mask) if o],
    [b for b, o in zip(ys, out_mask) if o],
    s=14,
    color="black",
    marker="x",
    label="outliers (+15)",
)
ax.plot([-2, 2], [-3, 5], color="black", lw=1, ls=":", label="true line y = 2x + 1")
for i, (name, f) in enumerate(fits.items()):
    ax.plot(
        [-2, 2],
        [f["slope"] * -2 + f["intercept"], f["slope"] * 2 + f["intercept"]],
        color=OKABE_ITO[i],
        label=f"{name}: mean |err| {f['clean_mae']:.2f}",
    )
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("a line fitted with each loss")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
_common.save_figure(finish(fig, f"{args.out}/huber.png"), f"{args.out}/huber.png")
_common.write_json(f"{args.out}/metrics.json", metrics)
say.save()
