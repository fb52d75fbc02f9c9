"""Built-in models for the command line and the demos, made of tinygrad_edu.nn layers.

    from tinygrad_edu import models
    net = models.mlp(784, [256, 128], 10, activation="relu")            # the courses' MLP
    net = models.mlp(64, [128], 10, norm="batch", dropout=0.1)
    net = models.cnn(1, 10, channels=(32, 64), image_size=28)           # conv-pool x2, FC head
    net = models.resnet(1, 10, channels=(16, 32), blocks=1)             # with skip connections

Every builder returns an nn.Sequential, so `print(net)` shows the whole architecture and the
state_dict keys are PyTorch's (`1.weight`, ...). Images (N, C, H, W) are flattened by the MLP.
"""

from __future__ import annotations

from typing import Callable, Sequence

from . import nn
from .tensor import Tensor

__all__ = [
    "ACTIVATIONS",
    "NORMS",
    "activation_module",
    "mlp",
    "cnn",
    "resnet",
    "residual_block",
    "ChannelNorm",
    "count_parameters",
]

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "mish": nn.Mish,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu6": nn.ReLU6,
    "hardtanh": nn.Hardtanh,
}
NORMS = ("none", "batch", "layer", "rms")


def activation_module(name: str) -> nn.Module:
    """A new activation module by name (see ACTIVATIONS), e.g. activation_module('gelu')."""
    key = name.lower().replace("-", "_")
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[key]()


def _check_norm(norm: str) -> str:
    norm = (norm or "none").lower()
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)}")
    return norm


def _check_dropout(p: float) -> float:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {p}")
    return float(p)


def _feature_norm(norm: str, features: int) -> list:
    """[] or [a normalisation of `features` features] for an MLP hidden layer."""
    if norm == "batch":
        return [nn.BatchNorm1d(features)]
    if norm == "layer":
        return [nn.LayerNorm(features)]
    if norm == "rms":
        return [nn.RMSNorm(features)]
    return []


def mlp(
    in_features: int,
    hidden: Sequence[int] = (256, 128),
    out_features: int = 10,
    activation: str = "relu",
    norm: str = "none",
    dropout: float = 0.0,
) -> nn.Sequential:
    """Flatten -> [Linear -> norm -> activation -> dropout] per hidden size -> Linear.

    in_features: inputs per sample after flattening (784 for MNIST, 64 for digits, 2 for moons).
    norm: 'none', 'batch' (BatchNorm1d), 'layer' (LayerNorm) or 'rms' (RMSNorm), before the
    activation. dropout: the drop probability after each hidden activation (0 = none).
    """
    norm, dropout = _check_norm(norm), _check_dropout(dropout)
    sizes = [int(in_features)] + [int(h) for h in hidden]
    if any(s < 1 for s in sizes) or int(out_features) < 1:
        raise ValueError(f"mlp: layer sizes must be >= 1, got {sizes + [out_features]}")
    layers: list = [nn.Flatten()]
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(a, b))
        layers += _feature_norm(norm, b)
        layers.append(activation_module(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(sizes[-1], int(out_features)))
    return nn.Sequential(*layers)


class ChannelNorm(nn.Module):
    """LayerNorm or RMSNorm over the channels of each pixel of (N, C, H, W) images (the
    ConvNeXt-style 'channels-last' normalisation): permute to (N, H, W, C), normalise C, back."""

    def __init__(self, kind: str, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels) if kind == "layer" else nn.RMSNorm(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def _channel_norm(norm: str, channels: int) -> list:
    if norm == "batch":
        return [nn.BatchNorm2d(channels)]
    if norm in ("layer", "rms"):
        return [ChannelNorm(norm, channels)]
    return []


def _conv_unit(c_in: int, c_out: int, act: str, norm: str) -> list:
    """3x3 convolution (padding 1, no bias before a norm) -> norm -> activation."""
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=norm == "none")
    return [conv] + _channel_norm(norm, c_out) + [activation_module(act)]


def _size(image_size) -> tuple:
    if isinstance(image_size, int):
        return image_size, image_size
    return int(image_size[0]), int(image_size[1])


def cnn(
    in_channels: int = 1,
    num_classes: int = 10,
    channels: Sequence[int] = (32, 64),
    activation: str = "relu",
    norm: str = "batch",
    dropout: float = 0.0,
    image_size: int | tuple = 28,
    hidden: int = 128,
) -> nn.Sequential:
    """A plain CNN: per entry of `channels`, [conv3x3 -> norm -> activation -> MaxPool2d(2)];
    then Flatten -> Linear(hidden) -> activation -> dropout -> Linear(num_classes).

    image_size: the input height/width (an int or a pair), needed for the first Linear.
    """
    norm, dropout = _check_norm(norm), _check_dropout(dropout)
    h, w = _size(image_size)
    layers: list = []
    c_prev = int(in_channels)
    for c in channels:
        layers += _conv_unit(c_prev, c, activation, norm) + [nn.MaxPool2d(2)]
        c_prev, h, w = c, h // 2, w // 2
    if h < 1 or w < 1:
        raise ValueError(f"cnn: {len(channels)} poolings shrink a {image_size} image to nothing")
    layers += [nn.Flatten(), nn.Linear(c_prev * h * w, hidden), activation_module(activation)]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, num_classes))
    return nn.Sequential(*layers)


def residual_block(channels: int, activation: str = "relu", norm: str = "batch") -> nn.Sequential:
    """act(x + norm(conv(act(norm(conv(x)))))): the basic block of ResNet, as
    Sequential(Residual(Sequential(conv, norm, act, conv, norm)), act)."""
    inner = _conv_unit(channels, channels, activation, norm)
    inner += [nn.Conv2d(channels, channels, 3, padding=1, bias=norm == "none")]
    inner += _channel_norm(norm, channels)
    return nn.Sequential(nn.Residual(nn.Sequential(*inner)), activation_module(activation))


def resnet(
    in_channels: int = 1,
    num_classes: int = 10,
    channels: Sequence[int] = (16, 32),
    blocks: int = 1,
    activation: str = "relu",
    norm: str = "batch",
    dropout: float = 0.0,
) -> nn.Sequential:
    """A small residual CNN: a conv3x3 stem to channels[0], then per entry c of `channels` a
    stage [conv3x3 to c channels (not in the first stage) -> MaxPool2d(2) -> `blocks` residual
    blocks], then global average pooling -> dropout -> Linear(num_classes). Works for any image
    size >= 2**len(channels).
    """
    norm, dropout = _check_norm(norm), _check_dropout(dropout)
    if blocks < 0 or not channels:
        raise ValueError("resnet: needs at least one stage in channels and blocks >= 0")
    layers = _conv_unit(int(in_channels), channels[0], activation, norm)
    c_prev = channels[0]
    for i, c in enumerate(channels):
        if i > 0:  # the stem already made channels[0]
            layers += _conv_unit(c_prev, c, activation, norm)
        layers.append(nn.MaxPool2d(2))
        layers += [residual_block(c, activation, norm) for _ in range(blocks)]
        c_prev = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(c_prev, num_classes))
    return nn.Sequential(*layers)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameter elements."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
