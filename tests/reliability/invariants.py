"""What must hold in a DataStoreCollection whatever it was fed.

- every item is a dict, ``len(store) == len(store.find())``;
- in a keyed store every item has its key fields and ``store.get(item) is item``;
- in an order book, for each symbol, ``sorted()`` equals a stable full sort of ``find()`` by
  numeric price, every price is a finite number (a number for bitFlyer, a numeric string for
  Bybit and OKX), every size is of the exchange's type and not zero (a finite positive number
  for bitFlyer; a non-empty string other than ``"0"`` for Bybit and OKX, whose strings are not
  parsed on the hot path); in books whose integrity rules forbid it (Bybit), the best bid is
  below the best ask.
"""

from __future__ import annotations

import math
from typing import Any

from pybotters.store import DataStore, DataStoreCollection, OrderBookStore

__all__ = ["BOOK_SIZE_FIELD", "check_collection", "number"]

BOOK_SIZE_FIELD = {"bitflyer": "size", "bybit": "v", "okx": "sz"}
NO_CROSSING = {"bybit"}


def number(value: Any) -> float:
    """``value`` as a finite float; AssertionError if it is not a number an exchange sends."""
    assert not isinstance(value, bool), f"a boolean where a number belongs: {value!r}"
    assert isinstance(value, (int, float, str)), f"not a number: {value!r}"
    try:
        result = float(value)
    except ValueError:
        raise AssertionError(f"not a number: {value!r}") from None
    assert math.isfinite(result), f"not a finite number: {value!r}"
    return result


def _check_store(store: DataStore, where: str) -> None:
    items = store.find()
    assert len(items) == len(store), f"{where}: len() {len(store)} != find() {len(items)}"
    keys = store._keys
    for item in items:
        assert isinstance(item, dict), f"{where}: stored a {type(item).__name__}: {item!r}"
        if keys:
            assert all(k in item for k in keys), f"{where}: item without {keys}: {item!r}"
            assert store.get(item) is item, f"{where}: get() does not find {item!r}"


def _check_book(store: OrderBookStore, exchange: str) -> None:
    symbol_field, side_field, price_field = store._BOOK_SYMBOL, store._BOOK_SIDE, store._BOOK_PRICE
    ask_key, bid_key = store._SORTED_KEYS
    size_field = BOOK_SIZE_FIELD[exchange]
    symbols = {item[symbol_field] for item in store.find()}
    for symbol in symbols:
        items = store.find({symbol_field: symbol})
        for item in items:
            number(item[price_field])
            size = item[size_field]
            if exchange == "bitflyer":
                assert type(item[price_field]) in (int, float), f"a price not a number: {item!r}"
                assert type(size) in (int, float), f"a size that is not a number: {item!r}"
                assert number(size) > 0, f"a level of size 0 was kept: {item!r}"
            else:
                assert type(size) is str, f"a size that is not a string: {item!r}"
                assert size not in ("", "0"), f"a level of size 0 was kept: {item!r}"
        asks = [i for i in items if i[side_field] == store._BOOK_ASK]
        bids = [i for i in items if i[side_field] == store._BOOK_BID]
        assert len(asks) + len(bids) == len(items), f"levels on no side: {items!r}"
        asks.sort(key=lambda i: float(i[price_field]))
        bids.sort(key=lambda i: float(i[price_field]), reverse=True)
        book = store.sorted({symbol_field: symbol})
        assert book[ask_key] == asks, f"{symbol} asks: sorted() differs from a full sort"
        assert book[bid_key] == bids, f"{symbol} bids: sorted() differs from a full sort"
        if exchange in NO_CROSSING and asks and bids:
            best_bid, best_ask = float(bids[0][price_field]), float(asks[0][price_field])
            assert best_bid < best_ask, f"{symbol}: crossed book kept ({best_bid} >= {best_ask})"
    if len(symbols) > 1:
        whole = store.sorted()
        assert len(whole[ask_key]) + len(whole[bid_key]) == len(store)


def check_collection(collection: DataStoreCollection, exchange: str) -> None:
    """Assert every invariant of every store of ``collection`` (see the module docstring)."""
    for name in collection:
        store = collection[name]
        where = f"{type(collection).__name__}[{name!r}]"
        _check_store(store, where)
        for attribute in ("balance", "position"):  # OKX balance_and_position's sub-stores
            sub = getattr(store, attribute, None)
            if isinstance(sub, DataStore):
                _check_store(sub, f"{where}.{attribute}")
        if isinstance(store, OrderBookStore):
            _check_book(store, exchange)
