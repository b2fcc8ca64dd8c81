"""DataStore: get/find, insertion order, subclass operations, the size cap and wait()."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from typing import Any, ClassVar

import pytest

import pybotters
from pybotters import store as store_module
from pybotters.store import DataStore


def make(*items: dict[str, Any], keys: list[str] | None = None) -> DataStore:
    return DataStore(keys=keys if keys is not None else ["id"], data=list(items))


# -- the user guide's example ------------------------------------------------------------------


def test_user_guide_example(capsys: pytest.CaptureFixture[str]) -> None:
    ds = pybotters.DataStore(
        keys=["id"],
        data=[
            {"id": 1, "data": "foo"},
            {"id": 2, "data": "bar"},
            {"id": 3, "data": "baz"},
            {"id": 4, "data": "foo"},
        ],
    )
    print(ds.get({"id": 1}))
    print(ds.get({"id": 999}))
    print(ds.find())
    print(ds.find({"data": "foo"}))
    print(ds.find({"id": "SPAM"}))
    assert capsys.readouterr().out.splitlines() == [
        "{'id': 1, 'data': 'foo'}",
        "None",
        "[{'id': 1, 'data': 'foo'}, {'id': 2, 'data': 'bar'}, {'id': 3, 'data': 'baz'}, "
        "{'id': 4, 'data': 'foo'}]",
        "[{'id': 1, 'data': 'foo'}, {'id': 4, 'data': 'foo'}]",
        "[]",
    ]


def test_import_store_does_not_import_aiohttp() -> None:
    code = "import sys, pybotters.store; print('aiohttp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- reading ---------------------------------------------------------------------------------


def test_get_returns_the_stored_object_and_needs_only_key_fields() -> None:
    item = {"id": 1, "v": "a"}
    ds = make(item)
    assert ds.get({"id": 1}) is item
    assert ds.get({"id": 1, "v": "ignored"}) is item
    assert ds.get({"v": "a"}) is None  # no key field
    assert ds.get({"id": [1]}) is None  # unhashable: nothing can match


def test_multi_key_get_and_find_by_index() -> None:
    a = {"sym": "X", "side": "BUY", "px": 1}
    b = {"sym": "X", "side": "SELL", "px": 1}
    ds = make(a, b, keys=["sym", "side"])
    assert ds.get({"sym": "X", "side": "SELL"}) is b
    assert ds.get({"sym": "X"}) is None
    assert ds.find({"sym": "X", "side": "BUY"}) == [a]
    assert ds.find({"sym": "X", "side": "BUY", "px": 2}) == []  # index hit, other field differs
    assert ds.find({"sym": "X", "side": "NONE"}) == []
    assert ds.find({"sym": "X"}) == [a, b]


def test_find_queries() -> None:
    items = [{"id": i, "a": i % 2, "b": i % 3, "c": "x"} for i in range(6)]
    ds = make(*items)
    assert ds.find() == items
    assert ds.find({}) == items
    assert ds.find({"a": 1}) == [items[1], items[3], items[5]]
    assert ds.find({"a": 1, "b": 0}) == [items[3]]
    assert ds.find({"a": 0, "b": 0, "c": "x"}) == [items[0]]
    assert ds.find({"missing": None}) == []  # a field the items lack never matches
    found = ds.find()
    found.clear()  # the returned list is new
    assert len(ds) == 6


def test_find_matches_like_equality() -> None:
    ds = make({"id": 1, "v": 1.0}, {"id": 2, "v": True}, {"id": 3, "v": "1"})
    assert [i["id"] for i in ds.find({"v": 1})] == [1, 2]


def test_iteration_len_and_reversed_follow_insertion_order() -> None:
    ds = make({"id": 3}, {"id": 1}, {"id": 2})
    assert [i["id"] for i in ds] == [3, 1, 2]
    assert [i["id"] for i in reversed(ds)] == [2, 1, 3]
    assert len(ds) == 3
    assert bool(DataStore()) is False


def test_keys_default_to_class_keys() -> None:
    class Orders(DataStore):
        _KEYS: ClassVar[list[str]] = ["order_id"]

    assert Orders()._keys == ("order_id",)
    assert Orders(keys=[])._keys == ("order_id",)
    assert Orders(keys=["x"])._keys == ("x",)


def test_init_hook_runs_after_initial_data() -> None:
    class WithInit(DataStore):
        def _init(self) -> None:
            self.seen = len(self)

    assert WithInit(keys=["id"], data=[{"id": 1}]).seen == 1


# -- keyed operations --------------------------------------------------------------------------


def test_insert_replaces_in_place() -> None:
    ds = make({"id": 1, "v": "a"}, {"id": 2, "v": "b"})
    new = {"id": 1, "v": "c"}
    ds._insert([new])
    assert ds.find() == [{"id": 1, "v": "c"}, {"id": 2, "v": "b"}]
    assert ds.get({"id": 1}) is new


def test_update_merges_or_inserts() -> None:
    first = {"id": 1, "v": "a", "w": 1}
    ds = make(first)
    ds._update([{"id": 1, "v": "b"}, {"id": 2, "v": "c"}])
    assert ds.get({"id": 1}) is first
    assert first == {"id": 1, "v": "b", "w": 1}
    assert ds.find() == [{"id": 1, "v": "b", "w": 1}, {"id": 2, "v": "c"}]


def test_delete_removes_by_key_and_skips_missing() -> None:
    ds = make({"id": 1}, {"id": 2}, {"id": 3})
    ds._delete([{"id": 2, "other": "ignored"}, {"id": 99}, {"nokey": 1}])
    assert ds.find() == [{"id": 1}, {"id": 3}]


def test_reinserted_key_goes_to_the_end() -> None:
    ds = make({"id": 1}, {"id": 2})
    ds._delete([{"id": 1}])
    ds._insert([{"id": 1}])
    assert [i["id"] for i in ds] == [2, 1]


def test_items_without_key_fields_are_ignored_with_a_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ds = make(keys=["id"])
    with caplog.at_level(logging.DEBUG, logger="pybotters"):
        ds._insert([{"x": 1}])
        ds._update([{"y": 2}])
        ds._delete([{"z": 3}])
    assert len(ds) == 0
    messages = [r.getMessage() for r in caplog.records if r.name == "pybotters"]
    assert len(messages) == 3
    assert "without all key fields ['id']" in messages[0]
    assert "{'x': 1}" in messages[0]


def test_skipped_items_cost_no_formatting_when_debug_is_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[object] = []
    real = store_module._describe

    def describe(item: object) -> str:
        calls.append(item)
        return real(item)

    monkeypatch.setattr(store_module, "_describe", describe)
    ds = make(keys=["id"])
    with caplog.at_level(logging.INFO, logger="pybotters"):
        ds._insert([{"x": 1}] * 5)
    assert calls == []
    with caplog.at_level(logging.DEBUG, logger="pybotters"):
        ds._insert([{"x": 1}])
    assert calls == [{"x": 1}]


def test_unhashable_key_value_raises_a_clear_error() -> None:
    ds = make(keys=["id"])
    with pytest.raises(TypeError, match=r"DataStore\._insert\(\) takes a list of dicts whose key"):
        ds._insert([{"id": [1, 2]}])
    with pytest.raises(TypeError, match=r"_update\(\).*\{'id': \{\}\}"):
        ds._update([{"id": {}}])
    ds._insert([{"id": 1}])
    with pytest.raises(TypeError, match=r"_delete\(\)"):
        ds._delete([{"id": []}])
    with pytest.raises(TypeError, match=r"got 'id' \(str\)|got 'id'"):
        ds._insert({"id": 1})  # type: ignore[dict-item]  # a dict instead of a list


def test_clear_and_find_and_delete() -> None:
    ds = make({"id": 1, "k": "a"}, {"id": 2, "k": "b"}, {"id": 3, "k": "a"})
    assert ds._find_and_delete({"k": "a"}) == [{"id": 1, "k": "a"}, {"id": 3, "k": "a"}]
    assert ds.find() == [{"id": 2, "k": "b"}]
    assert ds._find_and_delete({"k": "zzz"}) == []
    assert ds._find_and_delete() == [{"id": 2, "k": "b"}]
    assert len(ds) == 0
    ds._insert([{"id": 5}])
    ds._clear()
    assert ds.find() == []


def test_pop() -> None:
    item = {"id": 1}
    ds = make(item, {"id": 2})
    assert ds._pop({"id": 1}) is item
    assert ds._pop({"id": 1}) is None
    assert ds._pop({"nokey": 1}) is None
    assert ds.find() == [{"id": 2}]


def test_sorted_helper_for_ported_stores() -> None:
    ds = make(
        {"id": 1, "side": "ask", "p": "10"},
        {"id": 2, "side": "ask", "p": "9"},
        {"id": 3, "side": "bid", "p": "8"},
        {"id": 4, "side": "bid", "p": "8.5"},
        {"id": 5, "side": "other", "p": "1"},
    )
    result = ds._sorted("side", "ask", "bid", "p")
    assert [i["id"] for i in result["ask"]] == [2, 1]
    assert [i["id"] for i in result["bid"]] == [4, 3]
    assert [i["id"] for i in ds._sorted("side", "ask", "bid", "p", limit=1)["bid"]] == [4]
    assert ds._sorted("side", "ask", "bid", "p", query={"id": 1}) == {
        "ask": [{"id": 1, "side": "ask", "p": "10"}],
        "bid": [],
    }


# -- the size cap ---------------------------------------------------------------------------


def test_default_maxlen_is_9999() -> None:
    assert DataStore._MAXLEN == 9999
    ds = DataStore(keys=["id"], data=[{"id": i} for i in range(10_005)])
    assert len(ds) == 9999
    assert next(iter(ds)) == {"id": 6}


def test_keyed_cap_drops_oldest_after_deletes_and_reinserts() -> None:
    class Capped(DataStore):
        _MAXLEN = 3

    ds = Capped(keys=["id"], data=[{"id": 1}, {"id": 2}, {"id": 3}])
    ds._insert([{"id": 4}])  # drops 1
    assert [i["id"] for i in ds] == [2, 3, 4]
    ds._delete([{"id": 3}])
    ds._insert([{"id": 3}])  # 3 is now the newest
    ds._insert([{"id": 2, "v": "replaced"}])  # replacing keeps 2 the oldest
    ds._insert([{"id": 5}])  # drops 2
    assert [i["id"] for i in ds] == [4, 3, 5]
    ds._update([{"id": 6}])  # drops 4, older than the re-inserted 3
    assert [i["id"] for i in ds] == [3, 5, 6]
    ds._update([{"id": 7}])
    assert [i["id"] for i in ds] == [5, 6, 7]
    assert ds.get({"id": 3}) is None


def test_keyed_cap_bookkeeping_stays_bounded() -> None:
    class Capped(DataStore):
        _MAXLEN = 10

    ds = Capped(keys=["id"])
    ds._insert([{"id": i} for i in range(11)])  # reaches the cap: eviction order is tracked
    for i in range(5000):
        ds._insert([{"id": f"tmp{i}"}])
        ds._delete([{"id": f"tmp{i}"}])
    assert len(ds) == 9
    assert ds._order is not None
    assert len(ds._order) <= 2 * len(ds) + 1024 + 1


def test_keyless_store_appends_and_caps() -> None:
    class Trades(DataStore):
        _MAXLEN = 3

    ds = Trades()
    ds._insert([{"p": 1}, {"p": 1}])
    ds._update([{"p": 2}])  # keyless update appends too
    ds._insert([{"p": 3}])
    assert ds.find() == [{"p": 1}, {"p": 2}, {"p": 3}]
    assert ds.get({"p": 1}) is None
    assert ds.find({"p": 1}) == [{"p": 1}]
    ds._MAXLEN = 2  # pybotters 1.x code changes the cap per instance
    ds._insert([{"p": 4}])
    assert ds.find() == [{"p": 3}, {"p": 4}]


def test_keyless_delete_pop_and_find_and_delete() -> None:
    a, b, c = {"p": 1}, {"p": 2}, {"p": 1, "x": 0}
    ds = DataStore(data=[a, b, c, {"p": 2}])
    ds._delete([{"p": 2}])  # removes the first equal item
    assert ds.find() == [a, c, {"p": 2}]
    assert ds._pop({"p": 1, "x": 0}) is c
    assert ds._pop({"p": 9}) is None
    assert ds._find_and_delete({"p": 2}) == [{"p": 2}]
    assert ds.find() == [a]


def test_maxlen_none_means_unbounded() -> None:
    class Unbounded(DataStore):
        _MAXLEN = None

    assert len(Unbounded(keys=["id"], data=[{"id": i} for i in range(12_000)])) == 12_000
    assert len(Unbounded(data=[{"id": i} for i in range(12_000)])) == 12_000


# -- wait() -------------------------------------------------------------------------------------

module_level_store = DataStore(keys=["id"])  # built with no event loop, as bots do


async def test_wait_works_for_a_store_built_without_a_loop() -> None:
    async def change_soon() -> None:
        await asyncio.sleep(0)
        module_level_store._insert([{"id": 1}])

    task = asyncio.create_task(change_soon())
    await asyncio.wait_for(module_level_store.wait(), 5)
    await task
    assert module_level_store.get({"id": 1}) == {"id": 1}


def test_wait_across_event_loops() -> None:
    ds = DataStore(keys=["id"])

    async def round_trip(i: int) -> None:
        waiter = asyncio.create_task(ds.wait())
        await asyncio.sleep(0)
        ds._update([{"id": i}])
        await asyncio.wait_for(waiter, 5)

    asyncio.run(round_trip(1))
    asyncio.run(round_trip(2))
    assert len(ds) == 2


async def test_wait_wakes_every_waiter_on_the_next_change() -> None:
    ds = DataStore(keys=["id"])
    waiters = [asyncio.create_task(ds.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    ds._delete([{"id": 404}])  # any call of an operation counts as a change
    await asyncio.wait_for(asyncio.gather(*waiters), 5)
    assert ds._waiters == []


@pytest.mark.parametrize(
    "operation",
    ["_insert", "_update", "_delete", "_clear", "_find_and_delete", "_pop"],
)
async def test_each_operation_wakes_waiters(operation: str) -> None:
    ds = make({"id": 1}, {"id": 2})
    waiter = asyncio.create_task(ds.wait())
    await asyncio.sleep(0)
    method = getattr(ds, operation)
    if operation in ("_clear", "_find_and_delete"):
        method()
    elif operation == "_pop":
        method({"id": 1})
    else:
        method([{"id": 1}])
    await asyncio.wait_for(waiter, 5)


async def test_cancelled_waits_do_not_accumulate() -> None:
    ds = DataStore()
    for _ in range(50):
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ds.wait(), 0.001)
    assert ds._waiters == []
