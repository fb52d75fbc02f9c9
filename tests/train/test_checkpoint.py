"""Training checkpoints load only into what they were made for."""

from __future__ import annotations

import pytest

import tinygrad_edu as tg
from tinygrad_edu import models, optim
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import CheckpointMismatch, load_checkpoint, save_checkpoint


def _model():
    tg.manual_seed(0)
    return models.mlp(2, [8], 2)


def test_adam_checkpoint_into_sgd_is_a_mismatch(tmp_path):
    model = _model()
    adam = optim.Adam(model.parameters(), lr=0.123)
    path = save_checkpoint(tmp_path / "c.npz", model, adam, epoch=1)
    sgd = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    with pytest.raises(CheckpointMismatch, match="Adam optimizer, not of this SGD"):
        load_checkpoint(path, model, sgd)
    assert sgd.param_groups[0]["lr"] == 0.01  # nothing taken from Adam
    load_checkpoint(path, model, optim.Adam(model.parameters(), lr=1.0))  # the right kind loads


def test_adamw_checkpoint_into_adam_is_a_mismatch(tmp_path):
    model = _model()
    path = save_checkpoint(tmp_path / "c.npz", model, optim.AdamW(model.parameters()), epoch=0)
    with pytest.raises(CheckpointMismatch, match="AdamW"):
        load_checkpoint(path, model, optim.Adam(model.parameters()))


def test_old_checkpoint_without_class_names_is_checked_by_hyperparameters(tmp_path):
    model = _model()
    path = tmp_path / "old.npz"
    save_checkpoint(path, model, optim.Adam(model.parameters()), epoch=0)
    state = tg.load(path)
    del state["optimizer_class"], state["scheduler_class"]  # as written before they existed
    tg.save(state, path)
    with pytest.raises(CheckpointMismatch, match="momentum"):
        load_checkpoint(path, model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9))


def test_scheduler_kind_is_checked(tmp_path):
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    path = save_checkpoint(
        tmp_path / "c.npz", model, opt, lr_scheduler.StepLR(opt, step_size=2), epoch=0
    )
    with pytest.raises(CheckpointMismatch, match="StepLR"):
        load_checkpoint(path, model, opt, lr_scheduler.CosineAnnealingLR(opt, T_max=5))
