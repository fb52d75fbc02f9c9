"""TensorBoardLogger and `tinygrad-edu train --tensorboard`: what lands in the event file."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.__main__ import main
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import fit

pytest.importorskip("tensorboardX")
from tinygrad_edu.train.tensorboard import TensorBoardLogger


def read_events(log_dir) -> dict:
    """{tag: [(step, kind)]} from the TFRecord event files (length, crc, Event proto, crc)."""
    from tensorboardX.proto import event_pb2

    tags: dict = {}
    for path in Path(log_dir).glob("events.out.tfevents.*"):
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            (n,) = struct.unpack("<Q", data[pos : pos + 8])
            event = event_pb2.Event.FromString(data[pos + 12 : pos + 12 + n])
            pos += 12 + n + 4
            for v in event.summary.value:
                kind = v.WhichOneof("value")
                value = v.simple_value if kind == "simple_value" else None
                tags.setdefault(v.tag, []).append((event.step, kind, value))
    return tags


def small_problem():
    tg.manual_seed(0)
    x = tg.randn(64, 5)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    loader = DataLoader(TensorDataset(x, y), batch_size=16)
    return model, loader


def test_logger_writes_scalars_and_histograms(tmp_path):
    model, loader = small_problem()
    tb = TensorBoardLogger(tmp_path / "tb", batch_every=2)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.SGD(model.parameters(), lr=0.1),
        loader,
        loader,
        epochs=3,
        callbacks=[tb],
        verbose=False,
    )
    tb.close()
    tags = read_events(tmp_path / "tb")
    assert [s for s, _, _ in tags["epoch/train_loss"]] == [1, 2, 3]
    logged = [v for _, _, v in tags["epoch/val_loss"]]
    assert logged == pytest.approx(h.val_loss, rel=1e-6)
    assert len(tags["batch/loss"]) == 6  # 4 batches x 3 epochs, every 2nd
    for name, _ in model.named_parameters():
        assert [k for _, k, _ in tags[f"weights/{name}"]] == ["histo"] * 3
        assert len(tags[f"grads/{name}"]) == 3


def test_logger_image_and_bad_argument(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    png = tmp_path / "a.png"
    plt.imsave(png, [[0.0, 1.0], [1.0, 0.0]])
    tb = TensorBoardLogger(tmp_path / "tb")
    assert tb.add_image_file("picture", str(png))
    tb.close()
    assert read_events(tmp_path / "tb")["picture"][0][1] == "image"
    with pytest.raises(ValueError, match="batch_every"):
        TensorBoardLogger(tmp_path / "tb2", batch_every=-1)


def test_cli_train_tensorboard(tmp_path, capsys):
    rc = main(
        [
            "train",
            "--dataset",
            "xor",
            "--epochs",
            "2",
            "--out",
            str(tmp_path / "run"),
            "--tensorboard",
            str(tmp_path / "tb"),
            "--no-progress",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert f"tensorboard --logdir {tmp_path / 'tb'}" in out
    tags = read_events(tmp_path / "tb")
    assert len(tags["epoch/train_loss"]) == 2 and any(t.startswith("grads/") for t in tags)


def test_missing_tensorboardx_is_one_clear_error(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        TensorBoardLogger(tmp_path / "tb")
