"""bitFlyer Lightning for pybotters: request signing, WebSocket login and ``bitFlyerDataStore``.

Installing this distribution is enough: pybotters finds it through the ``pybotters`` entry
point. ``pybotters.bitFlyerDataStore`` is this package's :class:`~pybotters_bitflyer.store.
bitFlyerDataStore`.
"""

from __future__ import annotations

from .__about__ import __version__

__all__ = ["__version__"]
