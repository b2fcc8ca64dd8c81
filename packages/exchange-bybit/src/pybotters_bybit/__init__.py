"""pybotters-bybit: the Bybit v5 plugin for pybotters.

Installing this package is all it takes: pybotters finds it through the ``pybotters``
entry-point group, signs requests to the Bybit hosts, logs in on private streams, keeps them
alive and provides :class:`pybotters.BybitDataStore`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .__about__ import __version__

if TYPE_CHECKING:
    from .store import BybitDataStore

__all__ = ["BybitDataStore", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "BybitDataStore":
        from .store import BybitDataStore

        return BybitDataStore
    raise AttributeError(f"module 'pybotters_bybit' has no attribute {name!r}")
