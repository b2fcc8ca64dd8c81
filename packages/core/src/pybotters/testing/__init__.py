"""Offline testing kit: fake exchanges on 127.0.0.1 reached through the real host names.

While a :class:`FakeExchange` runs, every new :class:`pybotters.Client` connects to it for the
exchange's hosts (``https://api.bitflyer.com``, ``wss://ws.lightstream.bitflyer.com`` ...) over
TLS from a throwaway CA, so a bot runs unchanged against scripted replies; any other host is
refused, so nothing reaches the network. Exchange plugins make the fakes check signatures and
answer WebSocket logins through the ``pybotters_fake_exchanges`` hook (:class:`FakeExchangeSpec`).

With pytest, the ``start_fake_exchange`` fixture starts fakes and closes them after the test::

    async def test_bot(start_fake_exchange):
        fake = await start_fake_exchange("bitflyer", apis=APIS)
        fake.route("GET", "/v1/ticker", {"ltp": 5_000_000})
        ...

Importing this package is cheap: aiohttp and trustme are imported when a fake starts.
"""

from __future__ import annotations

from ._fake import FakeExchange, FakeServerError, Route
from ._routing import RoutingError
from ._spec import (
    CloseConnection,
    FakeExchangeSpec,
    FakeRequest,
    FakeResponse,
    Match,
    SecretLookup,
)
from ._websocket import FakeWebSocket, FakeWebSocketSession, MessageRule

__all__ = [
    "CloseConnection",
    "FakeExchange",
    "FakeExchangeSpec",
    "FakeRequest",
    "FakeResponse",
    "FakeServerError",
    "FakeWebSocket",
    "FakeWebSocketSession",
    "Match",
    "MessageRule",
    "Route",
    "RoutingError",
    "SecretLookup",
]
