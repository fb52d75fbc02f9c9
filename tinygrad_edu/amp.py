"""Automatic mixed precision (as torch.amp): autocast and GradScaler.

    scaler = tg.amp.GradScaler("cpu")
    for x, y in loader:
        opt.zero_grad()
        with tg.amp.autocast("cpu", dtype=tg.float16):
            loss = loss_fn(model(x), y)       # matmul/linear/conv in float16, the loss in float32
        scaler.scale(loss).backward()         # gradients of loss * scale: small ones survive fp16
        scaler.step(opt)                      # unscale; skip the step if any gradient is inf/NaN
        scaler.update()                       # halve the scale after an overflow, double it
                                              # after growth_interval clean steps

Inside autocast, PyTorch's op lists decide the dtype: matmul, mm, bmm, linear and conv2d run in
the low-precision dtype (float16, or bfloat16 through the optional ml_dtypes package); softmax,
log_softmax, layer_norm, rms_norm, normalize and the losses run in float32; everything else
takes its inputs' dtypes. float64 tensors are never cast. The switch itself is a small state in
the backend, because the ops that read it sit below this module.

This is for learning: NumPy has no fast float16 (or any bfloat16) matrix kernels, so on the CPU
mixed precision is *slower* than float32 (a training step of a 256-wide MLP on one core took
4.4 ms in float32, 15 ms under bfloat16 autocast and 526 ms under float16 autocast). It shows
the numerics (rounding, overflow, loss scaling) the way a GPU run would have them.

bfloat16 is ml_dtypes' NumPy dtype: matmul, linear and conv return bfloat16 as in PyTorch, but
NumPy's reductions on it come back as float32, so ops such as softmax or layer_norm on a
bfloat16 tensor give float32 where PyTorch gives bfloat16 (the values agree).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from . import backend
from .autograd.grad_mode import no_grad
from .factories import tensor
from .tensor import Tensor

__all__ = ["autocast", "GradScaler", "is_autocast_available"]

_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}  # PyTorch's defaults per device type


def is_autocast_available(device_type: str) -> bool:
    """True for 'cpu' and 'cuda' (the device types autocast knows)."""
    return device_type in _DEFAULT_DTYPE


class autocast:
    """autocast(device_type, dtype=None, enabled=True, cache_enabled=None): a context manager and
    a decorator that runs the region's ops in mixed precision on one device type.

    dtype: tg.float16 or tg.bfloat16 (default: bfloat16 on 'cpu', float16 on 'cuda', as
    PyTorch); enabled=False turns autocast off inside (e.g. for a float32 island)."""

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        device_type = str(getattr(device_type, "type", device_type))
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"autocast: device_type must be 'cpu' or 'cuda', got {device_type!r}"
            )
        if not isinstance(enabled, bool):
            raise TypeError(f"autocast: enabled must be a bool, got {enabled!r}")
        dtype = backend.as_dtype(_DEFAULT_DTYPE[device_type] if dtype is None else dtype)
        if dtype.name not in ("float16", "bfloat16"):
            raise RuntimeError(
                f"autocast: in autocast for device_type {device_type!r}, only float16 and "
                f"bfloat16 are supported as the low-precision dtype, got {dtype}"
            )
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, enabled
        self._prev: list = []

    def __enter__(self) -> "autocast":
        new = self.fast_dtype if self.enabled else None
        self._prev.append(backend.set_autocast_dtype(self.device_type, new))
        return self

    def __exit__(self, *exc: Any) -> None:
        backend.set_autocast_dtype(self.device_type, self._prev.pop())

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self.enabled):
                return fn(*args, **kwargs)

        return wrapper

    def __repr__(self) -> str:
        return (
            f"autocast(device_type={self.device_type!r}, dtype={self.fast_dtype}, "
            f"enabled={self.enabled})"
        )


_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class GradScaler:
    """Dynamic loss scaling (torch.amp.GradScaler).

    GradScaler(device='cuda', init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True). scale(loss) multiplies by the scale S; unscale_(opt)
    divides the gradients by S and notes whether any is inf/NaN; step(opt) unscales if needed
    and skips opt.step() when one was; update() sets S <- S * backoff_factor after an overflow,
    S <- S * growth_factor after growth_interval overflow-free steps in a row."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = str(getattr(device, "type", device))
        if enabled and self._device == "cuda" and not backend.cuda_available():
            raise RuntimeError(
                "GradScaler: device 'cuda' is not available here; use GradScaler('cpu') "
                "(tinygrad_edu runs mixed precision on the CPU for learning)"
            )
        if growth_factor <= 1.0:
            raise ValueError(f"GradScaler: the growth factor must be > 1.0, got {growth_factor}")
        if backoff_factor >= 1.0:
            raise ValueError(f"GradScaler: the backoff factor must be < 1.0, got {backoff_factor}")
        self._enabled = bool(enabled)
        self._init_scale, self._growth_factor = float(init_scale), float(growth_factor)
        self._backoff_factor, self._growth_interval = float(backoff_factor), int(growth_interval)
        self._scale: Tensor | None = None  # float32, made lazily as PyTorch does
        self._growth_tracker = 0
        self._per_optimizer: dict = {}

    # ----------------------------------------------------------------------------- scaling
    def _lazy_init(self) -> None:
        if self._scale is None:
            self._scale = tensor(self._init_scale, dtype=backend.float32)

    def scale(self, outputs: Any) -> Any:
        """outputs * scale, for a Tensor or a (nested) list/tuple of Tensors."""
        if not self._enabled:
            return outputs
        self._lazy_init()
        if isinstance(outputs, Tensor):
            return outputs * self._scale.to(outputs.device)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise TypeError(
            f"GradScaler.scale: outputs must be a Tensor or an iterable of Tensors, "
            f"got {type(outputs).__name__}"
        )

    def _state(self, optimizer: Any) -> dict:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients of the optimizer's parameters by the scale, in place."""
        if not self._enabled:
            return
        if self._scale is None:
            raise RuntimeError(
                "GradScaler.unscale_: scale() was never called; call "
                "scaler.scale(loss).backward() first"
            )
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # PyTorch: the float64 reciprocal of the scale, rounded to float32
        inv_scale = tensor(1.0 / float(self._scale.item()), dtype=backend.float32).item()
        found_inf = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype == backend.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    g = p.grad
                    found_inf = found_inf or not bool(g.isfinite().all().item())
                    g *= inv_scale
        state["found_inf"], state["stage"] = found_inf, _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (unless done), then optimizer.step() unless a gradient was inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        retval = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Adjust the scale for the next iteration (or set it to new_scale)."""
        if not self._enabled:
            return
        if self._scale is None:
            raise RuntimeError(
                "Attempted update but _scale is None. This may indicate your script did not "
                "use scaler.scale(loss or outputs) earlier in the iteration."
            )
        if new_scale is not None:
            value = new_scale.item() if isinstance(new_scale, Tensor) else float(new_scale)
            self._scale = tensor(value, dtype=backend.float32)
        else:
            found = [
                s["found_inf"] for s in self._per_optimizer.values() if s["found_inf"] is not None
            ]
            if not found:
                raise RuntimeError("No inf checks were recorded prior to update.")
            self._update_scale(any(found))
        self._per_optimizer = {}

    def _update_scale(self, found_inf: bool) -> None:
        """torch._amp_update_scale_, in float32 as PyTorch keeps the scale."""
        scale = self._scale
        if found_inf:
            self._scale = tensor(scale.item() * self._backoff_factor, dtype=backend.float32)
            self._growth_tracker = 0
            return
        successful = self._growth_tracker + 1
        if successful == self._growth_interval:
            grown = tensor(scale.item() * self._growth_factor, dtype=backend.float32)
            if math.isfinite(grown.item()):  # never grow the scale into inf
                self._scale = grown
            self._growth_tracker = 0
        else:
            self._growth_tracker = successful

    # ----------------------------------------------------------------------------- accessors
    def get_scale(self) -> float:
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        """PyTorch's keys: scale, growth_factor, backoff_factor, growth_interval,
        _growth_tracker ({} when disabled)."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale = tensor(self._init_scale, dtype=backend.float32)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
