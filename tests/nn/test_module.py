"""nn.Module: registration, iteration, modes, gradients, state_dict/load_state_dict against torch,
devices and dtypes, hooks and the printed tree."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tests.nn._layer_check import assert_close, rand
from tinygrad_edu import Tensor


def ours_mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def torch_mlp():
    tn = torch.nn
    return tn.Sequential(tn.Linear(4, 8), tn.BatchNorm1d(8), tn.ReLU(), tn.Linear(8, 3))


def _build(self, lib):
    """The same architecture in either library (lib is tinygrad_edu.nn or torch.nn)."""
    ones, zeros = (tg.ones, tg.zeros) if lib is nn else (torch.ones, torch.zeros)
    self.conv = lib.Conv2d(2, 3, 3, padding=1)
    self.bn = lib.BatchNorm2d(3)
    self.scale = lib.Parameter(ones(3))
    self.register_buffer("step", zeros(1))
    self.register_buffer("cache", zeros(2), persistent=False)
    self.head = lib.Sequential(lib.Flatten(), lib.Linear(3 * 4 * 4, 2))


def _forward(self, x):
    return self.head(self.bn(self.conv(x)) * self.scale.reshape(1, 3, 1, 1))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        _build(self, nn)

    forward = _forward


class TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        _build(self, torch.nn)

    forward = _forward


def test_state_dict_keys_and_order_match_torch():
    sd = ours_mlp().state_dict()
    assert list(sd) == list(torch_mlp().state_dict())
    assert list(sd)[:7] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert all(isinstance(v, Tensor) and not v.requires_grad for v in sd.values())
    assert list(Block().state_dict()) == list(TorchBlock().state_dict())


def test_state_dict_values_share_memory_with_the_model():
    model = ours_mlp()
    sd = model.state_dict()
    assert sd["0.weight"].data is model[0].weight.data
    kept = model.state_dict(keep_vars=True)
    assert kept["0.weight"] is model[0].weight


def test_load_state_dict_from_torch_numpy_and_outputs_match():
    theirs = torch_mlp()
    for _ in range(2):  # non-trivial running statistics
        theirs(torch.randn(16, 4))
    theirs.eval()
    ours = ours_mlp()
    params_before = list(ours.parameters())
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result == ([], []) and result.missing_keys == [] and result.unexpected_keys == []
    assert list(ours.parameters()) == params_before  # the same Parameter objects, updated
    assert ours[1].num_batches_tracked.item() == 2
    ours.eval()
    x = rand(0, 5, 4)
    assert_close(ours(Tensor(x)), theirs(torch.tensor(x)))
    ours.load_state_dict(theirs.state_dict())  # torch tensors are accepted too
    ours.load_state_dict(ours_mlp().state_dict())  # and our own Tensors


def test_load_state_dict_errors_and_non_strict():
    model = ours_mlp()
    sd = model.state_dict()
    del sd["0.bias"]
    sd["extra.weight"] = tg.zeros(2)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "0.bias"') as e:
        model.load_state_dict(sd)
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in str(e.value)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert missing == ["0.bias"] and unexpected == ["extra.weight"]
    bad = model.state_dict()
    bad["3.weight"] = np.zeros((2, 8), np.float32)
    with pytest.raises(RuntimeError, match=r"size mismatch for 3.weight.*\(2, 8\).*\(3, 8\)"):
        model.load_state_dict(bad, strict=False)


def test_parameters_buffers_children_modules_match_torch():
    ours, theirs = Block(), TorchBlock()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]
    assert "cache" not in ours.state_dict() and "step" in ours.state_dict()


def test_block_forward_backward_matches_torch():
    ours, theirs = Block(), TorchBlock()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = rand(0, 2, 2, 4, 4)
    out, ref = ours(Tensor(x)), theirs(torch.tensor(x))
    assert_close(out, ref)
    out.sum().backward()
    ref.sum().backward()
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, q.grad, atol=1e-4, what=n)


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3  # Sequential, Linear (once), ReLU


def test_train_eval_recursive():
    model = ours_mlp()
    assert model.training and model[1].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="bool"):
        model.train("yes")


def test_zero_grad():
    model = ours_mlp()
    model(tg.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_to_device_and_dtype_in_place():
    model = ours_mlp()
    params = list(model.parameters())
    assert model.to("cpu") is model
    assert list(model.parameters()) == params
    model(tg.randn(3, 4)).sum().backward()
    assert model.double() is model
    assert all(p.dtype == tg.float64 and p.grad.dtype == tg.float64 for p in model.parameters())
    assert model[1].num_batches_tracked.dtype == tg.int64  # integer buffers keep their dtype
    assert model[1].running_mean.dtype == tg.float64
    assert model(Tensor(np.ones((2, 4)))).dtype == tg.float64
    with pytest.raises(TypeError, match="floating"):
        model.to(tg.int32)


@pytest.mark.skipif(tg.cuda.is_available(), reason="checks the CPU-only error")
def test_to_cuda_without_gpu_raises_clear_error():
    model = ours_mlp()
    before = model[0].weight.data
    with pytest.raises(RuntimeError, match="cuda"):
        model.to("cuda")
    with pytest.raises(RuntimeError, match="cuda"):
        model.cuda()
    assert model[0].weight.data is before  # nothing was changed


def test_to_cuda_and_back(device):
    if device == "cpu":
        pytest.skip("needs a GPU")
    model = ours_mlp()
    params = list(model.parameters())
    model.to(device)
    assert (
        all(p.device == "cuda" for p in model.parameters()) and list(model.parameters()) == params
    )
    assert model(tg.randn(3, 4, device=device)).device == "cuda"
    assert model.cpu()[0].weight.device == "cpu"


def test_repr_tree_matches_torch():
    assert repr(ours_mlp()) == repr(torch_mlp())
    nested = nn.Sequential(
        OrderedDict(feat=nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), flat=nn.Flatten())
    )
    ref = torch.nn.Sequential(
        OrderedDict(
            feat=torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU()),
            flat=torch.nn.Flatten(),
        )
    )
    assert repr(nested) == repr(ref)


def test_call_runs_forward_and_hooks():
    model = nn.Linear(2, 2)
    seen = []
    h1 = model.register_forward_pre_hook(lambda m, args: seen.append("pre"))
    h2 = model.register_forward_hook(lambda m, args, out: out * 0.0)
    out = model(tg.ones(1, 2))
    assert seen == ["pre"] and not out.detach().numpy().any()
    h1.remove()
    h2.remove()
    assert model(tg.ones(1, 2)).detach().numpy().any() and seen == ["pre"]


def test_registration_rules():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tg.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Bad()
    m = nn.Module()
    m.w = nn.Parameter(tg.ones(2))
    with pytest.raises(TypeError, match="as parameter .w. of Module \\(Parameter or None"):
        m.w = tg.ones(2)
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.register_buffer("b", tg.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.b = 3
    with pytest.raises(KeyError, match="'.'"):
        m.register_buffer("a.b", tg.zeros(1))
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.register_parameter("p", tg.ones(1))
    m.add_module("child", nn.ReLU())
    assert m.get_submodule("child") is m.child
    del m.child
    assert list(m.children()) == []
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        m.nope
    with pytest.raises(NotImplementedError, match="forward"):
        m(tg.ones(1))


def test_deepcopy_gives_independent_parameters():
    model = ours_mlp()
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, nn.Parameter)
    assert clone[0].weight.data is not model[0].weight.data
    with tg.no_grad():
        clone[0].weight += 1.0
    assert not np.allclose(clone[0].weight.detach().numpy(), model[0].weight.detach().numpy())


def test_parameter_is_a_leaf_tensor():
    p = nn.Parameter(tg.randn(2, 3))
    assert isinstance(p, Tensor) and p.is_leaf and p.requires_grad
    assert repr(p).startswith("Parameter containing:")
    t = tg.ones(2)
    assert nn.Parameter(t).data is t.data  # shares memory, as torch.nn.Parameter
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert type(p * 2) is Tensor


# ----------------------------------------------------------------------------- printing
def _printed_models(nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(16, 16, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)

    return [
        nn.Linear(3, 4),
        nn.Sequential(
            nn.Conv2d(1, 32, 3, 1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(0.25),
            nn.Flatten(),
            nn.Linear(5408, 10, bias=False),
        ),
        nn.Sequential(
            nn.BatchNorm1d(8),
            nn.LayerNorm(8),
            nn.LeakyReLU(0.2),
            nn.GELU(),
            nn.Softmax(dim=1),
            nn.Embedding(10, 3),
            nn.AdaptiveAvgPool2d((1, 1)),
        ),
        nn.ModuleList([Block(), nn.Sequential(), nn.Unflatten(1, (2, 5)), nn.CrossEntropyLoss()]),
    ]


def test_module_printout_matches_pytorch():
    for mine, theirs in zip(_printed_models(nn), _printed_models(torch.nn)):
        assert repr(mine) == repr(theirs)


def test_load_state_dict_result_prints_as_pytorch():
    ours, theirs = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    assert repr(ours.load_state_dict(ours.state_dict())) == "<All keys matched successfully>"
    assert repr(theirs.load_state_dict(theirs.state_dict())) == "<All keys matched successfully>"
    partial = ours.load_state_dict({"weight": tg.ones(1, 2)}, strict=False)
    assert repr(partial) == repr(theirs.load_state_dict({"weight": torch.ones(1, 2)}, strict=False))
