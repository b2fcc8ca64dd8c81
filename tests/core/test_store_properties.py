"""Property tests: stores behave like a plain list-of-dicts model under random operations."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pybotters import store as store_module
from pybotters.store import DataStore, OrderBookStore

Item = dict[str, Any]


def matches(item: Item, query: Item | None) -> bool:
    return not query or all(f in item and v == item[f] for f, v in query.items())


class ListModel:
    """The reference: a list scanned linearly, compared by ==, trimmed from the front."""

    def __init__(self, keys: list[str], maxlen: int | None) -> None:
        self.keys = keys
        self.maxlen = maxlen
        self.items: list[Item] = []

    def key(self, item: Item) -> tuple[Any, ...] | None:
        if not all(k in item for k in self.keys):
            return None
        return tuple(item[k] for k in self.keys)

    def index(self, key: tuple[Any, ...]) -> int | None:
        for i, stored in enumerate(self.items):
            if self.key(stored) == key:
                return i
        return None

    def accepts(self, item: Item) -> bool:
        return True

    def trim(self) -> None:
        if self.maxlen is not None:
            del self.items[: max(0, len(self.items) - self.maxlen)]

    def insert(self, batch: list[Item], merge: bool = False) -> None:
        for item in batch:
            if not self.keys:
                self.items.append(dict(item))
                continue
            key = self.key(item)
            if key is None:
                continue
            i = self.index(key)
            if i is None:
                if self.accepts(item):
                    self.items.append(dict(item))
            elif merge:
                self.items[i].update(item)
            else:
                self.items[i] = dict(item)
        self.trim()

    def delete(self, batch: list[Item]) -> None:
        for item in batch:
            if not self.keys:
                if item in self.items:
                    self.items.remove(item)
                continue
            key = self.key(item)
            i = None if key is None else self.index(key)
            if i is not None:
                del self.items[i]

    def find(self, query: Item | None) -> list[Item]:
        return [i for i in self.items if matches(i, query)]

    def find_and_delete(self, query: Item | None) -> list[Item]:
        found = self.find(query)
        self.items = [i for i in self.items if not any(i is f for f in found)]
        return found

    def pop(self, item: Item) -> Item | None:
        if not self.keys:
            if item in self.items:
                found = self.items[self.items.index(item)]
                self.items.remove(item)
                return found
            return None
        key = self.key(item)
        i = None if key is None else self.index(key)
        return None if i is None else self.items.pop(i)


def apply(store: DataStore, model: ListModel, op: tuple[Any, ...]) -> None:
    name, arg = op
    if name == "insert":
        store._insert([dict(i) for i in arg])
        model.insert(arg)
    elif name == "update":
        store._update([dict(i) for i in arg])
        model.insert(arg, merge=True)
    elif name == "delete":
        store._delete([dict(i) for i in arg])
        model.delete(arg)
    elif name == "find_and_delete":
        assert store._find_and_delete(arg) == model.find_and_delete(arg)
    elif name == "pop":
        assert store._pop(dict(arg)) == model.pop(arg)
    elif name == "clear":
        store._clear()
        model.items.clear()
    elif name == "clear_symbol":
        assert isinstance(store, OrderBookStore)
        store._clear_symbol(arg)
        model.find_and_delete({"s": arg})
    else:  # pragma: no cover
        raise AssertionError(name)


# -- DataStore ------------------------------------------------------------------------------

values = st.sampled_from([0, 1, 2, 3, "a"])
groups = st.sampled_from(["x", "y"])
items = st.one_of(
    st.fixed_dictionaries({"id": values, "grp": groups}, optional={"v": values}),
    st.fixed_dictionaries({"id": values}, optional={"v": values}),
    st.fixed_dictionaries({}, optional={"id": values, "grp": groups, "v": values}),
)
batches = st.lists(items, max_size=6)
queries = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"id": values, "grp": groups, "v": values}),
)
store_ops = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["insert", "update", "delete"]), batches),
        st.tuples(st.just("find_and_delete"), queries),
        st.tuples(st.just("pop"), items),
        st.tuples(st.just("clear"), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    keys=st.sampled_from([["id"], ["id", "grp"], []]),
    maxlen=st.sampled_from([None, 1, 2, 3, 5]),
    initial=batches,
    ops=store_ops,
    probes=st.lists(queries, max_size=4),
)
def test_datastore_matches_the_list_model(
    keys: list[str], maxlen: int | None, initial: list[Item], ops: list[Any], probes: list[Any]
) -> None:
    capped = type("Capped", (DataStore,), {"_MAXLEN": maxlen})
    store = capped(keys=keys, data=[dict(i) for i in initial])
    model = ListModel(keys, maxlen)
    model.insert(initial)
    for op in ops:
        apply(store, model, op)
        assert store.find() == model.items
        assert len(store) == len(model.items)
    for query in probes:
        assert store.find(query) == model.find(query)
        if query is not None and keys:
            key = model.key(query)
            expected = None if key is None else model.index(key)
            got = store.get(query)
            assert got == (None if expected is None else model.items[expected])
    assert list(reversed(store)) == model.items[::-1]


cap_ops = st.lists(
    st.tuples(
        st.sampled_from(["insert", "update", "delete", "pop"]),
        st.lists(
            st.fixed_dictionaries({"id": st.integers(0, 6)}, optional={"v": values}),
            min_size=1,
            max_size=3,
        ),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(maxlen=st.integers(1, 4), ops=cap_ops)
def test_capped_store_evicts_the_oldest_live_item(maxlen: int, ops: list[Any]) -> None:
    """Deletes and re-inserts between evictions must not confuse the eviction order."""
    store = type("Capped", (DataStore,), {"_MAXLEN": maxlen})(keys=["id"])
    model = ListModel(["id"], maxlen)
    for name, batch in ops:
        apply(store, model, (name, batch[0]) if name == "pop" else (name, batch))
        assert store.find() == model.items


# -- OrderBookStore ---------------------------------------------------------------------------


class Depth(OrderBookStore):
    _BOOK_SYMBOL = "s"
    _BOOK_SIDE = "S"
    _BOOK_PRICE = "p"
    _BOOK_ASK = "a"
    _BOOK_BID = "b"
    _SORTED_KEYS = ("a", "b")


class BookModel(ListModel):
    def accepts(self, item: Item) -> bool:
        if item["S"] not in ("a", "b"):
            return False
        try:
            float(item["p"])
        except (TypeError, ValueError):
            return False
        return True

    def sorted(self, query: Item | None, limit: int | None) -> dict[str, list[Item]]:
        found = self.find(query)
        asks = sorted((i for i in found if i["S"] == "a"), key=lambda i: float(i["p"]))
        bids = sorted(
            (i for i in found if i["S"] == "b"), key=lambda i: float(i["p"]), reverse=True
        )
        if limit:
            asks, bids = asks[:limit], bids[:limit]
        return {"a": asks, "b": bids}


# Prices spelled differently but numerically equal ("1", "1.0", 1.0) make ties; "abc" and the
# side "z" are rejected by the store.
prices = st.sampled_from(["1", "1.0", 1, 1.0, "2.5", "2.50", 2.5, "10", 10, "9.75", "0.5", "abc"])
levels = st.fixed_dictionaries(
    {
        "s": st.sampled_from(["X", "Y"]),
        "S": st.sampled_from(["a", "a", "b", "b", "z"]),
        "p": prices,
    },
    optional={"v": st.sampled_from([1, 2, "0"])},
)
level_batches = st.one_of(st.lists(levels, max_size=6), st.lists(levels, min_size=65, max_size=90))
BOOK_QUERIES: list[Item | None] = [
    None,
    {"s": "X"},
    {"s": "Y"},
    {"S": "a"},
    {"s": "X", "S": "b"},
    {"v": 1},
    {"s": "Y", "v": 2},
    {"s": "Z"},
]
book_queries = st.sampled_from(BOOK_QUERIES)
book_ops = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["insert", "update", "delete"]), level_batches),
        st.tuples(st.just("clear_symbol"), st.sampled_from(["X", "Y", "Z"])),
        st.tuples(st.just("find_and_delete"), book_queries),
        st.tuples(st.just("pop"), levels),
        st.tuples(st.just("clear"), st.none()),
    ),
    max_size=20,
)


@pytest.mark.parametrize("promote", [4096, 2])
@settings(max_examples=200, deadline=None)
@given(ops=book_ops)
def test_orderbook_sorted_equals_a_full_sort(promote: int, ops: list[Any]) -> None:
    with mock.patch.object(store_module, "_PROMOTE", promote):
        book = Depth()
        model = BookModel(["s", "S", "p"], None)
        for op in ops:
            apply(book, model, op)
            assert book.find() == model.items
            for query in (None, {"s": "X"}, {"s": "Y", "v": 2}, {"S": "b"}):
                for limit in (None, 1, 3):
                    assert book.sorted(query, limit) == model.sorted(query, limit)
        for query in BOOK_QUERIES:
            assert book.sorted(query) == model.sorted(query, None)
            assert book.sorted(query, 2) == model.sorted(query, 2)
