"""The benchmark workloads, each written once for the user-facing pybotters API ("api": run by
this project and by pybotters 1.11.2) and once by hand ("limit": raw aiohttp, orjson, dicts).

A workload function runs ONE repetition and returns a :class:`Sample`: the operations done,
the seconds they took (setup such as decoding inputs or loading a snapshot is not timed), a
digest of the final state (so that the sides can be checked to have done the same work), and
for non-rate workloads a ``value`` (milliseconds, KiB).

Slow sides are bounded by ``Sizes.budget``: the timed loop processes its input in chunks and
stops after the chunk that crosses the budget, so a side that needs a minute for the full
input is measured on a prefix of the same input (``complete`` is then false). Rates stay
comparable because every chunk is the same mix of operations.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar

from . import _data

__all__ = ["FULL", "TINY", "WORKLOADS", "Env", "Sample", "Sizes", "Workload", "by_name"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """Input sizes. ``FULL`` is what ``nox -s bench`` runs; ``TINY`` is for the smoke test."""

    keyed_items: int
    find_calls: int
    board_levels: int  # per side
    board_diffs: int
    sorted_levels: tuple[int, int]  # per side
    sorted_calls: int
    bybit_levels: int
    bybit_deltas: int
    okx_levels: int
    okx_updates: int
    exec_messages: int
    exec_cap: int
    watch_changes: int
    ws_messages: int
    http_requests: int
    http_concurrency: int
    memory_levels: int
    budget: float  # seconds: the most one repetition of a store workload may take
    warm_up: bool = True  # run each fresh-interpreter probe once untimed first (fills caches)


FULL = Sizes(
    keyed_items=20_000,
    find_calls=200,
    board_levels=1_000,
    board_diffs=50_000,
    sorted_levels=(1_000, 2_000),
    sorted_calls=50_000,
    bybit_levels=200,
    bybit_deltas=50_000,
    okx_levels=400,
    okx_updates=30_000,
    exec_messages=50_000,
    exec_cap=99_999,
    watch_changes=50_000,
    ws_messages=200_000,
    http_requests=5_000,
    http_concurrency=8,
    memory_levels=1_000,
    budget=1.5,
)

TINY = Sizes(
    keyed_items=200,
    find_calls=5,
    board_levels=40,
    board_diffs=300,
    sorted_levels=(40, 80),
    sorted_calls=50,
    bybit_levels=50,
    bybit_deltas=200,
    okx_levels=60,
    okx_updates=200,
    exec_messages=200,
    exec_cap=99_999,
    watch_changes=300,
    ws_messages=500,
    http_requests=40,
    http_concurrency=4,
    memory_levels=40,
    budget=30.0,
    warm_up=False,
)


@dataclass
class Sample:
    """One repetition of one workload on one side."""

    ops: int = 0
    seconds: float = 0.0
    value: float | None = None
    complete: bool = True
    digest: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Env:
    """What a workload may use: sizes, server ports, and the imported pybotters (api sides)."""

    def __init__(
        self, sizes: Sizes, ws_port: int | None = None, http_port: int | None = None
    ) -> None:
        self.sizes = sizes
        self.ws_port = ws_port
        self.http_port = http_port
        self._api: Any = None

    @property
    def api(self) -> Any:
        if self._api is None:
            from ._adapters import Api

            self._api = Api()
        return self._api

    def has(self, needs: Sequence[str]) -> str | None:
        """``None`` if the api side can run a workload, else why not."""
        stores = {"bitflyer": "bitFlyerDataStore", "bybit": "BybitDataStore", "okx": "OKXDataStore"}
        for need in needs:
            if need in stores:
                try:
                    getattr(self.api.pb, stores[need])
                except AttributeError as exc:
                    return f"{stores[need]} is not available: {exc}"
            elif (need == "ws" and self.ws_port is None) or (
                need == "http" and self.http_port is None
            ):
                return "no benchmark server"
        return None


Runner = Callable[[Env], Sample]


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    unit: str  # "ops/s" (higher is better), "ms" or "KiB" (lower is better)
    needs: tuple[str, ...]
    api: Runner
    limit: Runner
    target: float | None = None  # wanted speed-up of ours over pybotters 1.11.2
    target_limit: float | None = None  # wanted fraction of the limit reached by ours
    ops: str = "ops"  # what one operation is

    @property
    def higher_is_better(self) -> bool:
        return self.unit == "ops/s"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _timed(
    chunks: list[list[Any]], run: Callable[[list[Any]], Any], budget: float
) -> tuple[int, float, bool]:
    """Run ``run(chunk)`` over the chunks until done or past ``budget`` seconds."""
    total = sum(len(c) for c in chunks)
    gc.collect()
    done = 0
    start = perf_counter()
    deadline = start + budget
    for chunk in chunks:
        run(chunk)
        done += len(chunk)
        if perf_counter() > deadline:
            break
    return done, perf_counter() - start, done == total


def _decode(text: str) -> Any:
    return json.loads(text)


def _top(result: dict[str, list[dict[str, Any]]], price: str, n: int = 10) -> list[Any]:
    """The first ``n`` prices of both sides of a ``sorted()`` result, as floats."""
    keys = list(result)
    return [[float(item[price]) for item in result[k][:n]] for k in keys]


# --------------------------------------------------------------------------------------------
# keyed DataStore: insert / update / get / find / delete
# --------------------------------------------------------------------------------------------


def _keyed_store(env: Env) -> Any:
    pb = env.api.pb

    class Items(pb.DataStore):  # type: ignore[misc, name-defined]
        _KEYS: ClassVar[list[str]] = ["symbol", "id"]
        _MAXLEN: ClassVar[int] = 10_000_000

    return Items()


def _keyed_inputs(env: Env) -> tuple[list[Any], list[Any], list[Any]]:
    items, updates, lookups = _data.keyed_items(env.sizes.keyed_items)
    return _decode(items), _decode(updates), _decode(lookups)


def keyed_insert_api(env: Env) -> Sample:
    items, _, _ = _keyed_inputs(env)
    store = _keyed_store(env)
    insert = store._insert

    def run(chunk: list[Any]) -> None:
        for item in chunk:
            insert([item])

    ops, secs, complete = _timed(_chunks(items, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=len(store))


def keyed_insert_limit(env: Env) -> Sample:
    from ._limit import LimitKeyed

    items, _, _ = _keyed_inputs(env)
    store = LimitKeyed()
    insert = store.insert

    def run(chunk: list[Any]) -> None:
        for item in chunk:
            insert(item)

    ops, secs, complete = _timed(_chunks(items, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=len(store.data))


def keyed_update_api(env: Env) -> Sample:
    items, updates, _ = _keyed_inputs(env)
    store = _keyed_store(env)
    store._insert(items)
    update = store._update

    def run(chunk: list[Any]) -> None:
        for item in chunk:
            update([item])

    ops, secs, complete = _timed(_chunks(updates, 256), run, env.sizes.budget)
    digest = sum(1 for item in store.find() if item["status"] == "PARTIAL")
    return Sample(ops, secs, complete=complete, digest=digest)


def keyed_update_limit(env: Env) -> Sample:
    from ._limit import LimitKeyed

    items, updates, _ = _keyed_inputs(env)
    store = LimitKeyed()
    for item in items:
        store.insert(item)
    update = store.update

    def run(chunk: list[Any]) -> None:
        for item in chunk:
            update(item)

    ops, secs, complete = _timed(_chunks(updates, 256), run, env.sizes.budget)
    digest = sum(1 for item in store.data.values() if item["status"] == "PARTIAL")
    return Sample(ops, secs, complete=complete, digest=digest)


def keyed_get_api(env: Env) -> Sample:
    items, _, lookups = _keyed_inputs(env)
    store = _keyed_store(env)
    store._insert(items)
    get = store.get
    hits = 0

    def run(chunk: list[Any]) -> None:
        nonlocal hits
        for key in chunk:
            if get(key) is not None:
                hits += 1

    ops, secs, complete = _timed(_chunks(lookups, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=hits)


def keyed_get_limit(env: Env) -> Sample:
    from ._limit import LimitKeyed

    items, _, lookups = _keyed_inputs(env)
    store = LimitKeyed()
    for item in items:
        store.insert(item)
    get = store.get
    hits = 0

    def run(chunk: list[Any]) -> None:
        nonlocal hits
        for key in chunk:
            if get(key) is not None:
                hits += 1

    ops, secs, complete = _timed(_chunks(lookups, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=hits)


def _find_queries(env: Env) -> list[str]:
    return [f"SYM{i % 10}" for i in range(env.sizes.find_calls)]


def keyed_find_api(env: Env) -> Sample:
    items, _, _ = _keyed_inputs(env)
    store = _keyed_store(env)
    store._insert(items)
    find = store.find
    found = 0

    def run(chunk: list[str]) -> None:
        nonlocal found
        for symbol in chunk:
            found += len(find({"symbol": symbol}))

    ops, secs, complete = _timed(_chunks(_find_queries(env), 4), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=found)


def keyed_find_limit(env: Env) -> Sample:
    from ._limit import LimitKeyed

    items, _, _ = _keyed_inputs(env)
    store = LimitKeyed()
    for item in items:
        store.insert(item)
    find = store.find_symbol
    found = 0

    def run(chunk: list[str]) -> None:
        nonlocal found
        for symbol in chunk:
            found += len(find(symbol))

    ops, secs, complete = _timed(_chunks(_find_queries(env), 4), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=found)


def keyed_delete_api(env: Env) -> Sample:
    items, _, lookups = _keyed_inputs(env)
    store = _keyed_store(env)
    store._insert(items)
    delete = store._delete

    def run(chunk: list[Any]) -> None:
        for key in chunk:
            delete([key])

    ops, secs, complete = _timed(_chunks(lookups, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=len(store))


def keyed_delete_limit(env: Env) -> Sample:
    from ._limit import LimitKeyed

    items, _, lookups = _keyed_inputs(env)
    store = LimitKeyed()
    for item in items:
        store.insert(item)
    delete = store.delete

    def run(chunk: list[Any]) -> None:
        for key in chunk:
            delete(key)

    ops, secs, complete = _timed(_chunks(lookups, 256), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=len(store.data))


# --------------------------------------------------------------------------------------------
# bitFlyer board: diffs, sorted(limit=10)
# --------------------------------------------------------------------------------------------


def _run_messages(onmessage: Callable[..., Any], *ws: Any) -> Callable[[list[Any]], None]:
    """``onmessage(msg)`` for each message, or ``onmessage(msg, ws)`` when ``ws`` is given."""
    if ws:
        conn = ws[0]

        def run_ws(chunk: list[Any]) -> None:
            for msg in chunk:
                onmessage(msg, conn)

        return run_ws

    def run(chunk: list[Any]) -> None:
        for msg in chunk:
            onmessage(msg)

    return run


def _board_digest(result: dict[str, list[dict[str, Any]]], count: int) -> list[Any]:
    return [*_top(result, "price"), count]


def board_diffs_api(env: Env) -> Sample:
    api = env.api
    snapshot, diffs = _data.bitflyer_board(env.sizes.board_levels, env.sizes.board_diffs)
    store = api.pb.bitFlyerDataStore()
    ws = api.load_snapshot(store, _decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(diffs), 128), _run_messages(store.onmessage, ws), env.sizes.budget
    )
    return Sample(
        ops, secs, complete=complete, digest=_board_digest(store.board.sorted(), len(store.board))
    )


def board_diffs_limit(env: Env) -> Sample:
    from ._limit import LimitBitflyer

    snapshot, diffs = _data.bitflyer_board(env.sizes.board_levels, env.sizes.board_diffs)
    state = LimitBitflyer()
    state.onmessage(_decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(diffs), 128), _run_messages(state.onmessage), env.sizes.budget
    )
    asks, bids = state.board.sorted(10)
    result = {"asks": asks, "bids": bids}
    return Sample(ops, secs, complete=complete, digest=_board_digest(result, len(state.board)))


def _sorted_api(env: Env, levels: int) -> Sample:
    api = env.api
    snapshot, _ = _data.bitflyer_board(levels, 0)
    store = api.pb.bitFlyerDataStore()
    api.load_snapshot(store, _decode(snapshot))
    board = store.board
    last: list[Any] = []

    def run(chunk: list[int]) -> None:
        nonlocal last
        for _ in chunk:
            last = board.sorted(limit=10)

    calls = list(range(env.sizes.sorted_calls))
    ops, secs, complete = _timed(_chunks(calls, 16), run, env.sizes.budget)
    return Sample(ops, secs, complete=complete, digest=_board_digest(last, len(board)))  # type: ignore[arg-type]


def _sorted_limit(env: Env, levels: int) -> Sample:
    from ._limit import LimitBitflyer

    snapshot, _ = _data.bitflyer_board(levels, 0)
    state = LimitBitflyer()
    state.onmessage(_decode(snapshot))
    book = state.board
    last: tuple[list[Any], list[Any]] = ([], [])

    def run(chunk: list[int]) -> None:
        nonlocal last
        for _ in chunk:
            last = book.sorted(10)

    calls = list(range(env.sizes.sorted_calls))
    ops, secs, complete = _timed(_chunks(calls, 16), run, env.sizes.budget)
    result = {"asks": last[0], "bids": last[1]}
    return Sample(ops, secs, complete=complete, digest=_board_digest(result, len(book)))


def sorted_small_api(env: Env) -> Sample:
    return _sorted_api(env, env.sizes.sorted_levels[0])


def sorted_small_limit(env: Env) -> Sample:
    return _sorted_limit(env, env.sizes.sorted_levels[0])


def sorted_large_api(env: Env) -> Sample:
    return _sorted_api(env, env.sizes.sorted_levels[1])


def sorted_large_limit(env: Env) -> Sample:
    return _sorted_limit(env, env.sizes.sorted_levels[1])


# --------------------------------------------------------------------------------------------
# Bybit orderbook.200 deltas
# --------------------------------------------------------------------------------------------


def bybit_deltas_api(env: Env) -> Sample:
    pb = env.api.pb
    snapshot, deltas = _data.bybit_orderbook(env.sizes.bybit_levels, env.sizes.bybit_deltas)
    store = pb.BybitDataStore()
    store.onmessage(_decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(deltas), 128), _run_messages(store.onmessage), env.sizes.budget
    )
    book = store.orderbook
    return Sample(ops, secs, complete=complete, digest=[*_top(book.sorted(), "p"), len(book)])


def bybit_deltas_limit(env: Env) -> Sample:
    from ._limit import LimitBybitBook

    snapshot, deltas = _data.bybit_orderbook(env.sizes.bybit_levels, env.sizes.bybit_deltas)
    state = LimitBybitBook()
    state.onmessage(_decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(deltas), 128), _run_messages(state.onmessage), env.sizes.budget
    )
    if state.breaks:
        raise RuntimeError(f"the limit Bybit book saw {state.breaks} breaks in a clean stream")
    asks, bids = state.book.sorted(10)
    return Sample(
        ops,
        secs,
        complete=complete,
        digest=[*_top({"a": asks, "b": bids}, "p"), len(state.book)],
    )


# --------------------------------------------------------------------------------------------
# OKX books updates, with and without checksum verification
# --------------------------------------------------------------------------------------------


def _okx_api(env: Env, checksum: bool) -> Sample:
    api = env.api
    snapshot, updates = _data.okx_books(env.sizes.okx_levels, env.sizes.okx_updates)
    store = api.pb.OKXDataStore()
    api.okx_verify_checksum(store, checksum)
    store.onmessage(_decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(updates), 128), _run_messages(store.onmessage), env.sizes.budget
    )
    books = store.books
    resyncs = getattr(books, "resyncs", 0)
    if resyncs:
        raise RuntimeError(f"the OKX book was resynchronised {resyncs} times on a clean stream")
    return Sample(ops, secs, complete=complete, digest=[*_top(books.sorted(), "px"), len(books)])


def _okx_limit(env: Env, checksum: bool) -> Sample:
    from ._limit import LimitOkxBook

    snapshot, updates = _data.okx_books(env.sizes.okx_levels, env.sizes.okx_updates)
    state = LimitOkxBook(verify_checksum=checksum)
    state.onmessage(_decode(snapshot))
    ops, secs, complete = _timed(
        _chunks(_decode(updates), 128), _run_messages(state.onmessage), env.sizes.budget
    )
    if state.breaks:
        raise RuntimeError(f"the limit OKX book saw {state.breaks} breaks in a clean stream")
    asks, bids = state.book.sorted(10)
    return Sample(
        ops,
        secs,
        complete=complete,
        digest=[*_top({"asks": asks, "bids": bids}, "px"), len(state.book)],
    )


def okx_api(env: Env) -> Sample:
    return _okx_api(env, checksum=False)


def okx_limit(env: Env) -> Sample:
    return _okx_limit(env, checksum=False)


def okx_checksum_api(env: Env) -> Sample:
    return _okx_api(env, checksum=True)


def okx_checksum_limit(env: Env) -> Sample:
    return _okx_limit(env, checksum=True)


# --------------------------------------------------------------------------------------------
# executions into a full capped store
# --------------------------------------------------------------------------------------------


def _exec_inputs(env: Env, cap: int) -> tuple[list[Any], list[Any]]:
    """The messages, and ``cap`` older executions that fill the store before the timing."""
    messages = _decode(_data.bitflyer_executions(env.sizes.exec_messages))
    trades = [
        {"product_code": _data.BITFLYER_PRODUCT, **e}
        for m in messages
        for e in m["params"]["message"]
    ]
    fill = [dict(trades[i % len(trades)], id=i) for i in range(cap)]
    return messages, fill


def _trades_done(chunks: list[list[Any]], done: int) -> int:
    counted = 0
    trades = 0
    for chunk in chunks:
        if counted >= done:
            break
        counted += len(chunk)
        trades += sum(len(m["params"]["message"]) for m in chunk)
    return trades


def executions_api(env: Env) -> Sample:
    pb = env.api.pb
    store = pb.bitFlyerDataStore()
    executions = store.executions
    cap = type(executions)._MAXLEN
    messages, fill = _exec_inputs(env, cap)
    executions._insert(fill)
    if len(executions) != cap:
        raise RuntimeError(f"the executions store holds {len(executions)} items, not its cap {cap}")
    chunks = _chunks(messages, 64)
    done, secs, complete = _timed(chunks, _run_messages(store.onmessage), env.sizes.budget)
    last = executions.find()[-1]["id"]
    return Sample(
        _trades_done(chunks, done), secs, complete=complete, digest=last,
        extra={"cap": cap, "len": len(executions)},
    )  # fmt: skip


def executions_limit(env: Env) -> Sample:
    from ._limit import LimitBitflyer

    cap = env.sizes.exec_cap
    messages, fill = _exec_inputs(env, cap)
    state = LimitBitflyer(cap=cap)
    state.executions.extend(fill)
    chunks = _chunks(messages, 64)
    done, secs, complete = _timed(chunks, _run_messages(state.onmessage), env.sizes.budget)
    last = state.executions[-1]["id"]
    return Sample(
        _trades_done(chunks, done), secs, complete=complete, digest=last,
        extra={"cap": cap, "len": len(state.executions)},
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# watch() throughput
# --------------------------------------------------------------------------------------------


async def _watch_loop(
    updates: list[Any],
    apply: Callable[[Any], None],
    next_change: Callable[[], Any],
    budget: float,
) -> tuple[int, float, bool, Any]:
    """A producer applies updates in chunks of 100, yielding to the loop after each; a
    consumer task reads every change. Timed until the consumer has seen every change made."""
    chunks = _chunks(updates, 100)
    seen = 0
    last: Any = None

    async def consume() -> None:
        nonlocal seen, last
        while True:
            last = await next_change()
            seen += 1

    consumer = asyncio.get_running_loop().create_task(consume())
    await asyncio.sleep(0)
    gc.collect()
    made = 0
    start = perf_counter()
    deadline = start + budget
    for chunk in chunks:
        for update in chunk:
            apply(update)
        made += len(chunk)
        await asyncio.sleep(0)
        if perf_counter() > deadline:
            break
    # Polling, not an Event: the consumer must not pay for a wake-up per change.
    while seen < made:  # noqa: ASYNC110
        await asyncio.sleep(0)
    secs = perf_counter() - start
    consumer.cancel()
    try:
        await consumer
    except asyncio.CancelledError:
        pass
    return made, secs, made == len(updates), last


def watch_api(env: Env) -> Sample:
    pb = env.api.pb
    updates = _decode(_data.watch_updates(env.sizes.watch_changes))

    async def main() -> Sample:
        store = pb.DataStore(keys=["id"])
        store._insert([{"id": i, "price": 0.0, "size": 0.0} for i in range(1_000)])
        update = store._update
        with store.watch() as stream:
            made, secs, complete, last = await _watch_loop(
                updates, lambda u: update([u]), stream.get, env.sizes.budget
            )
        return Sample(made, secs, complete=complete, digest=[last.operation, last.data["price"]])

    return asyncio.run(main())


def watch_limit(env: Env) -> Sample:
    updates = _decode(_data.watch_updates(env.sizes.watch_changes))

    async def main() -> Sample:
        table = {i: {"id": i, "price": 0.0, "size": 0.0} for i in range(1_000)}
        queue: asyncio.Queue[tuple[str, Any, Any]] = asyncio.Queue()
        put = queue.put_nowait

        def apply(u: Any) -> None:
            item = table[u["id"]]
            item.update(u)
            put(("update", u, item))

        made, secs, complete, last = await _watch_loop(updates, apply, queue.get, env.sizes.budget)
        return Sample(made, secs, complete=complete, digest=[last[0], last[2]["price"]])

    return asyncio.run(main())


# --------------------------------------------------------------------------------------------
# WebSocket dispatch from a local server process
# --------------------------------------------------------------------------------------------

_TICKER_TIMEOUT = 600.0


async def _ws_prepare(env: Env) -> tuple[str, int]:
    import aiohttp

    n = env.sizes.ws_messages
    base = f"http://127.0.0.1:{env.ws_port}"
    async with aiohttp.ClientSession() as session, session.get(f"{base}/prepare?n={n}") as resp:
        last = int((await resp.json())["last_tick_id"])
    return f"ws://127.0.0.1:{env.ws_port}/ws?n={n}", last


def ws_api(env: Env) -> Sample:
    pb = env.api.pb

    async def main() -> Sample:
        url, last_tick = await _ws_prepare(env)
        async with pb.Client(apis={}) as client:
            store = pb.bitFlyerDataStore()
            ticker = store.ticker
            gc.collect()
            start = perf_counter()
            client.ws_connect(url, hdlr_json=store.onmessage)

            async def until_last() -> None:
                while True:
                    item = ticker.get({"product_code": _data.BITFLYER_PRODUCT})
                    if item is not None and item["tick_id"] == last_tick:
                        return
                    await asyncio.sleep(0.001)

            await asyncio.wait_for(until_last(), _TICKER_TIMEOUT)
            secs = perf_counter() - start
            last_exec = store.executions.find()[-1]["id"]
        return Sample(env.sizes.ws_messages, secs, digest=[last_tick, last_exec])

    return asyncio.run(main())


def ws_limit(env: Env) -> Sample:
    import aiohttp
    import orjson

    from ._limit import LimitBitflyer

    async def main() -> Sample:
        url, last_tick = await _ws_prepare(env)
        state = LimitBitflyer()
        ticker = state.ticker
        loads = orjson.loads
        onmessage = state.onmessage
        product = _data.BITFLYER_PRODUCT
        text = aiohttp.WSMsgType.TEXT
        async with aiohttp.ClientSession() as session:
            gc.collect()
            start = perf_counter()
            async with session.ws_connect(url) as ws:
                receive = ws.receive
                while True:
                    kind, data, _ = await receive()
                    if kind is not text:
                        raise RuntimeError(f"the stream ended early: {kind!r} {data!r}")
                    onmessage(loads(data))
                    item = ticker.get(product)
                    if item is not None and item["tick_id"] == last_tick:
                        break
            secs = perf_counter() - start
        return Sample(env.sizes.ws_messages, secs, digest=[last_tick, state.executions[-1]["id"]])

    return asyncio.run(main())


# --------------------------------------------------------------------------------------------
# signed HTTP GET / POST against a local server process
# --------------------------------------------------------------------------------------------


async def _http_run(
    env: Env, request: Callable[[], Any], ok: Callable[[Any], bool]
) -> tuple[int, float, bool]:
    """``concurrency`` tasks share ``http_requests`` requests; the warm-up opens the
    connections first. Every answer must be 200 (the server checks each signature)."""
    n = env.sizes.http_requests
    concurrency = env.sizes.http_concurrency
    warm = await asyncio.gather(*(request() for _ in range(concurrency)))
    if not all(ok(r) for r in warm):
        raise RuntimeError("the benchmark server refused the warm-up: the requests were not signed")
    remaining = n
    refused = 0
    done = 0
    deadline = 0.0

    async def worker() -> None:
        nonlocal remaining, refused, done
        while remaining > 0 and perf_counter() < deadline:
            remaining -= 1
            if not ok(await request()):
                refused += 1
            done += 1

    gc.collect()
    start = perf_counter()
    deadline = start + max(env.sizes.budget * 4, 10.0)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    secs = perf_counter() - start
    if refused:
        raise RuntimeError(f"the benchmark server refused {refused} of {done} requests")
    return done, secs, done == n


def _http_api(env: Env, method: str) -> Sample:
    import aiohttp

    from ._adapters import LocalResolver
    from ._server import API_KEY, API_SECRET, GET_PATH, POST_PATH

    api = env.api

    async def main() -> Sample:
        connector = aiohttp.TCPConnector(resolver=LocalResolver(), limit=100)
        client = api.client({"bitflyer": [API_KEY, API_SECRET]}, connector)
        base = f"http://api.bitflyer.com:{env.http_port}"
        async with client:
            if method == "GET":
                url = base + GET_PATH
                params = {"product_code": _data.BITFLYER_PRODUCT}

                def request() -> Any:
                    return client.fetch("GET", url, params=params)

            else:
                url = base + POST_PATH

                def request() -> Any:
                    return client.fetch("POST", url, data=_data.order_body())

            ops, secs, complete = await _http_run(
                env, request, lambda r: r.response.status == 200 and bool(r.data)
            )
        return Sample(ops, secs, complete=complete, digest=ops if complete else None)

    return asyncio.run(main())


def _http_limit(env: Env, method: str) -> Sample:
    import hashlib
    import hmac

    import aiohttp
    import orjson
    from yarl import URL

    from ._adapters import LocalResolver
    from ._server import API_KEY, API_SECRET, GET_PATH, POST_PATH

    secret = API_SECRET.encode()

    async def main() -> Sample:
        connector = aiohttp.TCPConnector(resolver=LocalResolver(), limit=100)
        base = f"http://api.bitflyer.com:{env.http_port}"
        async with aiohttp.ClientSession(connector=connector) as session:
            if method == "GET":
                path = f"{GET_PATH}?product_code={_data.BITFLYER_PRODUCT}"
                url = URL(base + path, encoded=True)

                async def request() -> Any:
                    ts = str(time.time())
                    sign = hmac.new(secret, f"{ts}GET{path}".encode(), hashlib.sha256)
                    headers = {
                        "ACCESS-KEY": API_KEY,
                        "ACCESS-TIMESTAMP": ts,
                        "ACCESS-SIGN": sign.hexdigest(),
                    }
                    async with session.get(url, headers=headers) as resp:
                        return resp.status, orjson.loads(await resp.read())

            else:
                url = URL(base + POST_PATH, encoded=True)
                prefix = f"POST{POST_PATH}".encode()

                async def request() -> Any:
                    body = orjson.dumps(_data.order_body())
                    ts = str(time.time())
                    sign = hmac.new(secret, ts.encode() + prefix + body, hashlib.sha256)
                    headers = {
                        "ACCESS-KEY": API_KEY,
                        "ACCESS-TIMESTAMP": ts,
                        "ACCESS-SIGN": sign.hexdigest(),
                        "Content-Type": "application/json",
                    }
                    async with session.post(url, data=body, headers=headers) as resp:
                        return resp.status, orjson.loads(await resp.read())

            ops, secs, complete = await _http_run(
                env, request, lambda r: r[0] == 200 and bool(r[1])
            )
        return Sample(ops, secs, complete=complete, digest=ops if complete else None)

    return asyncio.run(main())


def http_get_api(env: Env) -> Sample:
    return _http_api(env, "GET")


def http_get_limit(env: Env) -> Sample:
    return _http_limit(env, "GET")


def http_post_api(env: Env) -> Sample:
    return _http_api(env, "POST")


def http_post_limit(env: Env) -> Sample:
    return _http_limit(env, "POST")


# --------------------------------------------------------------------------------------------
# import + first store, in a fresh interpreter
# --------------------------------------------------------------------------------------------

_IMPORT_API = (
    "import time\n"
    "t = time.perf_counter()\n"
    "import pybotters\n"
    "pybotters.bitFlyerDataStore()\n"
    "print(time.perf_counter() - t)\n"
)
_IMPORT_LIMIT = (
    "import time\n"
    "t = time.perf_counter()\n"
    "import aiohttp, orjson\n"
    "store = {}\n"
    "print(time.perf_counter() - t)\n"
)
_warmed: set[str] = set()


def _child_seconds(code: str, warm_up: bool) -> float:
    """Seconds measured inside a fresh ``python -I`` (no site customisation, no cwd on the
    path, ``PYTHON*`` variables ignored); with ``warm_up`` the first call per process runs once
    untimed (it fills the bytecode caches)."""
    argv = [sys.executable, "-I", "-c", code]
    if warm_up and code not in _warmed:
        subprocess.run(argv, check=True, capture_output=True)
        _warmed.add(code)
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def import_api(env: Env) -> Sample:
    return Sample(value=_child_seconds(_IMPORT_API, env.sizes.warm_up) * 1000)


def import_limit(env: Env) -> Sample:
    return Sample(value=_child_seconds(_IMPORT_LIMIT, env.sizes.warm_up) * 1000)


# --------------------------------------------------------------------------------------------
# memory of a book (tracemalloc in a fresh interpreter)
# --------------------------------------------------------------------------------------------


def memory_probe(side: str, levels: int) -> dict[str, float]:
    """Run in a child process: build a ``levels``-per-side bitFlyer board from one snapshot
    under tracemalloc; return the peak and the retained KiB (the input message excluded)."""
    import tracemalloc

    snapshot = _decode(_data.bitflyer_board(levels, 0)[0])
    loop = asyncio.new_event_loop()
    keep: Any
    if side == "limit":
        from ._limit import LimitBitflyer

        async def feed() -> Any:
            state = LimitBitflyer()
            state.onmessage(snapshot)
            return state

    else:
        from ._adapters import Api

        api = Api()
        store = api.pb.bitFlyerDataStore()
        ws = api.snapshot_ws()

        async def feed() -> Any:
            store.onmessage(snapshot, ws)
            await asyncio.sleep(0)
            return store

    gc.collect()
    tracemalloc.start()
    keep = loop.run_until_complete(feed())
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del keep
    loop.close()
    return {"peak_kib": peak / 1024, "retained_kib": current / 1024}


def _memory(side: str, env: Env) -> dict[str, float]:
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks.workloads import memory_probe\n"
        f"print(json.dumps(memory_probe({side!r}, {env.sizes.memory_levels})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def memory_peak_api(env: Env) -> Sample:
    return Sample(value=_memory("api", env)["peak_kib"])


def memory_peak_limit(env: Env) -> Sample:
    return Sample(value=_memory("limit", env)["peak_kib"])


def memory_retained_api(env: Env) -> Sample:
    return Sample(value=_memory("api", env)["retained_kib"])


def memory_retained_limit(env: Env) -> Sample:
    return Sample(value=_memory("limit", env)["retained_kib"])


# --------------------------------------------------------------------------------------------
# the list
# --------------------------------------------------------------------------------------------

WORKLOADS: list[Workload] = [
    Workload("keyed.insert", "DataStore._insert, 1 item per call (20k items, 2 keys)",
             "ops/s", (), keyed_insert_api, keyed_insert_limit, target=1.5, ops="items"),
    Workload("keyed.update", "DataStore._update of existing items, 1 per call",
             "ops/s", (), keyed_update_api, keyed_update_limit, ops="items"),
    Workload("keyed.get", "DataStore.get by key (20k items)",
             "ops/s", (), keyed_get_api, keyed_get_limit, target=1.5, ops="lookups"),
    Workload("keyed.find", "DataStore.find({'symbol': ...}) over 20k items (2k match)",
             "ops/s", (), keyed_find_api, keyed_find_limit, ops="queries"),
    Workload("keyed.delete", "DataStore._delete, 1 key per call",
             "ops/s", (), keyed_delete_api, keyed_delete_limit, ops="items"),
    Workload("bitflyer.board_diffs", "bitFlyer board: 1,000-level snapshot, then 50k diffs",
             "ops/s", ("bitflyer",), board_diffs_api, board_diffs_limit, target=30.0,
             ops="messages"),
    Workload("bitflyer.sorted_1000", "board.sorted(limit=10) on a 1,000-level book",
             "ops/s", ("bitflyer",), sorted_small_api, sorted_small_limit, ops="calls"),
    Workload("bitflyer.sorted_2000", "board.sorted(limit=10) on a 2,000-level book",
             "ops/s", ("bitflyer",), sorted_large_api, sorted_large_limit, target=100.0,
             ops="calls"),
    Workload("bybit.orderbook_deltas", "Bybit orderbook.200: snapshot, then 50k deltas",
             "ops/s", ("bybit",), bybit_deltas_api, bybit_deltas_limit, target=2.0,
             ops="messages"),
    Workload("okx.books", "OKX books: 400-level snapshot, 30k updates, seqId chain checked",
             "ops/s", ("okx",), okx_api, okx_limit, target=1.5, ops="messages"),
    Workload("okx.books_checksum", "OKX books as above, with CRC32 checksum verification",
             "ops/s", ("okx",), okx_checksum_api, okx_checksum_limit, ops="messages"),
    Workload("executions.capped", "bitFlyer executions into a full capped store (99,999)",
             "ops/s", ("bitflyer",), executions_api, executions_limit, target=5.0,
             ops="trades"),
    Workload("store.watch", "watch(): 50k updates, each change read by a watcher task",
             "ops/s", (), watch_api, watch_limit, target=3.0, ops="changes"),
    Workload("ws.dispatch", "WebSocket: 200k bitFlyer messages from a local server process",
             "ops/s", ("bitflyer", "ws"), ws_api, ws_limit, target=2.5, target_limit=0.6,
             ops="messages"),
    Workload("http.get", "5k signed GET (bitFlyer), 8 in flight, local server process",
             "ops/s", ("bitflyer", "http"), http_get_api, http_get_limit, target=1.1,
             target_limit=0.9, ops="requests"),
    Workload("http.post", "5k signed POST (bitFlyer), 8 in flight, local server process",
             "ops/s", ("bitflyer", "http"), http_post_api, http_post_limit, target=1.1,
             target_limit=0.9, ops="requests"),
    Workload("import.first_store", "import pybotters + bitFlyerDataStore() in a fresh process",
             "ms", ("bitflyer",), import_api, import_limit, target=2.0),
    Workload("memory.book_peak", "tracemalloc peak while loading a 1,000-level board",
             "KiB", ("bitflyer",), memory_peak_api, memory_peak_limit),
    Workload("memory.book_retained", "memory kept by that 1,000-level board",
             "KiB", ("bitflyer",), memory_retained_api, memory_retained_limit),
]  # fmt: skip


def by_name(name: str) -> Workload:
    for workload in WORKLOADS:
        if workload.name == name:
            return workload
    raise KeyError(f"no workload named {name!r}; known: {', '.join(w.name for w in WORKLOADS)}")
