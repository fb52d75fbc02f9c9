"""Lab 1: Rosenblatt's perceptron on Fisher's irises, and where it stops working.

1. Setosa vs the rest from petal length and width: linearly separable, so the perceptron rule
   (on a mistake: w += lr * y * x, b += lr * y) stops making mistakes after a few epochs.
   The decision boundary is saved after several epochs so you can watch it move.
2. Versicolor vs virginica: the classes overlap, the perceptron never converges; its mistakes
   keep jumping around from epoch to epoch.
3. All three species with softmax regression (one nn.Linear, cross-entropy, gradient descent):
   the smooth loss converges even where the classes overlap.

    python demos/01_perceptron_iris.py [--quick] [--out DIR]
"""

import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_decision_boundary

args = _common.parse_args("01_perceptron_iris", "Lab 1: the perceptron on Iris")
train, test = _common.load("iris", args)
features, species = train.tensors  # (120, 4) scaled to [0, 1]; species 0, 1, 2
petals = features[:, 2:4]  # petal length and width: two features, so we can draw the plane


class Perceptron:
    """y_hat = sign(w . x + b), trained by the perceptron rule (no gradients involved)."""

    def __init__(self, n_features: int) -> None:
        self.w, self.b = tg.zeros(n_features), tg.zeros(())

    def __call__(self, x):  # logits for both classes, as plot_decision_boundary expects
        score = x @ self.w + self.b
        return tg.stack([-score, score], dim=1)

    def epoch(self, x, y, lr: float = 0.1) -> int:
        """One pass over the samples; y in {-1, +1}. Returns the number of mistakes."""
        mistakes = 0
        for xi, yi in zip(x, y):
            if (yi * (xi @ self.w + self.b)).item() <= 0:  # wrong side (or on the line)
                self.w += lr * yi * xi
                self.b += lr * yi
                mistakes += 1
        return mistakes


def run_perceptron(x, y, title: str, stem: str, epochs: int, snapshots=()) -> list:
    perceptron, history = Perceptron(2), []
    for epoch in range(1, epochs + 1):
        history.append(perceptron.epoch(x, y))
        if epoch in snapshots:
            path = f"{args.out}/{stem}_epoch{epoch:02d}.png"
            fig = plot_decision_boundary(perceptron, x, (y > 0).long(), path,
                                         title=f"{title}: epoch {epoch}, {history[-1]} mistakes")  # fmt: skip
            _common.save_figure(fig, path)
    print(f"{title}: mistakes per epoch {history}")
    return history


epochs = 6 if args.quick else 20
is_setosa = (species == 0).float() * 2 - 1  # +1 setosa, -1 the others
separable = run_perceptron(petals, is_setosa, "setosa vs rest", "setosa", epochs,
                           snapshots=(1, 2, epochs))  # fmt: skip
if separable[-1] == 0:
    first = separable.index(0) + 1
    print(f"  converged: no mistakes from epoch {first} on (the classes are linearly separable)")

pair = species > 0
overlap = run_perceptron(petals[pair], (species[pair] == 2).float() * 2 - 1,
                         "versicolor vs virginica", "versicolor", epochs, snapshots=(epochs,))  # fmt: skip
if 0 not in overlap[len(overlap) // 2 :]:
    print(
        f"  does not converge: {overlap[-1]} mistakes after {epochs} epochs, because no line "
        "separates the two species (the rule keeps moving the boundary back and forth)"
    )
_common.plot_lines({"setosa vs rest": separable, "versicolor vs virginica": overlap},
                   f"{args.out}/mistakes.png", "perceptron mistakes per epoch",
                   ylabel="mistakes")  # fmt: skip

# Softmax regression: a Linear layer, cross-entropy and gradient descent on all 4 features.
model = nn.Linear(4, 3)
loss_fn = nn.CrossEntropyLoss()
history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.5, momentum=0.9),
              _common.loader(train, 16, shuffle=True), _common.loader(test, 30),
              epochs=20 if args.quick else 100, verbose=False)  # fmt: skip
result = evaluate(model, _common.loader(test, 30), loss_fn)
print(f"softmax regression on all 3 species: test accuracy {result['accuracy']:.1%} "
      f"(train loss {history.train_loss[0]:.3f} -> {history.train_loss[-1]:.3f})")  # fmt: skip
_common.save_figure(
    history.plot(f"{args.out}/softmax_curves.png"), f"{args.out}/softmax_curves.png"
)
_common.write_json(f"{args.out}/metrics.json", {
    "setosa_mistakes_per_epoch": separable,
    "versicolor_mistakes_per_epoch": overlap,
    "softmax_test_accuracy": result["accuracy"],
})  # fmt: skip
