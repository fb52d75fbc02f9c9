"""tg.utils, PyTorch's torch.utils: `tg.utils.data` is tinygrad_edu.data's loading half."""

from . import data

__all__ = ["data"]
