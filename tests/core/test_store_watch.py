"""DataStore.watch(): StoreChange contents, stream life cycle and the bounded buffer."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest

from pybotters import store as store_module
from pybotters.store import DEFAULT_WATCH_MAXSIZE, DataStore, StoreChange, StoreStream


def drain(stream: StoreStream) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    while len(stream):
        change = stream.get_nowait()
        out.append((change.operation, change.source, change.data))
    return out


def test_changes_of_every_operation() -> None:
    ds = DataStore(keys=["id"], data=[{"id": 1, "v": 0}])
    with ds.watch() as stream:
        ds._insert([{"id": 2, "v": 0}, {"id": 1, "v": 1}])
        ds._update([{"id": 2, "v": 5}, {"id": 3}])
        ds._delete([{"id": 3, "x": "y"}, {"id": 404}])
        ds._pop({"id": 2})
        ds._clear()
        assert drain(stream) == [
            ("insert", None, {"id": 2, "v": 0}),
            ("insert", None, {"id": 1, "v": 1}),
            ("update", {"id": 2, "v": 5}, {"id": 2, "v": 5}),
            ("update", None, {"id": 3}),
            ("delete", {"id": 3, "x": "y"}, {"id": 3}),
            ("delete", {"id": 2}, {"id": 2, "v": 5}),
            ("delete", None, {"id": 1, "v": 1}),
        ]


def test_keyless_changes() -> None:
    ds = DataStore()
    with ds.watch() as stream:
        ds._insert([{"p": 1}])
        ds._update([{"p": 2}])
        ds._find_and_delete({"p": 1})
        ds._delete([{"p": 2}])
        assert drain(stream) == [
            ("insert", None, {"p": 1}),
            ("update", None, {"p": 2}),
            ("delete", {"p": 1}, {"p": 1}),
            ("delete", {"p": 2}, {"p": 2}),
        ]


def test_change_data_is_a_snapshot() -> None:
    ds = DataStore(keys=["id"])
    with ds.watch() as stream:
        ds._insert([{"id": 1, "v": 1}])
        ds._update([{"id": 1, "v": 2}])
        first, second = stream.get_nowait(), stream.get_nowait()
        with pytest.raises(asyncio.QueueEmpty):
            stream.get_nowait()
    assert first.data == {"id": 1, "v": 1}
    assert second.data == {"id": 1, "v": 2}
    assert first.store is ds
    assert isinstance(first, StoreChange)


def test_no_change_objects_without_watchers(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    def counting(*args: Any) -> StoreChange:
        made.append(args)
        return StoreChange(*args)

    monkeypatch.setattr(store_module, "StoreChange", counting)
    ds = DataStore(keys=["id"])
    ds._insert([{"id": 1}])
    ds._update([{"id": 1, "v": 2}])
    ds._delete([{"id": 1}])
    DataStore()._insert([{"p": 1}])
    assert made == []
    with ds.watch():
        ds._insert([{"id": 1}])
    assert len(made) == 1
    ds._insert([{"id": 2}])  # the closed stream no longer receives
    assert len(made) == 1


async def test_async_iteration_and_close() -> None:
    ds = DataStore(keys=["id"])
    received: list[Any] = []

    async def reader(stream: StoreStream) -> None:
        async for change in stream:
            received.append(change.data["id"])

    with ds.watch() as stream:
        task = asyncio.create_task(reader(stream))
        await asyncio.sleep(0)
        ds._insert([{"id": 1}, {"id": 2}])
        await asyncio.sleep(0)
        ds._insert([{"id": 3}])
        await asyncio.sleep(0)
    # leaving the with block closes the stream, which ends the async for
    await asyncio.wait_for(task, 5)
    assert received == [1, 2, 3]
    assert stream.closed
    assert ds._sinks == []


async def test_get_waits_and_closed_stream_raises() -> None:
    ds = DataStore(keys=["id"])
    stream = ds.watch()
    getter = asyncio.create_task(stream.get())
    await asyncio.sleep(0)
    assert not getter.done()
    ds._update([{"id": 1}])
    change = await asyncio.wait_for(getter, 5)
    assert change.operation == "update"
    ds._insert([{"id": 2}])
    stream.close()
    stream.close()  # idempotent
    assert (await stream.get()).data == {"id": 2}  # buffered changes stay readable
    with pytest.raises(RuntimeError, match="closed"):
        await stream.get()
    async with ds.watch() as second:
        assert not second.closed
    assert second.closed


async def test_two_watchers_get_every_change() -> None:
    ds = DataStore(keys=["id"])
    with ds.watch() as a, ds.watch() as b:
        ds._insert([{"id": 1}])
        assert (await a.get()).data == (await b.get()).data == {"id": 1}


def test_full_buffer_drops_oldest_counts_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    ds = DataStore(keys=["id"], data=[{"id": 0}])
    with caplog.at_level(logging.WARNING, logger="pybotters"), ds.watch(maxsize=3) as stream:
        ds._insert([{"id": i} for i in range(1, 8)])
        assert len(stream) == 3
        assert stream.dropped == 4
        assert stream.maxsize == 3
        assert [c.data["id"] for c in stream._sink.buffer] == [5, 6, 7]
        ds._insert([{"id": 8}])
        assert stream.dropped == 5
    warnings = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(warnings) == 1
    assert "maxsize" in warnings[0].getMessage()
    assert "DataStore" in warnings[0].getMessage()


def test_default_maxsize_and_unbounded() -> None:
    ds = DataStore()
    with ds.watch() as stream:
        assert stream.maxsize == DEFAULT_WATCH_MAXSIZE == 100_000
    with ds.watch(maxsize=None) as unbounded:
        ds._insert([{"i": i} for i in range(DEFAULT_WATCH_MAXSIZE + 10)])
        assert len(unbounded) == DEFAULT_WATCH_MAXSIZE + 10
        assert unbounded.dropped == 0


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10"])
def test_bad_maxsize_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="maxsize must be a positive int"):
        DataStore().watch(maxsize=bad)


def test_unreferenced_stream_detaches_itself() -> None:
    ds = DataStore()
    stream = ds.watch()
    assert len(ds._sinks) == 1
    del stream
    gc.collect()
    assert ds._sinks == []


async def test_close_wakes_a_waiting_reader() -> None:
    ds = DataStore()
    stream = ds.watch()

    async def read_all() -> list[StoreChange]:
        return [c async for c in stream]

    task = asyncio.create_task(read_all())
    await asyncio.sleep(0)
    stream.close()
    assert await asyncio.wait_for(task, 5) == []


def test_repr() -> None:
    ds = DataStore(name="trades")
    with ds.watch() as stream:
        assert repr(stream) == "<StoreStream open on DataStore 'trades': 0 buffered, 0 dropped>"


async def test_changed_reports_in_place_modifications() -> None:
    ds = DataStore(keys=["id"], data=[{"id": 1, "size": 3}])
    waiter = asyncio.create_task(ds.wait())
    await asyncio.sleep(0)
    with ds.watch() as stream:
        item = ds.get({"id": 1})
        assert item is not None
        item["size"] -= 1
        ds._changed("update", item, {"id": 1, "executed": 1})
        change = await stream.get()
    assert (change.operation, change.source, change.data) == (
        "update",
        {"id": 1, "executed": 1},
        {"id": 1, "size": 2},
    )
    await asyncio.wait_for(waiter, 5)
