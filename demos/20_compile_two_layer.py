# %% [markdown]
# # Lab 20: tg.compile — the code that backpropagation amounts to.
#
# A two-layer net on the two moons, trained by one function `train_step(x, y)` (forward, loss,
# backward, SGD). `tg.compile(train_step)` runs it once eagerly while recording every array
# operation, then replays that flat list: no tensors, no graph, no Python per node.
#
# 1. The eager graph of one step's loss beside the generated code (compile_side_by_side.png,
#    and the code itself in train_step_code.py).
# 2. Bit for bit: 200 eager steps and 200 compiled steps from the same weights give equal weights.
# 3. The time of one step, eager and compiled.
# 4. compiled.export(): a NumPy-only script of the same step (two_layer_step.py), run on its own.
#
#     python demos/20_compile_two_layer.py [--quick] [--out DIR]

# %%
import subprocess
import sys
import time

import _common
import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.data import datasets
from tinygrad_edu.nn import functional as F

args = _common.parse_args("20_compile_two_layer", "Lab 20: tg.compile, a step as NumPy code")
steps = 40 if args.quick else 200
data = datasets.make_moons(64, noise=0.1, seed=0)
x, y = data.tensors


def make():
    tg.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, optim.SGD(model.parameters(), lr=0.5, momentum=0.9)


def step_of(model, opt):
    def train_step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


# %% [markdown]
# ## 1. The eager graph beside the generated code

# %%
# 1. the eager graph and the generated code -----------------------------------------------
model, opt = make()
compiled = tg.compile(step_of(model, opt))
compiled(x, y), compiled(x, y)  # SGD's first step creates its momentum buffers: trace on the 2nd
code = compiled.source
with open(f"{args.out}/train_step_code.py", "w", encoding="utf-8") as f:
    f.write(code)
print(f"1. the generated step: {len(code.splitlines())} lines, one per array operation")
print(f"  wrote {args.out}/train_step_code.py")

graph_png = None
eager_model, _ = make()
loss = F.cross_entropy(eager_model(x), y)
try:
    from tinygrad_edu.viz import draw_graph

    graph_png = draw_graph(loss, params=list(eager_model.named_parameters()), rankdir="TB").save(
        f"{args.out}/eager_graph.png"
    )
    print(f"  wrote {graph_png}")
except (ImportError, RuntimeError) as e:  # graphviz is optional
    print(f"  (graph picture skipped: {e})")


def side_by_side(path: str) -> None:
    import matplotlib.pyplot as plt

    skip = ("decided at trace time", "RETRACE", "    del ")  # guards and memory bookkeeping
    lines = [ln for ln in code.splitlines() if not any(k in ln for k in skip)]
    fig = plt.figure(figsize=(16, 0.18 * len(lines) + 1.5))
    if graph_png is not None:
        ax = fig.add_axes([0.0, 0.05, 0.36, 0.9])
        ax.imshow(plt.imread(graph_png))
        ax.set_title("eager: the graph one step builds (loss)", fontsize=11)
        ax.axis("off")
    ax = fig.add_axes([0.38, 0.0, 0.62, 0.95])
    ax.axis("off")
    ax.set_title(
        "tg.compile: the same step as straight-line NumPy (compiled.source)",
        fontsize=11,
        loc="left",
    )
    for i, ln in enumerate(lines):
        color = "#1f5fa8" if ln.strip().startswith("# ----") else "black"
        ax.text(
            0.0,
            1 - (i + 0.5) / len(lines),
            ln,
            family="monospace",
            fontsize=7.2,
            color=color,
            va="center",
            transform=ax.transAxes,
        )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _common.save_figure(fig, path)


side_by_side(f"{args.out}/compile_side_by_side.png")

# %% [markdown]
# ## 2. Bit for bit: eager and compiled steps give equal weights

# %%
# 2. bit for bit ----------------------------------------------------------------------------
(m1, o1), (m2, o2) = make(), make()
eager, compiled = step_of(m1, o1), tg.compile(step_of(m2, o2))
losses_e, losses_c = [], []
for _ in range(steps):
    losses_e.append(eager(x, y).item())
    losses_c.append(compiled(x, y).item())
diff = max(
    float(np.abs(p.detach().numpy() - q.detach().numpy()).max())
    for p, q in zip(m1.parameters(), m2.parameters())
)
print(
    f"2. {steps} steps: eager loss {losses_e[-1]:.6f}, compiled loss {losses_c[-1]:.6f}; "
    f"largest weight difference {diff:g}; {compiled.traces} traces, {compiled.replays} "
    "replays"
)


# %% [markdown]
# ## 3. The time of one step, eager and compiled


# %%
# 3. time per step --------------------------------------------------------------------------
def per_step(fn, n: int) -> float:
    t0 = time.process_time()
    for _ in range(n):
        fn(x, y)
    return (time.process_time() - t0) / n


n = 50 if args.quick else 300
t_eager, t_compiled = per_step(eager, n), per_step(compiled, n)
print(
    f"3. one step: eager {t_eager * 1e6:.0f} us, compiled {t_compiled * 1e6:.0f} us "
    f"({t_eager / t_compiled:.1f}x faster)"
)

# %% [markdown]
# ## 4. `compiled.export()`: a NumPy-only script of the same step

# %%
# 4. a NumPy-only script ---------------------------------------------------------------------
script = f"{args.out}/two_layer_step.py"
compiled.export(script, x, y)
want = [compiled(x, y).item() for _ in range(3)]
run = subprocess.run([sys.executable, script, "3"], capture_output=True, text=True, timeout=120)
got = [float(line.split(": ")[1]) for line in run.stdout.splitlines()]
print(
    f"4. exported {script}: its 3 steps give losses {got}; the compiled steps gave {want} "
    f"({'equal' if got == want else 'DIFFERENT'})"
)

_common.write_json(
    f"{args.out}/metrics.json",
    {
        "steps": steps,
        "final_loss_eager": losses_e[-1],
        "final_loss_compiled": losses_c[-1],
        "max_weight_difference": diff,
        "step_us_eager": t_eager * 1e6,
        "step_us_compiled": t_compiled * 1e6,
        "export_matches": got == want,
    },
)
