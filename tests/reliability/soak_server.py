"""The relx exchange for soak tests, in its own process.

Run as ``python -m tests.reliability.soak_server``.

A separate process keeps the server's own tasks, memory and file descriptors out of what the
test measures in the client, and lets client and server use one core each.

It prints ``PORT <plain> [<tls>]`` once listening (TLS when ``--cert`` names a PEM file with the
server's key and certificate chain), serves until its stdin closes, and finally prints
``STATS <json>``: connections accepted and refused, how many saw exactly "auth, then
subscribe" (``in_order``), and the script errors (a message out of order is one).

Every connection plays one fault of a fixed cycle, chosen by its number, so every way a
connection can end is repeated thousands of times:

0. login, subscription acknowledged, clean close (code 1000);
1. login, subscription, TCP cut without a close frame;
2. login, subscription, TCP reset (RST);
3. login, subscription, then a frame cut in the middle and a TCP cut;
4. the next handshake refused with HTTP 503 (no connection at all).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys
from typing import Any

from .conftest import SUBSCRIBE, answer_login
from .rawws import RawConn, RawWSServer

__all__ = ["CYCLE", "main"]

CYCLE = 5
"""Connections per fault cycle; one in :data:`CYCLE` handshakes is refused."""


class _Stats:
    def __init__(self) -> None:
        self.served = 0
        self.in_order = 0


async def _serve(server: RawWSServer, conn: RawConn, stats: _Stats) -> None:
    number = stats.served
    stats.served += 1
    await answer_login(conn)  # asserts that the login comes first
    message = await conn.recv()  # ... and then the subscription
    assert message == SUBSCRIBE, message
    stats.in_order += 1
    kind = number % (CYCLE - 1)
    if kind == 0:
        await conn.send({"op": "subscribe", "success": True})
        await conn.close(1000)
    elif kind == 1:
        conn.abort()
    elif kind == 2:
        conn.reset()
    else:
        await conn.cut_frame({"data": "never-delivered", "pad": "x" * 300}, keep=150)
    if kind == CYCLE - 2:
        server.refuse += 1  # and refuse the next handshake, once per cycle


async def main(cert: str | None) -> None:
    stats = _Stats()
    servers: list[RawWSServer] = []
    contexts: list[ssl.SSLContext | None] = [None]
    if cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert)
        contexts.append(context)
    for tls in contexts:
        box: list[RawWSServer] = []

        async def script(conn: RawConn, box: list[RawWSServer] = box) -> None:
            await _serve(box[0], conn, stats)

        server = RawWSServer(script, tls=tls, keep_history=False)
        box.append(server)
        await server.start()
        servers.append(server)
    print("PORT", *(s.port for s in servers), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    errors: list[str] = []
    for server in servers:
        try:
            await server.close()
        except AssertionError as exc:
            errors.append(str(exc))
    result: dict[str, Any] = {
        "accepted": sum(s.accepted for s in servers),
        "refused": sum(s.refused for s in servers),
        "in_order": stats.in_order,
        "errors": errors,
    }
    print("STATS", json.dumps(result), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", help="PEM file: the server key and certificate chain")
    asyncio.run(main(parser.parse_args().cert))
