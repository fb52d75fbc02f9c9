"""The Optimizer base: param groups, zero_grad, state_dict / load_state_dict, errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

from .side_by_side import SHAPES, assert_params_close, make_params

ALL = [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), torch.optim.SGD),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01), torch.optim.Adam),
    (optim.AdamW, dict(lr=0.01), torch.optim.AdamW),
    (optim.RMSprop, dict(momentum=0.5, centered=True), torch.optim.RMSprop),
    (optim.Adagrad, dict(lr_decay=0.01, initial_accumulator_value=0.1), torch.optim.Adagrad),
    (optim.Adadelta, dict(rho=0.8, weight_decay=0.01), torch.optim.Adadelta),
    (optim.Adamax, dict(lr=0.01), torch.optim.Adamax),
    (optim.NAdam, dict(lr=0.01, momentum_decay=0.01), torch.optim.NAdam),
    (optim.RAdam, dict(lr=0.01, weight_decay=0.01), torch.optim.RAdam),
]
IDS = [c[0].__name__ for c in ALL]


def _grads(rng):
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _train(opt, params, rng, steps):
    for _ in range(steps):
        for p, g in zip(params, _grads(rng)):
            p.grad = tg.Tensor(g)
        opt.step()


def _clone_params(params):
    return [p.detach().clone().requires_grad_() for p in params]


# ------------------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("how", ["direct", "deepcopy", "tg.save"])
@pytest.mark.parametrize("cls, kwargs, torch_cls", ALL, ids=IDS)
def test_state_dict_round_trip_resumes_exactly(cls, kwargs, torch_cls, how, tmp_path):
    params, _ = make_params()
    opt = cls(params, **kwargs)
    _train(opt, params, np.random.default_rng(1), 5)
    sd = opt.state_dict()
    if how == "deepcopy":
        sd = copy.deepcopy(sd)
    elif how == "tg.save":
        tg.save(sd, tmp_path / "opt.ckpt")
        sd = tg.load(tmp_path / "opt.ckpt")
    resumed_params = _clone_params(params)
    resumed = cls(resumed_params, lr=123.0)  # hyper-parameters come from the state dict
    resumed.load_state_dict(sd)
    assert resumed.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for a, b in zip(params, resumed_params):
        assert resumed.state[b].keys() == opt.state[a].keys()
        for k, v in opt.state[a].items():
            if isinstance(v, tg.Tensor):
                assert resumed.state[b][k] is not v, f"{k} aliases the source state"
    _train(opt, params, np.random.default_rng(2), 5)
    _train(resumed, resumed_params, np.random.default_rng(2), 5)
    for a, b in zip(params, resumed_params):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("cls, kwargs, torch_cls", ALL, ids=IDS)
def test_state_dict_has_pytorchs_layout(cls, kwargs, torch_cls):
    ours, theirs = make_params()
    opt, topt = cls(ours, **kwargs), torch_cls(theirs, **kwargs)
    for p, q in zip(ours, theirs):
        p.grad, q.grad = tg.ones(*p.shape), torch.ones(q.shape)
    opt.step()
    topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd.keys() == tsd.keys() == {"state", "param_groups"}
    assert sd["state"].keys() == tsd["state"].keys() == {0, 1, 2}
    for i in range(3):
        assert sd["state"][i].keys() == tsd["state"][i].keys()
        for name, value in sd["state"][i].items():
            if name == "step":
                assert value == tsd["state"][i][name].item()
            else:
                np.testing.assert_allclose(value.numpy(), tsd["state"][i][name].numpy(), 1e-6)
    group, tgroup = sd["param_groups"][0], tsd["param_groups"][0]
    assert group["params"] == tgroup["params"] == [0, 1, 2]
    for key, value in group.items():  # every hyper-parameter we store, PyTorch stores alike
        assert tgroup[key] == value, key


def test_state_dict_ids_run_across_groups():
    a, b, c = (tg.zeros(2, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, c):
        p.grad = tg.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 2]  # b had no gradient: no state
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]


def test_load_state_dict_copies_and_casts():
    p = tg.zeros(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    buf = tg.Tensor([1.0, 2.0, 3.0], dtype=tg.float64)
    sd = {
        "state": {0: {"momentum_buffer": buf}},
        "param_groups": [{"lr": 0.2, "momentum": 0.5, "params": [0]}],
    }
    opt.load_state_dict(sd)
    loaded = opt.state[p]["momentum_buffer"]
    assert loaded.dtype == tg.float32 and loaded.tolist() == [1.0, 2.0, 3.0]
    loaded += 1.0
    assert buf.tolist() == [1.0, 2.0, 3.0]  # no aliasing of the source
    group = opt.param_groups[0]
    assert group["lr"] == 0.2 and group["momentum"] == 0.5 and group["nesterov"] is False
    assert group["params"][0] is p
    assert sd["param_groups"][0]["params"] == [0]  # the argument is left alone


def test_load_state_dict_accepts_numpy_buffers():
    p = tg.zeros(2, requires_grad=True)
    opt = optim.Adam([p])
    array = np.array([0.5, 0.25], dtype=np.float32)
    sd = {
        "state": {0: {"step": 4, "exp_avg": array, "exp_avg_sq": array}},
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(sd)
    opt.state[p]["exp_avg"] += 1.0
    assert array.tolist() == [0.5, 0.25] and opt.state[p]["step"] == 4


def test_load_state_dict_errors():
    a, b = tg.zeros(2, requires_grad=True), tg.zeros(3, requires_grad=True)
    opt = optim.Adam([a, b])
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
    two_groups = optim.Adam([{"params": [a]}, {"params": [b]}]).state_dict()
    with pytest.raises(ValueError, match="has 2 parameter group.* but the optimizer has 1"):
        opt.load_state_dict(two_groups)
    one_param = optim.Adam([a]).state_dict()
    with pytest.raises(ValueError, match="group 0 has 1 parameter.* but 2 in the optimizer"):
        opt.load_state_dict(one_param)
    swapped = optim.Adam([b, a])
    for p in (a, b):
        p.grad = tg.ones(*p.shape)
    swapped.step()
    with pytest.raises(
        ValueError, match=r"'exp_avg' of parameter 0 has shape tg.Size\(\[3\]\) but the "
    ):
        opt.load_state_dict(swapped.state_dict())
    bad_id = {"state": {7: {}}, "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match="parameter id 7"):
        opt.load_state_dict(bad_id)


# ------------------------------------------------------------------------------- groups
def test_param_groups_with_different_lrs_match_torch():
    ours, theirs = make_params()
    groups = lambda ps: [{"params": ps[:1], "lr": 0.1}, {"params": ps[1:], "momentum": 0.5}]  # noqa
    opt = optim.SGD(groups(ours), lr=0.01, momentum=0.9)
    topt = torch.optim.SGD(groups(theirs), lr=0.01, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.5]
    rng = np.random.default_rng(0)
    for step in range(20):
        for p, q, g in zip(ours, theirs, _grads(rng)):
            p.grad, q.grad = tg.Tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        assert_params_close(ours, theirs, step, "param groups")


def test_add_param_group():
    a, b = tg.zeros(2, requires_grad=True), tg.zeros(2, requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    assert len(opt.param_groups) == 2
    group = opt.param_groups[1]
    assert group["params"] == [b] and group["lr"] == 0.1 and group["betas"] == (0.5, 0.6)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="invalid learning rate -2"):
        opt.add_param_group({"params": [tg.zeros(1, requires_grad=True)], "lr": -2})
    with pytest.raises(ValueError, match="needs a 'params' entry"):
        opt.add_param_group({"lr": 0.1})


def test_named_parameters_are_accepted():
    w, b = tg.zeros(2, 2, requires_grad=True), tg.zeros(2, requires_grad=True)
    opt = optim.SGD([("weight", w), ("bias", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [w, b]
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]


def test_constructor_errors():
    p = tg.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam(iter([]))
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors.* list"):
        optim.SGD([[1.0, 2.0]], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="dtype int64"):
        optim.SGD([tg.Tensor([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="same Tensor twice"):
        optim.SGD([p, p], lr=0.1)


def test_generator_of_parameters():
    params = [tg.zeros(2, requires_grad=True) for _ in range(3)]
    opt = optim.SGD((p for p in params), lr=0.1)
    assert opt.param_groups[0]["params"] == params


# ------------------------------------------------------------------------------- zero_grad
def test_zero_grad_set_to_none_by_default():
    p, q = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1)
    (p * 3).sum().backward()
    opt.zero_grad()
    assert p.grad is None and q.grad is None


def test_zero_grad_in_place_keeps_the_tensor():
    p = tg.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 3).sum().backward()
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad and grad.tolist() == [0.0, 0.0]
    (p * 2).sum().backward()  # accumulates into the zeroed gradient
    assert p.grad.tolist() == [2.0, 2.0]


def test_zero_grad_in_place_detaches_a_create_graph_gradient():
    p = tg.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward(create_graph=True)
    assert p.grad.requires_grad
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0] and not p.grad.requires_grad


def test_parameters_without_grad_are_untouched():
    p, q = tg.ones(2, requires_grad=True), tg.ones(2, requires_grad=True)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = tg.ones(2)
    opt.step()
    assert q.tolist() == [1.0, 1.0] and q not in opt.state
    assert p.tolist() != [1.0, 1.0]


def test_update_outside_no_grad_keeps_the_graph_clean():
    """step() runs under no_grad: parameters stay leaves that require grad."""
    p = tg.ones(3, requires_grad=True)
    opt = optim.RMSprop([p], momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert all(not t.requires_grad for t in opt.state[p].values() if isinstance(t, tg.Tensor))


def test_repr_lists_the_groups():
    opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


@pytest.mark.parametrize("cls, kwargs, torch_cls", ALL, ids=IDS)
def test_optimizers_run_on_every_device(cls, kwargs, torch_cls, device, tmp_path):
    """Same updates on cpu and on `device`; state lives on the parameter's device."""
    init = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    ref = tg.Tensor(init, requires_grad=True)
    p = tg.Tensor(init, device=device, requires_grad=True)
    ref_opt, opt = cls([ref], **kwargs), cls([p], **kwargs)
    rng = np.random.default_rng(3)
    for _ in range(4):
        g = rng.standard_normal((2, 3)).astype(np.float32)
        ref.grad, p.grad = tg.Tensor(g), tg.Tensor(g, device=device)
        ref_opt.step()
        opt.step()
    np.testing.assert_allclose(p.detach().cpu().numpy(), ref.detach().numpy(), rtol=1e-5)
    buffers = [v for v in opt.state[p].values() if isinstance(v, tg.Tensor)]
    assert buffers and all(b.device == device for b in buffers)
    tg.save(opt.state_dict(), tmp_path / "o")
    q = p.detach().clone().requires_grad_()
    fresh = cls([q], **kwargs)
    fresh.load_state_dict(tg.load(tmp_path / "o"))  # cpu tensors from the file move to q's device
    assert all(v.device == device for v in fresh.state[q].values() if isinstance(v, tg.Tensor))


def test_adam_with_zero_learning_rate_matches_torch():
    """lr = 0 (CosineAnnealingLR at eta_min=0) leaves the weights and moves the moments."""
    import torch

    w0 = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    ours, theirs = tg.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    o1, o2 = tg.optim.Adam([ours], lr=0.0), torch.optim.Adam([theirs], lr=0.0)
    for _ in range(3):
        for p, opt in ((ours, o1), (theirs, o2)):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    np.testing.assert_allclose(
        o1.state[ours]["exp_avg"].numpy(), o2.state[theirs]["exp_avg"].numpy(), rtol=1e-6
    )
