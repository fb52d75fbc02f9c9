# %% [markdown]
# # Lab 11: loss landscapes
#
# A network's loss is a function of millions of weights; we can only look at it along one or
# two directions. Two classic views (Goodfellow et al. 2015; Li et al. 2018):
#
# 1. **1-D interpolation** from the initial weights θ0 to the trained weights θ1:
#    L((1 - α) θ0 + α θ1) for α from -0.25 to 1.25.
# 2. **2-D slice** around θ1 along two random directions d1, d2: L(θ1 + a d1 + b d2). Each
#    direction is *filter-normalised*: every row (one unit's incoming weights) of d is scaled to
#    the norm of the same row of θ1, and biases and normalisation parameters get 0, so that a
#    step of 1 means "as large as the weights themselves" in every layer alike.
#
# Three deep, narrow MLPs on the 8x8 digits: plain, with BatchNorm, and with residual (skip)
# connections, each trained the same way. Pictures: interpolation.png, contours.png,
# surfaces.png. Loss is measured on 512 training images (BatchNorm in eval mode, with the
# trained running statistics); the test set is used once per model, at the end.
#
#     python demos/11_loss_landscape.py [--quick] [--out DIR]

# %%
import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("11_loss_landscape", "Lab 11: loss landscapes")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("digits", args, flatten=True)
train, val = _labkit.split(full_train, None, 300)
DEPTH, WIDTH = (6, 32) if args.quick else (10, 32)
EPOCHS = 3 if args.quick else 40
GRID = 7 if args.quick else 25
loss_fn = nn.CrossEntropyLoss()
probe_x, probe_y = next(iter(_common.loader(train, 512, shuffle=True)))


# %% [markdown]
# ## The three models
# The same depth and width; only BatchNorm or the skip connection differs.


# %%
class Block(nn.Module):
    """Linear -> [BatchNorm] -> ReLU, with the input added back when residual."""

    def __init__(self, width: int, norm: bool, residual: bool) -> None:
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.norm = nn.BatchNorm1d(width) if norm else nn.Identity()
        self.residual = residual

    def forward(self, x):
        y = self.norm(self.linear(x)).relu()
        return x + y if self.residual else y


def make_model(kind: str) -> nn.Module:
    tg.manual_seed(args.seed)
    blocks = [Block(WIDTH, kind == "batchnorm", kind == "residual") for _ in range(DEPTH)]
    return nn.Sequential(nn.Linear(64, WIDTH), nn.ReLU(), *blocks, nn.Linear(WIDTH, 10))


def snapshot(model) -> list:
    return [p.detach().clone() for p in model.parameters()]


def load_weights(model, weights: list) -> None:
    with tg.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(w)


def probe_loss(model) -> float:
    model.eval()
    with tg.no_grad():
        return loss_fn(model(probe_x), probe_y).item()


# %% [markdown]
# ## Train, then look along the line from θ0 to θ1


# %%
def train_model(kind: str):
    model = make_model(kind)
    start = snapshot(model)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    h = fit(
        model,
        loss_fn,
        optimizer,
        _common.loader(train, 64, shuffle=True),
        _common.loader(val, 512),
        epochs=EPOCHS,
        verbose=False,
    )
    return model, start, snapshot(model), h


STEPS = 8 if args.quick else 20  # points per unit of α
alphas = [i / STEPS for i in range(-STEPS // 4, STEPS + STEPS // 4 + 1)]
models, curves, val_acc = {}, {}, {}
for kind in ("plain", "batchnorm", "residual"):
    model, start, end, h = train_model(kind)
    models[kind] = (model, end)
    line = []
    for a in alphas:
        load_weights(model, [(1 - a) * s + a * e for s, e in zip(start, end)])
        line.append(probe_loss(model))
    load_weights(model, end)
    curves[kind], val_acc[kind] = line, h.val_acc[-1]
    between = [v for a, v in zip(alphas, line) if 0 < a < 1]
    bump = max(between) - max(line[alphas.index(0.0)], line[alphas.index(1.0)])
    say(
        f"{kind:9s}: val acc {h.val_acc[-1]:.1%} after {len(h)} epochs; along θ0 -> θ1 the loss "
        f"goes {line[alphas.index(0.0)]:.3f} -> {line[alphas.index(1.0)]:.3f}; "
        + (
            f"a barrier {bump:.3f} above both ends"
            if bump > 0.01 * line[alphas.index(0.0)]
            else "no barrier in between (monotone enough)"
        )
    )

# %% [markdown]
# Reading interpolation.png: past α = 1 the loss can keep falling, because on training data
# the network classifies well, scaling all weights up makes its logits more confident: θ1 is
# not a minimum along this line, only where training stopped. The BatchNorm curve stays flat
# for a long stretch because it is measured in eval mode with the *trained* running statistics,
# which fit only weights close to θ1.
#
# ## Filter-normalised directions and the 2-D slice


# %%
def direction(model, weights: list) -> list:
    """A random direction with each row scaled to the norm of the weights' row (Li et al.)."""
    out = []
    for w in weights:
        if w.dim() < 2:  # biases and BatchNorm's weight/bias: not perturbed
            out.append(tg.zeros_like(w))
            continue
        d = tg.randn(*w.shape)
        rows_d = d.reshape(w.shape[0], -1).norm(dim=1, keepdim=True)
        rows_w = w.reshape(w.shape[0], -1).norm(dim=1, keepdim=True)
        out.append((d.reshape(w.shape[0], -1) / rows_d * rows_w).reshape(w.shape))
    return out


coords = [-1 + 2 * i / (GRID - 1) for i in range(GRID)]
surfaces, sharpness = {}, {}
for kind, (model, end) in models.items():
    tg.manual_seed(args.seed + 1)
    d1, d2 = direction(model, end), direction(model, end)
    z = []
    for b in coords:
        row = []
        for a in coords:
            load_weights(model, [w + a * u + b * v for w, u, v in zip(end, d1, d2)])
            row.append(probe_loss(model))
        z.append(row)
    load_weights(model, end)
    surfaces[kind] = z
    centre = probe_loss(model)
    near = [
        z[j][i]
        for j, b in enumerate(coords)
        for i, a in enumerate(coords)
        if 0 < (a * a + b * b) ** 0.5 <= 0.5 + 1e-9
    ]
    sharpness[kind] = sum(near) / len(near) - centre
    say(
        f"{kind:9s}: 2-D slice: centre loss {centre:.3f}; mean rise within radius 0.5: "
        f"{sharpness[kind]:+.3f}; largest loss on the slice "
        f"{max(max(r) for r in z):.3g}"
    )

# %% [markdown]
# ## Pictures
# Contours share their levels (log-spaced) so that the three panels are comparable; a flat
# basin is a wide region inside the lowest contours.

# %%
import math  # noqa: E402

from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, 1, figsize=(6.4, 4.2))
ax = axes[0]
for i, (kind, line) in enumerate(curves.items()):
    ax.plot(alphas, line, color=OKABE_ITO[i], label=kind)
for x0, text in ((0, "θ0 (init)"), (1, "θ1 (trained)")):
    ax.axvline(x0, color="grey", lw=0.8, ls=":")
    ax.text(x0, ax.get_ylim()[1], text, ha="center", va="bottom", fontsize=8)
ax.set_yscale("log")
ax.set_xlabel("α   (weights = (1 - α) θ0 + α θ1)")
ax.set_ylabel("training loss (512 images)")
ax.legend()
ax.grid(alpha=0.3)
finish(fig, f"{args.out}/interpolation.png")
_common.save_figure(fig, f"{args.out}/interpolation.png")

lo = min(min(min(r) for r in z) for z in surfaces.values())
hi = max(max(max(r) for r in z) for z in surfaces.values())
levels = [math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * k / 20) for k in range(21)]
fig, axes = new_figure(1, 3, figsize=(13.5, 4.2))
for ax, (kind, z) in zip(axes, surfaces.items()):
    import matplotlib.colors as mcolors

    cs = ax.contourf(coords, coords, z, levels=levels, norm=mcolors.LogNorm(lo, hi), cmap="viridis")
    ax.contour(coords, coords, z, levels=levels, colors="white", linewidths=0.3)
    ax.plot([0], [0], "r*", markersize=10)
    ax.set_title(
        f"{kind} (val acc {val_acc[kind]:.0%}): mean rise within r=0.5: {sharpness[kind]:+.2f}",
        fontsize=9,
    )
    ax.set_xlabel("direction 1 (filter-normalised)")
    ax.set_ylabel("direction 2")
    ax.set_aspect("equal")
fig.colorbar(cs, ax=list(axes), label="training loss (log scale)", format="%.2g")
fig.savefig(f"{args.out}/contours.png", dpi=100, bbox_inches="tight")
_common.save_figure(fig, f"{args.out}/contours.png")

fig = __import__("matplotlib.pyplot").pyplot.figure(figsize=(13.5, 4.4))
for k, (kind, z) in enumerate(surfaces.items()):
    ax = fig.add_subplot(1, 3, k + 1, projection="3d")
    xs = tg.tensor([list(coords) for _ in coords]).numpy()  # matplotlib wants 2-D arrays
    ys = tg.tensor([[b] * len(coords) for b in coords]).numpy()
    logz = tg.tensor([[math.log10(v) for v in row] for row in z]).numpy()
    ax.plot_surface(xs, ys, logz, cmap="viridis", vmin=math.log10(lo), vmax=math.log10(hi))
    ax.set_zlim(math.log10(lo), math.log10(hi))
    ax.set_title(kind, fontsize=9)
    ax.set_xlabel("dir 1")
    ax.set_ylabel("dir 2")
    ax.set_zlabel("log10 loss")
fig.savefig(f"{args.out}/surfaces.png", dpi=100, bbox_inches="tight")
_common.save_figure(fig, f"{args.out}/surfaces.png")

# %% [markdown]
# ## What the run shows
# The sentence below is computed from the numbers above. A smaller rise means a flatter
# neighbourhood; Li et al. found skip connections and normalisation keep deep nets' minima
# flat and the landscape convex-looking, while plain deep nets become chaotic.

# %%
stuck = [k for k in sharpness if val_acc[k] < 0.2]  # chance is 10%
for kind in stuck:
    say(
        f"{kind} did not learn (val acc {val_acc[kind]:.1%}): its slice is flat because it sits on "
        "a plateau at chance level, not in a good minimum; flatness only compares trained models"
    )
learned = {k: v for k, v in sharpness.items() if k not in stuck}
flattest = min(learned, key=learned.get) if learned else None
sharpest = max(learned, key=learned.get) if learned else None
ratio = learned[sharpest] / max(learned[flattest], 1e-12) if learned else 0.0
if not _labkit.too_short(args, say) and len(learned) >= 2:
    say(
        f"flattest neighbourhood: {flattest} (rise {sharpness[flattest]:+.3f}); sharpest: "
        f"{sharpest} ({sharpness[sharpest]:+.3f}), {ratio:.1f}x the flattest. "
        + (
            "A clear difference."
            if ratio > 2
            else "Within a factor 2: a weak difference "
            "for one random slice; try other --seed values."
        )
    )
metrics = {"sharpness_r0.5": sharpness, "test_acc": {}}
for kind, (model, _) in models.items():
    metrics["test_acc"][kind] = evaluate(model, _common.loader(test, 512), loss_fn)["accuracy"]
say(
    "test accuracy (used once): "
    + ", ".join(f"{k} {v:.1%}" for k, v in metrics["test_acc"].items())
)
_common.write_json(f"{args.out}/metrics.json", metrics)
say.save()
