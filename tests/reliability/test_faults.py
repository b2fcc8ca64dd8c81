"""Fault injection: a WebSocketApp against servers that break in every way a network or an
exchange does, over TLS on 127.0.0.1.

For each fault the stream must recover by itself: the next connection logs in first and then
re-sends the subscription (the server checks the order on every connection), data flows
again, no part of a broken frame reaches a handler, the drop is logged, and nothing is left
behind (no pending task and no unclosed transport: ``no_leftovers``; warnings are errors).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import pybotters
from pybotters.ws import WebSocketApp

from .conftest import (
    APIS,
    SECRET,
    SUBSCRIBE,
    TINY_BACKOFF,
    WS_URL,
    data_of,
    exchange_script,
    until,
)
from .rawws import OP_TEXT, RawConn, RawWSServer, frame, routed_connector, tls_contexts

pytestmark = pytest.mark.usefixtures("no_leftovers", "relx")

Script = Callable[[RawConn], Awaitable[None]]


class Recorder:
    """A JSON handler that records messages; with ``ack`` it answers each data push with
    ``{"op": "ack", "data": n}``, so a server knows a push arrived before it breaks things."""

    def __init__(self, ack: bool = False) -> None:
        self.messages: list[Any] = []
        self.ack = ack

    def __call__(self, msg: Any, ws: Any) -> Any:
        self.messages.append(msg)
        if self.ack and isinstance(msg, dict) and "data" in msg:
            return _send_quietly(ws, {"op": "ack", "data": msg["data"]})
        return None

    @property
    def data(self) -> list[Any]:
        return data_of(self.messages)


async def _send_quietly(ws: Any, message: Any) -> None:
    with contextlib.suppress(ConnectionError):
        await ws.send_json(message)


def per_connection(*scripts: Script) -> Script:
    """Play ``scripts[i]`` on the i-th connection (the last one on any later connection)."""
    count = 0

    async def script(conn: RawConn) -> None:
        nonlocal count
        index = min(count, len(scripts) - 1)
        count += 1
        await scripts[index](conn)

    return script


async def push_and_wait_ack(conn: RawConn, number: int) -> None:
    await conn.send({"data": number})
    reply = await conn.recv()
    assert reply == {"op": "ack", "data": number}, reply


def streaming(*numbers: int) -> Script:
    """A healthy connection: login, subscription, the given pushes (acknowledged), then quiet."""

    async def script(conn: RawConn) -> None:
        await exchange_script(conn)
        for number in numbers:
            await push_and_wait_ack(conn, number)
        await conn.stall()

    return script


@contextlib.asynccontextmanager
async def stream(
    script: Script, handler: Any, *, refuse: int = 0, url: str = WS_URL, **kwargs: Any
) -> AsyncIterator[tuple[RawWSServer, WebSocketApp]]:
    """A TLS raw server running ``script`` and a WebSocketApp subscribed to it."""
    server_ssl, client_ssl = tls_contexts()
    async with RawWSServer(script, tls=server_ssl, refuse=refuse) as server:
        client = pybotters.Client(apis=APIS, connector=routed_connector(server.port, client_ssl))
        async with client:
            kwargs.setdefault("backoff", TINY_BACKOFF)
            app = client.ws_connect(url, send_json=SUBSCRIBE, hdlr_json=handler, **kwargs)
            yield server, app


def assert_login_then_subscribe(server: RawWSServer, connections: int) -> None:
    assert len(server.connections) == connections
    for conn in server.connections:
        assert conn.ops[:2] == ["auth", "subscribe"], conn


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def assert_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    assert SECRET not in caplog.text


# -- the server cuts the connection ---------------------------------------------------------

BIG = {"data": 99, "pad": "x" * 300}  # a 300+ byte frame: 4-byte header (16-bit length)


@pytest.mark.parametrize(
    "keep",
    [1, 3, 150, 317],
    ids=["in-header", "in-length", "mid-payload", "last-byte-missing"],
)
async def test_frame_cut_in_the_middle_is_never_delivered(
    caplog: pytest.LogCaptureFixture, keep: int
) -> None:
    async def broken(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, 1)
        await conn.cut_frame(BIG, keep=keep)

    got = Recorder(ack=True)
    async with stream(per_connection(broken, streaming(2)), got) as (server, _app):
        await until(lambda: got.data == [1, 2], "the push of the second connection")
        assert_login_then_subscribe(server, 2)
    assert 99 not in got.data  # not a byte of the cut frame reached the handler
    assert any("ended" in m and "reconnecting" in m for m in records(caplog, logging.WARNING))
    assert records(caplog, logging.ERROR) == []
    assert_no_secret(caplog)


async def test_tcp_reset_is_survived(caplog: pytest.LogCaptureFixture) -> None:
    async def reset(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, 1)
        conn.reset()  # SO_LINGER 0: an RST, as a crashed middlebox sends

    got = Recorder(ack=True)
    async with stream(per_connection(reset, streaming(2)), got) as (server, _app):
        await until(lambda: got.data == [1, 2], "the push of the second connection")
        assert_login_then_subscribe(server, 2)
    warnings = records(caplog, logging.WARNING)
    assert any("ended" in m and "reconnecting" in m for m in warnings), warnings
    assert_no_secret(caplog)


async def test_clean_close_and_tcp_cut_in_a_row_are_survived() -> None:
    async def close(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, 1)
        await conn.close(1012)  # service restart

    async def cut(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, 2)
        conn.abort()  # a FIN with no close frame

    got = Recorder(ack=True)
    async with stream(per_connection(close, cut, streaming(3)), got) as (server, _app):
        await until(lambda: got.data == [1, 2, 3], "three connections' pushes")
        assert_login_then_subscribe(server, 3)


# -- the handshake is refused -----------------------------------------------------------------


async def test_handshake_refused_with_503_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    got = Recorder(ack=True)
    url = WS_URL + "?token=QUERY-TOKEN-NOT-LOGGED"
    async with stream(streaming(1), got, refuse=3, url=url) as (server, app):
        await asyncio.wait_for(app, 5)  # the first successful connection, after 3 refusals
        await until(lambda: got.data == [1], "the push after the refusals")
        assert server.refused == 3
        assert_login_then_subscribe(server, 1)
    failures = [m for m in records(caplog, logging.WARNING) if "failed" in m]
    assert len(failures) == 3
    assert all("503" in m and "retry" in m for m in failures), failures
    assert "QUERY-TOKEN-NOT-LOGGED" not in caplog.text  # URLs are logged without the query
    assert_no_secret(caplog)


# -- the peer goes silent -----------------------------------------------------------------------


async def test_half_open_connection_is_detected_by_the_heartbeat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def half_open(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, 1)
        conn.answer_pings = False  # from now on: no data, no pong, and no close either
        await conn.stall()

    got = Recorder(ack=True)
    scripts = per_connection(half_open, streaming(2))
    async with stream(scripts, got, heartbeat=0.2) as (server, _app):
        await until(lambda: got.data == [1, 2], "the push after the dead connection")
        assert server.connections[0].pings >= 1
        assert_login_then_subscribe(server, 2)
    warnings = " ".join(records(caplog, logging.WARNING))
    assert "PONG" in warnings or "pong" in warnings, warnings


async def test_login_that_gets_no_answer_is_retried_on_a_new_connection(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WebSocketApp, "auth_timeout", 0.2)

    async def stalled_login(conn: RawConn) -> None:
        await conn.recv()  # the login: never answered
        await conn.stall()

    got = Recorder(ack=True)
    async with stream(per_connection(stalled_login, streaming(1)), got) as (server, _app):
        await until(lambda: got.data == [1], "the push of the second connection")
        first, second = server.connections
        assert first.ops == ["auth"]  # nothing was sent on the connection without a login
        assert second.ops[:2] == ["auth", "subscribe"]
    errors = records(caplog, logging.ERROR)
    assert len(errors) == 1 and "no answer within 0.2 s; reconnecting" in errors[0]
    assert_no_secret(caplog)


async def test_refused_login_is_reported_without_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def refuse(conn: RawConn) -> None:
        await conn.recv()
        await conn.send({"op": "auth", "success": False, "reason": "invalid key"})
        await conn.recv()  # the subscription still comes (public channels keep working)
        await conn.send({"data": 1})
        await conn.stall()

    got = Recorder()
    async with stream(refuse, got) as (server, _app):
        await until(lambda: got.data == [1], "the public push")
        assert server.connections[0].ops == ["auth", "subscribe"]
    errors = records(caplog, logging.ERROR)
    assert len(errors) == 1 and "invalid key" in errors[0]
    assert_no_secret(caplog)


# -- slow consumers -------------------------------------------------------------------------------

BURST = 2000


def burst(count: int = BURST) -> Script:
    async def script(conn: RawConn) -> None:
        await exchange_script(conn)
        for number in range(count):
            conn.write(frame(OP_TEXT, b'{"data":%d}' % number))
        await conn.writer.drain()
        await conn.stall()

    return script


async def test_blocking_handler_loses_no_message() -> None:
    got = Recorder()

    def blocking(msg: Any, ws: Any) -> None:
        if isinstance(msg, dict) and msg.get("data", BURST) < 100:
            time.sleep(0.001)  # a handler that blocks the event loop (badly written bot code)

    async with stream(burst(), [blocking, got]) as (server, app):
        await until(lambda: len(got.data) == BURST, "every message of the burst")
        assert got.data == list(range(BURST))
        await asyncio.wait_for(app.heartbeat(), 5)  # the connection is alive afterwards
        assert len(server.connections) == 1


async def test_slow_async_handlers_run_as_tasks_and_all_finish() -> None:
    finished: list[int] = []

    async def slow(msg: Any, ws: Any) -> None:
        if isinstance(msg, dict) and "data" in msg:
            await asyncio.sleep(0.05)
            finished.append(msg["data"])

    got = Recorder()
    async with stream(burst(500), [slow, got]) as (_server, _app):
        # the receive loop never waits for a slow handler: every message arrives at once
        await until(lambda: len(got.data) == 500, "every message")
        await until(lambda: len(finished) == 500, "every slow handler")
    assert sorted(finished) == list(range(500))


async def test_a_raising_handler_does_not_stop_the_stream_or_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def flaky(msg: Any, ws: Any) -> None:
        if isinstance(msg, dict) and msg.get("data", 1) % 3 == 0:
            raise ValueError(f"cannot handle {msg['data']}")

    got = Recorder()
    async with stream(burst(300), [flaky, got]) as (_server, _app):
        await until(lambda: len(got.data) == 300, "every message")
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 100
    assert all(r.exc_info is not None and "flaky" in r.getMessage() for r in failures)


async def test_slow_queue_consumer_gets_every_message_in_order() -> None:
    queue = pybotters.WebSocketQueue()
    async with stream(burst(), queue.onmessage) as (_server, _app):
        seen: list[Any] = []
        async for msg in queue:
            if isinstance(msg, dict) and "data" in msg:
                seen.append(msg["data"])
                await asyncio.sleep(0)  # a consumer slower than the stream
                if len(seen) == BURST:
                    break
    assert seen == list(range(BURST))


# -- TLS cut without a close frame: nothing left unclosed (Python 3.10) ---------------------------


async def test_tls_connection_cut_without_close_frame_leaves_no_unclosed_transport() -> None:
    """CPython 3.10's TLS transport is not marked closed when the peer drops the connection, and
    aiohttp forgets it: WebSocketApp closes it itself, or a ResourceWarning (an error here) is
    raised when it is collected (``no_leftovers`` collects)."""

    async def cut(conn: RawConn) -> None:
        await exchange_script(conn)
        await push_and_wait_ack(conn, len(conn.server.connections))
        conn.abort()

    got = Recorder(ack=True)
    async with stream(cut, got) as (server, _app):
        await until(lambda: len(got.data) >= 5, "five connections")
        assert_login_then_subscribe(server, len(server.connections))


# -- the real exchange plugins -----------------------------------------------------------------

PLUGINS: dict[str, dict[str, Any]] = {
    "bitflyer": {
        "apis": {"bitflyer": ["bf-key-0001", "bf-S3CRET-never-shown"]},
        "url": "wss://ws.lightstream.bitflyer.com/json-rpc",
        "path": "/json-rpc",
        "subscribe": {"method": "subscribe", "params": {"channel": "child_order_events"}, "id": 1},
        "is_login": lambda m: isinstance(m, dict) and m.get("method") == "auth",
        "accepted": lambda m: isinstance(m, dict) and m.get("id") == 1 and m.get("result") is True,
    },
    "bybit": {
        "apis": {"bybit": ["by-key-0001", "by-S3CRET-never-shown"]},
        "url": "wss://stream.bybit.com/v5/private",
        "path": "/v5/private",
        "subscribe": {"op": "subscribe", "args": ["order"]},
        "is_login": lambda m: isinstance(m, dict) and m.get("op") == "auth",
        "accepted": lambda m: (
            isinstance(m, dict) and m.get("op") == "subscribe" and m.get("success") is True
        ),
    },
    "okx": {
        "apis": {"okx": ["okx-key-0001", "okx-S3CRET-never-shown", "okx-PASSPHRASE-never"]},
        "url": "wss://ws.okx.com:8443/ws/v5/private",
        "path": "/ws/v5/private",
        "subscribe": {"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]},
        "is_login": lambda m: isinstance(m, dict) and m.get("op") == "login",
        "accepted": lambda m: isinstance(m, dict) and m.get("event") == "subscribe",
    },
}


def accepted_count(spec: dict[str, Any], got: Recorder, count: int) -> Callable[[], bool]:
    return lambda: sum(map(spec["accepted"], got.messages)) == count


@pytest.mark.parametrize("close_code", [None, 1012], ids=["network-cut", "server-restart"])
@pytest.mark.parametrize("name", sorted(PLUGINS))
async def test_real_plugins_log_in_again_then_resubscribe_after_drops(
    start_fake_exchange: Any,
    caplog: pytest.LogCaptureFixture,
    name: str,
    close_code: int | None,
) -> None:
    spec = PLUGINS[name]
    fake = await start_fake_exchange(name, apis=spec["apis"])
    endpoint = fake.websocket(spec["path"])
    got = Recorder()
    async with pybotters.Client(apis=spec["apis"]) as client:
        client.ws_connect(
            spec["url"], send_json=spec["subscribe"], hdlr_json=got, backoff=TINY_BACKOFF
        )
        for connection in range(1, 4):
            session = await endpoint.wait_session()
            await until(
                accepted_count(spec, got, connection),
                f"the subscription of connection {connection} accepted",
            )
            await endpoint.drop(close_code)
        session = await endpoint.wait_session()
        await until(accepted_count(spec, got, 4), "the 4th subscription accepted")
    assert len(endpoint.sessions) == 4
    for session in endpoint.sessions:
        # the fake refuses private subscriptions before a login: accepted means logged in first
        assert spec["is_login"](session.received[0]), session.received
        assert session.received[1] == spec["subscribe"], session.received
    secrets = [item for value in spec["apis"].values() for item in value[1:]]
    assert not any(secret in caplog.text for secret in secrets)
