"""Conv2d: 2-D convolution (cross-correlation) via im2col (see ops/conv.py)."""

from __future__ import annotations

from ...composite.args import non_negative_int
from ...factories import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from .._conv_functional import _pair
from ..parameter import Parameter
from .module import Module


class Conv2d(Module):
    """x (N, C_in, H, W) -> (N, C_out, OH, OW) with OH = floor((H + 2p - d(k-1) - 1) / s) + 1.

    weight (C_out, C_in/groups, kh, kw) and bias (C_out,) initialised as PyTorch does
    (kaiming_uniform_ with a=sqrt(5); bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
    padding: an int, a pair, 'valid' (no padding) or 'same' (output size = input size).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        in_channels = non_negative_int(in_channels, "Conv2d", "in_channels")
        out_channels = non_negative_int(out_channels, "Conv2d", "out_channels")
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"Conv2d: groups={groups} must divide in_channels={in_channels} "
                f"and out_channels={out_channels}"
            )
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(
                f"Conv2d: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                f"'circular', got {padding_mode!r}"
            )
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Conv2d: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
                )
            if padding == "same" and _pair(stride, "stride", "Conv2d") != (1, 1):
                raise ValueError("Conv2d: padding='same' is not supported for strided convolutions")
        else:
            padding = _pair(padding, "padding", "Conv2d")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.dilation = _pair(dilation, "dilation", "Conv2d")
        for what, pair in (
            ("kernel_size", self.kernel_size),
            ("stride", self.stride),
            ("dilation", self.dilation),
        ):
            if min(pair) < 1:
                raise RuntimeError(f"Conv2d: {what} must be positive, got {pair}")
        if not isinstance(padding, str) and min(padding) < 0:
            raise RuntimeError(f"Conv2d: padding must be non-negative, got {padding}")
        self.padding, self.groups, self.padding_mode = padding, groups, padding_mode
        shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4) or x.shape[-3] != self.in_channels:
            c = self.in_channels
            raise RuntimeError(
                f"Conv2d: expected input (N, {c}, H, W) or ({c}, H, W), got shape {tuple(x.shape)}"
            )
        padding = self.padding
        if self.padding_mode != "zeros" and padding not in ("valid", (0, 0)):
            pads = _explicit_padding(padding, self.kernel_size, self.dilation)
            x = F.pad(x, pads, mode=self.padding_mode)
            padding = 0
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


def _explicit_padding(padding, kernel: tuple, dilation: tuple) -> tuple:
    """F.pad's (left, right, top, bottom) for an int pair or 'same' padding."""
    if padding == "same":
        (kh, kw), (dh, dw) = kernel, dilation
        th, tw = dh * (kh - 1), dw * (kw - 1)
        return (tw // 2, tw - tw // 2, th // 2, th - th // 2)
    ph, pw = padding
    return (pw, pw, ph, ph)
