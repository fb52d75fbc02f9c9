"""A TensorBoard logger for fit(): scalars, weight and gradient histograms, the graph picture.

    from tinygrad_edu.train.tensorboard import TensorBoardLogger
    tb = TensorBoardLogger("runs/tb/mnist-mlp")
    fit(model, loss_fn, optimizer, train_loader, val_loader, epochs=5, callbacks=[tb])
    tb.add_graph_picture(model, loss_fn, x[:4], y[:4])   # the autograd graph, as an image
    tb.close()
    # then: tensorboard --logdir runs/tb

Written through tensorboardX (the optional `tensorboard` extra: pip install tensorboardX); the
files are the ones TensorBoard itself reads. `tinygrad-edu train --tensorboard DIR` does this.
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import Any

from .callbacks import Callback, TrainState

INSTALL = "pip install tensorboardX  (or: pip install 'tinygrad_edu[tensorboard]')"


def _summary_writer(log_dir: str):
    try:
        from tensorboardX import SummaryWriter
    except ImportError as e:
        raise ImportError(f"TensorBoard logging needs the tensorboardX package: {INSTALL}") from e
    return SummaryWriter(logdir=log_dir)


class TensorBoardLogger(Callback):
    """Write training to `log_dir` for `tensorboard --logdir`.

    Per epoch: every numeric History column (train/val loss and accuracy, lr, grad_norm, time)
    under 'epoch/<name>', and, when histograms=True, one histogram per parameter of its values
    ('weights/<name>') and of its last gradient ('grads/<name>'). Per batch (every
    `batch_every` steps; 0 turns it off): the batch loss under 'batch/loss'.
    """

    def __init__(
        self, log_dir: str | os.PathLike, histograms: bool = True, batch_every: int = 10
    ) -> None:
        if isinstance(batch_every, bool) or not isinstance(batch_every, int) or batch_every < 0:
            raise ValueError(
                f"TensorBoardLogger: batch_every must be an int >= 0, got {batch_every!r}"
            )
        self.log_dir, self.histograms = os.fspath(log_dir), histograms
        self.batch_every = batch_every
        self.writer = _summary_writer(self.log_dir)  # fails now, not after an epoch of training
        self.step = 0

    def on_batch_end(self, state: TrainState, loss: Any) -> None:
        self.step += 1
        if self.batch_every and self.step % self.batch_every == 0:
            self.writer.add_scalar("batch/loss", float(loss.item()), self.step)

    def on_epoch_end(self, state: TrainState, logs: dict) -> None:
        epoch = int(logs["epoch"])
        for name, value in logs.items():
            if name == "epoch" or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if math.isfinite(value):
                self.writer.add_scalar(f"epoch/{name}", float(value), epoch)
        if self.histograms:
            self.log_histograms(state.model, epoch)
        self.writer.flush()

    def log_histograms(self, model: Any, step: int) -> None:
        """One histogram of values and one of gradients per parameter of `model`."""
        for name, p in model.named_parameters():
            self.writer.add_histogram(f"weights/{name}", p.detach().numpy(), step)
            if p.grad is not None:
                self.writer.add_histogram(f"grads/{name}", p.grad.detach().numpy(), step)

    def add_graph_picture(
        self, model: Any, loss_fn: Any, x: Any, y: Any, tag: str = "graph", step: int = 0
    ) -> bool:
        """Draw the autograd graph of loss_fn(model(x), y) and log it as an image.

        Returns False (and logs nothing) when graphviz or its `dot` program is missing."""
        from .runner import draw_model_graph

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "graph.png")
            try:
                draw_model_graph(model, [(x, y)], loss_fn, path, samples=len(x), collapse=True)
            except (ImportError, RuntimeError, OSError):
                return False
            if not os.path.exists(path):
                return False
            return self.add_image_file(tag, path, step)

    def add_image_file(self, tag: str, path: str, step: int = 0) -> bool:
        """Log a PNG file as an image (read with matplotlib)."""
        import matplotlib.image as mpimg

        image = mpimg.imread(path)  # (H, W, 3|4) floats in [0, 1]
        self.writer.add_image(tag, image[..., :3], step, dataformats="HWC")
        self.writer.flush()
        return True

    def close(self) -> None:
        self.writer.close()

    def on_train_end(self, state: TrainState) -> None:
        self.writer.flush()
