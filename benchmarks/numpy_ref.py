"""Hand-written NumPy forward/backward passes: the floor for any NumPy-based autograd engine.

Every model here does exactly the math of its tinygrad_edu / PyTorch twin in workloads.py
(same layer order, same float32 weights, PyTorch's conventions: Linear weight (out, in),
cross entropy averaged over the batch, BatchNorm running statistics with the unbiased variance,
SGD as torch.optim.SGD), but with the gradient formulas derived by hand, no graph, no Python
objects per op, and in-place updates. An engine built on NumPy cannot beat these by much; the
ratio engine / hand-written tells how much the engine's bookkeeping costs.

The one exception is `ScalarMLP`, which uses plain Python floats (math.tanh) with hand-written
derivatives: the floor for a micrograd-style graph of scalars.
"""

from __future__ import annotations

import math

import numpy as np


# ----------------------------------------------------------------------------- shared pieces
def cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross entropy of logits (N, C) and int labels (N,) -> (loss, dlogits)."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.log(s).sum() / n - shifted[rows, y].sum() / n)
    d = e / s  # softmax
    d[rows, y] -= 1.0
    d *= 1.0 / n
    return loss, d


class SGD:
    """torch.optim.SGD(params, lr, momentum) on a list of arrays, updated in place."""

    def __init__(self, params: list, lr: float = 0.01, momentum: float = 0.0) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.buffers: list = [None] * len(params)

    def step(self, grads: list) -> None:
        lr, mom = self.lr, self.momentum
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if mom:
                b = self.buffers[i]
                if b is None:  # the first step copies the gradient (as PyTorch)
                    b = self.buffers[i] = g.copy()
                else:
                    b *= mom
                    b += g
                g = b
            p -= lr * g


def _linear_backward(dout: np.ndarray, x: np.ndarray, w: np.ndarray, need_dx: bool = True):
    """y = x @ w.T + b  ->  (dx, dw, db)."""
    dw = dout.T @ x
    db = dout.sum(axis=0)
    dx = dout @ w if need_dx else None
    return dx, dw, db


# ----------------------------------------------------------------------------- MLPs
class MLP:
    """Linear -> ReLU -> ... -> Linear with cross entropy; weights from a state dict
    ('0.weight', '0.bias', '2.weight', ... as nn.Sequential names them)."""

    def __init__(self, state: dict, lr: float = 0.01, momentum: float = 0.0) -> None:
        keys = [k for k in state if k.endswith(".weight")]
        self.ws = [state[k].copy() for k in keys]
        self.bs = [state[k[: -len("weight")] + "bias"].copy() for k in keys]
        params = [p for pair in zip(self.ws, self.bs) for p in pair]
        self.opt = SGD(params, lr, momentum)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        acts = [x]  # the input of every Linear
        h = x
        last = len(self.ws) - 1
        for i, (w, b) in enumerate(zip(self.ws, self.bs)):
            h = h @ w.T
            h += b
            if i < last:
                h = np.maximum(h, 0.0)
                acts.append(h)
        loss, d = cross_entropy(h, y)
        grads: list = []
        for i in range(last, -1, -1):
            d_in, dw, db = _linear_backward(d, acts[i], self.ws[i], need_dx=i > 0)
            grads[:0] = [dw, db]
            if i > 0:
                d = d_in * (acts[i] > 0)  # ReLU: the gradient passes where the output is > 0
        self.opt.step(grads)
        return loss


class NormMLP:
    """Linear -> BatchNorm1d|LayerNorm -> ReLU per hidden layer, then Linear; cross entropy.

    State dict as nn.Sequential(Linear, Norm, ReLU, Linear, Norm, ReLU, Linear) names it.
    BatchNorm uses the batch statistics and updates the running ones (momentum 0.1, unbiased
    variance), as nn.BatchNorm1d in train mode; LayerNorm normalises each row.
    """

    def __init__(self, state: dict, kind: str, lr: float = 0.01, eps: float = 1e-5) -> None:
        self.kind, self.eps = kind, eps
        idx = sorted({int(k.split(".")[0]) for k in state})
        self.layers = []  # (linear_w, linear_b, norm_gamma | None, norm_beta | None, norm_key)
        linears = [i for i in idx if state[f"{i}.weight"].ndim == 2]
        for i in linears:
            norm = (
                i + 1 if f"{i + 1}.weight" in state and state[f"{i + 1}.weight"].ndim == 1 else None
            )
            g = state[f"{norm}.weight"].copy() if norm is not None else None
            bt = state[f"{norm}.bias"].copy() if norm is not None else None
            rm = state.get(f"{norm}.running_mean")
            rv = state.get(f"{norm}.running_var")
            self.layers.append(
                [
                    state[f"{i}.weight"].copy(),
                    state[f"{i}.bias"].copy(),
                    g,
                    bt,
                    None if rm is None else rm.copy(),
                    None if rv is None else rv.copy(),
                ]
            )
        params = []
        for w, b, g, bt, _, _ in self.layers:
            params += [w, b] + ([g, bt] if g is not None else [])
        self.opt = SGD(params, lr)

    def _norm_forward(self, h: np.ndarray, layer: list):
        axis = 0 if self.kind == "batch" else 1
        n = h.shape[axis]
        mean = h.mean(axis=axis, keepdims=True)
        xc = h - mean
        var = (xc * xc).mean(axis=axis, keepdims=True)
        inv = 1.0 / np.sqrt(var + self.eps)
        xhat = xc * inv
        if self.kind == "batch":  # running statistics, in place, as PyTorch
            rm, rv = layer[4], layer[5]
            rm *= 0.9
            rm += 0.1 * mean[0]
            rv *= 0.9
            rv += (0.1 * n / (n - 1)) * var[0]
        out = xhat * layer[2]
        out += layer[3]
        return out, (xhat, inv, axis, n)

    @staticmethod
    def _norm_backward(dout: np.ndarray, gamma: np.ndarray, cache) -> tuple:
        xhat, inv, axis, n = cache
        dgamma = (dout * xhat).sum(axis=0)
        dbeta = dout.sum(axis=0)
        dxhat = dout * gamma
        # d/dx of (x - mean) / sqrt(var + eps) along `axis`, both statistics depending on x
        dx = (
            dxhat
            - dxhat.mean(axis=axis, keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True)
        ) * inv
        return dx, dgamma, dbeta

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        caches = []
        h = x
        for layer in self.layers:
            w, b, g = layer[0], layer[1], layer[2]
            inp = h
            h = h @ w.T
            h += b
            nc = None
            if g is not None:
                h, nc = self._norm_forward(h, layer)
                h = np.maximum(h, 0.0)
            caches.append((inp, h, nc))
        loss, d = cross_entropy(h, y)
        grads: list = []
        for li in range(len(self.layers) - 1, -1, -1):
            w, _, g = self.layers[li][:3]
            inp, out, nc = caches[li]
            layer_grads = []
            if g is not None:
                d = d * (out > 0)
                d, dg, dbt = self._norm_backward(d, g, nc)
                layer_grads = [dg, dbt]
            d, dw, db = _linear_backward(d, inp, w, need_dx=li > 0)
            grads[:0] = [dw, db] + layer_grads
        self.opt.step(grads)
        return loss


class TinyMLP:
    """2-16-16-1 (any sizes) tanh MLP with MSE loss: the overhead-bound case."""

    def __init__(self, state: dict, lr: float = 0.01) -> None:
        keys = [k for k in state if k.endswith(".weight")]
        self.ws = [state[k].copy() for k in keys]
        self.bs = [state[k[: -len("weight")] + "bias"].copy() for k in keys]
        self.opt = SGD([p for pair in zip(self.ws, self.bs) for p in pair], lr)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        acts = [x]
        h = x
        last = len(self.ws) - 1
        for i, (w, b) in enumerate(zip(self.ws, self.bs)):
            h = h @ w.T + b
            if i < last:
                h = np.tanh(h)
                acts.append(h)
        diff = h - y
        loss = float((diff * diff).mean())
        d = diff * (2.0 / diff.size)
        grads: list = []
        for i in range(last, -1, -1):
            d_in, dw, db = _linear_backward(d, acts[i], self.ws[i], need_dx=i > 0)
            grads[:0] = [dw, db]
            if i > 0:
                a = acts[i]
                d = d_in * (1.0 - a * a)
        self.opt.step(grads)
        return loss


# ----------------------------------------------------------------------------- chain
# The chain cycles through (* 2, exp, log, * 0.5): the value and the gradient stay O(1) however
# long the chain is (no overflow, no denormals), and d sum(y) / dx is 1 up to rounding.
def chain_forward(x: np.ndarray, n_ops: int) -> tuple[float, list]:
    """y = sum(op_n(... op_1(x))); keeps the exp outputs (backward of exp and of log needs them)."""
    saved = []
    y = x
    for i in range(n_ops):
        k = i % 4
        if k == 0:
            y = y * 2.0
        elif k == 1:
            y = np.exp(y)
            saved.append(y)
        elif k == 2:
            y = np.log(y)
        else:
            y = y * 0.5
    return float(y.sum()), saved


def chain_backward(x: np.ndarray, n_ops: int, saved: list) -> np.ndarray:
    """d sum(chain(x)) / dx, walking the ops in reverse."""
    g = np.ones_like(x)
    j = len(saved) - 1
    for i in range(n_ops - 1, -1, -1):
        k = i % 4
        if k == 0:
            g = g * 2.0
        elif k == 1:  # y = exp(u): du = dy * y
            g = g * saved[j]
            j -= 1
        elif k == 2:  # y = log(u), u = the exp output before it: du = dy / u
            g = g / saved[j]
        else:
            g = g * 0.5
    return g


# ----------------------------------------------------------------------------- CNN (im2col)
def im2col(x: np.ndarray, kh: int, kw: int, pad: int) -> np.ndarray:
    """x (N, C, H, W) -> columns (N*OH*OW, C*kh*kw) for a stride-1 convolution."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    oh, ow = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
    cols = np.empty((n, oh, ow, c, kh, kw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, :, i, j] = xp[:, :, i : i + oh, j : j + ow].transpose(0, 2, 3, 1)
    return cols.reshape(n * oh * ow, c * kh * kw)


def col2im(dcols: np.ndarray, shape: tuple, kh: int, kw: int, pad: int) -> np.ndarray:
    """The adjoint of im2col: scatter-add the column gradients back to (N, C, H, W)."""
    n, c, h, w = shape
    oh, ow = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
    d = dcols.reshape(n, oh, ow, c, kh, kw)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i : i + oh, j : j + ow] += d[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, pad : pad + h, pad : pad + w] if pad else dxp


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int):
    """Stride-1 conv2d as one GEMM: (N, C, H, W) -> (N, O, OH, OW)."""
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    cols = im2col(x, kh, kw, pad)
    out = cols @ w.reshape(o, -1).T
    out += b
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    return out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def conv_backward(
    dout: np.ndarray,
    x_shape: tuple,
    cols: np.ndarray,
    w: np.ndarray,
    pad: int,
    need_dx: bool = True,
):
    o, _, kh, kw = w.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, o)  # (N*OH*OW, O)
    dw = (d.T @ cols).reshape(w.shape)
    db = d.sum(axis=0)
    dx = col2im(d @ w.reshape(o, -1), x_shape, kh, kw, pad) if need_dx else None
    return dx, dw, db


def maxpool2_forward(x: np.ndarray):
    """2x2 max pooling, stride 2 (even H, W); the gradient goes to the first maximum."""
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    win = win.reshape(n, c, h // 2, w // 2, 4)
    arg = win.argmax(axis=-1)[..., None]
    return np.take_along_axis(win, arg, axis=-1)[..., 0], arg


def maxpool2_backward(dout: np.ndarray, arg: np.ndarray, x_shape: tuple) -> np.ndarray:
    n, c, h, w = x_shape
    dwin = np.zeros((n, c, h // 2, w // 2, 4), dtype=dout.dtype)
    np.put_along_axis(dwin, arg, dout[..., None], axis=-1)
    return dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(x_shape)


class CNN:
    """Conv(1->8, 3, pad 1) ReLU MaxPool2 Conv(8->16, 3, pad 1) ReLU MaxPool2 Flatten Linear;
    weights from a state dict with keys 0.* (conv), 3.* (conv), 7.* (linear)."""

    def __init__(self, state: dict, lr: float = 0.01) -> None:
        self.w1, self.b1 = state["0.weight"].copy(), state["0.bias"].copy()
        self.w2, self.b2 = state["3.weight"].copy(), state["3.bias"].copy()
        self.w3, self.b3 = state["7.weight"].copy(), state["7.bias"].copy()
        self.opt = SGD([self.w1, self.b1, self.w2, self.b2, self.w3, self.b3], lr)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        c1, cols1 = conv_forward(x, self.w1, self.b1, 1)
        r1 = np.maximum(c1, 0.0)
        p1, arg1 = maxpool2_forward(r1)
        c2, cols2 = conv_forward(p1, self.w2, self.b2, 1)
        r2 = np.maximum(c2, 0.0)
        p2, arg2 = maxpool2_forward(r2)
        flat = p2.reshape(p2.shape[0], -1)
        logits = flat @ self.w3.T
        logits += self.b3
        loss, d = cross_entropy(logits, y)
        dflat, dw3, db3 = _linear_backward(d, flat, self.w3)
        d = maxpool2_backward(dflat.reshape(p2.shape), arg2, r2.shape) * (c2 > 0)
        dp1, dw2, db2 = conv_backward(d, p1.shape, cols2, self.w2, 1)
        d = maxpool2_backward(dp1, arg1, r1.shape) * (c1 > 0)
        _, dw1, db1 = conv_backward(d, x.shape, cols1, self.w1, 1, need_dx=False)
        self.opt.step([dw1, db1, dw2, db2, dw3, db3])
        return loss


# ----------------------------------------------------------------------------- scalars
class MoonsMLP:
    """micrograd's moons model: ReLU MLP, SVM loss mean(max(0, 1 - y s)) + 1e-4 sum(p^2), SGD."""

    def __init__(self, state: dict, alpha: float = 1e-4) -> None:
        keys = [k for k in state if k.endswith(".weight")]
        self.ws = [state[k].copy() for k in keys]
        self.bs = [state[k[: -len("weight")] + "bias"].copy() for k in keys]
        self.alpha = alpha

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        acts, h, last = [x], x, len(self.ws) - 1
        for i, (w, b) in enumerate(zip(self.ws, self.bs)):
            h = h @ w.T
            h += b
            if i < last:
                h = np.maximum(h, 0.0)
                acts.append(h)
        margins = 1.0 - y * h[:, 0]
        hinge = margins > 0
        params = self.ws + self.bs
        reg = self.alpha * sum((p * p).sum() for p in params)
        loss = float(np.maximum(margins, 0).mean() + reg)
        d = (-(y * hinge) / len(y)).astype(np.float32)[:, None]
        for i in range(last, -1, -1):
            d_in, dw, db = _linear_backward(d, acts[i], self.ws[i], need_dx=i > 0)
            self.ws[i] -= lr * (dw + 2 * self.alpha * self.ws[i])
            self.bs[i] -= lr * (db + 2 * self.alpha * self.bs[i])
            if i > 0:
                d = d_in * (acts[i] > 0)
        return loss


class ScalarMLP:
    """The micrograd-style tanh MLP on Python floats with hand-written derivatives (no graph).

    ws[l][j][i] is the weight from input i to neuron j of layer l; the last layer is linear.
    Loss: mean over the samples of (out - target)^2.
    """

    def __init__(self, ws: list, bs: list, lr: float = 0.01) -> None:
        self.ws = [[list(row) for row in w] for w in ws]
        self.bs = [list(b) for b in bs]
        self.lr = lr

    def step(self, xs: list, ys: list) -> float:
        ws, bs = self.ws, self.bs
        last = len(ws) - 1
        gws = [[[0.0] * len(row) for row in w] for w in ws]
        gbs = [[0.0] * len(b) for b in bs]
        total = 0.0
        scale = 1.0 / len(xs)
        tanh = math.tanh
        for x, t in zip(xs, ys):
            acts = [x]
            h = x
            for li, (w, b) in enumerate(zip(ws, bs)):
                pre = [bj + sum([wji * hi for wji, hi in zip(row, h)]) for row, bj in zip(w, b)]
                h = [tanh(v) for v in pre] if li < last else pre
                acts.append(h)
            diff = h[0] - t
            total += diff * diff * scale
            d = [2.0 * diff * scale]
            for li in range(last, -1, -1):
                inp, out, w = acts[li], acts[li + 1], ws[li]
                if li < last:
                    d = [dj * (1.0 - oj * oj) for dj, oj in zip(d, out)]
                gw, gb = gws[li], gbs[li]
                dprev = [0.0] * len(inp)
                for j, dj in enumerate(d):
                    gb[j] += dj
                    row, grow = w[j], gw[j]
                    for i, hi in enumerate(inp):
                        grow[i] += dj * hi
                        dprev[i] += dj * row[i]
                d = dprev
        lr = self.lr
        for w, gw, b, gb in zip(ws, gws, bs, gbs):
            for row, grow in zip(w, gw):
                for i, g in enumerate(grow):
                    row[i] -= lr * g
            for j, g in enumerate(gb):
                b[j] -= lr * g
        return total
