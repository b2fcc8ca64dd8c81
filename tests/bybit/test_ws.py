"""Bybit streams: login on private and trade streams only, heartbeat, trade header, reconnect."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import pytest
from yarl import URL

import pybotters
from pybotters._plugins import host
from pybotters.hookspecs import Credential, Heartbeat, WebSocketAuth
from pybotters.testing import FakeExchange, FakeWebSocketSession
from pybotters_bybit import _ws, plugin

from . import messages as m
from .conftest import (
    APIS,
    DEMO_KEY,
    KEY,
    SECRET,
    TESTNET_KEY,
    VECTOR_TIME,
    StartFake,
    eventually,
    topics_of,
)

PRIVATE = "wss://stream.bybit.com/v5/private"
PUBLIC = "wss://stream.bybit.com/v5/public/linear"
TRADE = "wss://stream.bybit.com/v5/trade"


# -- the pieces on their own -------------------------------------------------------------------


def test_known_answer_auth_message() -> None:
    # Key, secret and time of pybotters' own Bybit WebSocket test; expires is now + 5 s.
    message = _ws.auth_message(Credential("bybit", KEY, SECRET), VECTOR_TIME)
    assert message == {
        "op": "auth",
        "args": [
            KEY,
            2085848901000,
            "a8bcd91ad5f8efdaefaf4ca6f38e551d739d6b42c2b54c85667fb181ecbc29a4",
        ],
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("wss://stream.bybit.com/v5/private", True),
        ("wss://stream.bybit.com/v5/private?max_active_time=1m", True),
        ("wss://stream.bybit.com/v5/private/", True),
        ("wss://stream.bybit.com/v5/trade", True),
        ("wss://stream-demo.bybit.com/v5/private", True),
        ("wss://stream.bybit.com/v5/public/linear", False),
        ("wss://stream.bybit.com/v5/public/spot", False),
        ("wss://stream.bybit.com/v5/public/misc/status", False),
        ("wss://stream.bybit.com/v5/privateer", False),
        ("wss://stream.bybit.com/v5/trade-sbe", False),
    ],
)
def test_needs_auth(url: str, expected: bool) -> None:
    assert _ws.needs_auth(URL(url)) is expected


def test_heartbeat_is_ping_every_20_seconds() -> None:
    assert _ws.WS_HOOKS.heartbeat == Heartbeat(20.0, '{"op":"ping"}')
    assert _ws.WS_HOOKS.send_limit is None
    assert plugin.EXCHANGE.ws is _ws.WS_HOOKS


class ScriptedAuth(WebSocketAuth):
    """A WebSocketAuth whose connection is a script: what was sent, what comes back."""

    def __init__(self, replies: list[Any], url: str = PRIVATE) -> None:
        super().__init__(None, URL(url), Credential("bybit", KEY, SECRET), 1_700_000_000.0)  # type: ignore[arg-type]
        self.replies = list(replies)
        self.sent: list[Any] = []

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)

    async def receive_json(self) -> Any:
        if not self.replies:
            raise ConnectionError("the WebSocket closed during authentication")
        return self.replies.pop(0)


async def test_authenticator_waits_for_the_auth_reply() -> None:
    auth = ScriptedAuth(
        [
            {"op": "pong", "args": ["1"]},
            "not json object",
            {"success": True, "ret_msg": "", "op": "auth", "conn_id": "c"},
            {"topic": "order", "data": []},
        ]
    )
    await _ws.authenticate(auth)
    assert auth.replies == [{"topic": "order", "data": []}]
    [sent] = auth.sent
    expires = 1_700_000_005_000
    assert sent == {
        "op": "auth",
        "args": [
            KEY,
            expires,
            hmac.new(
                SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
            ).hexdigest(),
        ],
    }


async def test_authenticator_accepts_the_trade_stream_reply() -> None:
    auth = ScriptedAuth([{"retCode": 0, "retMsg": "OK", "op": "auth", "connId": "c"}], TRADE)
    await _ws.authenticate(auth)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            {"success": False, "ret_msg": "Params Error", "op": "auth", "conn_id": "c"},
            "Params Error",
        ),
        (
            {"success": False, "ret_msg": "error:USVC1111", "op": "auth", "request": {}},
            "USVC1111",
        ),
        (
            {"retCode": 10004, "retMsg": "invalid sign", "op": "auth"},
            "invalid sign (retCode 10004)",
        ),
        ({"success": False, "op": "auth"}, "no reason given"),
    ],
)
async def test_authenticator_raises_on_refusal(reply: dict[str, Any], reason: str) -> None:
    auth = ScriptedAuth([reply])
    with pytest.raises(pybotters.WebSocketAuthError) as info:
        await _ws.authenticate(auth)
    text = str(info.value)
    assert reason in text
    assert "stream.bybit.com/v5/private" in text
    assert SECRET not in text


def test_prepare_message_adds_the_trade_header() -> None:
    order = {
        "reqId": "test-005",
        "op": "order.create",
        "args": [{"symbol": "ETHUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.2"}],
    }
    before = copy.deepcopy(order)
    prepared = _ws.prepare_message(order, None, 1_711_001_595.207)
    assert order == before
    assert prepared == {**order, "header": {"X-BAPI-TIMESTAMP": "1711001595207"}}


def test_prepare_message_keeps_the_user_header() -> None:
    with_window = {"op": "order.cancel", "header": {"X-BAPI-RECV-WINDOW": "8000"}, "args": []}
    before = copy.deepcopy(with_window)
    prepared = _ws.prepare_message(with_window, None, 1_711_001_595.0)
    assert with_window == before
    assert prepared["header"] == {"X-BAPI-RECV-WINDOW": "8000", "X-BAPI-TIMESTAMP": "1711001595000"}
    complete = {"op": "order.amend", "header": {"X-BAPI-TIMESTAMP": "1"}, "args": []}
    assert _ws.prepare_message(complete, None, 2.0) is complete


@pytest.mark.parametrize(
    "message",
    [
        {"op": "subscribe", "args": ["order"]},
        {"op": "ping"},
        {"op": "auth", "args": []},
        ["order.create"],
        "order.create",
        {"topic": "order.create"},
    ],
)
def test_prepare_message_leaves_other_messages_alone(message: Any) -> None:
    assert _ws.prepare_message(message, None, 1.0) is message


# -- against the fake Bybit --------------------------------------------------------------------


async def test_private_stream_logs_in_before_subscribing(
    bybit: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(VECTOR_TIME)
    endpoint = bybit.websocket("/v5/private")
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect(PRIVATE, send_json={"op": "subscribe", "args": ["order"]})
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
    first, second = session.received[:2]
    assert first == {
        "op": "auth",
        "args": [
            KEY,
            2085848901000,
            "a8bcd91ad5f8efdaefaf4ca6f38e551d739d6b42c2b54c85667fb181ecbc29a4",
        ],
    }
    assert second == {"op": "subscribe", "args": ["order"]}
    assert session.state["bybit_auth"] == "bybit"
    assert session.sent[1]["success"] is True  # the subscription was accepted after the login


async def test_public_stream_does_not_log_in(bybit: FakeExchange) -> None:
    endpoint = bybit.websocket("/v5/public/linear")
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect(PUBLIC, send_json={"op": "subscribe", "args": ["tickers.BTCUSDT"]})
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
    assert all(msg.get("op") != "auth" for msg in session.received)
    assert topics_of(session) == {"tickers.BTCUSDT"}


@pytest.mark.parametrize(
    ("stream_host", "key", "api_name"),
    [
        ("stream.bybit.com", KEY, "bybit"),
        ("stream.bytick.com", KEY, "bybit"),
        ("stream-testnet.bybit.com", TESTNET_KEY, "bybit_testnet"),
        ("stream-demo.bybit.com", DEMO_KEY, "bybit_demo"),
    ],
)
async def test_each_stream_host_logs_in_with_its_api_name(
    bybit: FakeExchange, stream_host: str, key: str, api_name: str
) -> None:
    endpoint = bybit.websocket("/v5/private")
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect(
            f"wss://{stream_host}/v5/private", send_json={"op": "subscribe", "args": ["wallet"]}
        )
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
    assert session.host == stream_host
    assert session.received[0]["args"][0] == key
    assert session.state["bybit_auth"] == api_name


async def test_refused_login_is_reported_without_the_secret(
    start_fake: StartFake, caplog: pytest.LogCaptureFixture
) -> None:
    fake = await start_fake()
    endpoint = fake.websocket("/v5/private")
    wrong = {"bybit": [KEY, "wrong-secret-value-xyz"]}
    with caplog.at_level(logging.ERROR, "pybotters"):
        async with pybotters.Client(apis=wrong) as client:
            await client.ws_connect(PRIVATE, send_json={"op": "subscribe", "args": ["order"]})
            session = await endpoint.wait_session()
            await session.wait_message({"op": "subscribe"})
            await eventually(lambda: len(session.sent) >= 2)
    assert "bybit_auth" not in session.state
    assert session.sent[0]["success"] is False
    assert session.sent[1] == {
        "success": False,
        "ret_msg": "Request not authorized",
        "conn_id": session.sent[1]["conn_id"],
        "req_id": "",
        "op": "subscribe",
    }
    assert "Bybit refused the WebSocket login" in caplog.text
    assert "Invalid signature" in caplog.text
    assert "wrong-secret-value-xyz" not in caplog.text


async def test_trade_stream_gets_the_order_header(
    bybit: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(1_711_001_595.207)
    endpoint = bybit.websocket("/v5/trade")
    order = {
        "reqId": "test-005",
        "op": "order.create",
        "args": [
            {
                "symbol": "ETHUSDT",
                "side": "Buy",
                "orderType": "Limit",
                "qty": "0.2",
                "price": "2800",
                "category": "linear",
                "timeInForce": "PostOnly",
            }
        ],
    }
    before = copy.deepcopy(order)
    endpoint.on_message(
        {"op": "order.create"},
        lambda msg, session: [
            {
                "reqId": msg["reqId"],
                "retCode": 0,
                "retMsg": "OK",
                "op": "order.create",
                "data": {"orderId": "a4c1718e", "orderLinkId": ""},
                "retExtInfo": {},
                "header": {"Timenow": "1711001595209"},
                "connId": "c",
            }
        ],
    )
    replies = pybotters.WebSocketQueue()
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect(TRADE, send_json=order, hdlr_json=replies.onmessage)
        session = await endpoint.wait_session()
        received = await session.wait_message({"op": "order.create"})
        reply = await replies.get()
        while reply.get("op") != "order.create":
            reply = await replies.get()
    assert session.received[0]["op"] == "auth"
    assert session.sent[0] == {
        "retCode": 0,
        "retMsg": "OK",
        "op": "auth",
        "connId": session.sent[0]["connId"],
    }
    assert received == {**before, "header": {"X-BAPI-TIMESTAMP": "1711001595207"}}
    assert order == before
    assert reply["retCode"] == 0 and reply["data"]["orderId"] == "a4c1718e"


async def test_heartbeat_pings_every_bybit_stream(
    bybit: FakeExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real interval is 20 s; the same descriptor with a short interval proves it is sent.
    fast = dataclasses.replace(_ws.WS_HOOKS, heartbeat=Heartbeat(0.01, '{"op":"ping"}'))
    monkeypatch.setattr(plugin, "EXCHANGE", dataclasses.replace(plugin.EXCHANGE, ws=fast))
    monkeypatch.setattr(host, "_registry", None)  # rebuilt from the patched descriptor
    public = bybit.websocket("/v5/public/spot")
    private = bybit.websocket("/v5/private")
    async with pybotters.Client(apis=APIS) as client:
        await client.ws_connect("wss://stream.bybit.com/v5/public/spot")
        await client.ws_connect(PRIVATE)
        sessions: list[FakeWebSocketSession] = [
            await public.wait_session(),
            await private.wait_session(),
        ]
        for session in sessions:
            await session.wait_message({"op": "ping"})
            await session.wait_message({"op": "ping"})
    assert sessions[0].sent[0]["ret_msg"] == "pong"
    assert sessions[1].sent[0]["op"] == "auth"
    assert sessions[1].sent[1]["op"] == "pong"


async def test_reconnect_mid_stream_rebuilds_the_book(bybit: FakeExchange) -> None:
    endpoint = bybit.websocket("/v5/public/linear")
    store = pybotters.BybitDataStore()
    topic = "orderbook.50.BTCUSDT"
    async with pybotters.Client() as client:
        app = await client.ws_connect(
            PUBLIC,
            send_json={"op": "subscribe", "args": [topic]},
            hdlr_json=store.onmessage,
            backoff=(0.01, 0.01, 1.0, 0.0),
        )
        first = await endpoint.wait_session()
        await first.wait_message({"op": "subscribe"})
        await first.send(m.BOOK_SNAPSHOT)
        await first.send(m.BOOK_DELTA)
        await eventually(lambda: len(store.orderbook) == 4)
        await endpoint.drop()  # a network failure
        second = await endpoint.wait_session()
        await second.wait_message({"op": "subscribe", "args": [topic]})
        fresh = m.book("snapshot", 1, bids=[["29000.0", "1.000"]], asks=[["29001.0", "2.000"]])
        await second.send(fresh)
        await second.send(m.book("delta", 2, bids=[["28999.5", "0.500"]], asks=[]))
        await eventually(lambda: len(store.orderbook) == 3)
        assert app.current_ws is not None
    assert store.orderbook.sorted() == {
        "a": [{"s": "BTCUSDT", "S": "a", "p": "29001.0", "v": "2.000"}],
        "b": [
            {"s": "BTCUSDT", "S": "b", "p": "29000.0", "v": "1.000"},
            {"s": "BTCUSDT", "S": "b", "p": "28999.5", "v": "0.500"},
        ],
    }


async def test_broken_book_resubscribes_on_the_live_connection(
    bybit: FakeExchange, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = bybit.websocket("/v5/public/linear")
    topic = "orderbook.50.BTCUSDT"
    rebuilt = m.book("snapshot", 9000, bids=[["30100.0", "1.5"]], asks=[["30101.0", "2.5"]])
    # Bybit answers a (re)subscription with a fresh snapshot.
    endpoint.on_message({"op": "subscribe", "args": [topic]}, rebuilt)
    store = pybotters.BybitDataStore()
    with caplog.at_level(logging.WARNING, "pybotters.bybit"):
        async with pybotters.Client() as client:
            await client.ws_connect(
                PUBLIC, send_json={"op": "subscribe", "args": [topic]}, hdlr_json=store.onmessage
            )
            session = await endpoint.wait_session()
            await session.wait_message({"op": "subscribe"})
            await session.send(m.BOOK_SNAPSHOT)
            await session.send(m.BOOK_DELTA)
            await session.send(m.BOOK_DELTA)  # a repeated update id: the book is broken
            await session.wait_message({"op": "unsubscribe", "args": [topic]})
            await session.wait_message({"op": "subscribe", "args": [topic]})
            await eventually(lambda: len(store.orderbook) == 2)
    assert store.orderbook.sorted() == {
        "a": [{"s": "BTCUSDT", "S": "a", "p": "30101.0", "v": "2.5"}],
        "b": [{"s": "BTCUSDT", "S": "b", "p": "30100.0", "v": "1.5"}],
    }
    assert "u=177400507 does not follow the last u=177400507" in caplog.text
    assert topic in caplog.text
