"""`tg.compile(fn)`: trace a step once, replay it as straight-line array code afterwards.

    step = tg.compile(train_step)      # train_step(x, y): forward, loss, backward, opt.step()
    loss = step(x, y)                  # first call: runs eagerly and records every array op
    loss = step(x, y)                  # later calls with the same shapes: the recorded list
    print(step.source)                 # the generated Python, one line per array op

What a replay reads at every call: the tensor arguments, the current arrays of the parameters,
buffers and optimizer state (so `load_state_dict` is seen), the optimizer's hyperparameters and
step counts (so a scheduler or `group['lr'] = ...` takes effect) and the random generator (dropout
masks come from the same stream, in the same order, as eagerly). What it does not repeat:
Python side effects of fn (prints, appends to lists, changes to Python attributes such as
`model.eval()`): they happen once, while tracing, as in JAX. After changing such state, call
`step.reset()`. Reading a tensor's value in Python inside fn (`.item()`, `bool(t)`, `.tolist()`,
`.numpy()`) raises at trace time, naming the line, unless `fallback="eager"` is given.
Tensors returned by a replay are detached (they hold the values, not the graph).
"""

from __future__ import annotations

import functools
import gc
import warnings
from collections import OrderedDict

from ..autograd.grad_mode import state
from . import codegen, symbolic
from .recorder import CaptureError, Recorder

_EAGER = object()  # cache entry of a signature that runs eagerly (fallback="eager")


class _Pending:
    """A recorded call whose code is not generated yet (cache entry until the next call)."""

    def __init__(self, rec, result, inputs) -> None:
        self.rec, self.result, self.inputs = rec, result, inputs


_MAX_WARMUPS = 3


def _is_tensor(x) -> bool:
    return hasattr(x, "grad_fn") and hasattr(x, "data")


def _key(value):
    """One argument's part of the signature: shape/dtype/device of a tensor, else the value."""
    if _is_tensor(value):
        d = value.data
        return ("T", d.shape, d.dtype.str, type(d).__module__, value.requires_grad)
    try:
        hash(value)
        return ("V", type(value), value)
    except TypeError:
        return ("id", id(value))


class CompiledFunction:
    """A function of Tensors whose array operations are recorded once and replayed."""

    def __init__(
        self, fn, fallback: str | None = None, cache_size: int = 8, cuda_graph: bool = False
    ) -> None:
        if fallback not in (None, "eager"):
            raise ValueError(f"tg.compile: fallback must be None or 'eager', got {fallback!r}")
        if cache_size < 1:
            raise ValueError(f"tg.compile: cache_size must be at least 1, got {cache_size}")
        self.fn, self.fallback, self.cache_size = fn, fallback, int(cache_size)
        self.cuda_graph = bool(cuda_graph)
        self.cache: OrderedDict = OrderedDict()
        self.traces = self.replays = 0
        self.last = None
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        if state.recorder is not None:  # called inside another compiled function: inline it
            return self.fn(*args, **kwargs)
        key = (tuple(map(_key, args)), tuple((k, _key(v)) for k, v in kwargs.items()))
        prog = self.cache.get(key)
        if prog is _EAGER:
            return self.fn(*args, **kwargs)
        if type(prog) is _Pending:
            prog = self._build(key, prog)
        if prog is not None:
            tensors = [a for a in args if _is_tensor(a)]
            out = self._graph(prog, tensors) if self.cuda_graph else prog.fn(*tensors)
            if out is not codegen.RETRACE:
                self.replays += 1
                self.cache.move_to_end(key)
                self.last = prog
                return out
            del self.cache[key]  # a hyperparameter decision changed: trace again
        return self._trace(key, args, kwargs)

    def _trace(self, key, args, kwargs):
        rec = Recorder(self.fallback)
        tensors = [a for a in args if _is_tensor(a)]
        for i, t in enumerate(tensors):
            rec.argument(i, t)
        state.recorder = rec
        collecting = gc.isenabled()
        gc.disable()  # the trace keeps every array alive: the cyclic GC would rescan them all
        try:
            try:
                result = self.fn(*args, **kwargs)
            finally:
                state.recorder = None
            return self._finish(key, rec, tensors, result)
        finally:
            if collecting:
                gc.enable()

    def _finish(self, key, rec, tensors, result):
        self.traces += 1
        if rec.refused is not None:
            if not any(p is _EAGER for p in self.cache.values()):
                warnings.warn(
                    rec.refused + " Running this signature eagerly.", RuntimeWarning, stacklevel=3
                )
            self._store(key, _EAGER)
            return _plain(result)
        if rec.unstable:  # the step created optimizer state: record the next (steady) call
            self._warmups = getattr(self, "_warmups", 0) + 1
            return _plain(result)
        rec.check_unseen_changes()
        codegen.finish(rec, self.fn)  # where the arrays live and the .grad left, as of now
        # The code is generated when the signature is called again (or .source is read): the
        # first call costs a recorded eager step, not also the code generation.
        pending = _Pending(rec, result, [t.data for t in tensors])
        self._store(key, pending)
        self.last = pending
        return _plain(result)

    def _build(self, key, pending) -> codegen.Program:
        rec, result, inputs = pending.rec, pending.result, pending.inputs
        collecting = gc.isenabled()
        gc.disable()
        try:
            arrays = inputs + [a for a, _ in rec.externals.values()]
            prog = codegen.build(rec, len(inputs), result, codegen.device_module(arrays))
        finally:
            if collecting:
                gc.enable()
        prog.python_writes = any(e.kind == "stmt" for e in rec.entries)
        # kept for export(): the entries (not the trace's intermediate arrays), the result and
        # the traced batch
        prog.recorder, prog.result, prog.n_args, prog.inputs = rec, result, len(inputs), inputs
        rec.keep = []
        if key is not None and self.cache.get(key) is pending:
            self.cache[key] = prog
        if self.last is pending:
            self.last = prog
        return prog

    def _store(self, key, prog) -> None:
        self.cache[key] = prog
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)

    def _graph(self, prog, tensors):
        """Replay through a CUDA graph captured on the first replay (CuPy >= 13 on a GPU)."""
        from . import cuda_graph

        return cuda_graph.replay(prog, tensors)

    # ----------------------------------------------------------------------------- inspection
    @property
    def source(self) -> str:
        """The generated Python of the latest traced (or replayed) signature."""
        return self._latest().source

    def _latest(self) -> codegen.Program:
        if self.last is None:
            raise RuntimeError("tg.compile: nothing traced yet; call the compiled function once")
        if type(self.last) is _Pending:
            key = next((k for k, v in self.cache.items() if v is self.last), None)
            self._build(key, self.last)
        return self.last

    def export(self, path: str, *inputs, steps: int = 10) -> str:
        """Write a standalone NumPy script (path, ending in .py) that trains the same model from
        the current weights, saved beside it (path[:-3] + '.npz') with `inputs` (default: the
        traced call's tensors) as its batch. See compile/export.py."""
        from . import export

        self._latest()
        return export.write(self, path, steps, list(inputs) or None)

    def reset(self) -> None:
        """Forget every trace: the next call traces again (after changing Python-side state)."""
        self.cache.clear()
        self.last = None

    def __repr__(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        return (
            f"<tg.compile {name}: {len(self.cache)} traced signatures, {self.traces} traces, "
            f"{self.replays} replays>"
        )


def _plain(value):
    """The traced call's return value with symbolic numbers made plain."""
    if symbolic.is_sym(value):
        return symbolic.raw(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def compile(fn=None, *, fallback: str | None = None, cache_size: int = 8, cuda_graph: bool = False):
    """Record fn's array operations on its first call per input signature and replay them.

    fallback: None (refuse Python reads of tensor values with an error at trace time) or
    'eager' (warn once and run that signature eagerly). cache_size: signatures kept (least
    recently used dropped). cuda_graph: on CUDA, capture the replay as a CUDA graph.
    Usable as `tg.compile(fn)` or as a decorator, `@tg.compile` / `@tg.compile(fallback=...)`.
    """
    if fn is None:
        return lambda f: CompiledFunction(f, fallback, cache_size, cuda_graph)
    if not callable(fn):
        raise TypeError(f"tg.compile: expected a function, got {type(fn).__name__}")
    return CompiledFunction(fn, fallback, cache_size, cuda_graph)


__all__ = ["compile", "CompiledFunction", "CaptureError"]
