"""Benchmarks of pybotters: this project, pybotters 1.11.2 and a raw aiohttp + orjson limit.

Run everything with ``nox -s bench``; see ``benchmarks/README.md`` and ``docs/performance.md``.
The modules import nothing beyond the standard library and aiohttp at import time, so the same
files run unchanged in this project's virtualenv and in one that holds pybotters 1.11.2.
"""

from __future__ import annotations

__all__: list[str] = []
