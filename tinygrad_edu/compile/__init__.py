"""tg.compile: capture a step's array operations once, replay them as straight-line code.

recorder.py (the tracer the core reports to), symbolic.py (hyperparameters as replay inputs),
text.py (literals, dtype names, the user's line in messages),
templates.py (NumPy source of each op), codegen.py (the replay function), export.py (a standalone
NumPy script), cuda_graph.py (CUDA-graph replay), api.py (`compile`, `CompiledFunction`).
"""

from .api import CompiledFunction, compile
from .recorder import CaptureError

__all__ = ["compile", "CompiledFunction", "CaptureError"]
