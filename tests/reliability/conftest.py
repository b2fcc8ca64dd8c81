"""Fixtures of the reliability tests: a test exchange ("relx") with a signed WebSocket login,
leak checks, and the switch for the slow soak tests.

The ``relx`` exchange is registered in-process (``register_plugin`` from tests/conftest.py):
hosts ``api.relx.test`` / ``ws.relx.test``, API name ``relx``, and a login that sends
``{"op": "auth", "args": [key, ts, HMAC(secret, "auth" + ts)]}`` and waits for
``{"op": "auth", "success": true}``. :func:`exchange_script` plays the exchange's side on a
:class:`~tests.reliability.rawws.RawWSServer` connection: it checks the signature, answers the
login and acknowledges subscriptions, so a test can check that every connection saw exactly
"auth, then subscribe".
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import pybotters
from pybotters.hookspecs import Exchange, WebSocketAuth, WebSocketHooks
from tests.conftest import make_exchange

from .rawws import RawConn

KEY = "relx-key-0001"
SECRET = "relx-s3cr3t-MUST-NOT-LEAK"
APIS = {"relx": [KEY, SECRET]}
WS_URL = "wss://ws.relx.test/private"
SUBSCRIBE = {"op": "subscribe", "args": ["orders"]}
TINY_BACKOFF = (0.001, 0.005, 2.0, 0.001)
"""(min, max, factor, initial) seconds: reconnect tests run in milliseconds."""

collect_ignore = ["fuzz"]  # the atheris harnesses run on demand, never in the test run


def signature(secret: str, ts: int) -> str:
    return hmac.new(secret.encode(), f"auth{ts}".encode(), hashlib.sha256).hexdigest()


async def relx_login(auth: WebSocketAuth) -> None:
    """The relx exchange's WebSocket login, as an exchange plugin writes it."""
    ts = int(auth.timestamp * 1000)
    credential = auth.credential
    await auth.send_json(
        {"op": "auth", "args": [credential.key, ts, signature(credential.secret, ts)]}
    )
    while True:
        reply = await auth.receive_json()
        if isinstance(reply, dict) and reply.get("op") == "auth":
            if reply.get("success") is True:
                return
            raise pybotters.WebSocketAuthError(f"relx refused the login: {reply.get('reason')}")


def relx_exchange(**ws_hooks: Any) -> Exchange:
    hooks: dict[str, Any] = {"authenticate": relx_login, **ws_hooks}
    return make_exchange(
        name="relx",
        http_hosts={"api.relx.test": "relx"},
        ws_hosts={"ws.relx.test": "relx"},
        api_names=("relx",),
        ws=WebSocketHooks(**hooks),
    )


@pytest.fixture
def relx(register_plugin: Callable[..., str]) -> Exchange:
    """The relx test exchange, registered for this test."""
    exchange = relx_exchange()
    register_plugin(exchange, name="relx_plugin")
    return exchange


async def answer_login(conn: RawConn) -> None:
    """Read the login (it must be the first message) and accept it if correctly signed."""
    message = await conn.recv()
    assert isinstance(message, dict) and message.get("op") == "auth", (
        f"the first message on a connection must be the login, got {message!r}"
    )
    key, ts, sign = message["args"]
    ok = key == KEY and hmac.compare_digest(sign, signature(SECRET, ts))
    await conn.send({"op": "auth", "success": ok, "reason": "" if ok else "bad signature"})


async def answer_subscriptions(conn: RawConn, count: int = 1) -> None:
    for _ in range(count):
        message = await conn.recv()
        assert isinstance(message, dict) and message.get("op") == "subscribe", message
        await conn.send({"op": "subscribe", "success": True, "args": message.get("args")})


async def exchange_script(conn: RawConn) -> None:
    """Login, one subscription acknowledged: the common start of every connection."""
    await answer_login(conn)
    await answer_subscriptions(conn)


async def until(predicate: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (state changed by other tasks: polled every 2 ms)."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - no single event covers every predicate
            await asyncio.sleep(0.002)

    try:
        await asyncio.wait_for(poll(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def data_of(messages: list[Any]) -> list[Any]:
    """The data pushes among what a handler got (login and subscription replies left out)."""
    return [m["data"] for m in messages if isinstance(m, dict) and "data" in m]


# -- leak checks --------------------------------------------------------------------------------


@pytest.fixture
async def no_leftovers() -> AsyncIterator[None]:
    """After the test: no task still pending and no unclosed resource left for the GC.

    Requested first by the modules that use it (``pytestmark``), so it is torn down last,
    after the servers and clients of the test are closed.
    """
    yield
    for _ in range(5):
        await asyncio.sleep(0)
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert not pending, f"tasks still pending after the test: {pending!r}"
    gc.collect()  # an unclosed transport or session warns here; warnings are errors


def open_fds() -> int:
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


# -- slow tests ---------------------------------------------------------------------------------

SLOW_ENV = "PYBOTTERS_SLOW_TESTS"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run with ``-m slow`` or ``PYBOTTERS_SLOW_TESTS=1``; else skipped
    with a reason saying so (a default-run variant of each covers the same behaviour)."""
    if os.environ.get(SLOW_ENV) == "1" or "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(
        reason=f"slow soak test: run with `pytest -m slow tests/reliability` or {SLOW_ENV}=1"
    )
    for item in items:
        if "slow" in item.keywords and "tests/reliability" in str(item.fspath).replace("\\", "/"):
            item.add_marker(skip)
