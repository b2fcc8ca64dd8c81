"""A local aiohttp WebSocket server for tests, with a per-connection script.

Every host name is routed to it by :meth:`WSServer.connector`, so tests can connect to
exchange-like URLs (``ws://ws.fakex.test/ws`` or, with ``tls=True``, ``wss://...``) without any
network. Each accepted connection runs ``server.script(conn)`` (default: just record), then
keeps recording what the client sends until the connection closes.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult  # aiohttp >= 3.10; a plain dict before

__all__ = ["ServerConn", "WSServer", "app_tasks", "within", "ws_server"]

Script = Callable[["ServerConn"], Coroutine[Any, Any, None]]


async def within(awaitable: Any, timeout: float = 5.0) -> Any:
    """Await with a safety net, so that a broken app fails the test instead of hanging it."""
    return await asyncio.wait_for(asyncio.ensure_future(awaitable), timeout)


def app_tasks() -> list[asyncio.Task[Any]]:
    """Tasks started by WebSocketApps that are still alive."""
    names = ("WebSocketApp.", "_send_heartbeats")
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and getattr(task.get_coro(), "__qualname__", "").startswith(names)
    ]


class ServerConn:
    """One accepted connection: what the client sent, and ways to answer or drop it."""

    def __init__(self, server: WSServer, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.server = server
        self.request = request
        self.ws = ws
        self.path = request.path
        self.query = dict(request.query)
        self.received: list[str | bytes] = []
        self.pings = 0
        self.pongs: list[bytes] = []
        self.close_code: int | None = None
        self._inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<ServerConn {self.path} received={self.received!r}>"

    @property
    def received_json(self) -> list[Any]:
        out = []
        for item in self.received:
            try:
                out.append(orjson.loads(item))
            except orjson.JSONDecodeError:
                out.append(item)
        return out

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type is aiohttp.WSMsgType.TEXT or msg.type is aiohttp.WSMsgType.BINARY:
                    self.received.append(msg.data)
                    self._inbox.put_nowait(msg.data)
                elif msg.type is aiohttp.WSMsgType.PING:
                    self.pings += 1
                elif msg.type is aiohttp.WSMsgType.PONG:
                    self.pongs.append(bytes(msg.data))
                self.server.notify()
        finally:
            self.close_code = self.ws.close_code
            self._inbox.put_nowait(None)
            self.server.notify()

    async def receive(self) -> str | bytes:
        """The next TEXT/BINARY frame from the client; ConnectionError once it closed."""
        item = await self._inbox.get()
        if item is None:
            self._inbox.put_nowait(None)
            raise ConnectionError("the client closed the connection")
        return item

    async def receive_json(self) -> Any:
        return orjson.loads(await self.receive())

    async def send_str(self, text: str) -> None:
        await self.ws.send_str(text)

    async def send_bytes(self, data: bytes) -> None:
        await self.ws.send_bytes(data)

    async def send_json(self, obj: Any) -> None:
        await self.ws.send_str(orjson.dumps(obj).decode())

    async def ping(self, payload: bytes = b"") -> None:
        await self.ws.ping(payload)

    async def close(self, code: int = aiohttp.WSCloseCode.GOING_AWAY) -> None:
        """A clean close from the server side (as an exchange does before maintenance)."""
        await self.ws.close(code=code)

    def abort(self) -> None:
        """Cut the TCP connection without a close frame."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class WSServer:
    """A WebSocket server on 127.0.0.1 (random port), optionally with TLS for given hosts."""

    def __init__(self, *, tls: bool = False, hosts: Sequence[str] = ("ws.fakex.test",)) -> None:
        self.tls = tls
        self.hosts = list(hosts)
        self.script: Script | None = None
        self.autoping = True
        self.reject: int = 0
        """How many upcoming handshakes to refuse with HTTP 503."""
        self.rejected = 0
        self.connections: list[ServerConn] = []
        self.port = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._client_ssl: ssl.SSLContext | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        server_ssl = None
        if self.tls:
            import trustme

            ca = trustme.CA()
            server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert(*self.hosts).configure_cert(server_ssl)
            self._client_ssl = ssl.create_default_context()
            ca.configure_trust(self._client_ssl)
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=server_ssl)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for conn in self.connections:
            if not conn.ws.closed:
                conn.abort()
        if self._tasks:
            await asyncio.wait(self._tasks)
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str = "/ws", host: str = "127.0.0.1") -> str:
        scheme = "wss" if self.tls else "ws"
        if host == "127.0.0.1":
            return f"{scheme}://127.0.0.1:{self.port}{path}"
        return f"{scheme}://{host}{path}"  # routed by connector()

    def connector(self) -> aiohttp.TCPConnector:
        """A connector that sends every host name to this server."""
        return aiohttp.TCPConnector(resolver=_Resolver(self), ssl=self._client_ssl or True)

    # -- observation -------------------------------------------------------------------------

    def notify(self) -> None:
        self._changed.set()

    async def wait_until(
        self, predicate: Callable[[], object], what: str = "condition", timeout: float = 5.0
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked on every server event and every 5 ms,
        since client-side handlers run after the server's last event)."""

        async def watch() -> None:
            while not predicate():
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), 0.005)
                except asyncio.TimeoutError:
                    pass

        try:
            await asyncio.wait_for(watch(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; connections: {self.connections!r}"
            ) from None

    async def connection(self, index: int) -> ServerConn:
        await self.wait_until(lambda: len(self.connections) > index, f"connection #{index}")
        return self.connections[index]

    # -- serving -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.reject > 0:
            self.reject -= 1
            self.rejected += 1
            self.notify()
            return web.Response(status=503, text="try later")
        ws = web.WebSocketResponse(autoping=self.autoping)
        await ws.prepare(request)
        conn = ServerConn(self, request, ws)
        self.connections.append(conn)
        self.notify()
        reader = asyncio.get_running_loop().create_task(conn._read())
        conn._reader = reader
        self._tasks.add(reader)
        script = self.script
        try:
            if script is not None:
                task = asyncio.get_running_loop().create_task(script(conn))
                self._tasks.add(task)
                try:
                    await task
                except (ConnectionError, asyncio.CancelledError):
                    pass
                finally:
                    self._tasks.discard(task)
            await reader
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.discard(reader)
        return ws


class _Resolver(AbstractResolver):
    def __init__(self, server: WSServer) -> None:
        self.server = server

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": self.server.port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        pass


@pytest.fixture
async def ws_server() -> AsyncIterator[WSServer]:
    """A plain ``ws://`` server; set ``ws_server.script`` to script each connection."""
    server = WSServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()
