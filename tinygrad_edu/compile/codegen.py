"""From a recorded step to straight-line Python: `Program.source` is what a replay runs.

The generated function takes the step's tensor arguments, reads every external array (parameters,
buffers, optimizer state) and every hyperparameter from the live objects, checks the guards, then
runs one line per array operation — forward, backward, optimizer — on local variables, and writes
back what the step changes outside its arrays (`.grad`, step counters). No Tensor or graph node
is built on the way.
"""

from __future__ import annotations

import gc
import linecache
import re
from dataclasses import dataclass, field

from .. import backend
from ..autograd import function as _function
from . import symbolic, templates
from .recorder import CaptureError, Recorder
from .text import dtype_name, literal

RETRACE = object()  # returned by a replay whose prologue guard failed: trace again


def _guard_failed(where: str) -> None:
    raise RuntimeError(
        f"tg.compile: a decision taken while tracing no longer holds in the middle of a replayed "
        f"step ({where}); the step was left half done. Compile a function whose Python decisions "
        "depend only on hyperparameters and shapes, or run it eagerly."
    )


@dataclass
class Program:
    source: str
    namespace: dict
    fn: object = None
    externals: dict = field(default_factory=dict)  # name -> (array, code reading it)
    missing: list = field(default_factory=list)  # ops without a NumPy template
    guards: set = field(default_factory=set)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str, comment: str = "") -> None:
        self.lines.append(f"    {line}" + (f"  # {comment}" if comment else ""))


def _describe(info: dict, kind: str) -> str:
    if kind == "op":
        shape = tuple(info["shape"])
        return f"{info['cls'].__name__} -> {shape} {dtype_name(info['dtype'])}"
    shape = info.get("shape")
    return info["fname"] + ("" if shape is None else f" -> {tuple(shape)}")


def _resolve_owners(rec: Recorder) -> None:
    """Find the tensor holding each external array that was reached without one (one heap scan)."""
    for name, (a, owner) in list(rec.externals.items()):
        if owner is None and id(a) in rec.owners:  # met first as a raw array, then as a tensor
            rec.externals[name] = (a, rec.owners[id(a)])
    lost = {id(a): name for name, (a, owner) in rec.externals.items() if owner is None}
    if not lost:
        return
    arrays = [rec.externals[n][0] for n in lost.values()]
    for obj in gc.get_referrers(*arrays):
        if hasattr(obj, "grad_fn") and id(getattr(obj, "data", None)) in lost:
            name = lost[id(obj.data)]
            rec.externals[name] = (obj.data, obj)


def _external_code(rec: Recorder, name: str, array, owner) -> str:
    if owner is None:
        return rec.constant(array, "K")  # held by no tensor: a constant made while tracing
    param = rec.grad_of.get(id(owner))
    if param is not None:
        return f"{rec.constant(param, 'P')}.grad.data"
    path = rec.state_paths.get(id(owner))
    if path is not None:
        return f"{path}.data"
    if owner.data is not array:
        raise CaptureError(
            f"tg.compile: the step replaced the array of a tensor of shape {tuple(array.shape)} "
            "(`t.data = ...`); the replay could not repeat that. Update it in place instead."
        )
    return f"{rec.constant(owner, 'T')}.data"


def _hoisted(rec: Recorder) -> tuple[list, list]:
    """Split entries into a prologue (hyperparameter arithmetic and its guards, which need no
    array of the step) and the body. A failed prologue guard means: trace again."""
    ready: set = set()
    pro, body = [], []
    for e in rec.entries:
        movable = e.kind in ("scalar", "guard") or (
            e.kind == "call" and e.info["fname"] == "min_max"
        )
        if movable and all(d in ready or d.startswith("x") for d in e.deps):
            pro.append(e)
            ready.update(e.defs)
        else:
            body.append(e)
    return pro, body


def generate(
    rec: Recorder, n_args: int, result, xp_name: str, export: bool = False, mode: str = "replay"
) -> Program:
    """The replay function's source (or, with export=True, the standalone script's step).
    mode 'check': only the prologue's decisions (returns RETRACE or None); 'graph': the step
    without them (what a CUDA graph captures: a host read such as .item() cannot be captured)."""
    ret = _render(result, rec, export)  # first: it may name arrays and numbers of its own
    if rec.external_codes is None:
        finish(rec)
    w = _Writer()
    args = ", ".join(f"a{i}" for i in range(n_args))
    w.lines.append(f"def step({args}):")
    if n_args:
        w.add("# ---- inputs")
        for i in range(n_args):
            w.add(f"x{i} = a{i}" + ("" if export else ".data"))
    prog = Program("", {})
    if rec.externals and mode != "check":
        w.add("# ---- parameters, buffers and optimizer state (read at every call)")
    for name, (array, owner) in rec.externals.items() if mode != "check" else ():
        code = rec.external_codes.get(name) or _external_code(rec, name, array, owner)
        prog.externals[name] = (array, code)
        what = rec.tensor_names.get(id(owner), "") + " " if owner is not None else " "
        shape = f"{tuple(array.shape)} {dtype_name(array.dtype)}"
        w.add(f"{name} = " + (f"S[{name!r}]" if export else code), (what + shape).strip())
    pro, body = _hoisted(rec)
    if pro:
        w.add("# ---- hyperparameters (read at every call) and the decisions taken on them")
    for e in pro:
        decision = e.kind == "guard" or e.kind == "call"
        if mode != "graph" or not decision:
            _entry(w, e, xp_name, prog, export, prologue=True)
    if mode == "check":
        w.add("return None")
        prog.source = "\n".join(w.lines) + "\n"
        return prog
    section = None
    for e in body:
        if e.section != section:
            section = e.section
            w.add(f"# ---- {section}")
        _entry(w, e, xp_name, prog, export, prologue=False)
    if not export:
        _grad_writes(w, rec)
    w.add("return " + ret)
    prog.source = "\n".join(_free_dead(w.lines)) + "\n"
    return prog


_VAR = re.compile(r"\bv\d+\b")


def _free_dead(lines: list) -> list:
    """`del` each intermediate array after its last use, so that NumPy can reuse its memory
    for the next ones (as the eager engine frees a graph's arrays once backward used them)."""
    last: dict = {}
    for i, line in enumerate(lines):
        for name in _VAR.findall(line):
            last[name] = i
    dead: dict = {}
    for name, i in last.items():
        while i < len(lines) - 1 and (
            lines[i].rstrip().endswith(":") or lines[i + 1].startswith("        ")
        ):
            i += 1  # not inside an `if` block: after it
        if i < len(lines) - 1:  # the return line keeps its names
            dead.setdefault(i, []).append(name)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in dead:
            out.append("    del " + ", ".join(sorted(dead[i], key=lambda n: int(n[1:]))))
    return out


def _entry(w: _Writer, e, xp: str, prog: Program, export: bool, prologue: bool) -> None:
    info = e.info
    if e.kind == "scalar":
        code = info["code"]
        if export:
            code = _export_reads(code)
        w.add(f"{info['out']} = {code}")
    elif e.kind == "guard":
        if (info["code"], info["expected"]) in prog.guards:
            return  # the same decision, taken again (once per parameter)
        prog.guards.add((info["code"], info["expected"]))
        cond = f"({info['code']}) is not {info['expected']!r}"
        if export:
            cond = _export_reads(cond)
        fail = "return RETRACE" if prologue and not export else f"_guard_failed({info['where']!r})"
        w.add(f"if {cond}:  # decided at trace time ({info['where']})")
        w.add(f"    {fail}")
    elif e.kind == "stmt":
        w.add(_export_reads(info["code"]) if export else info["code"])
    elif e.kind == "array":
        w.add(
            f"{info['out']} = {xp}.asarray({info['sym']}, dtype={info['dtype'].name!r})",
            "a Python number as a 0-d array",
        )
    elif e.kind == "op":
        _op(w, e, xp, prog, export)
    else:
        _call(w, e, xp, prog, export)


def _op(w: _Writer, e, xp: str, prog: Program, export: bool) -> None:
    info = e.info
    lines = templates.op_lines(info, xp)
    if lines is None:
        prog.missing.append(info["cls"].__name__)
        lines = _bound_op(info, prog)
    for line in lines[:-1]:
        w.add(line)
    w.add(lines[-1], _describe(info, "op"))
    if info["scalar_out"]:
        w.add(f"{info['out']} = {xp}.asarray({info['out']})")


def _bound_op(info: dict, prog: Program) -> list:
    """An op without a template: call its own forward, bound once to a fresh instance."""
    cls = info["cls"]
    fresh = object.__new__(cls)
    fname = f"{cls.__name__}_{info['out']}"
    prog.namespace[fname] = fresh
    kwargs = "".join(f", {k}={v}" for k, v in info["opts"].items())
    lines = [f"{name}.clear()" for name in (info["opts"][k] for k in info["lists"])]
    call = f"{fname}.forward({', '.join(info['ins'])}{kwargs})"
    lines.append(f"{info['out']} = {call}")
    for path, name in info["sides"]:
        if path.startswith("."):
            lines.append(f"{name} = {fname}{path}")
        else:
            key, idx = path.split("[")
            lines.append(f"{name} = {info['opts'][key]}[{idx}")
    return lines


def _call(w: _Writer, e, xp: str, prog: Program, export: bool) -> None:
    info = e.info
    lines = templates.call_lines(info, xp, export)
    if lines is None:
        prog.missing.append(info["fname"])
        helper = f"_nograd_{info['fname']}"
        args = ", ".join(info["args"] + [f"{k}={v}" for k, v in info["kwargs"].items()])
        target = f"{info['targets']} = " if info["targets"] else ""
        lines = [f"{target}{helper}({args})"]
    for line in lines[:-1]:
        w.add(line)
    w.add(lines[-1], _describe(info, "call"))


def finish(rec: Recorder, fn=None) -> None:
    """At the end of the traced call: where each external array lives, and what each
    parameter's .grad is (later calls may change both before the code is generated)."""
    _resolve_owners(rec)
    rec.tensor_names = _module_names(fn) if fn is not None else {}
    rec.external_codes = {
        name: _external_code(rec, name, array, owner)
        for name, (array, owner) in rec.externals.items()
    }
    rec.grad_final = _final_grads(rec)


def _module_names(fn) -> dict:
    """id(tensor) -> 'fc1.weight' for the parameters and buffers of the modules fn can reach
    (its closure, the globals it names, its bound object's attributes), for comments only."""
    seen, names = set(), {}
    candidates = []
    code = getattr(fn, "__code__", None)
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            candidates.append(cell.cell_contents)
        except ValueError:  # an empty cell
            pass
    if code is not None:
        g = getattr(fn, "__globals__", {})
        candidates += [g[n] for n in code.co_names if n in g]
    owner = getattr(fn, "__self__", None)
    if owner is not None:
        candidates += list(vars(owner).values()) if hasattr(owner, "__dict__") else []
    for obj in candidates:
        if id(obj) in seen or not hasattr(obj, "named_parameters"):
            continue
        seen.add(id(obj))
        try:
            for name, t in list(obj.named_parameters()) + list(obj.named_buffers()):
                names.setdefault(id(t), name)
        except (TypeError, AttributeError):
            continue
    return names


def _final_grads(rec: Recorder) -> list:
    """(parameter, code of its .grad) for each parameter the step wrote: None, or a replay array."""
    out = []
    params = dict(rec.grad_params)
    for opt in rec.optimizers:
        for g in opt.param_groups:
            for p in g["params"]:
                params[id(p)] = p
    for p in params.values():
        g = p.grad
        if g is None:
            out.append((p, "None"))
        elif id(g.data) in rec.names and rec.names[id(g.data)][0] == "v":
            out.append((p, f"_T({rec.names[id(g.data)]}, False, None)"))
    return out


def _grad_writes(w: _Writer, rec: Recorder) -> None:
    """`.grad` of each parameter the step wrote: None, or the array the replay computed."""
    if rec.grad_final:
        w.add("# ---- gradients left in .grad")
    for p, code in rec.grad_final:
        what = rec.tensor_names.get(id(p), "")
        w.add(
            f"{rec.constant(p, 'P')}.grad = {code}", f"{what + ' ' if what else ''}{tuple(p.shape)}"
        )


def _render(value, rec: Recorder, export: bool) -> str:
    """Source rebuilding the step's return value from the replay's variables."""
    if hasattr(value, "grad_fn") and hasattr(value, "data"):
        name = rec.names.get(id(value.data))
        if name is None:
            name = rec.ref(value.data)
        return name if export else f"_T({name}, False, None)"
    if symbolic.is_sym(value):
        return rec.sym(value)
    if isinstance(value, tuple):
        inner = [_render(v, rec, export) for v in value]
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v, rec, export) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_render(v, rec, export)}" for k, v in value.items()) + "}"
    return literal(value, rec)


def _export_reads(code: str) -> str:
    """Hyperparameter reads (`O1.param_groups[0]['lr']`) become entries of the script's H dict."""
    import re

    return re.sub(
        r"(O\d+\.(?:param_groups|state)\[[^\]]*\]\[[^\]]*\](?:\[\d+\])?)",
        lambda m: f"H[{m.group(1)!r}]",
        code,
    )


def build(rec: Recorder, n_args: int, result, xp, mode: str = "replay") -> Program:
    """Generate, compile once with exec, and return the replay Program."""
    xp_name = "np" if xp.__name__ == "numpy" else "cp"
    prog = generate(rec, n_args, result, xp_name, mode=mode)
    ns = prog.namespace
    ns.update(
        {
            "np": backend.xp_of("cpu"),
            xp_name: xp,
            "RETRACE": RETRACE,
            "_guard_failed": _guard_failed,
            "_T": _function._make_tensor,
        }
    )
    from ..ops import nograd

    for e in rec.entries:
        if e.kind == "call" and f"_nograd_{e.info['fname']}" in prog.source:
            ns[f"_nograd_{e.info['fname']}"] = getattr(nograd, e.info["fname"]).__wrapped__
    for name, obj in rec.constants.values():
        ns[name] = obj
    filename = f"<tg.compile step {id(prog):x}>"
    linecache.cache[filename] = (len(prog.source), None, prog.source.splitlines(True), filename)
    exec(compile(prog.source, filename, "exec"), ns)
    prog.fn = ns["step"]
    prog.device = "cpu" if xp_name == "np" else "cuda"
    return prog


def device_module(arrays) -> object:
    """numpy, or cupy when the step's arrays live on the GPU."""
    for a in arrays:
        return backend.xp_of_array(a)
    return backend.xp_of("cpu")
