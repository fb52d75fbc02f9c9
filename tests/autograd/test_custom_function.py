"""PyTorch's custom-Function protocol (ctx.save_for_backward, saved_tensors, needs_input_grad, ...),
run side by side with torch.autograd.Function on the same code."""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def _functions(lib):
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            gi = g.clone()
            gi[x < 0] = 0
            return gi

    class Legendre3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return 0.5 * (5 * x**3 - 3 * x) * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            ctx.seen = ctx.needs_input_grad
            return g * 1.5 * (5 * x**2 - 1) * ctx.k, None

    class ExpSavesOutput(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    return MyReLU, Legendre3, ExpSavesOutput


VALUES = [-1.5, -0.2, 0.3, 2.0]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_first_and_second_derivatives_match_torch(which):
    results = []
    for lib in (tg, torch):
        fn = _functions(lib)[which]
        x = lib.tensor(VALUES, dtype=lib.float64, requires_grad=True)
        y = fn.apply(x, 2.0) if which == 1 else fn.apply(x)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        g.sum().backward()
        results.append((y.detach().numpy(), g.detach().numpy(), x.grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_ctx_attributes_and_needs_input_grad():
    _, Legendre3, _ = _functions(tg)
    x = tg.tensor(VALUES, requires_grad=True)
    y = Legendre3.apply(x, 3.0)
    assert y.grad_fn.name == "Legendre3"
    y.sum().backward()
    assert y.grad_fn.seen == (True, False)


def test_mark_non_differentiable():
    class ArgmaxMask(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = (x == x.max()).float()
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return g * 0

    x = tg.tensor([1.0, 3.0, 2.0], requires_grad=True)
    out = ArgmaxMask.apply(x)
    assert not out.requires_grad and out.grad_fn is None


def test_no_node_without_grad():
    MyReLU, _, _ = _functions(tg)
    y = MyReLU.apply(tg.tensor([1.0, -1.0]))
    assert y.grad_fn is None and not y.requires_grad
    x = tg.tensor([1.0, -1.0], requires_grad=True)
    with tg.no_grad():
        assert MyReLU.apply(x).grad_fn is None


def test_saved_tensor_modified_in_place_raises_like_torch():
    for lib in (tg, torch):
        MyReLU, _, _ = _functions(lib)
        a = lib.tensor(VALUES, requires_grad=True)
        x = a * 1
        y = MyReLU.apply(x)
        with lib.no_grad():
            x.mul_(2) if lib is torch else x.detach().mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_backward_errors_name_the_function():
    class WrongShape(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    class NotATensor(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 1.0

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"WrongShape.backward returned a gradient of shape \(\)"
    ):
        WrongShape.apply(x).sum().backward()
    with pytest.raises(TypeError, match="NotATensor.backward returned a float"):
        NotATensor.apply(x).sum().backward()


def test_forward_must_return_one_tensor_and_save_tensors():
    class Two(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    class SavesNumber(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3.0)
            return x

    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="Two.forward returned 2 outputs"):
        Two.apply(x)
    with pytest.raises(TypeError, match="save_for_backward: argument 0 is a float"):
        SavesNumber.apply(x)


def test_saved_tensors_freed_after_backward():
    MyReLU, _, _ = _functions(tg)
    x = tg.tensor(VALUES, requires_grad=True)
    y = MyReLU.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="freed"):
        y.grad_fn.saved_tensors
