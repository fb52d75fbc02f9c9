# %% [markdown]
# # Lab 2: backprop on scalars (micrograd style), XOR and two moons with ReLU/GELU/Swish
#
# 1. L = (a*b + c) * f with a=2, b=-3, c=10, f=-2: every gradient by the chain rule, checked
#    against autograd and a finite difference, and the graph drawn (scalar_graph.svg).
# 2. One tanh neuron o = tanh(x1*w1 + x2*w2 + b), micrograd's example (neuron_graph.svg).
# 3. XOR and two moons: the same 2-16-16-2 MLP with ReLU, GELU and Swish (SiLU); decision
#    boundaries and accuracies. Each dataset gets three independent draws: training,
#    validation (the curves) and test (used once, for the final accuracy and the picture).
#
#     python demos/02_micrograd_xor_moons.py [--quick] [--out DIR]

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.data import datasets
from tinygrad_edu.train import evaluate, fit
from tinygrad_edu.viz import plot_decision_boundary

args = _common.parse_args("02_micrograd_xor_moons", "Lab 2: scalar autograd, XOR and moons")


def scalar(value: float) -> tg.Tensor:
    return tg.tensor(value, requires_grad=True)


def draw(root, named: list, name: str) -> None:
    try:
        from tinygrad_edu.viz import draw_graph

        path = draw_graph(root, params=named, rankdir="LR").save(f"{args.out}/{name}")
        print(f"  wrote {path}")
    except (ImportError, RuntimeError) as e:  # graphviz is optional
        print(f"  (graph skipped: {e})")


# %% [markdown]
# ## 1. The chain rule on a tiny expression

# %%
a, b, c, f = scalar(2.0), scalar(-3.0), scalar(10.0), scalar(-2.0)
e = a * b  # -6
d = e + c  # 4
L = d * f  # -8
for t in (e, d):
    t.retain_grad()
L.backward()
print(f"L = (a*b + c) * f = {L.item():g}")
by_hand = {  # dL/dx by the chain rule, written out
    "f": d.item(),  # dL/df = d
    "d": f.item(),  # dL/dd = f
    "c": f.item() * 1.0,  # dL/dc = dL/dd * dd/dc
    "e": f.item() * 1.0,  # dL/de = dL/dd * dd/de
    "a": f.item() * b.item(),  # dL/da = dL/de * de/da = f * b
    "b": f.item() * a.item(),  # dL/db = f * a
}
h = 1e-3  # finite difference for a: (L(a + h) - L(a)) / h
numeric_a = (((a.item() + h) * b.item() + c.item()) * f.item() - L.item()) / h
for name, t in zip("abcdef", (a, b, c, d, e, f)):
    print(f"  dL/d{name}: autograd {t.grad.item():+g}   chain rule by hand {by_hand[name]:+g}")
print(f"  finite difference for a: {numeric_a:+.4f}")
draw(L, [("a", a), ("b", b), ("c", c), ("e", e), ("d", d), ("f", f), ("L", L)], "scalar_graph.svg")

# %% [markdown]
# ## 2. One neuron

# %%
x1, x2, w1, w2 = scalar(2.0), scalar(0.0), scalar(-3.0), scalar(1.0)
bias = scalar(6.8813735870195432)  # chosen so that n = 0.8814 and tanh(n) = 0.7071
n = x1 * w1 + x2 * w2 + bias
o = n.tanh()
o.backward()
print(
    f"neuron: o = tanh({n.item():.4f}) = {o.item():.4f}; do/dn = 1 - o^2 = {1 - o.item() ** 2:.4f}"
)
for name, t in (("x1", x1), ("w1", w1), ("x2", x2), ("w2", w2)):
    print(f"  do/d{name} = {t.grad.item():+.4f}")
named = [("x1", x1), ("x2", x2), ("w1", w1), ("w2", w2), ("b", bias), ("n", n), ("o", o)]
draw(o, named, "neuron_graph.svg")

# %% [markdown]
# ## 3. XOR and two moons with ReLU, GELU and Swish

# %%
epochs = 15 if args.quick else 100
n_points = 200 if args.quick else 600
results = {}
for dataset in ("xor", "moons"):
    make = datasets.make_xor if dataset == "xor" else datasets.make_moons
    train = make(n_points, noise=0.1, seed=args.seed)
    val = make(n_points, noise=0.1, seed=args.seed + 1)
    test = make(n_points, noise=0.1, seed=args.seed + 2)
    curves, val_acc = {}, {}
    for act in ("relu", "gelu", "silu"):
        tg.manual_seed(args.seed)
        model = models.mlp(2, [16, 16], 2, activation=act)
        history = fit(
            model,
            nn.CrossEntropyLoss(),
            optim.Adam(model.parameters(), lr=0.01),
            _common.loader(train, 32, shuffle=True),
            _common.loader(val, 1000),
            epochs=epochs,
            verbose=False,
        )
        label = "swish" if act == "silu" else act
        acc = evaluate(model, _common.loader(test, 1000))["accuracy"]
        results[f"{dataset}/{label}"] = acc
        val_acc[label] = history.val_acc[-1]
        curves[f"{label} val loss"] = history.val_loss
        print(f"{dataset:5s} {label:5s}: validation {history.val_acc[-1]:.1%}, test {acc:.1%}")
        path = f"{args.out}/{dataset}_{label}.png"
        fig = plot_decision_boundary(
            model,
            test.tensors[0],
            test.tensors[1],
            None,
            title=f"{dataset}, {label}: test accuracy {acc:.1%}",
        )
        fig.axes[0].set_xlabel("x1")
        fig.axes[0].set_ylabel("x2")
        fig.savefig(path)
        _common.save_figure(fig, path)
    _common.plot_lines(
        curves,
        f"{args.out}/{dataset}_curves.png",
        f"{dataset}: ReLU vs GELU vs Swish",
        ylabel="validation loss",
    )
    top = max(val_acc, key=val_acc.get)
    spread = val_acc[top] - min(val_acc.values())
    print(
        f"  {dataset}, by validation accuracy after {epochs} epochs: "
        + (
            f"{top} is best by {spread:.1%}"
            if spread > 0.02
            else f"all three within {spread:.1%} of each other: on a problem this "
            "small the activation hardly matters"
        )
    )
_common.write_json(f"{args.out}/metrics.json", {"test_accuracy": results})
