"""Bad input for every DataStoreCollection: malformed, truncated, reordered and unknown
messages never raise out of ``onmessage``, never leave a store inconsistent
(:mod:`tests.reliability.invariants`), and what is dropped is reported at WARNING level on the
plugin's logger. A damaged order-book message breaks its book: cleared, resubscribed on the
connection it came from, rebuilt by the next snapshot (never served half-applied).

The property tests run a fixed number of examples from a fixed seed by default;
``PYBOTTERS_FUZZ_EXAMPLES=N`` runs N random examples per exchange instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

import pybotters
from pybotters.store import DataStoreCollection

from .invariants import check_collection
from .messages import UNKNOWN_MESSAGES, broken_sequences, sequences

NAMES = {"bitflyer": "bitFlyerDataStore", "bybit": "BybitDataStore", "okx": "OKXDataStore"}
LOGGERS = {"bitflyer": "pybotters.bitflyer", "bybit": "pybotters.bybit", "okx": "pybotters.okx"}

_EXAMPLES = os.environ.get("PYBOTTERS_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 200,
    derandomize=_EXAMPLES is None,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class FakeWs:
    """Stands for the live connection a message came from; records what a store sends."""

    def __init__(self) -> None:
        self.closed = False
        self.sent: list[Any] = []

    async def send_str(self, text: str) -> None:
        self.sent.append(orjson.loads(text))

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)


def wire(message: Any) -> Any:
    """The message as a client decodes it from the wire: a fresh object every time."""
    return orjson.loads(orjson.dumps(message))


def feed(name: str, messages: list[Any], *, check: bool = True) -> tuple[Any, FakeWs]:
    """Feed ``messages`` to a new collection inside an event loop; check after each one."""
    store = getattr(pybotters, NAMES[name])()
    ws = FakeWs()

    async def run() -> None:
        for message in messages:
            store.onmessage(wire(message), ws)  # must not raise
            if check:
                check_collection(store, name)
        for _ in range(3):
            await asyncio.sleep(0)  # resubscriptions are sent from tasks

    asyncio.run(run())
    return store, ws


# -- property tests ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NAMES))
def test_broken_streams_never_raise_and_keep_stores_consistent(name: str) -> None:
    @FUZZ
    @given(messages=broken_sequences(name))
    def run(messages: list[Any]) -> None:
        logging.disable(logging.WARNING)  # thousands of expected warnings; checked below
        try:
            feed(name, messages)
        finally:
            logging.disable(logging.NOTSET)

    run()


@pytest.mark.parametrize("name", sorted(NAMES))
def test_healthy_streams_raise_no_alarm(name: str, caplog: pytest.LogCaptureFixture) -> None:
    @FUZZ
    @given(messages=sequences(name))
    def run(messages: list[Any]) -> None:
        caplog.clear()
        _, ws = feed(name, messages)
        alarms = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert alarms == [], [r.getMessage() for r in alarms]
        assert not [
            m for m in ws.sent if m.get("method") == "subscribe" or m.get("op") == "subscribe"
        ]

    run()


@pytest.mark.parametrize("name", sorted(NAMES))
def test_unknown_messages_change_nothing(name: str) -> None:
    healthies: dict[str, list[Any]] = {
        "bitflyer": [
            {
                "jsonrpc": "2.0",
                "method": "channelMessage",
                "params": {
                    "channel": "lightning_ticker_BTC_JPY",
                    "message": {"product_code": "BTC_JPY", "ltp": 1.0},
                },
            },
        ],
        "bybit": [
            {
                "topic": "tickers.BTCUSDT",
                "type": "snapshot",
                "ts": 1,
                "data": {"symbol": "BTCUSDT", "lastPrice": "1"},
            }
        ],
        "okx": [
            {
                "arg": {"channel": "tickers", "instId": "BTC-USDT"},
                "data": [{"instId": "BTC-USDT", "last": "1"}],
            }
        ],
    }
    healthy = healthies[name]
    before, _ = feed(name, healthy)
    after, ws = feed(name, [*healthy, *UNKNOWN_MESSAGES])
    assert snapshot_of(after) == snapshot_of(before)
    assert ws.sent == []


def snapshot_of(collection: DataStoreCollection) -> dict[str, list[Any]]:
    return {name: collection[name].find() for name in collection}


# -- what is dropped is reported, and a damaged book is rebuilt ------------------------------


def bf(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


BF_SNAPSHOT = bf(
    "lightning_board_snapshot_BTC_JPY",
    {
        "mid_price": 100.0,
        "bids": [{"price": 99.0, "size": 1.0}],
        "asks": [{"price": 101.0, "size": 2.0}],
    },
)
BY_SNAPSHOT = {
    "topic": "orderbook.50.BTCUSDT",
    "type": "snapshot",
    "ts": 1,
    "data": {"s": "BTCUSDT", "b": [["99.0", "1"]], "a": [["101.0", "2"]], "u": 10, "seq": 1},
}
OKX_SNAPSHOT = {
    "arg": {"channel": "books", "instId": "BTC-USDT"},
    "action": "snapshot",
    "data": [
        {
            "asks": [["101.0", "2", "0", "1"]],
            "bids": [["99.0", "1", "0", "1"]],
            "ts": "1",
            "checksum": 0,
            "seqId": 10,
            "prevSeqId": -1,
        }
    ],
}


def by_delta(**data: Any) -> dict[str, Any]:
    return {
        "topic": "orderbook.50.BTCUSDT",
        "type": "delta",
        "ts": 2,
        "data": {"s": "BTCUSDT", "b": [], "a": [], "u": 11, "seq": 2, **data},
    }


def okx_update(**book: Any) -> dict[str, Any]:
    return {
        "arg": {"channel": "books", "instId": "BTC-USDT"},
        "action": "update",
        "data": [
            {"asks": [], "bids": [], "ts": "2", "checksum": 0, "seqId": 11, "prevSeqId": 10, **book}
        ],
    }


BOOK_DAMAGE: dict[str, list[tuple[str, Any]]] = {
    "bitflyer": [
        (
            "size as a string",
            bf("lightning_board_BTC_JPY", {"bids": [{"price": 99.5, "size": "0.5"}], "asks": []}),
        ),
        (
            "price is null",
            bf("lightning_board_BTC_JPY", {"bids": [{"price": None, "size": 1.0}], "asks": []}),
        ),
        ("level without size", bf("lightning_board_BTC_JPY", {"bids": [{"price": 99.5}]})),
        ("level is a list", bf("lightning_board_BTC_JPY", {"bids": [[99.5, 1.0]]})),
        ("mid_price is text", bf("lightning_board_BTC_JPY", {"mid_price": "abc", "bids": []})),
        (
            "negative size",
            bf("lightning_board_BTC_JPY", {"asks": [{"price": 101.0, "size": -1.0}]}),
        ),
    ],
    "bybit": [
        ("size is a number", by_delta(b=[["99.0", 5]])),
        ("size is null", by_delta(a=[["101.0", None]])),
        ("level is one value", by_delta(b=[["99.0"]])),
        ("levels are an object", by_delta(a={"101.0": "1"})),
        ("update id is text", by_delta(u="eleven")),
        ("data is a list", {**by_delta(), "data": [by_delta()["data"]]}),
    ],
    "okx": [
        ("size is a number", okx_update(asks=[["101.0", 5, "0", "1"]])),
        ("price is null", okx_update(bids=[[None, "1", "0", "1"]])),
        ("level is a string", okx_update(bids=["99.0"])),
        ("data is an object", {**okx_update(), "data": {"seqId": 11}}),
        ("checksum is text", okx_update(checksum="abc")),
        ("empty size", okx_update(asks=[["101.0", "", "0", "1"]])),
    ],
}
SNAPSHOTS = {"bitflyer": BF_SNAPSHOT, "bybit": BY_SNAPSHOT, "okx": OKX_SNAPSHOT}
RESUBSCRIBED = {
    "bitflyer": {"method": "subscribe", "params": {"channel": "lightning_board_snapshot_BTC_JPY"}},
    "bybit": {"op": "subscribe", "args": ["orderbook.50.BTCUSDT"]},
    "okx": {"op": "subscribe", "args": [{"channel": "books", "instId": "BTC-USDT"}]},
}
BOOK = {"bitflyer": "board", "bybit": "orderbook", "okx": "books"}


@pytest.mark.parametrize(
    ("name", "what", "damaged"),
    [(name, what, message) for name, cases in BOOK_DAMAGE.items() for what, message in cases],
    ids=[f"{name}-{what}" for name, cases in BOOK_DAMAGE.items() for what, _ in cases],
)
def test_damaged_book_message_is_reported_and_the_book_resynchronised(
    caplog: pytest.LogCaptureFixture, name: str, what: str, damaged: Any
) -> None:
    store, ws = feed(name, [SNAPSHOTS[name], damaged])
    book = store[BOOK[name]]
    assert len(book) == 0  # not served: the book lost an update
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].name == LOGGERS[name]
    assert "malformed message was dropped" in warnings[0].getMessage()
    assert RESUBSCRIBED[name] in ws.sent  # on the connection the message came from
    # the next snapshot rebuilds the book, exactly
    rebuilt, _ = feed(name, [SNAPSHOTS[name], damaged, SNAPSHOTS[name]])
    fresh, _ = feed(name, [SNAPSHOTS[name]])
    assert rebuilt[BOOK[name]].sorted() == fresh[BOOK[name]].sorted()


OTHER_DAMAGE: dict[str, list[tuple[str, Any]]] = {
    "bitflyer": [
        ("executions not a list", bf("lightning_executions_BTC_JPY", {"id": 1})),
        ("execution is a number", bf("lightning_executions_BTC_JPY", [1, 2])),
        ("child event is a string", bf("child_order_events", ["ORDER"])),
        ("ticker is a list", bf("lightning_ticker_BTC_JPY", [{"product_code": "BTC_JPY"}])),
    ],
    "bybit": [
        ("trades not a list", {"topic": "publicTrade.BTCUSDT", "data": {"p": "1"}}),
        ("trade is a list", {"topic": "publicTrade.BTCUSDT", "data": [["1", "2"]]}),
        ("order is a number", {"topic": "order", "data": [7]}),
        ("topic is a number", {"topic": 42, "data": []}),
        ("kline is text", {"topic": "kline.1.BTCUSDT", "data": ["abc"]}),
    ],
    "okx": [
        ("trades not a list", {"arg": {"channel": "trades", "instId": "X"}, "data": {"px": "1"}}),
        ("account item is text", {"arg": {"channel": "account"}, "data": ["x"]}),
        ("arg is a list", {"arg": ["books"], "data": []}),
        ("order is null", {"arg": {"channel": "orders"}, "data": [None]}),
    ],
}


@pytest.mark.parametrize(
    ("name", "what", "damaged"),
    [(name, what, message) for name, cases in OTHER_DAMAGE.items() for what, message in cases],
    ids=[f"{name}-{what}" for name, cases in OTHER_DAMAGE.items() for what, _ in cases],
)
def test_other_malformed_messages_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture, name: str, what: str, damaged: Any
) -> None:
    store, _ = feed(name, [damaged])
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].name == LOGGERS[name]
    assert "malformed message was dropped" in warnings[0].getMessage()
    assert all(len(store[n]) == 0 for n in store)  # nothing half-stored
