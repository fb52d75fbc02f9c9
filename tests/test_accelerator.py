"""tg.accelerator: PyTorch's device-agnostic idiom works with and without a GPU."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg
from tests.test_devices import fresh_cuda_state, no_cupy, stand_in_gpu  # noqa: F401 (fixtures)

IDIOM = (
    'torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"'
)


@pytest.mark.usefixtures("no_cupy")
def test_without_a_gpu_the_idiom_picks_cpu_as_pytorch():
    assert not tg.accelerator.is_available() and tg.accelerator.current_accelerator() is None
    assert tg.accelerator.device_count() == 0 and tg.accelerator.current_device_index() == -1
    tg.accelerator.synchronize()  # a no-op, never an error
    assert eval(IDIOM, {"torch": tg}) == "cpu"
    if not torch.accelerator.is_available():
        assert eval(IDIOM, {"torch": torch}) == "cpu"
        assert torch.accelerator.current_accelerator() is None


@pytest.mark.usefixtures("stand_in_gpu")
def test_with_a_gpu_the_idiom_picks_cuda():
    assert tg.accelerator.is_available()
    d = tg.accelerator.current_accelerator()
    assert d == tg.device("cuda") and d.type == "cuda" and repr(d) == "device(type='cuda')"
    assert tg.accelerator.device_count() == 1 and tg.accelerator.current_device_index() == 0
    device = eval(IDIOM, {"torch": tg})
    assert tg.zeros(2, device=device).device == "cuda"
