"""The fake Bybit's protocol answers (pybotters_bybit.testing), message by message."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from pybotters.hookspecs import Credential
from pybotters_bybit.testing import http_rejection, on_ws_message

from .conftest import KEY, SECRET


class StubSession:
    """The parts of a FakeWebSocketSession the Bybit behaviour reads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.state: dict[str, Any] = {}
        self.secret_lookup = {KEY: Credential("bybit", KEY, SECRET)}.get


def stub(path: str) -> Any:
    """A stub session, typed loosely: it stands in for a FakeWebSocketSession."""
    return StubSession(path)


def auth(expires: int = 1_700_000_005_000, secret: str = SECRET) -> dict[str, Any]:
    signature = hmac.new(
        secret.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
    ).hexdigest()
    return {"req_id": "a1", "op": "auth", "args": [KEY, expires, signature]}


def answer(message: Any, session: Any) -> Any:
    replies = on_ws_message(message, session)
    assert replies is not None and len(replies) == 1
    return replies[0]


def test_private_login_and_subscriptions() -> None:
    session = stub("/v5/private")
    refused = answer({"op": "subscribe", "args": ["order"]}, session)
    assert refused["success"] is False and refused["ret_msg"] == "Request not authorized"
    reply = answer(auth(), session)
    assert reply == {
        "success": True,
        "ret_msg": "",
        "op": "auth",
        "conn_id": reply["conn_id"],
        "req_id": "a1",
    }
    assert session.state["bybit_auth"] == "bybit"
    assert answer({"op": "subscribe", "args": ["order", "wallet"]}, session)["success"] is True
    assert answer({"op": "unsubscribe", "args": ["order"]}, session)["success"] is True
    assert session.state["bybit_topics"] == {"wallet"}
    pong = answer({"req_id": "p", "op": "ping"}, session)
    assert pong["op"] == "pong" and pong["req_id"] == "p" and pong["args"][0].isdigit()


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (auth(secret="other"), "Invalid signature"),
        ({"op": "auth", "args": ["unknown", 1, "x"]}, "API key is invalid."),
        ({"op": "auth", "args": [KEY, "1", "x"]}, "expires must be an integer"),
        ({"op": "auth", "args": [KEY]}, "args must be [api_key, expires, signature]"),
    ],
)
def test_refused_logins(message: dict[str, Any], reason: str) -> None:
    session = stub("/v5/private")
    reply = answer(message, session)
    assert reply["success"] is False
    assert reason in reply["ret_msg"]
    assert "bybit_auth" not in session.state


def test_trade_stream_answers_in_its_own_format() -> None:
    session = stub("/v5/trade")
    order = {"reqId": "o1", "op": "order.create", "args": [{"symbol": "BTCUSDT"}]}
    early = answer(order, session)
    assert early["retCode"] == 10003 and early["reqId"] == "o1"
    bad = answer({"op": "auth", "args": [KEY, 1, "x"]}, session)
    assert bad["retCode"] == 10004 and bad["retMsg"] == "Invalid signature"
    assert answer(auth(), session)["retCode"] == 0
    missing = answer(order, session)
    assert missing["retCode"] == 10001 and "X-BAPI-TIMESTAMP" in missing["retMsg"]
    with_header = {**order, "header": {"X-BAPI-TIMESTAMP": "1711001595207"}}
    assert on_ws_message(with_header, session) is None  # the business reply is the test's
    pong = answer({"op": "ping"}, session)
    assert pong["retCode"] == 0 and pong["op"] == "pong" and pong["data"][0].isdigit()


def test_public_stream_needs_no_login() -> None:
    session = stub("/v5/public/spot")
    reply = answer({"req_id": "s", "op": "subscribe", "args": ["tickers.BTCUSDT"]}, session)
    assert reply["success"] is True and reply["req_id"] == "s"
    assert answer({"op": "ping"}, session)["ret_msg"] == "pong"
    assert answer({"op": "subscribe", "args": "tickers.BTCUSDT"}, session)["success"] is False
    assert on_ws_message({"op": "order.create"}, session) is None
    assert on_ws_message("ping", session) is None


def test_http_rejection_is_bybit_envelope() -> None:
    response = http_rejection(None, "10004 error sign! origin_string[...]")  # type: ignore[arg-type]
    assert response.status == 200
    assert response.body["retCode"] == 10004
    assert response.body["retMsg"] == "error sign! origin_string[...]"
    assert response.body["result"] == {}
