"""The `tinygrad-edu` command: demo, train, evaluate, resume, graph, and its error messages."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.train import Callback, read_checkpoint

ROOT = Path(__file__).resolve().parents[1]
RUN_FILES = (
    "config.json",
    "metrics.json",
    "history.csv",
    "history.json",
    "curves.png",
    "graph.svg",
    "model.npz",
    "checkpoints/last.npz",
    "checkpoints/best.npz",
)


@pytest.fixture(autouse=True)
def _no_data_env(monkeypatch):
    """Datasets only where a test points: $TINYGRAD_EDU_DATA of the machine does not leak in."""
    monkeypatch.delenv("TINYGRAD_EDU_DATA", raising=False)


def history_column(run_dir, name):
    with open(Path(run_dir) / "history.csv", newline="") as f:
        return [row[name] for row in csv.DictReader(f)]


def one_line_error(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "error" in lines[0]
    return lines[0]


def test_demo_writes_the_run_folder(tmp_path, capsys):
    pytest.importorskip("sklearn")
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "2", "--no-progress"]) == 0
    for name in RUN_FILES:
        if name == "curves.png" and not _has("matplotlib"):
            continue
        if name == "graph.svg" and not _has("graphviz"):
            continue
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["epochs"] == 2
    assert 0.5 < metrics["test_accuracy"] <= 1.0 and metrics["parameters"] > 0
    text = capsys.readouterr().out
    assert "test accuracy" in text and "run folder" in text and "epoch 2/2" in text
    assert "<svg" in (out / "graph.svg").read_text()[:2000] or not _has("graphviz")


def _has(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


@pytest.mark.slow
def test_full_demo_reaches_97_percent_within_a_minute(tmp_path, capsys):
    start = time.perf_counter()
    assert main(["demo", "--out", str(tmp_path / "d"), "--no-progress"]) == 0
    assert time.perf_counter() - start < 60
    assert json.loads((tmp_path / "d" / "metrics.json").read_text())["test_accuracy"] >= 0.97


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--dataset", "nope"],
        ["train", "--lr", "-1"],
        ["train", "--hidden", "256,x"],
        ["train", "--epochs", "0"],
        ["train", "--dropout", "1.5"],
        ["train", "--activation", "relu7"],
        ["frobnicate"],
        ["evaluate"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    line = one_line_error(capsys.readouterr().err)
    assert line.startswith("tinygrad-edu")


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_missing_data_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # an empty download cache
    code = main(
        [
            "train",
            "--dataset",
            "mnist",
            "--data-dir",
            str(tmp_path / "empty"),
            "--out",
            str(tmp_path / "run"),
        ]
    )
    assert code == 2
    line = one_line_error(capsys.readouterr().err)
    assert "MNIST not found" in line and str(tmp_path / "empty") in line
    assert "--data-dir" in line and "--download" in line


def test_invalid_combination_is_one_line(tmp_path, capsys):
    code = main(["train", "--dataset", "moons", "--model", "cnn", "--out", str(tmp_path)])
    assert code == 2
    assert "needs images" in one_line_error(capsys.readouterr().err)
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
    assert "not a run folder" in one_line_error(capsys.readouterr().err)


def test_unavailable_device_is_one_line(tmp_path, capsys):
    assert main(["train", "--dataset", "moons", "--device", "tpu", "--out", str(tmp_path)]) == 2
    assert "unknown device 'tpu'" in one_line_error(capsys.readouterr().err)


def moons_run(out, *extra):
    argv = [
        "train",
        "--dataset",
        "moons",
        "--hidden",
        "16,16",
        "--lr",
        "0.01",
        "--epochs",
        "3",
        "--batch-size",
        "50",
        "--no-progress",
        "--out",
        str(out),
        *extra,
    ]
    return main(argv)


def test_train_evaluate_and_resume(tmp_path, capsys):
    full, part = tmp_path / "full", tmp_path / "part"
    assert moons_run(full, "--dropout", "0.1") == 0
    assert moons_run(part, "--dropout", "0.1", "--epochs", "2") == 0
    capsys.readouterr()
    assert main(["resume", str(part), "--epochs", "3", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "epoch 3/3" in out and "epoch 2/3" not in out
    assert history_column(part, "train_loss") == history_column(full, "train_loss")
    assert history_column(part, "val_acc") == history_column(full, "val_acc")

    assert main(["evaluate", str(full)]) == 0
    text = capsys.readouterr().out
    metrics = json.loads((full / "metrics.json").read_text())
    assert f"{metrics['test_accuracy']:.2%}" in text
    args = ["evaluate", str(full), "--checkpoint", "best"]
    if _has("matplotlib"):
        args += ["--confusion", str(tmp_path / "cm.png")]
    assert main(args) == 0
    assert not _has("matplotlib") or (tmp_path / "cm.png").is_file()

    assert main(["resume", str(full)]) == 2  # finished: nothing to do without a larger --epochs
    assert "already trained 3 of 3" in one_line_error(capsys.readouterr().err)


def test_ctrl_c_in_the_command_saves_and_resume_finishes(tmp_path, capsys, monkeypatch):
    from tinygrad_edu.train import runner

    real_fit = runner.fit

    class Interrupt(Callback):
        def on_batch_end(self, state, loss):
            if state.epoch == 1 and state.batch == 3:
                raise KeyboardInterrupt

    def fit_with_interrupt(*args, **kwargs):
        return real_fit(*args, callbacks=[Interrupt()], **kwargs)

    monkeypatch.setattr(runner, "fit", fit_with_interrupt)
    out = tmp_path / "run"
    assert moons_run(out) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and f"tinygrad-edu resume {out}" in err
    assert read_checkpoint(out / "checkpoints" / "last.npz")["partial"]["batch"] == 3
    monkeypatch.setattr(runner, "fit", real_fit)
    assert main(["resume", str(out), "--no-progress"]) == 0
    assert (out / "metrics.json").is_file()
    full = tmp_path / "full"
    assert moons_run(full) == 0
    assert history_column(out, "train_loss") == history_column(full, "train_loss")


def test_train_on_mnist_files(datasets_dir, tmp_path, capsys):
    out = tmp_path / "mnist"
    argv = [
        "train",
        "--dataset",
        "mnist",
        "--data-dir",
        str(datasets_dir),
        "--subset",
        "1000",
        "--val-split",
        "0",
        "--hidden",
        "32",
        "--epochs",
        "1",
        "--no-progress",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_samples"] == 10000 and metrics["test_accuracy"] > 0.5
    assert "1,000 train" in capsys.readouterr().out


def test_graph_subcommand_is_wired(tmp_path, capsys):
    pytest.importorskip("graphviz")
    path = tmp_path / "expr.gv"
    assert main(["graph", "--expr", "(a*b + c).tanh()", "--out", str(path)]) == 0
    assert path.is_file() and "digraph" in path.read_text()


def test_python_dash_m_entry_point():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("tinygrad-edu ")
    bad = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "train", "--lr", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
