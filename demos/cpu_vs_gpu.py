"""Lab: CPU vs GPU speedup. When does a GPU make training faster, and why not always?

    python demos/cpu_vs_gpu.py                  # both devices where a GPU is present
    python demos/cpu_vs_gpu.py --quick          # a few batch sizes, a few steps (about 10 s)
    python demos/cpu_vs_gpu.py --out DIR        # where cpu_vs_gpu.png and timings.json go
    python demos/cpu_vs_gpu.py --device cpu     # only the CPU (what a laptop without CUDA does)
    python demos/cpu_vs_gpu.py --torch          # add PyTorch's CPU and CUDA figures for reference

The same tinygrad_edu code trains an MLP (784-256-128-10) on the CPU, where every op is a NumPy
call, and on the GPU, where every op is a CuPy call that launches a CUDA kernel. Only one line
differs: `model.to(device)` and the device of the batch. The lab times one training step
(forward, loss, backward, SGD update) for growing batch sizes and prints steps per second,
samples per second and the GPU/CPU speedup, then plots steps/s against the batch size.

What to look for:
  * Small batches: each op does little arithmetic, so the time goes to Python and to launching
    kernels (a few microseconds each, dozens of ops per step). The GPU has no advantage there
    and can even be slower than the CPU.
  * Large batches: the matrix products dominate. A GPU does tens of TFLOP/s against the CPU's
    tens to hundreds of GFLOP/s, so the GPU pulls ahead, and its steps/s barely drop while the
    batch grows until the GPU is busy.
  * The crossover: the batch size from which the GPU wins. It depends on the model, the GPU,
    the CPU and how much Python runs per op (try --model cnn, or your own network).

GPU calls return before the work is done (the kernels are queued), so the timer reads the
clock only after tg.cuda.synchronize(). Without it you would time the queueing, not the work.
The first steps are slower (allocation, caches, kernel compilation): they run off the clock.
Then each step is timed on its own and the table shows the median with the spread of the middle
half of the steps, so one slow step (another process, the garbage collector) does not swing it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn as nn  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
import tinygrad_edu.optim as optim  # noqa: E402

FULL_BATCHES = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
QUICK_BATCHES = (32, 256, 2048)


def make_model(kind: str) -> nn.Module:
    """The network of the lab: an MNIST-sized MLP, or a small CNN (--model cnn)."""
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def timed(step, sync, steps: int, warmup: int) -> dict:
    """Run `step` warmup times off the clock, then time each of `steps` steps on its own.

    Returns {'median': steps/s from the median step time, 'low'/'high': steps/s of the slowest
    and fastest quarter (25th/75th percentile step times), 'times': the step times in s}. The
    median is robust to the odd slow step (another process, the garbage collector, a first-call
    compilation) that would swing a mean.
    """
    for _ in range(warmup):  # the first steps allocate, fill caches and compile GPU kernels
        step()
    sync()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        sync()  # GPU calls return before the work is done: wait before reading the clock
        times.append(time.perf_counter() - start)
    ordered = sorted(times)

    def pct(q):
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"median": 1 / pct(0.5), "low": 1 / pct(0.75), "high": 1 / pct(0.25), "times": times}


def steps_per_second(kind: str, batch: int, device: str, steps: int, warmup: int) -> dict:
    """Train on one random batch that lives on `device`; return timed() of one step."""
    tg.manual_seed(0)
    model = make_model(kind).to(device)  # the only change between CPU and GPU
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    shape = (batch, 784) if kind == "mlp" else (batch, 1, 28, 28)
    x = tg.randn(*shape, device=device)
    y = tg.randint(0, 10, (batch,), device=device)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return timed(step, tg.cuda.synchronize, steps, warmup)  # synchronize: a no-op on the CPU


def torch_steps_per_second(kind: str, batch: int, device: str, steps: int, warmup: int):
    """The same measurement in PyTorch (None where PyTorch or its CUDA is missing)."""
    try:
        import torch
    except ImportError:
        return None
    if device == "cuda" and not torch.cuda.is_available():
        return None
    torch.manual_seed(0)
    t = torch.nn
    if kind == "mlp":
        model = t.Sequential(
            t.Linear(784, 256), t.ReLU(), t.Linear(256, 128), t.ReLU(), t.Linear(128, 10)
        )
        x = torch.randn(batch, 784, device=device)
    else:
        model = t.Sequential(
            t.Conv2d(1, 16, 3, padding=1),
            t.ReLU(),
            t.MaxPool2d(2),
            t.Conv2d(16, 32, 3, padding=1),
            t.ReLU(),
            t.MaxPool2d(2),
            t.Flatten(),
            t.Linear(32 * 7 * 7, 10),
        )
        x = torch.randn(batch, 1, 28, 28, device=device)
    model = model.to(device)
    y = torch.randint(0, 10, (batch,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    return timed(step, sync, steps, warmup)


def crossover(batches, cpu, gpu):
    """The smallest batch size from which the GPU is faster at that and every larger size."""
    best = None
    for b in reversed(batches):
        if cpu.get(b) is None or gpu.get(b) is None or gpu[b]["median"] <= cpu[b]["median"]:
            break
        best = b
    return best


def plot(batches, series: dict, path: Path, title: str) -> bool:
    """Median steps/s against batch size on log-log axes, the 25-75% band shaded."""
    try:
        from tinygrad_edu.viz._mpl import OKABE_ITO, finish, new_figure

        fig, (ax,) = new_figure(1, 1, figsize=(6.4, 4.2))
    except ImportError as e:
        print(f"(no plot: {e})")
        return False
    for i, (label, values) in enumerate(series.items()):
        xs = [b for b in batches if values.get(b)]
        if not xs:  # a device that was not measured (no GPU here)
            continue
        colour, style = OKABE_ITO[i % 8], "--" if label.startswith("PyTorch") else "-"
        ax.plot(
            xs,
            [values[b]["median"] for b in xs],
            style,
            marker="o",
            color=colour,
            label=f"{label} (median)",
        )
        ax.fill_between(
            xs,
            [values[b]["low"] for b in xs],
            [values[b]["high"] for b in xs],
            color=colour,
            alpha=0.2,
            lw=0,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(batches), [str(b) for b in batches])
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("training steps per second (band: 25-75% of steps)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    finish(fig, path)
    return True


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda", "both"),
        default="auto",
        help="auto: both where a GPU is present, else the CPU alone",
    )
    p.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    p.add_argument("--batch-sizes", type=lambda s: tuple(int(v) for v in s.split(",")))
    p.add_argument("--steps", type=int, default=20, help="timed steps per batch size")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    p.add_argument("--torch", action="store_true", help="also time PyTorch for reference")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("runs/demos/cpu_vs_gpu"),
        help="folder for cpu_vs_gpu.png and timings.json",
    )
    p.add_argument("--plot", type=Path, help="where to save the plot (default OUT/cpu_vs_gpu.png)")
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--quick", action="store_true", help="three batch sizes, five steps each")
    args = p.parse_args(argv)
    args.batch_sizes = args.batch_sizes or (QUICK_BATCHES if args.quick else FULL_BATCHES)
    if args.model == "cnn" and not args.quick:
        args.batch_sizes = tuple(b for b in args.batch_sizes if b <= 1024) or args.batch_sizes
    if args.quick:
        args.steps, args.warmup = min(args.steps, 5), min(args.warmup, 2)
    args.plot = args.plot or args.out / "cpu_vs_gpu.png"
    return args


def cell(v) -> str:
    """'median st/s (+-spread%)' of one measurement, '-' when not measured."""
    if v is None:
        return f"{'-':>24}"
    spread = (v["high"] - v["low"]) / v["median"] / 2
    return f"{v['median']:10.1f} st/s (+-{spread:4.0%})"


def measure(args, devices: list) -> dict:
    """{series label: {batch: timed() result}}, printing one table row per batch size."""
    results: dict = {f"tinygrad_edu {d.upper()}": {} for d in devices}
    if args.torch:
        results.update({f"PyTorch {d.upper()}": {} for d in ("cpu", "cuda")})
    head = f"{'batch':>6} | " + " | ".join(f"{k:>24}" for k in results)
    head += " | GPU/CPU speedup" if len(devices) == 2 else ""
    print(head)
    print("-" * len(head))
    for b in args.batch_sizes:
        for d in devices:
            results[f"tinygrad_edu {d.upper()}"][b] = steps_per_second(
                args.model, b, d, args.steps, args.warmup
            )
            tg.cuda.empty_cache()
        if args.torch:
            for d in ("cpu", "cuda"):
                results[f"PyTorch {d.upper()}"][b] = torch_steps_per_second(
                    args.model, b, d, args.steps, args.warmup
                )
        line = f"{b:>6} | " + " | ".join(cell(results[k].get(b)) for k in results)
        if len(devices) == 2:
            cpu, gpu = results["tinygrad_edu CPU"][b], results["tinygrad_edu CUDA"][b]
            line += f" | {gpu['median'] / cpu['median']:8.2f}x"
        print(line, flush=True)
    return results


def conclude(args, devices: list, results: dict) -> None:
    """What the table says, from its own numbers."""
    best = max(args.batch_sizes)
    for k, v in results.items():
        if v.get(best):
            print(f"\n{k}: {v[best]['median'] * best:,.0f} samples/s at batch {best}", end="")
    print()
    noisy = [
        f"{k} at batch {b}"
        for k, v in results.items()
        for b, m in v.items()
        if m and (m["high"] - m["low"]) / m["median"] > 0.5
    ]
    if noisy:
        print(
            f"\nNoisy cells (the middle half of the steps spans more than 50% of the median): "
            f"{', '.join(noisy)}. Another process shared the machine; rerun with more --steps "
            "before concluding from those."
        )
    if len(devices) == 2:
        cpu, gpu = results["tinygrad_edu CPU"], results["tinygrad_edu CUDA"]
        b = crossover(args.batch_sizes, cpu, gpu)
        if b is None:
            print(
                "\nThe GPU did not beat the CPU at the largest batch sizes measured: the steps "
                "are dominated by Python and kernel launches. Try larger batches."
            )
        else:
            print(
                f"\nThe GPU is faster than the CPU from batch size {b} on "
                f"({gpu[best]['median'] / cpu[best]['median']:.1f}x at batch {best})."
            )


def main(argv=None) -> int:
    args = parse_args(argv)
    gpu_ok = tg.cuda.is_available()
    devices = {
        "auto": ["cpu", "cuda"] if gpu_ok else ["cpu"],
        "cpu": ["cpu"],
        "cuda": ["cuda"],
        "both": ["cpu", "cuda"],
    }[args.device]
    print(__doc__.split("\n\n")[0])
    print("\nCPU: every op is a NumPy call")
    if gpu_ok:
        print(f"GPU: {tg.cuda.get_device_name()}, every op is a CuPy call (a CUDA kernel)")
    else:
        print(f"GPU: none here ({tg.cuda.unavailable_reason()}); the GPU column stays empty.")
        if "cuda" in devices:
            devices.remove("cuda")
            print(
                "     Run this lab on a machine with an NVIDIA GPU and "
                "pip install 'tinygrad_edu[cuda]' to see the speedup."
            )
    if not devices:
        return 1
    print(
        f"\nModel: {args.model}; one step = forward + cross-entropy + backward + SGD update; "
        f"{args.warmup} warm-up steps, then {args.steps} steps timed one by one: the median "
        "steps/s, +- half the spread of the middle 50% of the steps.\n"
    )
    results = measure(args, devices)
    conclude(args, devices, results)
    args.out.mkdir(parents=True, exist_ok=True)
    timings = {k: {str(b): v for b, v in series.items() if v} for k, series in results.items()}
    (args.out / "timings.json").write_text(
        json.dumps(
            {"model": args.model, "steps": args.steps, "warmup": args.warmup, "timings": timings},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"timings saved to {args.out / 'timings.json'}")
    if not args.no_plot:
        title = f"tinygrad_edu {args.model.upper()}: CPU (NumPy) vs GPU (CuPy)"
        if plot(args.batch_sizes, results, args.plot, title):
            print(f"plot saved to {args.plot}")
        else:
            print("(no plot: matplotlib is not installed; pip install 'tinygrad_edu[viz]')")
    print(
        "\nQuestions: why do the GPU's steps/s hardly change from batch 32 to 1024? What "
        "limits a step at batch 32 on each device? Where would a fused kernel help?"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
