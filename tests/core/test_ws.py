"""WebSocketApp against real local aiohttp WebSocket servers (tests/core/wsserver.py)."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any, cast

import aiohttp
import orjson
import pytest

import pybotters
from pybotters import ws as ws_module
from pybotters._ws_timing import SendLimiter
from pybotters.hookspecs import Heartbeat, WebSocketAuth, WebSocketHooks
from pybotters.ws import WebSocketApp
from tests.conftest import make_exchange
from tests.core.wsserver import ServerConn, WSServer, app_tasks, within, ws_server

__all__ = ["ws_server"]  # the fixture, imported for the tests below

SECRET = "ws-s3cr3t-never-logged"
APIS = {"fakex": ["fakex-key-123456", SECRET]}
FAST = (0.001, 0.01, 2.0, 0.001)
"""A tiny backoff so that reconnect tests run in milliseconds."""
HOST_URL = "ws://ws.fakex.test/ws"

Register = Callable[..., str]


def client_for(server: WSServer, **kwargs: Any) -> pybotters.Client:
    return pybotters.Client(connector=server.connector(), **kwargs)


class Recorder:
    """Handlers that record what they get."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.sockets: list[Any] = []

    def __call__(self, msg: Any, ws: Any) -> None:
        self.items.append(msg)
        self.sockets.append(ws)


def expected_signature(key: str, ts: float) -> str:
    return hmac.new(SECRET.encode(), f"{key}{int(ts)}".encode(), hashlib.sha256).hexdigest()


async def login(auth: WebSocketAuth) -> None:
    """A fake exchange login: send a signed request, wait for the reply."""
    credential = auth.credential
    await auth.send_json(
        {
            "op": "login",
            "key": credential.key,
            "sign": expected_signature(credential.key, auth.timestamp),
        }
    )
    while True:
        reply = await auth.receive_json()
        if isinstance(reply, dict) and reply.get("event") == "login":
            if reply.get("ok"):
                return
            raise pybotters.WebSocketAuthError("fakex refused the login: invalid key")


def login_script(ok: bool = True, push_first: bool = False) -> Callable[[ServerConn], Any]:
    async def script(conn: ServerConn) -> None:
        first = await conn.receive_json()
        if isinstance(first, dict) and first.get("op") == "login":
            if push_first:
                await conn.send_json({"push": "before-login-reply"})
            await conn.send_json({"event": "login", "ok": ok})
        await conn.receive()  # the subscription
        await conn.send_json({"data": "after-subscribe"})

    return script


def register_fakex(register_plugin: Register, **hooks: Any) -> None:
    register_plugin(make_exchange(ws=WebSocketHooks(**hooks)), name="fakex_ws_plugin")


# -- connecting, sending, handlers ----------------------------------------------------------


async def test_await_app_returns_app_with_live_connection(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        assert isinstance(app, WebSocketApp)
        assert app.current_ws is None
        assert (await within(app)) is app
        live = cast(Any, app).current_ws  # (mypy keeps the narrowing to None across the await)
        assert isinstance(live, aiohttp.ClientWebSocketResponse)
        assert not live.closed
        assert app.url == ws_server.url()
        assert "connected" in repr(app)
    assert app.closed
    assert app.current_ws is None
    assert not app_tasks()


async def test_pybotters_1_11_style_await_then_wait(ws_server: WSServer) -> None:
    async def script(conn: ServerConn) -> None:
        await conn.receive()
        await conn.send_json({"n": 1})

    ws_server.script = script
    got = Recorder()
    async with client_for(ws_server) as client:
        ws = await client.ws_connect(ws_server.url(), send_str="hello", hdlr_json=got)
        await ws_server.wait_until(lambda: got.items == [{"n": 1}], "a message")
        waiter = asyncio.ensure_future(ws.wait())
        await asyncio.sleep(0)
        assert not waiter.done()  # reconnects forever: waits until the app is closed
        await ws.close()
        await waiter
    assert not app_tasks()


async def test_send_lists_in_order_and_every_handler_gets_every_message(
    ws_server: WSServer,
) -> None:
    async def script(conn: ServerConn) -> None:
        for _ in range(5):
            await conn.receive()
        await conn.send_str('{"kind": "text-json"}')
        await conn.send_str("plain text")
        await conn.send_bytes(b'{"kind": "bytes-json"}')
        await conn.send_bytes(b"\x00\x01raw")

    ws_server.script = script
    strs1, strs2, bytes1, bytes2, json1, json2 = (Recorder() for _ in range(6))
    async with client_for(ws_server) as client:
        app = client.ws_connect(
            ws_server.url(),
            send_str=["s1", "s2"],
            send_bytes=b"b1",
            send_json=[{"j": 1}, {"j": 2}],
            hdlr_str=[strs1, strs2],
            hdlr_bytes=[bytes1, bytes2],
            hdlr_json=[json1, json2],
        )
        await ws_server.wait_until(lambda: len(json2.items) == 2, "two JSON messages")
        await ws_server.wait_until(lambda: len(bytes2.items) == 2, "two binary messages")
        conn = ws_server.connections[0]
        assert conn.received == ["s1", "s2", b"b1", '{"j":1}', '{"j":2}']
        for rec in (strs1, strs2):
            assert rec.items == ['{"kind": "text-json"}', "plain text"]
        for rec in (bytes1, bytes2):
            assert rec.items == [b'{"kind": "bytes-json"}', b"\x00\x01raw"]
        for rec in (json1, json2):
            assert rec.items == [{"kind": "text-json"}, {"kind": "bytes-json"}]
        # Handlers get the live aiohttp connection.
        assert all(ws is app.current_ws for ws in json1.sockets)


async def test_each_frame_decoded_once_for_all_json_handlers(
    ws_server: WSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    real_loads = orjson.loads

    def counting_loads(data: Any) -> Any:
        calls.append(data)
        return real_loads(data)

    monkeypatch.setattr(orjson, "loads", counting_loads)

    async def script(conn: ServerConn) -> None:
        for i in range(3):
            await conn.send_json({"i": i})

    ws_server.script = script
    handlers = [Recorder() for _ in range(4)]
    texts = Recorder()
    async with client_for(ws_server) as client:
        client.ws_connect(ws_server.url(), hdlr_json=handlers)
        await ws_server.wait_until(lambda: len(handlers[-1].items) == 3, "three messages")
        assert len(calls) == 3
        assert all(h.items == [{"i": 0}, {"i": 1}, {"i": 2}] for h in handlers)

        calls.clear()
        client.ws_connect(ws_server.url(), hdlr_str=texts)
        await ws_server.wait_until(lambda: len(texts.items) == 3, "three texts")
        assert calls == []  # no JSON handler: nothing is decoded


async def test_non_json_frame_goes_to_str_handlers_only(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def script(conn: ServerConn) -> None:
        await conn.send_str("pong")
        await conn.send_json({"ok": True})

    ws_server.script = script
    texts, objs = Recorder(), Recorder()
    caplog.set_level(logging.DEBUG, logger="pybotters")
    async with client_for(ws_server) as client:
        client.ws_connect(ws_server.url(), hdlr_str=texts, hdlr_json=objs)
        await ws_server.wait_until(lambda: objs.items == [{"ok": True}], "the JSON message")
    assert texts.items == ["pong", '{"ok":true}']
    assert any("not JSON" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_handler_exception_is_logged_and_isolated(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def script(conn: ServerConn) -> None:
        for i in range(3):
            await conn.send_json({"i": i})

    ws_server.script = script
    seen = Recorder()

    def broken(msg: Any, ws: Any) -> None:
        raise ValueError(f"broken handler on {msg}")

    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url(), hdlr_json=[broken, seen])
        await ws_server.wait_until(lambda: len(seen.items) == 3, "three messages")
        assert app.current_ws is not None  # the stream goes on
    errors = [r for r in caplog.records if r.name == "pybotters" and r.levelno == logging.ERROR]
    assert len(errors) == 3
    assert "broken" in errors[0].getMessage()
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is ValueError
    assert len(ws_server.connections) == 1  # no reconnect because of a handler


async def test_coroutine_handlers_run_as_tasks(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    async def script(conn: ServerConn) -> None:
        await conn.send_json({"a": 1})
        await conn.send_json({"a": 2})

    ws_server.script = script
    got: list[Any] = []
    never_done = asyncio.Event()

    async def async_handler(msg: Any, ws: Any) -> None:
        await asyncio.sleep(0)
        got.append(msg)
        if msg["a"] == 2:
            raise RuntimeError("async handler failed")

    async def slow_handler(msg: Any, ws: Any) -> None:
        await never_done.wait()  # still running when the client closes: cancelled cleanly

    async with client_for(ws_server) as client:
        client.ws_connect(ws_server.url(), hdlr_json=[async_handler, slow_handler])
        await ws_server.wait_until(lambda: len(got) == 2, "two messages")
        await asyncio.sleep(0)
    assert got == [{"a": 1}, {"a": 2}]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "async_handler" in errors[0].getMessage()
    assert not app_tasks()
    gc.collect()


async def test_app_send_methods(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        with pytest.raises(ConnectionError, match="await app"):
            await app.send_str("too early")
        await app
        await app.send_str("text")
        await app.send_bytes(b"bin")
        await app.send_json({"x": [1, 2]})
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: len(conn.received) == 3, "three messages")
        assert conn.received == ["text", b"bin", '{"x":[1,2]}']


# -- reconnecting ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "abort"])
async def test_subscriptions_resent_after_server_drops(ws_server: WSServer, how: str) -> None:
    async def script(conn: ServerConn) -> None:
        await conn.receive()
        await conn.send_json({"conn": len(ws_server.connections)})
        if len(ws_server.connections) == 1:
            if how == "close":
                await conn.close()
            else:
                conn.abort()

    ws_server.script = script
    got = Recorder()
    async with client_for(ws_server) as client:
        client.ws_connect(
            ws_server.url(), send_json={"op": "subscribe"}, hdlr_json=got, backoff=FAST
        )
        await ws_server.wait_until(lambda: len(got.items) == 2, "messages of two connections")
    assert [c.received for c in ws_server.connections] == [['{"op":"subscribe"}']] * 2
    assert got.items == [{"conn": 1}, {"conn": 2}]


async def test_handshake_failures_are_retried_and_logged_without_query(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    ws_server.reject = 3
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url("/ws?token=SECRET-TOKEN"), backoff=FAST)
        await app
    assert ws_server.rejected == 3
    assert len(ws_server.connections) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all("503" in w and "/ws" in w for w in warnings)
    assert not any("SECRET-TOKEN" in w for w in warnings)
    assert "SECRET-TOKEN" not in repr(app)


async def test_backoff_grows_on_failures_and_resets_after_healthy_connection(
    ws_server: WSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []

    class SpyBackoff:
        failures = 0

        def next_delay(self, healthy: bool) -> float:
            calls.append(healthy)
            return 0.0 if healthy else 0.001

    async def script(conn: ServerConn) -> None:
        await conn.close()

    ws_server.script = script
    ws_server.reject = 2
    monkeypatch.setattr(WebSocketApp, "healthy_after", 0.0)  # every connection is healthy
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        app._backoff = cast(Any, SpyBackoff())
        await ws_server.wait_until(lambda: len(ws_server.connections) >= 2, "two connections")
    # first attempt, two refused handshakes, then a healthy connection resets the backoff.
    assert calls[:4] == [True, False, False, True]


async def test_short_connections_count_as_failures(
    ws_server: WSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def script(conn: ServerConn) -> None:
        await conn.close()

    ws_server.script = script
    monkeypatch.setattr(WebSocketApp, "healthy_after", 3600.0)
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url(), backoff=FAST)
        await ws_server.wait_until(lambda: len(ws_server.connections) >= 3, "three connections")
        assert app._backoff.failures >= 2


async def test_url_change_is_used_on_reconnect(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url("/first"), backoff=FAST)
        await app
        app.url = ws_server.url("/second")
        assert app.url == ws_server.url("/second")
        assert ws_server.connections[0].path == "/first"
        await ws_server.connections[0].close()
        await ws_server.wait_until(lambda: len(ws_server.connections) == 2, "a reconnection")
        assert ws_server.connections[1].path == "/second"


# -- heartbeat ------------------------------------------------------------------------------


async def test_heartbeat_returns_when_pong_arrives(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        await within(app.heartbeat(timeout=5.0))
        assert len(ws_server.connections) == 1


async def test_heartbeat_timeout_forces_reconnect(
    ws_server: WSServer, caplog: pytest.LogCaptureFixture
) -> None:
    ws_server.autoping = False  # the first connection never answers pings

    async def script(conn: ServerConn) -> None:
        ws_server.autoping = True  # the next one does

    ws_server.script = script
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url(), send_str="sub", backoff=FAST)
        await within(app.heartbeat(timeout=0.05))
        assert len(ws_server.connections) == 2
        assert ws_server.connections[0].pings >= 1
        await ws_server.wait_until(lambda: ws_server.connections[1].received == ["sub"], "sub")
    assert any("no pong" in r.getMessage() for r in caplog.records)


async def test_heartbeat_raises_once_app_is_closed(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        await app
        await app.close()
        with pytest.raises(ConnectionError, match="closed"):
            await app.heartbeat(timeout=1.0)
        with pytest.raises(ConnectionError, match="closed"):
            await app


async def test_aiohttp_heartbeat_kwarg_is_passed(
    ws_server: WSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    original = aiohttp.ClientSession.ws_connect

    def spy(self: aiohttp.ClientSession, url: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return original(self, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "ws_connect", spy)
    async with client_for(ws_server) as client:
        await client.ws_connect(ws_server.url())
        await client.ws_connect(ws_server.url(), heartbeat=None, headers={"X-Test": "1"})
    assert seen[0]["heartbeat"] == 10.0
    assert seen[1]["heartbeat"] is None
    assert seen[1]["headers"] == {"X-Test": "1"}
    assert ws_server.connections[1].request.headers["X-Test"] == "1"


@pytest.mark.parametrize("autoping", [True, False])
async def test_server_pings_are_answered_unless_autoping_false(
    ws_server: WSServer, autoping: bool
) -> None:
    ws_server.autoping = False  # so that the server sees the client's pongs

    async def script(conn: ServerConn) -> None:
        await conn.ping(b"srv1")
        await conn.send_json({"after": "ping"})

    ws_server.script = script
    got = Recorder()
    async with client_for(ws_server) as client:
        client.ws_connect(ws_server.url(), hdlr_json=got, autoping=autoping)
        await ws_server.wait_until(lambda: got.items, "a message")
        conn = ws_server.connections[0]
        if autoping:
            await ws_server.wait_until(lambda: conn.pongs == [b"srv1"], "the pong")
        else:
            await client.ws_connect(ws_server.url())  # a round trip: no pong came meanwhile
            assert conn.pongs == []


# -- exchange plugins: login, heartbeat, signing, pacing ------------------------------------


async def test_login_before_subscription_with_backlog_replayed(
    ws_server: WSServer, register_plugin: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pybotters._clock, "now", lambda: 1_700_000_000.5)
    register_fakex(register_plugin, authenticate=login)
    ws_server.script = login_script(push_first=True)
    got = Recorder()
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        client.ws_connect(HOST_URL, send_json={"op": "subscribe"}, hdlr_json=got)
        await ws_server.wait_until(lambda: len(got.items) == 3, "three messages")
    sent = ws_server.connections[0].received_json
    assert sent[0] == {
        "op": "login",
        "key": "fakex-key-123456",
        "sign": expected_signature("fakex-key-123456", 1_700_000_000.5),
    }
    assert sent[1] == {"op": "subscribe"}
    # The frames the login read reach the handlers first, in order.
    assert got.items == [
        {"push": "before-login-reply"},
        {"event": "login", "ok": True},
        {"data": "after-subscribe"},
    ]


async def test_login_repeated_on_every_reconnect(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, authenticate=login)
    inner = login_script()

    async def script(conn: ServerConn) -> None:
        await inner(conn)
        if len(ws_server.connections) == 1:
            await conn.close()

    ws_server.script = script
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        client.ws_connect(HOST_URL, send_json={"op": "subscribe"}, backoff=FAST)
        await ws_server.wait_until(
            lambda: len(ws_server.connections) == 2 and len(ws_server.connections[1].received) == 2,
            "login and subscription on the second connection",
        )
    for conn in ws_server.connections:
        assert [m["op"] for m in conn.received_json] == ["login", "subscribe"]


async def test_login_failure_is_logged_and_stream_continues(
    ws_server: WSServer, register_plugin: Register, caplog: pytest.LogCaptureFixture
) -> None:
    register_fakex(register_plugin, authenticate=login)
    ws_server.script = login_script(ok=False)
    got = Recorder()
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        client.ws_connect(HOST_URL, send_json={"op": "subscribe"}, hdlr_json=got)
        await ws_server.wait_until(
            lambda: {"data": "after-subscribe"} in got.items, "the stream after login failure"
        )
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "fakex" in errors[0] and "'fakex'" in errors[0]  # exchange and API name
    assert "invalid key" in errors[0] and "unauthenticated" in errors[0]
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    assert [m["op"] for m in ws_server.connections[0].received_json] == ["login", "subscribe"]


async def test_login_timeout_is_logged_and_the_connection_retried(
    ws_server: WSServer,
    register_plugin: Register,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(WebSocketApp, "auth_timeout", 0.05)
    register_fakex(register_plugin, authenticate=login)
    answering = login_script()

    async def script(conn: ServerConn) -> None:
        if len(ws_server.connections) == 1:
            await conn.receive()  # the login: never answered on the first connection
            await asyncio.sleep(10)
        await answering(conn)

    ws_server.script = script
    got = Recorder()
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        client.ws_connect(HOST_URL, send_json={"op": "subscribe"}, hdlr_json=got, backoff=FAST)
        await ws_server.wait_until(lambda: {"data": "after-subscribe"} in got.items, "the stream")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "no answer within 0.05 s" in errors[0]
    first, second = ws_server.connections
    assert [m["op"] for m in first.received_json] == ["login"]  # nothing sent unauthenticated
    assert [m["op"] for m in second.received_json] == ["login", "subscribe"]


async def test_pings_read_during_login_are_answered_after_it(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, authenticate=login)
    ws_server.autoping = False

    async def script(conn: ServerConn) -> None:
        await conn.receive()
        await conn.ping(b"during-login")
        await conn.send_json({"event": "login", "ok": True})

    ws_server.script = script
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        await client.ws_connect(HOST_URL)
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: conn.pongs == [b"during-login"], "the pong")


async def test_no_login_without_credential_with_auth_none_or_needs_auth_false(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(
        register_plugin, authenticate=login, needs_auth=lambda url: url.path == "/private"
    )
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        await client.ws_connect("ws://ws.fakex.test/public", send_str="a")
        await client.ws_connect("ws://ws.fakex.test/private", send_str="b", auth=None)
    async with client_for(ws_server, apis={}, insecure_signing=True) as client:
        await client.ws_connect("ws://ws.fakex.test/private", send_str="c")
    await ws_server.wait_until(lambda: all(c.received for c in ws_server.connections), "sends")
    assert [c.received for c in ws_server.connections] == [["a"], ["b"], ["c"]]


async def test_plain_ws_to_exchange_host_warns_and_skips_login(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, authenticate=login)
    async with client_for(ws_server, apis=APIS) as client:
        with pytest.warns(pybotters.InsecureSigningWarning, match="not TLS") as record:
            app = client.ws_connect(HOST_URL, send_str="sub")
        assert record[0].filename == __file__  # points at the caller's line
        await app
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: conn.received == ["sub"], "the subscription")
    assert SECRET not in str(record[0].message)


async def test_login_over_wss(register_plugin: Register) -> None:
    register_fakex(register_plugin, authenticate=login)
    server = WSServer(tls=True)
    await server.start()
    server.script = login_script()
    try:
        got = Recorder()
        async with client_for(server, apis=APIS) as client:  # no insecure_signing needed
            client.ws_connect("wss://ws.fakex.test/ws", send_str="sub", hdlr_json=got)
            await server.wait_until(lambda: {"data": "after-subscribe"} in got.items, "stream")
        assert server.connections[0].received_json[0]["op"] == "login"
    finally:
        await server.close()


async def test_malformed_credential_is_a_clear_error_at_ws_connect(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, authenticate=login)
    with pytest.warns(UserWarning, match="malformed"):
        client = client_for(ws_server, apis={"fakex": ["only-key"]}, insecure_signing=True)
    async with client:
        with pytest.raises(pybotters.CredentialsError, match="fakex"):
            client.ws_connect(HOST_URL)
    assert not app_tasks()


async def test_exchange_heartbeat_is_sent_on_its_hosts_only(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, heartbeat=Heartbeat(0.01, '{"op":"ping"}'))
    async with client_for(ws_server) as client:
        await client.ws_connect(HOST_URL, send_str="sub")
        await client.ws_connect(ws_server.url("/other"), send_str="sub")
        exchange_conn = next(c for c in ws_server.connections if c.path == "/ws")
        await ws_server.wait_until(
            lambda: exchange_conn.received.count('{"op":"ping"}') >= 2, "two pings"
        )
        assert exchange_conn.received[0] == "sub"
    other = next(c for c in ws_server.connections if c.path == "/other")
    assert other.received == ["sub"]
    assert not app_tasks()


async def test_prepare_message_signs_every_json_message(
    ws_server: WSServer, register_plugin: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pybotters._clock, "now", lambda: 1_700_000_123.0)
    seen_credentials: list[Any] = []

    def prepare(message: Any, credential: Any, timestamp: float) -> Any:
        seen_credentials.append(credential)
        key = credential.key if credential is not None else None
        return {**message, "header": {"ts": int(timestamp * 1000), "key": key}}

    register_fakex(register_plugin, prepare_message=prepare)
    order = {"op": "order.create", "args": [{"qty": "1"}]}
    async with client_for(ws_server, apis=APIS, insecure_signing=True) as client:
        app = await client.ws_connect(HOST_URL, send_json=order, send_str="raw")
        await app.send_json({"op": "order.cancel"})
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: len(conn.received) == 3, "three messages")
        await client.ws_connect(HOST_URL, send_json={"op": "x"}, auth=None)
        await ws_server.wait_until(lambda: len(ws_server.connections) == 2, "second connection")
        conn2 = ws_server.connections[1]
        await ws_server.wait_until(lambda: len(conn2.received) == 1, "message")
    header = {"ts": 1_700_000_123_000, "key": "fakex-key-123456"}
    assert conn.received_json == [
        "raw",
        {"op": "order.create", "args": [{"qty": "1"}], "header": header},
        {"op": "order.cancel", "header": header},
    ]
    assert order == {"op": "order.create", "args": [{"qty": "1"}]}  # not mutated
    # auth=None: still prepared, without the credential.
    assert conn2.received_json == [{"op": "x", "header": {"ts": 1_700_000_123_000, "key": None}}]


async def test_send_limit_paces_every_user_message(
    ws_server: WSServer, register_plugin: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiters: list[CountingLimiter] = []

    class CountingLimiter(SendLimiter):
        __slots__ = ("acquired",)

        def __init__(self, limit: int, period: float) -> None:
            super().__init__(limit, period)
            self.acquired = 0
            limiters.append(self)

        async def acquire(self) -> None:
            await super().acquire()
            self.acquired += 1

    monkeypatch.setattr(ws_module, "SendLimiter", CountingLimiter)
    register_fakex(register_plugin, send_limit=(2, 0.01), heartbeat=Heartbeat(3600, "hb"))
    subs = [{"op": "subscribe", "n": n} for n in range(5)]
    async with client_for(ws_server) as client:
        app = await client.ws_connect(HOST_URL, send_str="first", send_json=subs)
        await app.send_str("later")
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: len(conn.received) == 7, "seven messages")
    assert conn.received_json == ["first", *subs, "later"]
    connection_limiters = [lim for lim in limiters if lim.acquired]
    assert len(connection_limiters) == 1
    assert connection_limiters[0].acquired == 7
    assert (connection_limiters[0].limit, connection_limiters[0].period) == (2, 0.01)


async def test_invalid_plugin_send_limit_is_reported_at_ws_connect(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, send_limit=(0, 1.0))
    async with client_for(ws_server) as client:
        with pytest.raises(ValueError, match="send_limit"):
            client.ws_connect(HOST_URL)


# -- closing --------------------------------------------------------------------------------


async def test_client_close_stops_every_app_cleanly(
    ws_server: WSServer, register_plugin: Register, caplog: pytest.LogCaptureFixture
) -> None:
    register_fakex(register_plugin, authenticate=login, heartbeat=Heartbeat(0.01, "hb"))

    async def script(conn: ServerConn) -> None:
        if conn.path == "/ws":  # the exchange host: never answers the login
            await conn.receive()

    ws_server.script = script
    caplog.set_level(logging.DEBUG)
    slow = asyncio.Event()

    async def pending_handler(msg: Any, ws: Any) -> None:
        await slow.wait()

    client = client_for(ws_server, apis=APIS, insecure_signing=True)
    async with client:
        connected = await client.ws_connect(ws_server.url("/a"), send_str="x")
        await connected.send_json({"echo": 1})
        client.ws_connect(ws_server.url("/b"), hdlr_json=pending_handler)
        logging_in = client.ws_connect(HOST_URL)  # stuck in the login
        refused = client.ws_connect("ws://127.0.0.1:9/none", backoff=(5.0, 5.0, 1.0, 5.0))
        await ws_server.wait_until(lambda: len(ws_server.connections) == 3, "three connections")
        await asyncio.sleep(0.02)
        assert app_tasks()
        assert logging_in.current_ws is not None and refused.current_ws is None
    assert client.closed
    assert not app_tasks()
    assert all(app.closed for app in (connected, logging_in, refused))
    await ws_server.wait_until(
        lambda: all(c.close_code is not None for c in ws_server.connections), "closes"
    )
    assert {c.close_code for c in ws_server.connections} <= {1000, 1006}
    assert ws_server.connections[0].close_code == 1000
    gc.collect()
    await asyncio.sleep(0)
    bad = [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.name == "asyncio"
    ]
    assert bad == []


async def test_app_close_and_wait(ws_server: WSServer) -> None:
    async with client_for(ws_server) as client:
        app = await client.ws_connect(ws_server.url())
        assert app in client._ws_apps
        await app.close()
        await app.close()  # twice is fine
        await app.wait()
        assert app.closed and app.current_ws is None
        assert app not in client._ws_apps
        assert "closed" in repr(app)
        other = await client.ws_connect(ws_server.url())
        assert other.current_ws is not None  # the client itself is still usable
    assert not app_tasks()


async def test_closing_before_first_connection(ws_server: WSServer) -> None:
    ws_server.reject = 1000
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url(), backoff=FAST)
        await ws_server.wait_until(lambda: ws_server.rejected >= 2, "refused handshakes")

        async def first_connection() -> WebSocketApp:
            return await app

        waiter = asyncio.ensure_future(first_connection())
        await asyncio.sleep(0)
        assert not waiter.done()
    with pytest.raises(ConnectionError, match="closed"):
        await waiter
    assert not app_tasks()


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"send_str": 123}, TypeError, "send_str takes a str"),
        ({"send_str": ["ok", b"bytes"]}, TypeError, "send_str takes a str"),
        ({"send_bytes": "text"}, TypeError, "send_bytes takes a bytes"),
        ({"send_json": {1, 2}}, TypeError, "cannot be encoded as JSON"),
        ({"hdlr_json": "print"}, TypeError, "hdlr_json takes a callable"),
        ({"hdlr_str": [print, None]}, TypeError, "hdlr_str takes a callable"),
        ({"backoff": (1, 2)}, TypeError, "backoff must be a tuple of 4"),
        ({"backoff": (0, 1, 1, 1)}, ValueError, "min must be > 0"),
    ],
)
async def test_bad_arguments_are_clear_errors(
    ws_server: WSServer, kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    async with client_for(ws_server) as client:
        with pytest.raises(error, match=words):
            client.ws_connect(ws_server.url(), **kwargs)
        assert not client._ws_apps
    assert not app_tasks()


@pytest.mark.parametrize("url", ["/relative/path", "ftp://host/x", "wss://", 123])
async def test_bad_urls_are_clear_errors(ws_server: WSServer, url: Any) -> None:
    async with client_for(ws_server) as client:
        with pytest.raises((ValueError, TypeError), match="URL"):
            client.ws_connect(url)
        app = await client.ws_connect(ws_server.url())
        with pytest.raises(ValueError, match="not a WebSocket URL"):
            app.url = "/relative"
        assert app.url == ws_server.url()


def test_ws_connect_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError, match="running event loop"):
        WebSocketApp(cast(Any, None), "ws://127.0.0.1/ws")


# -- WebSocketQueue -------------------------------------------------------------------------


def test_websocket_queue_is_built_outside_a_loop() -> None:
    queue = pybotters.WebSocketQueue()
    queue.onmessage({"a": 1}, cast(Any, None))
    assert queue.qsize() == 1
    assert isinstance(queue, asyncio.Queue)


async def test_websocket_queue_iterates_messages(ws_server: WSServer) -> None:
    async def script(conn: ServerConn) -> None:
        for i in range(3):
            await conn.send_json({"i": i})

    ws_server.script = script
    queue = pybotters.WebSocketQueue()
    got = []
    async with client_for(ws_server) as client:
        client.ws_connect(ws_server.url(), hdlr_json=queue.onmessage)
        async for msg in queue:
            got.append(msg)
            if len(got) == 3:
                break
    assert got == [{"i": 0}, {"i": 1}, {"i": 2}]


async def test_cancelled_client_close_still_closes_the_session(ws_server: WSServer) -> None:
    client = client_for(ws_server)
    await client.ws_connect(ws_server.url())
    closing = asyncio.ensure_future(client.close())
    await asyncio.sleep(0)  # inside the apps' close
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert client.closed
    await ws_server.wait_until(lambda: not app_tasks(), "the app to end")


async def test_closing_current_ws_reconnects_without_backoff(
    ws_server: WSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WebSocketApp, "healthy_after", 3600.0)
    async with client_for(ws_server) as client:
        # A huge backoff: only an immediate reconnect can pass this test.
        app = await client.ws_connect(ws_server.url(), backoff=(600.0, 600.0, 1.0, 600.0))
        first = app.current_ws
        assert first is not None
        await first.close()
        await within(app)
        assert app.current_ws is not first
        assert len(ws_server.connections) == 2
        assert app._backoff.failures == 0


async def test_paced_sends_do_not_stop_the_receive_loop(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, send_limit=(1, 0.05))
    got = Recorder()
    seen_when_last_sub_arrived: list[Any] = []

    async def script(conn: ServerConn) -> None:
        await conn.send_json({"push": "early"})
        for _ in range(3):
            await conn.receive()
        seen_when_last_sub_arrived.extend(got.items)

    ws_server.script = script
    async with client_for(ws_server) as client:
        app = client.ws_connect(HOST_URL, send_json=[{"sub": n} for n in range(3)], hdlr_json=got)
        await within(app)
        await ws_server.wait_until(lambda: seen_when_last_sub_arrived, "three subscriptions")
    assert seen_when_last_sub_arrived == [{"push": "early"}]


async def test_a_message_the_plugin_cannot_prepare_is_skipped_and_logged(
    ws_server: WSServer, register_plugin: Register, caplog: pytest.LogCaptureFixture
) -> None:
    def prepare(message: Any, credential: Any, timestamp: float) -> Any:
        if message.get("bad"):
            raise KeyError("missing field")
        return message

    register_fakex(register_plugin, prepare_message=prepare)
    async with client_for(ws_server) as client:
        await within(client.ws_connect(HOST_URL, send_json=[{"bad": 1}, {"good": 1}]))
        conn = ws_server.connections[0]
        await ws_server.wait_until(lambda: conn.received, "the good message")
    assert conn.received == ['{"good":1}']
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None


@pytest.mark.parametrize("timeout", [0, -1.0])
async def test_heartbeat_timeout_must_be_positive(ws_server: WSServer, timeout: float) -> None:
    async with client_for(ws_server) as client:
        app = client.ws_connect(ws_server.url())
        with pytest.raises(ValueError, match="timeout must be > 0"):
            await app.heartbeat(timeout)


async def test_send_json_follows_the_live_connection_not_the_next_url(
    ws_server: WSServer, register_plugin: Register
) -> None:
    register_fakex(register_plugin, prepare_message=lambda m, c, t: {**m, "signed": True})
    async with client_for(ws_server) as client:
        app = await within(client.ws_connect(HOST_URL))
        app.url = ws_server.url("/plain")  # not an exchange host
        await app.send_json({"a": 1})  # still on the exchange connection: prepared
        first = app.current_ws
        assert first is not None
        await first.close()
        await within(app)
        await app.send_json({"b": 1})  # now on /plain: sent as is
        await ws_server.wait_until(
            lambda: len(ws_server.connections) == 2 and ws_server.connections[1].received,
            "the second message",
        )
    assert ws_server.connections[0].received_json == [{"a": 1, "signed": True}]
    assert ws_server.connections[1].path == "/plain"
    assert ws_server.connections[1].received_json == [{"b": 1}]
