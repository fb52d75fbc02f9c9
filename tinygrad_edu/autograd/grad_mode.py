"""Global autograd switches: grad mode (no_grad / enable_grad) and anomaly mode.

Function.apply reads `state.grad_enabled` on every op, so it is a plain attribute, not a call.
"""

from __future__ import annotations

import functools


class _State:
    __slots__ = (
        "grad_enabled",
        "anomaly",
        "check_nan",
        "check_inf",
        "in_backward",
        "inplace_ops",
        "recorder",
    )

    def __init__(self) -> None:
        self.grad_enabled = True
        self.inplace_ops = 0  # counts in-place modifications; a tensor's _version is the count
        self.in_backward = False
        self.anomaly = False
        self.check_nan = True
        self.check_inf = False
        # tg.compile's tracer while it records a step (compile/recorder.py), else None: the few
        # array-op boundaries (Function.apply, ops/nograd, the engine) report to it
        self.recorder = None


state = _State()


def is_grad_enabled() -> bool:
    return state.grad_enabled


class _GradModeContext:
    """Base of no_grad / enable_grad / set_grad_enabled: a context manager and a decorator."""

    _mode = True

    def __enter__(self) -> None:
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __exit__(self, *exc) -> None:
        state.grad_enabled = self._prev

    def __call__(self, fn):
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.grad_enabled
            state.grad_enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.grad_enabled = prev

        return wrapper


class no_grad(_GradModeContext):
    """Record nothing inside: results have requires_grad=False (as torch.no_grad)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Record again inside a no_grad block (as torch.enable_grad)."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """`set_grad_enabled(False)` switches recording off now, or inside a `with` block."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = state.grad_enabled
        state.grad_enabled = self._mode

    def __enter__(self) -> None:  # already switched in __init__, as PyTorch does
        pass

    def __exit__(self, *exc) -> None:
        state.grad_enabled = self._prev


class detect_anomaly:
    """Raise at the first op whose forward or backward produces NaN (and Inf with check_inf=True).

    The error names the op and shows where its forward was called. Slows every op down: use it to
    debug, not to train.
    """

    def __init__(self, check_nan: bool = True, check_inf: bool = False) -> None:
        self.check_nan = check_nan
        self.check_inf = check_inf

    def __enter__(self) -> None:
        self._prev = (state.anomaly, state.check_nan, state.check_inf)
        state.anomaly = self.check_nan or self.check_inf
        state.check_nan, state.check_inf = self.check_nan, self.check_inf

    def __exit__(self, *exc) -> None:
        state.anomaly, state.check_nan, state.check_inf = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan, self.check_inf):
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode: bool, check_inf: bool = False) -> None:
    state.anomaly = bool(mode)
    state.check_nan, state.check_inf = True, bool(check_inf)
