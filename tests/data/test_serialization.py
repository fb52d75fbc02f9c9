"""tg.save / tg.load: round trips, atomic writes, hostile files, and bit-exact training resume."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import backend, optim
from tinygrad_edu.data import serialization
from tinygrad_edu.data.serialization import META_KEY, CheckpointError
from tinygrad_edu.optim import lr_scheduler


def _round_trip(obj, tmp_path, **load_kwargs):
    path = tmp_path / "obj.ckpt"
    tg.save(obj, path)
    return tg.load(path, **load_kwargs)


# ------------------------------------------------------------------------------- round trips
def test_nested_structure_round_trip(tmp_path):
    obj = {
        "ints": [0, -7, 2**100, True, False],
        "floats": (1.5, -0.0, math.inf, -math.inf, 1 / 3, 1e-310),
        "none": None,
        "text": "héllo ✓",
        3: {"nested": [(1, 2), [3, (4,)]], (1, "a"): "tuple key", 2.5: "float key"},
        None: "none key",
        "empty": ([], (), {}),
    }
    out = _round_trip(obj, tmp_path)
    assert out == obj
    assert type(out["floats"]) is tuple and type(out["ints"]) is list
    assert type(out["ints"][3]) is bool and type(out["ints"][2]) is int
    assert type(out[3]["nested"][0]) is tuple and type(out[3]["nested"][1][1]) is tuple
    assert list(out) == list(obj)  # key order survives
    assert math.copysign(1.0, out["floats"][1]) == -1.0
    assert math.isnan(_round_trip(float("nan"), tmp_path))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "bool"])
def test_tensor_round_trip_keeps_dtype_and_values(dtype, tmp_path):
    data = np.arange(-3, 9).reshape(3, 4) % 3
    t = tg.Tensor(data.astype(dtype))
    out = _round_trip({"t": t, "scalar": tg.Tensor(2.5), "empty": tg.zeros(0, 3)}, tmp_path)
    assert isinstance(out["t"], tg.Tensor) and out["t"].dtype == t.dtype
    np.testing.assert_array_equal(out["t"].numpy(), t.numpy())
    assert out["scalar"].shape == () and out["scalar"].item() == 2.5
    assert out["empty"].shape == (0, 3) and out["t"].device == "cpu"


def test_requires_grad_and_sharing_survive(tmp_path):
    w = tg.randn(2, 3, requires_grad=True)
    out = _round_trip({"w": w, "again": w, "list": [w]}, tmp_path)
    assert out["w"].requires_grad and out["w"].is_leaf
    assert out["w"] is out["again"] is out["list"][0]  # one tensor saved once, loaded once
    np.testing.assert_array_equal(out["w"].detach().numpy(), w.detach().numpy())


def test_numpy_arrays_and_scalars_stay_numpy(tmp_path):
    obj = {
        "a": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "s": np.float32(0.25),
        "c": np.array([1 + 2j]),
        "i": np.int64(-5),
    }
    out = _round_trip(obj, tmp_path)
    assert isinstance(out["a"], np.ndarray) and out["a"].dtype == np.uint8
    np.testing.assert_array_equal(out["a"], obj["a"])
    assert isinstance(out["s"], np.float32) and out["s"] == np.float32(0.25)
    assert out["c"][0] == 1 + 2j and out["i"] == -5 and isinstance(out["i"], np.int64)
    out["a"][0, 0] = 9  # writable, independent of the original
    assert obj["a"][0, 0] == 0


def test_python_scalars_stay_python_types(tmp_path):
    out = _round_trip({"step": 3, "lr": 0.1, "name": "adam", "flag": True}, tmp_path)
    assert [type(v) for v in out.values()] == [int, float, str, bool]


def test_rng_state_round_trip(tmp_path):
    tg.manual_seed(5)
    tg.randn(3)
    state = backend.get_rng_state()
    expected = tg.randn(4).numpy().copy()
    backend.set_rng_state(_round_trip(state, tmp_path))
    np.testing.assert_array_equal(tg.randn(4).numpy(), expected)


def test_file_objects_and_pathlike(tmp_path):
    buffer = io.BytesIO()
    tg.save({"x": tg.ones(2)}, buffer)
    buffer.seek(0)
    assert tg.load(buffer)["x"].tolist() == [1.0, 1.0]
    path = tmp_path / "model.pt"  # any name: no .npz suffix is added
    tg.save([1, 2], str(path))
    assert os.listdir(tmp_path) == ["model.pt"] and tg.load(str(path)) == [1, 2]


@settings(max_examples=15, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.tuples(children, children)
            | st.dictionaries(st.integers() | st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_random_structures_round_trip(obj):
    buffer = io.BytesIO()
    tg.save(obj, buffer)
    buffer.seek(0)
    assert tg.load(buffer) == obj


@pytest.mark.cuda
@pytest.mark.skipif(not tg.cuda.is_available(), reason="CUDA unavailable")
def test_map_location_cuda(tmp_path):
    t = tg.randn(3, device="cuda")
    assert _round_trip(t, tmp_path).device == "cpu"
    out = _round_trip(t, tmp_path, map_location="cuda")
    assert out.device == "cuda" and out.tolist() == t.tolist()


def test_map_location_errors(tmp_path):
    tg.save(1, tmp_path / "x")
    with pytest.raises(ValueError, match="unknown device"):
        tg.load(tmp_path / "x", map_location="tpu")
    assert tg.load(tmp_path / "x", map_location="cpu") == 1


# ------------------------------------------------------------------------------- saving
def test_unsupported_objects_are_rejected_with_their_location(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['opt'\]\[1\] is a function"):
        tg.save({"opt": [1, lambda: 0]}, tmp_path / "x")
    with pytest.raises(TypeError, match="is a set"):
        tg.save({1, 2}, tmp_path / "x")
    with pytest.raises(TypeError, match="dtype object"):
        tg.save(np.array([None]), tmp_path / "x")
    with pytest.raises(TypeError, match="key of type"):
        tg.save({frozenset(): 1}, tmp_path / "x")
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="reference cycle"):
        tg.save(loop, tmp_path / "x")
    assert os.listdir(tmp_path) == []  # no file and no temporary left behind


def test_save_is_atomic_and_replaces(tmp_path):
    path = tmp_path / "ckpt"
    tg.save({"v": 1}, path)
    os.chmod(path, 0o640)
    with pytest.raises(TypeError):
        tg.save({"v": object()}, path)
    assert tg.load(path) == {"v": 1}  # a failed save leaves the old checkpoint intact
    tg.save({"v": 2}, path)
    assert tg.load(path) == {"v": 2} and os.listdir(tmp_path) == ["ckpt"]
    assert os.stat(path).st_mode & 0o777 == 0o640  # replacing keeps the permissions


def test_save_uses_temp_file_fsync_and_replace(tmp_path, monkeypatch):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))

    def replace(src, dst):
        calls.append(("replace", os.path.dirname(src) == str(tmp_path), os.path.exists(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    tg.save([1], tmp_path / "c")
    assert calls[0] == "fsync" and calls[1] == ("replace", True, False)


def test_format_is_a_plain_npz_with_json_metadata(tmp_path):
    tg.save({"w": tg.ones(2, 2)}, tmp_path / "c")
    with np.load(tmp_path / "c", allow_pickle=False) as z:
        meta = json.loads(z[META_KEY].tobytes())
        assert meta["format"] == "tinygrad_edu.checkpoint" and meta["version"] == 1
        node = meta["root"]["items"][0][1]
        assert node["t"] == "tensor" and node["dtype"] == "float32" and node["shape"] == [2, 2]
        np.testing.assert_array_equal(z[node["key"]], np.ones((2, 2), np.float32))


# ------------------------------------------------------------------------------- hostile files
def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _npz(path, meta=None, **arrays):
    if meta is not None:
        blob = json.dumps(meta).encode() if not isinstance(meta, bytes) else meta
        arrays[META_KEY] = np.frombuffer(blob, np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


class _Bomb:
    """Unpickling this would create the marker file (it must never happen)."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_bomb_is_rejected_and_not_executed(tmp_path):
    _Bomb.marker = str(tmp_path / "PWNED")
    bomb = _write(tmp_path / "bomb.pt", pickle.dumps({"w": _Bomb()}))
    with pytest.raises(CheckpointError, match="looks like a pickle.*never opens"):
        tg.load(bomb)
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")  # a zip holding a pickle
    with pytest.raises(CheckpointError, match="torch.save archive"):
        tg.load(tmp_path / "torch.pt")
    # an object array (pickled inside the .npy) referenced by otherwise valid metadata
    meta = {
        "format": "tinygrad_edu.checkpoint",
        "version": 1,
        "root": {"t": "ndarray", "key": "a0", "dtype": "float32", "shape": [1]},
    }
    evil = np.empty(1, dtype=object)
    evil[0] = _Bomb()
    arrays = {"a0": evil, META_KEY: np.frombuffer(json.dumps(meta).encode(), np.uint8)}
    with open(tmp_path / "evil.npz", "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(CheckpointError, match="allow_pickle"):
        tg.load(tmp_path / "evil.npz")
    assert not os.path.exists(_Bomb.marker)


def test_serialization_source_never_unpickles():
    source = open(serialization.__file__).read()
    assert "import pickle" not in source and "allow_pickle=True" not in source
    assert "allow_pickle=False" in source


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (os.urandom(200), "not a tinygrad_edu checkpoint"),
        (b"\x93NUMPY\x01\x00" + b"x" * 100, "single .npy array"),
        (b"PK\x03\x04" + os.urandom(300), "truncated or corrupted"),
    ],
    ids=["empty", "random", "npy", "zip-signature-then-garbage"],
)
def test_foreign_bytes_are_rejected(content, message, tmp_path):
    path = _write(tmp_path / "f", content)
    with pytest.raises(CheckpointError, match=message) as info:
        tg.load(path)
    assert repr(str(path)) in str(info.value)  # the message names the file
    assert isinstance(info.value, ValueError)


def test_plain_npz_is_rejected(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(3))
    with pytest.raises(CheckpointError, match="without the '__tinygrad_edu__' entry"):
        tg.load(tmp_path / "plain.npz")


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "nope")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_files_are_rejected(keep, tmp_path):
    tg.save({"w": tg.randn(64, 64), "step": 3}, tmp_path / "full")
    data = (tmp_path / "full").read_bytes()
    path = _write(tmp_path / "cut", data[: int(len(data) * keep)])
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        tg.load(path)


def test_corrupted_array_bytes_are_detected(tmp_path):
    w = np.arange(4096, dtype=np.float32)
    tg.save({"w": tg.Tensor(w)}, tmp_path / "c")
    data = bytearray((tmp_path / "c").read_bytes())
    offset = data.find(w[1000:1004].tobytes())
    data[offset] ^= 0xFF  # flip one byte in the middle of the weights: the zip CRC catches it
    path = _write(tmp_path / "bad", bytes(data))
    with pytest.raises(CheckpointError, match="CRC|corrupted"):
        tg.load(path)


def test_random_byte_flips_never_crash_differently(tmp_path):
    tg.save({"w": tg.randn(8, 8), "lrs": [0.1, 0.2], "name": "x"}, tmp_path / "c")
    data = (tmp_path / "c").read_bytes()
    rng = np.random.default_rng(0)
    for i in range(40):
        bad = bytearray(data)
        for pos in rng.integers(0, len(bad), size=3):
            bad[pos] ^= int(rng.integers(1, 256))
        path = _write(tmp_path / f"flip{i}", bytes(bad))
        try:
            tg.load(path)  # a flip in an unchecked header field may still load correctly
        except CheckpointError:
            pass


@pytest.mark.parametrize(
    "meta, message",
    [
        (b"\xff\xfe not json", "unreadable metadata"),
        ({"format": "something.else", "version": 1, "root": {"t": "none"}}, "format 'something"),
        (
            {"format": "tinygrad_edu.checkpoint", "version": 2, "root": {"t": "none"}},
            "newer tinygrad_edu .*version 2; this version reads up to 1",
        ),
        (
            {"format": "tinygrad_edu.checkpoint", "version": "1", "root": {"t": "none"}},
            "invalid format version",
        ),
        (
            {"format": "tinygrad_edu.checkpoint", "version": 1, "root": {"t": "code", "v": "rm"}},
            "unknown node type 'code'",
        ),
        (
            {"format": "tinygrad_edu.checkpoint", "version": 1, "root": {"t": "int", "v": "1"}},
            "malformed int node",
        ),
        (
            {
                "format": "tinygrad_edu.checkpoint",
                "version": 1,
                "root": {"t": "tensor", "key": "a9", "dtype": "float32", "shape": [2]},
            },
            "array 'a9' that the archive does not hold",
        ),
        (
            {
                "format": "tinygrad_edu.checkpoint",
                "version": 1,
                "root": {"t": "tensor", "key": "a0", "dtype": "float64", "shape": [2]},
            },
            "metadata says float64",
        ),
        (
            {"format": "tinygrad_edu.checkpoint", "version": 1, "root": {"t": "list", "items": 5}},
            "malformed list node",
        ),
    ],
    ids=[
        "bad-json",
        "format",
        "newer",
        "version-type",
        "node-type",
        "int",
        "missing-array",
        "dtype",
        "list",
    ],
)
def test_bad_metadata_is_rejected(meta, message, tmp_path):
    path = _npz(tmp_path / "c", meta, a0=np.zeros(2, np.float32))
    with pytest.raises(CheckpointError, match=message):
        tg.load(path)


# ------------------------------------------------------------------------------- resume
def _run(steps_before_save, total, tmp_path):
    """Adam + StepLR on y = x W + b with random minibatches; optionally checkpoint and resume."""
    tg.manual_seed(42)
    W = tg.randn(4, 3, requires_grad=True)
    b = tg.zeros(3, requires_grad=True)
    true_W = tg.randn(4, 3)
    opt = optim.Adam([W, b], lr=0.3)
    sched = lr_scheduler.StepLR(opt, step_size=4, gamma=0.7)
    losses = []
    for step in range(total):
        if step == steps_before_save:
            tg.save(
                {
                    "model": {"W": W, "b": b},
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "rng": backend.get_rng_state(),
                    "true_W": true_W,
                },
                tmp_path / "resume.ckpt",
            )
            tg.manual_seed(999)  # a different process: other weights, other RNG state
            W = tg.randn(4, 3, requires_grad=True)
            b = tg.randn(3, requires_grad=True)
            opt = optim.Adam([W, b], lr=1.0)
            sched = lr_scheduler.StepLR(opt, step_size=4, gamma=0.7)
            ckpt = tg.load(tmp_path / "resume.ckpt")
            with tg.no_grad():
                W.copy_(ckpt["model"]["W"])
                b.copy_(ckpt["model"]["b"])
            opt.load_state_dict(ckpt["optimizer"])
            sched.load_state_dict(ckpt["scheduler"])
            backend.set_rng_state(ckpt["rng"])
            true_W = ckpt["true_W"]
        x = tg.randn(8, 4)
        y = x @ true_W + 0.1 * tg.randn(8, 3)
        loss = ((x @ W + b - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses, W.detach().numpy().copy()


def test_resume_from_checkpoint_is_bit_exact(tmp_path):
    straight, w1 = _run(None, 10, tmp_path)
    resumed, w2 = _run(5, 10, tmp_path)
    assert resumed == straight  # exact float equality, step for step
    np.testing.assert_array_equal(w1, w2)
    assert straight[-1] < straight[0]


def test_zip_members_are_plain_npy(tmp_path):
    tg.save({"a": tg.ones(1), "b": np.zeros(2)}, tmp_path / "c")
    with zipfile.ZipFile(tmp_path / "c") as z:
        assert sorted(z.namelist()) == sorted(["a0.npy", "a1.npy", f"{META_KEY}.npy"])


# ----------------------------------------------------------------------------- PyTorch's signature
def test_load_accepts_weights_only_and_refuses_unpickling(tmp_path):
    tg.save({"w": tg.ones(2)}, tmp_path / "c")
    for flag in (True, None):
        assert tg.load(tmp_path / "c", weights_only=flag)["w"].tolist() == [1.0, 1.0]
    loaded = tg.load(tmp_path / "c", map_location=tg.device("cpu"), weights_only=True)
    assert loaded["w"].device == "cpu"
    with pytest.raises(ValueError, match=r"weights_only=False\): tinygrad_edu never unpickles"):
        tg.load(tmp_path / "c", weights_only=False)


@pytest.mark.parametrize(
    "make", [lambda: tg.nn.Linear(2, 1), lambda: optim.SGD(tg.nn.Linear(2, 1).parameters(), lr=0.1)]
)
def test_saving_a_whole_module_or_optimizer_says_to_save_its_state_dict(tmp_path, make):
    obj = make()
    with pytest.raises(
        TypeError,
        match=rf"cannot save a whole {type(obj).__name__} .*"
        r"tg.save\(obj.state_dict\(\), path\)",
    ):
        tg.save(obj, tmp_path / "m")
    assert not (tmp_path / "m").exists()
