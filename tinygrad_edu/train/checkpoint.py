"""Training checkpoints: everything needed to continue a run exactly where it stopped.

A checkpoint is one tg.save archive (written atomically: a crash never leaves half a file) with

    format, version                  "tinygrad_edu.train", 1
    model                            model.state_dict()
    optimizer, scheduler             their state_dict()s (scheduler None when there is none)
    optimizer_class, scheduler_class their class names (a checkpoint of Adam never loads into SGD)
    rng                              tinygrad_edu.backend.get_rng_state(): shuffling and dropout
    epoch                            the number of completed epochs
    history                          History.to_dict() up to that epoch
    partial                          None, or the state of an epoch interrupted part-way (Ctrl-C):
                                     batches done, running sums, and the RNG state at its start
    extra                            anything the caller adds (the CLI stores its config)

    save_checkpoint("last.npz", model, optimizer, scheduler, epoch=3, history=history)
    state = load_checkpoint("last.npz", model, optimizer, scheduler)   # restores in place
"""

from __future__ import annotations

import os
from typing import Any

from .. import backend
from ..data.serialization import load, save

FORMAT = "tinygrad_edu.train"
VERSION = 1


class CheckpointMismatch(ValueError):
    """A checkpoint that does not fit the model, optimizer or scheduler it is loaded into."""


def save_checkpoint(
    path: str | os.PathLike,
    model: Any,
    optimizer: Any = None,
    scheduler: Any = None,
    *,
    epoch: int,
    history: Any = None,
    partial: dict | None = None,
    extra: dict | None = None,
) -> str:
    """Write a checkpoint of the run at `path` (atomically); return the path.

    history may be a History or a dict of lists; partial describes an epoch interrupted part-way
    (see module docstring); extra is any tg.save-able dict (e.g. the run's configuration).
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if history is not None and hasattr(history, "_data"):
        history = {k: list(v) for k, v in history._data.items()}  # every column, Nones included
    state = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "optimizer_class": type(optimizer).__name__ if optimizer is not None else None,
        "scheduler_class": type(scheduler).__name__ if scheduler is not None else None,
        "rng": backend.get_rng_state(),
        "epoch": int(epoch),
        "history": history,
        "partial": partial,
        "extra": extra or {},
    }
    save(state, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint dict at `path`, checked to be a training checkpoint (nothing restored)."""
    state = load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointMismatch(
            f"{os.fspath(path)} is a tg.save archive but not a training checkpoint (it was not "
            "written by tinygrad_edu.train.save_checkpoint); load it with tg.load instead"
        )
    if state.get("version", 0) > VERSION:
        raise CheckpointMismatch(
            f"{os.fspath(path)} was written by a newer tinygrad_edu "
            f"(version {state['version']}); upgrade to resume it"
        )
    return state


def _check_kind(path: Any, what: str, obj: Any, state: dict) -> None:
    """CheckpointMismatch unless the saved optimizer/scheduler is of obj's class (by the class
    name it recorded; for older files, by the hyper-parameter names of the optimizer groups)."""
    saved = state.get(f"{what}_class")
    mine = type(obj).__name__
    if saved is not None and saved != mine:
        raise CheckpointMismatch(
            f"{os.fspath(path)} holds the state of a {saved} {what}, not "
            f"of this {mine}; build a {saved} to resume it"
        )
    if saved is None and what == "optimizer":
        groups = state["optimizer"].get("param_groups") or [{}]
        missing = set(getattr(obj, "defaults", {})) - set(groups[0])
        if missing:  # (schedulers add keys such as initial_lr: only ours are compared)
            raise CheckpointMismatch(
                f"{os.fspath(path)}: its optimizer lacks the hyper-parameters "
                f"{sorted(missing)} of {mine}; it was saved from a different optimizer"
            )


def load_checkpoint(
    path: str | os.PathLike,
    model: Any,
    optimizer: Any = None,
    scheduler: Any = None,
    *,
    restore_rng: bool = True,
) -> dict:
    """Restore model, optimizer and scheduler state (and the library RNG) from `path`, in place.

    Returns the whole checkpoint dict (epoch, history, partial, extra, ...). Raises
    CheckpointMismatch when the file was made for a different model or optimizer.
    """
    state = read_checkpoint(path)
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as e:
        raise CheckpointMismatch(
            f"{os.fspath(path)} does not fit this model: {str(e).splitlines()[-1].strip()}"
        ) from None
    if optimizer is not None and state.get("optimizer") is not None:
        _check_kind(path, "optimizer", optimizer, state)
        try:
            optimizer.load_state_dict(state["optimizer"])
        except (ValueError, KeyError, RuntimeError, TypeError) as e:
            raise CheckpointMismatch(
                f"{os.fspath(path)}: the optimizer state does not fit {type(optimizer).__name__} "
                f"({e})"
            ) from None
    if scheduler is not None and state.get("scheduler") is not None:
        _check_kind(path, "scheduler", scheduler, state)
        scheduler.load_state_dict(state["scheduler"])
    if restore_rng and state.get("rng") is not None:
        backend.set_rng_state(state["rng"])
    return state
