"""The local servers of the network benchmarks, run in a process of their own.

``python -m benchmarks._server`` listens on 127.0.0.1 and prints one JSON line
``{"ws_port": ..., "http_port": ...}`` when ready; it stops when its standard input closes.

- WebSocket (aiohttp): ``GET /prepare?n=N`` builds the frames of :func:`_data.ws_stream` once;
  ``/ws?n=N`` then accepts a WebSocket and writes those frames as fast as the client reads them.
  The frames are encoded ahead of time and written to the transport in large chunks, so the
  server costs next to nothing per message and the client under test is what is measured.
- HTTP (a small asyncio protocol, so that the server stays much cheaper than any client):
  ``GET /v1/me/getchildorders`` and ``POST /v1/me/sendchildorder`` as bitFlyer would answer
  them. Every request must carry a valid bitFlyer signature for :data:`API_KEY` /
  :data:`API_SECRET`; otherwise the answer is 401, which the benchmark treats as a failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import struct
import sys
from typing import Any

from . import _data

__all__ = ["API_KEY", "API_SECRET", "GET_PATH", "POST_PATH", "main"]

# A made-up credential that only this local server knows; it signs nothing real.
API_KEY = "benchmark-key"
API_SECRET = "benchmark-secret"
GET_PATH = "/v1/me/getchildorders"
POST_PATH = "/v1/me/sendchildorder"

_CHUNK = 256 * 1024
_HIGH_WATER = 1024 * 1024


def _frame(text: str) -> bytes:
    payload = text.encode()
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


_blobs: dict[tuple[int, int], list[bytes]] = {}


def _chunks(n: int, seed: int) -> list[bytes]:
    key = (n, seed)
    if key not in _blobs:
        frames, _ = _data.ws_stream(n, seed)
        chunks: list[bytes] = []
        buf = bytearray()
        for text in frames:
            buf += _frame(text)
            if len(buf) >= _CHUNK:
                chunks.append(bytes(buf))
                buf.clear()
        if buf:
            chunks.append(bytes(buf))
        _blobs[key] = chunks
    return _blobs[key]


async def _ws_app() -> Any:
    from aiohttp import web

    async def prepare(request: web.Request) -> web.Response:
        n, seed = int(request.query["n"]), int(request.query.get("seed", _data.SEED))
        _chunks(n, seed)
        return web.json_response({"last_tick_id": _data.ws_stream(n, seed)[1]})

    async def stream(request: web.Request) -> web.WebSocketResponse:
        chunks = _chunks(int(request.query["n"]), int(request.query.get("seed", _data.SEED)))
        ws = web.WebSocketResponse(compress=False, autoping=True)
        await ws.prepare(request)
        transport = request.transport
        assert transport is not None
        for chunk in chunks:
            if transport.is_closing():
                break
            transport.write(chunk)
            # Flow control by polling the buffer: the frames bypass aiohttp's writer.
            while transport.get_write_buffer_size() > _HIGH_WATER:
                if transport.is_closing():
                    break
                await asyncio.sleep(0.0005)
        async for _ in ws:  # wait for the client to close
            pass
        return ws

    app = web.Application()
    app.router.add_get("/prepare", prepare)
    app.router.add_get("/ws", stream)
    return app


# -- HTTP ------------------------------------------------------------------------------------

_GET_BODY = json.dumps(
    [
        {
            "id": 138398 + i,
            "child_order_id": f"JOR20240501-000000-{i:06d}",
            "product_code": "FX_BTC_JPY",
            "side": "BUY",
            "child_order_type": "LIMIT",
            "price": 9_000_000,
            "average_price": 0,
            "size": 0.01,
            "child_order_state": "ACTIVE",
            "expire_date": "2024-06-01T00:00:00",
            "child_order_date": "2024-05-01T00:00:00",
            "child_order_acceptance_id": f"JRF20240501-000000-{i:06d}",
            "outstanding_size": 0.01,
            "cancel_size": 0,
            "executed_size": 0,
            "total_commission": 0,
            "time_in_force": "GTC",
        }
        for i in range(2)
    ]
).encode()
_POST_BODY = json.dumps({"child_order_acceptance_id": "JRF20240501-000000-000001"}).encode()
_DENIED = json.dumps({"status": -500, "error_message": "Invalid signature"}).encode()
_SECRET = API_SECRET.encode()


def _response(status: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    ).encode() + body


_OK_GET = _response("200 OK", _GET_BODY)
_OK_POST = _response("200 OK", _POST_BODY)
_UNAUTHORIZED = _response("401 Unauthorized", _DENIED)
_NOT_FOUND = _response("404 Not Found", b"{}")


def _verified(method: bytes, target: bytes, headers: dict[bytes, bytes], body: bytes) -> bool:
    if headers.get(b"access-key") != API_KEY.encode():
        return False
    timestamp = headers.get(b"access-timestamp", b"")
    sign = headers.get(b"access-sign", b"")
    text = timestamp + method + target + body
    expected = hmac.new(_SECRET, text, hashlib.sha256).hexdigest().encode()
    return bool(timestamp) and hmac.compare_digest(expected, sign)


class _HTTPProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive with Content-Length bodies: just what the benchmark clients send."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out = bytearray()
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = bytes(self.buffer[:end]).split(b"\r\n")
            method, target, _ = head[0].split(b" ", 2)
            headers: dict[bytes, bytes] = {}
            for line in head[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                break
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            path = target.split(b"?", 1)[0]
            if path == GET_PATH.encode() and method == b"GET":
                out += _OK_GET if _verified(method, target, headers, body) else _UNAUTHORIZED
            elif path == POST_PATH.encode() and method == b"POST":
                out += _OK_POST if _verified(method, target, headers, body) else _UNAUTHORIZED
            else:
                out += _NOT_FOUND
        if out and self.transport is not None:
            self.transport.write(bytes(out))


async def _serve() -> None:
    from aiohttp import web

    loop = asyncio.get_running_loop()
    runner = web.AppRunner(await _ws_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ws_port = runner.addresses[0][1]
    http_server = await loop.create_server(_HTTPProtocol, "127.0.0.1", 0)
    http_port = http_server.sockets[0].getsockname()[1]
    print(json.dumps({"ws_port": ws_port, "http_port": http_port}), flush=True)
    # Stop when the parent closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    http_server.close()
    await runner.cleanup()


def main() -> None:
    asyncio.run(_serve())


if __name__ == "__main__":
    main()
