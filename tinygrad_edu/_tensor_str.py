"""repr(tensor) in PyTorch's format (a port of torch/_tensor_str.py for dense CPU/GPU tensors).

    tensor([1., 2.], requires_grad=True)
    tensor([[ 1.0000e-05,  1.0000e+03]], dtype=tg.float64, grad_fn=<MulBackward>)

Rules, as PyTorch's: one number format for the whole tensor, chosen from its nonzero finite values
(integers print as `1.`; scientific notation when max/min > 1000, max > 1e8 or min < 1e-4; else
`precision` decimals); columns padded to the widest entry; rows wrapped at `linewidth`; more than
`threshold` elements are summarised with `edgeitems` per edge and `...`. The dtype is shown
unless it is the default float, int64 or bool; the device unless it is the default device. Dtypes
print as `tg.float64` (PyTorch: `torch.float64`), as shapes print as `tg.Size([2, 3])`.

Works on Python numbers from the host copy of the array (tolist), so it needs no NumPy calls.
"""

from __future__ import annotations

import math
from typing import Any

from . import backend

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {
    "default": {},
    "short": {"precision": 2, "edgeitems": 2},
    "full": {"threshold": math.inf},
}
PRINT_OPTS = dict(_DEFAULTS)


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """PyTorch's torch.set_printoptions: digits, summarising threshold, edge items, line width;
    profile 'default' | 'short' | 'full' resets first; sci_mode True/False forces or forbids
    scientific notation (None: chosen per tensor)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: unknown profile {profile!r}; expected one of "
                f"{sorted(_PROFILES)}"
            )
        PRINT_OPTS.update({**_DEFAULTS, **_PROFILES[profile]})
    given = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    PRINT_OPTS.update({k: v for k, v in given.items() if v is not None})
    PRINT_OPTS["sci_mode"] = sci_mode


# PyTorch's legacy type names, from Tensor.type(): 'torch.FloatTensor', 'torch.cuda.LongTensor'
_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "bfloat16": "BFloat16",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def type_name(dtype, device_type: str) -> str:
    """'torch.FloatTensor' for float32 on cpu, 'torch.cuda.FloatTensor' on cuda (PyTorch's)."""
    name = _TYPE_NAMES.get(str(dtype))
    if name is None:
        raise TypeError(f"type(): no PyTorch tensor type name for dtype {dtype}")
    return f"torch.{'cuda.' if device_type == 'cuda' else ''}{name}Tensor"


def dtype_of_type_name(dtype: Any):
    """The dtype of Tensor.type(arg): a dtype, or a name such as 'torch.DoubleTensor'."""
    if isinstance(dtype, str) and dtype.endswith("Tensor"):
        short = dtype.rsplit(".", 1)[-1][: -len("Tensor")]
        for numpy_name, name in _TYPE_NAMES.items():
            if name == short:
                return backend.as_dtype(numpy_name)
        raise TypeError(f"type(): unknown tensor type {dtype!r}")
    return backend.as_dtype(dtype)


class _Formatter:
    """One number format and column width for all the values of a tensor."""

    def __init__(self, values: list, floating: bool) -> None:
        self.floating, self.int_mode, self.sci_mode, self.max_width = floating, True, False, 1
        prec = PRINT_OPTS["precision"]
        if not floating:
            self.max_width = max([len(str(v)) for v in values], default=1)
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return
        lo, hi = min(abs(v) for v in finite), max(abs(v) for v in finite)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        forced = PRINT_OPTS["sci_mode"]
        wide = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        self.sci_mode = wide if forced is None else forced
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{prec}e}") for v in finite)
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") + 1 for v in finite)  # + 1 for the '.'
        else:
            self.max_width = max(len(f"{v:.{prec}f}") for v in finite)

    def format(self, value) -> str:
        prec = PRINT_OPTS["precision"]
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{prec}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{prec}f}"
        return " " * (self.max_width - len(text)) + text


def _edges(n: int, summarize: bool) -> tuple[list[int], list[int]]:
    """The indices printed along a dim of length n: (head, tail); tail is empty unless cut."""
    e = PRINT_OPTS["edgeitems"]
    if summarize and n > 2 * e:
        return list(range(e)), list(range(n - e, n))
    return list(range(n)), []


def _shown_values(arr, summarize: bool) -> list:
    """The Python numbers that will be printed (all of them, or the summarised corners)."""
    if arr.ndim == 0:
        return [arr.item()]
    if not summarize:
        return arr.reshape(-1).tolist()
    head, tail = _edges(arr.shape[0], True)
    if arr.ndim == 1:
        return [arr[i].item() for i in head + tail]
    return [v for i in head + tail for v in _shown_values(arr[i], True)]


def _vector_str(arr, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS["linewidth"] - indent) / (fmt.max_width + 2)))
    head, tail = _edges(arr.shape[0], summarize)
    data = [fmt.format(arr[i].item()) for i in head]
    if tail:
        data += [" ..."] + [fmt.format(arr[i].item()) for i in tail]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(arr, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    head, tail = _edges(arr.shape[0], summarize)
    slices = [_array_str(arr[i], indent + 1, summarize, fmt) for i in head]
    if tail:
        slices += ["..."] + [_array_str(arr[i], indent + 1, summarize, fmt) for i in tail]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def array_str(arr, indent: int) -> str:
    """The bracketed numbers of a host array, as PyTorch prints them."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS["threshold"]
    fmt = _Formatter(_shown_values(arr, summarize), arr.dtype.kind == "f")
    return _array_str(arr, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix.replace("tg.", "torch."))  # wrap where PyTorch does, line for line
        if last_line_len + n + 2 > PRINT_OPTS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    return "".join(parts) + ")"


def _grad_fn_name(grad_fn) -> str:
    text = repr(grad_fn)  # '<AddBackward>' (or Python's '<X object at 0x..>' for a plain class)
    return text[1:].split(" ")[0] if " object at " in text else text.strip("<>")


def tensor_repr(t) -> str:
    """repr(t) as PyTorch prints it: 'tensor(' + numbers + suffixes + ')'."""
    prefix = "tensor("
    indent = len(prefix)
    arr, dtype, suffixes = backend.to_host(t.data), t.dtype, []
    device = t.device
    if device.type != backend.get_default_device():
        suffixes.append(f"device='{device}'")
    dtype_text = f"dtype=tg.{dtype}"
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype != backend.get_default_dtype():
            suffixes.append(dtype_text)
        body = "[]"
    else:
        if dtype not in (backend.get_default_dtype(), backend.int64, backend.bool_):
            suffixes.append(dtype_text)
        body = array_str(arr, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{_grad_fn_name(t.grad_fn)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
