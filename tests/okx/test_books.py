"""Order-book integrity: snapshots, seqId chain, checksum, resubscription."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from pybotters_okx.store import Books, OKXDataStore, okx_checksum

from .conftest import book_msg, level


def levels(store: OKXDataStore, inst_id: str = "BTC-USDT") -> dict[str, list[tuple[str, str]]]:
    top = store.books.sorted({"instId": inst_id})
    return {side: [(i["px"], i["sz"]) for i in items] for side, items in top.items()}


class FakeWS:
    """Records what a resubscription sends (the aiohttp connection's send_str)."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send_str(self, data: str) -> None:
        self.sent.append(json.loads(data))


def checksum_of(bids: list[list[str]], asks: list[list[str]]) -> int:
    return okx_checksum(
        [{"px": b[0], "sz": b[1]} for b in bids], [{"px": a[0], "sz": a[1]} for a in asks]
    )


# -- checksum ------------------------------------------------------------------------------------


def test_checksum_vector() -> None:
    # "3366.1:7:3366.8:9:3366:6:3368:8" -> -1881014294
    bids = [{"px": "3366.1", "sz": "7"}, {"px": "3366", "sz": "6"}]
    asks = [{"px": "3366.8", "sz": "9"}, {"px": "3368", "sz": "8"}]
    assert okx_checksum(bids, asks) == -1881014294


def test_checksum_uneven_sides_and_depth_25() -> None:
    import zlib

    bids = [{"px": str(100 - i), "sz": "1"} for i in range(30)]
    asks = [{"px": "101", "sz": "2"}]
    parts = ["100", "1", "101", "2"] + [x for i in range(1, 25) for x in (str(100 - i), "1")]
    crc = zlib.crc32(":".join(parts).encode())
    expected = crc - (1 << 32) if crc >= 1 << 31 else crc
    assert okx_checksum(bids, asks) == expected


# -- snapshot / update -----------------------------------------------------------------------


def test_snapshot_then_updates_keep_strings_and_fields() -> None:
    store = OKXDataStore()
    store.onmessage(
        book_msg(
            "snapshot",
            [level("8476.98", "415", "13"), level("8477", "7", "2")],
            [level("8476.97", "256", "12"), level("8475.55", "101", "1")],
            seq=10,
            prev=-1,
        )
    )
    assert levels(store) == {
        "asks": [("8476.98", "415"), ("8477", "7")],
        "bids": [("8476.97", "256"), ("8475.55", "101")],
    }
    assert store.books.get({"instId": "BTC-USDT", "side": "asks", "px": "8476.98"}) == {
        "instId": "BTC-USDT",
        "side": "asks",
        "px": "8476.98",
        "sz": "415",
        "liqSz": "0",
        "ordSz": "13",
    }
    # ids do not step by 1; sz "0" deletes; other sizes upsert
    store.onmessage(
        book_msg(
            "update",
            [level("8476.98", "0"), level("8478.1", "3")],
            [level("8476.97", "200", "9")],
            seq=57,
            prev=10,
        )
    )
    assert levels(store) == {
        "asks": [("8477", "7"), ("8478.1", "3")],
        "bids": [("8476.97", "200"), ("8475.55", "101")],
    }
    assert store.books.seq_id["BTC-USDT"] == 57
    assert store.books.ts == "1597026383085"
    assert store.books.checksum == {"BTC-USDT": 0}


def test_empty_update_repeating_seq_id_is_in_order() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [level("1", "1")], seq=5, prev=-1))
    store.onmessage(book_msg("update", [], [], seq=5, prev=5))
    store.onmessage(book_msg("update", [level("3", "1")], [], seq=9, prev=5))
    assert store.books.is_synced("BTC-USDT")
    assert levels(store)["asks"] == [("2", "1"), ("3", "1")]


def test_seq_id_reset_after_maintenance_follows_the_chain() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [level("1", "1")], seq=900, prev=-1))
    store.onmessage(book_msg("update", [level("2", "5")], [], seq=3, prev=900))  # smaller
    store.onmessage(book_msg("update", [level("2", "6")], [], seq=8, prev=3))
    assert store.books.is_synced("BTC-USDT")
    assert store.books.resyncs == 0
    assert levels(store)["asks"] == [("2", "6")]


def test_snapshot_replaces_only_its_instrument() -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [level("1", "1")], seq=1, prev=-1))
    store.onmessage(
        book_msg("snapshot", [level("20", "1")], [level("10", "1")], seq=1, prev=-1, inst_id="ETH")
    )
    store.onmessage(book_msg("snapshot", [level("3", "2")], [], seq=2, prev=-1))
    assert levels(store) == {"asks": [("3", "2")], "bids": []}
    assert levels(store, "ETH") == {"asks": [("20", "1")], "bids": [("10", "1")]}


@pytest.mark.parametrize("channel", ["books5", "bbo-tbt"])
def test_full_depth_channels_replace_the_book(channel: str) -> None:
    store = OKXDataStore()
    store.onmessage(
        book_msg(None, [level("2", "1"), level("3", "1")], [level("1", "1")], channel=channel)
    )
    store.onmessage(book_msg(None, [level("2.5", "4")], [level("1.5", "2")], channel=channel))
    assert levels(store) == {"asks": [("2.5", "4")], "bids": [("1.5", "2")]}


def test_sorted_limit_and_numeric_order() -> None:
    store = OKXDataStore()
    asks = [level(p, "1") for p in ("10.5", "9.75", "100", "10")]
    bids = [level(p, "1") for p in ("9", "8.5", "9.5")]
    store.onmessage(book_msg("snapshot", asks, bids, seq=1, prev=-1))
    top = store.books.sorted(limit=2)
    assert [i["px"] for i in top["asks"]] == ["9.75", "10"]
    assert [i["px"] for i in top["bids"]] == ["9.5", "9"]


# -- breaks ----------------------------------------------------------------------------------


async def test_gap_clears_book_logs_and_resubscribes(caplog: pytest.LogCaptureFixture) -> None:
    store = OKXDataStore()
    ws: Any = FakeWS()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [level("1", "1")], seq=10, prev=-1), ws)
    other = book_msg("snapshot", [level("20", "1")], [], seq=1, prev=-1, inst_id="ETH-USDT")
    store.onmessage(other, ws)
    with caplog.at_level(logging.WARNING, logger="pybotters.okx"):
        store.onmessage(book_msg("update", [level("2", "3")], [], seq=30, prev=20), ws)
    assert levels(store) == {"asks": [], "bids": []}
    assert levels(store, "ETH-USDT")["asks"] == [("20", "1")]  # other books untouched
    assert not store.books.is_synced("BTC-USDT")
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    for text in ("books", "BTC-USDT", "sequence gap", "10", "20", "30"):
        assert text in record.getMessage()
    # further updates are dropped until a snapshot; no second resubscription
    store.onmessage(book_msg("update", [level("2", "3")], [], seq=31, prev=30), ws)
    assert len(store.books) == 1
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    arg = {"channel": "books", "instId": "BTC-USDT"}
    assert ws.sent == [
        {"op": "unsubscribe", "args": [arg]},
        {"op": "subscribe", "args": [arg]},
    ]
    # the fresh snapshot rebuilds the book and the chain goes on from it
    store.onmessage(book_msg("snapshot", [level("2", "9")], [level("1", "9")], seq=50, prev=-1), ws)
    store.onmessage(book_msg("update", [], [level("1.5", "1")], seq=51, prev=50), ws)
    assert store.books.is_synced("BTC-USDT")
    assert levels(store) == {"asks": [("2", "9")], "bids": [("1.5", "1"), ("1", "9")]}
    assert store.books.resyncs == 1


async def test_update_before_any_snapshot_is_a_break() -> None:
    store = OKXDataStore()
    ws: Any = FakeWS()
    store.onmessage(book_msg("update", [level("2", "1")], [], seq=5, prev=4), ws)
    assert len(store.books) == 0
    await asyncio.sleep(0)
    assert [m["op"] for m in ws.sent] == ["unsubscribe", "subscribe"]


def _valid_book() -> tuple[list[list[str]], list[list[str]]]:
    asks = [level("3366.8", "9"), level("3368", "8")]
    bids = [level("3366.1", "7"), level("3366", "6")]
    return asks, bids


async def test_nonzero_checksum_is_verified(caplog: pytest.LogCaptureFixture) -> None:
    store = OKXDataStore()
    ws: Any = FakeWS()
    asks, bids = _valid_book()
    good = checksum_of(bids, asks)
    assert good == -1881014294
    store.onmessage(book_msg("snapshot", asks, bids, seq=1, prev=-1, checksum=good), ws)
    assert store.books.is_synced("BTC-USDT") and len(store.books) == 4
    # an update whose checksum matches the book after applying it
    new_bids = [level("3366.1", "5"), level("3366", "6")]
    ok = checksum_of(new_bids, asks)
    store.onmessage(book_msg("update", [], [level("3366.1", "5")], seq=2, prev=1, checksum=ok), ws)
    assert store.books.is_synced("BTC-USDT")
    # a corrupted checksum: the book is cleared and resubscribed
    with caplog.at_level(logging.WARNING, logger="pybotters.okx"):
        store.onmessage(
            book_msg("update", [level("3368", "1")], [], seq=3, prev=2, checksum=ok + 1), ws
        )
    assert len(store.books) == 0
    assert not store.books.is_synced("BTC-USDT")
    assert "checksum mismatch" in caplog.text and str(ok + 1) in caplog.text
    await asyncio.sleep(0)
    assert [m["op"] for m in ws.sent] == ["unsubscribe", "subscribe"]


def test_zero_checksum_is_never_verified() -> None:
    store = OKXDataStore()
    asks, bids = _valid_book()
    store.onmessage(book_msg("snapshot", asks, bids, seq=1, prev=-1, checksum=0))
    store.onmessage(book_msg("update", [level("3368", "1")], [], seq=2, prev=1, checksum=0))
    assert store.books.is_synced("BTC-USDT")
    assert len(store.books) == 4


def test_checksum_verification_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    store = OKXDataStore()
    store.books.verify_checksum = False
    asks, bids = _valid_book()
    store.onmessage(book_msg("snapshot", asks, bids, seq=1, prev=-1, checksum=12345))
    assert store.books.is_synced("BTC-USDT") and len(store.books) == 4
    monkeypatch.setattr(Books, "verify_checksum", False)
    other = OKXDataStore()
    other.onmessage(book_msg("snapshot", asks, bids, seq=1, prev=-1, checksum=12345))
    assert other.books.is_synced("BTC-USDT")


def test_replay_without_connection_waits_for_next_snapshot(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = OKXDataStore()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [level("1", "1")], seq=1, prev=-1))
    with caplog.at_level(logging.WARNING, logger="pybotters.okx"):
        store.onmessage(book_msg("update", [level("2", "2")], [], seq=9, prev=7))
    assert "no connection to resubscribe on" in caplog.text
    assert len(store.books) == 0
    store.onmessage(book_msg("snapshot", [level("5", "1")], [], seq=20, prev=-1))
    assert levels(store)["asks"] == [("5", "1")]


@pytest.mark.parametrize("channel", ["books-l2-tbt", "books50-l2-tbt"])
async def test_tbt_channels_follow_the_chain(channel: str) -> None:
    store = OKXDataStore()
    ws: Any = FakeWS()
    store.onmessage(
        book_msg("snapshot", [level("2", "1")], [], seq=1, prev=-1, channel=channel), ws
    )
    store.onmessage(book_msg("update", [level("2", "2")], [], seq=4, prev=1, channel=channel), ws)
    assert levels(store)["asks"] == [("2", "2")]
    store.onmessage(book_msg("update", [level("2", "3")], [], seq=9, prev=5, channel=channel), ws)
    await asyncio.sleep(0)
    assert ws.sent[1] == {"op": "subscribe", "args": [{"channel": channel, "instId": "BTC-USDT"}]}


async def test_resubscribe_on_closed_connection_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class ClosedWS:
        async def send_str(self, data: str) -> None:
            raise ConnectionResetError("Cannot write to closing transport")

    store = OKXDataStore()
    closed: Any = ClosedWS()
    store.onmessage(book_msg("snapshot", [level("2", "1")], [], seq=1, prev=-1), closed)
    with caplog.at_level(logging.WARNING, logger="pybotters.okx"):
        store.onmessage(book_msg("update", [], [], seq=3, prev=2), closed)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    assert "could not be sent" in caplog.text
