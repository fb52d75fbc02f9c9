"""NumPy source for each recorded array operation: the same expression the op's forward runs.

`op_lines(entry, xp)` and `call_lines(entry, xp)` return the Python lines of one entry, or None
when the op has no template (codegen then calls the op's own forward, bound once; the export
refuses such ops by name). A template must compute exactly what the op's forward computes —
the same NumPy calls in the same order — so that a replay is bit-identical to eager execution.
"""

from __future__ import annotations

_BINARY = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/"}
_UNARY = {
    "Exp": "exp",
    "Log": "log",
    "Log1p": "log1p",
    "Expm1": "expm1",
    "Sqrt": "sqrt",
    "Sin": "sin",
    "Cos": "cos",
    "Tanh": "tanh",
    "Abs": "abs",
}
_COMPARE = {"'eq'": "==", "'ne'": "!=", "'lt'": "<", "'le'": "<=", "'gt'": ">", "'ge'": ">="}
_INPLACE = {"'add'": "+=", "'sub'": "-=", "'mul'": "*=", "'div'": "/="}


def _t(name: str, flag: str) -> str:
    return f"{name}.swapaxes(-1, -2)" if flag == "True" else name


def op_lines(info: dict, xp: str):
    """Lines computing one primitive's forward (info from Recorder.op), or None."""
    name, ins, opts, o = info["cls"].__name__, info["ins"], info["opts"], info["out"]
    if info["sides"] and name != "CrossEntropy":
        return None
    if name in _BINARY:
        return [f"{o} = {ins[0]} {_BINARY[name]} {ins[1]}"]
    if name in _UNARY:
        return [f"{o} = {xp}.{_UNARY[name]}({ins[0]})"]
    if name == "Neg":
        return [f"{o} = -{ins[0]}"]
    if name == "Relu":
        return [f"{o} = {xp}.maximum({ins[0]}, 0)"]
    if name in ("Maximum", "Minimum"):
        return [f"{o} = {xp}.{name.lower()}({ins[0]}, {ins[1]})"]
    if name == "Where":
        return [f"{o} = {xp}.where({ins[0]}, {ins[1]}, {ins[2]})"]
    if name == "MatMul":
        ta, tb = opts.get("ta", "False"), opts.get("tb", "False")
        return [f"{o} = {_t(ins[0], ta)} @ {_t(ins[1], tb)}"]
    if name == "Linear":
        lines = [f"{o} = {ins[0]} @ {ins[1]}.T"]
        if len(ins) > 2 and ins[2] != "None":
            lines.append(f"{o} += {ins[2]}")
        return lines
    if name == "Reshape":
        return [f"{o} = {ins[0]}.reshape({opts['shape']})"]
    if name == "Permute":
        return [f"{o} = {ins[0]}.transpose({opts['dims']})"]
    if name == "BroadcastTo":
        return [f"{o} = {xp}.broadcast_to({ins[0]}, {opts['shape']})"]
    if name == "Sum":
        return [f"{o} = {ins[0]}.sum(axis={opts['dims']}, keepdims={opts['keepdim']})"]
    if name == "Cast":
        return [f"{o} = {ins[0]}.astype({opts['dtype']})"]
    if name == "Clone":
        return [f"{o} = {ins[0]}.copy()"]
    if name == "Sigmoid":
        x = ins[0]
        return [
            f"_e = {xp}.exp(-{xp}.abs({x}))",
            f"{o} = {xp}.where({x} >= 0, 1.0 / (1.0 + _e), _e / (1.0 + _e))"
            f".astype({x}.dtype, copy=False)",
        ]
    if name == "Softmax":
        x, d = ins[0], opts["dim"]
        return [
            f"{o} = {xp}.exp({x} - {x}.max(axis={d}, keepdims=True))",
            f"{o} /= {o}.sum(axis={d}, keepdims=True)",
        ]
    if name == "LogSoftmax":
        x, d = ins[0], opts["dim"]
        return [
            f"{o} = {x} - {x}.max(axis={d}, keepdims=True)",
            f"{o} -= {xp}.log({xp}.exp({o}).sum(axis={d}, keepdims=True))",
        ]
    if name == "CrossEntropy":
        return _cross_entropy(info, xp)
    return None


def _cross_entropy(info: dict, xp: str) -> list:
    """CrossEntropy.forward, line by line; its saved one-hot and row mask are side outputs."""
    x, t = info["ins"]
    o, opts = info["out"], info["opts"]
    sides = dict(info["sides"])
    count = info["attrs"]["count"]
    n, c = info["in_shapes"][0]
    red = opts["reduction"]
    lines = [
        f"_keep = {t} != {opts['ignore_index']}",
        f"_safe = {xp}.where(_keep, {t}, 0)",
        f"_shifted = {x} - {x}.max(axis=1, keepdims=True)",
        f"_lse = {xp}.log({xp}.exp(_shifted).sum(axis=1))",
        f"_loss = (_lse - _shifted[{xp}.arange({n}), _safe]) * _keep",
        f"_onehot = {xp}.zeros(({n}, {c}), dtype={x}.dtype)",
        f"_onehot[{xp}.arange({n}), _safe] = 1",
        f"{sides['.saved[1]']} = _onehot * _keep[:, None]",
        f"{sides['.saved[0]']} = _keep[:, None].astype({x}.dtype)",
        f"if int(_keep.sum()) != {count}:  # the backward divides by the traced row count",
        "    _guard_failed('cross_entropy: the number of rows with ignore_index changed')",
    ]
    if red == "'none'":
        lines.append(f"{o} = _loss.astype({x}.dtype, copy=False)")
    elif red == "'mean'":
        lines.append(f"{o} = _loss.sum(dtype={x}.dtype) / {x}.dtype.type({count})")
    else:
        lines.append(f"{o} = _loss.sum(dtype={x}.dtype)")
    return lines


def call_lines(info: dict, xp: str, export: bool = False):
    """Lines of an ops/nograd.py helper (or the engine's ones_like/copy), or None."""
    f, a, out = info["fname"], info["args"], info["targets"]
    if f == "compare":
        return [f"{out} = {a[1]} {_COMPARE[a[0]]} {a[2]}"]
    if f == "inplace":
        return [f"{a[1]} {_INPLACE[a[0]]} {a[2]}"]
    if f == "copy_":
        return [f"{a[0]}[...] = {a[1]}"]
    if f == "ones_like":
        return [f"{out} = {xp}.ones_like({a[0]})"]
    if f == "copy":
        return [f"{out} = {a[0]}.copy()"]
    if f == "positive_mask":
        return [f"{out} = {a[0]} > 0"]
    if f == "full":
        return [f"{out} = {xp}.full({a[0]}, {a[1]}, dtype={a[2]})"]
    if f == "sign":
        return [f"{out} = {xp}.sign({a[0]})"]
    if f == "min_max":
        return [f"{out} = {a[0]}.min().item(), {a[0]}.max().item()"]
    if export and f in ("rand", "randn", "bernoulli_mask"):
        return _random_lines(info)
    return None


def _random_lines(info: dict) -> list:
    """The exported script's draws from its own generator (its state copied from the library's)."""
    f, a, out, raw = info["fname"], info["args"], info["targets"], info["raw_args"]
    if f == "bernoulli_mask":
        return [
            f"_r = RNG.random({a[0]}, dtype={a[2]})",
            f"{out} = (_r < {a[1]}).astype({a[2]}) * {a[2]}.type(1.0 / {a[1]})",
        ]
    draw = a[1] if raw[1].itemsize >= 4 else "np.dtype('float32')"
    method = "random" if f == "rand" else "standard_normal"
    return [f"{out} = RNG.{method}({a[0]}, dtype={draw}).astype({a[1]}, copy=False)"]
