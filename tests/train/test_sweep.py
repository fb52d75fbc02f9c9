"""`tinygrad-edu sweep`: an Optuna study over lr / weight decay / schedule."""

from __future__ import annotations

import json
import sys

import pytest

from tinygrad_edu.__main__ import main


def test_sweep_writes_study_and_plots(tmp_path, capsys):
    pytest.importorskip("optuna")
    pytest.importorskip("matplotlib")
    out = tmp_path / "sw"
    rc = main(
        [
            "sweep",
            "--dataset",
            "xor",
            "--epochs",
            "2",
            "--trials",
            "4",
            "--out",
            str(out),
            "--no-progress",
            "--schedules",
            "none",
            "cosine",
        ]
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "test set is not used" in text
    best = json.loads((out / "best.json").read_text())
    assert best["trials"] == 4 and best["params"]["schedule"] in ("none", "cosine")
    assert 1e-4 <= best["params"]["lr"] <= 1e-1
    assert best["base_config"]["val_split"] == 0.1
    rows = (out / "trials.csv").read_text().strip().splitlines()
    assert len(rows) == 5
    assert (out / "optimization_history.png").exists()
    assert len(list(out.glob("trial_*/history.json"))) == 4
    assert f"{best['best_val_loss']:.4f}" in text  # the printed best is the study's own number


def test_sweep_errors_are_one_line(tmp_path, capsys, monkeypatch):
    assert (
        main(
            ["sweep", "--dataset", "xor", "--lr-range", "0.1", "0.01", "--out", str(tmp_path / "s")]
        )
        == 2
    )
    assert "--lr-range" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "optuna", None)
    assert main(["sweep", "--dataset", "xor", "--out", str(tmp_path / "s2")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install optuna" in err[0]
