"""PyTorch-style programs for optim, DataLoader workers, autograd.functional and amp run unchanged
on tinygrad_edu and print what PyTorch prints; the torchvision program runs on tinygrad_edu.vision
(torchvision is not installed) and prints what the MNIST files say.

Each file in programs_b/ is written for PyTorch. The test runs it as written on PyTorch and with
only its imports rewritten (`import torch` -> `import tinygrad_edu as torch`, `from torch.x` ->
`from tinygrad_edu.x`, `from torchvision.x` -> `from tinygrad_edu.vision.x`). The printed outputs
must match: the same text, numbers equal or one unit apart in their last printed digit.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent / "programs_b"
TORCH_PROGRAMS = ["optimizers", "dataloader", "autograd_functional", "amp"]
_NUMBER = re.compile(r"-?\d+\.?\d*(?:e[+-]\d+)?")


def to_tinygrad_edu(source: str) -> str:
    source = re.sub(r"^import torch$", "import tinygrad_edu as torch", source, flags=re.M)
    source = re.sub(r"^from torchvision(\.| )", r"from tinygrad_edu.vision\1", source, flags=re.M)
    return re.sub(r"^from torch(\.| )", r"from tinygrad_edu\1", source, flags=re.M)


def run(source: str, name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, name, "exec"), {"__name__": "__main__"})  # noqa: S102 (our files)
    return out.getvalue()


def _close(mine: str, theirs: str) -> bool:
    if mine == theirs:
        return True
    if re.sub(r"\d", "0", mine) != re.sub(r"\d", "0", theirs):
        return False
    decimals = len(mine.partition("e")[0].partition(".")[2])
    return decimals > 0 and abs(float(mine) - float(theirs)) <= 1.01 * 10.0**-decimals


def assert_same_output(mine: str, theirs: str) -> None:
    same = (
        _NUMBER.split(mine) == _NUMBER.split(theirs)
        and all(map(_close, _NUMBER.findall(mine), _NUMBER.findall(theirs)))
        and len(_NUMBER.findall(mine)) == len(_NUMBER.findall(theirs))
    )
    assert same, f"tinygrad_edu printed:\n{mine}\nPyTorch printed:\n{theirs}"


@pytest.mark.parametrize("name", TORCH_PROGRAMS)
def test_program_prints_what_pytorch_prints(name):
    import torch

    import tinygrad_edu as tg

    path = HERE / f"{name}.py"
    source = path.read_text()
    torch.manual_seed(0)
    tg.manual_seed(0)
    theirs = run(source, str(path))
    mine = run(to_tinygrad_edu(source), str(path))
    assert mine.strip(), "the program printed nothing"
    assert_same_output(mine, theirs)


def _idx(path: Path) -> np.ndarray:
    data = gzip.decompress(path.read_bytes())
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def test_torchvision_program_on_tinygrad_edu_vision(datasets_dir, monkeypatch):
    # Only the tinygrad_edu half: torchvision is not installed (and cannot be) here.
    monkeypatch.setenv("MNIST_ROOT", str(datasets_dir))
    path = HERE / "vision_mnist.py"
    mine = run(to_tinygrad_edu(path.read_text()), str(path)).splitlines()
    # the expected numbers, straight from the IDX files and torchvision's documented formulas
    images = _idx(datasets_dir / "mnist" / "t10k-images-idx3-ubyte.gz")
    labels = _idx(datasets_dir / "mnist" / "t10k-labels-idx1-ubyte.gz")
    first = (images[0].astype(np.float32) / 255 - 0.1307) / 0.3081
    assert mine[0] == "10000 ['0 - zero', '1 - one']"
    assert mine[1] == f"[1, 28, 28] {labels[0]} {first.mean():.4f} {first.max():.4f}"
    assert mine[2] == f"[16, 1, 28, 28] {labels[:8].tolist()}"
    assert mine[3] == "[3, 122, 122] 0.00 1.00"  # 4 x 4 cells of 28 + 2 padding, plus 2
    assert mine[4] == "[1, 14, 14] float32"


def test_the_comparison_can_fail():
    assert_same_output("x 1.2346 [1, 2]", "x 1.2347 [1, 2]")
    for mine, theirs in [
        ("1.2346", "1.2348"),
        ("1.", "1.0000"),
        ("[1, 2]", "[1, 3]"),
        ("a", "b"),
        ("1 2", "1"),
    ]:
        with pytest.raises(AssertionError):
            assert_same_output(mine, theirs)
