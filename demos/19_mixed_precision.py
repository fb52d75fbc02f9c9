# %% [markdown]
# # Lab 19: half precision, loss scaling and gradient accumulation
#
# **float16** stores a number in 16 bits: 5 exponent bits, so its smallest normal value is
# 6.1e-5, its smallest (subnormal) value 6e-8, and its largest 65504. Computing in float16
# halves memory and, on GPUs, is several times faster, but gradients are small numbers: many
# fall below 6e-8 and **underflow to 0**. **Loss scaling** multiplies the loss by S (say 1024)
# before backward, so every gradient is S times larger while it travels through float16, and
# divides the float32 gradients by S before the step; when a scaled gradient overflows
# (inf/NaN), the step is skipped and S halved (what `GradScaler` does).
#
# 1. Where the gradients of an MNIST MLP lie, against float16's range (underflow.png), and the
#    share lost to underflow with and without scaling, at initialisation and after training.
# 2. Training with the forward and backward in float16 (float32 master weights): no scaling vs
#    dynamic loss scaling vs float32 (fp16_training.png).
# 3. **Gradient accumulation**: k micro-batches of B/k samples, each loss divided by k, give the
#    gradient of one batch of B (checked to float64 rounding), and so the same training; except
#    with BatchNorm, whose statistics depend on the batch (checked too).
#
# 4. The same with the library: `tg.amp.autocast` picks the dtype per op (matmuls in float16,
#    the loss in float32) and `tg.amp.GradScaler` does the scaling; bfloat16 too when the
#    optional ml_dtypes package is installed.
#
# Parts 1-3 cast with `.half()` / `.float()` by hand, so that every cast is visible.
# bfloat16 (8 exponent bits, float32's range) underflows like float32 and needs no scaling,
# but keeps only 8 bits of mantissa (2-3 decimal digits).
#
#     python demos/19_mixed_precision.py --data-dir DIR [--quick]

# %%
import math

import _common
import _labkit

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import optim
from tinygrad_edu.train import fit

args = _common.parse_args("19_mixed_precision", "Lab 19: half precision and accumulation")
say = _labkit.Report(f"{args.out}/report.txt")
full_train, test = _common.load("mnist", args)
n_train, n_val = (400, 300) if args.quick else (10000, 2000)
train, val = _labkit.split(full_train, n_train, n_val)
epochs = 2 if args.quick else 10
SMALLEST_FP16, LARGEST_FP16 = 2.0**-24, 65504.0
metrics = {}


# %% [markdown]
# ## An MLP whose forward can run in float16
# The weights stay float32 ("master weights"); `forward(half=True)` casts weights and inputs
# to float16, so every activation and every backward gradient between layers is float16; the
# logits are cast back to float32 for the loss, as autocast does. Each matrix product
# accumulates in float32 and rounds its result to float16, `(a.float() @ b.float()).half()`,
# which is what a GPU's tensor cores do (and NumPy has no fast float16 matmul).


# %%
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(784, 256), nn.Linear(256, 256), nn.Linear(256, 10)

    def forward(self, x, half: bool = False):
        x = x.reshape(x.shape[0], -1)
        for layer in (self.l1, self.l2, self.l3):
            w, b = (layer.weight.half(), layer.bias.half()) if half else (layer.weight, layer.bias)
            if half:  # float16 in and out, float32 accumulation
                x = (x.half().float() @ w.float().T).half() + b
            else:
                x = x @ w.T + b
            if layer is not self.l3:
                x = x.relu()
        return x.float()


def grads(model, x, y, half: bool, scale: float = 1.0) -> list:
    """Parameter gradients (float32, unscaled) of one batch."""
    model.zero_grad()
    (F.cross_entropy(model(x, half=half), y) * scale).backward()
    out = [p.grad / scale for p in model.parameters()]
    model.zero_grad()
    return out


def lost(reference: list, other: list) -> float:
    """Share of gradient entries that are non-zero in float32 but 0 in the other run."""
    total = sum(int((r != 0).sum().item()) for r in reference)
    gone = sum(int(((r != 0) & (o == 0)).sum().item()) for r, o in zip(reference, other))
    return gone / max(total, 1)


def logit_grads_lost(model, x, y, scale: float = 1.0) -> float:
    """Share of dL/dlogits entries (the first gradient backward makes) that are 0 in float16."""
    z = model(x).detach().requires_grad_()
    (F.cross_entropy(z, y) * scale).backward()
    g = z.grad
    return ((g != 0) & (g.half().float() == 0)).float().mean().item()


# %% [markdown]
# ## 1. What underflows

# %%
xb, yb = next(iter(_common.loader(train, 64, shuffle=True)))
tg.manual_seed(args.seed)
model = MLP()
stages = {}
for stage in ("at init", "after training"):
    if stage == "after training":
        fit(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
            _common.loader(train, 64, shuffle=True),
            None,
            epochs=epochs,
            verbose=False,
        )
    ref = grads(model, xb, yb, half=False)
    row = {"no scaling": lost(ref, grads(model, xb, yb, half=True))}
    for s in (2.0**10, 2.0**16):
        row[f"scale 2^{int(math.log2(s))}"] = lost(ref, grads(model, xb, yb, True, s))
    stages[stage] = (row, [v for g in ref for v in g.abs().flatten().tolist() if v > 0])
    logits = {
        "no scaling": logit_grads_lost(model, xb, yb),
        "scale 2^10": logit_grads_lost(model, xb, yb, 2.0**10),
    }
    row.update({f"dL/dlogits, {k}": v for k, v in logits.items()})
    say(
        f"1. {stage:14s}: share of parameter-gradient entries lost to float16 underflow: "
        + ", ".join(f"{k} {v:.2%}" for k, v in row.items() if not k.startswith("dL"))
        + "; of the logits' gradient entries: "
        + ", ".join(f"{k[12:]} {v:.2%}" for k, v in row.items() if k.startswith("dL"))
    )
metrics["underflow"] = {k: v[0] for k, v in stages.items()}

# %%
from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure  # noqa: E402

fig, axes = new_figure(1, 1, figsize=(7.0, 4.0))
ax = axes[0]
bins = [10 ** (-14 + 0.25 * k) for k in range(57)]
for i, (stage, (_, values)) in enumerate(stages.items()):
    ax.hist(values, bins=bins, alpha=0.6, color=OKABE_ITO[i], label=f"float32 gradients, {stage}")
ax.axvline(SMALLEST_FP16, color="black", ls="--", lw=1)
ax.text(SMALLEST_FP16, ax.get_ylim()[1] * 0.9, " float16's smallest\n (below: 0)", fontsize=8)
ax.axvline(SMALLEST_FP16 / 1024, color="grey", ls=":", lw=1)
ax.text(
    SMALLEST_FP16 / 1024,
    ax.get_ylim()[1] * 0.6,
    " ... with loss\n scale 1024",
    fontsize=8,
    color="grey",
)
ax.set_xscale("log")
ax.set_xlabel("|gradient entry| (log scale)")
ax.set_ylabel("count")
ax.set_title("parameter gradients of one batch against float16's range")
ax.legend(fontsize=8, loc="upper left")
ax.grid(alpha=0.3)
_common.save_figure(finish(fig, f"{args.out}/underflow.png"), f"{args.out}/underflow.png")


# %% [markdown]
# ## 2. Training in float16, with and without loss scaling


# %%
class Scaler:
    """Dynamic loss scaling: skip the step and halve S on inf/NaN; double S after
    `interval` good steps in a row."""

    def __init__(self, scale=2.0**12, interval=100):
        self.scale, self.interval, self.good, self.skipped = scale, interval, 0, 0

    def step(self, model, optimizer) -> None:
        params = list(model.parameters())
        finite = all(p.grad.isfinite().all().item() for p in params)
        if not finite:
            self.scale, self.good, self.skipped = self.scale / 2, 0, self.skipped + 1
            return
        with tg.no_grad():
            for p in params:
                p.grad.div_(self.scale)
        optimizer.step()
        self.good += 1
        if self.good % self.interval == 0:
            self.scale *= 2


def train_half(mode: str):
    tg.manual_seed(args.seed)
    model = MLP()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = Scaler() if mode == "float16 + loss scaling" else None
    val_loss = []
    for _ in range(epochs):
        for x, y in _common.loader(train, 64, shuffle=True):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x, half=mode != "float32"), y)
            (loss * scaler.scale if scaler else loss).backward()
            scaler.step(model, optimizer) if scaler else optimizer.step()
        with tg.no_grad():
            xv, yv = next(iter(_common.loader(val, len(val))))
            val_loss.append(F.cross_entropy(model(xv, half=mode != "float32"), yv).item())
    return val_loss, scaler


curves = {}
for mode in ("float32", "float16, no scaling", "float16 + loss scaling"):
    curves[mode], scaler = train_half(mode)
    extra = (
        f"; final scale 2^{int(math.log2(scaler.scale))}, {scaler.skipped} steps skipped"
        if (scaler)
        else ""
    )
    say(
        f"2. {mode:23s}: validation loss per epoch {curves[mode][0]:.4f} -> {curves[mode][-1]:.4f}"
        + extra
    )
metrics["fp16_val_loss"] = curves
_common.plot_lines(
    curves,
    f"{args.out}/fp16_training.png",
    "the same training in each precision",
    ylabel="validation loss",
    logy=True,
)
f32, raw, scaled = (curves[m][-1] for m in curves)
if not _labkit.too_short(args, say):
    close = abs(raw / f32 - 1) < 0.02 and abs(scaled / f32 - 1) < 0.02
    say(
        f"   float16 without scaling ends at {raw / f32:.3f}x float32's validation loss, with "
        f"scaling at {scaled / f32:.3f}x. "
        + (
            "All three within 2%: the lost gradients did not change this small net's training."
            if close
            else "One run per setting cannot tell these differences from the spread "
            "that float16 rounding alone gives a trajectory; the underflow itself is measured "
            "in part 1."
        )
    )

# %% [markdown]
# ## 3. Gradient accumulation: k micro-batches = one big batch


# %%
def accumulated_grads(model, x, y, k: int) -> list:
    model.zero_grad()
    for xs, ys in zip(x.chunk(k), y.chunk(k)):
        (F.cross_entropy(model(xs), ys) / k).backward()  # grads add up in .grad
    out = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    return out


xb, yb = next(iter(_common.loader(train, 64, shuffle=True)))
xb = xb.double().reshape(64, -1)
for name, norm in (("MLP", False), ("MLP with BatchNorm", True)):
    tg.manual_seed(args.seed)
    layers = (
        [nn.Linear(784, 64)]
        + ([nn.BatchNorm1d(64)] if norm else [])
        + [nn.ReLU(), nn.Linear(64, 10)]
    )
    net = nn.Sequential(*layers).double()
    net.zero_grad()
    F.cross_entropy(net(xb), yb).backward()
    big = [p.grad.clone() for p in net.parameters()]
    for k in (2, 4, 8):
        acc = accumulated_grads(net, xb, yb, k)
        diff = max(
            (a - b).abs().max().item() / max(b.abs().max().item(), 1e-30) for a, b in zip(acc, big)
        )
        metrics[f"accumulation_{name}_k{k}"] = diff
        say(
            f"3. {name:19s} k = {k}: {64 // k} samples x {k} vs one batch of 64: largest "
            f"relative gradient difference {diff:.1e} "
            + (
                "(equal up to rounding)"
                if diff < 1e-10
                else "(DIFFERENT: each micro-batch normalises with its own statistics)"
            )
        )

# %% [markdown]
# ## 4. The library's autocast and GradScaler
# NumPy has no fast float16 matrix kernels, so on a CPU this is slower than float32; on a GPU
# it is the fast path. The numerics are the same.


# %%
def amp_run(dtype) -> tuple:
    """A short training under autocast(dtype) (None: plain float32); returns (final validation
    loss, dtype of the logits, dtype of the loss, the scaler or None)."""
    tg.manual_seed(args.seed)
    net = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    scaler = (
        tg.amp.GradScaler("cpu", init_scale=2.0**12, growth_interval=20)
        if (dtype == tg.float16)
        else None
    )
    out_dtype = loss_dtype = None
    batches = _common.loader(train, 64, shuffle=True)
    for _, (x, y) in zip(range(12 if args.quick else 80), batches):
        opt.zero_grad()
        with tg.amp.autocast("cpu", dtype=dtype or tg.float16, enabled=dtype is not None):
            out = net(x.reshape(x.shape[0], -1))
            loss = F.cross_entropy(out, y)
        out_dtype, loss_dtype = out.dtype, loss.dtype
        if scaler:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            opt.step()
    with tg.no_grad():
        xv, yv = next(iter(_common.loader(val, len(val))))
        v = F.cross_entropy(net(xv.reshape(xv.shape[0], -1)), yv).item()
    return v, out_dtype, loss_dtype, scaler


amp_results = {}
for label, dtype in (
    ("float32", None),
    ("autocast float16 + GradScaler", tg.float16),
    ("autocast bfloat16", getattr(tg, "bfloat16", None)),
):
    if label.endswith("bfloat16") and dtype is None:
        continue
    try:
        v, od, ld, scaler = amp_run(dtype)
    except (ImportError, RuntimeError, TypeError) as e:  # bfloat16 needs ml_dtypes
        say(f"4. {label}: not run ({' '.join(str(e).split())[:100]})")
        continue
    amp_results[label] = v
    extra = f"; final scale {scaler.get_scale():g}" if scaler else ""
    say(
        f"4. {label:30s}: logits {od}, loss {ld}; validation loss after the same steps {v:.4f}"
        + extra
    )
metrics["amp_val_loss"] = amp_results
_common.write_json(f"{args.out}/metrics.json", metrics)
say.save()
