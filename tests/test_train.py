"""tinygrad_edu.train: fit, evaluate, History files, checkpoints, exact resume, early stopping,
Ctrl-C, and a real MNIST run on 6,000 images."""

from __future__ import annotations

import math
import os
import signal

import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import models, optim
from tinygrad_edu.data import DataLoader, Subset, datasets
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import (
    Callback,
    EarlyStopping,
    History,
    evaluate,
    fit,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrix products: one BLAS thread is much faster (and on a busy machine, far)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn")
    return datasets.load_digits()


def moons_loaders(n=400, batch=32):
    train = datasets.make_moons(n, noise=0.1, seed=1)
    test = datasets.make_moons(400, noise=0.1, seed=2)
    return DataLoader(train, batch, shuffle=True), DataLoader(test, 400)


def small_setup(seed=0, dropout=0.3, schedule=True):
    """A model with dropout, an optimizer with state and a scheduler: all of it must resume."""
    tg.manual_seed(seed)
    model = models.mlp(2, [16, 16], 2, dropout=dropout)
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5) if schedule else None
    return model, opt, sched


def params_of(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def same_params(a, b):
    return a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)


def loss_columns(h):
    return {k: h[k] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "lr", "grad_norm")}


# ------------------------------------------------------------------------------------ fitting
def test_fit_digits_learns(digits):
    train, test = digits
    tg.manual_seed(0)
    model = models.mlp(64, [128], 10, norm="batch")
    opt = optim.Adam(model.parameters(), lr=3e-3)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        DataLoader(train, 32, shuffle=True),
        DataLoader(test, 512),
        epochs=4,
        verbose=False,
    )
    assert len(h) == 4 and h.epoch == [1, 2, 3, 4]
    assert h.val_acc[-1] >= 0.95
    assert h.train_loss[-1] < h.train_loss[0]
    assert all(t > 0 for t in h.time) and all(g > 0 for g in h.grad_norm)
    result = evaluate(model, DataLoader(test, 100), nn.CrossEntropyLoss())
    assert result["n"] == len(test)
    assert math.isclose(result["accuracy"], h.val_acc[-1])
    assert math.isclose(result["loss"], h.val_loss[-1], rel_tol=1e-5)


def test_fit_moons_with_onecycle_and_clipping():
    train_loader, test_loader = moons_loaders()
    tg.manual_seed(0)
    model = models.mlp(2, [32, 32], 2)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=15 * len(train_loader))
    lrs = []

    class RecordLR(Callback):
        def on_batch_end(self, state, loss):
            lrs.append(state.optimizer.param_groups[0]["lr"])

    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=15,
        scheduler=sched,
        clip_grad_norm=1.0,
        callbacks=[RecordLR()],
        verbose=False,
    )
    assert h.val_acc[-1] >= 0.95
    assert len(set(lrs)) > len(lrs) // 2  # OneCycleLR stepped once per batch, not per epoch
    assert lrs[-1] < 0.01 and max(lrs) == pytest.approx(0.2, rel=1e-3)


def test_plateau_scheduler_gets_the_monitored_value():
    train_loader, test_loader = moons_loaders()
    model, opt, _ = small_setup(dropout=0.0)
    # threshold 10 (relative): no epoch ever counts as an improvement, so every epoch after the
    # first halves the learning rate
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=10.0)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=3,
        scheduler=sched,
        verbose=False,
    )
    assert h.lr == pytest.approx([0.02, 0.01, 0.005])


def test_num_threads_is_scoped(monkeypatch):
    from tinygrad_edu.train import num_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with num_threads(1):
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in os.environ
    with pytest.raises(ValueError, match="threads"):
        with num_threads(0):
            pass


def test_evaluate_restores_mode_and_handles_no_loss(digits):
    _, test = digits
    model = models.mlp(64, [8], 10, dropout=0.5)
    model.train()
    r = evaluate(model, DataLoader(test, 64))
    assert model.training and r["loss"] is None and 0.0 <= r["accuracy"] <= 1.0
    model.eval()
    evaluate(model, DataLoader(test, 64))
    assert not model.training


def test_fit_without_validation_monitors_train_loss(tmp_path):
    train_loader, _ = moons_loaders()
    model, opt, _ = small_setup()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        epochs=2,
        verbose=False,
        checkpoint_dir=tmp_path,
    )
    assert "val_loss" not in h and h.val_loss == [None, None]
    assert read_checkpoint(tmp_path / "best.npz")["epoch"] == h.best_epoch("train_loss")


def test_fit_prints_one_line_per_epoch():
    train_loader, test_loader = moons_loaders()
    model, opt, _ = small_setup()
    lines = []
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=2,
        progress=False,
        print_fn=lines.append,
    )
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2")
    assert "val loss" in lines[0] and "acc" in lines[0] and "lr" in lines[0]


def test_fit_progress_bar(capsys):
    pytest.importorskip("tqdm")
    train_loader, test_loader = moons_loaders()
    model, opt, _ = small_setup()
    fit(model, nn.CrossEntropyLoss(), opt, train_loader, test_loader, epochs=1, progress=True)
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "batch" in captured.err  # the bar, on stderr
    assert captured.out.startswith("epoch 1/1")  # the epoch line, on stdout


def test_fit_bad_arguments(tmp_path):
    train_loader, _ = moons_loaders()
    model, opt, _ = small_setup()
    with pytest.raises(ValueError, match="epochs"):
        fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs=-1)
    with pytest.raises(ValueError, match="clip_grad_norm"):
        fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs=1, clip_grad_norm=0)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            train_loader,
            epochs=1,
            checkpoint_dir=tmp_path,
            resume=True,
        )


# ------------------------------------------------------------------------------------ History
def test_history_json_csv_round_trip(tmp_path):
    h = History()
    h.record(
        epoch=1,
        train_loss=0.5,
        train_acc=0.75,
        val_loss=float("nan"),
        lr=0.1,
        time=1.5,
        grad_norm=2.0,
    )
    h.record(
        epoch=2,
        train_loss=0.25,
        train_acc=0.875,
        val_loss=0.3,
        lr=0.05,
        time=1.25,
        grad_norm=1.0,
        custom=7,
    )
    assert h.custom == [None, 7] and h.val_acc == [None, None]
    h.save_json(tmp_path / "h.json")
    h.save_csv(tmp_path / "h.csv")
    for loaded in (History.load_json(tmp_path / "h.json"), History.load_csv(tmp_path / "h.csv")):
        assert loaded.columns == h.columns and len(loaded) == 2
        assert math.isnan(loaded.val_loss[0]) and loaded.val_loss[1] == 0.3
        assert (
            loaded.train_loss == h.train_loss and loaded.lr == h.lr and loaded.custom == [None, 7]
        )
        assert loaded.epoch == [1, 2] and isinstance(loaded.epoch[0], int)
    assert h.best_epoch("val_loss") == 2 and h.best_epoch("train_acc") == 2
    assert h.to_dict().keys() >= {"epoch", "train_loss", "custom"} and "val_acc" not in h.to_dict()
    with pytest.raises(AttributeError, match="no column"):
        h.nope
    (tmp_path / "bad.json").write_text('{"x": 1}')
    with pytest.raises(ValueError, match="not a History"):
        History.load_json(tmp_path / "bad.json")


def test_history_plot(tmp_path):
    pytest.importorskip("matplotlib")
    h = History(
        {"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.2, 0.7], "lr": [0.1, 0.1]}
    )
    fig = h.plot(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 1000
    import matplotlib.pyplot as plt

    plt.close(fig)


# ------------------------------------------------------------------------------------ checkpoints
def test_checkpoints_best_and_last(tmp_path):
    train_loader, test_loader = moons_loaders()
    model, opt, sched = small_setup()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=3,
        scheduler=sched,
        checkpoint_dir=tmp_path,
        verbose=False,
        extra={"note": "hi"},
    )
    last = read_checkpoint(tmp_path / "last.npz")
    best = read_checkpoint(tmp_path / "best.npz")
    assert last["epoch"] == 3 and last["partial"] is None and last["extra"] == {"note": "hi"}
    assert best["epoch"] == h.best_epoch("val_loss")
    assert last["history"]["train_loss"] == h.train_loss
    fresh, opt2, sched2 = small_setup(seed=5)
    state = load_checkpoint(tmp_path / "last.npz", fresh, opt2, sched2)
    assert state["epoch"] == 3 and same_params(params_of(fresh), params_of(model))
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert sched2.last_epoch == sched.last_epoch
    wrong = models.mlp(2, [8], 2)
    with pytest.raises(ValueError, match="does not fit this model"):
        load_checkpoint(tmp_path / "last.npz", wrong)
    tg.save({"a": 1}, tmp_path / "other.npz")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        read_checkpoint(tmp_path / "other.npz")


def test_resume_continues_with_identical_losses(tmp_path):
    train_loader, test_loader = moons_loaders()
    model, opt, sched = small_setup()
    full = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=4,
        scheduler=sched,
        verbose=False,
    )
    reference = params_of(model)

    model, opt, sched = small_setup()
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=2,
        scheduler=sched,
        checkpoint_dir=tmp_path,
        verbose=False,
    )
    tg.manual_seed(123)  # whatever happened in between: the checkpoint holds the RNG state
    model, opt, sched = small_setup(seed=99)
    resumed = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=4,
        scheduler=sched,
        checkpoint_dir=tmp_path,
        resume=True,
        verbose=False,
    )
    assert loss_columns(resumed) == loss_columns(full)
    assert same_params(params_of(model), reference)


class InterruptAt(Callback):
    """Raise KeyboardInterrupt (as Ctrl-C would) after batch `batch` of epoch `epoch` (0-based)."""

    def __init__(self, epoch, batch, use_signal=False):
        self.epoch, self.batch, self.use_signal = epoch, batch, use_signal

    def on_batch_end(self, state, loss):
        if state.epoch == self.epoch and state.batch == self.batch:
            if self.use_signal:
                os.kill(os.getpid(), signal.SIGINT)  # the guard turns it into a clean stop
            else:
                raise KeyboardInterrupt


@pytest.mark.parametrize("use_signal", [False, True])
def test_ctrl_c_saves_a_checkpoint_and_resume_is_exact(tmp_path, use_signal):
    if use_signal and not hasattr(os, "kill"):
        pytest.skip("no os.kill")
    train_loader, test_loader = moons_loaders()
    model, opt, sched = small_setup()
    full = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=3,
        scheduler=sched,
        verbose=False,
    )
    reference = params_of(model)

    model, opt, sched = small_setup()
    with pytest.raises(KeyboardInterrupt):
        fit(
            model,
            nn.CrossEntropyLoss(),
            opt,
            train_loader,
            test_loader,
            epochs=3,
            scheduler=sched,
            callbacks=[InterruptAt(1, 5, use_signal)],
            checkpoint_dir=tmp_path,
            verbose=False,
        )
    saved = read_checkpoint(tmp_path / "last.npz")
    assert saved["epoch"] == 1 and saved["partial"]["batch"] == 5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored

    model, opt, sched = small_setup(seed=7)
    resumed = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=3,
        scheduler=sched,
        checkpoint_dir=tmp_path,
        resume=True,
        verbose=False,
    )
    assert loss_columns(resumed) == loss_columns(full)
    assert same_params(params_of(model), reference)


def test_save_checkpoint_is_atomic_and_loadable(tmp_path):
    model, opt, sched = small_setup()
    path = save_checkpoint(tmp_path / "sub" / "c.npz", model, opt, sched, epoch=0)
    assert os.path.exists(path) and not [p for p in os.listdir(tmp_path / "sub") if "tmp" in p]
    assert read_checkpoint(path)["epoch"] == 0


# ------------------------------------------------------------------------------------ early stop
def test_early_stopping_stops_and_restores_best(tmp_path):
    train_loader, test_loader = moons_loaders()
    model, opt, _ = small_setup()
    # min_delta so large that nothing after epoch 1 counts as an improvement
    stopper = EarlyStopping(patience=2, min_delta=100.0)
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, state, logs):
            snapshots.append(params_of(state.model))

    lines = []
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=10,
        early_stopping=stopper,
        callbacks=[Snapshot()],
        checkpoint_dir=tmp_path,
        print_fn=lines.append,
        progress=False,
    )
    assert len(h) == 3 and stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    assert any("early stopping" in line for line in lines)
    assert same_params(params_of(model), snapshots[0])  # the best epoch's weights are back
    assert not same_params(snapshots[0], snapshots[2])


def test_early_stopping_state_survives_resume(tmp_path):
    train_loader, test_loader = moons_loaders()
    model, opt, _ = small_setup()
    fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=2,
        checkpoint_dir=tmp_path,
        verbose=False,
    )
    model, opt, _ = small_setup()
    stopper = EarlyStopping(patience=2, min_delta=100.0)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        train_loader,
        test_loader,
        epochs=10,
        early_stopping=stopper,
        checkpoint_dir=tmp_path,
        resume=True,
        verbose=False,
    )
    assert len(h) == 3  # epochs 2 and 3 did not improve on epoch 1: stop, as an unbroken run


def test_early_stopping_arguments():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=-1)


# ------------------------------------------------------------------------------------ MNIST
def test_mlp_on_6000_mnist_images_reaches_93_percent(datasets_dir):
    train, test = datasets.load_mnist(root=datasets_dir, download=False)
    tg.manual_seed(0)
    subset = Subset(train, tg.randperm(len(train))[:6000].tolist())
    model = models.mlp(784, [256, 128], 10)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        DataLoader(subset, 64, shuffle=True),
        epochs=10,
        verbose=False,
    )
    result = evaluate(model, DataLoader(test, 2000), nn.CrossEntropyLoss())
    assert h.train_acc[-1] > 0.95
    assert result["accuracy"] >= 0.93, result
