"""How :mod:`pybotters.testing` fakes bitFlyer Lightning, and helpers to script the fake.

The plugin contributes :func:`fake_exchange_spec` through the ``pybotters_fake_exchanges`` hook,
so ``FakeExchange("bitflyer", apis=apis)`` (or the ``start_fake_exchange`` pytest fixture)
behaves like the real exchange where a bot can tell the difference:

- private REST endpoints (``/v1/me/...``) check ``ACCESS-KEY`` / ``ACCESS-TIMESTAMP`` /
  ``ACCESS-SIGN`` with the secret of the presented key, and a request that fails gets HTTP 401
  with bitFlyer's error body ``{"status": -500, "error_message": ..., "data": null}``;
- the JSON-RPC 2.0 realtime endpoint answers ``auth`` (checking ``hex(HMAC-SHA256(secret,
  f"{timestamp}{nonce}"))``, the 10/13-digit timestamp and the 16-255 character nonce),
  ``subscribe`` and ``unsubscribe`` with ``{"jsonrpc": "2.0", "id": ..., "result": true}`` or an
  ``error`` object; requests without an ``id`` are notifications and get no reply; private
  channels are refused before a successful ``auth``; batch requests are answered item by item.

Tests push channel messages with :func:`publish` (only to connections subscribed to the
channel, as the exchange does) and read a connection's subscriptions with :func:`channels_of`.

Importing this module is cheap (no aiohttp); the testing kit calls the functions inside its
fake server.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pybotters.testing import FakeExchangeSpec, FakeResponse

if TYPE_CHECKING:
    from pybotters.testing import (
        FakeExchange,
        FakeRequest,
        FakeWebSocket,
        FakeWebSocketSession,
        SecretLookup,
    )

__all__ = [
    "DEFAULT_BALANCE",
    "DEFAULT_BOARD",
    "DEFAULT_TICKER",
    "FIXED_HEADERS",
    "PRIVATE_CHANNELS",
    "WS_PATH",
    "channel_message",
    "channels_of",
    "fake_exchange_spec",
    "http_rejection",
    "on_ws_message",
    "publish",
    "route_defaults",
    "verify_http",
]

NAME = "bitflyer"
WS_PATH = "/json-rpc"
PRIVATE_CHANNELS = frozenset({"child_order_events", "parent_order_events"})

FIXED_HEADERS: Mapping[str, str] = {
    "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
    "Server": "fake-bitflyer",
}
"""Response headers that are otherwise different on every run (so printed headers are stable)."""

_AUTHENTICATED = "bitflyer.authenticated"
_CHANNELS = "bitflyer.channels"


def fake_exchange_spec() -> FakeExchangeSpec:
    """The fake-server behaviour of bitFlyer (see the module docstring)."""
    return FakeExchangeSpec(
        name=NAME,
        verify_http=verify_http,
        http_rejection=http_rejection,
        on_ws_message=on_ws_message,
    )


# -- REST ---------------------------------------------------------------------------------------


def verify_http(request: FakeRequest, secret_lookup: SecretLookup) -> str | None:
    """Why bitFlyer would refuse ``request``, or ``None`` (public endpoints need nothing)."""
    if not request.path.startswith("/v1/me/"):
        return None
    headers = request.headers
    key = headers.get("ACCESS-KEY")
    timestamp = headers.get("ACCESS-TIMESTAMP")
    sign = headers.get("ACCESS-SIGN")
    if not key or not timestamp or not sign:
        return "Authentication required: set ACCESS-KEY, ACCESS-TIMESTAMP and ACCESS-SIGN"
    credential = secret_lookup(key)
    if credential is None:
        return "Invalid API key"
    message = (timestamp + request.method + request.raw_path).encode() + request.body
    expected = hmac.new(credential.secret.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sign):
        return "Invalid signature"
    if request.body and not headers.get("Content-Type", "").startswith("application/json"):
        return "Content-Type must be application/json"
    return None


def http_rejection(request: FakeRequest, reason: str) -> FakeResponse:
    """bitFlyer's error reply for a refused private request."""
    return FakeResponse(
        {"status": -500, "error_message": reason, "data": None},
        status=401,
        headers=FIXED_HEADERS,
    )


# Answers for the REST endpoints the user guide and bitFlyerDataStore.initialize() use.
DEFAULT_TICKER: dict[str, Any] = {
    "product_code": "BTC_JPY",
    "state": "RUNNING",
    "timestamp": "2024-01-01T00:00:00.000",
    "tick_id": 1000,
    "best_bid": 6200000.0,
    "best_ask": 6200100.0,
    "best_bid_size": 0.05,
    "best_ask_size": 0.2,
    "total_bid_depth": 1500.5,
    "total_ask_depth": 1200.25,
    "market_bid_size": 0.0,
    "market_ask_size": 0.0,
    "ltp": 6200050.0,
    "volume": 3000.5,
    "volume_by_product": 2500.25,
}
DEFAULT_BOARD: dict[str, Any] = {
    "mid_price": 6200050.0,
    "bids": [{"price": 6200000.0, "size": 0.05}, {"price": 6199000.0, "size": 1.0}],
    "asks": [{"price": 6200100.0, "size": 0.2}, {"price": 6201000.0, "size": 0.5}],
}
DEFAULT_BALANCE: list[dict[str, Any]] = [
    {"currency_code": "JPY", "amount": 1024078, "available": 508000},
    {"currency_code": "BTC", "amount": 10.24, "available": 4.12},
]


def _ticker(request: FakeRequest) -> FakeResponse:
    product = request.query.get("product_code", "BTC_JPY")
    return FakeResponse({**DEFAULT_TICKER, "product_code": product}, headers=FIXED_HEADERS)


def route_defaults(fake: FakeExchange) -> None:
    """Script the usual REST answers on ``fake``; routes added later take precedence."""
    fake.route("GET", "/v1/getticker", _ticker)
    fake.route("GET", "/v1/ticker", _ticker)
    fake.route("GET", "/v1/getboard", DEFAULT_BOARD, headers=FIXED_HEADERS)
    fake.route("GET", "/v1/board", DEFAULT_BOARD, headers=FIXED_HEADERS)
    fake.route("GET", "/v1/me/getbalance", DEFAULT_BALANCE, headers=FIXED_HEADERS)
    fake.route(
        "POST",
        "/v1/me/sendchildorder",
        {"child_order_acceptance_id": "JRF20240101-000000-000001"},
        headers=FIXED_HEADERS,
    )


# -- realtime (JSON-RPC 2.0) --------------------------------------------------------------------


def channel_message(channel: str, message: Any) -> dict[str, Any]:
    """The notification bitFlyer pushes on ``channel``."""
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


def channels_of(session: FakeWebSocketSession) -> set[str]:
    """The channels ``session`` is subscribed to (kept up to date by :func:`on_ws_message`)."""
    channels: set[str] = session.state.setdefault(_CHANNELS, set())
    return channels


async def publish(endpoint: FakeWebSocket, channel: str, message: Any) -> int:
    """Push ``message`` on ``channel`` to every open connection subscribed to it.

    Returns how many connections got it (0 when none is subscribed).
    """
    sent = 0
    frame = channel_message(channel, message)
    for session in endpoint.open_sessions:
        if channel in channels_of(session):
            await session.send(frame)
            sent += 1
    return sent


def _reply(request_id: Any, result: Any = True) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def on_ws_message(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    """Answer one JSON-RPC request (or a batch) like ``ws.lightstream.bitflyer.com``."""
    if isinstance(message, list):
        replies: list[Any] = []
        for item in message:
            replies.extend(_answer(item, session))
        return replies
    return _answer(message, session)


def _answer(request: Any, session: FakeWebSocketSession) -> list[Any]:
    if not isinstance(request, dict):
        return [_error(None, -32600, "Invalid Request")]
    method = request.get("method")
    request_id = request.get("id")
    params = request.get("params")
    if not isinstance(params, dict):
        params = {}
    reply: dict[str, Any] | None
    if method == "auth":
        reason = _check_auth(params, session)
        if reason is None:
            session.state[_AUTHENTICATED] = True
            reply = _reply(request_id)
        else:
            reply = _error(request_id, -32602, reason)
    elif method in ("subscribe", "unsubscribe") and isinstance(params.get("channel"), str):
        channel: str = params["channel"]
        if method == "unsubscribe":
            channels_of(session).discard(channel)
            reply = _reply(request_id)
        elif channel in PRIVATE_CHANNELS and not session.state.get(_AUTHENTICATED):
            reply = _error(request_id, -32600, "Authentication is required for " + channel)
        else:
            channels_of(session).add(channel)
            reply = _reply(request_id)
    elif method in ("subscribe", "unsubscribe"):
        reply = _error(request_id, -32602, "Invalid params: channel is required")
    else:
        reply = _error(request_id, -32601, f"Method not found: {method!r}")
    if request_id is None and "result" in reply:
        return []  # a notification gets no reply
    return [reply]


def _check_auth(params: Mapping[str, Any], session: FakeWebSocketSession) -> str | None:
    key = params.get("api_key")
    timestamp = params.get("timestamp")
    nonce = params.get("nonce")
    sign = params.get("signature")
    credential = session.secret_lookup(key) if isinstance(key, str) else None
    if credential is None:
        return "Invalid API key"
    if (
        not isinstance(timestamp, int)
        or isinstance(timestamp, bool)
        or len(str(timestamp)) not in (10, 13)
    ):
        return "Invalid timestamp: a Unix time of 10 or 13 digits is required"
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 255:
        return "Invalid nonce: a string of 16 to 255 characters is required"
    expected = hmac.new(
        credential.secret.encode(), f"{timestamp}{nonce}".encode(), hashlib.sha256
    ).hexdigest()
    if not isinstance(sign, str) or not hmac.compare_digest(expected, sign):
        return "Invalid signature"
    return None
