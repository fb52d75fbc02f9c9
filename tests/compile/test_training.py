"""fit(..., compile=True) and `tinygrad-edu train --compile` train exactly as their eager forms."""

from __future__ import annotations

import json

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.cli import main
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import fit


def _fit(compile_: bool):
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((100, 6)).astype(np.float32))
    y = tg.tensor(rng.integers(0, 3, 100))
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)  # last batch: 4 rows
    hist = fit(
        model,
        nn.CrossEntropyLoss(),
        opt,
        loader,
        epochs=3,
        scheduler=sched,
        verbose=False,
        progress=False,
        compile=compile_,
    )
    return hist, model


def test_fit_compile_is_identical_to_eager():
    (h1, m1), (h2, m2) = _fit(False), _fit(True)
    for key in ("train_loss", "train_acc", "lr", "grad_norm"):
        assert h1[key] == h2[key], key
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data)


def test_cli_train_compile(tmp_path):
    runs = {}
    for flag in ([], ["--compile"]):
        out = tmp_path / ("c" if flag else "e")
        assert (
            main(
                [
                    "train",
                    "--dataset",
                    "moons",
                    "--epochs",
                    "2",
                    "--out",
                    str(out),
                    "--no-progress",
                    *flag,
                ]
            )
            == 0
        )
        runs[bool(flag)] = json.loads((out / "metrics.json").read_text())
    assert json.loads((tmp_path / "c" / "config.json").read_text())["compile"] is True
    assert runs[True]["test_accuracy"] == runs[False]["test_accuracy"]
