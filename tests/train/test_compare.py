"""`tinygrad-edu compare`: runs' curves on shared axes and one table."""

from __future__ import annotations

import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.train import History
from tinygrad_edu.train.compare import compare_table, load_runs, plot_runs, run_labels


def make_run(folder, losses, test_acc=None):
    folder.mkdir(parents=True)
    h = History()
    for i, loss in enumerate(losses, 1):
        h.record(
            epoch=i,
            train_loss=loss,
            val_loss=loss + 0.1,
            train_acc=1 - loss,
            val_acc=0.9 - loss,
            lr=0.1,
        )
    h.save_json(folder / "history.json")
    if test_acc is not None:
        (folder / "metrics.json").write_text(f'{{"test_accuracy": {test_acc}}}')
    return folder


def test_table_reports_each_runs_own_numbers(tmp_path):
    a = make_run(tmp_path / "a", [0.5, 0.3, 0.4], test_acc=0.8)
    b = make_run(tmp_path / "b", [0.6, 0.2])
    lines = compare_table(load_runs([a, b]))
    assert lines[1].split()[:3] == ["a", "3", "0.4000"]
    assert "0.4000 (  2)" in lines[1] and "80.00%" in lines[1]
    assert lines[2].split()[:3] == ["b", "2", "0.2000"] and lines[2].rstrip().endswith("-")


def test_plot_has_one_colour_per_run_in_every_panel(tmp_path):
    pytest.importorskip("matplotlib")
    runs = load_runs([make_run(tmp_path / "a", [0.5, 0.3]), make_run(tmp_path / "b", [0.6, 0.2])])
    fig = plot_runs(runs, str(tmp_path / "c.png"))
    loss_ax = fig.axes[0]
    colours = {line.get_label(): line.get_color() for line in loss_ax.lines}
    assert colours["a train"] == colours["a val"] != colours["b train"]
    assert len(fig.axes) == 3 and (tmp_path / "c.png").stat().st_size > 0


def test_labels_stay_distinct(tmp_path):
    assert run_labels(["x/run", "y/run"]) == ["x/run", "y/run"]
    assert run_labels(["x/a", "x/b/"]) == ["a", "b"]


def test_cli_compare_and_its_errors(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    a, b = make_run(tmp_path / "a", [0.5, 0.3]), make_run(tmp_path / "b", [0.6, 0.2])
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").exists() and "best val loss" in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no run folder" in err[0]
