"""tg.compile's contract: what is refused, what traces again, what a replay reads at every call."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.compile import CaptureError
from tinygrad_edu.nn import functional as F


def _model(seed=0):
    tg.manual_seed(seed)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    return m, optim.SGD(m.parameters(), lr=0.1)


def _step(m, opt):
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return (
        tg.tensor(rng.standard_normal((n, 4)).astype(np.float32)),
        tg.tensor(rng.integers(0, 3, n)),
    )


@pytest.mark.parametrize("read", ["item", "bool", "tolist", "numpy", "float"])
def test_value_reads_are_refused_naming_the_line(read):
    m, opt = _model()

    def step(x, y):
        loss = F.cross_entropy(m(x), y)
        if read == "item":
            loss.item()
        elif read == "bool":
            bool(loss > 1)
        elif read == "tolist":
            loss.tolist()
        elif read == "numpy":
            loss.detach().numpy()
        else:
            float(loss)
        return loss

    with pytest.raises(CaptureError, match=r"test_api\.py, line \d+") as err:
        tg.compile(step)(*_data())
    assert "fallback='eager'" in str(err.value)


def test_fallback_eager_warns_once_and_matches_eager():
    m1, o1 = _model()
    m2, o2 = _model()

    def with_item(m, opt):
        inner = _step(m, opt)
        return lambda x, y: inner(x, y).item()

    eager, compiled = with_item(m1, o1), tg.compile(with_item(m2, o2), fallback="eager")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert eager(*_data()) == compiled(*_data())
    assert sum("cannot capture .item()" in str(w.message) for w in caught) == 1
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data)
    assert compiled.replays == 0


def test_new_shape_traces_again_and_cache_is_bounded():
    m, opt = _model()
    step = tg.compile(_step(m, opt), cache_size=2)
    for n in (6, 7, 6, 8, 6, 7):
        step(*_data(n))
    # 6, 7 traced; 6 replayed; 8 traced, evicting 7 (least recently used); 6 replayed; 7 again
    assert step.traces == 4 and step.replays == 2
    assert len(step.cache) == 2


def test_replay_reads_arrays_replaced_by_load_state_dict():
    m1, o1 = _model(0)
    m2, o2 = _model(0)
    eager, compiled = _step(m1, o1), tg.compile(_step(m2, o2))
    for _ in range(3):
        eager(*_data()), compiled(*_data())
    fresh, _ = _model(5)
    m1.load_state_dict(fresh.state_dict())
    m2.load_state_dict(fresh.state_dict())
    a, b = eager(*_data()), compiled(*_data())
    assert np.array_equal(a.data, b.data)
    assert compiled.traces == 1
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data)


def test_a_changed_decision_traces_again():
    """weight_decay 0 -> 0.01 flips `if weight_decay != 0` in SGD: the replay sees it and traces."""
    m1, o1 = _model()
    m2, o2 = _model()
    eager, compiled = _step(m1, o1), tg.compile(_step(m2, o2))
    for k in range(5):
        if k == 3:
            o1.param_groups[0]["weight_decay"] = o2.param_groups[0]["weight_decay"] = 0.01
        assert np.array_equal(eager(*_data()).data, compiled(*_data()).data)
    assert compiled.traces == 2
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data)


def test_replay_builds_no_graph_and_returns_detached_values():
    m, opt = _model()
    step = tg.compile(_step(m, opt))
    step(*_data())
    out = step(*_data())
    assert out.grad_fn is None and not out.requires_grad
    assert all(p.grad is not None and p.grad.grad_fn is None for p in m.parameters())
    assert step.replays == 1


def test_source_marks_sections_and_names_ops_with_shapes():
    m, opt = _model()
    step = tg.compile(_step(m, opt))
    step(*_data())
    src = step.source
    for text in (
        "# ---- forward",
        "# ---- backward",
        "# ---- optimizer step",
        "# Linear -> (6, 8) float32",
        "# Relu -> (6, 8) float32",
        "@",
    ):
        assert text in src, text
    assert "Tensor" not in src


def test_pure_function_of_arguments():
    f = tg.compile(lambda a, b: (a * b).sum() + a.exp().mean())
    x, y = tg.randn(5), tg.randn(5)
    want = (x * y).sum() + x.exp().mean()
    f(x, y)
    assert np.array_equal(f(x, y).data, want.data)
    x2 = tg.randn(5)
    assert np.array_equal(f(x2, y).data, ((x2 * y).sum() + x2.exp().mean()).data)


def test_bad_arguments():
    with pytest.raises(ValueError, match="fallback"):
        tg.compile(lambda: None, fallback="ignore")
    with pytest.raises(TypeError, match="expected a function"):
        tg.compile(3)
    with pytest.raises(RuntimeError, match="nothing traced"):
        tg.compile(lambda: None).source


def test_decorator_forms():
    @tg.compile
    def f(x):
        return x * 2

    @tg.compile(cache_size=1)
    def g(x):
        return x + 1

    x = tg.ones(3)
    assert f(x).tolist() == [2, 2, 2] and g(x).tolist() == [2, 2, 2]


def test_state_changed_between_trace_and_first_replay():
    """The code is generated on the 2nd call: load_state_dict and zero_grad() in between are
    seen by the replay, not mistaken for the traced step's own changes."""
    m1, o1 = _model(0)
    m2, o2 = _model(0)
    eager, compiled = _step(m1, o1), tg.compile(_step(m2, o2))
    eager(*_data()), compiled(*_data())
    fresh, _ = _model(7)
    for m, o in ((m1, o1), (m2, o2)):
        m.load_state_dict(fresh.state_dict())
        o.zero_grad()
    for _ in range(3):
        assert np.array_equal(eager(*_data()).data, compiled(*_data()).data)
    assert compiled.traces == 1
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data) and np.array_equal(p.grad.data, q.grad.data)


def test_check_and_graph_variants_of_the_step():
    """What the CUDA-graph path runs, checked on the CPU: `check` holds only the decisions (the
    target check, hyperparameter guards), `graph` the step without them, with the same result."""
    from tinygrad_edu.compile import codegen

    m1, o1 = _model()
    m2, o2 = _model()
    eager, compiled = _step(m1, o1), tg.compile(_step(m2, o2))
    x, y = _data()
    eager(x, y), compiled(x, y), eager(x, y), compiled(x, y)
    prog = compiled.last
    check = codegen.build(prog.recorder, 2, prog.result, np, mode="check")
    graph = codegen.build(prog.recorder, 2, prog.result, np, mode="graph")
    assert check.fn(x, y) is None
    assert check.fn(x, tg.tensor([0, 1, 2, 5, 0, 1])) is codegen.RETRACE  # class 5 of 3
    assert ".item()" not in graph.source and "@" in graph.source
    assert np.array_equal(eager(x, y).data, graph.fn(x, y).data)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.data, q.data)


def test_numpy_update_of_data_is_refused():
    """micrograd's update written on raw arrays: invisible to the tracer, so refused, not
    silently replayed without it."""
    m, _ = _model()

    def step(x, y):
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        for p in m.parameters():
            p.data -= 0.1 * p.grad.data
            p.grad = None
        return loss

    with pytest.raises(CaptureError, match=r"p\.data -= lr \* p\.grad\.data"):
        tg.compile(step)(*_data())
