"""PyTorch-style programs run unchanged on tinygrad_edu and print what PyTorch prints.

Each file in programs/ is written for PyTorch (`import torch`, `from torch import nn`). The test
runs it twice in this process: as written, on PyTorch, and with only its imports rewritten to
tinygrad_edu (`import torch` -> `import tinygrad_edu as torch`, `from torch.x` ->
`from tinygrad_edu.x`), the one change the README asks of a user. The two printed outputs must be
the same text, with two allowances: tinygrad_edu prints `tg.Size([2, 3])` and `dtype=tg.float64`
where PyTorch prints `torch.Size(...)` and `torch.float64`, and a printed number may differ from
PyTorch's in its last digit (float32 sums in another order), never in its format.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.py"))
_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[+-]\d+)?")


def to_tinygrad_edu(source: str) -> str:
    """The import lines a user changes: torch -> tinygrad_edu (bound to the name torch)."""
    source = re.sub(r"^import torch$", "import tinygrad_edu as torch", source, flags=re.M)
    return re.sub(r"^from torch(\.| )", r"from tinygrad_edu\1", source, flags=re.M)


def run(source: str, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, name, "exec"), {"__name__": "__main__"})  # noqa: S102 (our files)
    return out.getvalue()


def _close(mine: str, theirs: str) -> bool:
    """Two printed numbers: the same text, or the same format with decimals, one unit apart in
    the last digit (integers, and floats printed as '3.', must be equal)."""
    if mine == theirs:
        return True
    if re.sub(r"\d", "0", mine) != re.sub(r"\d", "0", theirs):
        return False
    (m1, _, e1), (m2, _, e2) = mine.partition("e"), theirs.partition("e")
    decimals = len(m1.partition(".")[2])
    return e1 == e2 and decimals > 0 and abs(float(m1) - float(m2)) <= 1.01 * 10.0**-decimals


def assert_same_output(mine: str, theirs: str) -> None:
    mine = mine.replace("tg.Size(", "torch.Size(").replace("dtype=tg.", "dtype=torch.")
    if mine == theirs:
        return
    text_mine, text_theirs = _NUMBER.split(mine), _NUMBER.split(theirs)
    nums_mine, nums_theirs = _NUMBER.findall(mine), _NUMBER.findall(theirs)
    same = text_mine == text_theirs and all(map(_close, nums_mine, nums_theirs))
    assert same, f"tinygrad_edu printed:\n{mine}\nPyTorch printed:\n{theirs}"


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_prints_what_pytorch_prints(path):
    import torch

    import tinygrad_edu as tg

    source = path.read_text()
    assert re.search(r"^import torch$", source, flags=re.M), "programs are written for PyTorch"
    torch.manual_seed(0)
    tg.manual_seed(0)
    theirs = run(source, str(path))
    mine = run(to_tinygrad_edu(source), str(path))
    assert mine.strip(), "the program printed nothing"
    assert_same_output(mine, theirs)


def test_the_comparison_can_fail():
    assert_same_output("x 1.2346 tg.Size([2])", "x 1.2347 torch.Size([2])")
    for mine, theirs in [
        ("1.2346", "1.2348"),
        ("1.", "1.0000"),
        ("tensor(1)", "tensor(2)"),
        ("a", "b"),
        ("1e+05", "1e+06"),
    ]:
        with pytest.raises(AssertionError):
            assert_same_output(mine, theirs)
