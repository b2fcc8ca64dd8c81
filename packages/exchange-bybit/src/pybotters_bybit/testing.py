"""How a :mod:`pybotters.testing` fake exchange imitates Bybit v5.

Contributed through the ``pybotters_fake_exchanges`` hook, so ``FakeExchange("bybit",
apis=...)`` (or the ``start_fake_exchange`` pytest fixture) behaves like Bybit for the parts
that are protocol rather than business:

- **HTTP**: every request carrying ``X-BAPI-API-KEY`` has its ``X-BAPI-SIGN`` recomputed from
  the secret of that key (``timestamp + key + recv_window + query-or-body``); a missing or
  wrong signature, an unknown key or a non-numeric timestamp is refused with Bybit's envelope
  (``retCode`` 10003 or 10004). Requests without a key pass, except to private endpoints
  (``/v5/order``, ``/v5/position``, ``/v5/account``, ``/v5/asset``, ``/v5/user``,
  ``/v5/execution``), which are refused with ``retCode`` 10003. The timestamp is not compared
  with the wall clock, so tests may freeze time.
- **WebSocket**: ``op: auth`` is verified (``HMAC(secret, "GET/realtime" + expires)``) and
  answered in the private-stream format (``success``/``ret_msg``) or, on ``/v5/trade``, the
  order-entry format (``retCode``/``retMsg``); ``subscribe``/``unsubscribe`` are acknowledged
  (refused on private streams before a login); ``ping`` gets the pong of the stream type;
  order-entry messages without a login or without ``header["X-BAPI-TIMESTAMP"]`` get the
  ``retCode`` 10001/10003 error. Business replies (order acknowledgements, data pushes) are left
  to the test's own script.

Login state and the subscribed topics are kept in ``session.state["bybit_auth"]`` (the API
name) and ``session.state["bybit_topics"]`` (a set).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from typing import TYPE_CHECKING, Any

from pybotters.testing import FakeExchangeSpec, FakeRequest, FakeResponse

if TYPE_CHECKING:
    from pybotters.testing import FakeWebSocketSession, SecretLookup

__all__ = ["PRIVATE_HTTP_PREFIXES", "fake_exchange_spec"]

PRIVATE_HTTP_PREFIXES = (
    "/v5/order/",
    "/v5/position/",
    "/v5/account/",
    "/v5/asset/",
    "/v5/user/",
    "/v5/execution/",
)

_INVALID_KEY = 10003
_INVALID_SIGN = 10004
_PARAMS_ERROR = 10001
_conn_ids = itertools.count(1)


def _hmac_hex(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify_http(request: FakeRequest, secret_lookup: SecretLookup) -> str | None:
    """Check the ``X-BAPI-*`` authentication of ``request``; return why it is refused."""
    headers = request.headers
    key = headers.get("X-BAPI-API-KEY")
    if key is None:
        if request.path.startswith(PRIVATE_HTTP_PREFIXES):
            return f"{_INVALID_KEY} API key is missing: this endpoint needs a signed request"
        return None
    credential = secret_lookup(key)
    if credential is None:
        return f"{_INVALID_KEY} API key is invalid."
    timestamp = headers.get("X-BAPI-TIMESTAMP", "")
    if not timestamp.isdigit():
        return f"{_PARAMS_ERROR} X-BAPI-TIMESTAMP must be a millisecond timestamp"
    signature = headers.get("X-BAPI-SIGN")
    if not signature:
        return f"{_INVALID_SIGN} X-BAPI-SIGN is missing"
    recv_window = headers.get("X-BAPI-RECV-WINDOW", "")
    if request.method == "GET":
        _, _, query = request.raw_path.partition("?")
        payload = query.encode()
    else:
        payload = request.body
    expected = _hmac_hex(credential.secret, f"{timestamp}{key}{recv_window}".encode() + payload)
    if not hmac.compare_digest(expected, signature):
        return (
            f"{_INVALID_SIGN} error sign! origin_string[{timestamp}{key[:4]}…{recv_window}"
            f"{payload[:64].decode(errors='replace')}]"
        )
    return None


def http_rejection(request: FakeRequest, reason: str) -> FakeResponse:
    """Bybit's error envelope for a refused request (HTTP 200 with a non-zero ``retCode``)."""
    code, _, message = reason.partition(" ")
    return FakeResponse(
        {
            "retCode": int(code),
            "retMsg": message,
            "result": {},
            "retExtInfo": {},
            "time": int(time.time() * 1000),
        }
    )


def _kind(session: FakeWebSocketSession) -> str:
    path = session.path.rstrip("/")
    if path == "/v5/trade" or path.startswith("/v5/trade/"):
        return "trade"
    if path == "/v5/private" or path.startswith("/v5/private/"):
        return "private"
    return "public"


def _conn_id(session: FakeWebSocketSession) -> str:
    conn_id = session.state.get("bybit_conn_id")
    if conn_id is None:
        conn_id = session.state["bybit_conn_id"] = f"fake-{next(_conn_ids)}"
    return str(conn_id)


def _auth_reply(message: dict[str, Any], session: FakeWebSocketSession) -> dict[str, Any]:
    kind = _kind(session)
    refusal: str | None = None
    args = message.get("args")
    if not isinstance(args, list) or len(args) != 3:
        refusal = "Params Error: args must be [api_key, expires, signature]"
    else:
        key, expires, signature = args
        credential = session.secret_lookup(key) if isinstance(key, str) else None
        if credential is None:
            refusal = "API key is invalid."
        elif not isinstance(expires, int) or isinstance(expires, bool):
            refusal = "Params Error: expires must be an integer millisecond timestamp"
        elif not isinstance(signature, str) or not hmac.compare_digest(
            _hmac_hex(credential.secret, f"GET/realtime{expires}".encode()), signature
        ):
            refusal = "Invalid signature"
        else:
            session.state["bybit_auth"] = credential.api_name
    reply: dict[str, Any]
    if kind == "trade":
        reply = {
            "retCode": 0 if refusal is None else _INVALID_SIGN,
            "retMsg": "OK" if refusal is None else refusal,
            "op": "auth",
            "connId": _conn_id(session),
        }
    else:
        reply = {
            "success": refusal is None,
            "ret_msg": "" if refusal is None else refusal,
            "op": "auth",
            "conn_id": _conn_id(session),
        }
    if "req_id" in message:
        reply["req_id"] = message["req_id"]
    if "reqId" in message:
        reply["reqId"] = message["reqId"]
    return reply


def _subscription_reply(message: dict[str, Any], session: FakeWebSocketSession) -> dict[str, Any]:
    op = message["op"]
    kind = _kind(session)
    args = message.get("args")
    reply: dict[str, Any] = {"success": True, "ret_msg": "", "conn_id": _conn_id(session)}
    if kind == "private" and "bybit_auth" not in session.state:
        reply.update(success=False, ret_msg="Request not authorized")
    elif not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        reply.update(success=False, ret_msg="Params Error: args must be a list of topics")
    else:
        topics: set[str] = session.state.setdefault("bybit_topics", set())
        if op == "subscribe":
            topics.update(args)
        else:
            topics.difference_update(args)
    reply["req_id"] = message.get("req_id", "")
    reply["op"] = op
    return reply


def _pong(message: dict[str, Any], session: FakeWebSocketSession) -> dict[str, Any]:
    now = str(int(time.time() * 1000))
    kind = _kind(session)
    if kind == "trade":
        return {
            "retCode": 0,
            "retMsg": "OK",
            "op": "pong",
            "data": [now],
            "connId": _conn_id(session),
        }
    if kind == "private":
        return {
            "req_id": message.get("req_id", ""),
            "op": "pong",
            "args": [now],
            "conn_id": _conn_id(session),
        }
    return {
        "success": True,
        "ret_msg": "pong",
        "conn_id": _conn_id(session),
        "req_id": message.get("req_id", ""),
        "op": "ping",
    }


def _order_entry_error(
    message: dict[str, Any], session: FakeWebSocketSession
) -> dict[str, Any] | None:
    if "bybit_auth" not in session.state:
        code, text = _INVALID_KEY, "Request not authorized: send op auth first"
    else:
        header = message.get("header")
        if isinstance(header, dict) and str(header.get("X-BAPI-TIMESTAMP", "")).isdigit():
            return None
        code, text = _PARAMS_ERROR, "header X-BAPI-TIMESTAMP is missing or not a timestamp"
    reply: dict[str, Any] = {
        "retCode": code,
        "retMsg": text,
        "op": message["op"],
        "connId": _conn_id(session),
    }
    if "reqId" in message:
        reply["reqId"] = message["reqId"]
    return reply


def on_ws_message(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    """Answer the protocol messages of a Bybit stream (login, subscriptions, ping)."""
    if not isinstance(message, dict):
        return None
    op = message.get("op")
    if op == "auth":
        return [_auth_reply(message, session)]
    if op in ("subscribe", "unsubscribe"):
        return [_subscription_reply(message, session)]
    if op == "ping":
        return [_pong(message, session)]
    if isinstance(op, str) and op.startswith("order.") and _kind(session) == "trade":
        error = _order_entry_error(message, session)
        return [error] if error is not None else None
    return None


def fake_exchange_spec() -> FakeExchangeSpec:
    """The Bybit behaviour for ``FakeExchange("bybit")``."""
    return FakeExchangeSpec(
        name="bybit",
        verify_http=verify_http,
        http_rejection=http_rejection,
        on_ws_message=on_ws_message,
    )
