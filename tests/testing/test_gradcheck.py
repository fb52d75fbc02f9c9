"""The checking tools must catch wrong gradients, not only pass right ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function
from tinygrad_edu.testing import (
    GradcheckError,
    as_torch_function,
    compare_with_torch,
    gradcheck,
    gradgradcheck,
)


class WrongSquare(Function):
    """y = x^2 with a deliberately wrong backward (x instead of 2x)."""

    def forward(self, x):
        return x * x

    def backward(self, g):
        return g * self.parents[0]


class RightSquare(Function):
    """y = x^2;  dx = 2 x g"""

    def forward(self, x):
        return x * x

    def backward(self, g):
        return g * self.parents[0] * 2.0


def _x(shape=(3, 4)):
    return tg.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


def test_gradcheck_passes_a_right_backward():
    assert gradcheck(RightSquare.apply, [_x()])
    assert gradgradcheck(RightSquare.apply, [_x()])


def test_gradcheck_names_input_and_worst_element():
    with pytest.raises(GradcheckError, match=r"input 0 at element \(\d+, \d+\)"):
        gradcheck(WrongSquare.apply, [_x()])


def test_gradcheck_random_directions_for_large_inputs():
    with pytest.raises(GradcheckError, match="random direction"):
        gradcheck(WrongSquare.apply, [_x((20, 20))], max_elements=16)
    assert gradcheck(RightSquare.apply, [_x((20, 20))], max_elements=16)


def test_gradcheck_wants_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(RightSquare.apply, [tg.ones(2, requires_grad=True)])


def test_gradgradcheck_catches_wrong_second_derivative():
    class WrongCube(Function):
        """y = x^3 whose backward uses a constant copy of x: first derivative right, second 0."""

        def forward(self, x):
            return x * x * x

        def backward(self, g):
            return g * (self.parents[0].detach() ** 2 * 3.0)

    assert gradcheck(WrongCube.apply, [_x()])
    with pytest.raises(GradcheckError):
        gradgradcheck(WrongCube.apply, [_x()])


def test_compare_with_torch_catches_value_and_gradient_bugs():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    compare_with_torch(RightSquare.apply, lambda t: t * t, x)
    with pytest.raises(AssertionError, match="gradient of input 0"):
        compare_with_torch(WrongSquare.apply, lambda t: t * t, x)
    with pytest.raises(AssertionError, match="output 0"):
        compare_with_torch(lambda t: t * 2, lambda t: t * 3, x)


def test_as_torch_function_lets_torch_check_our_backward():
    inp = (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),)
    assert torch.autograd.gradcheck(as_torch_function(lambda t: t.tanh() * t.softmax(-1)), inp)
    with pytest.raises(Exception):  # torch's GradcheckError
        torch.autograd.gradcheck(as_torch_function(WrongSquare.apply), inp)
