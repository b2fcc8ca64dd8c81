"""Credential safety: credentials go only to the exact registered hosts over TLS, never follow a
redirect, and never appear in a repr, a log line (at any level), a warning, an exception or the
``pybotters`` command's output.

A recording server on 127.0.0.1 stands in for every host name (TLS from a throwaway CA whose
certificate names the real hosts and every look-alike), so what a request would carry to each
host is observed exactly, with no network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import ssl
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import pybotters
from pybotters.ws import WebSocketApp

from .conftest import until
from .rawws import routed_connector

pytestmark = pytest.mark.usefixtures("no_leftovers")

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ex:
    name: str
    http_host: str
    ws_host: str
    ws_path: str
    key: str
    secret: str
    passphrase: str | None
    sign_headers: tuple[str, ...]
    private_get: str
    subscribe: Any

    @property
    def apis(self) -> dict[str, list[str]]:
        items = [self.key, self.secret]
        if self.passphrase is not None:
            items.append(self.passphrase)
        return {self.name: items}

    @property
    def hidden(self) -> list[str]:
        """What must never be shown: the secret and the passphrase."""
        return [s for s in (self.secret, self.passphrase) if s is not None]


EXCHANGES = {
    "bitflyer": Ex(
        "bitflyer",
        "api.bitflyer.com",
        "ws.lightstream.bitflyer.com",
        "/json-rpc",
        "bf-KEY-0001-visible",
        "bf-SECRET-7f3a-must-never-leak",
        None,
        ("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP"),
        "/v1/me/getbalance",
        {"method": "subscribe", "params": {"channel": "child_order_events"}, "id": 1},
    ),
    "bybit": Ex(
        "bybit",
        "api.bybit.com",
        "stream.bybit.com",
        "/v5/private",
        "by-KEY-0001-visible",
        "by-SECRET-91c2-must-never-leak",
        None,
        ("X-BAPI-API-KEY", "X-BAPI-SIGN", "X-BAPI-TIMESTAMP"),
        "/v5/account/wallet-balance?accountType=UNIFIED",
        {"op": "subscribe", "args": ["order"]},
    ),
    "okx": Ex(
        "okx",
        "www.okx.com",
        "ws.okx.com",
        "/ws/v5/private",
        "okx-KEY-0001-visible",
        "okx-SECRET-55aa-must-never-leak",
        "okx-PASSPHRASE-0b1d-must-never-leak",
        ("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-PASSPHRASE"),
        "/api/v5/account/balance",
        {"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]},
    ),
}
ALL_APIS = {name: items for ex in EXCHANGES.values() for name, items in ex.apis.items()}
EVERY_SECRET = [s for ex in EXCHANGES.values() for s in ex.hidden]


HOMOGLYPHS = {"a": "\u0430", "o": "\u043e", "e": "\u0435", "p": "\u0440", "c": "\u0441"}
"""Latin letters and the Cyrillic letters that look the same."""


def lookalikes(host: str) -> dict[str, str]:
    """Host spellings that are not ``host`` (URL authority -> why it is a look-alike)."""
    first, _, rest = host.partition(".")
    index = next(i for i, char in enumerate(host) if char in HOMOGLYPHS)
    homograph = host[:index] + HOMOGLYPHS[host[index]] + host[index + 1 :]
    found = {
        f"{host}.evil.example": "suffix",
        f"{host.upper()}.EVIL.EXAMPLE": "suffix, upper case",
        f"{host}.evil.example:443": "suffix with a port",
        f"{host}@evil.example": "userinfo",
        f"{host}:443@evil.example": "userinfo with a port",
        f"{host}.": "trailing dot",
        homograph: "IDN homograph",
        homograph.encode("idna").decode(): "IDN homograph, punycode",
        f"sub.{host}": "subdomain",
        f"x{host}": "prefix",
        f"{first}-{rest}": "dash instead of dot",
        host.rsplit(".", 1)[0] + ".co": "other top-level domain",
    }
    assert not set(found) & set(genuine(host))
    return found


def genuine(host: str) -> dict[str, str]:
    """Spellings of ``host`` itself: the same DNS name, and TLS verifies the certificate."""
    return {
        host: "exact",
        host.upper(): "upper case (DNS names are case-insensitive)",
        f"{host}:8443": "another port (the certificate still names the host)",
        f"user@{host}": "userinfo before the real host",
    }


def cert_names() -> list[str]:
    names: set[str] = {"evil.example", "*.evil.example"}
    for ex in EXCHANGES.values():
        for host in (ex.http_host, ex.ws_host):
            names.add(host)
            for authority in lookalikes(host):
                name = authority.rsplit("@", 1)[-1].split(":")[0].rstrip(".").lower()
                names.add(name.encode("idna").decode() if not name.isascii() else name)
    return sorted(names)


# -- the recording server -------------------------------------------------------------------


@dataclass
class Seen:
    scheme: str
    host: str
    path: str
    headers: dict[str, str]
    body: bytes
    ws_messages: list[Any] = field(default_factory=list)

    @property
    def text(self) -> str:
        return json.dumps([self.path, self.headers, self.body.decode(errors="replace")])


LOGIN_REPLIES = {
    "method": {"jsonrpc": "2.0", "id": "auth", "result": True},  # bitFlyer
    "auth": {"op": "auth", "success": True},  # Bybit
    "login": {"event": "login", "code": "0", "msg": ""},  # OKX
}


def login_reply(message: Any) -> Any:
    if not isinstance(message, dict):
        return None
    if message.get("method") == "auth":
        return LOGIN_REPLIES["method"]
    if message.get("op") == "auth":
        return LOGIN_REPLIES["auth"]
    if message.get("op") == "login":
        return LOGIN_REPLIES["login"]
    return None


class Recording:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.tls_port = 0
        self.plain_port = 0
        self.client_ssl: ssl.SSLContext | None = None
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()

    async def start(self) -> None:
        import trustme

        ca = trustme.CA()
        server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*cert_names()).configure_cert(server_ssl)
        self.client_ssl = ssl.create_default_context()
        ca.configure_trust(self.client_ssl)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        tls = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=server_ssl)
        plain = web.TCPSite(self._runner, "127.0.0.1", 0)
        await tls.start()
        await plain.start()
        self.tls_port = tls._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.plain_port = plain._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def client(self, **kwargs: Any) -> pybotters.Client:
        connector = routed_connector(self.tls_port, self.client_ssl, plain_port=self.plain_port)
        return pybotters.Client(apis=kwargs.pop("apis", ALL_APIS), connector=connector, **kwargs)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(
            "https" if request.secure else "http",
            request.host,
            request.path_qs,
            dict(request.headers),
            await request.read(),
        )
        self.seen.append(seen)
        self._changed.set()
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    seen.ws_messages.append(json.loads(msg.data))
                    self._changed.set()
                    reply = login_reply(seen.ws_messages[-1])
                    if reply is not None:
                        await ws.send_json(reply)
            return ws
        if request.path == "/redirect":
            raise web.HTTPFound("https://evil.example/steal")
        return web.json_response({"ok": True})

    async def wait_for(self, predicate: Any, what: str) -> None:
        async def poll() -> None:
            while not predicate():
                self._changed.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.01)

        try:
            await asyncio.wait_for(poll(), 5)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}: {self.seen!r}") from None


@pytest.fixture
async def recording() -> AsyncIterator[Recording]:
    server = Recording()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def signed(seen: Seen, ex: Ex) -> bool:
    present = [h for h in ex.sign_headers if h in seen.headers]
    assert present in ([], list(ex.sign_headers)), f"partly signed: {seen.headers}"
    return bool(present)


def carries_credentials(seen: Seen) -> bool:
    text = seen.text
    return any(value in text for ex in EXCHANGES.values() for value in (ex.key, *ex.hidden))


# -- HTTP: exact hosts only ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_http_credentials_go_to_the_exact_host_only(recording: Recording, name: str) -> None:
    ex = EXCHANGES[name]
    async with recording.client() as client:
        for authority, why in {**genuine(ex.http_host), **lookalikes(ex.http_host)}.items():
            before = len(recording.seen)
            async with client.get(f"https://{authority}{ex.private_get}") as resp:
                assert resp.status == 200
            seen = recording.seen[before]
            if authority in genuine(ex.http_host):
                assert signed(seen, ex), f"{authority} ({why}) should be signed"
                assert ex.secret not in seen.text, "the secret itself was sent"
            else:
                assert not signed(seen, ex), f"{authority} ({why}) was signed"
                assert not carries_credentials(seen), f"{authority} ({why}) got a credential"


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_plain_http_is_sent_unsigned_with_a_warning(recording: Recording, name: str) -> None:
    ex = EXCHANGES[name]
    url = f"http://{ex.http_host}{ex.private_get}"
    async with recording.client() as client:
        with pytest.warns(pybotters.InsecureSigningWarning, match="only sent over https") as rec:
            async with client.get(url) as resp:
                assert resp.status == 200
        assert rec[0].filename == __file__  # the warning points at the caller's line
        assert recording.seen[-1].scheme == "http"
        assert not signed(recording.seen[-1], ex)
        assert not carries_credentials(recording.seen[-1])
        assert not any(s in str(rec[0].message) for s in EVERY_SECRET)
    async with recording.client(insecure_signing=True) as client:  # for local test servers
        async with client.get(url) as resp:
            assert resp.status == 200
        assert signed(recording.seen[-1], ex)


# -- redirects -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_signed_request_never_follows_a_redirect(recording: Recording, name: str) -> None:
    ex = EXCHANGES[name]
    url = f"https://{ex.http_host}/redirect"
    async with recording.client() as client:
        async with client.get(url) as resp:  # not followed: the 302 is the answer
            assert resp.status == 302
            assert resp.headers["Location"] == "https://evil.example/steal"
        assert [s.host for s in recording.seen] == [ex.http_host]
        with pytest.raises(ValueError, match="cannot follow redirects") as error:
            client.get(url, allow_redirects=True)
        assert len(recording.seen) == 1  # refused before anything was sent
        assert "auth=None" in str(error.value)
        assert not any(s in str(error.value) for s in EVERY_SECRET)
        # an unsigned request may follow it: nothing of the credential goes anywhere
        async with client.get(url, auth=None, allow_redirects=True) as resp:
            assert resp.status == 200
        assert [s.host for s in recording.seen[1:]] == [ex.http_host, "evil.example"]
        assert not any(carries_credentials(s) for s in recording.seen[1:])


async def test_aiohttp_forwards_custom_headers_on_a_cross_host_redirect(
    recording: Recording,
) -> None:
    """Why signed requests refuse ``allow_redirects=True``: aiohttp drops only Authorization
    and Cookie when a redirect leaves the origin, so exchange signature headers (an OKX
    passphrase among them) would reach the other host."""
    connector = routed_connector(recording.tls_port, recording.client_ssl)
    async with aiohttp.ClientSession(connector=connector) as session:
        headers = {"OK-ACCESS-PASSPHRASE": "would-leak"}
        async with session.get(
            "https://www.okx.com/redirect", headers=headers, allow_redirects=True
        ) as resp:
            assert resp.status == 200
    assert recording.seen[-1].host == "evil.example"
    assert recording.seen[-1].headers.get("OK-ACCESS-PASSPHRASE") == "would-leak"


# -- WebSocket: exact hosts only ----------------------------------------------------------------


async def first_messages(recording: Recording, client: pybotters.Client, url: str) -> list[Any]:
    """Connect to ``url`` with a subscription; return what the server got on that connection."""
    before = len(recording.seen)
    app = client.ws_connect(url, send_json={"op": "subscribe"}, backoff=(0.01, 0.02, 1.5, 0.01))
    await asyncio.wait_for(app, 5)
    seen = recording.seen[before]
    await recording.wait_for(lambda: {"op": "subscribe"} in seen.ws_messages, "the subscription")
    await app.close()
    return seen.ws_messages


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_websocket_login_only_on_the_exact_host(
    recording: Recording, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WebSocketApp, "auth_timeout", 1.0)
    ex = EXCHANGES[name]
    async with recording.client() as client:
        for authority, why in {**genuine(ex.ws_host), **lookalikes(ex.ws_host)}.items():
            messages = await first_messages(recording, client, f"wss://{authority}{ex.ws_path}")
            logged_in = login_reply(messages[0]) is not None
            assert logged_in == (authority in genuine(ex.ws_host)), f"{authority} ({why})"
            if not logged_in:
                assert ex.key not in json.dumps(messages)


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_plain_ws_connects_without_login_and_warns(recording: Recording, name: str) -> None:
    ex = EXCHANGES[name]
    url = f"ws://{ex.ws_host}{ex.ws_path}"
    async with recording.client() as client:
        with pytest.warns(pybotters.InsecureSigningWarning, match="not TLS"):
            messages = await first_messages(recording, client, url)
        assert messages == [{"op": "subscribe"}]
    async with recording.client(insecure_signing=True) as client:
        messages = await first_messages(recording, client, url)
        assert login_reply(messages[0]) is not None


# -- nothing secret in reprs, logs, warnings, exceptions ------------------------------------------

PRIVATE_POST = {
    "bitflyer": ("/v1/me/sendchildorder", {"product_code": "BTC_JPY", "size": 0.01}),
    "bybit": ("/v5/order/create", {"category": "linear", "symbol": "BTCUSDT", "qty": "0.01"}),
    "okx": ("/api/v5/trade/order", {"instId": "BTC-USDT", "sz": "0.01"}),
}
WS_URLS = {
    "bitflyer": "wss://ws.lightstream.bitflyer.com/json-rpc",
    "bybit": "wss://stream.bybit.com/v5/private",
    "okx": "wss://ws.okx.com:8443/ws/v5/private",
}
ACCEPTED = {
    "bitflyer": lambda m: isinstance(m, dict) and m.get("id") == 1 and m.get("result") is True,
    "bybit": lambda m: (
        isinstance(m, dict) and m.get("op") == "subscribe" and m.get("success") is True
    ),
    "okx": lambda m: isinstance(m, dict) and m.get("event") == "subscribe",
}


@pytest.mark.parametrize("name", sorted(EXCHANGES))
async def test_full_signed_flow_shows_no_secret_anywhere(
    start_fake_exchange: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    ex = EXCHANGES[name]
    wrong = "WRONG-secret-3e1d-must-never-leak"
    hidden = [*ex.hidden, wrong]
    caplog.set_level(logging.DEBUG)  # every logger, every level
    monkeypatch.setattr(WebSocketApp, "auth_timeout", 2.0)
    asyncio.get_running_loop().set_debug(True)  # asyncio's own debug logging too
    fake = await start_fake_exchange(name, apis=ex.apis)
    path, data = PRIVATE_POST[name]
    fake.route("*", path.split("?")[0], {"ok": True, "code": "0", "retCode": 0})
    fake.route("*", ex.private_get.split("?")[0], {"ok": True, "code": "0", "retCode": 0})
    endpoint = fake.websocket(ex.ws_path)
    shown: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with pybotters.Client(apis=ex.apis) as client:
            shown += [repr(client), str(client)]
            got: list[Any] = []
            for method, url, body in (
                ("GET", f"https://{ex.http_host}{ex.private_get}", None),
                ("POST", f"https://{ex.http_host}{path}", data),
            ):
                result = await client.fetch(method, url, data=body)
                assert result.response.status == 200, result.text  # the fake checked the sign
            app = client.ws_connect(
                WS_URLS[name], send_json=ex.subscribe, hdlr_json=lambda m, ws: got.append(m)
            )
            await asyncio.wait_for(app, 5)
            await until(lambda: any(map(ACCEPTED[name], got)), "the subscription accepted")
            store = getattr(
                pybotters,
                {"bitflyer": "bitFlyerDataStore"}.get(name, "")
                or {"bybit": "BybitDataStore", "okx": "OKXDataStore"}[name],
            )()
            shown += [repr(app), str(app), repr(store), *(repr(store[n]) for n in store)]
            shown += [repr(client._credentials), repr(client._credentials.get(name))]
        # a refused login (right key, wrong secret): reported, without any secret
        bad_apis = {name: [ex.key, wrong, *([ex.passphrase] if ex.passphrase else [])]}
        async with pybotters.Client(apis=bad_apis) as client:
            client.ws_connect(WS_URLS[name], send_json=ex.subscribe)
            await until(
                lambda: any("refused" in r.getMessage() for r in caplog.records), "the refusal"
            )
        # a malformed credential: a warning, then a CredentialsError when a request needs it
        too_many = {name: [ex.key, ex.secret, "extra-1", "extra-2"]}
        async with pybotters.Client(apis=too_many) as client:
            with pytest.raises(pybotters.CredentialsError) as error:
                client.get(f"https://{ex.http_host}{ex.private_get}")
            shown.append(str(error.value))
    assert len(endpoint.sessions) == 2
    assert any("refused" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    shown += [str(w.message) for w in caught]
    assert any("malformed" in text for text in shown)
    shown.append(caplog.text)
    for text in shown:
        for secret in hidden:
            assert secret not in text, f"{secret!r} shown in: {text[:300]!r}"


# -- the apis file and the command line -----------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
async def test_apis_file_readable_by_others_warns(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "apis.json"
    path.write_text(json.dumps(EXCHANGES["bitflyer"].apis))
    path.chmod(mode)
    with pytest.warns(UserWarning, match="readable by other users") as record:
        client = pybotters.Client(apis=str(path))
    await client.close()
    assert "chmod 600" in str(record[0].message)
    assert EXCHANGES["bitflyer"].secret not in str(record[0].message)


async def test_private_apis_file_does_not_warn(tmp_path: Path) -> None:
    path = tmp_path / "apis.json"
    path.write_text(json.dumps(EXCHANGES["bitflyer"].apis))
    path.chmod(0o600)
    async with pybotters.Client(apis=str(path)) as client:  # warnings are errors here
        assert "bitflyer" in repr(client)


async def test_unreadable_apis_file_errors_name_no_content(tmp_path: Path) -> None:
    path = tmp_path / "apis.json"
    secret = EXCHANGES["bitflyer"].secret
    path.write_text('{"bitflyer": ["KEY", "' + secret + '"')  # cut short: not JSON
    path.chmod(0o600)
    with pytest.raises(pybotters.CredentialsError, match="not valid JSON") as error:
        pybotters.Client(apis=str(path))
    assert secret not in str(error.value)
    path.write_text(json.dumps([secret]))
    with pytest.raises(pybotters.CredentialsError, match="JSON list") as error:
        pybotters.Client(apis=str(path))
    assert secret not in str(error.value)


def _run_cli(args: list[str], cwd: Path, env_apis: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYBOTTERS_APIS": str(env_apis)}
    return subprocess.run(
        [sys.executable, "-m", "pybotters", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line_output_shows_no_secret(tmp_path: Path) -> None:
    (tmp_path / "apis.json").write_text(json.dumps(ALL_APIS))
    (tmp_path / "apis.json").chmod(0o600)
    env_apis = tmp_path / "env-apis.json"
    env_apis.write_text(json.dumps(ALL_APIS))
    env_apis.chmod(0o600)
    malformed = tmp_path / "malformed.json"
    malformed.write_text(json.dumps({"bitflyer": ["KEY", EXCHANGES["bitflyer"].secret, "x"]}))
    malformed.chmod(0o600)
    runs = [
        _run_cli(["plugins"], tmp_path, env_apis),
        _run_cli(["plugins", "--json"], tmp_path, env_apis),
        # refused before anything is sent: the credential is malformed (3 items, needs 2)
        _run_cli(
            ["fetch", "GET", "https://api.bitflyer.com/v1/me/getbalance", "--apis", str(malformed)],
            tmp_path,
            env_apis,
        ),
    ]
    assert runs[0].returncode == 0 and "pybotters-bitflyer" in runs[0].stdout
    assert runs[1].returncode == 0 and json.loads(runs[1].stdout)
    assert runs[2].returncode == 1 and "unusable" in runs[2].stderr
    for run in runs:
        for secret in EVERY_SECRET:
            assert secret not in run.stdout + run.stderr, run
