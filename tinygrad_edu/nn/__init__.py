"""tinygrad_edu.nn: layers, containers, losses and their functional forms (PyTorch's torch.nn).

Usage: ``import tinygrad_edu.nn as nn`` and ``import tinygrad_edu.nn.functional as F``, then
``model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))``.
"""

from . import functional, init, utils
from .modules import (
    ELU,
    GELU,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    Hardtanh,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Mish,
    Module,
    ModuleDict,
    ModuleList,
    ReLU,
    ReLU6,
    Residual,
    RMSNorm,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Swish,
    Tanh,
    Unflatten,
)
from .modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothL1Loss,
)
from .parameter import Parameter

__all__ = [
    "functional", "init", "utils", "Parameter", "Module", "Sequential", "ModuleList",
    "ModuleDict", "Identity", "Flatten", "Unflatten", "Residual", "Linear", "Conv2d", "MaxPool2d",
    "AvgPool2d", "AdaptiveAvgPool2d", "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU",
    "Swish", "Sigmoid", "Tanh", "Softplus", "Mish", "Hardtanh", "Softmax", "LogSoftmax",
    "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "RMSNorm", "Embedding", "MSELoss",
    "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "MultiMarginLoss", "KLDivLoss",
]  # fmt: skip
