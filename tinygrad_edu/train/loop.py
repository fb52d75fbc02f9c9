"""fit() and evaluate(): the training loop that the CLI and the demos use.

    from tinygrad_edu.train import fit, evaluate
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01,
                  momentum=0.9), train_loader, test_loader, epochs=10, checkpoint_dir="run/ckpt")
    evaluate(model, test_loader, nn.CrossEntropyLoss())   # {'loss': ..., 'accuracy': ..., 'n': ...}

One step is the textbook one: out = model(x); loss = loss_fn(out, y); optimizer.zero_grad();
loss.backward(); [clip]; optimizer.step(); [scheduler.step()]. Loss, accuracy and gradient norm
are summed as Tensors, so the step itself never waits for `.item()`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable

from .. import backend
from ..autograd.grad_mode import no_grad
from ..composite.join import stack
from ..tensor import Tensor
from .callbacks import Callback, EarlyStopping, TrainState
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History
from .metrics import Sums, accuracy_fn_for
from .progress import EpochBar, format_epoch, stream_is_terminal

__all__ = ["fit", "evaluate"]


def _to(x: Any, device: str | None) -> Any:
    """x on `device` (unchanged when device is None or x is already there)."""
    if device is None or not isinstance(x, Tensor) or x.device == device:
        return x
    return x.to(device)


def evaluate(
    model: Any,
    loader: Iterable,
    loss_fn: Callable | None = None,
    device: Any = None,
    accuracy_fn: Any = "auto",
) -> dict:
    """Mean loss and accuracy of `model` over `loader`, in eval mode and without grad.

    Returns {'loss': float or None, 'accuracy': float or None, 'n': number of samples}; the
    model's train/eval mode is restored afterwards.
    """
    device = backend.normalize_device(device) if device is not None else None
    correct_fn = accuracy_fn_for(accuracy_fn, loss_fn)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    sums = Sums()
    try:
        with no_grad():
            for x, y in loader:
                x, y = _to(x, device), _to(y, device)
                out = model(x)
                n = int(x.shape[0])
                loss = loss_fn(out, y) if loss_fn is not None else None
                sums.add(loss, n, correct_fn(out, y) if correct_fn else None, None)
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    m = sums.means()
    return {"loss": m["loss"], "accuracy": m["acc"], "n": sums.n}


class _InterruptGuard:
    """Turns the first Ctrl-C into a flag that is checked between steps, so that an optimizer
    step is never cut in half and the checkpoint written on the way out holds a state between
    two whole steps. A second Ctrl-C stops at once and marks the run `aborted`: the state may
    then be half-way through a step, so nothing is written."""

    def __init__(self) -> None:
        self.pressed, self.aborted, self.previous = False, False, None

    def __enter__(self) -> "_InterruptGuard":
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        if self.pressed:
            self.aborted = True
            raise KeyboardInterrupt
        self.pressed = True
        print(
            "\nCtrl-C: stopping after this batch and saving a checkpoint (press again to stop "
            "at once without saving)",
            file=sys.stderr,
        )

    def check(self) -> None:
        if self.pressed:
            raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def _scheduler_interval(scheduler: Any, interval: str) -> str | None:
    if scheduler is None:
        return None
    if interval not in ("auto", "epoch", "step"):
        raise ValueError(f"scheduler_interval must be 'auto', 'epoch' or 'step', got {interval!r}")
    if interval == "auto":
        return "step" if type(scheduler).__name__ == "OneCycleLR" else "epoch"
    return interval


def _resume_path(resume: Any, checkpoint_dir: str | None) -> str | None:
    if resume is None or resume is False:
        return None
    if resume is True:
        if checkpoint_dir is None:
            raise ValueError("fit(resume=True) needs checkpoint_dir= (where last.npz is)")
        path = os.path.join(checkpoint_dir, "last.npz")
    else:
        path = os.fspath(resume)
    if not os.path.exists(path):
        raise FileNotFoundError(f"fit: no checkpoint to resume from at {path}")
    return path


def fit(
    model: Any,
    loss_fn: Callable,
    optimizer: Any,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    epochs: int = 10,
    scheduler: Any = None,
    clip_grad_norm: float | None = None,
    early_stopping: EarlyStopping | int | None = None,
    callbacks: Iterable[Callback] = (),
    device: Any = None,
    *,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool | str | os.PathLike = False,
    monitor: str | None = None,
    scheduler_interval: str = "auto",
    accuracy_fn: Any = "auto",
    track_grad_norm: bool = True,
    progress: Any = "auto",
    verbose: bool = True,
    extra: dict | None = None,
    print_fn: Callable[[str], Any] = print,
    compile: bool = False,  # noqa: A002 (the name torch users know)
) -> History:
    """Train `model` for `epochs` epochs (in total, counting resumed ones); return the History.

    loss_fn(out, y) must return the batch mean. val_loader: evaluated after every epoch.
    scheduler: stepped once per epoch, or per batch for OneCycleLR (scheduler_interval='step'
    forces it); ReduceLROnPlateau gets the monitored value. clip_grad_norm: max total gradient
    norm (nn.utils.clip_grad_norm_). early_stopping: an EarlyStopping or a patience (int).
    callbacks: Callback objects. device: move the model and the batches there.
    checkpoint_dir: write last.npz after every epoch and best.npz when `monitor` (default
    val_loss, or train_loss without val_loader) improves; Ctrl-C writes last.npz with the exact
    position in the epoch before raising KeyboardInterrupt. resume: True (checkpoint_dir's
    last.npz) or a checkpoint path: continue exactly where that run stopped.
    accuracy_fn: 'auto' (class accuracy for integer targets), None, or fn(out, y) -> number
    correct. progress: a tqdm bar per epoch ('auto': only on a terminal). verbose: print one
    line per epoch through print_fn. extra: stored in the checkpoints (e.g. a config dict).
    compile: run each step (forward, loss, backward, clip, optimizer) through tg.compile: traced
    once per batch shape, then replayed without building a graph (bit-identical results).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    if clip_grad_norm is not None and not clip_grad_norm > 0:
        raise ValueError(f"fit: clip_grad_norm must be > 0 or None, got {clip_grad_norm!r}")
    device = backend.normalize_device(device) if device is not None else None
    if device is not None:
        model.to(device)
    callbacks = list(callbacks or [])
    if early_stopping is not None:
        if isinstance(early_stopping, int) and not isinstance(early_stopping, bool):
            early_stopping = EarlyStopping(patience=early_stopping)
        callbacks.append(early_stopping)
    monitor = monitor or ("val_loss" if val_loader is not None else "train_loss")
    interval = _scheduler_interval(scheduler, scheduler_interval)
    ckpt_dir = os.fspath(checkpoint_dir) if checkpoint_dir is not None else None
    history, start, partial = History(), 0, None
    path = _resume_path(resume, ckpt_dir)
    if path is not None:
        ckpt = load_checkpoint(path, model, optimizer, scheduler)
        history, start, partial = History(ckpt.get("history") or {}), ckpt["epoch"], ckpt["partial"]
        if verbose:
            where = f", batch {partial['batch']}" if partial else ""
            print_fn(f"resuming {path}: {start} epochs done{where}")
    state = TrainState(model, optimizer, scheduler, history, epochs, ckpt_dir)
    state.epoch = start
    run = _Run(
        model,
        loss_fn,
        optimizer,
        scheduler,
        interval,
        clip_grad_norm,
        track_grad_norm,
        accuracy_fn_for(accuracy_fn, loss_fn),
        device,
        callbacks,
        state,
    )
    run.show_bar = stream_is_terminal() if progress == "auto" else bool(progress)
    if compile:  # a step that reads a value in Python (clip_grad_norm_) runs eagerly, warned
        from ..compile import compile as _compile

        run.step = _compile(run.step, fallback="eager")

    def checkpoint(name: str, partial_state: dict | None = None) -> None:
        save_checkpoint(
            os.path.join(ckpt_dir, name),
            model,
            optimizer,
            scheduler,
            epoch=len(history),
            history=history,
            partial=partial_state,
            extra=extra,
        )

    for cb in callbacks:
        cb.on_train_begin(state)
    guard = _InterruptGuard()
    try:
        with guard:
            run.guard = guard
            for epoch in range(start, epochs):
                guard.check()
                if state.stop_training:  # a resumed run that had already stopped early
                    if verbose and state.stop_reason:
                        print_fn(state.stop_reason)
                    break
                state.epoch, state.batch = epoch, 0
                for cb in callbacks:
                    cb.on_epoch_begin(state)
                row = run.train_epoch(train_loader, partial)
                partial = None
                if val_loader is not None:
                    v = evaluate(model, val_loader, loss_fn, device, run.correct_fn)
                    row["val_loss"], row["val_acc"] = v["loss"], v["accuracy"]
                run.busy = True  # from here until progress is None, a partial state is stale
                if interval == "epoch":
                    if type(scheduler).__name__ == "ReduceLROnPlateau":
                        scheduler.step(row.get(monitor))
                    else:
                        scheduler.step()
                row["epoch"], row["time"] = epoch + 1, row["time"] + time.perf_counter() - run.t0
                history.record(**row)
                run.progress, run.busy = None, False  # complete: an interrupt needs no partial
                state.epoch = epoch + 1
                for cb in callbacks:
                    cb.on_epoch_end(state, history.last())
                if verbose:
                    print_fn(format_epoch(history.last(), epochs))
                if ckpt_dir is not None:
                    checkpoint("last.npz")
                    if history.best_epoch(monitor) == epoch + 1:
                        checkpoint("best.npz")
                if state.stop_training:
                    if verbose and state.stop_reason:
                        print_fn(state.stop_reason)
                    break
            guard.check()  # a Ctrl-C during the last epoch's validation or checkpoint
    except KeyboardInterrupt:
        run.close_bar()
        if ckpt_dir is not None and not guard.aborted and not run.busy:
            checkpoint("last.npz", run.progress)
            if verbose:
                print_fn(
                    f"interrupted: saved {os.path.join(ckpt_dir, 'last.npz')} "
                    "(resume to continue exactly from there)"
                )
        elif ckpt_dir is not None and verbose:
            print_fn(
                f"stopped at once: nothing saved; {os.path.join(ckpt_dir, 'last.npz')} "
                "still holds the last complete checkpoint"
            )
        raise
    finally:
        run.close_bar()
        for cb in callbacks:
            cb.on_train_end(state)
        if verbose and state.stop_reason and "restored" in state.stop_reason:
            print_fn("restored the weights of the best epoch")
    return history


class _Run:
    """The state of the epoch that is running (for progress, interrupts and partial resume)."""

    def __init__(
        self,
        model,
        loss_fn,
        optimizer,
        scheduler,
        interval,
        clip,
        track,
        correct_fn,
        device,
        callbacks,
        state,
    ) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.scheduler, self.interval, self.clip, self.track = scheduler, interval, clip, track
        self.correct_fn, self.device = correct_fn, device
        self.callbacks, self.state = callbacks, state
        self.params = [p for g in optimizer.param_groups for p in g["params"]]
        self.show_bar, self.bar, self.guard = False, None, None
        self.progress: dict | None = None
        self.busy = False  # inside a step: the model and optimizer do not match `progress`
        self.t0 = time.perf_counter()

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def grad_norm(self) -> Tensor | None:
        if self.clip is not None:
            from ..nn.utils import clip_grad_norm_

            return clip_grad_norm_(self.params, self.clip)
        if not self.track:
            return None
        grads = [p.grad for p in self.params if p.grad is not None]
        if not grads:
            return None
        with no_grad():
            return stack([(g * g).sum().double() for g in grads]).sum().sqrt()

    def step(self, x, y) -> tuple:
        """One optimisation step on a batch: (output, loss, gradient norm or None)."""
        out = self.model(x)
        loss = self.loss_fn(out, y)
        self.optimizer.zero_grad()
        loss.backward()
        norm = self.grad_norm()
        self.optimizer.step()
        return out, loss, norm

    def train_epoch(self, loader: Iterable, partial: dict | None) -> dict:
        """One pass over `loader` (continuing an interrupted pass when `partial` is given)."""
        self.model.train()
        self.t0 = time.perf_counter()
        if partial is None:
            rng_start = backend.get_rng_state()
            sums, skip, lr, elapsed = Sums(), 0, self.optimizer.param_groups[0]["lr"], 0.0
            rng_batch = rng_start  # nothing is drawn before the loader's first batch
        else:
            rng_start, rng_batch = partial["rng_start"], partial["rng_batch"]
            sums, skip = Sums(partial["sums"]), partial["batch"]
            lr, elapsed = partial["lr"], partial["time"]
        # Set before anything is drawn, so that an interrupt from here on saves a valid position.
        progress = {
            "batch": skip,
            "rng_start": rng_start,
            "rng_batch": rng_batch,
            "sums": sums.state(),
            "lr": lr,
            "time": elapsed,
        }
        self.progress, self.state.batch = progress, skip
        if partial is not None:
            backend.set_rng_state(rng_start)  # the shuffle of this epoch is drawn again ...
        it = iter(loader)
        for _ in range(skip):  # ... and the batches done before the interrupt are skipped
            next(it)
        if partial is not None:
            backend.set_rng_state(rng_batch)
        total = len(loader) if hasattr(loader, "__len__") else None
        desc = f"epoch {self.state.epoch + 1}/{self.state.epochs}"
        self.bar = EpochBar(self.show_bar, total, desc, initial=skip)

        def live() -> dict:
            m = sums.means()
            out = {"loss": f"{m['loss']:.4f}"}
            if m["acc"] is not None:
                out["acc"] = f"{m['acc']:.2%}"
            out["lr"] = f"{self.optimizer.param_groups[0]['lr']:.3g}"
            return out

        for x, y in it:
            self.busy = True
            x, y = _to(x, self.device), _to(y, self.device)
            out, loss, norm = self.step(x, y)
            if self.interval == "step":
                self.scheduler.step()
            with no_grad():
                correct = self.correct_fn(out, y) if self.correct_fn is not None else None
                sums.add(loss, int(x.shape[0]), correct, norm)
            progress["batch"] = self.state.batch = progress["batch"] + 1
            progress["rng_batch"], progress["sums"] = backend.get_rng_state(), sums.state()
            progress["time"] = elapsed + time.perf_counter() - self.t0
            self.busy = False  # a whole step: the state matches `progress` again
            self.bar.update(live)
            for cb in self.callbacks:
                cb.on_batch_end(self.state, loss.detach())
            if self.guard is not None:
                self.guard.check()
        self.close_bar()
        if sums.n == 0:
            raise ValueError("fit: the training loader yielded no batches")
        m = sums.means()
        self.t0 -= elapsed  # the epoch's time includes the part before an interrupt
        return {
            "train_loss": m["loss"],
            "train_acc": m["acc"],
            "lr": lr,
            "time": 0.0,
            "grad_norm": m["grad_norm"],
            "grad_norm_max": m["grad_norm_max"],
        }
