"""`import tinygrad_edu as tg` exposes PyTorch's namespaces, loading the heavy ones on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_edu as tg

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()


def test_pytorch_namespaces_need_no_further_imports():
    code = (
        "import tinygrad_edu as torch\n"
        "print(torch.nn.Linear.__name__, torch.nn.functional.relu.__name__,\n"
        "      torch.optim.SGD.__name__, torch.optim.lr_scheduler.StepLR.__name__,\n"
        "      torch.autograd.grad.__name__, torch.utils.data.DataLoader.__name__,\n"
        "      torch.utils.data.Dataset.__name__, torch.utils.data.TensorDataset.__name__,\n"
        "      torch.utils.data.random_split.__name__, torch.utils.data.Subset.__name__,\n"
        "      torch.cuda.is_available.__name__, torch.accelerator.is_available.__name__,\n"
        "      torch.load.__name__, torch.save.__name__)"
    )
    assert _run(code).split() == [
        "Linear",
        "relu",
        "SGD",
        "StepLR",
        "grad",
        "DataLoader",
        "Dataset",
        "TensorDataset",
        "random_split",
        "Subset",
        "is_available",
        "is_available",
        "load",
        "save",
    ]


def test_plain_import_does_not_load_nn_optim_or_data():
    code = (
        "import sys, tinygrad_edu\n"
        "print(sorted(m for m in sys.modules if m.split('.')[1:2] in (['nn'], ['optim'], "
        "['data'], ['utils'])))"
    )
    assert _run(code) == "[]"


def test_torch_style_from_imports_work():
    from tinygrad_edu.utils.data import DataLoader, random_split

    assert DataLoader is tg.data.DataLoader and random_split is tg.data.random_split
    assert tg.utils.data.Subset is tg.data.Subset


def test_all_names_resolve_and_unknown_names_raise():
    for name in tg.__all__:
        assert getattr(tg, name) is not None, name
    assert len(tg.__all__) == len(set(tg.__all__))
    assert "nn" in dir(tg) and "DataLoader" not in tg.__all__
    with pytest.raises(AttributeError, match="has no attribute 'tensorflow'"):
        _ = tg.tensorflow


def test_amp_is_exposed_when_its_module_exists():
    import importlib.util

    if importlib.util.find_spec("tinygrad_edu.amp") is None:
        with pytest.raises(AttributeError, match="has no attribute 'amp'"):
            _ = tg.amp
    else:
        assert tg.amp.__name__ == "tinygrad_edu.amp"
