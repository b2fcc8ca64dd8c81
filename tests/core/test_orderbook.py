"""OrderBookStore: sorted books per (symbol, side), numeric prices, ties and fast clears."""

from __future__ import annotations

import logging
import random
from typing import Any, ClassVar

import pytest

from pybotters import store as store_module
from pybotters.store import DataStore, OrderBookStore


class Board(OrderBookStore):
    """bitFlyer-like: product_code / side "asks"|"bids" / price (numbers)."""

    _BOOK_SYMBOL = "product_code"


class Depth(OrderBookStore):
    """Bybit-like: s / S "a"|"b" / p (strings), sorted() keys "a"/"b"."""

    _BOOK_SYMBOL = "s"
    _BOOK_SIDE = "S"
    _BOOK_PRICE = "p"
    _BOOK_ASK = "a"
    _BOOK_BID = "b"
    _SORTED_KEYS = ("a", "b")


def level(side: str, price: Any, size: Any = 1, symbol: str = "BTC_JPY") -> dict[str, Any]:
    return {"product_code": symbol, "side": side, "price": price, "size": size}


def prices(result: dict[str, list[dict[str, Any]]], key: str = "price") -> dict[str, list[Any]]:
    return {side: [i[key] for i in items] for side, items in result.items()}


def full_sort(book: OrderBookStore, query: Any = None, limit: Any = None) -> Any:
    ask_key, bid_key = book._SORTED_KEYS
    asks = [i for i in book.find(query) if i[book._BOOK_SIDE] == book._BOOK_ASK]
    bids = [i for i in book.find(query) if i[book._BOOK_SIDE] == book._BOOK_BID]
    asks.sort(key=lambda i: float(i[book._BOOK_PRICE]))
    bids.sort(key=lambda i: float(i[book._BOOK_PRICE]), reverse=True)
    if limit:
        asks, bids = asks[:limit], bids[:limit]
    return {ask_key: asks, bid_key: bids}


def test_class_configuration() -> None:
    assert Board._KEYS == ["product_code", "side", "price"]
    assert Depth._KEYS == ["s", "S", "p"]
    assert Board._MAXLEN is None
    assert issubclass(Board, DataStore)


def test_sorted_asks_ascending_bids_descending_with_limit() -> None:
    board = Board(data=[level("asks", p) for p in (103, 101, 102)])
    board._insert([level("bids", p) for p in (98, 100, 99)])
    assert prices(board.sorted()) == {"asks": [101, 102, 103], "bids": [100, 99, 98]}
    assert prices(board.sorted(limit=2)) == {"asks": [101, 102], "bids": [100, 99]}
    assert prices(board.sorted(limit=0)) == prices(board.sorted())  # 0 means all, as in 1.x
    assert prices(board.sorted(limit=10)) == prices(board.sorted())
    with pytest.raises(ValueError, match="limit must be None or >= 0"):
        board.sorted(limit=-1)


def test_string_prices_compare_as_numbers() -> None:
    depth = Depth()
    depth._update(
        [{"s": "BTCUSDT", "S": "a", "p": p, "v": "1"} for p in ("9.5", "10", "100", "9")]
        + [{"s": "BTCUSDT", "S": "b", "p": p, "v": "1"} for p in ("8", "10", "1e0", "7.25")]
    )
    assert prices(depth.sorted(), "p") == {
        "a": ["9", "9.5", "10", "100"],
        "b": ["10", "8", "7.25", "1e0"],
    }


def test_update_delete_keep_the_sort() -> None:
    board = Board(data=[level("asks", 101), level("asks", 102), level("bids", 100)])
    first = board.get({"product_code": "BTC_JPY", "side": "asks", "price": 101})
    board._update([level("asks", 101, size=5)])  # size change: merged in place
    assert first is not None and first["size"] == 5
    board._update([level("asks", 100.5, size=1)])  # a new level
    board._delete([level("asks", 102, size=0), level("bids", 12345, size=0)])
    board._insert([level("bids", 99.5)])
    assert prices(board.sorted()) == {"asks": [100.5, 101], "bids": [100, 99.5]}
    assert board.sorted(limit=1)["asks"][0] == level("asks", 100.5, size=1)


def test_query_by_symbol_and_more() -> None:
    board = Board()
    board._insert([level("asks", p, symbol="BTC_JPY") for p in (10, 11)])
    board._insert([level("asks", p, symbol="ETH_JPY") for p in (1, 2)])
    board._insert([level("bids", p, symbol="ETH_JPY") for p in (0.5, 0.7)])
    assert prices(board.sorted({"product_code": "ETH_JPY"})) == {
        "asks": [1, 2],
        "bids": [0.7, 0.5],
    }
    assert prices(board.sorted({"product_code": "ETH_JPY", "side": "bids"}, limit=1)) == {
        "asks": [],
        "bids": [0.7],
    }
    assert prices(board.sorted({"product_code": "ETH_JPY", "size": 1}, limit=1)) == {
        "asks": [1],
        "bids": [0.7],
    }
    assert board.sorted({"product_code": "XRP_JPY"}) == {"asks": [], "bids": []}
    assert board.sorted({"product_code": ["unhashable"]}) == {"asks": [], "bids": []}
    # several symbols and no symbol in the query: a merged full sort, as in pybotters 1.x
    assert prices(board.sorted()) == {"asks": [1, 2, 10, 11], "bids": [0.7, 0.5]}
    assert board.sorted(limit=3) == full_sort(board, limit=3)
    assert board.sorted({"side": "asks"}) == full_sort(board, {"side": "asks"})
    assert board.symbols() == ["BTC_JPY", "ETH_JPY"]


def test_single_symbol_left_uses_its_book() -> None:
    board = Board()
    board._insert([level("asks", 10, symbol="A"), level("asks", 20, symbol="B")])
    board._delete([level("asks", 10, symbol="A")])
    assert board._single_book() is board._books["B"]
    assert prices(board.sorted({"side": "asks"})) == {"asks": [20], "bids": []}
    assert Board().sorted() == {"asks": [], "bids": []}


def test_equal_prices_with_different_spelling_keep_insertion_order() -> None:
    depth = Depth()
    items = [
        {"s": "X", "S": "a", "p": "1.0", "v": "1"},
        {"s": "X", "S": "a", "p": "1", "v": "2"},
        {"s": "X", "S": "a", "p": "0.5", "v": "3"},
        {"s": "X", "S": "a", "p": "1.00", "v": "4"},
        {"s": "X", "S": "b", "p": "0.25", "v": "5"},
        {"s": "X", "S": "b", "p": "2.5e-1", "v": "6"},
    ]
    depth._insert(items)
    assert depth.sorted() == full_sort(depth)
    assert [i["v"] for i in depth.sorted()["a"]] == ["3", "1", "2", "4"]
    assert [i["v"] for i in depth.sorted(limit=2)["a"]] == ["3", "1"]
    assert [i["v"] for i in depth.sorted()["b"]] == ["5", "6"]
    depth._delete([{"s": "X", "S": "a", "p": "1"}])
    depth._insert([{"s": "X", "S": "a", "p": "1.0", "v": "7"}])  # replaced in place
    assert [i["v"] for i in depth.sorted()["a"]] == ["3", "7", "4"]
    depth._delete([{"s": "X", "S": "a", "p": "1.00"}, {"s": "X", "S": "b", "p": "0.25"}])
    assert depth._ties == 0
    assert depth.sorted() == full_sort(depth)


def test_extra_key_fields_allow_several_orders_per_price() -> None:
    class L3(Depth):
        _KEYS: ClassVar[list[str]] = ["s", "S", "p", "id"]

    book = L3()
    book._insert([{"s": "X", "S": "a", "p": "1", "id": i} for i in range(3)])
    book._insert([{"s": "X", "S": "a", "p": "0.5", "id": 9}])
    assert [i["id"] for i in book.sorted()["a"]] == [9, 0, 1, 2]
    book._delete([{"s": "X", "S": "a", "p": "1", "id": 1}])
    assert [i["id"] for i in book.sorted()["a"]] == [9, 0, 2]


def test_bad_levels_are_not_stored_and_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    board = Board(name="board")
    with caplog.at_level(logging.WARNING, logger="pybotters"):
        board._insert([level("middle", 1), level("asks", "abc"), level("asks", None)])
        board._update([level("asks", float("nan")), level("bids", "oops")])
    assert len(board) == 0
    assert board.sorted() == {"asks": [], "bids": []}
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "Board 'board' ignored a book level" in warnings[0]
    assert "neither _BOOK_ASK 'asks' nor _BOOK_BID 'bids'" in warnings[0]
    with caplog.at_level(logging.DEBUG, logger="pybotters"):
        board._update([level("asks", "abc")])
    assert "is not a number" in caplog.records[-1].getMessage()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(TypeError, match="_BOOK_ASK and _BOOK_BID are both"):

        class Same(OrderBookStore):
            _BOOK_ASK = "x"
            _BOOK_BID = "x"

    with pytest.raises(TypeError, match="_SORTED_KEYS must be two different names"):

        class BadKeys(OrderBookStore):
            _SORTED_KEYS = ("x", "x")

    with pytest.raises(ValueError, match=r"must include the symbol, side and price.*\['price'\]"):
        Board(keys=["product_code", "side"])


def test_maxlen_does_not_truncate_books() -> None:
    board = Board(data=[level("asks", p) for p in range(12_000)])
    assert len(board) == 12_000
    assert prices(board.sorted(limit=2)) == {"asks": [0, 1], "bids": []}


def test_clear_symbol_removes_only_that_symbol() -> None:
    depth = Depth()
    depth._insert([{"s": "A", "S": side, "p": str(p)} for side in "ab" for p in range(5)])
    depth._insert([{"s": "B", "S": "a", "p": "1"}, {"s": "B", "S": "a", "p": "1.0"}])
    with depth.watch() as stream:
        depth._clear_symbol("B")
        depth._clear_symbol("nothing")
        assert [c.operation for c in stream._sink.buffer] == ["delete", "delete"]
    assert depth._ties == 0
    assert len(depth) == 10
    assert depth.find({"s": "B"}) == []
    assert depth.sorted({"s": "B"}) == {"a": [], "b": []}
    depth._insert([{"s": "B", "S": "b", "p": "3"}])  # a fresh snapshot after the clear
    assert prices(depth.sorted({"s": "B"}), "p") == {"a": [], "b": ["3"]}


def test_find_and_delete_pop_and_clear() -> None:
    board = Board()
    board._insert([level("asks", p, symbol=s) for s in ("A", "B") for p in (1, 2)])
    removed = board._find_and_delete({"product_code": "A"})
    assert [(i["product_code"], i["price"]) for i in removed] == [("A", 1), ("A", 2)]
    assert board._find_and_delete({"product_code": "A"}) == []
    assert [i["price"] for i in board._find_and_delete({"price": 2})] == [2]
    popped = board._pop(level("asks", 1, symbol="B"))
    assert popped is not None and popped["price"] == 1
    assert board._pop(level("asks", 1, symbol="B")) is None
    assert board._pop({"side": "asks"}) is None
    board._insert([level("bids", 5)])
    board._clear()
    assert len(board) == 0
    assert board.sorted() == {"asks": [], "bids": []}
    assert board._books == {}


def test_watch_sees_book_changes() -> None:
    board = Board()
    with board.watch() as stream:
        board._insert([level("asks", 1)])
        board._insert([level("asks", 1, size=2)])
        board._update([level("asks", 1, size=3), level("bids", 0.5)])
        board._delete([level("asks", 1)])
        ops = [(c.operation, c.source, c.data["size"]) for c in stream._sink.buffer]
    assert ops == [
        ("insert", None, 1),
        ("insert", None, 2),
        ("update", level("asks", 1, size=3), 3),
        ("update", None, 1),
        ("delete", level("asks", 1), 3),
    ]


@pytest.mark.parametrize("promote", [4096, 3])
def test_large_and_shuffled_books_match_a_full_sort(
    promote: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_PROMOTE", promote)
    rng = random.Random(7)
    depth = Depth()
    levels = [
        {"s": "X", "S": side, "p": f"{rng.randint(1, 20_000) / 4:g}", "v": "1"}
        for side in "ab"
        for _ in range(6000)
    ]
    depth._insert(levels)  # one snapshot: sorted once per side
    assert type(depth._books["X"][0].prices) is not list  # large sides use a SortedList
    assert depth.sorted() == full_sort(depth)
    for _ in range(3000):  # diffs: one level at a time
        item = {"s": "X", "S": rng.choice("ab"), "p": f"{rng.randint(1, 20_000) / 4:g}"}
        if rng.random() < 0.5:
            depth._delete([item])
        else:
            depth._update([{**item, "v": "2"}])
    depth._insert(levels[:100])  # a batch that is small next to the book
    assert depth.sorted() == full_sort(depth)
    assert depth.sorted(limit=25) == full_sort(depth, limit=25)
    assert depth.sorted({"s": "X", "v": "2"}, limit=5) == full_sort(depth, {"v": "2"}, limit=5)


def test_best_prices_follow_the_book() -> None:
    book = Board()
    assert book.best_prices("BTC_JPY") == (None, None)
    book._insert(
        [level("asks", "101"), level("asks", 100.5), level("bids", "99"), level("bids", 98)]
    )
    assert book.best_prices("BTC_JPY") == (100.5, 99.0)
    book._delete([level("asks", 100.5), level("bids", "99")])
    assert book.best_prices("BTC_JPY") == (101.0, 98.0)
    book._delete([level("bids", 98)])
    assert book.best_prices("BTC_JPY") == (101.0, None)
    assert book.best_prices("ETH_JPY") == (None, None)
