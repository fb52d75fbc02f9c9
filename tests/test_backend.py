"""backend.device (tg.device), backend.Size (tg.Size) and the PyTorch dtype aliases."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.test_devices import fresh_cuda_state, no_cupy, stand_in_gpu  # noqa: F401 (fixtures)
from tinygrad_edu import backend


# ----------------------------------------------------------------------------- tg.device
@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda", 0), ("cuda:0",), ("cpu", 0)])
def test_device_type_index_str_repr_as_pytorch(args):
    mine, theirs = tg.device(*args), torch.device(*args)
    assert (mine.type, mine.index) == (theirs.type, theirs.index)
    assert str(mine) == str(theirs) and repr(mine) == repr(theirs) and f"{mine}" == f"{theirs}"


def test_device_equals_strings_and_devices_and_hashes_like_its_type():
    assert tg.device("cpu") == "cpu" and tg.device("cuda", 0) == "cuda" == tg.device("cuda")
    assert tg.device("cuda:0") == "cuda:0" and tg.device("cuda", 0) == tg.device("cuda:0")
    assert tg.device("cpu") != "cuda" and tg.device("cpu") != tg.device("cuda")
    assert tg.device("cuda") != "banana" and tg.device("cpu") != 3.5
    assert {tg.device("cpu"): 1}["cpu"] == 1 and len({tg.device("cpu"), "cpu"}) == 1
    assert tg.device(tg.device("cuda", 0)) == tg.device("cuda", 0)
    assert tg.device(torch.device("cuda", 0)).index == 0
    assert pickle.loads(pickle.dumps(tg.device("cuda", 0))).index == 0


@pytest.mark.parametrize(
    "args,error,match",
    [
        (("tpu",), ValueError, "unknown device 'tpu'"),
        (("cuda:x",), ValueError, "unknown device 'cuda:x'"),
        (("cuda:0", 0), RuntimeError, "must not include an index"),
        (("cuda", -1), RuntimeError, "must not be negative"),
        (("cuda", "0"), TypeError, "index must be an int"),
    ],
)
def test_device_errors(args, error, match):
    with pytest.raises(error, match=match):
        tg.device(*args)


def test_tensor_device_is_a_device_equal_to_cpu():
    d = tg.zeros(2).device
    assert isinstance(d, tg.device) and d == "cpu" and d.type == "cpu" and d.index is None
    assert repr(d) == "device(type='cpu')"


def test_devices_are_accepted_wherever_a_device_string_is(tmp_path):
    cpu = tg.device("cpu")
    x = tg.zeros(2, device=cpu)
    assert x.to(cpu).device == "cpu" and tg.ones(2, 2, device=cpu).device == "cpu"
    assert tg.tensor([1.0], device=cpu).device == "cpu" and tg.arange(3, device=cpu).device == cpu
    m = tg.nn.Linear(2, 2).to(cpu)
    assert m.weight.device == "cpu"
    loader = tg.utils.data.DataLoader(tg.utils.data.TensorDataset(tg.zeros(4, 2)), 2, device=cpu)
    assert next(iter(loader))[0].device == "cpu"
    tg.save({"w": x}, tmp_path / "ckpt")
    assert tg.load(tmp_path / "ckpt", map_location=cpu)["w"].device == "cpu"


@pytest.mark.usefixtures("no_cupy")
def test_cuda_device_on_a_machine_without_cupy_is_the_clear_error():
    with pytest.raises(RuntimeError, match="device 'cuda' was requested but is unavailable"):
        tg.zeros(2, device=tg.device("cuda", 0))


@pytest.mark.usefixtures("stand_in_gpu")
def test_a_second_gpu_is_refused_by_name():
    with pytest.raises(ValueError, match="'cuda:1': tinygrad_edu drives one GPU"):
        tg.zeros(2, device="cuda:1")


@pytest.mark.usefixtures("stand_in_gpu")
def test_tensors_on_the_gpu_report_cuda_0():
    x = tg.zeros(2, device=tg.device("cuda", 0))
    assert x.device == tg.device("cuda:0") and str(x.device) == "cuda:0" and x.is_cuda
    assert x.type() == "torch.cuda.FloatTensor"
    assert repr(x) == "tensor([0., 0.], device='cuda:0')"


# ----------------------------------------------------------------------------- tg.Size
def test_shape_and_size_are_sizes_usable_as_tuples():
    x = tg.zeros(2, 3)
    assert isinstance(x.shape, tg.Size) and isinstance(x.size(), tuple) and x.size() == (2, 3)
    assert repr(x.shape) == str(x.shape) == "tg.Size([2, 3])" and x.size(1) == 3
    assert x.shape.numel() == 6 and tg.Size([]).numel() == 1 and repr(tg.Size([])) == "tg.Size([])"
    assert x.shape + (4,) == tg.Size([2, 3, 4]) and isinstance(x.shape + (4,), tg.Size)
    assert isinstance((1,) + x.shape, tg.Size) and isinstance(x.shape[1:], tg.Size)
    assert x.shape[0] == 2 and tg.zeros(x.shape).shape == (2, 3)
    assert np.zeros(x.shape).shape == (2, 3) and torch.zeros(x.shape).shape == (2, 3)
    with pytest.raises(TypeError):
        x.shape + [4]


# ----------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "name",
    [
        "float",
        "double",
        "half",
        "long",
        "int",
        "short",
        "bool",
        "float16",
        "float32",
        "float64",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
    ],
)
def test_dtype_aliases_are_pytorchs(name):
    mine, theirs = getattr(tg, name), getattr(torch, name)
    assert str(mine) == str(theirs).replace("torch.", "")
    assert backend.as_dtype(f"torch.{name}") == mine
