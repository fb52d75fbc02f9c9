"""Pooling layers: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d (see nn/_conv_functional.py)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


def _check_input(layer: str, x: Tensor) -> None:
    if x.ndim not in (3, 4):
        raise RuntimeError(
            f"{layer}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
            f"shape {tuple(x.shape)}"
        )


class MaxPool2d(Module):
    """The max of each kernel_size window (stride defaults to kernel_size): (N, C, H, W) ->
    (N, C, OH, OW). The gradient of a window goes to its maximum."""

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        _check_input("MaxPool2d", x)
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each kernel_size window: (N, C, H, W) -> (N, C, OH, OW).
    count_include_pad=True counts padding zeros in the mean (PyTorch's default)."""

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        _check_input("AvgPool2d", x)
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: (N, C, H, W) -> (N, C, *output_size).
    AdaptiveAvgPool2d(1) is global average pooling."""

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        _check_input("AdaptiveAvgPool2d", x)
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
