"""JSON-RPC login on ws.lightstream.bitflyer.com: known answer, order, refusal, reconnect."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import pybotters
from pybotters.hookspecs import Credential, WebSocketAuth
from pybotters.testing import FakeExchange, FakeWebSocket
from pybotters_bitflyer import _ws
from pybotters_bitflyer.testing import channels_of

from .conftest import APIS, KEY, SECRET, eventually, subscribed

URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
SUBSCRIBE = {"method": "subscribe", "params": {"channel": "child_order_events"}, "id": 1}


def test_known_answer_auth_params() -> None:
    # Key, secret, time and nonce of pybotters' own bitFlyer WebSocket test.
    params = _ws.auth_params(
        "Pcm1rbtSRqKxTvirZDDOct1k",
        "AKHZlv3PoAXZ0KXIKIVKOmS4ji3rV7ZIVIJRstwyplaw0FQ4",
        2085848896000,
        "d73b41172d6deca2285e8e58533db082",
    )
    assert params == {
        "api_key": "Pcm1rbtSRqKxTvirZDDOct1k",
        "timestamp": 2085848896000,
        "nonce": "d73b41172d6deca2285e8e58533db082",
        # Computed once by hand: hex HMAC-SHA256 of "2085848896000d73b41172d6deca2285e8e58533db082"
        "signature": "f47526dec80c4773815fb1121058c2e3bcc531d1224b683e8babf76e52b0ba9c",
    }


def test_nonce_is_random_and_long_enough() -> None:
    nonces = {_ws._new_nonce() for _ in range(50)}
    assert len(nonces) == 50
    assert all(len(n) == 32 and int(n, 16) >= 0 for n in nonces)


class ScriptedAuth(WebSocketAuth):
    """A WebSocketAuth whose connection is a script: what was sent, what comes back."""

    def __init__(self, replies: list[Any], secret: str = SECRET) -> None:
        super().__init__(None, None, Credential("bitflyer", KEY, secret), 1_700_000_000.0)  # type: ignore[arg-type]
        self.replies = list(replies)
        self.sent: list[Any] = []

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)

    async def receive_json(self) -> Any:
        if not self.replies:
            raise ConnectionError("the WebSocket closed during authentication")
        return self.replies.pop(0)


async def test_authenticator_waits_for_its_own_reply() -> None:
    auth = ScriptedAuth(
        [
            {"jsonrpc": "2.0", "method": "channelMessage", "params": {"channel": "x"}},
            {"jsonrpc": "2.0", "id": 7, "result": True},
            {"jsonrpc": "2.0", "id": "auth", "result": True},
        ]
    )
    await _ws.authenticate(auth)
    assert auth.replies == []  # read up to its own reply, not beyond
    [sent] = auth.sent
    assert sent["method"] == "auth" and sent["id"] == "auth"
    params = sent["params"]
    assert params["api_key"] == KEY
    assert params["timestamp"] == 1_700_000_000_000
    assert (
        params["signature"]
        == hmac.new(
            SECRET.encode(), f"{params['timestamp']}{params['nonce']}".encode(), hashlib.sha256
        ).hexdigest()
    )


async def test_authenticator_raises_with_the_exchanges_message() -> None:
    auth = ScriptedAuth(
        [
            {
                "jsonrpc": "2.0",
                "id": "auth",
                "error": {"code": -32602, "message": "Invalid signature"},
            }
        ]
    )
    with pytest.raises(pybotters.WebSocketAuthError, match=r"Invalid signature \(code -32602\)"):
        await _ws.authenticate(auth)


async def test_authenticator_refuses_a_result_that_is_not_true() -> None:
    auth = ScriptedAuth([{"jsonrpc": "2.0", "id": "auth", "result": False}])
    with pytest.raises(pybotters.WebSocketAuthError, match="result=False"):
        await _ws.authenticate(auth)


async def test_authenticator_propagates_a_closed_connection() -> None:
    with pytest.raises(ConnectionError):
        await _ws.authenticate(ScriptedAuth([]))


# -- through ws_connect against the fake exchange ----------------------------------------------


@pytest.mark.usefixtures("no_implicit_apis")
async def test_login_comes_before_the_subscriptions(realtime: FakeWebSocket) -> None:
    received: list[Any] = []
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect(
            URL, send_json=SUBSCRIBE, hdlr_json=lambda m, ws: received.append(m)
        )
        await subscribed(realtime, "child_order_events")
        await eventually(lambda: len(received) >= 2)
    session = realtime.sessions[0]
    auth, subscribe = session.received
    assert auth["method"] == "auth"
    assert subscribe == SUBSCRIBE
    params = auth["params"]
    assert len(str(params["timestamp"])) == 13
    assert (
        params["signature"]
        == hmac.new(
            SECRET.encode(), f"{params['timestamp']}{params['nonce']}".encode(), hashlib.sha256
        ).hexdigest()
    )
    # The login reply read by the authenticator still reaches the handlers, first.
    assert received == [
        {"jsonrpc": "2.0", "id": "auth", "result": True},
        {"jsonrpc": "2.0", "id": 1, "result": True},
    ]


@pytest.mark.usefixtures("no_implicit_apis")
async def test_refused_login_is_logged_without_the_secret(
    start_fake: Callable[..., Awaitable[FakeExchange]], caplog: pytest.LogCaptureFixture
) -> None:
    fake = await start_fake()  # knows SECRET; the client signs with another one
    realtime = fake.websocket("/json-rpc")
    received: list[Any] = []
    wrong = "a-wrong-secret-value"
    with caplog.at_level(logging.DEBUG, logger="pybotters"):
        async with pybotters.Client(apis={"bitflyer": [KEY, wrong]}) as client:
            await client.ws_connect(
                URL, send_json=SUBSCRIBE, hdlr_json=lambda m, ws: received.append(m)
            )
            await eventually(lambda: len(received) >= 2)
    assert received[0] == {
        "jsonrpc": "2.0",
        "id": "auth",
        "error": {"code": -32602, "message": "Invalid signature"},
    }
    # The stream goes on unauthenticated: the private subscription is refused by the exchange.
    assert received[1]["error"]["message"] == "Authentication is required for child_order_events"
    assert "child_order_events" not in channels_of(realtime.sessions[0])
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("bitFlyer refused the WebSocket login: Invalid signature" in m for m in errors)
    assert all(wrong not in r.getMessage() and SECRET not in r.getMessage() for r in caplog.records)


@pytest.mark.usefixtures("no_implicit_apis", "fast_reconnect")
async def test_every_reconnection_logs_in_again(realtime: FakeWebSocket) -> None:
    async with pybotters.Client(apis=APIS) as client:
        app = await client.ws_connect(URL, send_json=SUBSCRIBE)
        first = await realtime.wait_session()
        await subscribed(realtime, "child_order_events")
        await realtime.drop(1012)  # closed by the server, as for a maintenance
        second = await realtime.wait_session()
        await subscribed(realtime, "child_order_events")
        await app.close()
    assert [m["method"] for m in second.received] == ["auth", "subscribe"]
    assert first.received[0]["params"]["nonce"] != second.received[0]["params"]["nonce"]


@pytest.mark.usefixtures("no_implicit_apis")
async def test_no_credentials_no_login(realtime: FakeWebSocket) -> None:
    public = {"method": "subscribe", "params": {"channel": "lightning_ticker_BTC_JPY"}, "id": 1}
    async with pybotters.Client() as client:
        await client.ws_connect(URL, send_json=public)
        await subscribed(realtime, "lightning_ticker_BTC_JPY")
    assert realtime.sessions[0].received == [public]
