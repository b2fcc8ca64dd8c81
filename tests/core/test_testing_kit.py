"""pybotters.testing: routing to fake exchanges, HTTP scripting, WebSocket scripting, cleanup."""

from __future__ import annotations

import asyncio
import gc
import inspect
import re
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest

import pybotters
from pybotters._plugins import host
from pybotters.testing import (
    CloseConnection,
    FakeExchange,
    FakeExchangeSpec,
    FakeRequest,
    FakeResponse,
    FakeServerError,
)
from pybotters.testing._pytest_plugin import FakeExchangeFactory, fake_exchange_starter
from pybotters.testing._routing import PLUGIN_NAME, switchboard

HOSTS = ["api.demo.test", "stream.demo.test"]
# a bound on every receive, so that a fake that fails to answer fails the test instead of hanging
WS_TIMEOUT: dict[str, Any] = (
    {"timeout": aiohttp.ClientWSTimeout(ws_receive=5)}
    if hasattr(aiohttp, "ClientWSTimeout")
    else {"receive_timeout": 5}
)

# Python 3.10's asyncio leaves the client's TLS transport unclosed when the server cuts the
# connection first, and warns when it is collected (fixed by the rewrite in Python 3.11). A
# test that cuts connections on purpose collects that garbage itself and tolerates the warning.
cuts_tls_connections: Callable[[Any], Any] = (
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in.*_SSLProtocolTransport:pytest.PytestUnraisableExceptionWarning"
    )
    if sys.version_info < (3, 11)
    else lambda function: function
)


@pytest.fixture(autouse=True)
def nothing_leaks() -> Iterator[None]:
    """Every test starts and ends with no routed host and the kit's plugin unregistered."""
    assert switchboard.routed_hosts() == []
    assert host.pm.get_plugin(PLUGIN_NAME) is None
    yield
    assert switchboard.routed_hosts() == []
    assert host.pm.get_plugin(PLUGIN_NAME) is None


@pytest.fixture
async def fake() -> AsyncIterator[FakeExchange]:
    async with FakeExchange("demo", hosts=HOSTS) as running:
        yield running


# -- the pytest plugin -------------------------------------------------------------------------


def test_pytest_plugin_import_is_inert() -> None:
    code = (
        "import sys\n"
        "import pybotters.testing._pytest_plugin\n"
        "from pybotters._plugins import host\n"
        "heavy = [m for m in ('aiohttp', 'trustme') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert host.pm.get_plugin('pybotters.testing') is None\n"
        "print('inert')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "inert"


async def test_client_is_not_routed_without_a_fake() -> None:
    async with pybotters.Client() as client:
        assert host.pm.hook.pybotters_client_connector() is None
        resolver = client.session.connector._resolver  # type: ignore[union-attr]
        assert type(resolver).__name__ != "RoutedResolver"


async def test_fixture_starts_and_routes(start_fake_exchange: FakeExchangeFactory) -> None:
    fake = await start_fake_exchange("demo", hosts=HOSTS)
    assert fake.running
    assert switchboard.routed_hosts() == sorted(HOSTS)
    fake.route("GET", "/ping", {"pong": True})
    async with pybotters.Client() as client:
        result = await client.fetch("GET", "https://api.demo.test/ping")
    assert result.data == {"pong": True}
    # nothing_leaks checks that the fixture closed the fake and unrouted its hosts


async def test_fixture_closes_every_fake_and_reports_handler_errors() -> None:
    def broken(request: FakeRequest) -> Any:
        raise RuntimeError("scripted handler bug")

    fakes: list[FakeExchange] = []

    async def run() -> None:
        async with fake_exchange_starter() as start:
            fakes.append(await start("one", hosts=["api.one.test"]))
            fakes.append(await start("two", hosts=["api.two.test"]))
            fakes[0].route("GET", "/x", broken)
            async with pybotters.Client() as client:
                result = await client.fetch("GET", "https://api.one.test/x")
            assert result.response.status == 500

    with pytest.raises(FakeServerError, match="scripted handler bug"):
        await run()
    first, second = fakes
    assert not first.running
    assert not second.running


# -- routing -----------------------------------------------------------------------------------


async def test_real_host_names_reach_the_fake_over_tls(fake: FakeExchange) -> None:
    fake.route("GET", "/v1/ticker", {"ltp": 5_000_000})
    async with pybotters.Client() as client:
        result = await client.fetch(
            "GET", "https://api.demo.test/v1/ticker", params={"product_code": "FX_BTC_JPY"}
        )
    assert result.response.status == 200
    assert result.data == {"ltp": 5_000_000}
    (request,) = fake.requests
    assert request.scheme == "https"
    assert request.host == "api.demo.test"
    assert request.path == "/v1/ticker"
    assert request.raw_path == "/v1/ticker?product_code=FX_BTC_JPY"
    assert request.query["product_code"] == "FX_BTC_JPY"


async def test_any_port_of_a_routed_host_reaches_the_fake(fake: FakeExchange) -> None:
    fake.route("GET", "/x", "tls")
    async with pybotters.Client() as client:
        result = await client.fetch("GET", "https://api.demo.test:8443/x")
        plain = await client.fetch("GET", "http://api.demo.test/x")
    assert result.text == "tls"
    assert plain.text == "tls"
    assert [r.scheme for r in fake.requests] == ["https", "http"]


async def test_certificate_is_really_verified(fake: FakeExchange) -> None:
    fake.route("GET", "/x", {})
    async with pybotters.Client() as client:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await client.session.get("https://api.demo.test/x", server_hostname="other.test")
    assert fake.requests == []


async def test_unrouted_host_fails_fast_with_a_clear_error(fake: FakeExchange) -> None:
    async with pybotters.Client() as client:
        with pytest.raises(aiohttp.ClientConnectorError) as info:
            await client.fetch("GET", "https://api.bitflyer.com.evil.example/v1/ticker")
    message = str(info.value)
    assert "no fake exchange serves it" in message
    assert "api.demo.test" in message


@pytest.mark.skipif(
    "socket_factory" not in inspect.signature(aiohttp.TCPConnector).parameters,
    reason="refusing literal IP addresses needs aiohttp >= 3.12 (TCPConnector socket_factory)",
)
async def test_literal_ip_off_loopback_is_refused(fake: FakeExchange) -> None:
    async with pybotters.Client() as client:
        with pytest.raises(aiohttp.ClientConnectorError) as info:
            await client.fetch("GET", "https://192.0.2.1/x")
    assert "only fake exchanges on the loopback interface" in str(info.value)


async def test_loopback_stays_reachable(fake: FakeExchange) -> None:
    fake.route("GET", "/local", "loopback")
    plain_port = fake.plain_port
    async with pybotters.Client() as client:
        by_name = await client.fetch("GET", f"http://localhost:{plain_port}/local")
        by_address = await client.fetch("GET", f"http://127.0.0.1:{plain_port}/local")
    assert (by_name.text, by_address.text) == ("loopback", "loopback")
    assert [r.host for r in fake.requests] == ["localhost", "127.0.0.1"]


async def test_user_connector_is_left_alone(fake: FakeExchange) -> None:
    connector = aiohttp.TCPConnector()
    async with pybotters.Client(connector=connector) as client:
        assert client.session.connector is connector


async def test_close_unroutes_and_unregisters() -> None:
    fake = FakeExchange("demo", hosts=HOSTS)
    assert not fake.running
    with pytest.raises(RuntimeError, match="not running"):
        _ = fake.port
    await fake.start()
    assert host.pm.get_plugin(PLUGIN_NAME) is not None
    fake.route("GET", "/x", {"ok": 1})
    with pytest.raises(RuntimeError, match="already running"):
        await fake.start()
    async with pybotters.Client() as client:
        assert (await client.fetch("GET", "https://api.demo.test/x")).data == {"ok": 1}
    async with pybotters.Client() as client:  # made while the fake runs: routed
        await fake.close()
        assert host.pm.get_plugin(PLUGIN_NAME) is None
        with pytest.raises(aiohttp.ClientConnectorError, match="no fake exchange serves it"):
            await client.fetch("GET", "https://api.demo.test/x")
    await fake.close()  # closing twice is harmless


async def test_a_client_sees_fakes_started_after_it() -> None:
    async with (
        FakeExchange("one", hosts=["api.one.test"]),
        pybotters.Client() as client,  # made before the second fake starts
        FakeExchange("two", hosts=["api.two.test"]) as two,
    ):
        two.route("GET", "/who", "two")
        assert (await client.fetch("GET", "https://api.two.test/who")).text == "two"


async def test_two_fakes_run_side_by_side() -> None:
    async with (
        FakeExchange("one", hosts=["api.one.test"]) as one,
        FakeExchange("two", hosts=["api.two.test"]) as two,
    ):
        one.route("GET", "/who", "one")
        two.route("GET", "/who", "two")
        assert one.port != two.port
        async with pybotters.Client() as client:
            first = await client.fetch("GET", "https://api.one.test/who")
            second = await client.fetch("GET", "https://api.two.test/who")
        assert (first.text, second.text) == ("one", "two")
        assert switchboard.routed_hosts() == ["api.one.test", "api.two.test"]


async def test_a_host_served_twice_is_an_error(fake: FakeExchange) -> None:
    other = FakeExchange("other", hosts=["api.demo.test"])
    with pytest.raises(ValueError, match="already served by the fake exchange 'demo'"):
        await other.start()
    assert not other.running


def test_unknown_exchange_needs_hosts() -> None:
    with pytest.raises(ValueError, match="pass hosts="):
        FakeExchange("nosuchexchange")


@pytest.mark.parametrize(
    "bad", ["https://api.x.test", "API.X.TEST", "api.x.test.", "api.x.test:443", "a b"]
)
def test_bad_host_names_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="exact lower-case names"):
        FakeExchange("demo", hosts=[bad])


def test_hosts_must_be_a_list() -> None:
    with pytest.raises(TypeError, match=r"hosts=\['api.x.test'\]"):
        FakeExchange("demo", hosts="api.x.test")


# -- HTTP scripting ----------------------------------------------------------------------------


async def test_post_is_recorded_with_headers_and_body(fake: FakeExchange) -> None:
    route = fake.route("POST", "/v1/order", {"id": "A1"}, status=201)
    async with pybotters.Client() as client:
        result = await client.fetch(
            "POST", "https://api.demo.test/v1/order", data=b'{"size":1}', headers={"X-Y": "z"}
        )
    assert result.response.status == 201
    assert result.data == {"id": "A1"}
    assert route.calls == 1
    (request,) = route.requests
    assert request is fake.requests[0]
    assert request.method == "POST"
    assert request.headers["x-y"] == "z"
    assert request.body == b'{"size":1}'
    assert request.json() == {"size": 1}
    assert request.text == '{"size":1}'
    assert request.rejected is None
    assert repr(request) == "<FakeRequest POST https://api.demo.test/v1/order>"


async def test_unmatched_request_gets_404_naming_the_missing_route(fake: FakeExchange) -> None:
    fake.route("GET", "/v1/a", {})
    async with pybotters.Client() as client:
        result = await client.fetch("POST", "https://api.demo.test/v1/a")
    assert result.response.status == 404
    assert "fake.route('POST', '/v1/a', ...)" in result.data["error"]
    assert len(fake.requests) == 1


async def test_route_options(fake: FakeExchange) -> None:
    fake.route("*", re.compile(r"/v1/orders/\d+"), {"any": True})
    fake.route("GET", "/v1/board", {"product": "BTC"}, query={"product_code": "BTC_JPY"})
    fake.route("GET", "/v1/board", {"product": "ETH"}, query={"product_code": "ETH_JPY"})
    fake.route("GET", "/v1/host", "stream", host="stream.demo.test")
    fake.route("GET", "/v1/status", {"status": "NORMAL"})
    fake.route("GET", "/v1/status", {"status": "BUSY"}, times=1)
    fake.route("GET", "/v1/text", "plain text")
    fake.route("GET", "/v1/bytes", b"\x00\x01")
    fake.route("DELETE", "/v1/empty", None, status=204)
    fake.route(
        "GET",
        "/v1/custom",
        FakeResponse({"e": 1}, status=429, headers={"Retry-After": "1"}),
    )
    async with pybotters.Client() as client:

        async def get(url: str, method: str = "GET") -> pybotters.FetchResult:
            return await client.fetch(method, "https://api.demo.test" + url)

        assert (await get("/v1/orders/12", "PUT")).data == {"any": True}
        assert (await get("/v1/orders/x")).response.status == 404
        assert (await get("/v1/board?product_code=ETH_JPY")).data == {"product": "ETH"}
        assert (await get("/v1/board?product_code=BTC_JPY")).data == {"product": "BTC"}
        assert (await get("/v1/board")).response.status == 404
        assert (await get("/v1/host")).response.status == 404
        stream = await client.fetch("GET", "https://stream.demo.test/v1/host")
        assert stream.text == "stream"
        # the newest matching route answers; a route with times= then gives way
        assert (await get("/v1/status")).data == {"status": "BUSY"}
        assert (await get("/v1/status")).data == {"status": "NORMAL"}
        text = await get("/v1/text")
        assert text.text == "plain text"
        assert text.response.content_type == "text/plain"
        raw = await get("/v1/bytes")
        assert raw.response.content_type == "application/octet-stream"
        async with client.get("https://api.demo.test/v1/bytes") as resp:
            assert await resp.read() == b"\x00\x01"
        empty = await get("/v1/empty", "DELETE")
        assert empty.response.status == 204
        assert empty.text == ""
        custom = await get("/v1/custom")
        assert custom.response.status == 429
        assert custom.response.headers["Retry-After"] == "1"
        assert custom.data == {"e": 1}


async def test_handlers_sync_and_async(fake: FakeExchange) -> None:
    def echo(request: FakeRequest) -> Any:
        return {"echo": request.query["q"]}

    async def teapot(request: FakeRequest) -> FakeResponse:
        await asyncio.sleep(0)
        return FakeResponse({"method": request.method}, status=418)

    fake.route("GET", "/echo", echo)
    fake.route("POST", "/teapot", teapot)
    async with pybotters.Client() as client:
        echoed = await client.fetch("GET", "https://api.demo.test/echo", params={"q": "hi"})
        tea = await client.fetch("POST", "https://api.demo.test/teapot")
    assert echoed.data == {"echo": "hi"}
    assert (tea.response.status, tea.data) == (418, {"method": "POST"})


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("GET", "v1/x"), {}, "must start with '/'"),
        (("GET", "/v1/x?a=1"), {}, "match the query"),
        (("", "/v1/x"), {}, "HTTP method"),
        (("GET", "/v1/x"), {"status": 99}, "HTTP status code"),
        (("GET", "/v1/x"), {"times": 0}, "positive number"),
        (("GET", "/v1/x"), {"host": "https://x"}, "exact lower-case"),
    ],
)
def test_bad_routes_are_refused(args: Any, kwargs: Any, error: str) -> None:
    fake = FakeExchange("demo", hosts=HOSTS)
    with pytest.raises(ValueError, match=re.escape(error)):
        fake.route(*args, **kwargs)


async def test_handler_error_replies_500_and_fails_close() -> None:
    fake = FakeExchange("demo", hosts=HOSTS)
    await fake.start()

    def broken(request: FakeRequest) -> Any:
        raise KeyError("missing")

    fake.route("GET", "/x", broken)
    async with pybotters.Client() as client:
        result = await client.fetch("GET", "https://api.demo.test/x")
    assert result.response.status == 500
    assert "KeyError" in result.data["error"]
    with pytest.raises(FakeServerError, match="1 error") as info:
        await fake.close()
    assert isinstance(info.value.__cause__, KeyError)
    assert not fake.running


async def test_context_manager_keeps_the_test_failure_first() -> None:
    def broken(request: FakeRequest) -> Any:
        raise KeyError("missing")

    async def failing_test() -> None:
        async with FakeExchange("demo", hosts=HOSTS) as fake:
            fake.route("GET", "/x", broken)
            async with pybotters.Client() as client:
                await client.fetch("GET", "https://api.demo.test/x")
            raise AssertionError("the test's own failure")

    with pytest.raises(AssertionError, match="the test's own failure"):
        await failing_test()


async def test_wait_request(fake: FakeExchange) -> None:
    fake.route("POST", "/order", {"ok": True})

    async with pybotters.Client() as client:

        async def bot() -> None:
            await client.fetch("GET", "https://api.demo.test/ticker")
            await asyncio.sleep(0)
            await client.fetch("POST", "https://api.demo.test/order", data=b"1")
            await client.fetch("POST", "https://api.demo.test/order", data=b"2")

        task = asyncio.create_task(bot())
        first = await fake.wait_request("post", "/order")
        second = await fake.wait_request("POST", "/order")
        await task
        assert (first.body, second.body) == (b"1", b"2")
        any_request = await fake.wait_request()
        assert any_request.path == "/ticker"
        with pytest.raises(TimeoutError, match="no request POST /order") as info:
            await fake.wait_request("POST", "/order", timeout=0.05)
    assert "FakeRequest POST https://api.demo.test/order" in str(info.value)


# -- WebSocket scripting (through the routed aiohttp session) ----------------------------------


async def test_ws_scripting_push_and_record(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    assert fake.websocket("/ws") is endpoint
    endpoint.on_connect({"event": "welcome"}, lambda session: [{"path": session.path}])
    endpoint.on_message(
        {"op": "subscribe", "args": {"channel": "trades"}},
        lambda message, session: [{"event": "subscribed", "id": message["id"]}],
        {"event": "snapshot"},
    )
    endpoint.on_message("ping", "pong")
    endpoint.on_message(b"\x01", b"\x02")
    once = endpoint.on_message({"op": "once"}, {"event": "first"}, times=1)
    async with (
        pybotters.Client() as client,
        client.session.ws_connect("wss://stream.demo.test/ws", **WS_TIMEOUT) as ws,
    ):
        assert await ws.receive_json() == {"event": "welcome"}
        assert await ws.receive_json() == {"path": "/ws"}
        await ws.send_json({"op": "subscribe", "args": {"channel": "trades", "x": 1}, "id": 7})
        assert await ws.receive_json() == {"event": "subscribed", "id": 7}
        assert await ws.receive_json() == {"event": "snapshot"}
        await ws.send_str("ping")
        assert await ws.receive_str() == "pong"
        await ws.send_bytes(b"\x01")
        assert await ws.receive_bytes() == b"\x02"
        await ws.send_json({"op": "once"})
        await ws.send_json({"op": "once"})
        await ws.send_str("ping")
        assert await ws.receive_json() == {"event": "first"}
        assert await ws.receive_str() == "pong"  # the second "once" got no reply
        assert once.used == 1
        session = await endpoint.wait_session()
        assert session.host == "stream.demo.test"
        assert await endpoint.send({"push": 1}) == 1
        assert await ws.receive_json() == {"push": 1}
        await session.send("raw text")
        assert await ws.receive_str() == "raw text"
        assert await session.wait_message({"op": "subscribe"}) == {
            "op": "subscribe",
            "args": {"channel": "trades", "x": 1},
            "id": 7,
        }
        assert await session.wait_message(lambda m: m == "ping") == "ping"
        assert await session.wait_message("ping") == "ping"
        with pytest.raises(TimeoutError, match="no message matching 'ping'"):
            await session.wait_message("ping", timeout=0.05)
    assert session.received == [
        {"op": "subscribe", "args": {"channel": "trades", "x": 1}, "id": 7},
        "ping",
        b"\x01",
        {"op": "once"},
        {"op": "once"},
        "ping",
    ]
    assert session.sent[:2] == [{"event": "welcome"}, {"path": "/ws"}]
    assert endpoint.received == session.received


@cuts_tls_connections
async def test_ws_drop_and_reconnect_sessions(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    async with pybotters.Client() as client:
        ws = await client.session.ws_connect("wss://stream.demo.test/ws", **WS_TIMEOUT)
        first = await endpoint.wait_session()
        assert await endpoint.drop() == 1
        message = await ws.receive()
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        assert first.closed
        await ws.close()
        with pytest.raises(ConnectionError, match="no client is connected"):
            await endpoint.send({"late": True})
        with pytest.raises(ConnectionError, match="the connection is closed"):
            await first.send({"late": True})

        ws2 = await client.session.ws_connect("wss://stream.demo.test/ws", **WS_TIMEOUT)
        second = await endpoint.wait_session()
        assert second is not first
        assert await endpoint.drop(close_code=1012) == 1
        closing = await ws2.receive()
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == 1012
        await ws2.close()
        with pytest.raises(TimeoutError, match="2 connection"):
            await endpoint.wait_session(timeout=0.05)
    assert endpoint.sessions == [first, second]
    gc.collect()  # see cuts_tls_connections


async def test_ws_close_connection_reply(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    endpoint.on_message({"op": "quit"}, {"event": "bye"}, CloseConnection(4000, "bye"))
    async with (
        pybotters.Client() as client,
        client.session.ws_connect("wss://stream.demo.test/ws", **WS_TIMEOUT) as ws,
    ):
        await ws.send_json({"op": "quit"})
        assert await ws.receive_json() == {"event": "bye"}
        closing = await ws.receive()
        assert (closing.type, closing.data, closing.extra) == (
            aiohttp.WSMsgType.CLOSE,
            4000,
            "bye",
        )


async def test_ws_connect_to_any_path_and_fake_close_ends_sessions() -> None:
    fake = await FakeExchange("demo", hosts=HOSTS).start()
    async with pybotters.Client() as client:
        ws = await client.session.ws_connect("wss://stream.demo.test/other?x=1", **WS_TIMEOUT)
        session = await fake.websocket("/other").wait_session()
        assert session.query["x"] == "1"
        receiving = asyncio.create_task(ws.receive())
        await fake.close()
        closing = await receiving
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 1001)
        await ws.close()
    assert session.closed


async def test_ws_reply_callable_must_return_a_list(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    endpoint.on_message({"op": "x"}, lambda message, session: {"not": "a list"})
    async with pybotters.Client() as client:
        ws = await client.session.ws_connect("wss://stream.demo.test/ws", **WS_TIMEOUT)
        await ws.send_json({"op": "x"})
        closing = await ws.receive()
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 1011)
        await ws.close()
    with pytest.raises(FakeServerError, match="must return a list of messages"):
        await fake.close()


def test_bad_ws_patterns_are_refused() -> None:
    fake = FakeExchange("demo", hosts=HOSTS)
    endpoint = fake.websocket("/ws")
    with pytest.raises(TypeError, match="cannot match messages against 3"):
        endpoint.on_message(3, "x")
    # a predicate is only called on messages, never while the rule is made
    endpoint.on_message(lambda message: message["op"] == "x", "y")
    with pytest.raises(ValueError, match="positive number"):
        endpoint.on_message(None, "x", times=0)
    with pytest.raises(ValueError, match="must start with '/'"):
        fake.websocket("ws")


# -- descriptors -------------------------------------------------------------------------------


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="exchange id"):
        FakeExchangeSpec(name="")
    with pytest.raises(TypeError, match=r"hosts=\('a.test',\)"):
        FakeExchangeSpec(name="x", hosts="a.test")
    with pytest.raises(ValueError, match="exact lower-case"):
        FakeExchangeSpec(name="x", hosts=["A.test"])
    with pytest.raises(TypeError, match="verify_http must be callable"):
        FakeExchangeSpec(name="x", verify_http="no")  # type: ignore[arg-type]


def test_tls_context_trusts_only_the_throwaway_ca() -> None:
    from pybotters.testing._tls import client_context

    context = client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    (ca,) = context.get_ca_certs()
    assert "pybotters.testing" in str(ca["subject"])
