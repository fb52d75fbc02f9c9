"""Names for the tensors of a graph picture that are not parameters: a module's buffers.

In eval mode BatchNorm reads `running_mean.reshape(...)` (a view of the buffer) and
`(running_var + eps).rsqrt()` (computed without grad, so no graph node records how). The picture
names the first `bn.running_mean` (the view shares the buffer's memory) and the second
`rsqrt(bn.running_var + eps)` (its values equal that, with the module's own eps), and puts both
in the module's cluster.
"""

from __future__ import annotations

import numpy as np

from .. import backend


def buffers(params) -> list:
    """[(module path, buffer name, Tensor, module)] of a Module (nothing for other params)."""
    if not hasattr(params, "named_modules"):
        return []
    found = []
    for path, module in params.named_modules():
        named = getattr(module, "named_buffers", None)
        if not path or named is None:
            continue
        for name, t in named(recurse=False):
            if t is not None:
                found.append((path, name, t, module))
    return found


def _host(t) -> np.ndarray:
    return np.asarray(backend.to_host(t.data))


def name_buffer_inputs(tensors: dict, params) -> None:
    """Set name and module of input nodes that are a module buffer, a view of one, or BatchNorm's
    rsqrt(running_var + eps)."""
    found = buffers(params)
    if not found:
        return
    hosts = [(path, name, _host(t), module) for path, name, t, module in found]
    for node in tensors.values():
        t = node.tensor
        if node.kind != "input" or node.name or t is None or t.requires_grad:
            continue
        arr = _host(t)
        for path, name, buf, module in hosts:
            if arr.size != buf.size or arr.size == 0:
                continue
            if np.shares_memory(arr, buf):
                node.name, node.module = f"{path}.{name}", path
                break
            eps = getattr(module, "eps", None)
            if name == "running_var" and isinstance(eps, float) and arr.dtype.kind == "f":
                expected = 1.0 / np.sqrt(buf.astype(np.float64) + eps)
                if np.allclose(arr.reshape(-1), expected.reshape(-1), rtol=1e-5, atol=0):
                    node.name, node.module = f"rsqrt({path}.running_var + eps)", path
                    break
