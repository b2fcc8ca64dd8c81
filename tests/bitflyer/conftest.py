"""Fixtures: the testing kit's fake bitFlyer (REST + JSON-RPC over TLS on 127.0.0.1).

While the fake runs, unchanged user code reaches it through https://api.bitflyer.com and
wss://ws.lightstream.bitflyer.com; the plugin's fake behaviour verifies signatures and answers
the JSON-RPC auth/subscribe/unsubscribe requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

import pybotters
from pybotters.testing import FakeExchange, FakeWebSocket
from pybotters_bitflyer.testing import WS_PATH, channels_of, route_defaults

KEY = "BITFLYER_API_KEY"
SECRET = "BITFLYER_API_SECRET"
APIS = {"bitflyer": [KEY, SECRET]}


StartFake = Callable[..., Awaitable[FakeExchange]]


@pytest.fixture
async def start_fake() -> AsyncIterator[StartFake]:
    """Start fake bitFlyers (``await start_fake(apis=...)``); closed after the test.

    (The kit's own ``fake_exchange`` fixture is shadowed by the core tests' fixture of the same
    name in tests/conftest.py, so this folder starts :class:`FakeExchange` itself.)
    """
    started: list[FakeExchange] = []

    async def start(apis: Any = APIS) -> FakeExchange:
        fake = FakeExchange("bitflyer", apis=apis)
        await fake.start()
        started.append(fake)
        return fake

    try:
        yield start
    finally:
        for fake in reversed(started):
            await fake.close()


@pytest.fixture
async def bitflyer(start_fake: StartFake) -> FakeExchange:
    """A running fake bitFlyer that knows the user guide's credentials, with default routes."""
    fake = await start_fake()
    route_defaults(fake)
    return fake


@pytest.fixture
def realtime(bitflyer: FakeExchange) -> FakeWebSocket:
    """The JSON-RPC endpoint of the fake bitFlyer."""
    return bitflyer.websocket(WS_PATH)


@pytest.fixture
def no_implicit_apis(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No ./apis.json and no $PYBOTTERS_APIS: Client() starts with no credentials."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Freeze the core clock used for signature timestamps."""
    from pybotters import _clock

    def freeze(value: float) -> None:
        monkeypatch.setattr(_clock, "now", lambda: value)

    return freeze


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (polled on the event loop), or fail after ``timeout``."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - an arbitrary condition, polled briefly
            await asyncio.sleep(0.002)

    await asyncio.wait_for(poll(), timeout)


async def subscribed(endpoint: FakeWebSocket, channel: str, connections: int = 1) -> None:
    """Wait until ``connections`` open connections are subscribed to ``channel``."""
    await eventually(
        lambda: sum(channel in channels_of(s) for s in endpoint.open_sessions) >= connections
    )


@pytest.fixture
def stdout_lines(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[str]]:
    """Accumulated stdout lines captured so far (capsys reads are consumed, so keep them)."""
    lines: list[str] = []

    def read() -> list[str]:
        out = capsys.readouterr().out
        if out:
            lines.extend(out.splitlines())
        return lines

    return read


@pytest.fixture
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect at once after a drop (every connection counts as healthy), to keep tests fast."""
    monkeypatch.setattr(pybotters.WebSocketApp, "healthy_after", 0.0)
