"""Exchange plugins contribute fake-server behaviour through ``pybotters_fake_exchanges``.

An in-process plugin "hmacex" signs REST requests with an HMAC header and logs in on its
WebSocket; its FakeExchangeSpec verifies both, with the same ``apis`` the client uses.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
import pytest

import pybotters
from pybotters._plugins import host
from pybotters.hookspecs import (
    PLUGIN_API,
    Credential,
    Exchange,
    SignRequest,
    WebSocketAuth,
    WebSocketHooks,
    hookimpl,
)
from pybotters.testing import (
    CloseConnection,
    FakeExchange,
    FakeExchangeSpec,
    FakeRequest,
    FakeResponse,
    FakeWebSocketSession,
    SecretLookup,
)
from pybotters.testing._routing import switchboard

SECRET = "hmacex-secret-never-shown"
APIS = {"hmacex": ["hmacex-key-0001", SECRET]}
REST = "https://api.hmacex.test"
STREAM = "wss://stream.hmacex.test/ws"
FAST_BACKOFF = (0.01, 0.05, 1.0, 0.01)
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


def _digest(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


# -- the exchange plugin: client side ----------------------------------------------------------


def sign(request: SignRequest, credential: Credential) -> None:
    ts = str(int(request.timestamp))
    body = (request.body or b"").decode()
    request.headers["X-KEY"] = credential.key
    request.headers["X-TS"] = ts
    request.headers["X-SIGN"] = _digest(
        credential.secret, ts + request.method + request.url.raw_path_qs + body
    )


async def login(auth: WebSocketAuth) -> None:
    ts = str(int(auth.timestamp))
    sig = _digest(auth.credential.secret, ts + "login")
    await auth.send_json({"op": "login", "key": auth.credential.key, "ts": ts, "sign": sig})
    reply = await auth.receive_json()
    if not reply.get("ok"):
        raise pybotters.WebSocketAuthError(f"login refused: {reply.get('reason')}")


EXCHANGE = Exchange(
    name="hmacex",
    plugin_api=PLUGIN_API,
    http_hosts={"api.hmacex.test": "hmacex"},
    ws_hosts={"stream.hmacex.test": "hmacex"},
    api_names=("hmacex",),
    sign=sign,
    ws=WebSocketHooks(authenticate=login),
)


# -- the exchange plugin: fake-server side -----------------------------------------------------


def verify_http(request: FakeRequest, secret_lookup: SecretLookup) -> str | None:
    key = request.headers.get("X-KEY")
    if key is None:
        return "this endpoint needs X-KEY" if request.path.startswith("/private/") else None
    credential = secret_lookup(key)
    if credential is None:
        return "unknown API key"
    ts = request.headers.get("X-TS", "")
    payload = ts + request.method + request.raw_path + request.text
    if not hmac.compare_digest(
        request.headers.get("X-SIGN", ""), _digest(credential.secret, payload)
    ):
        return "signature mismatch"
    return None


def http_rejection(request: FakeRequest, reason: str) -> FakeResponse:
    return FakeResponse({"code": 10003, "msg": reason}, status=403)


def on_ws_message(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    if message == "ping":
        return ["pong"]
    if not isinstance(message, dict):
        return None
    if message.get("op") == "login":
        credential = session.secret_lookup(str(message.get("key")))
        expected = _digest(credential.secret, f"{message.get('ts')}login") if credential else ""
        if credential is None or not hmac.compare_digest(str(message.get("sign")), expected):
            return [{"op": "login", "ok": False, "reason": "bad signature"}, CloseConnection(4001)]
        session.state["api_name"] = credential.api_name
        return [{"op": "login", "ok": True}]
    if message.get("op") == "subscribe":
        channel = message.get("channel", "")
        if channel.startswith("private.") and "api_name" not in session.state:
            return [{"op": "subscribe", "ok": False, "reason": "login first"}]
        return [{"op": "subscribe", "ok": True, "channel": channel}]
    return None


SPEC = FakeExchangeSpec(
    name="hmacex",
    hosts=("public.hmacex.test",),
    verify_http=verify_http,
    http_rejection=http_rejection,
    on_ws_message=on_ws_message,
)


class Calls:
    fake_exchanges = 0


@pytest.fixture
def hmacex_plugin() -> Iterator[type[Calls]]:
    """Register the hmacex plugin in-process (both hooks); unregister it afterwards."""
    Calls.fake_exchanges = 0

    @hookimpl
    def pybotters_exchanges() -> list[Exchange]:
        return [EXCHANGE]

    @hookimpl
    def pybotters_fake_exchanges() -> list[FakeExchangeSpec]:
        Calls.fake_exchanges += 1
        return [SPEC]

    plugin = SimpleNamespace(
        __name__="hmacex_plugin",
        pybotters_exchanges=pybotters_exchanges,
        pybotters_fake_exchanges=pybotters_fake_exchanges,
    )
    name = host.register(plugin, name="hmacex_plugin")
    try:
        yield Calls
    finally:
        host.unregister(name)


@pytest.fixture
async def fake(hmacex_plugin: type[Calls]) -> AsyncIterator[FakeExchange]:
    async with FakeExchange("hmacex", apis=APIS) as running:
        running.route("GET", "/public/ticker", {"last": 100})
        running.route("POST", "/private/order", {"id": "O-1"})
        running.route("GET", "/private/balance", {"jpy": 1})
        yield running
    assert switchboard.routed_hosts() == []


# -- REST --------------------------------------------------------------------------------------


async def test_hosts_come_from_the_plugin_and_its_spec(fake: FakeExchange) -> None:
    assert fake.spec is SPEC
    assert set(fake.hosts) == {"api.hmacex.test", "stream.hmacex.test", "public.hmacex.test"}


async def test_valid_signature_is_accepted(fake: FakeExchange) -> None:
    async with pybotters.Client(apis=APIS) as client:
        order = await client.fetch("POST", f"{REST}/private/order", data={"size": 1})
        balance = await client.fetch("GET", f"{REST}/private/balance", params={"ccy": "JPY"})
    assert (order.response.status, order.data) == (200, {"id": "O-1"})
    assert (balance.response.status, balance.data) == (200, {"jpy": 1})
    signed = fake.requests[0]
    assert signed.headers["X-KEY"] == "hmacex-key-0001"
    assert signed.rejected is None
    assert fake.requests[1].raw_path == "/private/balance?ccy=JPY"


async def test_unsigned_private_request_is_rejected(fake: FakeExchange) -> None:
    async with pybotters.Client(apis=APIS) as client:
        public = await client.fetch("GET", f"{REST}/public/ticker", auth=None)
        private = await client.fetch("GET", f"{REST}/private/balance", auth=None)
    assert (public.response.status, public.data) == (200, {"last": 100})
    assert private.response.status == 403
    assert private.data == {"code": 10003, "msg": "this endpoint needs X-KEY"}
    assert fake.requests[-1].rejected == "this endpoint needs X-KEY"


async def test_wrong_secret_and_unknown_key_are_rejected(fake: FakeExchange) -> None:
    wrong_secret = {"hmacex": ["hmacex-key-0001", "not-the-secret"]}
    unknown_key = {"hmacex": ["someone-else", SECRET]}
    for apis, reason in ((wrong_secret, "signature mismatch"), (unknown_key, "unknown API key")):
        async with pybotters.Client(apis=apis) as client:
            result = await client.fetch("POST", f"{REST}/private/order", data={"size": 1})
        assert result.response.status == 403
        assert result.data["msg"] == reason
    route_calls = [r for r in fake.requests if r.rejected is None]
    assert route_calls == []


async def test_tampered_request_is_rejected(fake: FakeExchange) -> None:
    async with pybotters.Client(apis=APIS) as client:
        ok = await client.fetch("POST", f"{REST}/private/order", data={"size": 1})
        assert ok.response.status == 200
        signed = fake.requests[-1]
        headers = {k: signed.headers[k] for k in ("X-KEY", "X-TS", "X-SIGN")}
        # the same signed headers replayed with another body
        async with client.session.post(
            f"{REST}/private/order", data=b'{"size":100}', headers=headers
        ) as resp:
            assert resp.status == 403
            assert (await resp.json())["msg"] == "signature mismatch"
    assert fake.requests[-1].rejected == "signature mismatch"
    assert fake.requests[-1].body == b'{"size":100}'


async def test_spec_hook_is_called_at_start_never_on_traffic(fake: FakeExchange) -> None:
    assert Calls.fake_exchanges == 1
    async with pybotters.Client(apis=APIS) as client:
        for _ in range(3):
            await client.fetch("GET", f"{REST}/private/balance")
    assert Calls.fake_exchanges == 1


async def test_spec_none_makes_a_plain_scripted_server(hmacex_plugin: type[Calls]) -> None:
    async with FakeExchange("hmacex", apis=APIS, spec=None) as fake:
        assert Calls.fake_exchanges == 0
        fake.route("GET", "/private/balance", {"jpy": 1})
        async with pybotters.Client() as client:
            result = await client.fetch("GET", f"{REST}/private/balance")
        assert result.response.status == 200
        assert "public.hmacex.test" not in fake.hosts


async def test_explicit_spec_for_an_exchange_without_plugin() -> None:
    spec = FakeExchangeSpec(
        name="solo", verify_http=lambda request, lookup: "always refused", hosts=("api.solo.test",)
    )
    async with FakeExchange("solo", spec=spec) as fake:
        fake.route("GET", "/x", {})
        async with pybotters.Client() as client:
            result = await client.fetch("GET", "https://api.solo.test/x")
    assert (result.response.status, result.data) == (401, {"error": "always refused"})


async def test_verifier_error_fails_the_fake(hmacex_plugin: type[Calls]) -> None:
    def broken(request: FakeRequest, lookup: SecretLookup) -> str | None:
        raise RuntimeError("verifier bug")

    fake = await FakeExchange(
        "hmacex", spec=FakeExchangeSpec(name="hmacex", verify_http=broken)
    ).start()
    async with pybotters.Client() as client:
        result = await client.fetch("GET", f"{REST}/public/ticker")
    assert result.response.status == 500
    with pytest.raises(AssertionError, match="verifier bug"):
        await fake.close()


def test_two_plugins_contributing_one_exchange_is_an_error(hmacex_plugin: type[Calls]) -> None:
    @hookimpl
    def pybotters_fake_exchanges() -> list[FakeExchangeSpec]:
        return [FakeExchangeSpec(name="hmacex")]

    other = host.register(
        SimpleNamespace(__name__="other", pybotters_fake_exchanges=pybotters_fake_exchanges),
        name="other_fake_plugin",
    )
    try:
        with pytest.raises(pybotters.PluginError, match="hmacex_plugin") as info:
            FakeExchange("hmacex")
        assert "other_fake_plugin" in str(info.value)
    finally:
        host.unregister(other)


@pytest.mark.parametrize(
    ("returned", "error"),
    [([object()], "returned object; it must return FakeExchangeSpec"), (None, "raised TypeError")],
)
def test_bad_spec_hooks_are_reported(returned: Any, error: str) -> None:
    @hookimpl
    def pybotters_fake_exchanges() -> Sequence[Any]:
        return returned

    name = host.register(
        SimpleNamespace(__name__="bad", pybotters_fake_exchanges=pybotters_fake_exchanges),
        name="bad_fake_plugin",
    )
    try:
        with pytest.raises(pybotters.PluginError, match=error) as info:
            FakeExchange("anything", hosts=["api.any.test"])
        assert "bad_fake_plugin" in str(info.value)
    finally:
        host.unregister(name)


# -- WebSocket ---------------------------------------------------------------------------------


async def test_ws_login_flow_with_the_plugin_authenticator(fake: FakeExchange) -> None:
    """The plugin's own authenticator against its spec, on a plain aiohttp connection."""
    from yarl import URL

    async with pybotters.Client(apis=APIS) as client:
        credential = Credential("hmacex", *APIS["hmacex"])
        async with client.session.ws_connect(STREAM, **WS_TIMEOUT) as ws:
            await asyncio.wait_for(
                login(WebSocketAuth(cast(Any, ws), URL(STREAM), credential, 1_700_000_000.0)), 5
            )
        bad = Credential("hmacex", "hmacex-key-0001", "wrong")
        async with client.session.ws_connect(STREAM, **WS_TIMEOUT) as ws:
            with pytest.raises(pybotters.WebSocketAuthError, match="bad signature"):
                await asyncio.wait_for(
                    login(WebSocketAuth(cast(Any, ws), URL(STREAM), bad, 1_700_000_000.0)), 5
                )
            closing = await ws.receive()
            assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4001)
    good, refused = fake.websocket("/ws").sessions
    assert good.state == {"api_name": "hmacex"}
    assert refused.state == {}


async def test_ws_connect_logs_in_subscribes_and_gets_pushes(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    endpoint.on_message(
        {"op": "subscribe", "channel": "private.orders"},
        {"channel": "private.orders", "data": [{"id": "O-1", "status": "new"}]},
    )
    received: list[Any] = []
    arrived = asyncio.Event()

    def handler(message: Any, ws: aiohttp.ClientWebSocketResponse) -> None:
        received.append(message)
        if message.get("data"):
            arrived.set()

    async with pybotters.Client(apis=APIS) as client:
        app = await client.ws_connect(
            STREAM,
            send_json={"op": "subscribe", "channel": "private.orders"},
            hdlr_json=handler,
            backoff=FAST_BACKOFF,
        )
        session = await endpoint.wait_session()
        await asyncio.wait_for(arrived.wait(), 5)
        assert session.state == {"api_name": "hmacex"}
        assert session.received[0]["op"] == "login"
        assert session.received[1] == {"op": "subscribe", "channel": "private.orders"}
        await endpoint.send(
            {"channel": "private.orders", "data": [{"id": "O-1", "status": "done"}]}
        )
        await session.wait_message({"op": "subscribe"})
        while len(received) < 4:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 5)
        await app.close()
    assert received == [
        {"op": "login", "ok": True},
        {"op": "subscribe", "ok": True, "channel": "private.orders"},
        {"channel": "private.orders", "data": [{"id": "O-1", "status": "new"}]},
        {"channel": "private.orders", "data": [{"id": "O-1", "status": "done"}]},
    ]


async def test_ws_refused_login_is_reported_by_the_client(
    fake: FakeExchange, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = fake.websocket("/ws")
    wrong = {"hmacex": ["hmacex-key-0001", "wrong-secret"]}
    with caplog.at_level(logging.ERROR, logger="pybotters"):
        async with pybotters.Client(apis=wrong) as client:
            app = client.ws_connect(STREAM, backoff=FAST_BACKOFF)
            session = await endpoint.wait_session()
            await session.wait_message({"op": "login"})
            second = await endpoint.wait_session()  # the refused login closed the connection
            await app.close()
    assert session.state == {}
    assert second is not session
    assert "login refused: bad signature" in caplog.text
    assert "wrong-secret" not in caplog.text


@cuts_tls_connections
async def test_ws_drop_makes_the_client_reconnect_and_resubscribe(fake: FakeExchange) -> None:
    endpoint = fake.websocket("/ws")
    endpoint.on_message({"op": "subscribe"}, {"snapshot": True})
    snapshots = 0
    got_snapshot = asyncio.Event()

    def handler(message: Any, ws: aiohttp.ClientWebSocketResponse) -> None:
        nonlocal snapshots
        if message.get("snapshot"):
            snapshots += 1
            got_snapshot.set()

    async with pybotters.Client(apis=APIS) as client:
        app = await client.ws_connect(
            STREAM,
            send_json={"op": "subscribe", "channel": "public.trades"},
            hdlr_json=handler,
            backoff=FAST_BACKOFF,
        )
        first = await endpoint.wait_session()
        await asyncio.wait_for(got_snapshot.wait(), 5)
        got_snapshot.clear()
        assert await endpoint.drop() == 1  # a network failure: no close frame
        second = await endpoint.wait_session()
        await asyncio.wait_for(got_snapshot.wait(), 5)
        got_snapshot.clear()
        assert await endpoint.drop(close_code=1012) == 1  # a clean "service restart"
        third = await endpoint.wait_session()
        await asyncio.wait_for(got_snapshot.wait(), 5)
        await app.close()
    gc.collect()  # see cuts_tls_connections
    assert snapshots == 3
    for session in (first, second, third):
        assert session.state == {"api_name": "hmacex"}
        assert [m["op"] for m in session.received] == ["login", "subscribe"]
    assert third.closed


async def test_ws_ping_reply_from_the_spec(fake: FakeExchange) -> None:
    async with (
        pybotters.Client() as client,
        client.session.ws_connect(STREAM, **WS_TIMEOUT) as ws,
    ):
        await ws.send_str("ping")
        assert await ws.receive_str() == "pong"
        await ws.send_json({"op": "subscribe", "channel": "private.orders"})
        assert (await ws.receive_json())["reason"] == "login first"
