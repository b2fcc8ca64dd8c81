"""Order-book integrity end to end, for every plugin, over TLS against the plugins' fakes.

The fake server sends a snapshot, a healthy delta, then a message that breaks the book (a
sequence gap, a crossed book, a checksum mismatch, a malformed message: whatever that
exchange's integrity rules can detect). The store must detect it, clear the book (never serve
it half-applied), resubscribe on the live connection, and be exactly right again once the fake
answers with a fresh snapshot. Then the same with the connection cut in the middle of the
resynchronisation: the reconnect's own subscription brings the snapshot, and a later break
on the new connection resynchronises again (no stale state blocks it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

import pybotters
from pybotters.testing import FakeWebSocketSession
from pybotters_bitflyer.testing import channel_message

from .conftest import TINY_BACKOFF, until

pytestmark = pytest.mark.usefixtures("no_leftovers")

Book = dict[str, list[tuple[Any, Any]]]


class Exchange:
    """What differs between exchanges: URLs, subscriptions, message shapes, how to break."""

    name: str
    path: str
    url: str
    subscribe: ClassVar[Any]
    book_subscription: ClassVar[Any]  # matches the (re)subscription to the book only
    breaks: dict[str, Callable[[int], Any]]
    logger: str

    def store(self) -> Any:
        raise NotImplementedError

    def snapshot(self, n: int) -> Any:
        """Snapshot number ``n``: sizes carry ``n``, so snapshots are told apart."""
        raise NotImplementedError

    def delta(self, n: int) -> Any:
        """The healthy delta that follows snapshot ``n``."""
        raise NotImplementedError

    def book(self, store: Any) -> Book:
        raise NotImplementedError

    def after_snapshot(self, n: int) -> Book:
        raise NotImplementedError

    def after_delta(self, n: int) -> Book:
        raise NotImplementedError


class BitFlyer(Exchange):
    name = "bitflyer"
    path = "/json-rpc"
    url = "wss://ws.lightstream.bitflyer.com/json-rpc"
    snapshot_channel = "lightning_board_snapshot_BTC_JPY"
    subscribe: ClassVar[Any] = [
        {"method": "subscribe", "params": {"channel": snapshot_channel}, "id": 1},
        {"method": "subscribe", "params": {"channel": "lightning_board_BTC_JPY"}, "id": 2},
    ]
    book_subscription: ClassVar[Any] = {
        "method": "subscribe",
        "params": {"channel": snapshot_channel},
    }
    logger = "pybotters.bitflyer"

    def __init__(self) -> None:
        self.breaks = {
            "malformed": lambda n: channel_message(
                "lightning_board_BTC_JPY", {"bids": [{"price": 98.0, "size": "lots"}]}
            )
        }

    def store(self) -> Any:
        return pybotters.bitFlyerDataStore()

    def snapshot(self, n: int) -> Any:
        return channel_message(
            self.snapshot_channel,
            {
                "mid_price": 100.0,
                "bids": [{"price": 99.0, "size": float(n)}, {"price": 98.0, "size": 1.0}],
                "asks": [{"price": 101.0, "size": float(n)}, {"price": 102.0, "size": 1.0}],
            },
        )

    def delta(self, n: int) -> Any:
        return channel_message(
            "lightning_board_BTC_JPY",
            {
                "mid_price": 100.0,
                "bids": [{"price": 98.0, "size": 5.0}],
                "asks": [{"price": 102.0, "size": 0.0}],
            },
        )

    def book(self, store: Any) -> Book:
        return {s: [(i["price"], i["size"]) for i in v] for s, v in store.board.sorted().items()}

    def after_snapshot(self, n: int) -> Book:
        return {"asks": [(101.0, float(n)), (102.0, 1.0)], "bids": [(99.0, float(n)), (98.0, 1.0)]}

    def after_delta(self, n: int) -> Book:
        return {"asks": [(101.0, float(n))], "bids": [(99.0, float(n)), (98.0, 5.0)]}


class Bybit(Exchange):
    name = "bybit"
    path = "/v5/public/linear"
    url = "wss://stream.bybit.com/v5/public/linear"
    topic = "orderbook.50.BTCUSDT"
    subscribe: ClassVar[Any] = {"op": "subscribe", "args": [topic]}
    book_subscription = subscribe
    logger = "pybotters.bybit"

    def __init__(self) -> None:
        self.breaks = {
            "stale-update-id": lambda n: self._delta(n, 1000 * n, [["97.0", "3"]], []),
            "crossed-book": lambda n: self._delta(n, 1000 * n + 2, [["101.5", "1"]], []),
            "malformed": lambda n: self._delta(n, 1000 * n + 2, [["97.0", 3]], []),
        }

    def store(self) -> Any:
        return pybotters.BybitDataStore()

    def _delta(self, n: int, u: int, bids: list[Any], asks: list[Any]) -> Any:
        return {
            "topic": self.topic,
            "type": "delta",
            "ts": u,
            "cts": u,
            "data": {"s": "BTCUSDT", "b": bids, "a": asks, "u": u, "seq": u},
        }

    def snapshot(self, n: int) -> Any:
        u = 1000 * n
        return {
            "topic": self.topic,
            "type": "snapshot",
            "ts": u,
            "cts": u,
            "data": {
                "s": "BTCUSDT",
                "u": u,
                "seq": u,
                "b": [["99.0", str(n)], ["98.0", "1"]],
                "a": [["101.0", str(n)], ["102.0", "1"]],
            },
        }

    def delta(self, n: int) -> Any:
        return self._delta(n, 1000 * n + 1, [["98.0", "5"]], [["102.0", "0"]])

    def book(self, store: Any) -> Book:
        return {s: [(i["p"], i["v"]) for i in v] for s, v in store.orderbook.sorted().items()}

    def after_snapshot(self, n: int) -> Book:
        return {"a": [("101.0", str(n)), ("102.0", "1")], "b": [("99.0", str(n)), ("98.0", "1")]}

    def after_delta(self, n: int) -> Book:
        return {"a": [("101.0", str(n))], "b": [("99.0", str(n)), ("98.0", "5")]}


class OKX(Exchange):
    name = "okx"
    path = "/ws/v5/public"
    url = "wss://ws.okx.com:8443/ws/v5/public"
    arg: ClassVar[Any] = {"channel": "books", "instId": "BTC-USDT"}
    subscribe: ClassVar[Any] = {"op": "subscribe", "args": [arg]}
    book_subscription = subscribe
    logger = "pybotters.okx"

    def __init__(self) -> None:
        self.breaks = {
            "sequence-gap": lambda n: self._update(1000 * n + 9, 1000 * n + 5, checksum=0),
            "checksum": lambda n: self._update(1000 * n + 2, 1000 * n + 1, checksum=123456),
            "malformed": lambda n: self._update(1000 * n + 2, 1000 * n + 1, bids=[["97.0"]]),
        }

    def store(self) -> Any:
        return pybotters.OKXDataStore()

    def _update(
        self, seq: int, prev: int, *, checksum: int = 0, bids: Any = (), asks: Any = ()
    ) -> Any:
        return {
            "arg": self.arg,
            "action": "update",
            "data": [
                {
                    "bids": list(bids),
                    "asks": list(asks),
                    "ts": "1",
                    "checksum": checksum,
                    "seqId": seq,
                    "prevSeqId": prev,
                }
            ],
        }

    def snapshot(self, n: int) -> Any:
        return {
            "arg": self.arg,
            "action": "snapshot",
            "data": [
                {
                    "bids": [["99.0", str(n), "0", "1"], ["98.0", "1", "0", "1"]],
                    "asks": [["101.0", str(n), "0", "1"], ["102.0", "1", "0", "1"]],
                    "ts": "1",
                    "checksum": 0,
                    "seqId": 1000 * n,
                    "prevSeqId": -1,
                }
            ],
        }

    def delta(self, n: int) -> Any:
        return self._update(
            1000 * n + 1, 1000 * n, bids=[["98.0", "5", "0", "2"]], asks=[["102.0", "0", "0", "0"]]
        )

    def book(self, store: Any) -> Book:
        return {s: [(i["px"], i["sz"]) for i in v] for s, v in store.books.sorted().items()}

    def after_snapshot(self, n: int) -> Book:
        return {
            "asks": [("101.0", str(n)), ("102.0", "1")],
            "bids": [("99.0", str(n)), ("98.0", "1")],
        }

    def after_delta(self, n: int) -> Book:
        return {"asks": [("101.0", str(n))], "bids": [("99.0", str(n)), ("98.0", "5")]}


EXCHANGES = [BitFlyer(), Bybit(), OKX()]
CASES = [(ex, kind) for ex in EXCHANGES for kind in ex.breaks]
IDS = [f"{ex.name}-{kind}" for ex, kind in CASES]


class Snapshots:
    """The fake's answer to a book subscription: the next snapshot, unless held back."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex
        self.sent = 0
        self.hold = False

    def __call__(self, message: Any, session: FakeWebSocketSession) -> list[Any] | None:
        if self.hold:
            return None
        self.sent += 1
        return [self.ex.snapshot(self.sent)]


async def healthy_stream(ex: Exchange, store: Any, session: FakeWebSocketSession, n: int) -> None:
    """Snapshot ``n`` (already sent by the fake) is in the book; a delta applies on top."""
    await until(lambda: ex.book(store) == ex.after_snapshot(n), f"snapshot {n}")
    await session.send(ex.delta(n))
    await until(lambda: ex.book(store) == ex.after_delta(n), f"the delta after snapshot {n}")


def book_warnings(caplog: pytest.LogCaptureFixture, ex: Exchange) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == ex.logger and r.levelno >= 30]


@pytest.mark.parametrize(("ex", "kind"), CASES, ids=IDS)
async def test_broken_book_is_resynchronised_on_the_live_connection(
    start_fake_exchange: Any, caplog: pytest.LogCaptureFixture, ex: Exchange, kind: str
) -> None:
    fake = await start_fake_exchange(ex.name, apis={})
    endpoint = fake.websocket(ex.path)
    snapshots = Snapshots(ex)
    endpoint.on_message(ex.book_subscription, snapshots)
    store = ex.store()
    async with pybotters.Client(apis={}) as client:
        await client.ws_connect(ex.url, send_json=ex.subscribe, hdlr_json=store.onmessage)
        session = await endpoint.wait_session()
        await session.wait_message(ex.book_subscription)
        await healthy_stream(ex, store, session, 1)
        caplog.clear()
        await session.send(ex.breaks[kind](1))
        # detected, reported, and resubscribed on the same, live connection
        await session.wait_message(ex.book_subscription)
        await healthy_stream(ex, store, session, 2)
    assert len(endpoint.sessions) == 1
    assert snapshots.sent == 2
    warnings = book_warnings(caplog, ex)
    assert len(warnings) == 1, warnings
    assert "cleared" in warnings[0] or "dropped" in warnings[0]


@pytest.mark.parametrize(("ex", "kind"), CASES, ids=IDS)
async def test_reconnect_in_the_middle_of_a_resynchronisation(
    start_fake_exchange: Any, caplog: pytest.LogCaptureFixture, ex: Exchange, kind: str
) -> None:
    fake = await start_fake_exchange(ex.name, apis={})
    endpoint = fake.websocket(ex.path)
    snapshots = Snapshots(ex)
    endpoint.on_message(ex.book_subscription, snapshots)
    store = ex.store()
    async with pybotters.Client(apis={}) as client:
        await client.ws_connect(
            ex.url, send_json=ex.subscribe, hdlr_json=store.onmessage, backoff=TINY_BACKOFF
        )
        first = await endpoint.wait_session()
        await first.wait_message(ex.book_subscription)
        await healthy_stream(ex, store, first, 1)
        snapshots.hold = True  # the resubscription will get no snapshot on this connection
        await first.send(ex.breaks[kind](1))
        await first.wait_message(ex.book_subscription)
        assert ex.book(store) == {side: [] for side in ex.after_snapshot(1)}  # not served
        await endpoint.drop()  # the connection is cut in the middle of the resync
        snapshots.hold = False
        second = await endpoint.wait_session()
        await second.wait_message(ex.book_subscription)  # the app's own re-subscription
        await healthy_stream(ex, store, second, 2)
        # a later break on the new connection resynchronises again
        await second.send(ex.breaks[kind](2))
        await second.wait_message(ex.book_subscription)
        await healthy_stream(ex, store, second, 3)
    assert len(endpoint.sessions) == 2
    assert snapshots.sent == 3
    assert logging.WARNING in {r.levelno for r in caplog.records if r.name == ex.logger}
