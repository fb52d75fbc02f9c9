"""Callbacks: code that fit() runs at fixed points of training, and early stopping.

    class PrintGradNorm(Callback):
        def on_epoch_end(self, state, logs):
            print(state.epoch, logs["grad_norm"])

    fit(..., callbacks=[PrintGradNorm()], early_stopping=EarlyStopping(patience=3))

Every hook receives the TrainState (model, optimizer, scheduler, history, epoch, ...); setting
`state.stop_training = True` ends training after the current epoch.
"""

from __future__ import annotations

import math
from typing import Any

from .history import is_minimised


class TrainState:
    """What a callback can see and change while fit() runs.

    Attributes: model, optimizer, scheduler, history (a History), epoch (epochs completed so
    far; during an epoch, the 0-based index of the running one), epochs (the target), batch
    (batches done in the running epoch), checkpoint_dir (or None), stop_training (set it to
    True to stop after this epoch).
    """

    def __init__(self, model, optimizer, scheduler, history, epochs: int, checkpoint_dir) -> None:
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.history, self.epochs, self.checkpoint_dir = history, epochs, checkpoint_dir
        self.epoch = 0
        self.batch = 0
        self.stop_training = False
        self.stop_reason: str | None = None


class Callback:
    """Base class: override the hooks you need (each does nothing by default)."""

    def on_train_begin(self, state: TrainState) -> None:
        """Before the first epoch (also when resuming: state.history holds the past epochs)."""

    def on_epoch_begin(self, state: TrainState) -> None:
        """Before each epoch; state.epoch is its 0-based index."""

    def on_batch_end(self, state: TrainState, loss: Any) -> None:
        """After each optimizer step; loss is the batch's loss (a 0-d Tensor, detached)."""

    def on_epoch_end(self, state: TrainState, logs: dict) -> None:
        """After each epoch (and its validation); logs is the History row just recorded."""

    def on_train_end(self, state: TrainState) -> None:
        """After the last epoch, after early stopping, and when training is interrupted."""


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than min_delta for `patience` epochs.

    monitor: a History column ('val_loss' by default; 'train_loss' is used when there is no
    validation data). mode: 'min', 'max' or 'auto' (min for losses). restore_best_weights: at
    the end, load the weights of the best epoch back into the model.
    Its state is recomputed from the History, so a resumed run stops where the first would have.
    """

    def __init__(
        self,
        patience: int = 5,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an int >= 1, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        self.patience, self.monitor, self.min_delta = patience, monitor, float(min_delta)
        self.mode, self.restore_best_weights = mode, restore_best_weights
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None
        self._best_state: dict | None = None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if is_minimised(self.monitor, self.mode):
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def _observe(self, epoch: int, value: Any) -> bool:
        """Update best/wait with one epoch's value; True when it is a new best."""
        if value is None or not math.isfinite(value):
            self.wait += 1
            return False
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            return True
        self.wait += 1
        return False

    def on_train_begin(self, state: TrainState) -> None:
        h = state.history
        if self.monitor not in h.columns or (len(h) and self.monitor not in h):
            if self.monitor.startswith("val_") and "train_" + self.monitor[4:] in h.columns:
                self.monitor = "train_" + self.monitor[4:]  # no validation data: watch training
        self.best, self.best_epoch, self.wait, self._best_state = None, None, 0, None
        for epoch, value in zip(h.epoch, h[self.monitor] if self.monitor in h.columns else []):
            self._observe(epoch, value)
        if len(h) and self.wait >= self.patience:  # resumed after it had already stopped
            self.stopped_epoch = h.epoch[-1]
            state.stop_training = True
            best = "none" if self.best is None else f"{self.best:.4g}"
            state.stop_reason = (
                f"early stopping: {self.monitor} had not improved for "
                f"{self.patience} epochs (best {best} at epoch "
                f"{self.best_epoch})"
            )

    def on_epoch_end(self, state: TrainState, logs: dict) -> None:
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping: monitor {self.monitor!r} is not a History column; "
                f"choose one of {sorted(k for k in logs if logs[k] is not None)}"
            )
        if self._observe(logs["epoch"], logs[self.monitor]):
            if self.restore_best_weights:
                self._best_state = {k: v.clone() for k, v in state.model.state_dict().items()}
        elif self.wait >= self.patience:
            self.stopped_epoch = logs["epoch"]
            state.stop_training = True
            state.stop_reason = (
                f"early stopping: {self.monitor} has not improved for {self.patience} epochs "
                f"(best {self.best:.4g} at epoch {self.best_epoch})"
            )

    def on_train_end(self, state: TrainState) -> None:
        if not self.restore_best_weights or self.stopped_epoch is None:
            return
        best = self._best_state
        if best is None and state.checkpoint_dir is not None:  # resumed: best is on disk
            import os

            from .checkpoint import read_checkpoint

            path = os.path.join(state.checkpoint_dir, "best.npz")
            if os.path.exists(path):
                ckpt = read_checkpoint(path)
                if ckpt.get("epoch") == self.best_epoch:
                    best = ckpt["model"]
        if best is not None:
            state.model.load_state_dict(best)
            state.stop_reason = (state.stop_reason or "") + "; restored its weights"
