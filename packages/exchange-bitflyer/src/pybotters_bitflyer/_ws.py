"""WebSocket login for bitFlyer Lightning's JSON-RPC endpoint (``ws.lightstream.bitflyer.com``).

After the handshake the core awaits :func:`authenticate` before any user message is sent. It
calls the JSON-RPC ``auth`` method::

    {"method": "auth",
     "params": {"api_key": K, "timestamp": T, "nonce": N, "signature": S},
     "id": "auth"}

where ``T`` is Unix milliseconds (13 digits, see :func:`pybotters_bitflyer._signing.millis`),
``N`` a fresh random hex string of 32 characters and ``S = hex(HMAC-SHA256(secret, f"{T}{N}"))``,
then waits for the reply with the same ``id``: ``"result": true`` is success; an ``"error"``
reply raises :class:`pybotters.WebSocketAuthError` with bitFlyer's message.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from pybotters import WebSocketAuthError

from ._signing import millis

if TYPE_CHECKING:
    from pybotters.hookspecs import WebSocketAuth

__all__ = ["AUTH_ID", "auth_params", "authenticate"]

AUTH_ID = "auth"
"""The JSON-RPC id of the login request (the reply carries the same id)."""


def auth_params(key: str, secret: str, timestamp: int, nonce: str) -> dict[str, Any]:
    """The ``params`` of the JSON-RPC ``auth`` request."""
    text = f"{timestamp}{nonce}"
    return {
        "api_key": key,
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest(),
    }


def _new_nonce() -> str:
    # 16 random bytes -> 32 hex characters (bitFlyer accepts 16 to 255 characters).
    return secrets.token_hex(16)


async def authenticate(auth: WebSocketAuth) -> None:
    """Log in on a new connection; raise :class:`pybotters.WebSocketAuthError` if refused."""
    credential = auth.credential
    params = auth_params(credential.key, credential.secret, millis(auth.timestamp), _new_nonce())
    await auth.send_json({"method": "auth", "params": params, "id": AUTH_ID})
    while True:
        reply = await auth.receive_json()
        if not isinstance(reply, dict) or reply.get("id") != AUTH_ID:
            continue  # a push or another reply: the core hands it to the handlers later
        if "error" in reply:
            error = reply["error"]
            if isinstance(error, dict):
                message = error.get("message", "no message")
                code = error.get("code")
                reason = f"{message} (code {code})" if code is not None else str(message)
            else:
                reason = str(error)
            raise WebSocketAuthError(
                f"bitFlyer refused the WebSocket login: {reason}; check the 'bitflyer' API key "
                "and secret, and that the key has the permission to receive order events"
            )
        if reply.get("result") is True:
            return
        raise WebSocketAuthError(
            f"bitFlyer answered the WebSocket login with result={reply.get('result')!r} "
            "instead of true; check the 'bitflyer' API key and its permissions"
        )
