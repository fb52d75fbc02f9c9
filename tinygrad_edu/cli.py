"""The `tinygrad-edu` command (also `python -m tinygrad_edu`).

    tinygrad-edu demo                          an MLP learns the built-in 8x8 digits (< 1 minute)
    tinygrad-edu train --dataset mnist --data-dir ~/data --hidden 256,128 --optimizer momentum \\
                       --lr 0.01 --epochs 10 --batch-size 64
    tinygrad-edu evaluate runs/mnist-mlp-...   test accuracy of a finished run
    tinygrad-edu resume runs/mnist-mlp-...     continue a run exactly where it stopped (Ctrl-C)
    tinygrad-edu graph --expr "(a*b + c).tanh()" --out expr.svg

Exit status: 0 on success, 2 for bad arguments, missing data, a run folder in use or already
holding a run, or a file that cannot be written (one line on stderr, no traceback), 1 for other
errors, 130 when interrupted by Ctrl-C (after saving a checkpoint).
TINYGRAD_EDU_DEBUG=1 shows the full traceback of an error instead of its one-line summary.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "tinygrad-edu"


class _Parser(argparse.ArgumentParser):
    """argparse with errors on one line: 'tinygrad-edu train: error: ... (see --help)'."""

    def error(self, message: str):  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _int_list(text: str) -> tuple:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated sizes like 256,128, got {text!r}"
        )
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return values


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """The options of `train` and `demo` (demo only changes their defaults)."""
    from .models import ACTIVATIONS, NORMS
    from .train.experiment import DATASETS, MODELS, OPTIMIZERS, SCHEDULES

    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=DATASETS, default="digits")
    g.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder with the dataset files (default: "
        "$TINYGRAD_EDU_DATA, then ~/.cache/tinygrad_edu)",
    )
    g.add_argument("--download", action="store_true", help="download missing dataset files")
    g.add_argument(
        "--val-split",
        type=_fraction,
        default=0.1,
        metavar="F",
        help="hold out this share of train for validation, so that nothing is chosen on the "
        "test set (default 0.1; 0 validates on the test set)",
    )
    g.add_argument("--subset", type=_positive(int), metavar="N", help="train on N random samples")
    g.add_argument("--augment", action="store_true", help="random shifts (crops+flips on CIFAR)")
    g = p.add_argument_group("model")
    g.add_argument("--model", choices=MODELS, default="mlp")
    g.add_argument(
        "--hidden",
        type=_int_list,
        default=(256, 128),
        metavar="SIZES",
        help="MLP hidden sizes, e.g. 256,128 (cnn: the first is its FC width)",
    )
    g.add_argument(
        "--channels",
        type=_int_list,
        metavar="SIZES",
        help="cnn/resnet channels per stage (default 32,64 / 16,32)",
    )
    g.add_argument("--blocks", type=_positive(int), default=1, help="resnet blocks per stage")
    g.add_argument("--activation", choices=list(ACTIVATIONS), default="relu")
    g.add_argument("--norm", choices=NORMS, help="default: none (mlp), batch (cnn, resnet)")
    g.add_argument("--dropout", type=_fraction, default=0.0, metavar="P")
    g = p.add_argument_group("optimisation")
    g.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="adam",
        help="momentum = SGD with --momentum (0.9)",
    )
    g.add_argument("--lr", type=_positive(float), help="default: 0.01 for SGD, 1e-3 for Adam")
    g.add_argument("--momentum", type=_non_negative_float, default=0.9)
    g.add_argument(
        "--weight-decay", type=_non_negative_float, metavar="WD", help="default 0 (0.01 for adamw)"
    )
    g.add_argument("--schedule", choices=SCHEDULES, default="none")
    g.add_argument("--warmup-epochs", type=_non_negative_float, default=1.0)
    g.add_argument("--clip", type=_positive(float), metavar="NORM", help="clip the gradient norm")
    g.add_argument("--label-smoothing", type=_fraction, default=0.0)
    g.add_argument("--epochs", type=_positive(int), default=10)
    g.add_argument("--batch-size", type=_positive(int), default=64)
    g.add_argument("--early-stopping", type=_positive(int), metavar="PATIENCE")
    g = p.add_argument_group("run")
    g.add_argument("--device", default="cpu", help="cpu or cuda")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument(
        "--compile",
        action="store_true",
        help="trace each training step once and replay it (tg.compile)",
    )
    g.add_argument(
        "--out", metavar="DIR", help="run folder (default runs/<dataset>-<model>-<time>)"
    )
    g.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a run already in --out (otherwise that is an error)",
    )
    _add_common(p)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="BLAS threads (default 1: fastest for small models, and on busy "
        "machines; 0 leaves NumPy's default)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, epoch lines only")


DEMO_DEFAULTS = dict(
    dataset="digits",
    model="mlp",
    hidden=(256, 128),
    norm="batch",
    optimizer="adam",
    lr=3e-3,
    schedule="cosine",
    epochs=25,
    batch_size=32,
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="\n\n".join(__doc__.split("\n\n")[:2]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `tinygrad-edu COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="train an MLP on the built-in digits (under a minute)",
        description="Train an MLP with BatchNorm on scikit-learn's 8x8 digits "
        "and leave a run folder (metrics, curves, graph, weights).",
    )
    _add_run_options(demo)
    demo.set_defaults(**DEMO_DEFAULTS)
    train = sub.add_parser(
        "train",
        help="train a model on a dataset",
        description="Train a model and leave a run folder.",
    )
    _add_run_options(train)
    train.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="also log to DIR for `tensorboard --logdir DIR` (needs tensorboardX)",
    )
    from .train.compare import add_compare_subcommand
    from .train.sweep import add_sweep_options

    sweep = sub.add_parser(
        "sweep",
        help="search lr, weight decay and schedule with Optuna",
        description="Run an Optuna study over the learning rate, weight "
        "decay and schedule of a training run (needs optuna).",
    )
    _add_run_options(sweep)
    add_sweep_options(sweep)
    add_compare_subcommand(sub)
    ev = sub.add_parser("evaluate", help="test accuracy of a finished run")
    ev.add_argument("run_dir", metavar="RUN_DIR")
    ev.add_argument(
        "--checkpoint",
        choices=["model", "best", "last"],
        default="model",
        help="model.npz (final weights, default) or checkpoints/best|last.npz",
    )
    ev.add_argument("--confusion", metavar="PNG", help="also save a confusion matrix picture")
    ev.add_argument("--data-dir", metavar="DIR")
    _add_common(ev)
    res = sub.add_parser("resume", help="continue a run from its last checkpoint")
    res.add_argument("run_dir", metavar="RUN_DIR")
    res.add_argument("--epochs", type=_positive(int), help="a new total number of epochs")
    res.add_argument("--data-dir", metavar="DIR")
    _add_common(res)
    from .viz.cli import add_graph_subcommand

    add_graph_subcommand(sub)
    return parser


def _config(args: argparse.Namespace):
    from .train.experiment import Config

    return Config(
        dataset=args.dataset,
        model=args.model,
        hidden=tuple(args.hidden),
        channels=args.channels,
        blocks=args.blocks,
        activation=args.activation,
        norm=args.norm,
        dropout=args.dropout,
        optimizer=args.optimizer,
        lr=args.lr,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
        schedule=args.schedule,
        warmup_epochs=args.warmup_epochs,
        clip=args.clip,
        epochs=args.epochs,
        batch_size=args.batch_size,
        device=args.device,
        seed=args.seed,
        data_dir=args.data_dir,
        download=args.download,
        val_split=args.val_split,
        subset=args.subset,
        augment=args.augment,
        early_stopping=args.early_stopping,
        label_smoothing=args.label_smoothing,
        compile=getattr(args, "compile", False),
    )


def _default_out(args: argparse.Namespace) -> str:
    """runs/<name>-<time>[-n], created here (mkdir fails if it exists), so that two runs
    started in the same second never share a folder."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = "demo" if args.command == "demo" else f"{args.dataset}-{args.model}"
    os.makedirs("runs", exist_ok=True)
    path, n = os.path.join("runs", f"{name}-{stamp}"), 1
    while True:
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            n += 1
            path = os.path.join("runs", f"{name}-{stamp}-{n}")


def _run(args: argparse.Namespace) -> int:
    from .train import runner

    progress = False if args.no_progress else "auto"
    if args.command in ("demo", "train"):
        cfg = _config(args)
        out = args.out = args.out or _default_out(args)
        if args.command == "demo":
            print(
                "tinygrad-edu demo: a multilayer perceptron learns scikit-learn's 8x8 "
                "handwritten digits"
            )
        else:
            print(f"tinygrad-edu train: {cfg.model} on {cfg.dataset}")
        runner.run(
            cfg,
            out,
            print_fn=_print,
            progress=progress,
            overwrite=args.overwrite,
            tensorboard=getattr(args, "tensorboard", None),
        )
    elif args.command == "sweep":
        from .train.sweep import run_sweep

        args.out = args.out or _default_out(args).replace("runs/", "runs/sweep-", 1)
        print(f"tinygrad-edu sweep: {args.trials} trials of {args.model} on {args.dataset}")
        run_sweep(_config(args), args, print_fn=_print)
    elif args.command == "compare":
        from .train.compare import compare

        compare(args.runs, args.out, print_fn=_print)
    elif args.command == "evaluate":
        runner.evaluate_run(
            args.run_dir,
            args.checkpoint,
            print_fn=_print,
            confusion=args.confusion,
            data_dir=args.data_dir,
        )
    elif args.command == "resume":
        print(f"tinygrad-edu resume: {args.run_dir}")
        runner.resume_run(
            args.run_dir, args.epochs, print_fn=_print, progress=progress, data_dir=args.data_dir
        )
    return EXIT_OK


def _print(line: str) -> None:
    print(line, flush=True)


def main(argv: list | None = None) -> int:
    """Parse `argv` (default sys.argv[1:]) and run the command; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "graph":
        return args.func(args)
    from .data.serialization import CheckpointError
    from .train import num_threads
    from .train.checkpoint import CheckpointMismatch
    from .train.experiment import DataError
    from .train.runfolder import RunExists, RunInUse

    if args.threads < 0:
        parser.error("--threads must be >= 0")
    if getattr(args, "device", None) is not None:
        from . import backend

        try:
            args.device = backend.normalize_device(args.device)
        except (RuntimeError, ValueError, TypeError) as e:
            print(f"{PROG} {args.command}: error: --device: {_one_line(e)}", file=sys.stderr)
            return EXIT_USAGE
    where = f"{PROG} {args.command}"
    debug = bool(os.environ.get("TINYGRAD_EDU_DEBUG"))
    try:
        with num_threads(args.threads or None):
            return _run(args)
    except KeyboardInterrupt:
        print(f"{where}: interrupted{_resume_hint(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (RunInUse, RunExists) as e:
        if debug:
            raise
        print(f"{where}: error: {_one_line(e)}", file=sys.stderr)
        return EXIT_USAGE
    except (DataError, FileNotFoundError, ValueError, ImportError) as e:
        if debug:
            raise
        if isinstance(e, (CheckpointMismatch, CheckpointError)):
            print(f"{where}: error: {e}", file=sys.stderr)
            return EXIT_ERROR
        text = _os_error(e) if isinstance(e, OSError) and e.errno else _one_line(e)
        print(f"{where}: error: {text}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as e:
        if debug:
            raise
        print(f"{where}: error: {_one_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:  # a folder that cannot be written, a full disk, a file not readable
        if debug:
            raise
        print(f"{where}: error: {_os_error(e)}", file=sys.stderr)
        return EXIT_USAGE


def _resume_hint(args: argparse.Namespace) -> str:
    """How to continue an interrupted command: only where a checkpoint exists to resume from."""
    run_dir = getattr(args, "out", None) or getattr(args, "run_dir", None)
    if run_dir and os.path.isfile(os.path.join(run_dir, "checkpoints", "last.npz")):
        return f"; continue with: {PROG} resume {run_dir}"
    if run_dir and args.command in ("demo", "train"):
        return f"; nothing to resume yet (start again with --out {run_dir} --overwrite)"
    return ""


def _os_error(e: OSError) -> str:
    """'cannot use PATH: No space left on device (free some space or choose another --out)'."""
    import errno

    what = e.strerror or _one_line(e)
    where = f" {e.filename}" if e.filename else ""
    advice = {
        errno.ENOSPC: "free some space or choose another --out",
        errno.EROFS: "the file system is read-only: choose another --out",
        errno.EACCES: "check its permissions, or choose another --out",
        errno.EFBIG: "the file is too large here: choose another --out",
    }
    hint = advice.get(e.errno)
    return f"cannot use{where}: {what}" + (f" ({hint})" if hint else "")


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())
