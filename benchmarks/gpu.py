"""CPU vs GPU: training steps per second of tinygrad_edu (NumPy, CuPy) and PyTorch (CPU, CUDA).

    python benchmarks/gpu.py                          # MLP 784-256-128-10, batch 64 .. 8192
    python benchmarks/gpu.py --model cnn              # the small MNIST CNN, batch 64 .. 1024
    python benchmarks/gpu.py --out gpu_mlp.md         # also write the markdown report there
    python benchmarks/gpu.py --quick                  # two batch sizes, a few steps (smoke test)

One training step is zero_grad, forward, cross-entropy loss, backward and an SGD step (momentum
0.9) on a fixed random batch that already lives on the device, so the figure measures the
engine and the array library, not data loading. Each (backend, batch size) cell is one run:
a few warm-up steps (CuPy compiles each new kernel on first use, PyTorch picks its algorithms),
then steps until --min-seconds have passed (at least --min-steps, at most --max-seconds).

GPU work is asynchronous: a call returns once its kernels are queued. The clock is read only
after synchronize() (tg.cuda.synchronize / torch.cuda.synchronize), before and after the timed
steps, so the time covers the work itself.

Columns whose backend is missing (no CuPy, no GPU, no PyTorch, a CPU-only PyTorch) are shown as
'-' with a note saying why; the benchmark never fails for lack of a GPU.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn as nn  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
import tinygrad_edu.optim as optim  # noqa: E402

BACKENDS = ("tg-cpu", "tg-cuda", "torch-cpu", "torch-cuda")
TITLES = {
    "tg-cpu": "tinygrad_edu CPU (NumPy)",
    "tg-cuda": "tinygrad_edu GPU (CuPy)",
    "torch-cpu": "PyTorch CPU",
    "torch-cuda": "PyTorch CUDA",
}
MLP_BATCHES = (64, 128, 256, 512, 1024, 2048, 4096, 8192)
CNN_BATCHES = (64, 128, 256, 512, 1024)
LR, MOMENTUM = 0.01, 0.9


# --------------------------------------------------------------------------------------- models
def tg_model(kind: str) -> nn.Module:
    """The tinygrad_edu network: MLP 784-256-128-10, or a two-conv MNIST CNN."""
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


def torch_model(torch, kind: str):
    """The same network in PyTorch."""
    tnn = torch.nn
    if kind == "mlp":
        return tnn.Sequential(
            tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(), tnn.Linear(128, 10)
        )
    return tnn.Sequential(
        tnn.Conv2d(1, 16, 3, padding=1),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(16, 32, 3, padding=1),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Flatten(),
        tnn.Linear(32 * 7 * 7, 10),
    )


def input_shape(kind: str, batch: int) -> tuple:
    return (batch, 784) if kind == "mlp" else (batch, 1, 28, 28)


# --------------------------------------------------------------------------------------- steps
def tg_step_fn(kind: str, batch: int, device: str) -> tuple[Callable[[], float], Callable]:
    """(step, synchronize) for tinygrad_edu on `device`; step() returns nothing (the loss is
    read once at the end, since .item() waits for the GPU)."""
    tg.manual_seed(0)
    model = tg_model(kind).to(device)
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    x = tg.randn(*input_shape(kind, batch), device=device)
    y = tg.randint(0, 10, (batch,), device=device)
    state = {}

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        state["loss"] = loss

    def sync():
        if device == "cuda":
            tg.cuda.synchronize()
        return float(state["loss"].item()) if "loss" in state else math.nan

    return step, sync


def torch_step_fn(torch, kind: str, batch: int, device: str) -> tuple[Callable, Callable]:
    """(step, synchronize) for PyTorch on `device`."""
    torch.manual_seed(0)
    model = torch_model(torch, kind).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    x = torch.randn(*input_shape(kind, batch), device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    state = {}

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        state["loss"] = loss

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()
        return float(state["loss"].item()) if "loss" in state else math.nan

    return step, sync


def time_steps(
    step: Callable,
    sync: Callable,
    warmup: int,
    min_steps: int,
    min_seconds: float,
    max_seconds: float,
) -> dict:
    """Warm up, then time chunks of steps (one synchronize per chunk, so the GPU keeps its
    queue full) until min_seconds have passed and min_steps were run, or max_seconds."""
    for _ in range(warmup):
        step()
    sync()
    n, chunk, start = 0, max(1, min_steps), time.perf_counter()
    while True:
        for _ in range(chunk):
            step()
        n += chunk
        loss = sync()  # wait for the GPU before reading the clock
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds or elapsed >= max_seconds:
            return {"steps": n, "seconds": elapsed, "steps_per_s": n / elapsed, "loss": loss}
        rate = n / max(elapsed, 1e-9)
        left = min(min_seconds, max_seconds) - elapsed
        chunk = max(1, math.ceil(rate * left))


# --------------------------------------------------------------------------------------- setup
def load_torch():
    """(torch module or None, why not)."""
    try:
        import torch
    except Exception as e:
        return None, f"PyTorch is not installed ({type(e).__name__}: {e})"
    return torch, None


def available_backends(wanted: tuple, torch) -> tuple[list, dict]:
    """(backends to run, {backend: reason it is skipped})."""
    skipped = {}
    if not tg.cuda.is_available():
        skipped["tg-cuda"] = f"no GPU for tinygrad_edu: {tg.cuda.unavailable_reason()}"
    if torch is None:
        _, why = load_torch()
        skipped["torch-cpu"] = skipped["torch-cuda"] = why
    elif not torch.cuda.is_available():
        skipped["torch-cuda"] = f"PyTorch {torch.__version__} sees no CUDA GPU"
    run = [b for b in wanted if b not in skipped]
    return run, {b: why for b, why in skipped.items() if b in wanted}


def cpu_model() -> str:
    """The processor's model name and the number of cores Python may use."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name} ({cores} cores)"


def environment(torch) -> dict:
    """Device models and library versions for the report."""
    import numpy

    env = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "gpu": tg.cuda.get_device_name() or "none",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "cupy": "not installed",
        "torch": "not installed" if torch is None else torch.__version__,
    }
    if tg.cuda.is_available():
        env["cupy"] = tg.backend.xp_of("cuda").__version__
    if torch is not None:
        env["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            env["torch_gpu"] = torch.cuda.get_device_name()
    return env


# --------------------------------------------------------------------------------------- report
def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def gpu_faster_from(rows: list, gpu: str, cpu: str) -> int | None:
    """The smallest batch size from which `gpu` beats `cpu` at that and every larger size."""
    best = None
    for row in reversed(rows):
        g, c = row.get(gpu), row.get(cpu)
        if g is None or c is None or g <= c:
            break
        best = row["batch"]
    return best


def summary_lines(rows: list) -> list:
    """The headline findings: crossovers and the 2x-of-PyTorch target."""
    lines = []
    for gpu, cpu, who in (
        ("tg-cuda", "tg-cpu", "tinygrad_edu"),
        ("torch-cuda", "torch-cpu", "PyTorch"),
    ):
        if all(r.get(gpu) is None or r.get(cpu) is None for r in rows):
            continue
        b = gpu_faster_from(rows, gpu, cpu)
        lines.append(
            f"{who}: the GPU is faster than the CPU from batch size {b} on"
            if b is not None
            else f"{who}: the GPU did not beat the CPU at the largest batch sizes measured"
        )
    big = [
        (r["batch"], ratio(r.get("tg-cuda"), r.get("torch-cuda")))
        for r in rows
        if r["batch"] >= 1024
    ]
    big = [(b, q) for b, q in big if q is not None]
    if big:
        worst_b, worst = min(big, key=lambda t: t[1])
        verdict = "met" if worst >= 0.5 else "NOT met"
        lines.append(
            f"target 'CuPy step within 2x of PyTorch CUDA at batch >= 1024': {verdict} "
            f"(slowest: {worst:.2f}x of PyTorch's steps/s at batch {worst_b})"
        )
    return lines


def fmt(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def markdown(kind: str, rows: list, env: dict, skipped: dict, args) -> str:
    """The report: environment, one table of steps/s and ratios, findings, notes."""
    title = "MLP 784-256-128-10" if kind == "mlp" else "CNN conv16-pool-conv32-pool-linear"
    out = [f"# CPU vs GPU training steps/s: {title}", ""]
    out += [
        f"- GPU: {env['gpu']}"
        + (f" (PyTorch sees {env['torch_gpu']})" if "torch_gpu" in env else ""),
        f"- CPU: {env['cpu']}",
        f"- versions: Python {env['python']}, NumPy {env['numpy']}, CuPy {env['cupy']}, "
        f"PyTorch {env['torch']}"
        + (f" ({env['torch_threads']} threads)" if "torch_threads" in env else ""),
        (
            f"- step: zero_grad + forward + cross-entropy + backward + SGD(momentum {MOMENTUM}), "
            f"float32, data already on the device; one run per cell ({args.warmup} warm-up "
            f"steps, then at least {args.min_steps} steps and {args.min_seconds:g} s, at most "
            f"{args.max_seconds:g} s), {env['date']}"
        ),
        "",
    ]
    head = ["batch"] + [TITLES[b] for b in BACKENDS]
    head += [
        "GPU/CPU (tinygrad_edu)",
        "tinygrad_edu GPU / PyTorch CUDA",
        "tinygrad_edu CPU / PyTorch CPU",
        "GPU/CPU (PyTorch)",
    ]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---:|" * len(head))
    for r in rows:
        cells = [str(r["batch"])] + [fmt(r.get(b)) for b in BACKENDS]
        cells += [
            fmt(ratio(r.get("tg-cuda"), r.get("tg-cpu")), 2),
            fmt(ratio(r.get("tg-cuda"), r.get("torch-cuda")), 2),
            fmt(ratio(r.get("tg-cpu"), r.get("torch-cpu")), 2),
            fmt(ratio(r.get("torch-cuda"), r.get("torch-cpu")), 2),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Steps per second (higher is better); a ratio above 1 means the first is faster."]
    findings = summary_lines(rows)
    if findings:
        out += ["", "## Findings", ""] + [f"- {line}" for line in findings]
    if skipped:
        out += ["", "## Not measured", ""]
        out += [f"- {TITLES[b]}: {why}" for b, why in skipped.items()]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    p.add_argument(
        "--batch-sizes",
        type=lambda s: tuple(int(v) for v in s.split(",")),
        help="comma-separated (default: 64..8192 for mlp, 64..1024 for cnn)",
    )
    p.add_argument(
        "--backends",
        type=lambda s: tuple(s.split(",")),
        default=BACKENDS,
        help=f"comma-separated subset of {','.join(BACKENDS)}",
    )
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min-steps", type=int, default=5)
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument(
        "--max-seconds",
        type=float,
        default=10.0,
        help="stop timing one cell after this long (slow CPU cells)",
    )
    p.add_argument("--quick", action="store_true", help="two batch sizes, a few steps")
    p.add_argument("--out", type=Path, help="write the markdown report to this file")
    p.add_argument("--json", type=Path, help="write the raw figures to this file")
    args = p.parse_args(argv)
    bad = [b for b in args.backends if b not in BACKENDS]
    if bad:
        p.error(f"unknown backends {bad}; choose from {list(BACKENDS)}")
    if args.quick:
        args.batch_sizes = args.batch_sizes or (64, 256)
        args.warmup, args.min_steps, args.min_seconds = 1, 2, 0.0
        args.max_seconds = min(args.max_seconds, 2.0)
    args.batch_sizes = args.batch_sizes or (MLP_BATCHES if args.model == "mlp" else CNN_BATCHES)
    return args


def write_report(args, rows: list, env: dict, skipped: dict, done: bool) -> str:
    """The markdown report, also written to --out (after every batch size, so that a run cut
    short by a time limit still leaves the rows it measured)."""
    report = markdown(args.model, rows, env, skipped, args)
    if not done:
        report += "\n(partial: the run was still going when this was written)\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)
    return report


def run(args) -> tuple[list, dict, dict]:
    """Measure every cell; returns (rows, environment, skipped backends)."""
    torch, _ = load_torch() if any(b.startswith("torch") for b in args.backends) else (None, None)
    backends, skipped = available_backends(args.backends, torch)
    env = environment(torch)
    print(f"GPU: {env['gpu']}   CPU: {env['cpu']}", flush=True)
    for b, why in skipped.items():
        print(f"skipping {TITLES[b]}: {why}", flush=True)
    rows = []
    for batch in args.batch_sizes:
        row = {"batch": batch}
        for b in backends:
            lib, device = b.split("-")
            if lib == "tg":
                step, sync = tg_step_fn(args.model, batch, device)
            else:
                step, sync = torch_step_fn(torch, args.model, batch, device)
            r = time_steps(
                step, sync, args.warmup, args.min_steps, args.min_seconds, args.max_seconds
            )
            row[b], row[f"{b}-loss"] = r["steps_per_s"], r["loss"]
            print(
                f"  batch {batch:5d}  {TITLES[b]:26s} {r['steps_per_s']:10.2f} steps/s "
                f"({r['steps']} steps in {r['seconds']:.2f} s, loss {r['loss']:.3f})",
                flush=True,
            )
            del step, sync
            if device == "cuda" and lib == "tg":
                tg.cuda.empty_cache()
        rows.append(row)
        write_report(args, rows, env, skipped, done=False)
    return rows, env, skipped


def main(argv=None) -> int:
    args = parse_args(argv)
    rows, env, skipped = run(args)
    report = write_report(args, rows, env, skipped, done=True)
    print()
    print(report)
    if args.out:
        print(f"wrote {args.out}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"model": args.model, "env": env, "rows": rows, "skipped": skipped}, indent=2
            )
        )
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
