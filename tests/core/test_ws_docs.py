"""Every example of docs/websocket.md runs unchanged against a local bitFlyer-like server.

``wss://ws.lightstream.bitflyer.com`` is routed to a TLS server on 127.0.0.1 that speaks enough
JSON-RPC (auth, subscribe, channelMessage pushes) for the examples; the routing comes from a
``pybotters_client_connector`` hook, so the examples' ``pybotters.Client()`` needs no change.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from pybotters import WebSocketAuthError
from pybotters._plugins import host
from pybotters.hookspecs import PLUGIN_API, Exchange, WebSocketAuth, WebSocketHooks, hookimpl
from tests.core.wsserver import ServerConn, WSServer, app_tasks

DOC = Path(__file__).resolve().parents[2] / "docs" / "websocket.md"
EXAMPLE = re.compile(
    r'<!-- test: (prints|ends after printing) "(.+?)" -->\n```python\n(.*?)```', re.DOTALL
)
WS_HOST = "ws.lightstream.bitflyer.com"


def examples() -> list[tuple[str, str, str]]:
    return EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


def test_every_python_example_is_tested() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count("```python") == len(examples())
    assert len(examples()) >= 8


async def jsonrpc(conn: ServerConn) -> None:
    """bitFlyer's realtime API, as far as the examples need it."""
    while True:
        request = await conn.receive_json()
        method = request.get("method")
        if method == "auth":
            await conn.send_json({"jsonrpc": "2.0", "id": request.get("id"), "result": True})
        elif method == "subscribe":
            channel = request["params"]["channel"]
            if "id" in request:
                await conn.send_json({"jsonrpc": "2.0", "id": request["id"], "result": True})
            for seq in range(3):
                await conn.send_json(
                    {
                        "jsonrpc": "2.0",
                        "method": "channelMessage",
                        "params": {"channel": channel, "message": {"seq": seq}},
                    }
                )


async def bitflyer_login(auth: WebSocketAuth) -> None:
    await auth.send_json({"method": "auth", "params": {"api_key": auth.credential.key}, "id": 1})
    while True:
        reply = await auth.receive_json()
        if isinstance(reply, dict) and reply.get("id") == 1:
            if reply.get("result") is True:
                return
            raise WebSocketAuthError("refused")


@pytest.fixture
async def routed(register_plugin: Callable[..., str]) -> AsyncIterator[WSServer]:
    server = WSServer(tls=True, hosts=[WS_HOST])
    await server.start()
    server.script = jsonrpc

    def connector() -> aiohttp.BaseConnector:
        return server.connector()

    register_plugin(
        name="docs_ws_routing",
        pybotters_client_connector=hookimpl(tryfirst=True)(connector),
    )
    if WS_HOST not in host.registry.ws_hosts:  # the bitflyer plugin is not installed here
        register_plugin(
            Exchange(
                name="bitflyer",
                plugin_api=PLUGIN_API,
                ws_hosts={WS_HOST: "bitflyer"},
                api_names=("bitflyer",),
                ws=WebSocketHooks(authenticate=bitflyer_login),
            ),
            name="docs_fake_bitflyer",
        )
    try:
        yield server
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("mode", "expected", "source"), examples(), ids=[e for _, e, _ in examples()]
)
async def test_example(
    routed: WSServer,
    mode: str,
    expected: str,
    source: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(source, str(DOC), "exec"), namespace)
    task = asyncio.ensure_future(namespace["main"]())
    printed: list[str] = []

    def output() -> str:
        printed.append(capsys.readouterr().out)
        return "".join(printed)

    if mode == "prints":  # streams forever: stop it once it printed, as Ctrl+C would
        await routed.wait_until(lambda: task.done() or expected in output(), repr(expected))
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:
        await routed.wait_until(task.done, "the example to end")
        task.result()
    assert expected in output()
    assert routed.connections, "the example did not connect"
    for conn in routed.connections:
        methods = [m.get("method") for m in conn.received_json if isinstance(m, dict)]
        if "auth" in methods:
            assert methods[0] == "auth"  # the login always goes first
    if "apis" in source:
        assert routed.connections[0].received_json[0]["method"] == "auth"
    assert not app_tasks()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
