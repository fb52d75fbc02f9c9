"""The tracer: while `tg.compile` runs a step eagerly once, it records every array operation.

The core reports to `grad_mode.state.recorder` at a few array-op boundaries (one `if` each):
`Function.apply` (forward of every primitive, so also every op a backward runs), the array
helpers of ops/nograd.py (in-place updates, comparisons, random draws), the engine's root
gradient and leaf-gradient copy, Python scalars wrapped into arrays, the optimizer's step, and
the value reads (`.item()`, `bool(t)`, ...) that Python control flow would need.

The recorder gives every array a name: `x0` for the step's tensor arguments, `e3` for an array
that existed before the step (a parameter, a buffer, optimizer state, a constant), `v12` for one
the step computes, `s4` for a Python number (hyperparameters and what is computed from them).
Each record is an `Entry`; compile/codegen.py turns the list into straight-line Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import backend
from ..autograd.grad_mode import state
from . import symbolic
from .text import literal, user_line

_ARRAY_TYPES = backend.ARRAY_TYPES
_PLAIN_NUMBERS = (int, float)


class CaptureError(RuntimeError):
    """A step does something tg.compile cannot replay (raised at trace time)."""


@dataclass
class Entry:
    """One recorded operation. kind: 'op' (a primitive's forward), 'call' (an array helper),
    'scalar' (Python arithmetic on hyperparameters), 'guard' (a Python decision to re-check),
    'array' (a scalar made into a 0-d array) or 'stmt' (a write-back of Python state)."""

    kind: str
    section: str
    deps: set = field(default_factory=set)
    defs: list = field(default_factory=list)
    info: dict = field(default_factory=dict)


class Recorder:
    """Collects the entries of one traced call (see the module docstring)."""

    def __init__(self, fallback: str | None = None) -> None:
        self.fallback = fallback
        self.entries: list[Entry] = []
        self.names: dict[int, str] = {}  # id(array) -> name
        self.keep: list = []  # every array and Sym seen stays alive, so ids stay unique
        self.owners: dict[int, object] = {}  # id(array) -> the Tensor that held it
        self.externals: dict[str, tuple] = {}  # name -> (array, owner Tensor or None)
        self.state_paths: dict[int, str] = {}  # id(tensor) -> code reaching it (optimizer state)
        self.grad_of: dict[int, object] = {}  # id(old .grad tensor) -> its parameter
        self.grad_params: dict[int, object] = {}  # parameters whose .grad the step writes
        self.constants: dict[int, tuple] = {}  # id(object) -> (name, object) in the namespace
        self.sym_names: dict[int, str] = {}
        self.sym_codes: dict[str, str] = {}  # code of a scalar line -> its name
        self.scalar_arrays: dict = {}  # (scalar name, dtype, array type) -> its 0-d array
        self.optimizers: list = []
        self.snapshots: dict[int, list] = {}
        self.section = "forward"
        self.count = 0
        self.refused: str | None = None
        self.unstable = False  # the step created persistent state: trace again next call
        self.external_codes: dict | None = None  # set by codegen.finish at the end of the trace
        self.grad_final: list = []
        self.tensor_names: dict = {}  # id(tensor) -> a module's name for it (comments only)
        self.before: dict = {}  # external name -> a copy of its array when the trace met it
        self.updated: set = set()  # ids of arrays (and their bases) that recorded ops changed

    # ----------------------------------------------------------------------------- naming
    def _new(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, obj, prefix: str = "K") -> str:
        """A name for a Python object the generated code refers to (bound in its namespace)."""
        got = self.constants.get(id(obj))
        if got is None:
            got = self.constants[id(obj)] = (self._new(prefix), obj)
        return got[0]

    def define(self, array, prefix: str = "v") -> str:
        name = self._new(prefix)
        self.names[id(array)] = name
        self.keep.append(array)
        return name

    def argument(self, index: int, tensor) -> None:
        self.names[id(tensor.data)] = f"x{index}"
        self.keep.append(tensor.data)

    def ref(self, array) -> str:
        """The name of an array; one never seen before is external (read at the replay's start)."""
        name = self.names.get(id(array))
        if name is None:
            name = self.define(array, "e")
            self.externals[name] = (array, self.owners.get(id(array)))
            self.before[name] = array.copy()  # to catch changes the tracer did not see
        return name

    def value(self, v, deps: set):
        """A Python value as ('code', text) for the generated source, noting the names it reads."""
        if type(v) in _ARRAY_TYPES:
            name = self.ref(v)
            deps.add(name)
            return name
        if symbolic.is_sym(v):
            name = self.sym(v)
            deps.add(name)
            return name
        if isinstance(v, tuple):
            inner = [self.value(x, deps) for x in v]
            return "(" + "".join(f"{x}, " for x in inner)[: -1 if len(inner) > 1 else None] + ")"
        return literal(v, self)

    # ----------------------------------------------------------------------------- hooks
    def op(self, ctx, inputs, options: dict, out):
        """Function.apply ran ctx.forward on the inputs' arrays."""
        owners = self.owners
        for t in inputs:  # the tensor holding each array (an external's owner, read at replay)
            owners.setdefault(id(t.data), t)
        scalar_out = type(out) not in _ARRAY_TYPES
        if scalar_out:
            out = backend.as_array(out)
        deps: set = set()
        ins = [self.value(t.data, deps) for t in inputs]
        opts = {}
        for k, v in options.items():
            opts[k] = self.constant(v, "L") if isinstance(v, list) else self.value(v, deps)
        name = self.define(out)
        sides = []
        for attr, v in vars(ctx).items():
            if type(v) in _ARRAY_TYPES and id(v) not in self.names:
                sides.append((f".{attr}", self.define(v)))
        for i, v in enumerate(vars(ctx).get("saved", ())):  # Function.save_for_backward
            if type(v) in _ARRAY_TYPES and id(v) not in self.names:
                sides.append((f".saved[{i}]", self.define(v)))
        for k, v in options.items():
            if isinstance(v, list):
                for i, a in enumerate(v):
                    if type(a) in _ARRAY_TYPES and id(a) not in self.names:
                        sides.append((f"{k}[{i}]", self.define(a)))
        if type(ctx).__name__ == "Pow" and ins[1][0] in "vx":  # its backward branches on b
            self.refuse("a ** b with an exponent b computed in the step")
        attrs = {k: v for k, v in vars(ctx).items() if type(v) in (int, float, bool, str, tuple)}
        lists = [k for k, v in options.items() if isinstance(v, list)]
        info = dict(
            cls=type(ctx),
            attrs=attrs,
            ins=ins,
            opts=opts,
            sides=sides,
            shape=out.shape,
            in_shapes=[t.shape for t in inputs],
            dtype=out.dtype,
            scalar_out=scalar_out,
            lists=lists,
        )
        self._add("op", deps, [name] + [s for _, s in sides], info, out=name)
        return out

    def call(self, fn, args: tuple, kwargs: dict):
        """Run an array helper of ops/nograd.py on plain values, and record it."""
        plain = [symbolic.raw(a) for a in args]
        out = fn(*plain, **{k: symbolic.raw(v) for k, v in kwargs.items()})
        return self.record_call(fn.__name__, args, kwargs, out)

    def record_call(self, fname: str, args: tuple, kwargs: dict, out):
        """An array helper (ops/nograd.py, or the engine's 'ones_like' / 'copy') ran."""
        if fname == "min_max":  # a validity check on values: replayed as Python numbers
            deps: set = set()
            a = self.value(args[0], deps)
            lo, hi = self._new("s"), self._new("s")
            self._add(
                "call",
                deps,
                [lo, hi],
                dict(fname=fname, args=[a], kwargs={}),
                out=None,
                targets=f"{lo}, {hi}",
            )
            return (
                symbolic.leaf(self, out[0], (lo, {lo})),
                symbolic.leaf(self, out[1], (hi, {hi})),
            )
        if out is not None and type(out) not in _ARRAY_TYPES:
            if isinstance(out, tuple) and all(type(o) in _ARRAY_TYPES for o in out):
                pass
            else:
                self.refuse(f"{fname}() (its result is a Python value computed from arrays)")
                return out
        if fname in ("inplace", "copy_"):  # the array changed in place, and the one it views
            a = args[1] if fname == "inplace" else args[0]
            while a is not None:
                self.updated.add(id(a))
                a = getattr(a, "base", None)
        deps = set()
        rendered = [self.value(a, deps) for a in args]
        kw = {k: self.value(v, deps) for k, v in kwargs.items()}
        outs = []
        if isinstance(out, tuple):
            outs = [self.define(o) for o in out]
        elif out is not None:
            outs = [self.define(out)]
        info = dict(
            fname=fname,
            args=rendered,
            kwargs=kw,
            raw_args=args,
            shape=None if out is None or isinstance(out, tuple) else out.shape,
        )
        self._add("call", deps, outs, info, out=None, targets=", ".join(outs) or None)
        if fname == "ones_like":
            self.section = "backward"
        return out

    def scalar(self, value, like):
        """A symbolic Python number becomes a 0-d array (`tensor * lr`)."""
        dtype = backend.scalar_result_dtype(like.dtype, value)
        out = backend.scalar_array(symbolic.raw(value), dtype, like)
        deps: set = set()
        s = self.value(value, deps)
        known = self.scalar_arrays.get((s, dtype, type(like)))
        if known is not None:  # the same number in the same dtype: one 0-d array serves all
            return known
        self.scalar_arrays[(s, dtype, type(like))] = out
        name = self.define(out)
        self._add("array", deps, [name], dict(sym=s, dtype=dtype, like=self.ref(like)), out=name)
        return out

    def touch(self, tensor, other=None) -> None:
        """A tensor is about to be changed in place: remember which tensor holds the array."""
        for t in (tensor, other):
            if hasattr(t, "grad_fn") and id(t.data) not in self.names:
                self.owners.setdefault(id(t.data), t)

    def const(self, array) -> None:
        """Function.const wraps an array in a backward: it must come from a recorded op."""
        if id(array) not in self.names and id(array) not in self.owners:
            self.refuse(
                f"an op's backward that computes an array (shape {tuple(array.shape)}) "
                "outside the recorded ops; route it through ops/nograd.py"
            )

    def leaf_grad(self, t) -> None:
        """The engine is about to write t.grad: it becomes an output of the step."""
        self.grad_params[id(t)] = t
        if t.grad is not None:
            self.grad_of[id(t.grad)] = t

    def check_unseen_changes(self) -> None:
        """An array that existed before the step and changed without a recorded op was changed
        by NumPy code on `.data` (`p.data -= lr * p.grad.data`): the replay would skip it."""
        for name, (array, _) in self.externals.items():
            if id(array) in self.updated or id(getattr(array, "base", None)) in self.updated:
                continue
            if _changed(array, self.before[name]):
                raise CaptureError(
                    f"tg.compile: an array of shape {tuple(array.shape)} changed during the step "
                    "without a tensor operation (NumPy code on `.data`, such as "
                    "`p.data -= lr * p.grad.data`?); the replay cannot see such changes. Use "
                    "tensor ops instead (`with tg.no_grad(): p -= lr * p.grad`)."
                )
        self.before = {}

    def refuse(self, what: str) -> None:
        """Something Python-side reads a tensor's value: raise, or with fallback stop recording."""
        where = user_line()
        msg = (
            f"tg.compile cannot capture {what} inside the compiled function ({where}): the "
            "replay runs without Python, so a value read there would be frozen at trace "
            "time. Move it out of the function, or use tg.compile(fn, fallback='eager')."
        )
        if self.fallback == "eager":
            self.refused = msg
            state.recorder = None  # the rest of this call runs eagerly, unrecorded
            return
        raise CaptureError(msg)

    # ----------------------------------------------------------------------------- scalars
    def sym(self, s) -> str:
        """The name of a symbolic number, emitting the Python line that computes it."""
        name = self.sym_names.get(id(s))
        if name is not None:
            return name
        deps: set = set()
        code = self.sym_code(s.expr, deps)
        if s.expr[0] == "read" and code in deps:  # already a name (min_max results)
            self.sym_names[id(s)] = code
            return code
        name = self.sym_codes.get(code)  # the same expression of the same names: the same value
        if name is not None:
            self.sym_names[id(s)] = name
            self.keep.append(s)
            return name
        name = self._new("s")
        self.sym_names[id(s)] = self.sym_codes[code] = name
        self.keep.append(s)
        self._add("scalar", deps, [name], dict(code=code), out=name)
        return name

    def sym_code(self, expr, deps: set) -> str:
        kind = expr[0]
        if kind == "read":
            code, names = expr[1]
            deps.update(names)
            return code
        if kind == "bin":
            _, op, a, b = expr
            return f"{self.value(a, deps)} {op} {self.value(b, deps)}"
        if kind == "neg":
            return f"-{self.value(expr[1], deps)}"
        if kind == "abs":
            return f"abs({self.value(expr[1], deps)})"
        return f"bool({self.value(expr[1], deps)})"

    def guard(self, expr, result) -> None:
        """A Python decision on a symbolic number: the replay checks it still comes out the same."""
        deps: set = set()
        code = self.sym_code(expr, deps)
        self._add("guard", deps, [], dict(code=code, expected=result, where=user_line()))

    # ----------------------------------------------------------------------------- optimizers
    def optimizer_enter(self, opt) -> list:
        """Optimizer.step starts: hand it param groups whose numbers are symbolic."""
        if opt not in self.optimizers:
            self.optimizers.append(opt)
        o = self.constant(opt, "O")
        self.section = "optimizer step"
        self.snapshots[id(opt)] = _structure(opt)
        groups = []
        for gi, g in enumerate(opt.param_groups):
            new = dict(g)
            for key, v in g.items():
                path = f"{o}.param_groups[{gi}][{key!r}]"
                if type(v) in _PLAIN_NUMBERS:
                    new[key] = symbolic.leaf(self, v, (path, set()))
                elif isinstance(v, tuple) and all(type(x) in _PLAIN_NUMBERS for x in v):
                    new[key] = tuple(
                        symbolic.leaf(self, x, (f"{path}[{j}]", set())) for j, x in enumerate(v)
                    )
            for p in g["params"]:
                self._wrap_state(opt, o, p)
            groups.append(new)
        return groups

    def _wrap_state(self, opt, o: str, p) -> None:
        st = opt.state.get(p)
        if not st:
            return
        pname = self.constant(p, "P")
        for key, v in st.items():
            path = f"{o}.state[{pname}][{key!r}]"
            if type(v) in _PLAIN_NUMBERS:
                st[key] = symbolic.leaf(self, v, (path, set()))
            elif hasattr(v, "grad_fn") and id(v.data) not in self.names:
                self.state_paths[id(v)] = path
                self.owners.setdefault(id(v.data), v)

    def optimizer_exit(self, opt) -> None:
        """Optimizer.step ends: write symbolic step counts back as replay outputs."""
        o = self.constant(opt, "O")
        if _structure(opt) != self.snapshots.pop(id(opt), None):
            self.unstable = True  # first step created state buffers: the next call traces again
        for g in opt.param_groups:
            for p in g["params"]:
                st = opt.state.get(p)
                for key, v in (st or {}).items():
                    if symbolic.is_sym(v):
                        deps: set = set()
                        code = self.value(v, deps)
                        target = f"{o}.state[{self.constant(p, 'P')}][{key!r}]"
                        self._add("stmt", deps, [], dict(code=f"{target} = {code}"))
                        st[key] = symbolic.raw(v)
        self.section = "after the optimizer step"

    # ----------------------------------------------------------------------------- helpers
    def _add(self, kind, deps, defs, info, out=None, targets=None) -> None:
        info["out"], info["targets"] = out, targets
        self.entries.append(Entry(kind, self.section, deps, defs, info))


def _changed(array, before) -> bool:
    """Whether two arrays differ in any byte (NaN == NaN here: a bit pattern, not a value)."""
    try:
        return bool((array.view("u1") != before.view("u1")).any())
    except (ValueError, TypeError):  # 0-d or non-contiguous: compare the bytes
        return array.tobytes() != before.tobytes()


def _structure(opt) -> list:
    """Which state entries exist, and which tensors they hold (a new buffer means: trace again)."""
    out = []
    for g in opt.param_groups:
        for p in g["params"]:
            st = opt.state.get(p) or {}
            out.append(
                (id(p), tuple((k, id(v) if hasattr(v, "grad_fn") else None) for k, v in st.items()))
            )
    return out
