"""Ctrl-C in fit() and in the real command: a checkpoint only ever holds a state between two
whole optimizer steps; a second Ctrl-C stops at once and writes nothing; resume is exact."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.__main__ import main
from tinygrad_edu.data import DataLoader, datasets
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import fit, read_checkpoint

from ._cli import MOONS, arrays, finish, interrupt, same_arrays, start, wait_for

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def _setup():
    tg.manual_seed(0)
    model = models.mlp(2, [16, 16], 2, dropout=0.2)
    opt = optim.Adam(model.parameters(), lr=0.02)
    steps = 3 * 13  # 400 samples in batches of 32: 13 steps per epoch
    return model, opt, lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=steps)


def _loaders():
    train = datasets.make_moons(400, noise=0.1, seed=1)
    return DataLoader(train, 32, shuffle=True), DataLoader(datasets.make_moons(200, seed=2), 200)


def _params(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


@pytest.mark.parametrize("handler", ["default", "custom"])
def test_second_ctrl_c_inside_a_step_writes_nothing_and_resume_is_exact(tmp_path, capsys, handler):
    """default: fit's guard defers the first Ctrl-C, the second lands in the step. custom: a
    SIGINT handler of the caller (no guard) raises in the middle of the step at once."""
    train, val = _loaders()
    model, opt, sched = _setup()
    fit(model, nn.CrossEntropyLoss(), opt, train, val, 3, sched, verbose=False)
    reference = _params(model)

    model, opt, sched = _setup()
    real_step, calls = opt.step, [0]

    def step_cut_in_half(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 13 + 5:  # epoch 2, step 5: Ctrl-C, half an update, Ctrl-C again
            os.kill(os.getpid(), signal.SIGINT)
            opt.param_groups[0]["params"][0].data += 1.0  # half of an update is done
            os.kill(os.getpid(), signal.SIGINT)
        return real_step(*args, **kwargs)

    opt.step = step_cut_in_half
    if handler == "custom":
        signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            fit(model, nn.CrossEntropyLoss(), opt, train, val, 3, sched, checkpoint_dir=tmp_path)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert "stopped at once: nothing saved" in capsys.readouterr().out
    saved = read_checkpoint(tmp_path / "last.npz")  # the one written at the end of epoch 1
    assert saved["epoch"] == 1 and saved["partial"] is None
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    model, opt, sched = _setup()
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train,
        val,
        3,
        sched,
        checkpoint_dir=tmp_path,
        resume=True,
        verbose=False,
    )
    assert same_arrays(_params(model), reference)


def test_ctrl_c_after_the_last_step_still_saves_and_stops(tmp_path):
    """A Ctrl-C during the last epoch's validation is not lost: it stops before the end."""
    train, val = _loaders()
    model, opt, sched = _setup()

    class PressDuringValidation:
        def __iter__(self):
            os.kill(os.getpid(), signal.SIGINT)
            return iter(val)

    with pytest.raises(KeyboardInterrupt):
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            train,
            PressDuringValidation(),
            1,
            checkpoint_dir=tmp_path,
            verbose=False,
        )
    assert read_checkpoint(tmp_path / "last.npz")["epoch"] == 1


def _reference(tmp_path, *extra):
    out = tmp_path / "reference"
    assert main(["train", *MOONS, *extra, "--out", str(out)]) == 0
    return arrays(out / "model.npz")


def _interrupted_run(out, presses, delay, *extra):
    """Start the command, wait for its first epoch, then press Ctrl-C `presses` times (or
    SIGKILL for presses=0) after `delay` seconds; return its exit code."""
    proc = start("train", *MOONS, *extra, "--out", str(out))
    try:
        wait_for(proc, "epoch 1/")
        time.sleep(delay)
        if presses:
            interrupt(proc, presses)
        else:
            proc.kill()
        return finish(proc)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_double_ctrl_c_in_the_command_then_resume_is_exact(tmp_path):
    extra = ["--epochs", "8", "--schedule", "onecycle"]
    reference = _reference(tmp_path, *extra)
    rng = random.Random(15)
    for trial in range(2):
        out = tmp_path / f"run{trial}"
        code = _interrupted_run(out, 2, rng.uniform(0.0, 0.4), *extra)
        if code == 0:
            continue  # finished before the signals arrived
        # 130: the CLI's exit after Ctrl-C; -SIGINT: the second Ctrl-C met the default handler
        # (already restored while the run was shutting down) and stopped the process at once
        assert code in (130, -signal.SIGINT)
        if (out / "checkpoints" / "last.npz").exists():
            assert main(["resume", str(out), "--no-progress"]) == 0
        else:  # stopped before its first checkpoint
            assert main(["train", *MOONS, *extra, "--out", str(out), "--overwrite"]) == 0
        assert same_arrays(arrays(out / "model.npz"), reference), trial


@pytest.mark.slow
def test_soak_twenty_interrupted_runs_end_bit_identical(tmp_path, capsys):
    """20 runs, each interrupted up to 3 times (one Ctrl-C, two Ctrl-C 2 ms apart, or SIGKILL,
    at a random moment: mostly during training, sometimes while starting up), then resumed to
    the end: every one ends bit-identical to the run that was never interrupted."""
    extra = ["--epochs", "6", "--schedule", "onecycle"]
    reference = _reference(tmp_path, *extra)
    rng = random.Random(2026)
    faults = {"sigint": 0, "double sigint": 0, "sigkill": 0}
    seen = {
        "finished before the fault": 0,
        "stopped before a checkpoint": 0,
        "resume from mid-epoch": 0,
        "resume from an epoch end": 0,
    }
    for cycle in range(20):
        out = tmp_path / f"soak{cycle}"
        for _ in range(3):
            _soak_attempt(out, extra, rng, faults, seen)
            if (out / "metrics.json").exists():
                break
        _soak_finish(out, extra, seen)
        assert same_arrays(arrays(out / "model.npz"), reference), (cycle, faults, seen)
        assert not [p for p in out.rglob("*") if ".tgtmp-" in p.name], cycle
    with capsys.disabled():
        print(f"\nsoak: 20 runs bit-identical; faults {faults}; {seen}")


def _soak_attempt(out, extra, rng, faults, seen):
    """Start (or resume) the run, inject one random fault, wait for the process to end."""
    resume = (out / "checkpoints" / "last.npz").exists()
    if resume:
        _count_resume(out, seen)
        proc = start("resume", str(out), "--no-progress")
    else:
        proc = start("train", *MOONS, *extra, "--out", str(out), "--overwrite")
    kind = rng.choice(list(faults))
    try:
        if rng.random() < 0.75:  # during training: from the line printed just before fit()
            try:
                wait_for(proc, "run      ")
            except AssertionError:
                pass
            time.sleep(rng.uniform(0.0, 0.8))
        else:  # anywhere, start-up included
            time.sleep(rng.uniform(0.0, 2.0))
        if proc.poll() is not None:
            seen["finished before the fault"] += 1
        else:
            faults[kind] += 1
            if kind == "sigkill":
                proc.kill()
            else:
                interrupt(proc, 1 if kind == "sigint" else 2)
        finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _count_resume(out, seen):
    partial = read_checkpoint(out / "checkpoints" / "last.npz")["partial"]
    seen["resume from mid-epoch" if partial else "resume from an epoch end"] += 1


def _soak_finish(out, extra, seen):
    if (out / "metrics.json").exists():
        return
    if (out / "checkpoints" / "last.npz").exists():
        _count_resume(out, seen)
        assert main(["resume", str(out), "--no-progress"]) == 0
    else:
        seen["stopped before a checkpoint"] += 1
        assert main(["train", *MOONS, *extra, "--out", str(out), "--overwrite"]) == 0
