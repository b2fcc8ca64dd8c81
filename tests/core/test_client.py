"""The HTTP Client: URL building, data encoding, signing through plugins, fetch.

Requests go to a real local HTTPS server (tests/conftest.py) that every host name is routed to.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp
import pytest

import pybotters
from pybotters import _clock
from pybotters.hookspecs import Exchange
from tests.conftest import RecordingServer, make_exchange

SECRET = "s3cr3t-value-never-printed"
APIS = {"fakex": ["key-1234567890", SECRET]}


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(_clock, "now", lambda: 1_700_000_000.123)
    return 1_700_000_000.123


def client(server: RecordingServer, **kwargs: Any) -> pybotters.Client:
    return pybotters.Client(connector=server.connector(), **kwargs)


def expected_sign(ts: str, method: str, path_qs: str, body: str) -> str:
    payload = ts + method + path_qs + body
    return hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()


async def test_fetch_decodes_json(server: RecordingServer) -> None:
    server.respond("/v1/x", '{"a": 1}')
    async with client(server) as c:
        result = await c.fetch("GET", "https://example.test/v1/x")
    assert result.response.status == 200
    assert result.data == {"a": 1}
    assert json.loads(result.text) == {"a": 1}


async def test_fetch_not_json_is_falsy(server: RecordingServer) -> None:
    server.respond("/html", "<html>hi</html>", content_type="text/html")
    async with client(server) as c:
        result = await c.fetch("GET", "https://example.test/html")
    assert not result.data
    assert isinstance(result.data, pybotters.NotJSONContent)
    assert result.text == "<html>hi</html>"
    assert "NotJSONContent" in repr(result.data)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
async def test_method_helpers_are_context_managers(server: RecordingServer, method: str) -> None:
    server.respond("/m", '{"m": 1}')
    async with client(server) as c, getattr(c, method)("https://example.test/m") as resp:
        assert resp.status == 200
        assert await resp.json() == {"m": 1}
    assert server.requests[0]["method"] == method.upper()


async def test_request_is_awaitable(server: RecordingServer) -> None:
    server.respond("/a", "[1]")
    async with client(server) as c:
        resp = await c.request("GET", "https://example.test/a")
        assert await resp.json() == [1]
        resp.release()


async def test_base_url_only_for_relative(server: RecordingServer) -> None:
    async with client(server, base_url="https://base.test") as c:
        await c.fetch("GET", "/v1/getticker")
        await c.fetch("GET", "https://other.test/abs")
    seen = [(r["host"], r["path_qs"]) for r in server.requests]
    assert seen == [("base.test", "/v1/getticker"), ("other.test", "/abs")]


async def test_params_merged_with_query(server: RecordingServer) -> None:
    async with client(server) as c:
        await c.fetch("GET", "https://example.test/q?a=1", params={"b": 2})
    assert server.requests[0]["path_qs"] == "/q?a=1&b=2"


async def test_json_kwarg_refused(server: RecordingServer) -> None:
    async with client(server) as c:
        with pytest.raises(TypeError, match="data="):
            c.request("POST", "https://example.test/", json={"a": 1})
    assert server.requests == []


async def test_user_agent_default_and_override(server: RecordingServer) -> None:
    async with client(server) as c:
        await c.fetch("GET", "https://example.test/ua")
    async with client(server, headers={"User-Agent": "mybot/1"}) as c:
        await c.fetch("GET", "https://example.test/ua")
    agents = [r["headers"]["User-Agent"] for r in server.requests]
    assert agents[0].startswith(f"pybotters/{pybotters.__version__}")
    assert agents[1] == "mybot/1"


async def test_session_kwargs_pass_through() -> None:
    async with pybotters.Client(timeout=aiohttp.ClientTimeout(total=3)) as c:
        assert c.session.timeout.total == 3


async def test_signed_get(
    server: RecordingServer, fakex_exchange: Exchange, frozen_clock: float
) -> None:
    async with client(server, apis=APIS) as c:
        await c.fetch("GET", "https://api.fakex.test/v1/me", params={"x": 1})
    headers = server.requests[0]["headers"]
    assert server.requests[0]["path_qs"] == "/v1/me?x=1"
    assert headers["X-KEY"] == "key-1234567890"
    assert headers["X-TS"] == "1700000000123"
    assert headers["X-SIGN"] == expected_sign("1700000000123", "GET", "/v1/me?x=1", "")


async def test_signed_post_encodes_json_and_keeps_caller_data(
    server: RecordingServer, fakex_exchange: Exchange, frozen_clock: float
) -> None:
    data = {"size": 0.01, "side": "BUY"}
    headers = {"X-Custom": "1"}
    async with client(server, apis=APIS) as c:
        await c.fetch("POST", "https://api.fakex.test/v1/order", data=data, headers=headers)
    sent = server.requests[0]
    assert json.loads(sent["body"]) == data
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["X-Custom"] == "1"
    assert sent["headers"]["X-SIGN"] == expected_sign(
        "1700000000123", "POST", "/v1/order", sent["body"].decode()
    )
    assert data == {"size": 0.01, "side": "BUY"}
    assert headers == {"X-Custom": "1"}


async def test_signed_request_does_not_follow_redirects(
    server: RecordingServer, fakex_exchange: Exchange
) -> None:
    server.respond("/moved", "", status=302)
    async with client(server, apis=APIS) as c:
        result = await c.fetch("GET", "https://api.fakex.test/moved")
    assert result.response.status == 302
    assert len(server.requests) == 1


async def test_custom_encoder_used(server: RecordingServer, register_plugin: Any) -> None:
    register_plugin(
        make_exchange(encode_data=lambda d: (b"form=1", "application/x-www-form-urlencoded"))
    )
    async with client(server, apis=APIS) as c:
        await c.fetch("POST", "https://api.fakex.test/f", data={"a": 1})
    assert server.requests[0]["body"] == b"form=1"
    assert server.requests[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


async def test_auth_none_sends_unsigned(server: RecordingServer, fakex_exchange: Exchange) -> None:
    async with client(server, apis=APIS) as c:
        await c.fetch("GET", "https://api.fakex.test/v1/me", auth=None)
    assert "X-SIGN" not in server.requests[0]["headers"]


async def test_unknown_host_untouched(server: RecordingServer, fakex_exchange: Exchange) -> None:
    async with client(server, apis=APIS) as c:
        await c.fetch("POST", "https://api.fakex.test.evil.example/v1/me", data={"a": "b"})
    sent = server.requests[0]
    assert "X-SIGN" not in sent["headers"]
    assert sent["body"] == b"a=b"  # aiohttp's own form encoding, untouched by pybotters


async def test_no_credential_sends_unsigned(
    server: RecordingServer, fakex_exchange: Exchange
) -> None:
    async with client(server, apis={}) as c:
        await c.fetch("GET", "https://api.fakex.test/public")
    assert "X-SIGN" not in server.requests[0]["headers"]


async def test_plain_http_not_signed(server: RecordingServer, fakex_exchange: Exchange) -> None:
    async with client(server, apis=APIS) as c:
        with pytest.warns(pybotters.InsecureSigningWarning, match="unsigned"):
            await c.fetch("GET", "http://api.fakex.test/v1/me")
    assert "X-SIGN" not in server.requests[0]["headers"]
    async with client(server, apis=APIS, insecure_signing=True) as c:
        await c.fetch("GET", "http://api.fakex.test/v1/me")
    assert "X-SIGN" in server.requests[1]["headers"]


async def test_malformed_credential_warns_then_refuses(
    server: RecordingServer, register_plugin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    register_plugin(make_exchange(credential_items={"fakex": 3}))
    caplog.set_level(logging.DEBUG)
    with pytest.warns(UserWarning, match=r"apis\['fakex'\] is malformed.*passphrase") as rec:
        c = client(server, apis=APIS)
    async with c:
        with pytest.raises(pybotters.CredentialsError, match="fakex") as err:
            await c.fetch("GET", "https://api.fakex.test/v1/me")
        texts = [str(w.message) for w in rec] + [str(err.value), caplog.text, repr(c)]
    assert all(SECRET not in text for text in texts)
    assert server.requests == []


async def test_select_api_name(server: RecordingServer, register_plugin: Any) -> None:
    def select(request: Any, default: str) -> str:
        return "fakex_demo" if request.headers.get("x-demo") == "1" else default

    register_plugin(make_exchange(api_names=("fakex", "fakex_demo"), select_api_name=select))
    apis = {"fakex": ["live-key", SECRET], "fakex_demo": ["demo-key", SECRET]}
    async with client(server, apis=apis) as c:
        await c.fetch("GET", "https://api.fakex.test/a")
        await c.fetch("GET", "https://api.fakex.test/a", headers={"x-demo": "1"})
    assert [r["headers"]["X-KEY"] for r in server.requests] == ["live-key", "demo-key"]


async def test_repr_has_no_secret(fakex_exchange: Exchange) -> None:
    async with pybotters.Client(apis=APIS) as c:
        text = repr(c) + repr(c._credentials) + repr(c._credentials.get("fakex"))
    assert SECRET not in text
    assert "key-1234567890" not in text
    assert "fakex" in text


async def test_connector_hook(register_plugin: Any) -> None:
    from pybotters.hookspecs import hookimpl

    made: list[aiohttp.BaseConnector] = []

    @hookimpl
    def pybotters_client_connector() -> aiohttp.BaseConnector:
        connector = aiohttp.TCPConnector(limit=7)
        made.append(connector)
        return connector

    register_plugin(pybotters_client_connector=pybotters_client_connector)
    async with pybotters.Client() as c:
        assert c.session.connector is made[0]


async def test_session_headers_take_part_in_selection(
    server: RecordingServer, register_plugin: Any
) -> None:
    def select(request: Any, default: str) -> str:
        return "fakex_demo" if request.headers.get("x-demo") == "1" else default

    register_plugin(make_exchange(api_names=("fakex", "fakex_demo"), select_api_name=select))
    apis = {"fakex": ["live-key", SECRET], "fakex_demo": ["demo-key", SECRET]}
    async with client(server, apis=apis, headers={"x-demo": "1"}) as c:
        await c.fetch("GET", "https://api.fakex.test/a")
    assert server.requests[0]["headers"]["X-KEY"] == "demo-key"
