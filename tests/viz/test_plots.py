"""viz.plots: every plot returns a Figure, writes a non-blank PNG of figsize * dpi pixels, and
shows what it claims (autograd derivatives, gradient statistics, restored state after lr_find)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tg

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tinygrad_edu.viz import plots  # noqa: E402

DPI = 40  # small images keep the tests fast


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def check_png(path, figsize):
    """The file is a PNG of exactly figsize * DPI pixels with more than one colour in it."""
    image = mpimg.imread(path)
    h, w = image.shape[:2]
    assert (w, h) == (round(figsize[0] * DPI), round(figsize[1] * DPI))
    assert image[..., :3].std() > 0.02  # not blank


def tiny_model(n_in=2, n_out=2):
    nn = pytest.importorskip("tinygrad_edu.nn")
    return nn.Sequential(nn.Linear(n_in, 8), nn.Tanh(), nn.Linear(8, n_out))


class History:
    def __init__(self):
        self.train_loss = [1.0, 0.6, 0.4]
        self.val_loss = [tg.tensor(1.1), tg.tensor(0.7), tg.tensor(0.8)]


def test_history_from_dict_object_and_to_dict(tmp_path):
    h = {
        "train_loss": [1.0, 0.6, 0.4],
        "val_loss": [1.1, 0.7, 0.8],
        "train_acc": [0.5, 0.7, 0.9],
        "val_acc": [0.4, 0.6, 0.7],
        "lr": [0.1, 0.1, 0.01],
    }
    fig = plots.plot_history(h, tmp_path / "h.png", figsize=(9, 3), dpi=DPI)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    check_png(tmp_path / "h.png", (9, 3))
    loss_ax = fig.axes[0]
    assert any("best val_loss 0.7 (epoch 2)" in t.get_text() for t in loss_ax.get_legend().texts)
    fig = plots.plot_history(History(), dpi=DPI)
    assert len(fig.axes) == 1 and list(fig.axes[0].lines[1].get_ydata()) == pytest.approx(
        [1.1, 0.7, 0.8]
    )
    wrapped = type("H", (), {"to_dict": lambda self: {"val_acc": [0.1, 0.2]}})()
    assert plots.plot_history(wrapped, dpi=DPI).axes[0].get_title() == "accuracy"
    with pytest.raises(ValueError, match="train_loss"):
        plots.plot_history({"speed": [1, 2]})


def test_activations_and_their_autograd_derivatives(tmp_path):
    fig = plots.plot_activations(
        ["tanh", "relu", lambda x: x * x.sigmoid()],
        tmp_path / "a.png",
        num=101,
        ncols=3,
        figsize=(6, 2),
        dpi=DPI,
    )
    check_png(tmp_path / "a.png", (6, 2))
    tanh_ax, relu_ax, silu_ax = fig.axes[:3]
    x, y = tanh_ax.lines[-2].get_xdata(), tanh_ax.lines[-2].get_ydata()
    dy = tanh_ax.lines[-1].get_ydata()
    np.testing.assert_allclose(y, np.tanh(x), atol=1e-6)
    np.testing.assert_allclose(dy, 1 - np.tanh(x) ** 2, atol=1e-5)
    np.testing.assert_allclose(relu_ax.lines[-1].get_ydata(), (x > 0).astype(float))
    assert silu_ax.get_title() == "<lambda>"
    with pytest.raises(ValueError, match="unknown activation"):
        plots.plot_activations(["no_such_activation"])


def test_weights_as_tiles(tmp_path):
    w = tg.randn(10, 784)
    fig = plots.plot_weights(w, tmp_path / "w.png", max_tiles=9, figsize=(4, 4), dpi=DPI)
    check_png(tmp_path / "w.png", (4, 4))
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 9 and images[0].get_array().shape == (28, 28)
    assert "9 of 10 units" in fig._suptitle.get_text()
    conv = plots.plot_weights(tg.randn(4, 3, 5, 5), dpi=DPI)  # RGB kernels
    assert [ax.images[0].get_array().shape for ax in conv.axes if ax.images][0] == (5, 5, 3)
    model = tiny_model(16, 3)
    tiles = plots.plot_weights(model, dpi=DPI)  # the first Linear: 8 tiles of 4x4
    assert sum(1 for ax in tiles.axes if ax.images) == 8
    with pytest.raises(ValueError, match="image_shape"):
        plots.plot_weights(tg.randn(3, 10))


def test_decision_boundary_of_a_fixed_classifier(tmp_path):
    X = np.array([[-1.0, -1.0], [-2.0, 0.5], [1.0, 1.0], [2.0, -0.5]], dtype=np.float32)
    y = np.array([0, 0, 1, 1])
    logits = lambda t: tg.stack([-t[:, 0], t[:, 0]], 1)  # noqa: E731 (class 1 where x > 0)
    fig = plots.plot_decision_boundary(
        logits,
        tg.Tensor(X),
        tg.Tensor(y),
        tmp_path / "d.png",
        resolution=40,
        figsize=(4, 3),
        dpi=DPI,
    )
    check_png(tmp_path / "d.png", (4, 3))
    assert "100.0%" in fig.axes[0].get_title()
    single = plots.plot_decision_boundary(lambda t: t[:, 0], X, 1 - y, resolution=20, dpi=DPI)
    assert "0.0%" in single.axes[0].get_title()  # one score per point, split at 0
    model = tiny_model()
    model.train()
    plots.plot_decision_boundary(model, X, y, resolution=20, dpi=DPI)
    assert model.training  # eval() during the plot, train mode restored
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.plot_decision_boundary(logits, np.zeros((3, 3)), y[:3])


def test_grad_flow_bars_are_mean_and_max_abs_grad(tmp_path):
    a = tg.randn(4, 3, requires_grad=True)
    b = tg.randn(3, requires_grad=True)
    unused = tg.randn(2, 2, requires_grad=True)
    ((a * 1e-9).sum() + (b * 3.0).sum()).backward()
    named = [("layer0.weight", a), ("layer0.bias", b), ("layer1.weight", unused)]
    fig = plots.plot_grad_flow(named, tmp_path / "g.png", figsize=(4, 3), dpi=DPI)
    check_png(tmp_path / "g.png", (4, 3))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["layer0.weight", "layer1.weight"]
    texts = [t.get_text() for t in ax.texts]
    assert "vanishing" in texts and "no grad" in texts
    mean_bars = ax.containers[1]
    assert mean_bars[0].get_height() == pytest.approx(1e-9, rel=1e-4)
    with_bias = plots.plot_grad_flow(named, include_bias=True, dpi=DPI).axes[0]
    assert with_bias.containers[0][1].get_height() == pytest.approx(3.0)
    with pytest.raises(ValueError):
        plots.plot_grad_flow([("w", tg.randn(2))])


def test_activation_stats(tmp_path):
    h = tg.randn(200, 8)
    acts = {"relu": h.relu(), "tanh": (h * 5).tanh(), "sigmoid": h.sigmoid()}
    fig = plots.plot_activation_stats(acts, tmp_path / "s.png", ncols=3, figsize=(6, 2), dpi=DPI)
    check_png(tmp_path / "s.png", (6, 2))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    zeros_relu = float((h.relu() == 0).float().mean().item())
    assert texts[0] == f"zeros {zeros_relu:.0%}"  # relu: unbounded, no saturation
    assert texts[1].startswith("zeros 0%\nsaturated") and "saturated" in texts[2]
    assert fig.axes[1].get_title().startswith("tanh\nmean")
    dead = {"dead relu": tg.zeros(50, 4), "small relu": (h * 0.01).relu()}
    fig = plots.plot_activation_stats(dead, tmp_path / "d.png", figsize=(4, 2), dpi=DPI)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts[0] == "zeros 100%" and "saturated" not in texts[1]  # dead is not saturated


def test_lr_schedule_from_list_and_from_a_copied_optimizer(tmp_path):
    fig = plots.plot_lr_schedule(
        [0.1] * 5 + [0.01] * 5, tmp_path / "l.png", figsize=(4, 3), dpi=DPI
    )
    check_png(tmp_path / "l.png", (4, 3))
    optim = pytest.importorskip("tinygrad_edu.optim")
    opt = optim.SGD([tg.zeros(2, requires_grad=True)], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    fig = plots.plot_lr_schedule((opt, sched), steps=7, dpi=DPI)
    np.testing.assert_allclose(
        fig.axes[0].lines[0].get_ydata(), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    )
    assert opt.param_groups[0]["lr"] == 0.1 and "StepLR" in fig.axes[0].get_title()
    fig = plots.plot_lr_schedule(sched, steps=4, log=True, dpi=DPI)  # the scheduler alone
    assert fig.axes[0].get_yscale() == "log"


def test_confusion_matrix_counts(tmp_path):
    y_true = tg.tensor([0, 0, 1, 1, 2, 2])
    logits = tg.tensor(np.eye(3, dtype=np.float32)[[0, 1, 1, 1, 2, 0]])
    fig = plots.plot_confusion_matrix(
        y_true, logits, tmp_path / "c.png", figsize=(4, 3), dpi=DPI, class_names=["a", "b", "c"]
    )
    check_png(tmp_path / "c.png", (4, 3))
    ax = fig.axes[0]
    assert ax.images[0].get_array().tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert "66.7%" in ax.get_title()
    normalized = plots.plot_confusion_matrix([0, 1], [1, 1], normalize=True, dpi=DPI)
    assert normalized.axes[0].images[0].get_array().tolist() == [[0, 1], [0, 1]]
    with pytest.raises(ValueError):
        plots.plot_confusion_matrix([0, 1, 2], [0, 1])


def test_lr_find_restores_the_model_and_optimizer(tmp_path):
    nn = pytest.importorskip("tinygrad_edu.nn")
    optim = pytest.importorskip("tinygrad_edu.optim")
    from tinygrad_edu.nn import functional as F

    model = tiny_model()
    X = tg.randn(64, 2)
    y = (X[:, 0] > 0).long()
    loader = [(X[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]  # any iterable of batches
    opt = optim.Adam(model.parameters(), lr=1e-3)
    F.cross_entropy(model(X), y).backward()
    opt.step()  # some optimizer state to restore
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    state_before = opt.state_dict()
    lrs, losses = plots.lr_find(
        model, F.cross_entropy, opt, loader, start_lr=1e-5, end_lr=100.0, num_iter=40
    )
    assert 5 < len(lrs) == len(losses) <= 40  # stops early once the loss diverges
    assert lrs[0] == pytest.approx(1e-5) and all(b > a for a, b in zip(lrs, lrs[1:]))
    assert all(math.isfinite(v) for v in losses)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.detach().numpy(), before[k])
    after = opt.state_dict()
    assert after["param_groups"][0]["lr"] == 1e-3
    assert float(after["state"][0]["step"]) == float(state_before["state"][0]["step"])
    fig = plots.plot_lr_find((lrs, losses), tmp_path / "f.png", figsize=(4, 3), dpi=DPI)
    check_png(tmp_path / "f.png", (4, 3))
    assert any("steepest descent" in t.get_text() for t in fig.axes[0].get_legend().texts)
    assert isinstance(nn.Module, type)


def test_svg_and_pdf_by_suffix(tmp_path):
    plots.plot_lr_schedule([1.0, 0.5], tmp_path / "x.svg", dpi=DPI)
    plots.plot_lr_schedule([1.0, 0.5], tmp_path / "x.pdf", dpi=DPI)
    assert "<svg" in (tmp_path / "x.svg").read_text()
    assert (tmp_path / "x.pdf").read_bytes()[:4] == b"%PDF"


def test_agg_backend_without_a_display(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY")
    }
    code = (
        "import matplotlib, sys\n"
        "from tinygrad_edu.viz import plots\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        f"plots.plot_lr_schedule([1.0, 0.5], {str(tmp_path / 'x.png')!r})\n"
        "print(matplotlib.get_backend())"
    )
    if sys.platform.startswith("linux"):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        assert out.strip().lower() == "agg"
