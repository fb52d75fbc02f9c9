"""A training run from a configuration: data, model, optimizer and schedule by name.

This is what `tinygrad-edu train` and `tinygrad-edu demo` run, usable from Python too:

    from tinygrad_edu.train.experiment import Config, run
    metrics = run(Config(dataset="mnist", hidden=(256, 128), optimizer="momentum", lr=0.01,
                         epochs=10, batch_size=64, data_dir="~/data"), out="runs/mnist")

The run folder receives config.json, history.csv/json, curves.png, graph.svg, model.npz,
metrics.json and checkpoints/{last,best}.npz (see `outputs.py`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import Any

from .. import backend, nn, optim
from ..data import DataLoader, Subset, datasets, transforms
from ..factories import manual_seed, randperm
from ..optim import lr_scheduler

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10", "moons", "xor", "spiral", "circles")
MODELS = ("mlp", "cnn", "resnet")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULES = ("none", "step", "cosine", "warmup-cosine", "onecycle", "plateau")
DEFAULT_LR = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adam": 1e-3,
    "adamw": 1e-3,
    "rmsprop": 1e-3,
    "adagrad": 1e-2,
}
_FILES = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "cifar10": "cifar10"}


class DataError(RuntimeError):
    """A dataset that cannot be loaded (missing files, missing scikit-learn): one clear line."""


@dataclass
class Config:
    """Everything that defines a run (the command line's options; saved as config.json)."""

    dataset: str = "digits"
    model: str = "mlp"
    hidden: tuple = (256, 128)
    channels: tuple | None = None  # cnn: (32, 64), resnet: (16, 32)
    blocks: int = 1
    activation: str = "relu"
    norm: str | None = None  # None: 'none' for mlp, 'batch' for cnn and resnet
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float | None = None  # None: DEFAULT_LR of the optimizer
    momentum: float = 0.9  # for 'momentum', 'nesterov' and rmsprop's momentum=0 default
    weight_decay: float | None = None  # None: 0.01 for adamw, else 0
    schedule: str = "none"
    warmup_epochs: float = 1.0
    clip: float | None = None
    epochs: int = 10
    batch_size: int = 64
    device: str = "cpu"
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    val_split: float = 0.0
    subset: int | None = None
    augment: bool = False
    early_stopping: int | None = None
    label_smoothing: float = 0.0
    compile: bool = False  # tg.compile the training step

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["hidden"], d["channels"] = list(self.hidden), self.channels and list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {f.name for f in dataclasses.fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        d["hidden"] = tuple(d.get("hidden") or ())
        if d.get("channels"):
            d["channels"] = tuple(d["channels"])
        return cls(**d)

    def resolved_lr(self) -> float:
        return DEFAULT_LR[self.optimizer] if self.lr is None else self.lr

    def resolved_norm(self) -> str:
        if self.norm is not None:
            return self.norm
        return "none" if self.model == "mlp" else "batch"

    def resolved_channels(self) -> tuple:
        if self.channels:
            return tuple(self.channels)
        return (32, 64) if self.model == "cnn" else (16, 32)

    def resolved_weight_decay(self) -> float:
        if self.weight_decay is not None:
            return self.weight_decay
        return 0.01 if self.optimizer == "adamw" else 0.0

    def check(self) -> None:
        """Raise ValueError for values no run can use (the CLI shows the message)."""
        for name, value, allowed in (
            ("dataset", self.dataset, DATASETS),
            ("model", self.model, MODELS),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("schedule", self.schedule, SCHEDULES),
        ):
            if value not in allowed:
                raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(allowed)}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("--epochs and --batch-size must be at least 1")
        if not 0.0 <= self.val_split < 1.0:
            raise ValueError(f"--val-split must be in [0, 1), got {self.val_split}")
        if self.resolved_lr() <= 0 or not math.isfinite(self.resolved_lr()):
            raise ValueError(f"--lr must be a positive number, got {self.lr}")
        if self.clip is not None and self.clip <= 0:
            raise ValueError(f"--clip must be positive, got {self.clip}")
        if self.model != "mlp" and self.dataset in ("moons", "xor", "spiral", "circles"):
            raise ValueError(
                f"--model {self.model} needs images; {self.dataset} is 2-D points (use --model mlp)"
            )


@dataclass
class Data:
    """The loaded datasets and what the model needs to know about them."""

    name: str
    train: Any
    val: Any
    test: Any
    in_shape: tuple
    num_classes: int
    val_is_test: bool


def _missing(dataset: str, cfg: Config) -> DataError:
    from ..data._download import RESOURCES, base_places, cache_dir

    resource = RESOURCES[_FILES[dataset]]
    looked = ", ".join(dict.fromkeys(str(p) for p in base_places(resource, cfg.data_dir)))
    files = ", ".join(f + (".gz" if resource.algorithm == "sha256" else "") for f in resource.files)
    return DataError(
        f"{resource.title} not found (looked in {looked}); put {files} in a folder and pass "
        f"--data-dir FOLDER (or set TINYGRAD_EDU_DATA), or pass --download to fetch them into "
        f"{cache_dir() / resource.name}{resource.hints}"
    )


def _load_raw(cfg: Config) -> tuple:
    """(train, test, num_classes) TensorDatasets for cfg.dataset."""
    name = cfg.dataset
    if name in ("moons", "xor", "spiral", "circles"):
        make = getattr(datasets, "make_" + name)
        train, test = make(1000, seed=cfg.seed), make(1000, seed=cfg.seed + 10_000)
        return train, test, 3 if name == "spiral" else 2
    if name == "digits":
        try:
            train, test = datasets.load_digits()
        except ImportError as e:
            raise DataError(str(e)) from None
        return train, test, 10
    loader = {
        "mnist": datasets.load_mnist,
        "fashion-mnist": datasets.load_fashion_mnist,
        "cifar10": datasets.load_cifar10,
    }[name]
    try:
        train, test = loader(root=cfg.data_dir, download=cfg.download)
    except FileNotFoundError:
        raise _missing(name, cfg) from None
    except (datasets.DownloadError, datasets.ChecksumError, datasets.FormatError) as e:
        raise DataError(str(e)) from None
    return train, test, 10


def load_data(cfg: Config) -> Data:
    """The run's datasets: train (optionally a random subset), validation (a held-out split
    of train with --val-split, else the test set) and test. Random choices use cfg.seed."""
    train, test, num_classes = _load_raw(cfg)
    in_shape = tuple(train.tensors[0].shape[1:])
    manual_seed(cfg.seed)
    if cfg.subset is not None and cfg.subset < len(train):
        train = Subset(train, randperm(len(train), device="cpu")[: cfg.subset].tolist())
    val, val_is_test = test, True
    if cfg.val_split > 0:
        n_val = max(1, int(round(cfg.val_split * len(train))))
        order = randperm(len(train), device="cpu").tolist()
        val, train, val_is_test = Subset(train, order[:n_val]), Subset(train, order[n_val:]), False
    return Data(cfg.dataset, train, val, test, in_shape, num_classes, val_is_test)


def build_model(cfg: Config, data: Data) -> nn.Module:
    """The network that cfg.model names, sized for the data."""
    from .. import models

    norm = cfg.resolved_norm()
    if cfg.model == "mlp":
        return models.mlp(
            math.prod(data.in_shape),
            cfg.hidden,
            data.num_classes,
            cfg.activation,
            norm,
            cfg.dropout,
        )
    c, h, w = data.in_shape
    if cfg.model == "cnn":
        hidden = cfg.hidden[0] if cfg.hidden else 128
        return models.cnn(
            c,
            data.num_classes,
            cfg.resolved_channels(),
            cfg.activation,
            norm,
            cfg.dropout,
            (h, w),
            hidden=hidden,
        )
    return models.resnet(
        c, data.num_classes, cfg.resolved_channels(), cfg.blocks, cfg.activation, norm, cfg.dropout
    )


def build_optimizer(cfg: Config, model: nn.Module) -> optim.Optimizer:
    params, lr, wd = model.parameters(), cfg.resolved_lr(), cfg.resolved_weight_decay()
    name = cfg.optimizer
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return optim.SGD(
            params, lr=lr, momentum=cfg.momentum, weight_decay=wd, nesterov=name == "nesterov"
        )
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=wd)
    return optim.Adagrad(params, lr=lr, weight_decay=wd)


def build_scheduler(cfg: Config, optimizer: optim.Optimizer, steps_per_epoch: int) -> tuple:
    """(scheduler or None, 'epoch' or 'step'): how the learning rate moves during the run."""
    s, epochs = cfg.schedule, cfg.epochs
    if s == "none":
        return None, "epoch"
    if s == "step":  # divide by 10 at 1/2 and 3/4 of the run (the classic ResNet recipe)
        milestones = sorted({max(1, epochs // 2), max(1, (3 * epochs) // 4)})
        return lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1), "epoch"
    if s == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs), "epoch"
    if s == "plateau":
        return lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2), "epoch"
    total = epochs * steps_per_epoch
    if s == "onecycle":
        return (
            lr_scheduler.OneCycleLR(optimizer, max_lr=cfg.resolved_lr(), total_steps=total),
            "step",
        )
    warm = min(max(1, int(round(cfg.warmup_epochs * steps_per_epoch))), total - 1)
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warm)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, total - warm))
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warm]), "step"


def augmentation(cfg: Config) -> Any:
    """The training-time transform of --augment: small random shifts (random crops with
    padding and horizontal flips for CIFAR-10); None without --augment or for 2-D points."""
    if not cfg.augment or cfg.dataset in ("moons", "xor", "spiral", "circles"):
        return None
    if cfg.dataset == "cifar10":
        return transforms.Compose(
            [transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()]
        )
    return transforms.RandomShift(1 if cfg.dataset == "digits" else 2)


def loaders(cfg: Config, data: Data) -> tuple:
    """(train, val, test) DataLoaders: train shuffled (and augmented), the others in order."""
    device = backend.normalize_device(cfg.device)
    lonely = len(data.train) % cfg.batch_size == 1  # a batch of one breaks BatchNorm: drop it
    train = DataLoader(
        data.train,
        cfg.batch_size,
        shuffle=True,
        drop_last=lonely,
        device=device,
        transform=augmentation(cfg),
    )
    val = DataLoader(data.val, 1000, device=device)
    test = val if data.val_is_test else DataLoader(data.test, 1000, device=device)
    return train, val, test


def describe(cfg: Config, data: Data, model: nn.Module) -> list:
    """Header lines: what is trained on what, with which optimizer."""
    from ..models import count_parameters

    if cfg.model == "mlp":
        sizes = [math.prod(data.in_shape), *cfg.hidden, data.num_classes]
        arch = "-".join(str(s) for s in sizes)
    else:
        arch = "channels " + ",".join(str(c) for c in cfg.resolved_channels())
    norm = cfg.resolved_norm()
    extras = [
        f"{norm} norm" if norm != "none" else "",
        f"dropout {cfg.dropout:g}" if cfg.dropout else "",
    ]
    model_text = ", ".join(x for x in [f"{cfg.model} {arch}", cfg.activation, *extras] if x)
    val = "val = test set" if data.val_is_test else f"val {len(data.val)}"
    opt = f"{cfg.optimizer} lr {cfg.resolved_lr():g}"
    if cfg.optimizer in ("momentum", "nesterov"):
        opt += f" momentum {cfg.momentum:g}"
    if cfg.resolved_weight_decay():
        opt += f" weight decay {cfg.resolved_weight_decay():g}"
    if cfg.schedule != "none":
        opt += f", {cfg.schedule} schedule"
    if cfg.clip:
        opt += f", clip {cfg.clip:g}"
    return [
        f"model    {model_text} ({count_parameters(model):,} parameters)",
        f"data     {cfg.dataset}: {len(data.train):,} train, {len(data.test):,} test ({val})"
        + (", augmented" if augmentation(cfg) else ""),
        f"training {opt}; {cfg.epochs} epochs, batch {cfg.batch_size}, {cfg.device}, "
        f"seed {cfg.seed}",
    ]


def save_config(cfg: Config, path: str) -> None:
    from ..data._atomic import write_text

    write_text(path, json.dumps(cfg.to_dict(), indent=1) + "\n")


def load_config(run_dir: str) -> Config:
    path = os.path.join(run_dir, "config.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{run_dir} is not a run folder (no config.json in it)")
    with open(path, encoding="utf-8") as f:
        return Config.from_dict(json.load(f))
