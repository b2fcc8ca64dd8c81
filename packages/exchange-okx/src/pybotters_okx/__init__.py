"""pybotters-okx: the OKX v5 plugin for pybotters.

Installing the distribution is all it takes: pybotters finds it through the ``pybotters``
entry point, signs requests to ``www.okx.com`` / ``aws.okx.com`` with the ``okx`` (or, with
``x-simulated-trading: 1``, ``okx_demo``) credential, logs in on private WebSocket endpoints and
exposes :class:`~pybotters_okx.store.OKXDataStore` as ``pybotters.OKXDataStore``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .__about__ import __version__

if TYPE_CHECKING:
    from .store import OKXDataStore

__all__ = ["OKXDataStore", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "OKXDataStore":
        from .store import OKXDataStore

        return OKXDataStore
    raise AttributeError(f"module 'pybotters_okx' has no attribute {name!r}")
