"""Containers (Sequential, ModuleList, ModuleDict), shape modules and Residual."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tests.nn._layer_check import assert_close, check_layer, rand
from tinygrad_edu import Tensor


def test_sequential_forward_matches_torch(device):
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).to(device)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
    check_layer(ours, theirs, rand(0, 3, 4), device)


def test_sequential_indexing_len_iteration_append():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    assert seq.append(c) is seq and seq[2] is c and len(seq) == 3
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert [n for n, _ in sub.named_children()] == ["1", "2"]  # torch keeps the names of a slice
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    seq[1] = nn.Tanh()
    assert isinstance(seq[1], nn.Tanh)
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1"] and seq[1] is c
    seq.insert(0, a)
    assert list(seq)[0] is a and len(seq) == 3
    assert seq(tg.ones(5, 2)).shape == (5, 1)


def test_sequential_with_ordered_dict_names():
    seq = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(seq.act, nn.ReLU)


def test_module_list():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    layers.extend([nn.Linear(2, 1)])
    assert len(layers) == 5 and isinstance(layers[-1], nn.Linear)
    assert list(layers.state_dict())[-1] == "4.bias"
    layers.insert(0, nn.Tanh())
    assert isinstance(layers[0], nn.Tanh) and isinstance(layers[1], nn.Linear)
    del layers[0]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2", "3", "4"]
    x = tg.ones(1, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (1, 1)
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    with pytest.raises(TypeError, match="ModuleList has no forward"):
        layers(x)


def test_module_dict():
    d = nn.ModuleDict({"enc": nn.Linear(3, 2), "act": nn.ReLU()})
    assert list(d.keys()) == ["enc", "act"] and "enc" in d and len(d) == 2
    d["dec"] = nn.Linear(2, 3)
    assert list(d) == ["enc", "act", "dec"]
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert isinstance(d.pop("act"), nn.ReLU) and len(d) == 2
    d.update([("extra", nn.Identity())])
    assert [k for k, _ in d.items()] == ["enc", "dec", "extra"]


def test_identity_flatten_unflatten_match_torch():
    x = rand(0, 2, 3, 4, 5)
    check_layer(nn.Identity(), torch.nn.Identity(), x)
    check_layer(nn.Flatten(), torch.nn.Flatten(), x)
    check_layer(nn.Flatten(0, 2), torch.nn.Flatten(0, 2), x)
    check_layer(nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1)), x)
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (2, 2))) == repr(torch.nn.Unflatten(1, (2, 2)))


def test_residual_is_x_plus_module_of_x():
    inner = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
    res = nn.Residual(inner)
    assert res.module is inner
    assert list(res.state_dict()) == ["module.0.weight", "module.0.bias"]
    torch_inner = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU())
    torch_inner.load_state_dict({k: torch.tensor(v.numpy()) for k, v in inner.state_dict().items()})
    x = rand(0, 3, 4)
    xt, xT = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = res(xt), xT + torch_inner(xT)
    assert_close(out, ref)
    g = rand(1, 3, 4)
    out.backward(Tensor(g))
    ref.backward(torch.tensor(g))
    assert_close(xt.grad, xT.grad)
    assert_close(inner[0].weight.grad, torch_inner[0].weight.grad)
    with pytest.raises(RuntimeError, match=r"Residual: the wrapped Linear maps shape \(3, 4\)"):
        nn.Residual(nn.Linear(4, 2))(Tensor(x))


def test_container_repr():
    res = nn.Residual(nn.Linear(2, 2))
    assert repr(res) == "Residual(\n  (module): Linear(in_features=2, out_features=2, bias=True)\n)"
    assert repr(nn.ModuleList([nn.ReLU()])) == repr(torch.nn.ModuleList([torch.nn.ReLU()]))
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential())
