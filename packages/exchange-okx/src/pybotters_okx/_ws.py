"""OKX v5 WebSocket behaviour: login on private endpoints and the ``ping`` heartbeat.

- Login is needed on ``/ws/v5/private`` and ``/ws/v5/business`` only; ``/ws/v5/public`` is
  never logged in (a public stream works the same with or without credentials).
- ``{"op":"login","args":[{"apiKey","passphrase","timestamp","sign"}]}`` where ``timestamp`` is
  Unix seconds as a string and ``sign = base64(HMAC-SHA256(secret, timestamp + "GET" +
  "/users/self/verify"))``. The reply is ``{"event":"login","code":"0",...}`` or
  ``{"event":"error","code":"60009","msg":"Login failed."}``.
- OKX closes a connection that has been silent for 30 s; the text frame ``ping`` (answered by
  ``pong``) is sent every :data:`HEARTBEAT_INTERVAL` seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pybotters import CredentialsError, WebSocketAuthError
from pybotters.hookspecs import Heartbeat

from ._signing import signature

if TYPE_CHECKING:
    from yarl import URL

    from pybotters.hookspecs import WebSocketAuth

__all__ = [
    "HEARTBEAT",
    "HEARTBEAT_INTERVAL",
    "PRIVATE_PATHS",
    "authenticate",
    "login_message",
    "needs_auth",
]

HEARTBEAT_INTERVAL = 15.0
"""Seconds between two ``ping`` frames: half of OKX's 30 s idle cut-off (pybotters 1.11 used the
same value), so one lost ping still leaves time for the next before the server gives up."""

HEARTBEAT = Heartbeat(interval=HEARTBEAT_INTERVAL, message="ping")

PRIVATE_PATHS = frozenset({"/ws/v5/private", "/ws/v5/business"})
"""Endpoints that need (and accept) a login."""

LOGIN_PATH = "/users/self/verify"


def needs_auth(url: URL) -> bool:
    """True for the private and business endpoints; public streams are never logged in."""
    path = url.path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    return path in PRIVATE_PATHS


def login_message(key: str, secret: str, passphrase: str, timestamp: float) -> dict[str, Any]:
    """The ``login`` operation for the given credential and time (seconds since the epoch)."""
    ts = str(int(timestamp))
    return {
        "op": "login",
        "args": [
            {
                "apiKey": key,
                "passphrase": passphrase,
                "timestamp": ts,
                "sign": signature(secret, ts + "GET" + LOGIN_PATH),
            }
        ],
    }


async def authenticate(auth: WebSocketAuth) -> None:
    """Log in and wait for OKX's verdict; raise :class:`pybotters.WebSocketAuthError` if refused.

    Messages other than the login reply (there should be none before the first subscription)
    are kept by the core and handed to the user's handlers afterwards.
    """
    credential = auth.credential
    if not credential.passphrase:
        raise CredentialsError(
            f"the credential for {credential.api_name!r} has no passphrase; the OKX WebSocket "
            "login needs [KEY, SECRET, PASSPHRASE]"
        )
    await auth.send_json(
        login_message(credential.key, credential.secret, credential.passphrase, auth.timestamp)
    )
    while True:
        reply = await auth.receive_json()
        if not isinstance(reply, dict):
            continue
        event = reply.get("event")
        if event == "login":
            code = str(reply.get("code", "0"))
            if code == "0":
                return
            raise WebSocketAuthError(_refusal(auth, reply))
        if event == "error":
            raise WebSocketAuthError(_refusal(auth, reply))


def _refusal(auth: WebSocketAuth, reply: dict[str, Any]) -> str:
    code = reply.get("code", "?")
    msg = reply.get("msg", "")
    return (
        f"OKX refused the WebSocket login for {auth.credential.api_name!r} on "
        f"{auth.url.host}{auth.url.path}: code {code} {msg!r}; check the key, secret and "
        "passphrase, that live keys are used on ws.okx.com and demo keys on wspap.okx.com, and "
        "the machine clock (the login expires 30 s after its timestamp)"
    )
