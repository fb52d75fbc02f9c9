"""Plumbing shared by the demos: flags, output folder, datasets, subsets and saving figures.

Every demo accepts
    --quick        a small, fast version (what CI runs): fewer samples and epochs
    --out DIR      where figures and metrics go (default runs/demos/<demo name>)
    --data-dir DIR folder with MNIST / Fashion-MNIST files (else $TINYGRAD_EDU_DATA, the cache)
    --download     fetch missing dataset files
    --threads N    BLAS threads (default 1; 0 = NumPy's default)
    --seed N

In a Jupyter notebook (docs/labs/, generated from these scripts) there is no command line: the
flags take their defaults, TINYGRAD_EDU_QUICK=1 turns on --quick and TINYGRAD_EDU_OUT=DIR puts
the output folders under DIR; figures are shown in the notebook as well as saved.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

try:  # running from a source checkout without `pip install -e .`
    import tinygrad_edu  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tinygrad_edu as tg
from tinygrad_edu.data import DataLoader, Subset, datasets, random_split
from tinygrad_edu.train import set_num_threads


def in_notebook() -> bool:
    """True inside a Jupyter kernel (the lab runs as a notebook, not as a script)."""
    return "ipykernel" in sys.modules


def _notebook_argv() -> list:
    """The flags a notebook gets from the environment (a kernel's argv is not the lab's)."""
    argv = ["--quick"] if os.environ.get("TINYGRAD_EDU_QUICK", "") not in ("", "0") else []
    return argv


def parse_args(name: str, description: str, extra=None) -> argparse.Namespace:
    """Parse the common flags (plus those `extra(parser)` adds), apply --threads and --seed,
    create the output folder (args.out) and print the demo's title."""
    p = argparse.ArgumentParser(prog=f"demos/{name}.py", description=description)
    p.add_argument("--quick", action="store_true", help="small and fast (for CI)")
    base = os.environ.get("TINYGRAD_EDU_OUT") if in_notebook() else None
    p.add_argument(
        "--out",
        default=os.path.join(base or os.path.join("runs", "demos"), name),
        help="output folder",
    )
    p.add_argument("--data-dir", help="folder with the dataset files")
    p.add_argument("--download", action="store_true", help="download missing dataset files")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (0: NumPy's default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu or cuda (every new tensor goes there)")
    if extra is not None:
        extra(p)
    args = p.parse_args(_notebook_argv() if in_notebook() else None)
    if args.threads > 0:
        set_num_threads(args.threads)
    try:
        tg.set_default_device(args.device)
    except (RuntimeError, ValueError) as e:
        raise SystemExit(f"demos/{name}.py: {e}") from None
    tg.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    print(f"== {description}" + ("  [--quick]" if args.quick else ""))
    return args


def load(name: str, args: argparse.Namespace, flatten: bool = False) -> tuple:
    """(train, test) of 'mnist', 'fashion-mnist', 'digits' or 'iris'; a missing dataset ends the
    demo with one line saying where to put the files (exit status 2)."""
    try:
        if name == "digits":
            return datasets.load_digits(flatten=flatten)
        if name == "iris":
            return datasets.load_iris()
        loader = {"mnist": datasets.load_mnist, "fashion-mnist": datasets.load_fashion_mnist}[name]
        return loader(root=args.data_dir, download=args.download, flatten=flatten)
    except FileNotFoundError:
        fail(
            f"{name} not found: pass --data-dir FOLDER with its files (or set "
            "TINYGRAD_EDU_DATA), or --download to fetch them"
        )
    except ImportError as e:
        fail(str(e))
    except (datasets.DownloadError, datasets.ChecksumError) as e:
        fail(str(e))


def fail(message: str) -> None:
    """End the demo with one line on stderr and exit status 2 (like tinygrad-edu)."""
    print(f"{Path(sys.argv[0]).name}: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)


def subset(dataset, n: int | None):
    """A random subset of n samples (the whole dataset when n is None or too large)."""
    if n is None or n >= len(dataset):
        return dataset
    return Subset(dataset, tg.randperm(len(dataset))[:n].tolist())


def split_validation(train, n_val: int, n_train: int | None = None, seed: int = 0) -> tuple:
    """(train, val): n_val samples of the training set held out for validation (a fixed random
    split, the same for every seed), the rest (or n_train of it) kept for training. The test set
    stays untouched until the one final evaluation."""
    if n_val <= 0 or n_val >= len(train):
        raise ValueError(f"split_validation: n_val must be in 1..{len(train) - 1}, got {n_val}")
    rest, val = random_split(train, [len(train) - n_val, n_val], generator=seed)
    if n_train is not None and n_train < len(rest):
        rest = Subset(rest, list(range(n_train)))  # rest is already in random order
    return rest, val


def loader(dataset, batch_size: int = 64, shuffle: bool = False, **kwargs) -> DataLoader:
    return DataLoader(dataset, batch_size, shuffle=shuffle, **kwargs)


def save_figure(fig, path: str) -> None:
    """Close a figure that viz already saved to `path`, and say where it is (in a notebook, also
    show the saved picture)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"  wrote {path}")
    if in_notebook():
        from IPython.display import Image, display

        display(Image(filename=path))


# Okabe-Ito without its pale yellow (unreadable as a thin line on white); a marker per line so
# that lines lying on top of each other (relu and leaky_relu at init) can still be told apart
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
MARKERS = "os^Dv<>"


def plot_lines(
    series: dict,
    path: str,
    title: str,
    xlabel: str = "epoch",
    ylabel: str = "",
    logy: bool = False,
    panels: dict | None = None,
    sharey: bool = False,
    hlines: dict | None = None,
    xs: list | None = None,
    paired: bool = False,
) -> None:
    """Line plots: {label: [y values]} in one panel, or {panel title: {label: ys}} via panels.

    sharey: one y-axis for all panels (so that a flat curve looks flat next to a steep one);
    hlines: {label: y} reference lines drawn in every panel (e.g. the loss of chance);
    xs: the x values (default 1, 2, ...); paired: lines 1-2, 3-4, ... share a colour (a run's
    train and validation curves)."""
    from matplotlib.ticker import MaxNLocator

    from tinygrad_edu.viz._mpl import finish, new_figure

    groups = panels or {title: series}
    width = max(4.6 * len(groups), 0.095 * max(len(t) for t in [title, *groups]) + 0.8)
    fig, axes = new_figure(1, len(groups), figsize=(width, 3.6), sharey=sharey)
    for ax, (name, lines) in zip(axes, groups.items()):
        for i, (label, ys) in enumerate(lines.items()):
            x = xs[: len(ys)] if xs is not None else list(range(1, len(ys) + 1))
            k = i // 2 if paired else i
            ax.plot(
                x,
                ys,
                "--" if "val" in label or "test" in label else "-",
                label=label,
                color=COLOURS[k % len(COLOURS)],
                markersize=3.5,
                marker=MARKERS[k % len(MARKERS)] if len(ys) <= 30 else None,
            )
        for j, (label, y) in enumerate((hlines or {}).items()):
            ax.axhline(y, color="#555555", lw=1, ls=":" if j == 0 else "-.", label=label)
        if logy:
            ax.set_yscale("log")
        ax.set_title(name)
        if xs is None:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if panels:
        fig.suptitle(title)
    save_figure(finish(fig, path), path)


def write_json(path: str, obj: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    print(f"  wrote {path}")


class Timer:
    """`with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
