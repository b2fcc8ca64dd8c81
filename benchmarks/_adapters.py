"""The few places where this project and pybotters 1.11.2 need different user code.

Everything else in the workloads is written once against the shared user-facing API
(``pybotters.Client``, ``client.fetch``, ``client.ws_connect(..., hdlr_json=...)``,
``DataStore._insert/_update/_delete/get/find/sorted/watch``, ``bitFlyerDataStore().onmessage``).
"""

from __future__ import annotations

import asyncio
import importlib
import socket
from types import ModuleType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["Api", "LocalResolver", "flavor_of"]


class LocalResolver(AbstractResolver):
    """Resolves every host name to 127.0.0.1, so ``http://api.bitflyer.com:PORT`` reaches the
    local benchmark server while the URL (and so the signing decision) names the real host."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def flavor_of(pb: ModuleType) -> str:
    """``"ours"`` for this project (it has ``pybotters.hookspecs``), else ``"pybotters"``."""
    try:
        importlib.import_module("pybotters.hookspecs")
    except ImportError:
        return "pybotters"
    return "ours"


class Api:
    """The imported ``pybotters`` (either one) and the adapters the workloads need."""

    def __init__(self) -> None:
        self.pb: Any = importlib.import_module("pybotters")
        self.flavor = flavor_of(self.pb)
        self.version: str = getattr(self.pb, "__version__", "?")

    # -- HTTP ----------------------------------------------------------------------------------

    def client(self, apis: dict[str, list[str]], connector: aiohttp.BaseConnector) -> Any:
        """A Client that signs for bitFlyer over the benchmarks' plain-http transport.

        pybotters 1.11.2 signs by host whatever the scheme. This project signs over plain http
        only when asked with ``insecure_signing=True`` (it warns and sends unsigned otherwise).
        """
        if self.flavor == "ours":
            return self.pb.Client(apis=apis, connector=connector, insecure_signing=True)
        return self.pb.Client(apis=apis, connector=connector)

    # -- stores --------------------------------------------------------------------------------

    def snapshot_ws(self) -> Any:
        """A stand-in for the live connection, for bitFlyer board snapshots.

        pybotters 1.11.2 applies ``lightning_board_snapshot_*`` only when ``ws`` is its
        ``ClientWebSocketResponse`` (it then unsubscribes the snapshot channel); the stand-in
        passes that check and swallows the unsubscribe. Must be used inside a running loop.
        """
        if self.flavor == "ours":
            return _NullWebSocket()
        ws_module = importlib.import_module("pybotters.ws")

        class _Stub(ws_module.ClientWebSocketResponse):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                pass

            @property
            def closed(self) -> bool:
                return False

            async def send_json(self, *args: Any, **kwargs: Any) -> None:
                return None

            async def send_str(self, *args: Any, **kwargs: Any) -> None:
                return None

        return _Stub()

    def load_snapshot(self, store: Any, msg: Any) -> Any:
        """Feed one snapshot message through ``store.onmessage`` with a connection stand-in,
        and return that stand-in: the diffs that follow must come "on the same connection"
        (this project applies bitFlyer diffs only from the connection of the snapshot)."""
        ws = self.snapshot_ws()

        async def feed() -> None:
            store.onmessage(msg, ws)
            await asyncio.sleep(0)
            await asyncio.sleep(0)

        asyncio.run(feed())
        return ws

    def okx_verify_checksum(self, store: Any, on: bool) -> None:
        """Turn the OKX book's CRC32 check on or off (this project's ``Books.verify_checksum``);
        pybotters 1.11.2 never verifies, so there is nothing to set."""
        if self.flavor == "ours":
            store.books.verify_checksum = on


class _NullWebSocket:
    """An open connection that drops whatever a store sends on it (e.g. an unsubscribe after a
    snapshot)."""

    closed = False

    async def send_json(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def send_str(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def send_bytes(self, *args: Any, **kwargs: Any) -> None:
        return None
