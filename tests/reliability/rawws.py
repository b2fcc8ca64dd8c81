"""A WebSocket server written directly on asyncio streams, so that it can misbehave.

aiohttp's own server always speaks clean WebSocket. To test how a client survives a bad network
or a bad exchange, this one can also

- cut a frame in the middle (header or payload) and drop the TCP connection,
- reset the connection (``SO_LINGER`` 0: the client gets an RST, not a FIN),
- refuse the handshake with an HTTP status (503 ...),
- stop answering protocol pings while keeping the connection open (a half-open peer),
- stall at any point (never answer the login ...).

Every accepted connection is a :class:`RawConn`; the test gives the server a ``script(conn)``
coroutine that plays the exchange's part. The server records the JSON messages each connection
received, in order, so a test can check "login, then subscribe" on every connection.

The client reaches it through :func:`routed_connector`, which resolves every host name to the
server (TLS optional, from a throwaway CA), so exchange-like URLs such as
``wss://ws.relx.test/private`` work with no network.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from aiohttp.abc import AbstractResolver

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult

__all__ = ["RawConn", "RawWSServer", "routed_connector", "tls_contexts", "write_server_pem"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

Script = Callable[["RawConn"], Awaitable[None]]


def frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """An unmasked (server-to-client) frame."""
    first = (0x80 if fin else 0) | opcode
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", first, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", first, 126, size)
    else:
        header = struct.pack("!BBQ", first, 127, size)
    return header + payload


class Closed(ConnectionError):
    """The client closed the connection or it dropped."""


class RawConn:
    """One accepted connection: read the client's messages, answer, or misbehave."""

    def __init__(
        self,
        server: RawWSServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: str,
        headers: dict[str, str],
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.path = path
        self.headers = headers
        self.received: list[Any] = []
        """Every TEXT frame from the client, JSON-decoded when it is JSON."""
        self.pings = 0
        self.answer_pings = True
        """False: protocol pings are read but never answered (a half-open peer)."""
        self.closed_by_client = False
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._reader_task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<RawConn {self.path} received={self.received!r}>"

    @property
    def ops(self) -> list[Any]:
        """The ``op`` of each JSON message received (what the exchange saw, in order)."""
        return [m.get("op") if isinstance(m, dict) else m for m in self.received]

    # -- reading -----------------------------------------------------------------------------

    async def _read_frames(self) -> None:
        reader = self.reader
        try:
            while True:
                first, second = await reader.readexactly(2)
                opcode = first & 0x0F
                size = second & 0x7F
                if size == 126:
                    (size,) = struct.unpack("!H", await reader.readexactly(2))
                elif size == 127:
                    (size,) = struct.unpack("!Q", await reader.readexactly(8))
                mask = await reader.readexactly(4) if second & 0x80 else b""
                payload = await reader.readexactly(size)
                if mask:
                    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                if opcode == OP_PING:
                    self.pings += 1
                    if self.answer_pings:
                        self.write(frame(OP_PONG, payload))
                elif opcode == OP_CLOSE:
                    self.closed_by_client = True
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        self.write(frame(OP_CLOSE, payload[:2]))
                    break
                elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                    try:
                        message: Any = orjson.loads(payload)
                    except orjson.JSONDecodeError:
                        message = payload.decode(errors="replace")
                    self.received.append(message)
                    self._inbox.put_nowait(message)
                    self.server.notify()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._inbox.put_nowait(Closed)
            self.server.notify()

    async def recv(self, timeout: float = 5.0) -> Any:
        """The next message from the client (JSON-decoded); :class:`Closed` once it is gone."""
        message = await asyncio.wait_for(self._inbox.get(), timeout)
        if message is Closed:
            self._inbox.put_nowait(Closed)
            raise Closed(f"{self!r} ended")
        return message

    # -- writing and misbehaving -------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self.writer.is_closing():
            raise Closed(f"{self!r} is closed")
        self.writer.write(data)

    async def send(self, message: Any) -> None:
        """One TEXT frame: a ``str`` as is, anything else as JSON."""
        text = message if isinstance(message, str) else orjson.dumps(message).decode()
        self.write(frame(OP_TEXT, text.encode()))
        await self.writer.drain()

    async def close(self, code: int = 1000) -> None:
        """A clean close frame, then the end of the TCP connection."""
        with contextlib.suppress(ConnectionError):
            self.write(frame(OP_CLOSE, struct.pack("!H", code)))
            await self.writer.drain()
        self.writer.close()

    async def cut_frame(self, message: Any, keep: int) -> None:
        """Send only the first ``keep`` bytes of the frame of ``message``, then drop the TCP."""
        text = message if isinstance(message, str) else orjson.dumps(message).decode()
        whole = frame(OP_TEXT, text.encode())
        assert 0 < keep < len(whole), f"keep must cut the {len(whole)}-byte frame"
        self.write(whole[:keep])
        await self.writer.drain()
        self.abort()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (a FIN, as a crashed peer)."""
        self.writer.transport.abort()

    def reset(self) -> None:
        """Reset the TCP connection: SO_LINGER 0 makes the kernel send an RST."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def stall(self) -> None:
        """Keep the connection open and say nothing, until the server is closed."""
        await asyncio.Event().wait()


class RawWSServer:
    """A misbehaving-capable WebSocket server on 127.0.0.1 (random port).

    :param script: plays the exchange on each connection; when it returns the connection is
        closed cleanly (unless the script already dropped it).
    :param tls: serve TLS with this context (see :func:`tls_contexts`).
    :param refuse: answer this many upcoming handshakes with ``refuse_status`` instead.
    :param keep_history: keep every connection in :attr:`connections` (a soak test turns it
        off and reads :attr:`accepted` instead).
    """

    def __init__(
        self,
        script: Script,
        *,
        tls: ssl.SSLContext | None = None,
        refuse: int = 0,
        refuse_status: int = 503,
        keep_history: bool = True,
    ) -> None:
        self.script = script
        self.tls = tls
        self.refuse = refuse
        self.refuse_status = refuse_status
        self.refused = 0
        self.accepted = 0
        self.keep_history = keep_history
        self.connections: list[RawConn] = []
        self.port = 0
        self.errors: list[BaseException] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._changed = asyncio.Event()

    async def start(self) -> RawWSServer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        server = self._server
        if server is None:
            return
        self._server = None
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        await server.wait_closed()
        if self.errors:
            raise AssertionError(f"the raw server's script failed: {self.errors[0]!r}")

    async def __aenter__(self) -> RawWSServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- observation -------------------------------------------------------------------------

    def notify(self) -> None:
        self._changed.set()

    async def wait_until(
        self, predicate: Callable[[], object], what: str, timeout: float = 5.0
    ) -> None:
        """Wait until ``predicate()`` holds, re-checked on server events and every 5 ms."""

        async def watch() -> None:
            while not predicate():
                self._changed.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.005)

        try:
            await asyncio.wait_for(watch(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; connections: {self.connections!r}"
            ) from None

    # -- serving -----------------------------------------------------------------------------

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        conn: RawConn | None = None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                self.notify()
                body = b"try later"
                writer.write(
                    f"HTTP/1.1 {self.refuse_status} Refused\r\nContent-Length: {len(body)}\r\n"
                    "Connection: close\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                return
            accept = base64.b64encode(
                hashlib.sha1(headers["sec-websocket-key"].encode() + _GUID).digest()
            ).decode()
            writer.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            conn = RawConn(self, reader, writer, path, headers)
            self.accepted += 1
            if self.keep_history:
                self.connections.append(conn)
            self.notify()
            conn._reader_task = asyncio.get_running_loop().create_task(conn._read_frames())
            try:
                await self.script(conn)
            except (ConnectionError, asyncio.TimeoutError):
                pass  # the client went away, or never sent what the script waited for
            if not writer.is_closing():
                await conn.close()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a broken script must fail the test, not hang it
            self.errors.append(exc)
        finally:
            if conn is not None and conn._reader_task is not None:
                conn._reader_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await conn._reader_task
            writer.transport.abort()
            self._writers.discard(writer)
            self.notify()


# -- the client side ------------------------------------------------------------------------


class _Resolver(AbstractResolver):
    """Resolves every host name to 127.0.0.1 (no network is ever touched): port 80 (plain
    ``http``/``ws``) to ``plain_port`` when given, any other port to ``port``."""

    def __init__(self, port: Callable[[], int], plain_port: int | None) -> None:
        self._port = port
        self._plain_port = plain_port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        local = self._plain_port if port == 80 and self._plain_port else self._port()
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
        return None


def routed_connector(
    port: int | Callable[[], int],
    client_ssl: ssl.SSLContext | None = None,
    *,
    plain_port: int | None = None,
) -> aiohttp.TCPConnector:
    """A connector that sends every host name to ``127.0.0.1:port`` (``plain_port`` for
    connections to port 80)."""
    get_port = port if callable(port) else (lambda: port)
    return aiohttp.TCPConnector(
        resolver=_Resolver(get_port, plain_port), ssl=client_ssl or False, use_dns_cache=False
    )


_TLS: tuple[ssl.SSLContext, ssl.SSLContext, Any] | None = None


def _tls() -> tuple[ssl.SSLContext, ssl.SSLContext, Any]:
    global _TLS
    if _TLS is None:
        import trustme

        ca = trustme.CA()
        leaf = ca.issue_cert("ws.relx.test", "api.relx.test")
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(server)
        client = ssl.create_default_context()
        ca.configure_trust(client)
        _TLS = (server, client, leaf)
    return _TLS


def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """``(server, client)`` SSL contexts from a throwaway CA; the client trusts only it."""
    server, client, _ = _tls()
    return server, client


def write_server_pem(path: str) -> None:
    """Write the server's key and certificate chain (for a server in another process)."""
    _tls()[2].private_key_and_cert_chain_pem.write_to_path(path)
