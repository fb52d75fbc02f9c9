"""Training: the fit() loop, evaluation, History, checkpoints and callbacks.

    from tinygrad_edu.train import fit, evaluate, EarlyStopping
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train_loader, val_loader, epochs=10,
                  scheduler=sched, clip_grad_norm=1.0, early_stopping=EarlyStopping(patience=3),
                  checkpoint_dir="runs/mnist/checkpoints")
    history.save_csv("history.csv"); history.plot("curves.png")
    fit(..., checkpoint_dir="runs/mnist/checkpoints", resume=True)   # continue exactly

`experiment` and `runner` build whole runs from a Config (what `tinygrad-edu train` does).
"""

from .callbacks import Callback, EarlyStopping, TrainState
from .checkpoint import CheckpointMismatch, load_checkpoint, read_checkpoint, save_checkpoint
from .history import History
from .loop import evaluate, fit
from .metrics import accuracy
from .threads import num_threads, set_num_threads

__all__ = [
    "fit",
    "evaluate",
    "accuracy",
    "History",
    "Callback",
    "EarlyStopping",
    "TrainState",
    "save_checkpoint",
    "load_checkpoint",
    "read_checkpoint",
    "CheckpointMismatch",
    "set_num_threads",
    "num_threads",
]
