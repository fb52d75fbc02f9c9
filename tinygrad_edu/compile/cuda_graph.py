"""Replay through a CUDA graph: `tg.compile(fn, cuda_graph=True)` on a CUDA step.

The first replay of a signature runs the generated code once inside CuPy's stream capture
(`Stream.begin_capture` / `end_capture`, CuPy >= 13), on static copies of the step's inputs; later
calls copy the new inputs into those buffers and launch the captured graph: one launch instead
of one kernel launch per array op. What a graph cannot see: anything decided on the host at
capture time is frozen, so the hyperparameters and step counts are those of the capture (a step
that writes Python state, like Adam's step count, is refused), and the returned tensors are the
same buffers at every call. Call `compiled.reset()` after changing the learning rate.
"""

from __future__ import annotations

from ..autograd import function as _function
from . import codegen


def replay(prog, tensors):
    """Run `prog` through its captured CUDA graph (capturing it on the first call)."""
    if prog.device != "cuda":
        return prog.fn(*tensors)  # CPU steps have no graph to capture: plain replay
    if prog.python_writes:
        raise RuntimeError(
            "tg.compile(cuda_graph=True): this step writes Python state at every call (an "
            "optimizer's step count), which a captured graph would freeze; use cuda_graph=False"
        )
    captured = getattr(prog, "cuda_graph", None)
    if captured is None:
        captured = prog.cuda_graph = _capture(prog, tensors)
    graph, static, stream, out, check = captured
    if check(*tensors) is codegen.RETRACE:  # the decisions, on the host, before the launch
        return codegen.RETRACE
    for buf, t in zip(static, tensors):
        buf[...] = t.data
    graph.launch(stream)
    stream.synchronize()
    return out


def _capture(prog, tensors) -> tuple:
    import cupy

    xp = prog.namespace["cp"]
    rec, n = prog.recorder, prog.n_args
    check = codegen.build(rec, n, prog.result, xp, mode="check").fn
    body = codegen.build(rec, n, prog.result, xp, mode="graph").fn
    static = [t.data.copy() for t in tensors]
    wrapped = [_function._make_tensor(a, False, None) for a in static]
    body(*wrapped)  # warm-up outside the capture: CuPy compiles its kernels and fills its pool
    stream = cupy.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        try:
            out = body(*wrapped)
        finally:
            graph = stream.end_capture()
    return graph, static, stream, out, check
