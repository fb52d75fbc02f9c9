"""The benchmark workloads, each defined once per implementation: tinygrad_edu, compiled
(tinygrad_edu's runner through tg.compile), torch, numpy.

A workload builds its shared inputs once (`shared()`: NumPy data and the initial weights, taken
from a tinygrad_edu model's state_dict and copied into the PyTorch model and the hand-written
NumPy model, so that all three do the same math from the same start), then each implementation
turns them into a *runner*:

* a callable `run() -> value` (one training step, one epoch, one forward+backward), or
* a `Split(prepare, run)`: `prepare()` is not timed (e.g. building a graph), `run(state)` is.

The value a runner returns (a loss, or the sum of an input gradient) is only used to check that
the three implementations agree; it is converted to a float outside the timed region.
torch is imported lazily (in the torch builders) so that a NumPy-only child process stays lean.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import numpy_ref  # benchmarks/ is on sys.path (run.py is a script there)

import tinygrad_edu as tg
import tinygrad_edu.nn as tnn
import tinygrad_edu.optim as toptim

IMPLS = ("tinygrad_edu", "compiled", "torch", "numpy")
LR = 0.01


@dataclass
class Split:
    """A runner whose `prepare()` is untimed and whose `run(state)` is timed."""

    prepare: Callable[[], Any]
    run: Callable[[Any], Any]


def as_float(v: Any) -> float:
    """A check value (Tensor, torch tensor, ndarray or float) as a Python float."""
    if hasattr(v, "detach"):
        v = v.detach()
    if hasattr(v, "item"):
        return float(v.item())
    return float(v)


def _state_of(model) -> dict:
    """A tinygrad_edu model's state_dict as independent NumPy arrays."""
    return {k: np.array(v.numpy(), copy=True) for k, v in model.state_dict().items()}


def _torch_load(model, state: dict):
    import torch

    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    return model


def _tg_load(model, state: dict):
    model.load_state_dict({k: v.copy() for k, v in state.items()})
    return model


def _tg_step(model, loss_fn, x, y, **sgd) -> Callable:
    opt = toptim.SGD(model.parameters(), lr=LR, **sgd)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _torch_step(model, loss_fn, x, y, **sgd) -> Callable:
    import torch

    opt = torch.optim.SGD(model.parameters(), lr=LR, **sgd)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


class Workload:
    """Base: a name, a title, the targets (max ratio vs torch / vs numpy) and three builders."""

    name = ""
    title = ""
    unit = "step"
    numpy_label = "hand-written NumPy"
    target_torch: float | None = None
    target_numpy: float | None = None
    memory_calls = 3  # calls run in the peak-memory child process
    check_rtol = 1e-3  # how far the check values may differ from PyTorch's (float32 rounding)
    slow = False  # one call takes seconds: fewer repetitions

    target_compiled: float | None = None  # max ratio compiled / torch (issue 13)

    def shared(self) -> dict:
        raise NotImplementedError

    def build_compiled(self, sh):
        """tinygrad_edu's runner through tg.compile: traced on the first calls, then replayed."""
        runner = self.build_tg(sh)
        if isinstance(runner, Split):  # a replay has no graph to walk: time the whole call
            step = tg.compile(lambda: runner.run(runner.prepare()))
            return Split(lambda: None, lambda _: step())
        return tg.compile(runner)

    def build(self, impl: str, sh: dict):
        return getattr(self, "build_" + {"tinygrad_edu": "tg"}.get(impl, impl))(sh)


# ----------------------------------------------------------------------------- MLP step
def _mlp_layers(nn, sizes: tuple) -> list:
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return layers


class MLPStep(Workload):
    """Linear/ReLU MLP, cross entropy, one SGD step on a fixed random batch."""

    def __init__(
        self,
        name: str,
        batch: int,
        sizes=(784, 256, 128, 10),
        targets=(None, None),
        seed: int = 0,
        target_compiled: float | None = None,
    ) -> None:
        self.name, self.batch, self.sizes, self.seed = name, batch, tuple(sizes), seed
        self.target_compiled = target_compiled
        self.title = f"MLP {'-'.join(map(str, sizes))} step, batch {batch}"
        self.target_torch, self.target_numpy = targets

    def shared(self) -> dict:
        tg.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        state = _state_of(tnn.Sequential(*_mlp_layers(tnn, self.sizes)))
        x = rng.random((self.batch, self.sizes[0]), dtype=np.float32)
        y = rng.integers(0, self.sizes[-1], self.batch).astype(np.int64)
        return {"state": state, "x": x, "y": y}

    def build_tg(self, sh):
        model = _tg_load(tnn.Sequential(*_mlp_layers(tnn, self.sizes)), sh["state"])
        return _tg_step(model, tnn.CrossEntropyLoss(), tg.Tensor(sh["x"]), tg.Tensor(sh["y"]))

    def build_torch(self, sh):
        import torch

        model = _torch_load(torch.nn.Sequential(*_mlp_layers(torch.nn, self.sizes)), sh["state"])
        x, y = torch.from_numpy(sh["x"].copy()), torch.from_numpy(sh["y"].copy())
        return _torch_step(model, torch.nn.CrossEntropyLoss(), x, y)

    def build_numpy(self, sh):
        model = numpy_ref.MLP(sh["state"], LR)
        x, y = sh["x"].copy(), sh["y"].copy()
        return lambda: model.step(x, y)


# ----------------------------------------------------------------------------- norm MLPs
def _norm_layers(nn, kind: str) -> list:
    norm = nn.BatchNorm1d if kind == "batch" else nn.LayerNorm
    return [
        nn.Linear(784, 256),
        norm(256),
        nn.ReLU(),
        nn.Linear(256, 128),
        norm(128),
        nn.ReLU(),
        nn.Linear(128, 10),
    ]


class NormMLPStep(MLPStep):
    """784-256-128-10 with BatchNorm1d or LayerNorm after each hidden Linear (train mode)."""

    def __init__(self, kind: str, batch: int = 64) -> None:
        super().__init__(f"{'bn' if kind == 'batch' else 'ln'}_mlp", batch, targets=(1.2, None))
        self.kind = kind
        label = "BatchNorm1d" if kind == "batch" else "LayerNorm"
        self.title = f"MLP 784-256-128-10 + {label} step, batch {batch}"

    def shared(self) -> dict:
        sh = super().shared()
        tg.manual_seed(self.seed)
        model = tnn.Sequential(*_norm_layers(tnn, self.kind))
        rng = np.random.default_rng(self.seed + 1)
        with tg.no_grad():  # non-trivial affine parameters so the check means something
            for name, p in model.named_parameters():
                if p.ndim == 1 and name.split(".")[0] in ("1", "4"):
                    base = 1.0 if name.endswith("weight") else 0.0
                    p.copy_(tg.Tensor(base + 0.1 * rng.standard_normal(p.shape, np.float32)))
        sh["state"] = _state_of(model)
        return sh

    def build_tg(self, sh):
        model = _tg_load(tnn.Sequential(*_norm_layers(tnn, self.kind)), sh["state"])
        return _tg_step(model, tnn.CrossEntropyLoss(), tg.Tensor(sh["x"]), tg.Tensor(sh["y"]))

    def build_torch(self, sh):
        import torch

        model = _torch_load(torch.nn.Sequential(*_norm_layers(torch.nn, self.kind)), sh["state"])
        x, y = torch.from_numpy(sh["x"].copy()), torch.from_numpy(sh["y"].copy())
        return _torch_step(model, torch.nn.CrossEntropyLoss(), x, y)

    def build_numpy(self, sh):
        model = numpy_ref.NormMLP(sh["state"], self.kind, LR)
        x, y = sh["x"].copy(), sh["y"].copy()
        return lambda: model.step(x, y)


# ----------------------------------------------------------------------------- tiny MLP
def _tiny_layers(nn) -> list:
    return [nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)]


class TinyMLPStep(Workload):
    """2-16-16-1 tanh MLP, MSE loss, batch 32: every op is tiny, so this measures overhead."""

    name = "tiny_mlp"
    target_torch = 1.0

    def __init__(
        self,
        batch: int = 32,
        seed: int = 0,
        name: str = "tiny_mlp",
        target_compiled: float | None = None,
    ) -> None:
        self.batch, self.seed, self.name = batch, seed, name
        self.target_compiled = target_compiled
        self.title = f"tiny MLP 2-16-16-1 tanh step, batch {batch} (overhead-bound)"

    def shared(self) -> dict:
        tg.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        state = _state_of(tnn.Sequential(*_tiny_layers(tnn)))
        x = rng.standard_normal((self.batch, 2), dtype=np.float32)
        y = np.sin(x[:, :1] * 2.0).astype(np.float32)
        return {"state": state, "x": x, "y": y}

    def build_tg(self, sh):
        model = _tg_load(tnn.Sequential(*_tiny_layers(tnn)), sh["state"])
        return _tg_step(model, tnn.MSELoss(), tg.Tensor(sh["x"]), tg.Tensor(sh["y"]))

    def build_torch(self, sh):
        import torch

        model = _torch_load(torch.nn.Sequential(*_tiny_layers(torch.nn)), sh["state"])
        x, y = torch.from_numpy(sh["x"].copy()), torch.from_numpy(sh["y"].copy())
        return _torch_step(model, torch.nn.MSELoss(), x, y)

    def build_numpy(self, sh):
        model = numpy_ref.TinyMLP(sh["state"], LR)
        x, y = sh["x"].copy(), sh["y"].copy()
        return lambda: model.step(x, y)


# ----------------------------------------------------------------------------- chain
def _chain(y, n: int):
    """n ops cycling (* 2, exp, log, * 0.5) then a sum (as numpy_ref.chain_forward)."""
    for i in range(n):
        k = i % 4
        if k == 0:
            y = y * 2.0
        elif k == 1:
            y = y.exp()
        elif k == 2:
            y = y.log()
        else:
            y = y * 0.5
    return y.sum()


class Chain(Workload):
    """n elementwise ops in a chain (cycling * 2, exp, log, * 0.5) on a 64-vector, then sum and
    backward. backward_only: the graph is built untimed, only backward() is timed."""

    numpy_label = "hand-written NumPy loop"
    memory_calls = 2

    def __init__(
        self,
        n: int = 10_000,
        size: int = 64,
        backward_only: bool = False,
        name: str | None = None,
        target: float | None = 0.5,
    ) -> None:
        self.n, self.size, self.backward_only = n, size, backward_only
        self.name = name or ("chain_bwd" if backward_only else "chain")
        what = "backward only" if backward_only else "forward + backward"
        self.title = f"{n:,}-op elementwise chain, {what}"
        self.target_torch = target
        self.target_compiled = None if backward_only else 0.2
        self.slow = n >= 50_000

    def shared(self) -> dict:
        return {"x": np.random.default_rng(0).standard_normal(self.size, dtype=np.float32)}

    def build_tg(self, sh):
        n, x = self.n, sh["x"]

        def forward():
            xt = tg.Tensor(x, requires_grad=True)
            return xt, _chain(xt, n)

        def backward(state):
            xt, out = state
            out.backward()
            return xt.grad.sum()

        return Split(forward, backward) if self.backward_only else lambda: backward(forward())

    def build_torch(self, sh):
        import torch

        n, x = self.n, torch.from_numpy(sh["x"].copy())

        def forward():
            xt = x.clone().requires_grad_(True)
            return xt, _chain(xt, n)

        def backward(state):
            xt, out = state
            out.backward()
            return xt.grad.sum()

        return Split(forward, backward) if self.backward_only else lambda: backward(forward())

    def build_numpy(self, sh):
        n, x = self.n, sh["x"].copy()

        def forward():
            return numpy_ref.chain_forward(x, n)[1]

        def backward(saved):
            return numpy_ref.chain_backward(x, n, saved).sum()

        return Split(forward, backward) if self.backward_only else lambda: backward(forward())


# ----------------------------------------------------------------------------- CNN
def _cnn_layers(nn) -> list:
    return [
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    ]


class CNNStep(MLPStep):
    """Conv(1->8,3,p1) ReLU MaxPool2 Conv(8->16,3,p1) ReLU MaxPool2 Linear(784->10) on 28x28."""

    numpy_label = "hand-written NumPy im2col"

    def __init__(self, batch: int = 64) -> None:
        super().__init__("cnn", batch, targets=(3.0, 1.0), target_compiled=1.3)
        self.title = f"small CNN step (2 conv + 2 maxpool + linear), 1x28x28, batch {batch}"

    def shared(self) -> dict:
        tg.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        state = _state_of(tnn.Sequential(*_cnn_layers(tnn)))
        x = rng.random((self.batch, 1, 28, 28), dtype=np.float32)
        y = rng.integers(0, 10, self.batch).astype(np.int64)
        return {"state": state, "x": x, "y": y}

    def build_tg(self, sh):
        model = _tg_load(tnn.Sequential(*_cnn_layers(tnn)), sh["state"])
        return _tg_step(model, tnn.CrossEntropyLoss(), tg.Tensor(sh["x"]), tg.Tensor(sh["y"]))

    def build_torch(self, sh):
        import torch

        model = _torch_load(torch.nn.Sequential(*_cnn_layers(torch.nn)), sh["state"])
        x, y = torch.from_numpy(sh["x"].copy()), torch.from_numpy(sh["y"].copy())
        return _torch_step(model, torch.nn.CrossEntropyLoss(), x, y)

    def build_numpy(self, sh):
        model = numpy_ref.CNN(sh["state"], LR)
        x, y = sh["x"].copy(), sh["y"].copy()
        return lambda: model.step(x, y)


# ----------------------------------------------------------------------------- MNIST epoch
def default_data_dir() -> Path:
    """$TINYGRAD_EDU_DATA, else ../shared/datasets next to the repository."""
    env = os.environ.get("TINYGRAD_EDU_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


class MNISTEpoch(Workload):
    """One epoch of real MNIST (or its first `subset` images): 784-256-128-10, batch 64,
    SGD lr 0.01 momentum 0.9. The shuffle order of epoch k comes from tg.manual_seed(1000 + k)
    and tg.randperm in all three, so they see the same batches.

    tinygrad_edu iterates its own DataLoader(shuffle=True); torch and NumPy index the shuffled
    order directly (X[idx]), the fastest way to batch an in-memory tensor in those libraries."""

    name = "mnist_epoch"
    unit = "epoch"
    check_rtol = 1e-2  # the mean loss of a whole epoch: rounding differences compound
    target_torch = 1.0
    memory_calls = 2
    slow = True

    def __init__(self, data_dir=None, subset: int | None = None, batch: int = 64) -> None:
        self.data_dir, self.subset, self.batch = data_dir, subset, batch
        n = f"first {subset:,} images" if subset else "60,000 images"
        self.title = f"one MNIST epoch ({n}), MLP 784-256-128-10, batch {batch}, momentum 0.9"

    def shared(self) -> dict:
        from tinygrad_edu.data import datasets

        root = Path(self.data_dir) if self.data_dir else default_data_dir()
        train, _ = datasets.load_mnist(root=str(root), download=False, flatten=True)
        x, y = train.tensors[0].numpy(), train.tensors[1].numpy()
        if self.subset:
            x, y = x[: self.subset], y[: self.subset]
        tg.manual_seed(0)
        state = _state_of(tnn.Sequential(*_mlp_layers(tnn, (784, 256, 128, 10))))
        return {"state": state, "x": np.ascontiguousarray(x), "y": np.ascontiguousarray(y)}

    @staticmethod
    def _order(epoch: list, n: int) -> np.ndarray:
        tg.manual_seed(1000 + epoch[0])
        epoch[0] += 1
        return tg.randperm(n).numpy()

    target_compiled = 0.9

    def build_compiled(self, sh):
        return self.build_tg(sh, compiled=True)

    def build_tg(self, sh, compiled: bool = False):
        from tinygrad_edu.data import DataLoader, TensorDataset

        model = _tg_load(tnn.Sequential(*_mlp_layers(tnn, (784, 256, 128, 10))), sh["state"])
        opt = toptim.SGD(model.parameters(), lr=LR, momentum=0.9)
        loss_fn = tnn.CrossEntropyLoss()
        dataset = TensorDataset(tg.from_numpy(sh["x"]), tg.from_numpy(sh["y"]))
        loader = DataLoader(dataset, batch_size=self.batch, shuffle=True)
        epoch = [0]

        def step(xb, yb):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        step = tg.compile(step) if compiled else step

        def run():
            tg.manual_seed(1000 + epoch[0])
            epoch[0] += 1
            total, batches = 0.0, 0
            for xb, yb in loader:
                loss = step(xb, yb)
                total += loss.item()
                batches += 1
            return total / batches

        return run

    def build_torch(self, sh):
        import torch

        model = torch.nn.Sequential(*_mlp_layers(torch.nn, (784, 256, 128, 10)))
        model = _torch_load(model, sh["state"])
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = torch.from_numpy(sh["x"]), torch.from_numpy(sh["y"])
        n, bs, epoch = len(x), self.batch, [0]

        def run():
            order = torch.from_numpy(self._order(epoch, n))
            total, batches = 0.0, 0
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                opt.zero_grad()
                loss = loss_fn(model(x[idx]), y[idx])
                loss.backward()
                opt.step()
                total += loss.item()
                batches += 1
            return total / batches

        return run

    def build_numpy(self, sh):
        model = numpy_ref.MLP(sh["state"], LR, momentum=0.9)
        x, y = sh["x"], sh["y"]
        n, bs, epoch = len(x), self.batch, [0]

        def run():
            order = self._order(epoch, n)
            total, batches = 0.0, 0
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                total += model.step(x[idx], y[idx])
                batches += 1
            return total / batches

        return run


# ----------------------------------------------------------------------------- scalar graph
# ----------------------------------------------------------------------------- moons
def _moons_layers(nn) -> list:
    return [nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple:
    """sklearn's make_moons in NumPy: two interleaved half circles, labels -1 / +1."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, np.pi, n // 2)
    x = np.concatenate(
        [np.stack([np.cos(t), np.sin(t)], 1), np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)]
    )
    x += rng.normal(0, noise, x.shape)
    y = np.concatenate([-np.ones(n // 2), np.ones(n // 2)])
    return x.astype(np.float32), y.astype(np.float32)


class MoonsStep(Workload):
    """micrograd's demo: MLP 2-16-16-1 (ReLU) on 100 moons points, SVM (hinge) loss + 1e-4 L2,
    SGD with the learning rate 1 - 0.9 k / 100 set before step k (k cycles through 0..99)."""

    name = "moons"
    target_compiled = 0.35

    def __init__(self, n: int = 100, seed: int = 0) -> None:
        self.n, self.seed = n, seed
        self.title = f"micrograd's moons MLP 2-16-16-1 ReLU step, SVM loss + L2, {n} points"

    def shared(self) -> dict:
        tg.manual_seed(self.seed)
        x, y = make_moons(self.n, seed=self.seed)
        return {"state": _state_of(tnn.Sequential(*_moons_layers(tnn))), "x": x, "y": y}

    @staticmethod
    def _runner(model, opt, x, y, compile_fn=None):
        params = list(model.parameters())

        def step():
            opt.zero_grad()
            scores = model(x).reshape(-1)
            data_loss = (1 + -y * scores).relu().mean()
            reg = sum((p * p).sum() for p in params)
            loss = data_loss + 1e-4 * reg
            loss.backward()
            opt.step()
            return loss

        step = compile_fn(step) if compile_fn is not None else step
        k = [0]

        def run():
            opt.param_groups[0]["lr"] = 1.0 - 0.9 * (k[0] % 100) / 100
            k[0] += 1
            return step()

        return run

    def build_tg(self, sh, compile_fn=None):
        model = _tg_load(tnn.Sequential(*_moons_layers(tnn)), sh["state"])
        opt = toptim.SGD(model.parameters(), lr=1.0)
        return self._runner(model, opt, tg.Tensor(sh["x"]), tg.Tensor(sh["y"]), compile_fn)

    def build_compiled(self, sh):
        return self.build_tg(sh, tg.compile)

    def build_torch(self, sh):
        import torch

        model = _torch_load(torch.nn.Sequential(*_moons_layers(torch.nn)), sh["state"])
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        x, y = torch.from_numpy(sh["x"].copy()), torch.from_numpy(sh["y"].copy())
        return self._runner(model, opt, x, y)

    def build_numpy(self, sh):
        model = numpy_ref.MoonsMLP(sh["state"])
        x, y, k = sh["x"].copy(), sh["y"].copy(), [0]

        def run():
            lr = 1.0 - 0.9 * (k[0] % 100) / 100
            k[0] += 1
            return model.step(x, y, lr)

        return run


class ScalarMLP(Workload):
    """The micrograd-style graph: the 2-16-16-1 tanh MLP built from 0-d tensors (one Tensor per
    weight, neurons as running sums of products), MSE over `batch` samples, SGD step."""

    name = "scalar_mlp"
    numpy_label = "Python floats, hand derivatives"
    memory_calls = 2

    def __init__(self, batch: int = 8, seed: int = 0) -> None:
        self.batch, self.seed = batch, seed
        self.title = (
            f"micrograd-style scalar graph: 2-16-16-1 tanh MLP of 0-d tensors, {batch} samples"
        )

    def shared(self) -> dict:
        tg.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        state = _state_of(tnn.Sequential(*_tiny_layers(tnn)))
        ws = [state[k].astype(float).tolist() for k in ("0.weight", "2.weight", "4.weight")]
        bs = [state[k].astype(float).tolist() for k in ("0.bias", "2.bias", "4.bias")]
        x = rng.standard_normal((self.batch, 2), dtype=np.float32)
        xs = x.astype(float).tolist()
        ys = [math.sin(2.0 * r[0]) for r in xs]
        return {"ws": ws, "bs": bs, "xs": xs, "ys": ys}

    def _graph_step(self, sh, make, tanh, opt_cls):
        ws = [[[make(v) for v in row] for row in w] for w in sh["ws"]]
        bs = [[make(v) for v in b] for b in sh["bs"]]
        params = [p for w in ws for row in w for p in row] + [p for b in bs for p in b]
        opt = opt_cls(params, lr=LR)
        xs, ys, scale, last = sh["xs"], sh["ys"], 1.0 / len(sh["xs"]), len(ws) - 1

        def step():
            opt.zero_grad()
            loss = None
            for x, t in zip(xs, ys):
                h = x
                for li, (w, b) in enumerate(zip(ws, bs)):
                    out = []
                    for row, bj in zip(w, b):
                        s = bj
                        for wi, hi in zip(row, h):
                            s = s + wi * hi
                        out.append(tanh(s) if li < last else s)
                    h = out
                d = h[0] - t
                loss = d * d if loss is None else loss + d * d
            loss = loss * scale
            loss.backward()
            opt.step()
            return loss

        return step

    def build_tg(self, sh):
        return self._graph_step(
            sh, lambda v: tg.tensor(v, requires_grad=True), tg.Tensor.tanh, toptim.SGD
        )

    def build_torch(self, sh):
        import torch

        return self._graph_step(
            sh, lambda v: torch.tensor(v, requires_grad=True), torch.tanh, torch.optim.SGD
        )

    def build_numpy(self, sh):
        model = numpy_ref.ScalarMLP(sh["ws"], sh["bs"], LR)
        return lambda: model.step(sh["xs"], sh["ys"])


# ----------------------------------------------------------------------------- registries
def main_workloads(quick: bool = False, data_dir=None, smoke: bool = False) -> list:
    """The workloads of the main table, in the order they are run (--quick: a shorter chain,
    fewer scalar samples, a 2,000-image MNIST subset; smoke: the smallest sizes, for tests)."""
    chain = 200 if smoke else 2_000 if quick else 10_000
    return [
        MLPStep("mlp64", 64, targets=(1.0, 1.15), target_compiled=0.85),
        MLPStep("mlp512", 512, targets=(1.0, 1.15), target_compiled=0.95),
        CNNStep(8 if smoke else 64),
        NormMLPStep("batch"),
        NormMLPStep("layer"),
        TinyMLPStep(),
        TinyMLPStep(batch=8, name="tiny_mlp8", target_compiled=0.25),
        MoonsStep(),
        Chain(chain),
        Chain(chain, backward_only=True),
        MNISTEpoch(data_dir, subset=256 if smoke else 2000 if quick else None),
        ScalarMLP(1 if smoke else 2 if quick else 8),
    ]


def scaling_workloads(quick: bool = False, smoke: bool = False) -> dict:
    """group name -> (axis label, [(axis value, workload), ...])."""
    if smoke:
        batches, depths, chains = (1, 64), (1, 4), (100, 300)
    elif quick:
        batches, depths, chains = (1, 64, 1024), (1, 4, 16), (500, 1_000, 2_000)
    else:
        batches, depths = (1, 8, 64, 256, 1024, 4096), (1, 2, 4, 8, 16, 32)
        chains = (1_000, 10_000, 100_000)
    return {
        "batch": (
            "batch size (MLP 784-256-128-10 step)",
            [(b, MLPStep(f"mlp_b{b}", b)) for b in batches],
        ),
        "depth": (
            "hidden layers (MLP 128-128x depth-10 step, batch 64)",
            [(d, MLPStep(f"mlp_d{d}", 64, (128,) * (d + 1) + (10,))) for d in depths],
        ),
        "chain": (
            "ops in the chain (backward only)",
            [(n, Chain(n, backward_only=True, name=f"chain_bwd{n}", target=None)) for n in chains],
        ),
    }
