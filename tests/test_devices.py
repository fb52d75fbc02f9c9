"""Devices: dispatch without CuPy, the NumPy/CuPy bridges of backend/, and the GPU scripts.

Three groups:
  * CuPy absent (simulated on every machine, the real CuPy state is restored afterwards):
    tg.cuda.is_available() is False without raising, and every way of asking for 'cuda' raises
    a RuntimeError that says whether CuPy or a GPU is missing and names the `cuda` extra.
  * A stand-in GPU device (a NumPy subclass registered as CuPy's array type) proves the real
    device checks: mixing devices in one op raises a clear error, transfers carry gradients.
  * Per available device (the conftest `device` fixture: 'cpu' always, 'cuda' where a GPU is
    present, skipped with the reason elsewhere): every bridge of backend/, seeded random
    streams, host copies, checkpoints, the DataLoader and a training step that matches the CPU.
"""

from __future__ import annotations

import importlib
import math
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
import tinygrad_edu.optim as optim
from tinygrad_edu import backend
from tinygrad_edu.data import DataLoader, TensorDataset

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------ helpers
def _snapshot() -> dict:
    return {
        "cupy": backend.devices._cupy,
        "error": backend.devices._cupy_error,
        "types": set(backend.ARRAY_TYPES),
        "default": backend.devices._default_device,
        "rng": backend.random._rng.get("cuda"),
    }


def _restore(saved: dict) -> None:
    backend.devices._cupy, backend.devices._cupy_error = saved["cupy"], saved["error"]
    backend.ARRAY_TYPES.clear()
    backend.ARRAY_TYPES.update(saved["types"])
    backend.devices._default_device = saved["default"]
    backend.random._rng.pop("cuda", None)
    if saved["rng"] is not None:
        backend.random._rng["cuda"] = saved["rng"]


@pytest.fixture
def fresh_cuda_state():
    """Forget what the backend found about CuPy for one test, restoring it afterwards."""
    saved = _snapshot()
    backend._reset_cuda_state()
    yield
    _restore(saved)


@pytest.fixture
def no_cupy(monkeypatch, fresh_cuda_state):
    """A machine where `import cupy` fails: CuPy is not installed."""
    monkeypatch.setitem(sys.modules, "cupy", None)


class _StandInGPUArray(np.ndarray):
    """A NumPy array that the backend takes for a CuPy one (it only needs the type to differ)."""

    def get(self):
        return np.array(self)


def _fake_cupy(device_count=lambda: 1) -> types.ModuleType:
    """A module that looks like CuPy to backend._load_cupy (only what it calls)."""
    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=device_count))
    fake.zeros = lambda shape, dtype=float: np.zeros(shape, dtype).view(_StandInGPUArray)
    return fake


@pytest.fixture
def no_gpu(monkeypatch, fresh_cuda_state):
    """CuPy is installed but the driver reports no usable GPU."""

    def fail():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(fail))


# ------------------------------------------------------------------------ CuPy or GPU absent
def test_is_available_false_without_cupy(no_cupy):
    assert tg.cuda.is_available() is False
    assert tg.cuda.device_count() == 0
    assert tg.cuda.get_device_name() is None
    tg.cuda.synchronize()  # a no-op, never an error
    tg.cuda.empty_cache()
    assert "CuPy is not installed" in tg.cuda.unavailable_reason()


def test_is_available_false_when_the_driver_fails(no_gpu):
    assert tg.cuda.is_available() is False
    reason = tg.cuda.unavailable_reason()
    assert "CuPy is installed" in reason and "no CUDA GPU" in reason
    assert "cudaErrorNoDevice" in reason


def test_is_available_false_with_zero_gpus(monkeypatch, fresh_cuda_state):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy(lambda: 0))
    assert tg.cuda.is_available() is False
    assert "no CUDA GPU was found" in tg.cuda.unavailable_reason()


def test_is_available_false_when_kernels_cannot_run(monkeypatch, fresh_cuda_state):
    """The GPU is there but NVRTC (the runtime compiler CuPy's kernels need) is not."""
    fake = _fake_cupy()

    def zeros(*args, **kwargs):
        raise RuntimeError("libnvrtc.so.12: cannot open shared object file")

    fake.zeros = zeros
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert tg.cuda.is_available() is False
    reason = tg.cuda.unavailable_reason()
    assert "cannot run a kernel" in reason and "libnvrtc" in reason and "[ctk]" in reason


def test_is_available_false_when_cupy_fails_to_import(monkeypatch, tmp_path, fresh_cuda_state):
    """A broken install: the package is there but a CUDA library it loads is not."""
    pkg = tmp_path / "cupy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "raise ImportError('libcudart.so.12: cannot open shared object file')\n"
    )
    for name in [m for m in sys.modules if m == "cupy" or m.startswith("cupy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert tg.cuda.is_available() is False
    reason = tg.cuda.unavailable_reason()
    assert "CuPy is installed but failed to import" in reason and "libcudart" in reason


def _check_message(exc: pytest.ExceptionInfo, missing: str) -> None:
    msg = str(exc.value)
    assert "'cuda'" in msg and missing in msg, msg
    assert "`cuda` extra" in msg and "tinygrad_edu[cuda]" in msg, msg
    assert "device='cpu'" in msg, msg


REQUESTS = {
    "Tensor(device=)": lambda: tg.Tensor([1.0], device="cuda"),
    "tensor(device=)": lambda: tg.tensor([1.0], device="cuda"),
    "zeros(device=)": lambda: tg.zeros(2, device="cuda"),
    "randn(device=)": lambda: tg.randn(2, device="cuda"),
    ".to('cuda')": lambda: tg.ones(2).to("cuda"),
    ".to('cuda:0')": lambda: tg.ones(2).to("cuda:0"),
    ".to(device=)": lambda: tg.ones(2).to(device="cuda"),
    ".cuda()": lambda: tg.ones(2).cuda(),
    "set_default_device": lambda: tg.set_default_device("cuda"),
    "Module.to": lambda: nn.Linear(2, 2).to("cuda"),
    "Module.cuda": lambda: nn.Linear(2, 2).cuda(),
    "DataLoader(device=)": lambda: DataLoader(TensorDataset(tg.zeros(4, 2)), device="cuda"),
}


@pytest.mark.parametrize("request_cuda", list(REQUESTS.values()), ids=list(REQUESTS))
def test_requesting_cuda_without_cupy_raises_clearly(no_cupy, request_cuda):
    with pytest.raises(RuntimeError) as exc:
        request_cuda()
    _check_message(exc, "CuPy is not installed")


@pytest.mark.parametrize("request_cuda", list(REQUESTS.values()), ids=list(REQUESTS))
def test_requesting_cuda_without_gpu_raises_clearly(no_gpu, request_cuda):
    with pytest.raises(RuntimeError) as exc:
        request_cuda()
    _check_message(exc, "no CUDA GPU")


def test_load_to_cuda_without_cupy_raises_clearly(no_cupy, tmp_path):
    tg.save({"w": tg.ones(2)}, tmp_path / "ckpt.tg")
    with pytest.raises(RuntimeError) as exc:
        tg.load(tmp_path / "ckpt.tg", map_location="cuda")
    _check_message(exc, "CuPy is not installed")


def test_failed_requests_change_nothing(no_cupy):
    model = nn.Linear(3, 2)
    before = [p.data for p in model.parameters()]
    with pytest.raises(RuntimeError):
        tg.set_default_device("cuda")
    with pytest.raises(RuntimeError):
        model.to("cuda")
    assert tg.get_default_device() == "cpu"
    assert all(p.device == "cpu" for p in model.parameters())
    assert all(p.data is d for p, d in zip(model.parameters(), before))
    assert tg.zeros(1).device == "cpu"


def test_unknown_device_is_a_value_error():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        tg.zeros(2, device="tpu")


def _import_with_env(device: str, block_cupy: bool) -> subprocess.CompletedProcess:
    code = (
        ("import sys; sys.modules['cupy'] = None\n" if block_cupy else "")
        + "import warnings; warnings.simplefilter('always')\n"
        + "import tinygrad_edu as tg; print(tg.get_default_device(), tg.zeros(1).device)\n"
    )
    env = dict(os.environ, TINYGRAD_EDU_DEVICE=device, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_env_device_cuda_without_cupy_warns_and_falls_back_to_cpu():
    out = _import_with_env("cuda", block_cupy=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cpu", "cpu"]
    assert "TINYGRAD_EDU_DEVICE='cuda' ignored" in out.stderr
    assert "CuPy is not installed" in out.stderr and "tinygrad_edu[cuda]" in out.stderr


def test_env_device_misspelt_warns_and_falls_back_to_cpu():
    out = _import_with_env("tpu", block_cupy=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cpu", "cpu"]
    assert "TINYGRAD_EDU_DEVICE='tpu' ignored" in out.stderr


def test_env_device_selects_the_available_device(device):
    out = _import_with_env(device, block_cupy=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [device, device]


# ------------------------------------------------------------------ a stand-in second device
@pytest.fixture
def stand_in_gpu(monkeypatch, fresh_cuda_state):
    """Register a fake CuPy whose arrays are _StandInGPUArray; enough for transfers and checks."""
    fake = _fake_cupy()
    fake.ndarray = _StandInGPUArray

    def asarray(a, dtype=None):
        return np.array(a, dtype=dtype).view(_StandInGPUArray)  # a copy, like a transfer

    def full(shape, value, dtype=None):
        return np.full(shape, value, dtype).view(_StandInGPUArray)

    fake.asarray, fake.full = asarray, full
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert tg.cuda.is_available()


MIXES = {
    "add": lambda a, b: a + b,
    "radd": lambda a, b: b * a,
    "matmul": lambda a, b: a.reshape(1, 2) @ b.reshape(2, 1),
    "cat": lambda a, b: tg.cat([a, b]),
    "stack": lambda a, b: tg.stack([a, b]),
    "where": lambda a, b: tg.where(a > 0, a, b),
    "maximum": lambda a, b: tg.maximum(a, b),
    "compare": lambda a, b: a < b,
}


@pytest.mark.parametrize("mix", list(MIXES.values()), ids=list(MIXES))
def test_mixing_devices_in_one_op_raises_clearly(stand_in_gpu, mix):
    a = tg.tensor([1.0, 2.0])
    b = tg.tensor([3.0, 4.0], device="cuda")
    assert (a.device, b.device) == ("cpu", "cuda")
    with pytest.raises(RuntimeError) as exc:
        mix(a, b)
    msg = str(exc.value)
    assert "cpu" in msg and "cuda" in msg, msg


def test_model_on_gpu_fed_a_cpu_batch_raises_clearly(stand_in_gpu):
    model = nn.Linear(2, 3).to("cuda")
    assert all(p.device == "cuda" for p in model.parameters())
    with pytest.raises(RuntimeError, match="device"):
        model(tg.ones(4, 2))


def test_transfers_carry_gradients_back(stand_in_gpu):
    x = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert y.device == "cuda" and y.grad_fn is not None
    assert "device='cuda:0'" in repr(y.detach())
    z = y.cpu()
    (z * z).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())
    assert type(y.detach().numpy()) is np.ndarray  # .numpy() is a host copy


def test_module_and_loader_move_to_gpu(stand_in_gpu):
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    params = list(model.parameters())
    model.to("cuda")
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(t.device == "cuda" for t in model.state_dict().values())
    model.cpu()
    assert all(t.device == "cpu" for t in model.state_dict().values())
    loader = DataLoader(TensorDataset(tg.randn(10, 2), tg.arange(10)), batch_size=4, device="cuda")
    for xb, yb in loader:
        assert xb.device == yb.device == "cuda"
        assert yb.dtype == tg.int64


def test_default_device_switch(stand_in_gpu):
    try:
        tg.set_default_device("cuda")
        assert tg.zeros(2).device == "cuda"
        assert tg.Tensor([1.0]).device == "cuda"
        assert tg.zeros(2, device="cpu").device == "cpu"
    finally:
        tg.set_default_device("cpu")
    assert tg.zeros(2).device == "cpu"


# ------------------------------------------------------------------- bridges, on each device
@pytest.mark.parametrize(
    "dtype", ["float16", "float32", "float64", "int32", "int64", "int8", "bool"]
)
def test_scatter_add_repeated_indices(device, dtype):
    rng = np.random.default_rng(0)
    target = rng.integers(0, 3, (5, 4)).astype(dtype)
    rows = np.array([0, 2, 2, 4, 0, 0])
    values = rng.integers(0, 3, (6, 4)).astype(dtype)
    expected = target.copy()
    np.add.at(expected, (rows,), values)
    t = backend.to_device(target, device)
    backend.scatter_add(t, (backend.to_device(rows, device),), backend.to_device(values, device))
    np.testing.assert_array_equal(backend.to_host(t), expected)
    # a tuple with a slice and two index arrays, as Getitem's backward scatters
    t = backend.to_device(np.zeros((3, 4, 5), dtype), device)
    idx = (
        slice(None),
        backend.to_device(np.array([1, 1, 3]), device),
        backend.to_device(np.array([0, 0, 4]), device),
    )
    vals = np.ones((3, 3), dtype)
    backend.scatter_add(t, idx, backend.to_device(vals, device))
    expected = np.zeros((3, 4, 5), dtype)
    np.add.at(expected, (slice(None), np.array([1, 1, 3]), np.array([0, 0, 4])), vals)
    np.testing.assert_array_equal(backend.to_host(t), expected)


def test_sparse_indices_and_put_along_axis(device):
    like = backend.to_device(np.zeros(1), device)
    grids = backend.sparse_indices((2, 3, 4), like)
    for got, want in zip(grids, np.indices((2, 3, 4), sparse=True)):
        assert backend.device_of(got) == device
        np.testing.assert_array_equal(backend.to_host(got), want)
    out = backend.to_device(np.zeros((3, 4), np.int64), device)
    idx = backend.to_device(np.array([[1], [0], [3]]), device)
    backend.put_along_axis(out, idx, 1, axis=-1)
    np.testing.assert_array_equal(backend.to_host(out), np.eye(4, dtype=np.int64)[[1, 0, 3]])


def test_as_strided_windows(device):
    x = backend.to_device(np.arange(12.0).reshape(3, 4), device)
    s0, s1 = x.strides
    win = backend.as_strided(x, (2, 3, 2, 2), (s0, s1, s0, s1))  # every 2x2 window
    assert backend.device_of(win) == device
    np.testing.assert_array_equal(backend.to_host(win)[1, 2], [[6.0, 7.0], [10.0, 11.0]])


def test_index_bounds_error():
    shape = (2, 3, 4)
    assert backend.index_bounds_error((np.array([0, 1]),), shape) is None
    msg = backend.index_bounds_error((slice(None), np.array([3])), shape)
    assert msg == "index 3 is out of bounds for axis 1 with size 3"
    assert "index -5" in backend.index_bounds_error((Ellipsis, np.array([-5])), shape)
    assert backend.index_bounds_error((None, 1, np.array([2])), shape) is None


def test_erf_matches_math(device):
    x = tg.linspace(-3, 3, 13, dtype=tg.float64, device=device)
    want = [math.erf(v) for v in x.tolist()]
    np.testing.assert_allclose(x.erf().numpy(), want, atol=1e-12)
    np.testing.assert_allclose(x.float().erf().numpy(), want, atol=2e-6)


def test_random_streams_are_seeded(device):
    def draw():
        tg.manual_seed(1234)
        return [
            t.numpy()
            for t in (
                tg.rand(5, device=device),
                tg.randn(5, device=device),
                tg.randint(0, 7, (5,), device=device),
                tg.randperm(9, device=device),
                F.dropout(tg.ones(20, device=device), 0.5),
            )
        ]

    first, second = draw(), draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    rand, randn, randint, perm, drop = first
    assert rand.dtype == np.float32 and ((0 <= rand) & (rand < 1)).all()
    assert randn.dtype == np.float32 and randint.dtype == np.int64
    assert ((0 <= randint) & (randint < 7)).all()
    assert sorted(perm.tolist()) == list(range(9))
    assert set(np.unique(drop).tolist()) <= {0.0, 2.0}
    g = backend.rng(device)
    assert sorted(backend.to_host(g.permutation(10)).tolist()) == list(range(10))
    if device == "cuda":  # CuPy's own standard_normal refuses float16; the bridge draws float32
        assert backend.to_host(g.standard_normal((3,), dtype=tg.float16)).dtype == np.float16


def test_host_copies_and_printing(device):
    t = tg.arange(6, dtype=tg.float32, device=device).reshape(2, 3)
    assert t.device == device and (t.is_cuda == (device == "cuda"))
    host = t.numpy()
    assert type(host) is np.ndarray
    np.testing.assert_array_equal(host, np.arange(6, dtype=np.float32).reshape(2, 3))
    if device == "cpu":
        assert np.shares_memory(host, t.data)  # as PyTorch: .numpy() shares on the CPU
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert t.sum().item() == 15.0
    assert float(t[1, 2]) == 5.0
    assert ("device='cuda'" in repr(t)) == (device == "cuda")
    assert np.asarray(t).shape == (2, 3)


def test_array_keeps_its_device(device):
    arr = backend.to_device(np.ones(3, np.float32), device)
    assert tg.Tensor(arr).device == device  # a CuPy array is not moved to the default device
    assert tg.Tensor(np.ones(3)).device == "cpu"


@pytest.mark.cuda
@pytest.mark.skipif(not tg.cuda.is_available(), reason="needs a CUDA GPU and CuPy")
def test_cupy_array_made_before_the_backend_looked_for_cupy(fresh_cuda_state):
    import cupy

    arr = cupy.arange(3, dtype=cupy.float32)
    t = tg.Tensor(arr)
    assert t.device == "cuda" and t.tolist() == [0.0, 1.0, 2.0]


def test_checkpoint_round_trip(device, tmp_path):
    model = nn.Linear(3, 2).to(device)
    opt = optim.Adam(model.parameters(), lr=0.1)
    F.mse_loss(model(tg.randn(4, 3, device=device)), tg.zeros(4, 2, device=device)).backward()
    opt.step()
    tg.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "c.tg")
    for where in ("cpu", device):
        ckpt = tg.load(tmp_path / "c.tg", map_location=where)
        assert all(t.device == where for t in ckpt["model"].values())
        for name, t in model.state_dict().items():
            np.testing.assert_array_equal(ckpt["model"][name].numpy(), t.numpy())
    fresh = nn.Linear(3, 2).to(device)
    fresh.load_state_dict(tg.load(tmp_path / "c.tg")["model"])  # saved on cpu, loaded onto device
    assert all(p.device == device for p in fresh.parameters())


def test_dataloader_delivers_batches_on_device(device):
    ds = TensorDataset(tg.randn(10, 3), tg.arange(10))
    tg.manual_seed(0)
    batches = list(DataLoader(ds, batch_size=4, shuffle=True, device=device))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    assert all(xb.device == yb.device == device for xb, yb in batches)
    seen = sorted(v for _, yb in batches for v in yb.tolist())
    assert seen == list(range(10))


def _train_steps(device: str, model_fn, x: np.ndarray, y: np.ndarray, opt_fn, steps: int = 3):
    tg.manual_seed(0)
    model = model_fn()  # initialised on the CPU: the same weights for every device
    model.to(device)
    opt = opt_fn(model.parameters())
    xb, yb = tg.tensor(x, device=device), tg.tensor(y, device=device)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {k: v.numpy() for k, v in model.state_dict().items()}


MODELS = {
    "mlp": (
        lambda: nn.Sequential(nn.Linear(12, 16), nn.GELU(), nn.Dropout(0.0), nn.Linear(16, 5)),
        (8, 12),
    ),
    "cnn": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, stride=2),
            nn.ReLU(),
            nn.AvgPool2d(1),
            nn.Flatten(),
            nn.LayerNorm(6),
            nn.Linear(6, 5),
        ),
        (8, 1, 8, 8),
    ),
}


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize(
    "opt_fn",
    [lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: optim.Adam(p, lr=0.01)],
    ids=["sgd", "adam"],
)
def test_training_on_device_matches_cpu(device, kind, opt_fn):
    """Every op of an MLP and a CNN step (conv, pooling, norms, losses, optimisers) on the
    device gives the CPU's numbers within float32 tolerance."""
    model_fn, shape = MODELS[kind]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 5, shape[0])
    ref_losses, ref_state = _train_steps("cpu", model_fn, x, y, opt_fn)
    losses, state = _train_steps(device, model_fn, x, y, opt_fn)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-4, atol=1e-5)
    for name in ref_state:
        np.testing.assert_allclose(state[name], ref_state[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_indexing_ops_on_device(device):
    x = tg.arange(12, dtype=tg.float32, device=device).reshape(3, 4).requires_grad_()
    idx = tg.tensor([[0, 3], [1, 1], [2, 0]], device=device)
    picked = x.gather(1, idx)  # the backward scatter-adds the repeated (1, 1)
    rows = x[tg.tensor([2, 0, 2], device=device)]
    masked = x[x > 8]
    (picked.sum() + rows.sum() + masked.sum()).backward()
    want = np.zeros((3, 4), np.float32)
    np.add.at(want, (np.arange(3)[:, None], np.array([[0, 3], [1, 1], [2, 0]])), 1)
    np.add.at(want, [2, 0, 2], 1)
    want[np.arange(12).reshape(3, 4) > 8] += 1
    np.testing.assert_array_equal(x.grad.numpy(), want)
    oh = F.one_hot(tg.tensor([2, 0], device=device), 3)
    assert oh.device == device and oh.tolist() == [[0, 0, 1], [1, 0, 0]]


# ----------------------------------------------------------------------- the GPU scripts
def _run_script(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_gpu_benchmark_runs_and_reports(tmp_path):
    out = tmp_path / "gpu.md"
    r = _run_script(
        "benchmarks/gpu.py",
        "--quick",
        "--batch-sizes",
        "16,32",
        "--backends",
        "tg-cpu,tg-cuda",
        "--out",
        str(out),
        "--json",
        str(tmp_path / "gpu.json"),
    )
    assert r.returncode == 0, r.stderr
    report = out.read_text()
    assert "| batch |" in report and "| 16 |" in report and "| 32 |" in report
    assert "tinygrad_edu CPU (NumPy)" in report
    if not tg.cuda.is_available():
        assert "## Not measured" in report and tg.cuda.unavailable_reason() in report
    else:
        assert "faster than the CPU" in report or "did not beat the CPU" in report


def test_cpu_vs_gpu_lab_runs(tmp_path):
    plot = tmp_path / "lab.png"
    r = _run_script("demos/cpu_vs_gpu.py", "--quick", "--batch-sizes", "16,32", "--plot", str(plot))
    assert r.returncode == 0, r.stderr
    assert "batch" in r.stdout and "tinygrad_edu CPU" in r.stdout
    if not tg.cuda.is_available():
        assert "GPU: none here" in r.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert plot.exists() and plot.stat().st_size > 0
