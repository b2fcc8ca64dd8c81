"""WebSocket login, heartbeat and reconnection against the fake OKX of pybotters.testing."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from yarl import URL

import pybotters
from pybotters import WebSocketAuthError
from pybotters._plugins import host
from pybotters.hookspecs import Credential, Heartbeat
from pybotters_okx import _ws
from pybotters_okx.plugin import EXCHANGE

from .conftest import APIS, SECRETS, until

ORDERS = {"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]}
TICKERS = {"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-USDT"}]}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("wss://ws.okx.com:8443/ws/v5/private", True),
        ("wss://ws.okx.com:8443/ws/v5/business", True),
        ("wss://wspap.okx.com:8443/ws/v5/private?brokerId=9999", True),
        ("wss://ws.okx.com:8443/ws/v5/private/", True),
        ("wss://ws.okx.com:8443/ws/v5/public", False),
        ("wss://wspap.okx.com:8443/ws/v5/public?brokerId=9999", False),
        ("wss://ws.okx.com:8443/ws/v5/privateX", False),
    ],
)
def test_needs_auth(url: str, expected: bool) -> None:
    assert _ws.needs_auth(URL(url)) is expected


def test_login_message_vector() -> None:
    import base64
    import hashlib
    import hmac

    message = _ws.login_message("key-1", "secret-1", "pass-1", 1538054050.975)
    (arg,) = message["args"]
    assert message["op"] == "login"
    assert arg["timestamp"] == "1538054050"
    expected = base64.b64encode(
        hmac.new(b"secret-1", b"1538054050GET/users/self/verify", hashlib.sha256).digest()
    ).decode()
    assert arg == {
        "apiKey": "key-1",
        "passphrase": "pass-1",
        "timestamp": "1538054050",
        "sign": expected,
    }


def test_heartbeat_choice() -> None:
    assert EXCHANGE.ws is not None
    assert EXCHANGE.ws.heartbeat == Heartbeat(15.0, "ping")


class ScriptedAuth:
    """Stands in for WebSocketAuth: records what was sent, replays scripted replies."""

    def __init__(self, replies: list[Any]) -> None:
        self.credential = Credential("okx", "key-0123456789", "the-secret", "the-pass")
        self.url = URL("wss://ws.okx.com:8443/ws/v5/private")
        self.timestamp = 1700000000.5
        self.sent: list[Any] = []
        self._replies = list(replies)

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)

    async def receive_json(self) -> Any:
        if not self._replies:
            raise ConnectionError("closed")
        return self._replies.pop(0)


async def test_authenticate_waits_for_login_event() -> None:
    auth = ScriptedAuth(
        [{"event": "notice", "msg": "x"}, {"event": "login", "code": "0", "msg": "", "connId": "a"}]
    )
    await _ws.authenticate(auth)  # type: ignore[arg-type]
    (sent,) = auth.sent
    assert sent["op"] == "login"
    assert sent["args"][0]["timestamp"] == "1700000000"


@pytest.mark.parametrize(
    "reply",
    [
        {"event": "error", "code": "60009", "msg": "Login failed."},
        {"event": "login", "code": "60009", "msg": "Login failed."},
    ],
)
async def test_authenticate_raises_with_code_and_msg(reply: dict[str, Any]) -> None:
    auth = ScriptedAuth([reply])
    with pytest.raises(WebSocketAuthError, match="60009") as info:
        await _ws.authenticate(auth)  # type: ignore[arg-type]
    text = str(info.value)
    assert "Login failed." in text
    assert "the-secret" not in text and "the-pass" not in text


async def test_private_login_precedes_subscription(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/private")
    replies: list[Any] = []
    async with pybotters.Client(apis=APIS) as client:
        app = client.ws_connect(
            "wss://ws.okx.com:8443/ws/v5/private",
            send_json=ORDERS,
            hdlr_json=lambda msg, ws: replies.append(msg),
        )
        await asyncio.wait_for(app, 5)
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
        await until(lambda: any(r.get("event") == "subscribe" for r in replies))
    assert [m["op"] for m in session.received] == ["login", "subscribe"]
    assert session.state["okx"]["logins"] == ["live-key-0001"]
    # the login reply was handed to the handlers too, before the subscribe reply
    assert [r["event"] for r in replies] == ["login", "subscribe"]


async def test_business_and_demo_endpoints_log_in(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    business = fake.websocket("/ws/v5/business")
    demo = fake.websocket("/ws/v5/private")
    async with pybotters.Client(apis=APIS) as client:
        app1 = client.ws_connect("wss://ws.okx.com:8443/ws/v5/business", send_json=ORDERS)
        app2 = client.ws_connect(
            "wss://wspap.okx.com:8443/ws/v5/private?brokerId=9999", send_json=ORDERS
        )
        await asyncio.wait_for(asyncio.gather(app1, app2), 5)
        s1 = await business.wait_session()
        s2 = await demo.wait_session()
        await s1.wait_message({"op": "subscribe"})
        await s2.wait_message({"op": "subscribe"})
    assert s1.state["okx"]["logins"] == ["live-key-0001"]
    assert s2.host == "wspap.okx.com"
    assert s2.state["okx"]["logins"] == ["demo-key-0002"]


async def test_public_endpoint_never_logs_in(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/public")
    async with pybotters.Client(apis=APIS) as client:
        await asyncio.wait_for(
            client.ws_connect("wss://ws.okx.com:8443/ws/v5/public", send_json=TICKERS), 5
        )
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
    assert session.received == [TICKERS]
    assert session.state["okx"]["logins"] == []


async def test_refused_login_is_reported_without_secrets(
    start_fake_exchange: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/private")
    wrong = {"okx": ["live-key-0001", "live-secret-s3cr3t", "wrong-pass-zz"]}
    store = pybotters.OKXDataStore()
    caplog.set_level(logging.WARNING)
    async with pybotters.Client(apis=wrong) as client:
        await asyncio.wait_for(
            client.ws_connect(
                "wss://ws.okx.com:8443/ws/v5/private", send_json=ORDERS, hdlr_json=store.onmessage
            ),
            5,
        )
        session = await endpoint.wait_session()
        await session.wait_message({"op": "subscribe"})
        await until(lambda: "60011" in caplog.text)
    assert session.state["okx"]["logins"] == []
    assert "OKX refused the WebSocket login" in caplog.text
    assert "60024" in caplog.text  # the fake's code for a wrong passphrase
    for secret in (*SECRETS, "wrong-pass-zz"):
        assert secret not in caplog.text


async def test_ping_heartbeat_gets_pong(
    start_fake_exchange: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real interval is 15 s; the same hooks with a short interval show the mechanism.
    assert EXCHANGE.ws is not None
    fast = dataclasses.replace(
        EXCHANGE, ws=dataclasses.replace(EXCHANGE.ws, heartbeat=Heartbeat(0.02, "ping"))
    )
    fake = await start_fake_exchange("okx", apis=APIS)
    monkeypatch.setitem(host.registry.ws_hosts, "ws.okx.com", fast)  # after the fake started
    endpoint = fake.websocket("/ws/v5/public")
    texts: list[str] = []
    async with pybotters.Client(apis=APIS) as client:
        await asyncio.wait_for(
            client.ws_connect(
                "wss://ws.okx.com:8443/ws/v5/public",
                send_json=TICKERS,
                hdlr_str=lambda msg, ws: texts.append(msg),
                hdlr_json=lambda msg, ws: None,
            ),
            5,
        )
        session = await endpoint.wait_session()
        await until(lambda: texts.count("pong") >= 2)
    assert session.state["okx"]["pings"] >= 2
    assert "ping" in session.received


async def test_reconnect_logs_in_and_resubscribes(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/private")
    store = pybotters.OKXDataStore()
    order = {
        "instId": "BTC-USDT",
        "ordId": "312269865356374016",
        "state": "live",
        "side": "buy",
        "px": "30000",
        "sz": "0.01",
    }
    async with pybotters.Client(apis=APIS) as client:
        app = client.ws_connect(
            "wss://ws.okx.com:8443/ws/v5/private",
            send_json=ORDERS,
            hdlr_json=store.onmessage,
            backoff=(0.01, 0.02, 1.5, 0.01),
        )
        await asyncio.wait_for(app, 5)
        first = await endpoint.wait_session()
        await first.wait_message({"op": "subscribe"})
        await first.send({"arg": ORDERS["args"][0], "data": [order]})
        await until(lambda: len(store.orders) == 1)
        await endpoint.drop()  # network failure mid-stream
        second = await endpoint.wait_session()
        await second.wait_message({"op": "subscribe"})
        await second.send({"arg": ORDERS["args"][0], "data": [{**order, "state": "filled"}]})
        await until(lambda: len(store.orders) == 0)
    assert [m["op"] for m in second.received] == ["login", "subscribe"]
    assert second.state["okx"]["logins"] == ["live-key-0001"]
