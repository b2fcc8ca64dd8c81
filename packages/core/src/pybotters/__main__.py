"""The ``pybotters`` command line (also ``python -m pybotters``)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
