"""Shared fixtures: in-process fake exchange plugins registered on the real plugin host."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from pybotters._plugins import host
from pybotters.hookspecs import PLUGIN_API, Credential, Exchange, SignRequest, hookimpl


def hmac_sign(request: SignRequest, credential: Credential) -> None:
    """A simple exchange signature: hex HMAC of timestamp + method + path?query + body."""
    ts = str(int(request.timestamp * 1000))
    payload = ts + request.method + request.url.raw_path_qs + (request.body or b"").decode()
    request.headers["X-KEY"] = credential.key
    request.headers["X-TS"] = ts
    request.headers["X-SIGN"] = hmac.new(
        credential.secret.encode(), payload.encode(), hashlib.sha256
    ).hexdigest()


def make_exchange(**overrides: Any) -> Exchange:
    fields: dict[str, Any] = {
        "name": "fakex",
        "plugin_api": PLUGIN_API,
        "http_hosts": {"api.fakex.test": "fakex"},
        "ws_hosts": {"ws.fakex.test": "fakex"},
        "api_names": ("fakex",),
        "sign": hmac_sign,
    }
    fields.update(overrides)
    return Exchange(**fields)


@pytest.fixture
def register_plugin() -> Iterator[Callable[..., str]]:
    """Register in-process plugins that return the given exchanges; unregistered afterwards."""
    names: list[str] = []

    def register(*exchanges: Exchange, name: str | None = None, **hooks: Any) -> str:
        namespace = SimpleNamespace(__name__=name or f"fake_plugin_{len(names)}")

        @hookimpl
        def pybotters_exchanges() -> list[Exchange]:
            return list(exchanges)

        namespace.pybotters_exchanges = pybotters_exchanges
        for hook_name, function in hooks.items():
            setattr(namespace, hook_name, function)
        plugin_name = host.register(namespace, name=namespace.__name__)
        names.append(plugin_name)
        return plugin_name

    try:
        yield register
    finally:
        for plugin_name in names:
            host.unregister(plugin_name)


@pytest.fixture
def fakex_exchange(register_plugin: Callable[..., str]) -> Exchange:
    exchange = make_exchange()
    register_plugin(exchange, name="fakex_plugin")
    return exchange


class RecordingServer:
    """A local HTTPS + HTTP server that records every request and answers as scripted.

    Every host name is routed to it by :meth:`connector`, so tests can use real exchange-like
    URLs (``https://api.fakex.test/...``) without any network.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: dict[str, tuple[int, str, str]] = {}
        self.https_port = 0
        self.http_port = 0
        self._client_ssl: Any = None
        self._runner: Any = None

    def respond(
        self, path: str, body: str, content_type: str = "application/json", status: int = 200
    ) -> None:
        self.responses[path] = (status, body, content_type)

    async def start(self) -> None:
        import socket
        import ssl

        import trustme
        from aiohttp import web

        ca = trustme.CA()
        cert = ca.issue_cert(
            "example.test",
            "base.test",
            "other.test",
            "api.fakex.test",
            "ws.fakex.test",
            "api.fakex.test.evil.example",
        )
        server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server_ssl)
        self._client_ssl = ssl.create_default_context()
        ca.configure_trust(self._client_ssl)

        async def handler(request: web.Request) -> web.Response:
            self.requests.append(
                {
                    "method": request.method,
                    "scheme": request.scheme,
                    "host": request.host,
                    "path_qs": request.raw_path,
                    "headers": dict(request.headers),
                    "body": await request.read(),
                }
            )
            status, body, content_type = self.responses.get(
                request.path, (200, '{"ok": true}', "application/json")
            )
            return web.Response(status=status, text=body, content_type=content_type)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        https = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=server_ssl)
        http = web.TCPSite(self._runner, "127.0.0.1", 0)
        await https.start()
        await http.start()
        self.https_port = https._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.http_port = http._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._family = socket.AF_INET

    def connector(self) -> Any:
        import socket

        import aiohttp
        from aiohttp.abc import AbstractResolver

        server = self

        class Resolver(AbstractResolver):
            async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[Any]:
                local = server.https_port if port == 443 else server.http_port
                return [
                    {
                        "hostname": host,
                        "host": "127.0.0.1",
                        "port": local,
                        "family": socket.AF_INET,
                        "proto": 0,
                        "flags": socket.AI_NUMERICHOST,
                    }
                ]

            async def close(self) -> None:
                pass

        return aiohttp.TCPConnector(resolver=Resolver(), ssl=self._client_ssl)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def server() -> Any:
    recording = RecordingServer()
    await recording.start()
    try:
        yield recording
    finally:
        await recording.close()
