# %% [markdown]
# # Lab 1: Rosenblatt's perceptron on Fisher's irises, and where it stops working
#
# 1. **Setosa vs the rest** from petal length and width. The classes are linearly separable, so
#    the perceptron rule (on a mistake: `w += lr * y * x`, `b += lr * y`) stops making mistakes
#    after a few epochs. The samples are **shuffled every epoch** (Iris comes sorted by species; an
#    unshuffled pass sees 40 setosas in a row, then 80 others). After each epoch we draw the
#    boundary and count **its own errors** on all training points: the mistakes made *during* an
#    epoch are made by boundaries that no longer exist at its end.
# 2. **Feature scaling**: the same rule on the sepal sizes in centimetres, scaled to [0, 1] and
#    standardised (mean 0, std 1): how many epochs until the boundary separates the classes.
# 3. **Versicolor vs virginica**: the classes overlap, no line separates them and the perceptron
#    never converges: its boundary keeps jumping.
# 4. **All three species with softmax regression** (one `nn.Linear`, cross-entropy, gradient
#    descent): the smooth loss converges even where the classes overlap. Validation is a part of
#    the training set held out; the test set is used once, at the end.
#
#     python demos/01_perceptron_iris.py [--quick] [--out DIR]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_decision_boundary

args = _common.parse_args("01_perceptron_iris", "Lab 1: the perceptron on Iris")
train, test = _common.load("iris", args)
features, species = train.tensors  # (120, 4) min-max scaled to [0, 1]; species 0, 1, 2
petals = features[:, 2:4]  # petal length and width: two features, so we can draw the plane
AXES = ("petal length", "petal width")

# %% [markdown]
# ## The perceptron
# `y_hat = sign(w . x + b)`. No gradients: the rule moves the boundary towards each point it
# gets wrong. `errors()` counts the mistakes of the boundary as it is now.


# %%
class Perceptron:
    """y_hat = sign(w . x + b), trained by the perceptron rule (no gradients involved)."""

    def __init__(self, n_features: int) -> None:
        self.w, self.b = tg.zeros(n_features), tg.zeros(())

    def __call__(self, x):  # logits for both classes, as plot_decision_boundary expects
        score = x @ self.w + self.b
        return tg.stack([-score, score], dim=1)

    def epoch(self, x, y, lr: float = 0.1) -> int:
        """One pass over the samples in a fresh random order; y in {-1, +1}. Returns the number
        of updates (mistakes made during the pass)."""
        mistakes = 0
        for i in tg.randperm(len(x)).tolist():
            xi, yi = x[i], y[i]
            if (yi * (xi @ self.w + self.b)).item() <= 0:  # wrong side (or on the line)
                self.w += lr * yi * xi
                self.b += lr * yi
                mistakes += 1
        return mistakes

    def errors(self, x, y) -> int:
        """Points the current boundary puts on the wrong side (or on the line)."""
        return int((y * (x @ self.w + self.b) <= 0).sum().item())


def draw_boundary(model, x, y, path: str, title: str, units: str, names: tuple) -> None:
    """The plane coloured by the perceptron's prediction; names = (class -1, class +1)."""
    fig = plot_decision_boundary(model, x, (y > 0).long(), None, title=title, figsize=(6, 5.2))
    ax = fig.axes[0]
    ax.set_xlabel(f"{AXES[0]} ({units})")
    ax.set_ylabel(f"{AXES[1]} ({units})")
    for text, name in zip(ax.get_legend().get_texts(), names):
        text.set_text(name)
    fig.savefig(path)
    _common.save_figure(fig, path)


def run_perceptron(
    x, y, title: str, stem: str, epochs: int, snapshots=(), units="scaled 0..1", names=("-1", "+1")
):
    """Train for `epochs`; return (updates per epoch, boundary errors after each epoch)."""
    perceptron, updates, errors = Perceptron(x.shape[1]), [], []
    for epoch in range(1, epochs + 1):
        updates.append(perceptron.epoch(x, y))
        errors.append(perceptron.errors(x, y))
        if epoch in snapshots:
            draw_boundary(
                perceptron,
                x,
                y,
                f"{args.out}/{stem}_epoch{epoch:02d}.png",
                f"{title}, after epoch {epoch}:\nthis boundary gets {errors[-1]} of "
                f"{len(x)} wrong ({updates[-1]} updates during the epoch)",
                units,
                names,
            )
    return updates, errors


# %% [markdown]
# ## 1. Setosa vs the rest: linearly separable

# %%
epochs = 8 if args.quick else 20
is_setosa = (species == 0).float() * 2 - 1  # +1 setosa, -1 the others
tg.manual_seed(args.seed)
sep_updates, sep_errors = run_perceptron(
    petals,
    is_setosa,
    "setosa vs rest",
    "setosa",
    epochs,
    snapshots=(1, epochs),
    names=("other", "setosa"),
)
print(f"setosa vs rest: boundary errors after each epoch {sep_errors}")
print(f"                updates during each epoch        {sep_updates}")
if 0 in sep_errors:
    first = sep_errors.index(0) + 1
    print(
        f"  the boundary separates the classes from epoch {first} on: they are linearly "
        "separable, and once no point is wrong the rule never moves the line again"
    )
else:
    print(
        f"  not separated yet after {epochs} epochs ({sep_errors[-1]} errors): too short a run "
        "to conclude"
    )

# %% [markdown]
# ## 2. Feature scaling
# Setosa vs the rest again, now from the **sepal** length and width: still separable, but with a
# narrow margin, so the rule needs more updates. The same flowers in three units: centimetres
# (Iris's sepals span 4.3 to 7.9 cm in length and 2.0 to 4.4 cm in width, the ranges `load_iris`
# scaled to [0, 1]), min-max scaled to [0, 1], and standardised (mean 0, std 1). In centimetres
# every point sits far from the origin: each mistake swings `w` by a lot while the bias, updated
# by `lr * 1`, crawls towards the large offset the boundary needs.

# %%
sepals = features[:, 0:2]
scalings = {
    "centimetres": sepals * tg.tensor([7.9 - 4.3, 4.4 - 2.0]) + tg.tensor([4.3, 2.0]),
    "min-max [0, 1]": sepals,
    "standardised": (sepals - sepals.mean(0)) / sepals.std(0),
}
seeds, max_epochs = range(3 if args.quick else 10), 3 * epochs
scaling, scaling_curves = {}, {}
for label, x in scalings.items():
    needed = []
    for seed in seeds:  # the epochs needed depend on the shuffles: a few seeds
        tg.manual_seed(args.seed + seed)
        updates, errs = run_perceptron(x, is_setosa, label, "", max_epochs)
        if 0 in errs:
            first = errs.index(0) + 1
            needed.append((first, sum(updates[:first])))
        if seed == 0:
            scaling_curves[label] = errs
    scaling[label] = {
        "separated_runs": len(needed),
        "runs": len(seeds),
        "mean_epochs": sum(e for e, _ in needed) / len(needed) if needed else None,
        "mean_updates": sum(u for _, u in needed) / len(needed) if needed else None,
    }
    if needed:
        print(
            f"  {label:15s} separated in {len(needed)} of {len(seeds)} runs, after "
            f"{scaling[label]['mean_epochs']:.1f} epochs and {scaling[label]['mean_updates']:.0f}"
            " updates on average"
        )
    else:
        print(
            f"  {label:15s} not separated in any of {len(seeds)} runs of {max_epochs} epochs "
            f"({scaling_curves[label][-1]} errors at the end)"
        )
_common.plot_lines(
    scaling_curves,
    f"{args.out}/scaling.png",
    "setosa vs rest from the sepals: boundary errors after each epoch",
    ylabel="misclassified training points",
)
slow = {k: v["separated_runs"] for k, v in scaling.items() if v["separated_runs"] < len(seeds)}
if slow:
    print(
        "  scaling matters: within " + f"{max_epochs} epochs the perceptron separated the "
        "classes in "
        + ", ".join(f"{n} of {len(seeds)} runs in {k}" for k, n in slow.items())
        + ", though a separating line exists"
    )
else:
    print(f"  all three scalings separated the classes within {max_epochs} epochs")

# %% [markdown]
# ## 3. Versicolor vs virginica: overlapping classes

# %%
pair = species > 0
tg.manual_seed(args.seed)
ov_updates, ov_errors = run_perceptron(
    petals[pair],
    (species[pair] == 2).float() * 2 - 1,
    "versicolor vs virginica",
    "versicolor",
    epochs,
    snapshots=(epochs - 1, epochs),
    names=("versicolor", "virginica"),
)
print(f"versicolor vs virginica: boundary errors after each epoch {ov_errors}")
late = ov_errors[len(ov_errors) // 2 :]
if 0 not in ov_errors:
    print(
        f"  never separated: between {min(late)} and {max(late)} errors over the last "
        f"{len(late)} epochs; the boundary keeps jumping because no line separates the two "
        "species, so there is always a point to correct"
    )
_common.plot_lines(
    {"setosa vs rest": sep_errors, "versicolor vs virginica": ov_errors},
    f"{args.out}/mistakes.png",
    "perceptron: errors of the boundary after each epoch",
    ylabel="misclassified training points",
)

# %% [markdown]
# ## 4. Softmax regression on all four features
# A Linear layer, cross-entropy and gradient descent. 24 of the 120 training flowers are held out
# for validation; the 30 test flowers are looked at once, at the end.

# %%
fit_train, val = _common.split_validation(train, 24, seed=args.seed)
tg.manual_seed(args.seed)
model = nn.Linear(4, 3)
loss_fn = nn.CrossEntropyLoss()
history = fit(
    model,
    loss_fn,
    optim.SGD(model.parameters(), lr=0.5, momentum=0.9),
    _common.loader(fit_train, 16, shuffle=True),
    _common.loader(val, 30),
    epochs=20 if args.quick else 100,
    verbose=False,
)
result = evaluate(model, _common.loader(test, 30), loss_fn)
print(
    f"softmax regression on all 3 species: validation accuracy {history.val_acc[-1]:.1%}, "
    f"test accuracy {result['accuracy']:.1%} (train loss {history.train_loss[0]:.3f} -> "
    f"{history.train_loss[-1]:.3f} in {len(history)} epochs)"
)
path = f"{args.out}/softmax_curves.png"
_common.save_figure(history.plot(path, title="softmax regression on Iris"), path)
_common.write_json(
    f"{args.out}/metrics.json",
    {
        "setosa_boundary_errors_per_epoch": sep_errors,
        "setosa_updates_per_epoch": sep_updates,
        "scaling": scaling,
        "versicolor_boundary_errors_per_epoch": ov_errors,
        "softmax_val_accuracy": history.val_acc[-1],
        "softmax_test_accuracy": result["accuracy"],
    },
)
