"""Hyperparameter search with Optuna: `tinygrad-edu sweep`.

    tinygrad-edu sweep --dataset digits --epochs 5 --trials 20 --out runs/sweep-digits
    tinygrad-edu compare runs/sweep-digits/trial_*          # the trials' curves side by side

Each trial trains the configured model with a learning rate, weight decay and schedule chosen by
Optuna's TPE sampler (seeded with --seed) and is scored by its best validation loss; the median
pruner stops trials whose validation loss is worse than the median of earlier trials at the
same epoch. Validation is a held-out part of the training set (--val-split, 0.1 when not given):
the test set is never looked at. The run folder gets trials.csv, best.json, trial_NNN/history.json
and Optuna's standard plots (optimization history, parameter importances, slices, parallel
coordinates). Needs the optional `optuna` extra: pip install optuna.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import replace
from typing import Any, Callable

from .callbacks import Callback

INSTALL = "pip install optuna  (or: pip install 'tinygrad_edu[optuna]')"
SCHEDULE_CHOICES = ("none", "step", "cosine", "warmup-cosine")
PLOTS = ("optimization_history", "param_importances", "slice", "parallel_coordinate")


def import_optuna():
    try:
        import optuna
    except ImportError as e:
        raise ImportError(f"tinygrad-edu sweep needs the optuna package: {INSTALL}") from e
    return optuna


def add_sweep_options(p) -> None:
    """The flags `sweep` adds to the run options of `train`."""
    g = p.add_argument_group("sweep")
    g.add_argument("--trials", type=int, default=20, help="number of trials (default 20)")
    g.add_argument("--timeout", type=float, metavar="S", help="stop starting trials after S s")
    g.add_argument(
        "--lr-range",
        type=float,
        nargs=2,
        default=(1e-4, 1e-1),
        metavar=("LO", "HI"),
        help="log-uniform range of the learning rate",
    )
    g.add_argument(
        "--wd-range",
        type=float,
        nargs=2,
        default=(1e-6, 1e-2),
        metavar=("LO", "HI"),
        help="log-uniform range of the weight decay",
    )
    g.add_argument(
        "--schedules",
        nargs="+",
        default=list(SCHEDULE_CHOICES),
        choices=["none", "step", "cosine", "warmup-cosine", "onecycle"],
        metavar="NAME",
        help="schedules to choose from: none, step, cosine, warmup-cosine, onecycle "
        "(default: all but onecycle)",
    )
    g.add_argument("--no-prune", action="store_true", help="run every trial to the end")


class _Report(Callback):
    """Hands each epoch's validation loss to Optuna and stops a trial it prunes."""

    def __init__(self, trial: Any) -> None:
        self.trial, self.pruned = trial, False

    def on_epoch_end(self, state, logs: dict) -> None:
        value = logs.get("val_loss")
        if value is None or not math.isfinite(value):
            state.stop_training, state.stop_reason = True, "validation loss is not finite"
            return
        self.trial.report(value, logs["epoch"])
        if self.trial.should_prune():
            self.pruned = True
            state.stop_training = True
            state.stop_reason = f"pruned at epoch {logs['epoch']} (worse than the median)"


def _objective(base, out: str, schedules: list, lr_range, wd_range, print_fn: Callable):
    from .loop import fit
    from .runner import _loss_fn, _setup

    optuna = import_optuna()

    def objective(trial) -> float:
        cfg = replace(
            base,
            lr=trial.suggest_float("lr", *lr_range, log=True),
            weight_decay=trial.suggest_float("weight_decay", *wd_range, log=True),
            schedule=trial.suggest_categorical("schedule", schedules),
        )
        _, model, optimizer, scheduler, interval, train_loader, val_loader, _ = _setup(cfg)
        report = _Report(trial)
        history = fit(
            model,
            _loss_fn(cfg),
            optimizer,
            train_loader,
            val_loader,
            cfg.epochs,
            scheduler,
            cfg.clip,
            callbacks=[report],
            scheduler_interval=interval,
            progress=False,
            verbose=False,
            device=cfg.device,
        )
        folder = os.path.join(out, f"trial_{trial.number:03d}")
        os.makedirs(folder, exist_ok=True)
        history.save_json(os.path.join(folder, "history.json"))
        losses = [v for v in history.val_loss if v is not None and math.isfinite(v)]
        best = min(losses) if losses else float("inf")
        status = "pruned" if report.pruned else f"{len(history)} epochs"
        print_fn(
            f"trial {trial.number:3d}  lr {cfg.lr:.2e}  wd {cfg.weight_decay:.1e}  "
            f"{cfg.schedule:13s} best val loss {best:.4f}  ({status})"
        )
        if report.pruned:
            raise optuna.TrialPruned()
        return best

    return objective


def _write_trials(study, path: str) -> None:
    with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["number", "state", "value", "lr", "weight_decay", "schedule"])
        for t in study.trials:
            p = t.params
            w.writerow(
                [
                    t.number,
                    t.state.name,
                    t.value,
                    p.get("lr"),
                    p.get("weight_decay"),
                    p.get("schedule"),
                ]
            )
    os.replace(path + ".tmp", path)


def save_plots(study, out: str) -> list:
    """Optuna's matplotlib plots as PNGs; returns the notes for plots that could not be made
    (e.g. parameter importances need two finished trials)."""
    import warnings

    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm

    notes = []
    for name in PLOTS:
        try:
            with warnings.catch_warnings():  # "experimental" notes on every optuna plot
                warnings.simplefilter("ignore")
                result = getattr(ovm, f"plot_{name}")(study)
        except (ValueError, RuntimeError, ImportError, ZeroDivisionError) as e:
            notes.append(f"note: {name}.png skipped ({' '.join(str(e).split())[:120]})")
            continue
        axes = result.ravel() if hasattr(result, "ravel") else [result]
        fig = axes[0].figure
        fig.set_size_inches(max(6.4, 3.4 * len(axes)), 4.8)  # room for the log-axis labels
        fig.savefig(os.path.join(out, f"{name}.png"), dpi=100, bbox_inches="tight")
        plt.close(fig)
    return notes


def run_sweep(cfg, args, print_fn: Callable = print) -> dict:
    """Run the study described by `cfg` (the base run) and the sweep flags in `args`; fill the
    folder args.out. Returns the contents of best.json."""
    optuna = import_optuna()
    if args.trials < 1:
        raise ValueError(f"sweep: --trials must be >= 1, got {args.trials}")
    for flag, (lo, hi) in (("--lr-range", args.lr_range), ("--wd-range", args.wd_range)):
        if not 0 < lo < hi:
            raise ValueError(f"sweep: {flag} needs 0 < LO < HI, got {lo} {hi}")
    if cfg.val_split == 0:
        cfg = replace(cfg, val_split=0.1)
    print_fn(
        f"validation: {cfg.val_split:.0%} of the training set (the test set is not used by a sweep)"
    )
    cfg.check()
    out = args.out
    os.makedirs(out, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = (
        optuna.pruners.NopPruner()
        if args.no_prune
        else optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    )
    sampler = optuna.samplers.TPESampler(seed=cfg.seed)
    name = os.path.basename(os.path.normpath(out))
    study = optuna.create_study(
        direction="minimize", sampler=sampler, pruner=pruner, study_name=name
    )
    if hasattr(study, "set_metric_names"):  # optuna >= 3.2: the plots name the metric
        import warnings

        with warnings.catch_warnings():  # "experimental"
            warnings.simplefilter("ignore")
            study.set_metric_names(["best validation loss"])
    objective = _objective(cfg, out, args.schedules, args.lr_range, args.wd_range, print_fn)
    study.optimize(objective, n_trials=args.trials, timeout=args.timeout)
    _write_trials(study, os.path.join(out, "trials.csv"))
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not done:
        raise RuntimeError("sweep: no trial finished (all were pruned or failed)")
    best = study.best_trial
    result = {
        "best_trial": best.number,
        "best_val_loss": best.value,
        "params": best.params,
        "trials": len(study.trials),
        "complete": len(done),
        "pruned": sum(t.state.name == "PRUNED" for t in study.trials),
        "base_config": cfg.to_dict(),
    }
    with open(os.path.join(out, "best.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    for note in save_plots(study, out):
        print_fn(note)
    p = best.params
    print_fn(
        f"best: trial {best.number}, validation loss {best.value:.4f} with lr {p['lr']:.3g}, "
        f"weight decay {p['weight_decay']:.2g}, schedule {p['schedule']} "
        f"({result['complete']} finished, {result['pruned']} pruned)"
    )
    print_fn(
        f"train it: tinygrad-edu train --dataset {cfg.dataset} --model {cfg.model} "
        f"--optimizer {cfg.optimizer} --lr {p['lr']:.3g} --weight-decay "
        f"{p['weight_decay']:.2g} --schedule {p['schedule']} --epochs {cfg.epochs} "
        f"--val-split {cfg.val_split}"
    )
    print_fn(
        f"sweep folder: {os.path.abspath(out)} (trials.csv, best.json, "
        f"{', '.join(n + '.png' for n in PLOTS)}, trial_*/)"
    )
    return result
