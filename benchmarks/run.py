"""Side-by-side benchmark: tinygrad_edu vs PyTorch CPU vs hand-written NumPy, in one process.

    python benchmarks/run.py [--quick] [--threads N] [--only NAME ...] [--repeat R]
                             [--out benchmarks/RESULTS.md] [--data-dir DIR] [--no-memory]
                             [--profile [NAME ...] | --no-profile] [--smoke]

Method: the three implementations of a workload are timed interleaved (tg, torch, numpy, tg,
torch, numpy, ...) after warm-up calls, each sample averaging enough calls to last ~50 ms
(~10 ms with --quick); we report the median and the inter-quartile range of the samples, and
ratios of medians. NumPy's BLAS and PyTorch run on the same number of threads (default 1);
with one thread the clock is the process's CPU time (robust to other jobs on the machine),
otherwise wall-clock time.
Peak memory: each (workload, implementation) runs again in a fresh child process, which
reports its peak resident set size above the level it had after setting up the data and model.
See benchmarks/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import json
import os
import platform
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROFILED = ("tiny_mlp", "chain", "mlp64")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes and few repetitions")
    p.add_argument("--threads", type=int, default=1, help="BLAS/PyTorch threads (default 1)")
    p.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="workloads (or scaling_batch, scaling_depth, scaling_chain, scaling) to run",
    )
    p.add_argument("--repeat", type=int, help="timed repetitions per implementation")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"), help="the Markdown report")
    p.add_argument(
        "--data-dir", help="folder with mnist/ ($TINYGRAD_EDU_DATA or ../shared/datasets)"
    )
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory child runs")
    p.add_argument(
        "--profile",
        nargs="*",
        metavar="NAME",
        help="cProfile the tinygrad_edu side "
        f"of these workloads (default in a full run: {' '.join(PROFILED)})",
    )
    p.add_argument("--no-profile", action="store_true")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="with --quick: the smallest sizes, for the test suite (the numbers mean nothing)",
    )
    p.add_argument("--_memory-child", nargs=2, metavar=("NAME", "IMPL"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = parse_args()
# With one thread everything runs on the calling thread, so the process's CPU time is the cost
# of the work, unaffected by other jobs taking turns on the cores (wall time is reported too).
# With several threads, CPU time would add them up: use wall-clock time.
CPU_CLOCK = ARGS.threads == 1
CLOCK_TEXT = (
    "process CPU time (time.process_time; single-threaded, so it is the work's own "
    "time, not inflated by other jobs; wall-clock medians are shown beside it)"
    if CPU_CLOCK
    else "wall-clock time (time.perf_counter)"
)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)  # before NumPy and torch load their thread pools
sys.path[:0] = [str(ROOT), str(HERE)]

import numpy as np  # noqa: E402
import workloads as W  # noqa: E402


# ----------------------------------------------------------------------------- machine
def set_threads(n: int):
    """Pin NumPy's BLAS (threadpoolctl) and PyTorch (intra- and inter-op) to n threads."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:  # only allowed before the first parallel op
        pass
    limits = threadpool_limits(limits=n)  # kept alive for the whole process
    # torch.optim imports torch._dynamo on first use (seconds, and a huge heap): do it now
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    return limits


def freeze_heap() -> None:
    """Move everything allocated so far (the libraries' module objects) out of the cyclic
    garbage collector's sight, so that a collection during a timed region costs what the
    workload allocated, not what `import torch` left behind."""
    gc.collect()
    gc.freeze()


def machine_info(threads: int) -> dict:
    import torch
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    except TypeError:  # NumPy < 1.26 prints its configuration instead of returning it
        blas = {}
    torch_blas = [
        s.split("=", 1)[1]
        for s in torch.__config__.show().replace(",", "\n").split()
        if s.startswith("BLAS_INFO=")
    ]
    pools = [
        f"{p.get('internal_api')} {p.get('version') or ''} ({Path(p['filepath']).name}, "
        f"{p.get('num_threads')} threads)"
        for p in threadpool_info()
    ]
    try:  # which engine was measured: the commit, and whether tinygrad_edu/ had local changes
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "tinygrad_edu"],
            cwd=ROOT,
            text=True,
            capture_output=True,
        ).stdout.strip()
        rev = f"{rev}{' + uncommitted changes in tinygrad_edu/' if dirty else ''}" if rev else "?"
    except OSError:
        rev = "?"
    return {
        "git": rev,
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "numpy_blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "torch": torch.__version__,
        "torch_blas": torch_blas[0] if torch_blas else "?",
        "threads": threads,
        "torch_threads": torch.get_num_threads(),
        "pools": pools,
    }


def load1() -> float:
    return os.getloadavg()[0]


# ----------------------------------------------------------------------------- timing
_GC = {"cpu": 0.0, "start": 0.0}


def _gc_callback(phase: str, info: dict) -> None:
    """Accumulate the CPU time spent in Python's cyclic garbage collector."""
    if phase == "start":
        _GC["start"] = time.process_time()
    else:
        _GC["cpu"] += time.process_time() - _GC["start"]


gc.callbacks.append(_gc_callback)


def call_n(runner, n: int) -> tuple:
    """(wall s, process CPU s, CPU s in cyclic GC) per call, averaged over n calls (Split: the
    n prepares are not timed)."""
    states = [runner.prepare() for _ in range(n)] if isinstance(runner, W.Split) else None
    g0, t0, c0 = _GC["cpu"], time.perf_counter(), time.process_time()
    if states is not None:
        for s in states:
            runner.run(s)
    else:
        for _ in range(n):
            runner()
    dt, dc, dg = time.perf_counter() - t0, time.process_time() - c0, _GC["cpu"] - g0
    del states
    return dt / n, dc / n, dg / n


def check_values(runner, calls: int = 2) -> tuple:
    """The check values of the first `calls` calls, and the time of the last one."""
    out, dt = [], 0.0
    for _ in range(calls):
        if isinstance(runner, W.Split):
            state = runner.prepare()
            t0 = time.perf_counter()
            v = runner.run(state)
        else:
            t0 = time.perf_counter()
            v = runner()
        dt = time.perf_counter() - t0
        out.append(W.as_float(v))
    return out, dt


EAGER_IMPLS = ("tinygrad_edu", "torch", "numpy")  # the scaling tables leave tg.compile out


def measure(workload, repeat: int, target_s: float, warmup: int, impls=W.IMPLS) -> dict:
    """Build the three runners, check they agree (two calls, also warm-up), warm up further,
    then time them interleaved; each sample averages `inner` calls lasting ~target_s."""
    load = load1()
    t_start = time.perf_counter()
    sh = workload.shared()
    runners = {impl: workload.build(impl, sh) for impl in impls}
    checks, inner = {}, {}
    for impl, r in runners.items():
        checks[impl], t1 = check_values(r)  # wall time of the 2nd call: an upper bound
        inner[impl] = max(1, min(2000, round(target_s / max(t1, 1e-9))))
    for _ in range(warmup):
        for impl, r in runners.items():
            call_n(r, inner[impl])
    samples: dict = {impl: [] for impl in impls}
    for _ in range(repeat):
        gc.collect()
        for impl in impls:  # interleaved: tg, compiled, torch, numpy, tg, compiled, ...
            samples[impl].append(call_n(runners[impl], inner[impl]))
    res = {
        "name": workload.name,
        "title": workload.title,
        "unit": workload.unit,
        "numpy_label": workload.numpy_label,
        "load": max(load, load1()),
        "inner": inner,
        "repeat": repeat,
        "checks": checks,
        "check_rtol": workload.check_rtol,
        "target_torch": workload.target_torch,
        "target_numpy": workload.target_numpy,
        "target_compiled": workload.target_compiled,
    }
    for impl, s in samples.items():
        wall, cpu, gct = np.array(s).T
        q1, med, q3 = np.percentile(cpu if CPU_CLOCK else wall, [25, 50, 75])
        res[impl] = {
            "median": float(med),
            "q1": float(q1),
            "q3": float(q3),
            "wall": float(np.median(wall)),
            "cpu": float(np.median(cpu)),
            "gc": float(np.median(gct)),  # CPU time in the cyclic GC
            "no_gc": float(np.median(cpu - gct)),
        }
    res["wall_s"] = time.perf_counter() - t_start
    return res


def ratio(res: dict, a: str, b: str) -> float:
    return res[a]["median"] / res[b]["median"]


def check_text(res: dict) -> str:
    ref = res["checks"]["torch"]
    worst = max(
        abs(v - r) / max(abs(r), 1e-6)
        for impl in res["checks"]
        for v, r in zip(res["checks"][impl], ref)
    )
    return f"{'ok' if worst < res.get('check_rtol', 1e-3) else 'MISMATCH'} ({worst:.0e})"


def fmt_t(s: float) -> str:
    if s < 0:
        return "-" + fmt_t(-s)
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} us"


def verdict(value: float, target) -> str:
    if target is None:
        return ""
    return f"{'met' if value <= target else 'MISSED'} (<= {target:g})"


def print_result(res: dict, cores: int) -> None:
    def col(impl):
        r = res[impl]
        return f"{fmt_t(r['median'])} [{fmt_t(r['q1'])}-{fmt_t(r['q3'])}]"

    loaded = "  LOADED" if res["load"] > cores else ""
    rt, rn = ratio(res, "tinygrad_edu", "torch"), ratio(res, "tinygrad_edu", "numpy")
    print(
        f"{res['name']:<12} tg {col('tinygrad_edu')}  compiled {col('compiled')}  torch "
        f"{col('torch')}  numpy {col('numpy')}",
        flush=True,
    )
    rc, rcn = ratio(res, "compiled", "torch"), ratio(res, "compiled", "numpy")
    print(
        f"{'':<12} compiled/torch {rc:.2f} {verdict(rc, res['target_compiled'])}  "
        f"compiled/numpy {rcn:.2f}  compiled/tg {ratio(res, 'compiled', 'tinygrad_edu'):.2f}",
        flush=True,
    )
    print(
        f"{'':<12} tg/torch {rt:.2f} {verdict(rt, res['target_torch'])}  tg/numpy {rn:.2f} "
        f"{verdict(rn, res['target_numpy'])}  numpy/torch "
        f"{ratio(res, 'numpy', 'torch'):.2f}  tg in GC {gc_share(res)}  check "
        f"{check_text(res)}  load {res['load']:.1f}{loaded}  ({res['wall_s']:.1f} s)",
        flush=True,
    )


# ----------------------------------------------------------------------------- memory
def _status_kb(field: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(field)


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_child(name: str, impl: str, quick: bool, data_dir) -> None:
    """Run one implementation of one workload; print its peak RSS above the post-setup level."""
    workload = next(w for w in W.main_workloads(quick, data_dir, ARGS.smoke) if w.name == name)
    sh = workload.shared()
    runner = workload.build(impl, sh)
    gc.collect()
    base = _status_kb("VmRSS")
    exact = _reset_peak()
    call_n(runner, 1)
    first, rest = _status_kb("VmHWM"), _status_kb("VmRSS")
    later = None
    if workload.memory_calls > 1 and exact:
        _reset_peak()
        for _ in range(workload.memory_calls - 1):
            call_n(runner, 1)
        later = _status_kb("VmHWM")
    last = _status_kb("VmRSS")
    if not exact:  # VmHWM is then the peak since the process started: an upper bound
        first = later = _status_kb("VmHWM")
    traced = None
    if impl != "torch":  # NumPy's allocations (and Python objects) are visible to tracemalloc
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        call_n(runner, 1)
        traced = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    out = {
        "base_kb": base,
        "peak_kb": max(first, later or 0) - base,  # the whole run, above the post-setup RSS
        "first_kb": first - base,  # the first call (with one-time library initialisation)
        "kept_kb": rest - base,  # still resident after the first call (state, caches, slack)
        "grow_kb": None if later is None else last - rest,  # resident growth after call 1
        "traced_kb": traced,  # peak of Python + NumPy allocations during one more call
        "exact": exact,
    }
    print(json.dumps(out))


def measure_memory(names: list, args) -> dict:
    def one(job):
        name, impl = job
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_memory-child",
            name,
            impl,
            "--threads",
            str(args.threads),
        ] + (["--quick"] if args.quick else [])
        cmd += ["--smoke"] if args.smoke else []
        if args.data_dir:
            cmd += ["--data-dir", args.data_dir]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
        if p.returncode != 0:
            return job, {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
        return job, json.loads(p.stdout.strip().splitlines()[-1])

    jobs = [(n, impl) for n in names for impl in W.IMPLS]
    out: dict = {}
    # two at a time: memory does not depend on CPU contention, and the timing is already done
    with ThreadPoolExecutor(2) as pool:
        for (name, impl), r in pool.map(one, jobs):
            out.setdefault(name, {})[impl] = r
    return out


# ----------------------------------------------------------------------------- profile
def profile(workload, seconds: float) -> str:
    """cProfile of the tinygrad_edu side of a workload: the top 15 functions by tottime."""
    import cProfile
    import pstats

    runner = workload.build("tinygrad_edu", workload.shared())
    call_n(runner, 2)
    t1 = call_n(runner, 1)[1]
    n = max(1, round(seconds / max(t1, 1e-9)))
    if isinstance(runner, W.Split):
        states = [runner.prepare() for _ in range(n)]
        prof = cProfile.Profile()
        prof.enable()
        for s in states:
            runner.run(s)
        prof.disable()
    else:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            runner()
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).sort_stats("tottime")
    print(
        f"{workload.title}: {n} calls ({fmt_t(t1)} per call unprofiled); top 15 by tottime",
        file=buf,
    )
    stats.print_stats(15)
    text = buf.getvalue()
    prefixes = {str(ROOT) + os.sep} | {
        sysconfig.get_paths()[k] + os.sep for k in ("stdlib", "purelib", "platlib")
    }
    for prefix in sorted(prefixes, key=len, reverse=True):  # paths relative to the repo / lib
        text = text.replace(prefix, "")
    keep = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(ln for ln in keep if not ln.startswith("   Ordered by"))


# ----------------------------------------------------------------------------- report
def _cell(r: dict) -> str:
    wall = f"<br>wall {fmt_t(r['wall'])}" if CPU_CLOCK else ""
    return f"{fmt_t(r['median'])} [{fmt_t(r['q1'])}–{fmt_t(r['q3'])}]{wall}"


def gc_share(r: dict) -> str:
    """The share of tinygrad_edu's time spent in Python's cyclic garbage collector."""
    t = r["tinygrad_edu"]
    return f"{t['gc'] / max(t['cpu'], 1e-12):.0%}"


def _fit(xs: list, ys: list) -> tuple:
    """Least-squares y = a + b x -> (a, b, r2)."""
    b, a = np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)
    pred = a + b * np.asarray(xs, float)
    ss = float(((np.asarray(ys) - np.mean(ys)) ** 2).sum()) or 1e-30
    return a, b, 1 - float(((np.asarray(ys) - pred) ** 2).sum()) / ss


def render(
    info: dict, results: list, memory: dict, scaling: dict, profiles: dict, args, skipped: dict
) -> str:
    cores = info["affinity"] or info["cores"]
    ls, le = info["load_start"], info["load_end"]
    loaded = ls[0] > cores or le[0] > cores or any(r["load"] > cores for r in results)
    argv = " ".join(a for a in sys.argv[1:])
    out = [
        "# tinygrad_edu benchmark results",
        "",
        f"Generated by `python benchmarks/run.py {argv}` on {info['date']} "
        f"({'quick' if args.quick else 'full'} run). Medians of interleaved repetitions, "
        "[inter-quartile range], ratios of medians; lower is better for every ratio. "
        f"Clock: {CLOCK_TEXT}.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}; {info['cores']} cores ({info['affinity']} usable)",
        f"- load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in ls)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in le)} at the end"
        + (
            "  \n  **LOADED: the load average exceeded the number of cores during this run "
            "(other jobs share the machine). The CPU-time clock keeps the numbers to the work's "
            "own time, but shared cores and caches still slow everything somewhat and widen the "
            "IQRs; ratios hold up best because the implementations are interleaved.**"
            if loaded
            else ""
        ),
        f"- {info['platform']}, Python {info['python']}; tinygrad_edu at {info['git']}",
        f"- NumPy {info['numpy']} with BLAS {info['numpy_blas']}; PyTorch {info['torch']} "
        f"(BLAS_INFO={info['torch_blas']}), CPU build",
        f"- threads: {info['threads']} for NumPy's BLAS (threadpoolctl) and for PyTorch "
        f"(torch.set_num_threads, now {info['torch_threads']}); thread pools: "
        + "; ".join(info["pools"]),
        "",
    ]
    out += [
        "## Workloads",
        "",
        "| workload | tinygrad_edu | compiled | PyTorch | NumPy | tg / torch | tg / numpy | "
        "compiled / torch | compiled / numpy | numpy / torch | tg in GC | same math? | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rt, rn = ratio(r, "tinygrad_edu", "torch"), ratio(r, "tinygrad_edu", "numpy")
        flag = " (loaded)" if r["load"] > cores else ""
        rc, rcn = ratio(r, "compiled", "torch"), ratio(r, "compiled", "numpy")
        out.append(
            f"| **{r['name']}**: {r['title']} | {_cell(r['tinygrad_edu'])} | "
            f"{_cell(r['compiled'])} | "
            f"{_cell(r['torch'])} | {_cell(r['numpy'])} ({r['numpy_label']}) | "
            f"**{rt:.2f}** {verdict(rt, r['target_torch'])} | **{rn:.2f}** "
            f"{verdict(rn, r['target_numpy'])} | **{rc:.2f}** "
            f"{verdict(rc, r['target_compiled'])} | {rcn:.2f} | "
            f"{ratio(r, 'numpy', 'torch'):.2f} | "
            f"{gc_share(r)} | {check_text(r)} | {r['load']:.1f}{flag} |"
        )
    for name, why in skipped.items():
        out.append(f"| **{name}** | skipped: {why} | | | | | | | | | | | |")
    out += [
        "",
        "Times are per training step (zero_grad, forward, loss, backward, SGD update), "
        "except chain (one forward + backward), chain_bwd (one backward) and mnist_epoch "
        "(the whole epoch). `tg in GC`: the share of tinygrad_edu's time spent in Python's "
        "cyclic garbage collector (PyTorch's graph is not made of Python objects).",
        "",
    ]
    met = [
        (r["name"], kind, v, t)
        for r in results
        for kind, v, t in (
            ("vs PyTorch", ratio(r, "tinygrad_edu", "torch"), r["target_torch"]),
            ("vs NumPy", ratio(r, "tinygrad_edu", "numpy"), r["target_numpy"]),
            ("compiled vs PyTorch", ratio(r, "compiled", "torch"), r.get("target_compiled")),
        )
        if t is not None
    ]
    if met:
        out += ["## Targets", ""]
        for name, kind, v, t in met:
            out.append(
                f"- {'✅ met' if v <= t else '❌ missed'}: {name} {kind} {v:.2f} (target <= {t:g})"
            )
        if "mnist_epoch" in memory:
            m = memory["mnist_epoch"]
            if all("peak_kb" in m.get(i, {}) for i in ("tinygrad_edu", "torch")):
                v = m["tinygrad_edu"]["peak_kb"] / max(m["torch"]["peak_kb"], 1)
                out.append(
                    f"- {'✅ met' if v <= 1.5 else '❌ missed'}: mnist_epoch peak "
                    f"memory vs PyTorch {v:.2f} (target <= 1.5)"
                )
        out.append("")
    if memory:
        out += [
            "## Peak memory",
            "",
            "Extra resident memory (RSS) a run needed: a fresh child process per workload "
            "and implementation sets up the data and model, notes its RSS, resets the "
            "kernel's peak mark (`/proc/self/clear_refs`), runs the workload (a few steps, "
            "or two epochs) and reads the peak (`VmHWM`). The difference counts activations, "
            "gradients, optimiser state, temporaries, allocator slack and one-time library "
            "initialisation on the first call (PyTorch's is ~8 MB, which dominates the small "
            "workloads). `growth` is how much the resident memory grew from the end of the "
            "first call to the end of the last (a leak check: it should stay ~0). "
            "`traced` is tracemalloc's "
            "peak of Python objects and NumPy arrays during one more call: exact and "
            "independent of the allocator, but blind to PyTorch's allocations.",
            "",
            "| workload | tinygrad_edu | PyTorch | NumPy | tg / torch | growth: tg / "
            "torch / numpy | traced: tg / numpy |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, m in memory.items():

            def mb(impl, key="peak_kb"):
                v = m.get(impl, {}).get(key)
                return "–" if v is None else f"{v / 1024:.1f} MB"

            if all("peak_kb" in m.get(i, {}) for i in W.IMPLS):
                rt = f"{m['tinygrad_edu']['peak_kb'] / max(m['torch']['peak_kb'], 1):.2f}"
            else:
                rt = "; ".join(f"{i}: {m[i]['error']}" for i in W.IMPLS if "error" in m.get(i, {}))
            later = " / ".join(mb(i, "grow_kb") for i in W.IMPLS)
            traced = f"{mb('tinygrad_edu', 'traced_kb')} / {mb('numpy', 'traced_kb')}"
            out.append(
                f"| {name} | {mb('tinygrad_edu')} | {mb('torch')} | {mb('numpy')} | {rt} "
                f"| {later} | {traced} |"
            )
        out.append("")
    if scaling:
        out += [
            "## Scaling",
            "",
            "Time per call against the size of the problem. `tg − numpy` is the engine's "
            "cost over the hand-written floor; `fit` is a least-squares line "
            "t = a + b·x over the rows (b: the cost per unit of x, R² close to 1 means "
            "linear).",
            "",
        ]
        units = {"batch": "sample", "depth": "layer", "chain": "op"}
        for group, (label, rows) in scaling.items():
            unit = units.get(group, "unit")
            out += [
                f"### By {label}",
                "",
                f"| {group} | tinygrad_edu | PyTorch | NumPy | tg / torch | tg / numpy | "
                f"tg − numpy | tg per {unit} | torch per {unit} |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for value, r in rows:
                tg_, to, npy = (r[i]["median"] for i in ("tinygrad_edu", "torch", "numpy"))
                out.append(
                    f"| {value:,} | {fmt_t(tg_)} | {fmt_t(to)} | {fmt_t(npy)} | "
                    f"{tg_ / to:.2f} | {tg_ / npy:.2f} | {fmt_t(tg_ - npy)} | "
                    f"{fmt_t(tg_ / value)} | {fmt_t(to / value)} |"
                )
            xs = [v for v, _ in rows]
            fits = []
            for impl in EAGER_IMPLS:
                a, b, r2 = _fit(xs, [r[impl]["median"] for _, r in rows])
                fits.append(f"{impl} {fmt_t(b)} per {unit} + {fmt_t(a)} (R² {r2:.3f})")
            out += ["", "fit: " + "; ".join(fits), ""]
            if group == "chain" and len(rows) > 1:
                per = [r["tinygrad_edu"]["median"] / v for v, r in rows]
                per_torch = [r["torch"]["median"] / v for v, r in rows]
                no_gc = [r["tinygrad_edu"]["no_gc"] / v for v, r in rows]
                in_gc = [
                    r["tinygrad_edu"]["gc"] / max(r["tinygrad_edu"]["cpu"], 1e-12) for _, r in rows
                ]
                grow, grow_torch = per[-1] / per[0], per_torch[-1] / per_torch[0]
                if grow < 1.5:
                    why = "linear: < 1.5 counts as linear"
                elif grow <= 1.15 * grow_torch:
                    why = (
                        "linear relative to PyTorch: it grows no faster than PyTorch's C++ "
                        "backward, so the growth comes from the machine (caches, load)"
                    )
                else:
                    why = "NOT linear: it grows faster than PyTorch's"
                out += [
                    f"Backward cost per op for {', '.join(f'{v:,}' for v in xs)} ops: "
                    f"tinygrad_edu {', '.join(fmt_t(p) for p in per)} (largest / smallest "
                    f"{grow:.2f}); PyTorch {', '.join(fmt_t(p) for p in per_torch)} "
                    f"({grow_torch:.2f}). Verdict: {why}. Share of tinygrad_edu's backward "
                    f"spent in Python's cyclic garbage collector: "
                    f"{', '.join(f'{g:.0%}' for g in in_gc)}; without it, per op: "
                    f"{', '.join(fmt_t(p) for p in no_gc)} ({no_gc[-1] / no_gc[0]:.2f}).",
                    "",
                ]
    if profiles:
        out += [
            "## Where tinygrad_edu's time goes (cProfile)",
            "",
            "The tinygrad_edu side of a workload under cProfile, top 15 functions by "
            "tottime (time in the function itself). cProfile inflates the cost of small "
            "Python functions, so read the ranking, not the absolute times.",
            "",
        ]
        for name, text in profiles.items():
            out += [f"### {name}", "", "```", text, "```", ""]
    out += [
        "## Method",
        "",
        "- One process; per repetition the implementations run interleaved (tinygrad_edu, "
        "torch, numpy, tinygrad_edu, ...), so a burst of load hits all three alike. "
        "Warm-up calls first (two check calls plus warm-up); each timed sample averages "
        "enough calls to last "
        f"~{0.01 if args.quick else 0.05:g} s; medians and the inter-quartile range of the "
        "samples; `gc.collect()` between repetitions (the collector stays on while timing).",
        "- Same math: the initial weights come from a tinygrad_edu model's `state_dict()` "
        "and are copied into the PyTorch model and the NumPy arrays; inputs are the same "
        "arrays. `same math?` compares the check values (the first two losses, or the sum "
        "of the input gradient for the chain) with PyTorch's (worst relative difference).",
        "- Training steps use `tinygrad_edu.optim.SGD` / `torch.optim.SGD` (lr 0.01, momentum "
        "0.9 for MNIST) and a hand-written update for NumPy. NumPy is "
        "`benchmarks/numpy_ref.py`: hand-derived gradients, no graph (the floor for an "
        "engine built on NumPy); for the scalar graph it is plain Python floats with hand "
        "derivatives (float64).",
        "- mnist_epoch: tinygrad_edu uses its own `DataLoader(shuffle=True)`; PyTorch and "
        "NumPy index the same shuffled order directly (`X[idx]`), the fastest way to batch "
        "in-memory data there (torch's DataLoader would be slower). Loading the files is "
        "not timed.",
        f"- Threads pinned to {info['threads']} (threadpoolctl for NumPy's BLAS, "
        "torch.set_num_threads, and OMP/OPENBLAS/MKL_NUM_THREADS for child processes).",
        "",
    ]
    return "\n".join(out)


def write_report(
    path: Path,
    info: dict,
    results: list,
    memory: dict,
    scaling: dict,
    profiles: dict,
    args,
    skipped: dict,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(info, results, memory, scaling, profiles, args, skipped))


def main() -> int:
    args = ARGS
    if args._memory_child:
        if args._memory_child[1] == "torch":
            set_threads(args.threads)
        else:  # keep torch out of a NumPy-only child
            from threadpoolctl import threadpool_limits

            limits = threadpool_limits(limits=args.threads)  # noqa: F841
        memory_child(*args._memory_child, args.quick, args.data_dir)
        return 0
    limits = set_threads(args.threads)  # noqa: F841 (must stay alive)
    info = machine_info(args.threads)
    freeze_heap()
    cores = info["affinity"] or info["cores"]
    mode = "quick" if args.quick else "full"
    print(f"tinygrad_edu benchmarks ({mode}), {info['date']}")
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in info['load_start'])}"
        f"{'  (LOADED: load > cores)' if info['load_start'][0] > cores else ''}"
    )
    print(
        f"python {info['python']}, numpy {info['numpy']} ({info['numpy_blas']}), torch "
        f"{info['torch']} ({info['torch_blas']}), threads {args.threads}"
    )
    print(f"clock: {CLOCK_TEXT}", flush=True)
    print("thread pools: " + "; ".join(info["pools"]), flush=True)

    only = set(args.only or [])
    mains = [
        w
        for w in W.main_workloads(args.quick, args.data_dir, args.smoke)
        if not only or w.name in only
    ]
    repeat = args.repeat or (5 if args.quick else 15)
    slow_repeat = args.repeat or (3 if args.quick else 5)
    target_s = 0.001 if args.smoke else 0.01 if args.quick else 0.05
    results, skipped = [], {}
    for w in mains:
        try:
            res = measure(w, slow_repeat if w.slow else repeat, target_s, 0 if w.slow else 1)
        except (OSError, RuntimeError, ValueError) as e:  # e.g. MNIST files missing
            skipped[w.name] = f"{type(e).__name__}: {e}"
            print(f"{w.name:<12} SKIPPED: {skipped[w.name]}", flush=True)
            continue
        results.append(res)
        print_result(res, cores)

    scaling: dict = {}
    for group, (label, items) in W.scaling_workloads(args.quick, args.smoke).items():
        if only and not ({"scaling", f"scaling_{group}"} & only):
            continue
        rows = []
        print(f"scaling by {label}", flush=True)
        for value, w in items:
            res = measure(
                w,
                args.repeat or (3 if args.quick else (3 if w.slow else 7)),
                target_s,
                0 if args.quick or w.slow else 1,
                EAGER_IMPLS,
            )
            rows.append((value, res))
            print(
                f"  {value:>7}: tg {fmt_t(res['tinygrad_edu']['median'])}  torch "
                f"{fmt_t(res['torch']['median'])}  numpy {fmt_t(res['numpy']['median'])}  "
                f"tg/torch {ratio(res, 'tinygrad_edu', 'torch'):.2f}  "
                f"tg/numpy {ratio(res, 'tinygrad_edu', 'numpy'):.2f}  tg in GC "
                f"{gc_share(res)}",
                flush=True,
            )
        scaling[group] = (label, rows)

    memory: dict = {}
    if not args.no_memory and results:
        names = [r["name"] for r in results]
        if args.smoke:  # the code path only: a workload that needs no data files
            names = [n for n in names if n == "tiny_mlp"] or names[:1]
        elif args.quick:  # each child imports the libraries again: only the one with a target
            names = [n for n in names if n == "mnist_epoch"] or names[:1]
        print(
            f"peak memory (a fresh child process per implementation) of {', '.join(names)}"
            f"{' (--quick: only this one)' if args.quick else ''}...",
            flush=True,
        )
        memory = measure_memory(names, args)
        for name, by_impl in memory.items():
            cells = []
            for impl in W.IMPLS:
                m = by_impl.get(impl, {})
                cells.append(
                    f"{impl} {m['peak_kb'] / 1024:.1f} MB"
                    if "peak_kb" in m
                    else f"{impl} error: {m.get('error')}"
                )
            print(f"  {name:<12} " + "  ".join(cells), flush=True)

    names = PROFILED if args.profile is not None and not args.profile else args.profile
    if names is None and not args.quick and not only:
        names = PROFILED
    profiles = {}
    if names and not args.no_profile:
        by_name = {w.name: w for w in W.main_workloads(args.quick, args.data_dir, args.smoke)}
        for name in names:
            if name in by_name:
                profiles[name] = profile(
                    by_name[name], 0.1 if args.smoke else 0.5 if args.quick else 2.0
                )
                print(profiles[name], flush=True)

    checks = [
        (r, who, impl, t)
        for r in results
        for who, impl, t in (
            ("tinygrad_edu", "torch", r["target_torch"]),
            ("tinygrad_edu", "numpy", r["target_numpy"]),
            ("compiled", "torch", r["target_compiled"]),
        )
        if t is not None
    ]
    missed = [
        f"{r['name']} {who} vs {impl} {ratio(r, who, impl):.2f} > {t:g}"
        for r, who, impl, t in checks
        if ratio(r, who, impl) > t
    ]
    n_targets = len(checks)
    print(
        f"time targets: {n_targets - len(missed)} of {n_targets} met"
        + (f"; missed: {', '.join(missed)}" if missed else ""),
        flush=True,
    )
    info["load_end"] = os.getloadavg()
    write_report(Path(args.out), info, results, memory, scaling, profiles, args, skipped)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
