"""Order-book integrity: healthy, gapped, stale, crossed and restarted sequences."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybotters_bybit.store import BybitDataStore

from .messages import book

TOPIC = "orderbook.50.BTCUSDT"
BIDS = [["100.0", "1"], ["99.5", "2"], ["99.0", "3"]]
ASKS = [["100.5", "1"], ["101.0", "2"], ["101.5", "3"]]


class RecordingWs:
    """Stands in for the live connection handed to ``onmessage``: records what is sent."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Any] = []
        self.fail = fail
        self.changed = asyncio.Event()

    async def send_str(self, data: str) -> None:
        if self.fail:
            raise ConnectionResetError("Cannot write to closing transport")
        self.sent.append(json.loads(data))
        self.changed.set()

    async def wait_sent(self, count: int) -> list[Any]:
        async def poll() -> None:
            while len(self.sent) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(poll(), 5)
        return self.sent


def levels(store: BybitDataStore, symbol: str = "BTCUSDT") -> dict[str, list[tuple[str, str]]]:
    sides = store.orderbook.sorted({"s": symbol})
    return {side: [(x["p"], x["v"]) for x in items] for side, items in sides.items()}


def snapshot(u: int = 1000, **kwargs: Any) -> dict[str, Any]:
    return book(
        "snapshot", u, bids=kwargs.pop("bids", BIDS), asks=kwargs.pop("asks", ASKS), **kwargs
    )


def delta(
    u: int, bids: list[list[str]] | None = None, asks: list[list[str]] | None = None, **kw: Any
) -> dict[str, Any]:
    return book("delta", u, bids=bids or [], asks=asks or [], **kw)


RESUBSCRIBE = [
    {"op": "unsubscribe", "args": [TOPIC]},
    {"op": "subscribe", "args": [TOPIC]},
]


@pytest.fixture
def warnings_(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, "pybotters.bybit")
    return caplog


def warned(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_healthy_sequence_is_applied_without_alarm(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1001, bids=[["100.0", "5"]]), ws)
    store.onmessage(delta(1002, asks=[["100.5", "0"], ["100.25", "4"]]), ws)
    store.onmessage(delta(1003, bids=[["99.5", "0"]], asks=[["102", "1"]]), ws)
    await asyncio.sleep(0)
    assert levels(store) == {
        "a": [("100.25", "4"), ("101.0", "2"), ("101.5", "3"), ("102", "1")],
        "b": [("100.0", "5"), ("99.0", "3")],
    }
    assert warned(warnings_) == []
    assert ws.sent == []


async def test_ids_that_jump_are_accepted_by_default(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    # Bybit does not document steps of one: a jump is not proof of a gap.
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1005, bids=[["100.0", "7"]]), ws)
    store.onmessage(delta(1090, bids=[["100.0", "8"]]), ws)
    await asyncio.sleep(0)
    assert levels(store)["b"][0] == ("100.0", "8")
    assert warned(warnings_) == []
    assert ws.sent == []


async def test_gap_breaks_the_book_with_strict_sequence(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    store.orderbook.strict_sequence = True
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1001, bids=[["100.0", "7"]]), ws)
    store.onmessage(delta(1003, bids=[["100.0", "9"]]), ws)
    assert len(store.orderbook) == 0
    assert await ws.wait_sent(2) == RESUBSCRIBE
    [message] = warned(warnings_)
    assert TOPIC in message and "u=1003" in message and "u=1001" in message


@pytest.mark.parametrize("u", [1002, 1001, 999], ids=["repeated", "stale", "regressed"])
async def test_stale_or_repeated_update_id_breaks_the_book(
    warnings_: pytest.LogCaptureFixture, u: int
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1001), ws)
    store.onmessage(delta(1002, bids=[["100.0", "2"]]), ws)
    store.onmessage(delta(u, bids=[["100.0", "666"]]), ws)
    assert len(store.orderbook) == 0  # cleared, and the bad delta was not applied
    assert await ws.wait_sent(2) == RESUBSCRIBE
    [message] = warned(warnings_)
    assert TOPIC in message and f"u={u}" in message and "last u=1002" in message
    assert "resubscribed" in message


async def test_crossed_book_is_detected(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1001, bids=[["100.5", "1"]]), ws)
    assert len(store.orderbook) == 0
    assert await ws.wait_sent(2) == RESUBSCRIBE
    [message] = warned(warnings_)
    assert TOPIC in message and "crossed" in message and "100.5" in message


async def test_crossed_snapshot_is_detected(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000, bids=[["101", "1"]], asks=[["100", "1"]]), ws)
    assert len(store.orderbook) == 0
    assert await ws.wait_sent(2) == RESUBSCRIBE


async def test_broken_book_is_rebuilt_by_the_next_snapshot(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1000), ws)  # repeated: broken
    store.onmessage(delta(1001, bids=[["99.9", "1"]]), ws)  # dropped
    store.onmessage(delta(1000), ws)  # dropped too (no book)
    assert len(store.orderbook) == 0
    assert await ws.wait_sent(2) == RESUBSCRIBE
    store.onmessage(snapshot(2000, bids=[["98", "1"]], asks=[["99", "1"]]), ws)
    store.onmessage(delta(2001, bids=[["98.5", "2"]]), ws)
    assert levels(store) == {"a": [("99", "1")], "b": [("98.5", "2"), ("98", "1")]}
    await asyncio.sleep(0)
    assert len(ws.sent) == 2  # one resubscription only
    assert len(warned(warnings_)) == 1


async def test_a_second_break_before_the_snapshot_does_not_resubscribe_again(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000, bids=[["101", "1"]], asks=[["100", "1"]]), ws)
    store.onmessage(snapshot(1000, bids=[["101", "1"]], asks=[["100", "1"]]), ws)
    await ws.wait_sent(2)
    await asyncio.sleep(0)
    assert ws.sent == RESUBSCRIBE
    assert "already pending" in warned(warnings_)[1]


async def test_deltas_before_the_first_snapshot_are_dropped(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(delta(999, bids=[["100", "1"]]), ws)
    assert len(store.orderbook) == 0
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1001, bids=[["99.75", "1"]]), ws)
    assert ("99.75", "1") in levels(store)["b"]
    assert warned(warnings_) == []
    assert any("dropped" in r.getMessage() for r in warnings_.records)  # at debug level
    assert ws.sent == []


async def test_update_id_1_is_a_snapshot_after_a_restart(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(5000), ws)
    store.onmessage(delta(1, bids=[["90", "1"]], asks=[["91", "1"]]), ws)
    assert levels(store) == {"a": [("91", "1")], "b": [("90", "1")]}
    store.onmessage(delta(2, bids=[["90", "2"]]), ws)
    assert levels(store)["b"] == [("90", "2")]
    assert warned(warnings_) == []


async def test_level_1_snapshots_repeated_with_the_same_id_are_not_a_break(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    top = book("snapshot", 7000, bids=[["100", "1"]], asks=[["100.5", "2"]], depth=1)
    for _ in range(3):  # every 3 s when nothing changed, the same u
        store.onmessage(top, ws)
    store.onmessage(
        book("snapshot", 7001, bids=[["100.1", "1"]], asks=[["100.5", "1"]], depth=1), ws
    )
    store.onmessage(
        book("snapshot", 7001, bids=[["100.1", "1"]], asks=[["100.5", "1"]], depth=1), ws
    )
    await asyncio.sleep(0)
    assert levels(store) == {"a": [("100.5", "1")], "b": [("100.1", "1")]}
    assert warned(warnings_) == []
    assert ws.sent == []


async def test_without_a_connection_the_book_waits_for_a_snapshot(
    warnings_: pytest.LogCaptureFixture,
) -> None:
    store = BybitDataStore()
    store.onmessage(snapshot(1000))
    store.onmessage(delta(1000))
    assert len(store.orderbook) == 0
    assert "no connection to resubscribe on" in warned(warnings_)[0]
    store.onmessage(snapshot(1200))
    assert len(store.orderbook) == 6


def test_break_outside_an_event_loop_does_not_fail(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(1000), ws)
    assert len(store.orderbook) == 0
    assert "no running event loop" in warned(warnings_)[1]


async def test_failed_resubscription_is_logged(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs(fail=True)
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(999), ws)
    for _ in range(5):
        await asyncio.sleep(0)
    assert "could not be sent" in warned(warnings_)[-1]


async def test_symbols_are_checked_independently(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    eth = "orderbook.50.ETHUSDT"
    store.onmessage(
        book("snapshot", 10, bids=[["1500", "1"]], asks=[["1501", "1"]], symbol="ETHUSDT"), ws
    )
    store.onmessage(delta(10, symbol="ETHUSDT"), ws)
    store.onmessage(delta(1001, bids=[["100.0", "4"]]), ws)
    assert await ws.wait_sent(2) == [
        {"op": "unsubscribe", "args": [eth]},
        {"op": "subscribe", "args": [eth]},
    ]
    assert store.orderbook.find({"s": "ETHUSDT"}) == []
    assert levels(store)["b"][0] == ("100.0", "4")


async def test_deltas_of_another_depth_are_dropped(warnings_: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    ws: Any = RecordingWs()
    store.onmessage(snapshot(1000), ws)
    store.onmessage(delta(5, bids=[["99.9", "1"]], depth=200), ws)
    store.onmessage(delta(6, bids=[["99.9", "1"]], depth=200), ws)
    assert ("99.9", "1") not in levels(store)["b"]
    [message] = warned(warnings_)
    assert "orderbook.200.BTCUSDT" in message and TOPIC in message


# -- property: any healthy stream gives the reference book and never alarms --------------------

prices = st.integers(min_value=1, max_value=40)
sizes = st.sampled_from(["0", "0.5", "1", "2.25", "10"])
# Bybit lists a price at most once per side of a message.
side_updates = st.lists(st.tuples(prices, sizes), max_size=6, unique_by=lambda x: x[0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(side_updates, side_updates, st.integers(1, 3)), max_size=25),
)
def test_random_healthy_streams_match_a_reference_book(
    steps: list[tuple[list[tuple[int, str]], list[tuple[int, str]], int]],
) -> None:
    # Bids live below 50 and asks above 50, so the stream is never crossed.
    store = BybitDataStore()
    reference: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    u = 100
    store.onmessage(book("snapshot", u, bids=[], asks=[]))
    for bid_changes, ask_changes, step in steps:
        u += step
        bids = [[f"{50 - p}.5", s] for p, s in bid_changes]
        asks = [[f"{50 + p}.5", s] for p, s in ask_changes]
        store.onmessage(book("delta", u, bids=bids, asks=asks))
        for side, changes in (("b", bids), ("a", asks)):
            for price, size in changes:
                if size == "0":
                    reference[side].pop(price, None)
                else:
                    reference[side][price] = size
    expected = {
        "a": sorted(reference["a"].items(), key=lambda x: float(x[0])),
        "b": sorted(reference["b"].items(), key=lambda x: -float(x[0])),
    }
    assert levels(store) == expected
