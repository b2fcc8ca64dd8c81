"""Fixtures: the testing kit's fake Bybit (REST + streams over TLS on 127.0.0.1).

While a fake runs, unchanged user code reaches it through https://api.bybit.com,
wss://stream.bybit.com and the other Bybit hosts; the plugin's fake behaviour (``pybotters_bybit
.testing``) verifies X-BAPI signatures and answers ``op: auth``, subscriptions and pings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from pybotters.testing import FakeExchange, FakeWebSocketSession

# Key, secret and time of pybotters' own Bybit signing tests (known-answer vectors).
KEY = "77SQfUG7X33JhYZ3Jswpx5To"
SECRET = "PrYiNnCnP76YzpTLvRtV9O1RBa5ecOXqrOTyXuTADCEXYoEX"
TESTNET_KEY = "vDGsldGGevgVkG3ATH1PzBYd"
TESTNET_SECRET = "fVp9Y9iZbkCb4JXyprq2ZbbDXupWz5V3H06REf2eJ53DyQju"
DEMO_KEY = "ZpfuTHcfmsWX1kLWpSIUdtsu"
DEMO_SECRET = "7wq6s78RI6xHfPRIIt4Dvii2hO7BtFcavs5S2VlKrnGTOnMf"
APIS = {
    "bybit": [KEY, SECRET],
    "bybit_testnet": [TESTNET_KEY, TESTNET_SECRET],
    "bybit_demo": [DEMO_KEY, DEMO_SECRET],
}
VECTOR_TIME = 2085848896.0

StartFake = Callable[..., Awaitable[FakeExchange]]


@pytest.fixture
async def start_fake() -> AsyncIterator[StartFake]:
    """Start fake Bybits (``await start_fake(apis=...)``); closed after the test.

    (The kit's ``fake_exchange`` fixture is shadowed by the core tests' fixture of that name in
    tests/conftest.py, so this folder starts :class:`FakeExchange` itself.)
    """
    started: list[FakeExchange] = []

    async def start(apis: Any = APIS) -> FakeExchange:
        fake = FakeExchange("bybit", apis=apis)
        await fake.start()
        started.append(fake)
        return fake

    try:
        yield start
    finally:
        for fake in reversed(started):
            await fake.close()


@pytest.fixture
async def bybit(start_fake: StartFake) -> FakeExchange:
    """A running fake Bybit that knows :data:`APIS`."""
    return await start_fake()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Freeze the core clock used for signature timestamps."""
    from pybotters import _clock

    def freeze(value: float) -> None:
        monkeypatch.setattr(_clock, "now", lambda: value)

    return freeze


@pytest.fixture
def no_implicit_apis(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No ./apis.json and no $PYBOTTERS_APIS: Client() starts with no credentials."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (polled on the event loop), or fail after ``timeout``."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - polls state owned by other tasks
            await asyncio.sleep(0.002)

    await asyncio.wait_for(poll(), timeout)


def topics_of(session: FakeWebSocketSession) -> set[str]:
    """The topics a fake connection is subscribed to."""
    topics: set[str] = session.state.get("bybit_topics", set())
    return topics
