"""Every scheduler against torch.optim.lr_scheduler: bit-identical learning rates at every step."""

from __future__ import annotations

import math

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler

STEPS = 60
LRS = (0.1, 0.03)  # two param groups with different lrs


def _pair(opt_name="SGD", **kwargs):
    """A tinygrad_edu optimizer and a torch one with two param groups of equal hyper-parameters."""
    ours = [tg.zeros(2, requires_grad=True), tg.zeros(3, requires_grad=True)]
    theirs = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    mk = lambda ps: [{"params": [p], "lr": lr} for p, lr in zip(ps, LRS)]  # noqa: E731
    return (
        getattr(optim, opt_name)(mk(ours), **kwargs),
        getattr(torch.optim, opt_name)(mk(theirs), **kwargs),
    )


def _make(name, opt, lib):
    """The scheduler `name` built on `opt` from `lib` (our lr_scheduler or torch's)."""
    if name == "StepLR":
        return lib.StepLR(opt, step_size=7, gamma=0.5)
    if name == "MultiStepLR":
        return lib.MultiStepLR(opt, milestones=[5, 12, 12, 30], gamma=0.3)
    if name == "ExponentialLR":
        return lib.ExponentialLR(opt, gamma=0.93)
    if name == "CosineAnnealingLR":
        return lib.CosineAnnealingLR(opt, T_max=15)  # 60 steps: four half-periods
    if name == "CosineAnnealingLR-eta_min":
        return lib.CosineAnnealingLR(opt, T_max=10, eta_min=1e-3)
    if name == "LinearLR":
        return lib.LinearLR(opt)
    if name == "LinearLR-decay":
        return lib.LinearLR(opt, start_factor=1.0, end_factor=0.05, total_iters=40)
    if name == "LambdaLR":
        return lib.LambdaLR(opt, lr_lambda=lambda e: 0.95**e * (1 + math.sin(e)))
    if name == "LambdaLR-per-group":
        return lib.LambdaLR(opt, lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.9**e])
    if name == "SequentialLR":
        warmup = lib.LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = lib.CosineAnnealingLR(opt, T_max=40, eta_min=1e-4)
        return lib.SequentialLR(opt, [warmup, decay], milestones=[5])
    if name == "SequentialLR-three":
        a = lib.ExponentialLR(opt, gamma=0.9)
        b = lib.StepLR(opt, step_size=4, gamma=0.5)
        c = lib.CosineAnnealingLR(opt, T_max=8)
        return lib.SequentialLR(opt, [a, b, c], milestones=[10, 25])
    raise KeyError(name)


NAMES = [
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingLR-eta_min",
    "LinearLR",
    "LinearLR-decay",
    "LambdaLR",
    "LambdaLR-per-group",
    "SequentialLR",
    "SequentialLR-three",
]


def _lrs(opt):
    return [g["lr"] for g in opt.param_groups]


@pytest.mark.parametrize("name", NAMES)
def test_scheduler_matches_torch(name):
    opt, topt = _pair()
    sched, tsched = _make(name, opt, lr_scheduler), _make(name, topt, torch.optim.lr_scheduler)
    assert sched.get_last_lr() == tsched.get_last_lr()
    for step in range(STEPS):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert sched.get_last_lr() == tsched.get_last_lr()
        assert _lrs(opt) == _lrs(topt), f"step {step}"
        assert sched.last_epoch == tsched.last_epoch


def test_cosine_annealing_past_t_max_is_bit_exact():
    opt, topt = _pair()
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=0.001)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=6, eta_min=0.001)
    seen = []
    for _ in range(40):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert sched.get_last_lr() == tsched.get_last_lr()  # exactly, same float ops
        seen.append(sched.get_last_lr()[0])
    assert min(seen) == pytest.approx(0.001) and max(seen) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "opt_name, opt_kwargs, kwargs",
    [
        ("SGD", dict(momentum=0.9), dict(max_lr=1.0, total_steps=STEPS)),
        (
            "SGD",
            dict(momentum=0.9),
            dict(
                max_lr=[0.5, 0.2],
                epochs=6,
                steps_per_epoch=10,
                anneal_strategy="linear",
                pct_start=0.25,
            ),
        ),
        (
            "SGD",
            dict(momentum=0.9),
            dict(
                max_lr=0.8,
                total_steps=STEPS,
                three_phase=True,
                div_factor=10.0,
                final_div_factor=100.0,
            ),
        ),
        ("SGD", dict(), dict(max_lr=0.8, total_steps=STEPS, cycle_momentum=False)),
        ("Adam", dict(), dict(max_lr=0.01, total_steps=STEPS, base_momentum=0.8, max_momentum=0.9)),
        (
            "Adam",
            dict(),
            dict(max_lr=0.01, total_steps=STEPS, three_phase=True, anneal_strategy="linear"),
        ),
        ("RMSprop", dict(momentum=0.9), dict(max_lr=0.05, total_steps=STEPS)),
    ],
)
def test_one_cycle_matches_torch_including_momentum(opt_name, opt_kwargs, kwargs):
    opt, topt = _pair(opt_name, **opt_kwargs)
    sched = lr_scheduler.OneCycleLR(opt, **kwargs)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, **kwargs)
    key = "betas" if opt_name == "Adam" else "momentum"
    for step in range(STEPS + 1):
        assert sched.get_last_lr() == tsched.get_last_lr()
        assert [g[key] for g in opt.param_groups] == [g[key] for g in topt.param_groups]
        if step < STEPS:
            opt.step()
            topt.step()
            sched.step()
            tsched.step()
    with pytest.raises(ValueError, match="tried to step 61 times"):
        sched.step()


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(mode="max", factor=0.5, patience=2, threshold=0.05, threshold_mode="abs"),
        dict(factor=0.5, patience=1, cooldown=2, min_lr=0.004),
        dict(factor=0.2, patience=0, min_lr=[0.001, 0.02], eps=1e-3),
        dict(mode="max", patience=3, threshold=0.01, threshold_mode="rel", cooldown=1),
    ],
    ids=str,
)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    opt, topt = _pair()
    sched = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    metric = [1.0, 0.9, 0.85, 0.85, 0.86, 0.84999, 0.9, 0.7, 0.7, 0.71, 0.72, 0.5, 0.5, 0.5]
    metric += [0.5 + 0.01 * (i % 3) for i in range(30)] + [0.2 - 0.001 * i for i in range(20)]
    for i, m in enumerate(metric):
        value = tg.Tensor(m) if i % 2 else m  # a 0-d Tensor metric works too
        sched.step(value)
        tsched.step(float(value))  # float32 rounding of the Tensor metric on both sides
        assert sched.get_last_lr() == tsched.get_last_lr(), f"epoch {i}"
        assert (sched.num_bad_epochs, sched.cooldown_counter) == (
            tsched.num_bad_epochs,
            tsched.cooldown_counter,
        )
    assert sched.best == tsched.best


ROUND_TRIP = NAMES + ["OneCycleLR", "ReduceLROnPlateau"]


def _make_any(name, opt, lib):
    if name == "OneCycleLR":
        return lib.OneCycleLR(opt, max_lr=0.5, total_steps=STEPS, three_phase=True)
    if name == "ReduceLROnPlateau":
        return lib.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
    return _make(name, opt, lib)


def _advance(sched, i):
    if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
        sched.step(1.0 if i % 4 else 0.5 / (i + 1))
    else:
        sched.step()


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_scheduler_state_dict_round_trip(name, tmp_path):
    opt, _ = _pair(momentum=0.9)
    sched = _make_any(name, opt, lr_scheduler)
    for i in range(20):
        _advance(sched, i)
    tg.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, tmp_path / "c.pt")
    ckpt = tg.load(tmp_path / "c.pt")
    opt2, _ = _pair(momentum=0.9)
    sched2 = _make_any(name, opt2, lr_scheduler)  # scheduler first, then the optimizer state
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    assert sched2.get_last_lr() == sched.get_last_lr()
    for i in range(20, 40):
        _advance(sched, i)
        _advance(sched2, i)
        assert sched2.get_last_lr() == sched.get_last_lr(), f"step {i}"
        assert _lrs(opt2) == _lrs(opt)
        assert [g["momentum"] for g in opt2.param_groups] == [
            g["momentum"] for g in opt.param_groups
        ]


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Warmup:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor * (epoch + 1)

    opt, _ = _pair()
    fn = Warmup()
    sched = lr_scheduler.LambdaLR(opt, [fn, lambda e: 1.0])
    fn.factor = 0.25
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 0.25}, None]
    other = Warmup()
    sched2 = lr_scheduler.LambdaLR(opt, [other, lambda e: 1.0])
    sched2.load_state_dict(sd)
    assert other.factor == 0.25


def test_scheduler_state_dict_does_not_alias():
    opt, _ = _pair()
    sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 4])
    sd = sched.state_dict()
    assert sd["milestones"] == {2: 1, 4: 1} and "optimizer" not in sd
    sd["base_lrs"].append(99.0)
    assert sched.base_lrs == list(LRS)


def test_initial_lr_is_recorded_and_resume_needs_it():
    opt, _ = _pair()
    lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)
    fresh, _ = _pair()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(fresh, step_size=2, last_epoch=5)


def test_scheduler_argument_errors():
    opt, _ = _pair()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="start_factor"):
        lr_scheduler.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy="exp")
    adagrad = optim.Adagrad([tg.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or betas"):
        lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match="factor must be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode must be"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match="expected 1 milestone"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(opt, 2)] * 2, milestones=[])
    other, _ = _pair()
    with pytest.raises(ValueError, match="different optimizer"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.StepLR(other, 2)], milestones=[])
    plateau = lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        lr_scheduler.SequentialLR(opt, [plateau], milestones=[])
