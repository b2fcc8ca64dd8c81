"""pybotters: an asyncio HTTP/WebSocket client for crypto-exchange trading bots.

``import pybotters`` is cheap: the HTTP stack (aiohttp) is imported when ``Client`` is first
used, and exchange plugins are discovered when their DataStoreCollections (e.g.
``pybotters.bitFlyerDataStore``) or a Client are first needed.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from .__about__ import __version__
from ._exceptions import (
    CredentialsError,
    DataStoreInitializeError,
    InsecureSigningWarning,
    PluginCompatibilityError,
    PluginConflictError,
    PluginError,
    PluginLoadError,
    PluginWarning,
    PybottersError,
    WebSocketAuthError,
)

if TYPE_CHECKING:
    from ._client import Client, FetchResult, NotJSONContent
    from .store import DataStore, DataStoreCollection, StoreChange, StoreStream
    from .ws import WebSocketApp, WebSocketQueue

__all__ = [
    "Client",
    "CredentialsError",
    "DataStore",
    "DataStoreCollection",
    "DataStoreInitializeError",
    "FetchResult",
    "InsecureSigningWarning",
    "NotJSONContent",
    "PluginCompatibilityError",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginWarning",
    "PybottersError",
    "StoreChange",
    "StoreStream",
    "WebSocketApp",
    "WebSocketAuthError",
    "WebSocketQueue",
    "__version__",
]

_LAZY = {
    "Client": "._client",
    "FetchResult": "._client",
    "NotJSONContent": "._client",
    "WebSocketApp": ".ws",
    "WebSocketQueue": ".ws",
    "DataStore": ".store",
    "DataStoreCollection": ".store",
    "StoreChange": ".store",
    "StoreStream": ".store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value
    if name.startswith("_"):
        raise AttributeError(f"module 'pybotters' has no attribute {name!r}")
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    from ._plugins import host

    store = host.registry.resolve_store(name)
    if store is not None:
        return store
    provider = host.store_provider(name)
    if provider is not None:
        raise AttributeError(
            f"module 'pybotters' has no attribute {name!r}: it is provided by the "
            f"{provider} plugin, which is not installed or not loaded; install it with "
            f"pip install {provider} (see `python -m pybotters plugins`)"
        )
    raise AttributeError(f"module 'pybotters' has no attribute {name!r}")


def __dir__() -> list[str]:
    from ._plugins import host

    return sorted({*globals(), *__all__, *host.registry.stores})
