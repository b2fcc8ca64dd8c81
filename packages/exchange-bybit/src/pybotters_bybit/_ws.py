"""Bybit v5 WebSocket behaviour: login, heartbeat and the order-entry message header.

- **Login** (private ``/v5/private`` and order-entry ``/v5/trade`` streams only):
  ``{"op": "auth", "args": [api_key, expires, signature]}`` where ``expires`` is a millisecond
  timestamp :data:`AUTH_EXPIRES_IN` seconds ahead and ``signature`` is the hex HMAC-SHA256 of
  ``"GET/realtime" + str(expires)``. The reply is awaited before any subscription is sent. The
  private stream answers ``{"success": true|false, "ret_msg": ..., "op": "auth"}``; the trade
  stream answers ``{"retCode": 0|code, "retMsg": ..., "op": "auth"}``. Both are understood.
- **Heartbeat**: ``{"op":"ping"}`` every 20 seconds on every Bybit stream, as Bybit recommends.
- **Order entry**: messages sent on ``/v5/trade`` (``op`` ``order.create``, ``order.amend``,
  ``order.cancel`` and their ``-batch`` forms) must carry a ``header`` with
  ``X-BAPI-TIMESTAMP``; :func:`prepare_message` adds it when the caller did not.
- **Send limit**: none. Bybit documents no per-connection message rate for its streams; the
  order-entry limits are per account and per operation, shared with the HTTP API, and an IP cap
  of 3,000 requests per second, none of which a per-connection pacer could enforce.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from pybotters import WebSocketAuthError
from pybotters.hookspecs import Heartbeat, WebSocketHooks

if TYPE_CHECKING:
    from yarl import URL

    from pybotters.hookspecs import Credential, WebSocketAuth

__all__ = [
    "AUTH_EXPIRES_IN",
    "HEARTBEAT",
    "WS_HOOKS",
    "auth_message",
    "authenticate",
    "needs_auth",
    "prepare_message",
]

AUTH_EXPIRES_IN = 5.0
"""Seconds between the login's timestamp and its ``expires`` (Bybit needs a future time)."""

HEARTBEAT = Heartbeat(20.0, '{"op":"ping"}')

_AUTH_PATHS = ("/v5/private", "/v5/trade")


def needs_auth(url: URL) -> bool:
    """Whether ``url`` needs a login: the private ``/v5/private`` and trade ``/v5/trade`` ones."""
    path = url.path.rstrip("/")
    return any(path == base or path.startswith(base + "/") for base in _AUTH_PATHS)


def auth_message(credential: Credential, timestamp: float) -> dict[str, Any]:
    """Build the ``op: auth`` message for ``credential`` at ``timestamp`` (seconds)."""
    expires = int((timestamp + AUTH_EXPIRES_IN) * 1000)
    signature = hmac.new(
        credential.secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
    ).hexdigest()
    return {"op": "auth", "args": [credential.key, expires, signature]}


def _refusal(reply: dict[str, Any]) -> str | None:
    """Return why an ``op: auth`` reply refuses the login, or None when it accepts it."""
    if "success" in reply:
        if reply["success"] is True:
            return None
        return str(reply.get("ret_msg") or reply.get("retMsg") or "no reason given")
    code = reply.get("retCode")
    if code == 0:
        return None
    message = reply.get("retMsg") or reply.get("ret_msg") or "no reason given"
    return f"{message} (retCode {code})"


async def authenticate(auth: WebSocketAuth) -> None:
    """Log in and wait for Bybit's ``op: auth`` reply; raise when the login is refused."""
    await auth.send_json(auth_message(auth.credential, auth.timestamp))
    while True:
        reply = await auth.receive_json()
        if isinstance(reply, dict) and reply.get("op") == "auth":
            break
    reason = _refusal(reply)
    if reason is not None:
        raise WebSocketAuthError(
            f"Bybit refused the WebSocket login on {auth.url.host}{auth.url.path} "
            f"(API name {auth.credential.api_name!r}): {reason}; check that the key and secret "
            "are right for this host (mainnet, testnet and demo keys differ), that the key is "
            "not expired or IP-restricted, and that the machine's clock is correct"
        )


_ORDER_ENTRY_PREFIX = "order."


def prepare_message(message: Any, credential: Credential | None, timestamp: float) -> Any:
    """Add the ``header`` Bybit requires on order-entry messages; leave others untouched.

    An order-entry message (``op`` starting with ``order.``, which only ``/v5/trade`` accepts)
    without ``header["X-BAPI-TIMESTAMP"]`` gets one with the current millisecond time. A header
    the caller wrote is kept (``X-BAPI-RECV-WINDOW``, ``Referer``). The caller's dict is never
    modified: a new dict is returned when something is added, the same object otherwise.
    """
    if not isinstance(message, dict):
        return message
    op = message.get("op")
    if not isinstance(op, str) or not op.startswith(_ORDER_ENTRY_PREFIX):
        return message
    header = message.get("header")
    if isinstance(header, dict) and "X-BAPI-TIMESTAMP" in header:
        return message
    new_header = dict(header) if isinstance(header, dict) else {}
    new_header["X-BAPI-TIMESTAMP"] = str(int(timestamp * 1000))
    return {**message, "header": new_header}


WS_HOOKS = WebSocketHooks(
    authenticate=authenticate,
    needs_auth=needs_auth,
    heartbeat=HEARTBEAT,
    prepare_message=prepare_message,
    send_limit=None,
)
