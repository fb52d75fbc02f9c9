"""`python -m tinygrad_edu ...` and the `tinygrad-edu` console script (see tinygrad_edu.cli)."""

from __future__ import annotations

import sys

from .cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
