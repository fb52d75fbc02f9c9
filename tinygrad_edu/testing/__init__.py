"""Checking tools: numerical gradient checks and differential tests against PyTorch."""

from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .torch_compare import as_torch_function, compare_with_torch

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "compare_with_torch",
    "as_torch_function",
]
