"""Run a Config end to end and leave a run folder behind; evaluate a finished run.

    metrics = run(Config(dataset="digits"), "runs/digits")
    evaluate_run("runs/digits")            # test accuracy of its model.npz

A run folder holds:
    config.json        the Config (what `tinygrad-edu resume/evaluate` rebuild the run from)
    history.csv/.json  per-epoch loss, accuracy, learning rate, time and gradient norm
    curves.png         the History as pictures (needs matplotlib)
    graph.svg          the model's autograd graph on a few samples (needs graphviz)
    model.npz          the final weights (tg.save of model.state_dict())
    metrics.json       test accuracy and loss, best epoch, timings, parameter count
    checkpoints/       last.npz (every epoch, and on Ctrl-C) and best.npz (lowest val loss)

Every file is written atomically, and metrics.json last: a folder with metrics.json is a
finished run whose files all belong together; without it, `resume` completes whatever is
missing. A run holds the folder's lock (runfolder.RunLock) while it writes.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any, Callable

from .. import nn
from ..autograd.grad_mode import no_grad
from ..composite.join import cat
from ..data._atomic import remove_stale_temporaries, replacing, write_text
from ..data.serialization import load, save
from .checkpoint import read_checkpoint
from .experiment import (
    Config,
    build_model,
    build_optimizer,
    build_scheduler,
    describe,
    load_config,
    load_data,
    loaders,
    save_config,
)
from .history import History
from .loop import evaluate, fit
from .runfolder import RunLock, prepare_new_run


def _loss_fn(cfg: Config) -> nn.Module:
    return nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)


def _setup(cfg: Config) -> tuple:
    cfg.check()
    data = load_data(cfg)  # seeds the library RNG with cfg.seed
    model = build_model(cfg, data).to(cfg.device)
    train_loader, val_loader, test_loader = loaders(cfg, data)
    optimizer = build_optimizer(cfg, model)
    scheduler, interval = build_scheduler(cfg, optimizer, len(train_loader))
    return data, model, optimizer, scheduler, interval, train_loader, val_loader, test_loader


def run(
    cfg: Config,
    out: str,
    resume: bool = False,
    print_fn: Callable = print,
    progress: Any = "auto",
    overwrite: bool = False,
    tensorboard: str | None = None,
) -> dict:
    """Train cfg's model, evaluate it on the test set and fill the run folder `out`.

    resume: continue from out/checkpoints/last.npz (exactly where it stopped). overwrite:
    replace a run already in `out` (otherwise RunExists). The folder is locked while the run
    writes (RunInUse if another process has it). Returns the metrics dict (also written to
    metrics.json). Ctrl-C saves last.npz and raises KeyboardInterrupt. tensorboard: a folder
    for a TensorBoardLogger (scalars, histograms and the graph picture).
    """
    with RunLock(out):
        if not resume:
            prepare_new_run(out, overwrite)
        return _run_locked(cfg, out, resume, print_fn, progress, tensorboard)


def _run_locked(
    cfg: Config,
    out: str,
    resume: bool,
    print_fn: Callable,
    progress: Any,
    tensorboard: str | None = None,
) -> dict:
    start = time.perf_counter()
    callbacks = []
    if tensorboard is not None:
        from .tensorboard import TensorBoardLogger

        callbacks.append(TensorBoardLogger(tensorboard))
    data, model, optimizer, scheduler, interval, train_loader, val_loader, test_loader = _setup(cfg)
    ckpt_dir = os.path.join(out, "checkpoints")
    for line in describe(cfg, data, model):
        print_fn(line)
    print_fn(f"run      {os.path.abspath(out)}")
    _remove(os.path.join(out, "metrics.json"))  # the folder is unfinished until it is rewritten
    for folder in (out, ckpt_dir):  # temporaries of a killed earlier attempt
        remove_stale_temporaries(folder)
    save_config(cfg, os.path.join(out, "config.json"))
    loss_fn = _loss_fn(cfg)
    history = fit(
        model,
        loss_fn,
        optimizer,
        train_loader,
        val_loader,
        cfg.epochs,
        scheduler,
        cfg.clip,
        cfg.early_stopping,
        device=cfg.device,
        checkpoint_dir=ckpt_dir,
        resume=resume,
        scheduler_interval=interval,
        progress=progress,
        print_fn=print_fn,
        extra={"config": cfg.to_dict()},
        compile=cfg.compile,
        **({"callbacks": callbacks} if callbacks else {}),
    )
    train_time = sum(t or 0.0 for t in history.time)  # every epoch, across interrupts
    test = evaluate(model, test_loader, loss_fn)
    metrics = _metrics(cfg, data, model, history, test, train_time)
    notes = write_outputs(out, model, history, metrics, test_loader, loss_fn, cfg)
    for cb in callbacks:  # the TensorBoard logger: add the graph picture, then close
        x, y = next(iter(test_loader))
        if not cb.add_graph_picture(model, loss_fn, x[:4], y[:4]):
            notes.append("note: no graph image in TensorBoard (graphviz's dot is missing)")
        cb.close()
        print_fn(f"tensorboard: tensorboard --logdir {tensorboard}")
    metrics["total_time_s"] = round(time.perf_counter() - start, 2)
    _write_json(os.path.join(out, "metrics.json"), metrics)  # last: it marks the run finished
    print_fn(
        f"test accuracy {test['accuracy']:.2%} (loss {test['loss']:.4f}) on "
        f"{test['n']:,} {cfg.dataset} test samples; {len(history)} epochs in "
        f"{metrics['train_time_s']:.1f}s"
    )
    files = [
        f
        for f in ("metrics.json", "history.csv", "curves.png", "graph.svg", "model.npz")
        if os.path.exists(os.path.join(out, f))
    ]
    print_fn(f"run folder: {os.path.abspath(out)} ({', '.join(files)}, checkpoints/)")
    for note in notes:
        print_fn(note)
    return metrics


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _metrics(cfg: Config, data: Any, model: Any, history: History, test: dict, seconds: float):
    from .. import __version__
    from ..models import count_parameters

    monitor = "val_loss" if "val_loss" in history else "train_loss"
    best = history.best_epoch(monitor)
    epochs_run = len(history)
    return {
        "dataset": cfg.dataset,
        "model": cfg.model,
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "test_samples": test["n"],
        "validation": "test set" if data.val_is_test else f"{len(data.val)} held-out train samples",
        "final_train_loss": history.train_loss[-1] if epochs_run else None,
        "final_train_accuracy": history.train_acc[-1] if epochs_run else None,
        "best_epoch": best,
        "best_val_loss": history[monitor][best - 1] if best else None,
        "best_val_accuracy": history.val_acc[best - 1] if best and "val_acc" in history else None,
        "epochs": epochs_run,
        "stopped_early": epochs_run < cfg.epochs,
        "train_time_s": round(seconds, 2),
        "seconds_per_epoch": round(sum(t or 0.0 for t in history.time) / max(1, epochs_run), 3),
        "parameters": count_parameters(model),
        "device": cfg.device,
        "seed": cfg.seed,
        "version": __version__,
    }


def _write_json(path: str, obj: dict) -> None:
    clean = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in obj.items()
    }
    write_text(path, json.dumps(clean, indent=1) + "\n")


def write_outputs(
    out: str, model: Any, history: History, metrics: dict, loader: Any, loss_fn: Any, cfg: Config
) -> list:
    """model.npz, history.csv/json, curves.png and graph.svg; returns notes about pictures
    that could not be made (a missing optional package), one line each."""
    notes = []
    save(model.state_dict(), os.path.join(out, "model.npz"))
    history.save_csv(os.path.join(out, "history.csv"))
    history.save_json(os.path.join(out, "history.json"))
    try:
        with replacing(os.path.join(out, "curves.png"), keep_suffix=True) as tmp:
            fig = history.plot(
                tmp,
                title=f"{cfg.model} on {cfg.dataset}: test accuracy {metrics['test_accuracy']:.2%}",
            )
            _close(fig)
    except ImportError as e:
        notes.append(f"note: curves.png skipped ({str(e).splitlines()[0]})")
    try:
        with replacing(os.path.join(out, "graph.svg"), keep_suffix=True) as tmp:
            draw_model_graph(model, loader, loss_fn, tmp)
    except Exception as e:  # graphviz missing, `dot` missing: the run itself is fine
        if not isinstance(e, (ImportError, RuntimeError, OSError)) or _disk_error(e):
            raise
        notes.append(f"note: graph.svg skipped ({str(e).splitlines()[0]})")
    return notes


def _disk_error(e: BaseException) -> bool:
    """An OSError of the file system (full, read-only, no permission): the run cannot finish."""
    import errno

    codes = {
        getattr(errno, n, None) for n in ("ENOSPC", "EROFS", "EACCES", "EDQUOT", "EFBIG", "EPERM")
    } - {None}
    return isinstance(e, OSError) and e.errno in codes


def _close(fig: Any) -> None:
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except ImportError:
        pass


def draw_model_graph(
    model: Any, loader: Any, loss_fn: Any, path: str, samples: int = 4, collapse="auto"
) -> str:
    """Draw the autograd graph of loss_fn(model(x), y) for the first `samples` samples of the
    loader, in eval mode (BatchNorm statistics stay as they are), and save it to `path`."""
    from ..viz import draw_graph

    x, y = next(iter(loader))
    x, y = x[:samples], y[:samples]
    was_training = model.training
    model.eval()
    try:
        loss = loss_fn(model(x), y)
        loss.backward(retain_graph=True)  # keeps BatchNorm's running statistics nameable
        graph = draw_graph(loss, params=model, collapse=collapse, max_nodes=5000)
        graph.save(path)
    finally:
        model.zero_grad()
        model.train(was_training)
    return path


def evaluate_run(
    run_dir: str,
    checkpoint: str = "model",
    print_fn: Callable = print,
    confusion: str | None = None,
    data_dir: str | None = None,
) -> dict:
    """Test accuracy and loss of a run's weights: checkpoint 'model' (model.npz, the final
    weights), 'best' or 'last' (checkpoints/). confusion: also save a confusion-matrix picture."""
    cfg = load_config(run_dir)
    if data_dir is not None:
        cfg.data_dir = data_dir
    path = (
        os.path.join(run_dir, "model.npz")
        if checkpoint == "model"
        else os.path.join(run_dir, "checkpoints", f"{checkpoint}.npz")
    )
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} does not exist (has the run finished? try --checkpoint last)"
        )
    data = load_data(cfg)
    model = build_model(cfg, data).to(cfg.device)
    state = load(path) if checkpoint == "model" else read_checkpoint(path)["model"]
    model.load_state_dict(state)
    _, _, test_loader = loaders(cfg, data)
    result = evaluate(model, test_loader, _loss_fn(cfg))
    print_fn(
        f"{path}: test accuracy {result['accuracy']:.2%} (loss {result['loss']:.4f}) on "
        f"{result['n']:,} {cfg.dataset} test samples"
    )
    if confusion:
        _confusion(model, test_loader, confusion)
        print_fn(f"confusion matrix: {os.path.abspath(confusion)}")
    return result


def _confusion(model: Any, loader: Any, path: str) -> None:
    from ..viz import plot_confusion_matrix

    model.eval()
    preds, targets = [], []
    with no_grad():
        for x, y in loader:
            preds.append(model(x).argmax(1))
            targets.append(y)
    _close(plot_confusion_matrix(cat(targets), cat(preds), path))


def resume_run(
    run_dir: str,
    epochs: int | None = None,
    print_fn: Callable = print,
    progress: Any = "auto",
    data_dir: str | None = None,
) -> dict:
    """Continue a run from its checkpoints/last.npz, optionally to a new total of epochs, and
    complete whatever is missing (training, final evaluation, outputs, metrics.json)."""
    cfg = load_config(run_dir)
    with RunLock(run_dir):
        last = os.path.join(run_dir, "checkpoints", "last.npz")
        if not os.path.isfile(last):
            raise FileNotFoundError(
                f"{last} does not exist: the run stopped before its first "
                "checkpoint; start it again with `tinygrad-edu train "
                "--overwrite`"
            )
        done = read_checkpoint(last)
        if data_dir is not None:
            cfg.data_dir = data_dir
        if epochs is not None:
            if epochs < done["epoch"]:
                raise ValueError(
                    f"{run_dir} has already trained {done['epoch']} epochs; "
                    f"--epochs {epochs} cannot undo them"
                )
            cfg.epochs = epochs
        if os.path.isfile(os.path.join(run_dir, "metrics.json")) and not done.get("partial"):
            if done["epoch"] >= cfg.epochs:
                raise ValueError(
                    f"{run_dir} has already trained {done['epoch']} of "
                    f"{cfg.epochs} epochs; pass --epochs N with a larger total to "
                    "train longer"
                )
            if _stopped_early(run_dir):
                raise ValueError(
                    f"{run_dir} is finished: it stopped early after "
                    f"{done['epoch']} epochs (--early-stopping)"
                )
        elif done["epoch"] >= cfg.epochs and not done.get("partial"):
            print_fn(f"training is complete ({done['epoch']} epochs); finishing the run folder")
        return _run_locked(cfg, run_dir, True, print_fn, progress)


def _stopped_early(run_dir: str) -> bool:
    try:
        with open(os.path.join(run_dir, "metrics.json"), encoding="utf-8") as f:
            return bool(json.load(f).get("stopped_early"))
    except (OSError, ValueError):
        return False
