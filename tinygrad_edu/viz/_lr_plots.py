"""Learning-rate pictures: a schedule, and the LR range test (lr_find) with its plot.

Public through tinygrad_edu.viz.plots (and tinygrad_edu.viz).
"""

from __future__ import annotations

import copy
import math
import os

import numpy as np

from ._mpl import OKABE_ITO, finish, new_figure, to_float_list


def _schedule_lrs(schedule, steps: int | None, metrics) -> list:
    """[[lr of group 0 per step], [group 1], ...] from a list of lrs or (optimizer, scheduler)."""
    if hasattr(schedule, "optimizer") and hasattr(schedule, "step"):
        schedule = (schedule.optimizer, schedule)
    if not (
        isinstance(schedule, tuple) and len(schedule) == 2 and hasattr(schedule[0], "param_groups")
    ):
        return [to_float_list(schedule)]
    # a deep copy, so that the caller's optimizer and scheduler are left where they were
    optimizer, scheduler = copy.deepcopy(schedule)
    steps = 100 if steps is None else int(steps)
    plateau = type(scheduler).__name__ == "ReduceLROnPlateau"
    if plateau and (metrics is None or len(metrics) < steps):
        raise ValueError("plot_lr_schedule: ReduceLROnPlateau needs metrics=[one value per step]")
    lrs: list = [[] for _ in optimizer.param_groups]
    for i in range(steps):
        for k, group in enumerate(optimizer.param_groups):
            lrs[k].append(float(group["lr"]))
        if plateau:
            scheduler.step(float(metrics[i]))
        else:
            scheduler.step()
    return lrs


def plot_lr_schedule(
    schedule,
    path=None,
    *,
    steps: int | None = None,
    metrics=None,
    log: bool = False,
    title: str | None = None,
    figsize=(6.0, 3.6),
    dpi: int = 100,
):
    """The learning rate at each step.

    schedule: a list of learning rates, or an (optimizer, scheduler) pair (or a scheduler, which
    knows its optimizer) stepped `steps` times (default 100) on a deep copy, so that the real
    ones are untouched. ReduceLROnPlateau needs metrics=[value per step]. log=True: a log y
    axis (for exponential decays).
    """
    series = _schedule_lrs(schedule, steps, metrics)
    fig, (ax,) = new_figure(1, 1, figsize=figsize, dpi=dpi)
    for k, lrs in enumerate(series):
        label = f"param group {k}" if len(series) > 1 else "lr"
        ax.plot(np.arange(len(lrs)), lrs, color=OKABE_ITO[k % 8], lw=2, label=label)
    if log:
        ax.set_yscale("log")
    name = type(schedule[1]).__name__ if isinstance(schedule, tuple) else None
    name = name or (type(schedule).__name__ if hasattr(schedule, "optimizer") else None)
    ax.set_title(title or (f"learning rate schedule ({name})" if name else "learning rate"))
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=8)
    return finish(fig, path)


def _copy_state(state: dict) -> dict:
    """A copy of a model state_dict whose Tensors own their memory (state_dict shares it)."""
    out = {}
    for k, v in state.items():
        out[k] = v.detach().clone() if hasattr(v, "detach") else copy.deepcopy(v)
    return out


def _batches(loader):
    """Yield batches forever, starting the loader again when it is exhausted."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("lr_find: the loader yielded no batches")


def lr_find(
    model,
    loss_fn,
    optimizer,
    loader,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_iter: int = 100,
    *,
    smooth: float = 0.05,
    diverge: float = 4.0,
) -> tuple:
    """The learning-rate range test: train for up to `num_iter` batches while the learning rate
    grows exponentially from start_lr to end_lr, recording the (smoothed) loss; stop early once
    the loss is `diverge` times its best or not finite. The model's and optimizer's states are
    restored afterwards (state_dict / load_state_dict), so the test leaves no trace.

    loader yields (inputs, targets) batches; loss_fn(model(inputs), targets) is a 0-d Tensor.
    Returns (lrs, losses) as lists of floats; plot them with plot_lr_find.
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(f"lr_find: need 0 < start_lr < end_lr, got {start_lr}, {end_lr}")
    if num_iter < 2:
        raise ValueError(f"lr_find: num_iter must be >= 2, got {num_iter}")
    model_state = _copy_state(model.state_dict())
    optimizer_state = copy.deepcopy(optimizer.state_dict())
    gamma = (end_lr / start_lr) ** (1.0 / (num_iter - 1))
    lrs: list = []
    losses: list = []
    avg, best = 0.0, math.inf
    try:
        batches = _batches(loader)
        for i in range(num_iter):
            lr = start_lr * gamma**i
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = next(batches)
            inputs, targets = batch[0], batch[1]
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            value = float(loss.item())
            if not math.isfinite(value):
                break
            avg = (1 - smooth) * avg + smooth * value  # an EMA started at 0, so debias it
            smoothed = avg / (1 - (1 - smooth) ** (i + 1))
            lrs.append(lr)
            losses.append(smoothed)
            best = min(best, smoothed)
            if i > 5 and smoothed > diverge * best:
                break
    finally:
        model.load_state_dict(model_state)
        optimizer.load_state_dict(optimizer_state)
        optimizer.zero_grad()
    return lrs, losses


def suggest_lr(lrs, losses, skip_start: int = 5, skip_end: int = 2) -> float | None:
    """The learning rate where the smoothed loss falls fastest (steepest slope in log lr)
    before its minimum; None when too few points remain."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    end = min(len(lrs) - skip_end, int(np.argmin(losses)) + 1)
    if end - skip_start < 3:
        return None
    slope = np.gradient(losses[skip_start:end], np.log10(lrs[skip_start:end]))
    return float(lrs[skip_start + int(np.argmin(slope))])


def plot_lr_find(
    lrs,
    losses=None,
    path=None,
    *,
    skip_start: int = 5,
    skip_end: int = 2,
    figsize=(6.0, 4.0),
    dpi: int = 100,
):
    """Loss against learning rate (log x) from lr_find, with the steepest-descent point marked
    as a suggestion: a good starting learning rate lies near it, well before the minimum.
    `plot_lr_find(lr_find(...))` works too."""
    if losses is None or (isinstance(losses, (str, os.PathLike)) and path is None):
        path, (lrs, losses) = losses, lrs  # plot_lr_find(lr_find(...), "lr.png")
    lrs, losses = to_float_list(lrs), to_float_list(losses)
    if len(lrs) != len(losses) or not lrs:
        raise ValueError(f"plot_lr_find: got {len(lrs)} learning rates and {len(losses)} losses")
    fig, (ax,) = new_figure(1, 1, figsize=figsize, dpi=dpi)
    cut = slice(min(skip_start, max(len(lrs) - 3, 0)), max(len(lrs) - skip_end, 1))
    ax.plot(lrs[cut], losses[cut], color=OKABE_ITO[0], lw=2, label="smoothed loss")
    ax.set_xscale("log")
    best = suggest_lr(lrs, losses, skip_start, skip_end)
    if best is not None:
        y = losses[lrs.index(best)]
        ax.plot(
            best,
            y,
            "o",
            color=OKABE_ITO[3],
            markersize=9,
            label=f"steepest descent: lr = {best:.2e}",
        )
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    ax.set_title("learning-rate range test")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return finish(fig, path)
