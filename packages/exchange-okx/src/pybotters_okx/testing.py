"""OKX behaviour for the fake exchanges of :mod:`pybotters.testing`.

A fake OKX started by the testing kit, for the hosts of this plugin, then:

- checks the ``OK-ACCESS-*`` signature of every REST request that carries a key (and refuses
  private endpoints without one) with OKX's own error replies: ``50113 Invalid Sign``,
  ``50105`` for a wrong passphrase, ``50101`` when a live key is used for demo trading
  (``x-simulated-trading: 1``) or the reverse;
- answers the WebSocket ``login`` (checking key, passphrase and signature; demo keys only on
  ``wspap.okx.com``), ``subscribe`` / ``unsubscribe`` (private channels only after a login) and
  the ``ping`` heartbeat (``pong``).

Per connection, ``session.state["okx"]`` records ``logins`` (the API keys that logged in),
``subscriptions`` (the current args) and ``pings`` (how many ``ping`` frames arrived).

Nothing here is imported by the plugin itself unless the testing kit asks for it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._signing import DEMO_API_NAME, LIVE_API_NAME, SIMULATED_HEADER, signature
from ._ws import LOGIN_PATH, PRIVATE_PATHS

if TYPE_CHECKING:
    from pybotters.testing import (
        FakeExchangeSpec,
        FakeRequest,
        FakeResponse,
        FakeWebSocketSession,
        SecretLookup,
    )

__all__ = [
    "PRIVATE_REST_PREFIXES",
    "fake_exchange_spec",
    "on_ws_message",
    "rest_rejection",
    "verify_rest",
]

PRIVATE_REST_PREFIXES = (
    "/api/v5/account/",
    "/api/v5/trade/",
    "/api/v5/asset/",
    "/api/v5/finance/",
    "/api/v5/users/",
    "/api/v5/copytrading/",
    "/api/v5/tradingBot/",
)
_ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
_DEMO_WS_HOSTS = frozenset({"wspap.okx.com"})


def _refuse(code: str, msg: str) -> str:
    return f"{code} {msg}"


def verify_rest(request: FakeRequest, lookup: SecretLookup) -> str | None:
    """Why OKX would refuse ``request`` (``"<code> <msg>"``), or ``None`` if it is fine."""
    headers = request.headers
    key = headers.get("OK-ACCESS-KEY")
    if not key:
        if request.path.startswith(PRIVATE_REST_PREFIXES):
            return _refuse("50103", "Request header OK-ACCESS-KEY cannot be empty.")
        return None
    sign = headers.get("OK-ACCESS-SIGN")
    timestamp = headers.get("OK-ACCESS-TIMESTAMP")
    passphrase = headers.get("OK-ACCESS-PASSPHRASE")
    if not sign:
        return _refuse("50106", "Request header OK-ACCESS-SIGN cannot be empty.")
    if not timestamp:
        return _refuse("50107", "Request header OK-ACCESS-TIMESTAMP cannot be empty.")
    if not passphrase:
        return _refuse("50104", "Request header OK-ACCESS-PASSPHRASE cannot be empty.")
    if not _ISO_MS.match(timestamp):
        return _refuse("50112", "Invalid OK-ACCESS-TIMESTAMP.")
    credential = lookup(key)
    if credential is None or credential.api_name not in (LIVE_API_NAME, DEMO_API_NAME):
        return _refuse("50111", "Invalid OK-ACCESS-KEY.")
    demo = headers.get(SIMULATED_HEADER, "").strip() == "1"
    if demo != (credential.api_name == DEMO_API_NAME):
        return _refuse("50101", "APIKey does not match current environment.")
    if passphrase != credential.passphrase:
        return _refuse("50105", "Invalid OK-ACCESS-PASSPHRASE.")
    prehash = timestamp + request.method + request.raw_path + request.body.decode()
    if sign != signature(credential.secret, prehash):
        return _refuse("50113", "Invalid Sign.")
    return None


def rest_rejection(request: FakeRequest, reason: str) -> FakeResponse:
    """OKX's error reply: HTTP 401 with ``{"code": ..., "msg": ..., "data": []}``."""
    from pybotters.testing import FakeResponse

    code, _, msg = reason.partition(" ")
    return FakeResponse({"code": code, "msg": msg, "data": []}, status=401)


def _state(session: FakeWebSocketSession) -> dict[str, Any]:
    state = session.state.get("okx")
    if state is None:
        state = {"logins": [], "subscriptions": [], "pings": 0}
        session.state["okx"] = state
    return state


def _conn_id(session: FakeWebSocketSession) -> str:
    return f"{id(session) & 0xFFFFFFFF:08x}"


def _check_login(args: Any, session: FakeWebSocketSession) -> tuple[str, str] | str:
    """The API key that logs in, or ``(code, msg)`` of OKX's refusal."""
    if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
        return ("60012", "Invalid request: login args must be one object")
    arg = args[0]
    key, passphrase = arg.get("apiKey"), arg.get("passphrase")
    timestamp, sign = arg.get("timestamp"), arg.get("sign")
    if not all(isinstance(v, str) and v for v in (key, passphrase, timestamp, sign)):
        return ("60012", "Invalid request: apiKey, passphrase, timestamp and sign are required")
    assert isinstance(key, str) and isinstance(timestamp, str) and isinstance(sign, str)
    if not timestamp.isdigit():
        return ("60004", "Invalid timestamp")
    credential = session.secret_lookup(key)
    if credential is None:
        return ("60005", "Invalid apiKey")
    demo_host = session.host in _DEMO_WS_HOSTS
    if demo_host != (credential.api_name == DEMO_API_NAME):
        return ("60005", "Invalid apiKey: the key does not match the environment")
    if passphrase != credential.passphrase:
        return ("60024", "Wrong passphrase")
    if sign != signature(credential.secret, timestamp + "GET" + LOGIN_PATH):
        return ("60007", "Invalid sign")
    return key


def on_ws_message(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    """OKX's protocol replies to ``ping``, ``login``, ``subscribe`` and ``unsubscribe``."""
    state = _state(session)
    if message == "ping":
        state["pings"] += 1
        return ["pong"]
    if not isinstance(message, dict):
        return None
    op = message.get("op")
    extra = {"id": message["id"]} if "id" in message else {}
    if op == "login":
        result = _check_login(message.get("args"), session)
        if isinstance(result, tuple):
            code, msg = result
            return [
                {**extra, "event": "error", "code": code, "msg": msg, "connId": _conn_id(session)}
            ]
        state["logins"].append(result)
        return [{**extra, "event": "login", "code": "0", "msg": "", "connId": _conn_id(session)}]
    if op in ("subscribe", "unsubscribe"):
        args = message.get("args")
        if not isinstance(args, list) or not args:
            return [{**extra, "event": "error", "code": "60012", "msg": "Invalid request"}]
        replies: list[Any] = []
        private = _private_path(session.path)
        for arg in args:
            if op == "subscribe" and private and not state["logins"]:
                replies.append(
                    {
                        **extra,
                        "event": "error",
                        "code": "60011",
                        "msg": "Please log in",
                        "connId": _conn_id(session),
                    }
                )
                continue
            if op == "subscribe":
                if arg not in state["subscriptions"]:
                    state["subscriptions"].append(arg)
            elif arg in state["subscriptions"]:
                state["subscriptions"].remove(arg)
            replies.append({**extra, "event": op, "arg": arg, "connId": _conn_id(session)})
        return replies
    return None


def _private_path(path: str) -> bool:
    return (path.rstrip("/") or "/") in PRIVATE_PATHS


def fake_exchange_spec() -> FakeExchangeSpec:
    """The :class:`pybotters.testing.FakeExchangeSpec` of OKX."""
    from pybotters.testing import FakeExchangeSpec

    return FakeExchangeSpec(
        name="okx",
        verify_http=verify_rest,
        http_rejection=rest_rejection,
        on_ws_message=on_ws_message,
    )
