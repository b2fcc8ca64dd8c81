"""Deterministic inputs: exchange-shaped messages generated from a seeded random stream.

Every generator simulates the exchange's book (or feed) so that the messages are coherent:
deletes name levels that exist, inserts never cross the other side, sequence ids chain, OKX
checksums are the real CRC32 of the simulated book. The output is JSON text, decoded afresh
for every repetition (stores may keep references to the dicts they are given), exactly as a
WebSocket reader would hand them over. Nothing here depends on the side under test.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import random
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "BITFLYER_PRODUCT",
    "BYBIT_SYMBOL",
    "OKX_INST",
    "SEED",
    "bitflyer_board",
    "bitflyer_executions",
    "bybit_orderbook",
    "keyed_items",
    "okx_books",
    "okx_crc",
    "order_body",
    "watch_updates",
    "ws_stream",
]

SEED = 1_011_002
BITFLYER_PRODUCT = "FX_BTC_JPY"
BYBIT_SYMBOL = "BTCUSDT"
OKX_INST = "BTC-USDT-SWAP"

Message = dict[str, Any]


F = TypeVar("F", bound=Callable[..., Any])

CACHE_ENV = "PYBOTTERS_BENCH_CACHE"
"""Names a folder where generated inputs are kept between processes (set by the runner)."""

# Cached inputs are named after this file's content, so editing a generator never reuses them.
_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def _cached(fn: F) -> F:
    """Memoise in the process and, when ``$PYBOTTERS_BENCH_CACHE`` names a folder, on disk, so
    that the worker of each side decodes the same inputs instead of generating them again."""
    memo: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        if args in memo:
            return memo[args]
        folder = os.environ.get(CACHE_ENV)
        path = None
        if folder:
            name = "-".join([fn.__name__, *map(str, args), _VERSION])
            path = Path(folder) / f"{name}.json"
            if path.is_file():
                value = json.loads(path.read_text())
                memo[args] = value = tuple(value) if isinstance(value, list) else value
                return value
        value = fn(*args)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(value))
            tmp.replace(path)
        memo[args] = value
        return value

    return wrapper  # type: ignore[return-value]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _bf_envelope(channel: str, message: Any) -> Message:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


# --------------------------------------------------------------------------------------------
# A price-level book used by the generators (prices as sortable numbers)
# --------------------------------------------------------------------------------------------


class _Side:
    """One side of a simulated book; ``ascending`` for asks, descending order for bids."""

    __slots__ = ("ascending", "keys", "sizes")

    def __init__(self, ascending: bool) -> None:
        self.ascending = ascending
        self.keys: list[int] = []  # ascending sort keys: price for asks, -price for bids
        self.sizes: dict[int, Any] = {}

    def _key(self, price: int) -> int:
        return price if self.ascending else -price

    def set(self, price: int, size: Any) -> None:
        if price not in self.sizes:
            bisect.insort(self.keys, self._key(price))
        self.sizes[price] = size

    def remove(self, price: int) -> None:
        if price in self.sizes:
            del self.sizes[price]
            key = self._key(price)
            del self.keys[bisect.bisect_left(self.keys, key)]

    def price_at(self, index: int) -> int:
        key = self.keys[index]
        return key if self.ascending else -key

    def best(self) -> int:
        return self.price_at(0)

    def worst(self) -> int:
        return self.price_at(-1)

    def top(self, n: int) -> list[int]:
        return [k if self.ascending else -k for k in self.keys[:n]]

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, price: int) -> bool:
        return price in self.sizes


class _Levels:
    """The changed levels of one side in one message: each price once, with its final value
    (exchanges never repeat a price within one message, and consumers may apply a message's
    deletes and upserts in any order)."""

    __slots__ = ("key", "rows")

    def __init__(self, key: Callable[[Any], Any]) -> None:
        self.key = key
        self.rows: dict[Any, Any] = {}

    def append(self, row: Any) -> None:
        k = self.key(row)
        self.rows.pop(k, None)
        self.rows[k] = row

    def out(self) -> list[Any]:
        return list(self.rows.values())


def _by_price(level: Message) -> Any:
    return level["price"]


def _first(row: list[str]) -> str:
    return row[0]


# --------------------------------------------------------------------------------------------
# bitFlyer
# --------------------------------------------------------------------------------------------


def _bf_size(rng: random.Random) -> float:
    return round(rng.uniform(0.01, 3.0), 8)


@_cached
def bitflyer_board(levels: int, diffs: int, seed: int = SEED) -> tuple[str, str]:
    """``(snapshot, diffs)``: a ``levels``-per-side board snapshot message and a JSON list of
    ``diffs`` ``lightning_board_FX_BTC_JPY`` messages.

    Prices are whole yen sent as floats (as bitFlyer does), sizes floats, ``size: 0`` deletes.
    About one message in 50 moves the market: a bid lands above the best ask (or an ask below
    the best bid) and the stale levels are left for the consumer to prune by ``mid_price``.
    """
    rng = random.Random(seed)
    mid0 = 10_000_000
    asks, bids = _Side(True), _Side(False)
    price = mid0
    for _ in range(levels):
        price += rng.choice((1, 1, 1, 2, 3))
        asks.set(price, _bf_size(rng))
    price = mid0
    for _ in range(levels):
        price -= rng.choice((1, 1, 1, 2, 3))
        bids.set(price, _bf_size(rng))

    def level(p: int, size: float) -> Message:
        return {"price": float(p), "size": size}

    def mid() -> float:
        return (asks.best() + bids.best()) / 2

    snapshot = _bf_envelope(
        f"lightning_board_snapshot_{BITFLYER_PRODUCT}",
        {
            "mid_price": mid(),
            "bids": [level(p, bids.sizes[p]) for p in bids.top(levels)],
            "asks": [level(p, asks.sizes[p]) for p in asks.top(levels)],
        },
    )
    out: list[Message] = []
    channel = f"lightning_board_{BITFLYER_PRODUCT}"
    for _ in range(diffs):
        changes = {"asks": _Levels(_by_price), "bids": _Levels(_by_price)}
        if rng.random() < 0.02:
            # The market moves: a crossing order; the crossed levels are pruned by mid_price.
            up = rng.random() < 0.5
            if up:
                new_bid = asks.best() + rng.randint(0, 4)
                size = _bf_size(rng)
                bids.set(new_bid, size)
                changes["bids"].append(level(new_bid, size))
                above = [p for p in asks.top(64) if p > new_bid] or [new_bid + 2]
                new_mid = (new_bid + above[0]) / 2
            else:
                new_ask = bids.best() - rng.randint(0, 4)
                size = _bf_size(rng)
                asks.set(new_ask, size)
                changes["asks"].append(level(new_ask, size))
                below = [p for p in bids.top(64) if p < new_ask] or [new_ask - 2]
                new_mid = (new_ask + below[0]) / 2
            for p in [p for p in bids.top(64) if p > new_mid]:
                bids.remove(p)
            for p in [p for p in asks.top(64) if p <= new_mid]:
                asks.remove(p)
            out.append(
                _bf_envelope(
                    channel,
                    {
                        "mid_price": new_mid,
                        "bids": changes["bids"].out(),
                        "asks": changes["asks"].out(),
                    },
                )
            )
            continue
        for name, side, sign in (("asks", asks, 1), ("bids", bids, -1)):
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                roll = rng.random()
                depth = min(len(side), 30)
                if roll < 0.5 and depth:
                    p = side.price_at(rng.randrange(depth))
                    size = _bf_size(rng)
                    side.set(p, size)
                    changes[name].append(level(p, size))
                elif roll < 0.75 and depth > 1:
                    p = side.price_at(rng.randrange(depth))
                    side.remove(p)
                    changes[name].append(level(p, 0.0))
                else:
                    other = bids.best() if sign > 0 else asks.best()
                    p = side.best() + sign * rng.randint(-25, 3)
                    if (sign > 0 and p <= other) or (sign < 0 and p >= other) or p in side:
                        continue
                    size = _bf_size(rng)
                    side.set(p, size)
                    changes[name].append(level(p, size))
            # Keep the depth near ``levels``: refill far from the top.
            while len(side) < levels:
                p = side.worst() + sign * rng.randint(1, 3)
                size = _bf_size(rng)
                side.set(p, size)
                changes[name].append(level(p, size))
        out.append(
            _bf_envelope(
                channel,
                {"mid_price": mid(), "bids": changes["bids"].out(), "asks": changes["asks"].out()},
            )
        )
    return _dumps(snapshot), _dumps(out)


def _bf_execution(rng: random.Random, exec_id: int) -> Message:
    return {
        "id": exec_id,
        "side": rng.choice(("BUY", "SELL")),
        "price": float(10_000_000 + rng.randint(-500, 500)),
        "size": _bf_size(rng),
        "exec_date": f"2024-05-01T00:{exec_id // 60 % 60:02d}:{exec_id % 60:02d}.1234567Z",
        "buy_child_order_acceptance_id": f"JRF20240501-000000-{exec_id:06d}",
        "sell_child_order_acceptance_id": f"JRF20240501-000001-{exec_id:06d}",
    }


@_cached
def bitflyer_executions(messages: int, seed: int = SEED) -> str:
    """A JSON list of ``messages`` ``lightning_executions_FX_BTC_JPY`` messages (1-5 each)."""
    rng = random.Random(seed)
    channel = f"lightning_executions_{BITFLYER_PRODUCT}"
    out = []
    exec_id = 2_000_000_000
    for _ in range(messages):
        batch = []
        for _ in range(rng.choice((1, 1, 1, 2, 3, 5))):
            exec_id += 1
            batch.append(_bf_execution(rng, exec_id))
        out.append(_bf_envelope(channel, batch))
    return _dumps(out)


def _bf_ticker(rng: random.Random, tick_id: int) -> Message:
    best_bid = float(10_000_000 + rng.randint(-500, 500))
    return {
        "product_code": BITFLYER_PRODUCT,
        "state": "RUNNING",
        "timestamp": f"2024-05-01T00:00:{tick_id % 60:02d}.1234567Z",
        "tick_id": tick_id,
        "best_bid": best_bid,
        "best_ask": best_bid + 1.0,
        "best_bid_size": _bf_size(rng),
        "best_ask_size": _bf_size(rng),
        "total_bid_depth": 1234.5,
        "total_ask_depth": 1432.1,
        "market_bid_size": 0.0,
        "market_ask_size": 0.0,
        "ltp": best_bid,
        "volume": 54321.0,
        "volume_by_product": 54321.0,
    }


@_cached
def ws_stream(messages: int, seed: int = SEED) -> tuple[list[str], int]:
    """``(frames, last_tick_id)``: JSON texts of bitFlyer ticker and executions messages, half
    and half, ending with the ticker whose ``tick_id`` is ``last_tick_id``."""
    rng = random.Random(seed)
    frames: list[str] = []
    tick_id = 0
    exec_id = 2_100_000_000
    ticker_channel = f"lightning_ticker_{BITFLYER_PRODUCT}"
    exec_channel = f"lightning_executions_{BITFLYER_PRODUCT}"
    for i in range(messages):
        if i == messages - 1 or rng.random() < 0.5:
            tick_id += 1
            frames.append(_dumps(_bf_envelope(ticker_channel, _bf_ticker(rng, tick_id))))
        else:
            batch = []
            for _ in range(rng.choice((1, 1, 2, 3))):
                exec_id += 1
                batch.append(_bf_execution(rng, exec_id))
            frames.append(_dumps(_bf_envelope(exec_channel, batch)))
    return frames, tick_id


# --------------------------------------------------------------------------------------------
# Bybit
# --------------------------------------------------------------------------------------------


def _cents(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def _qty(rng: random.Random) -> str:
    return f"{rng.randint(1, 50_000) / 1000:.3f}"


@_cached
def bybit_orderbook(levels: int, deltas: int, seed: int = SEED) -> tuple[str, str]:
    """``(snapshot, deltas)`` of ``orderbook.{levels}.BTCUSDT``: a snapshot with ``levels`` per
    side, then ``deltas`` delta messages with consecutive ``u``. As on Bybit, the book keeps
    exactly ``levels`` per side: a level pushed out of the window is deleted in the same delta.
    Prices and sizes are strings (tick 0.10); size ``"0"`` deletes."""
    rng = random.Random(seed)
    topic = f"orderbook.{levels}.{BYBIT_SYMBOL}"
    asks, bids = _Side(True), _Side(False)
    mid = 3_000_000  # cents
    price = mid
    for _ in range(levels):
        price += 10 * rng.choice((1, 1, 2))
        asks.set(price, _qty(rng))
    price = mid
    for _ in range(levels):
        price -= 10 * rng.choice((1, 1, 2))
        bids.set(price, _qty(rng))
    u = 1_000_000
    seq = 60_000_000_000
    ts = 1_714_521_600_000

    def rows(side: _Side) -> list[list[str]]:
        return [[_cents(p), side.sizes[p]] for p in side.top(levels)]

    snapshot = {
        "topic": topic,
        "type": "snapshot",
        "ts": ts,
        "data": {"s": BYBIT_SYMBOL, "b": rows(bids), "a": rows(asks), "u": u, "seq": seq},
        "cts": ts - 2,
    }
    out: list[Message] = []
    for _ in range(deltas):
        u += 1
        seq += rng.randint(1, 40)
        ts += rng.randint(10, 20)
        changes = {"a": _Levels(_first), "b": _Levels(_first)}
        for name, side, sign in (("a", asks, 1), ("b", bids, -1)):
            for _ in range(rng.choice((0, 1, 1, 2, 3, 4))):
                roll = rng.random()
                depth = min(len(side), 25)
                if roll < 0.55:
                    p = side.price_at(rng.randrange(depth))
                    size = _qty(rng)
                    side.set(p, size)
                    changes[name].append([_cents(p), size])
                elif roll < 0.78:
                    p = side.price_at(rng.randrange(depth))
                    side.remove(p)
                    changes[name].append([_cents(p), "0"])
                    refill = side.worst() + sign * 10 * rng.randint(1, 2)
                    size = _qty(rng)
                    side.set(refill, size)
                    changes[name].append([_cents(refill), size])
                else:
                    other = bids.best() if sign > 0 else asks.best()
                    p = side.best() + sign * 10 * rng.randint(-20, 2)
                    if (sign > 0 and p <= other) or (sign < 0 and p >= other) or p in side:
                        continue
                    size = _qty(rng)
                    side.set(p, size)
                    changes[name].append([_cents(p), size])
                    dropped = side.worst()
                    side.remove(dropped)
                    changes[name].append([_cents(dropped), "0"])
        out.append(
            {
                "topic": topic,
                "type": "delta",
                "ts": ts,
                "data": {
                    "s": BYBIT_SYMBOL,
                    "b": changes["b"].out(),
                    "a": changes["a"].out(),
                    "u": u,
                    "seq": seq,
                },
                "cts": ts - 2,
            }
        )
    return _dumps(snapshot), _dumps(out)


# --------------------------------------------------------------------------------------------
# OKX
# --------------------------------------------------------------------------------------------


def okx_crc(bids: list[list[str]], asks: list[list[str]]) -> int:
    """OKX's book checksum (signed CRC32 over the top 25 ``px:sz`` strings, interleaved)."""
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts.append(f"{bids[i][0]}:{bids[i][1]}")
        if i < len(asks):
            parts.append(f"{asks[i][0]}:{asks[i][1]}")
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _dimes(d: int) -> str:
    return f"{d // 10}.{d % 10}"


@_cached
def okx_books(levels: int, updates: int, seed: int = SEED) -> tuple[str, str]:
    """``(snapshot, updates)`` of the OKX ``books`` channel for BTC-USDT-SWAP: ``levels`` per
    side, then ``updates`` incremental messages whose ``prevSeqId`` chains to the previous
    ``seqId`` (steps of 1-50) and whose ``checksum`` is the true CRC32 of the top 25 levels."""
    rng = random.Random(seed)
    arg = {"channel": "books", "instId": OKX_INST}
    asks, bids = _Side(True), _Side(False)

    def put(side: _Side, p: int) -> list[str]:
        row = [_dimes(p), str(rng.randint(1, 9_999)), "0", str(rng.randint(1, 40))]
        side.set(p, row)
        return row

    mid = 600_000  # dimes: 60000.0
    price = mid
    for _ in range(levels):
        price += rng.choice((1, 1, 2, 3))
        put(asks, price)
    price = mid
    for _ in range(levels):
        price -= rng.choice((1, 1, 2, 3))
        put(bids, price)

    def top(side: _Side, n: int) -> list[list[str]]:
        return [side.sizes[p] for p in side.top(n)]

    def checksum() -> int:
        return okx_crc(top(bids, 25), top(asks, 25))

    seq = 30_000_000_000
    ts = 1_714_521_600_000
    snapshot = {
        "arg": arg,
        "action": "snapshot",
        "data": [
            {
                "asks": top(asks, levels),
                "bids": top(bids, levels),
                "ts": str(ts),
                "checksum": checksum(),
                "prevSeqId": -1,
                "seqId": seq,
            }
        ],
    }
    out: list[Message] = []
    for _ in range(updates):
        prev = seq
        seq += rng.randint(1, 50)
        ts += rng.randint(5, 15)
        changes = {"asks": _Levels(_first), "bids": _Levels(_first)}
        for name, side, sign in (("asks", asks, 1), ("bids", bids, -1)):
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                roll = rng.random()
                depth = min(len(side), 30)
                if roll < 0.55:
                    p = side.price_at(rng.randrange(depth))
                    changes[name].append(put(side, p))
                elif roll < 0.78:
                    p = side.price_at(rng.randrange(depth))
                    row = side.sizes[p]
                    side.remove(p)
                    changes[name].append([row[0], "0", "0", "0"])
                    changes[name].append(put(side, side.worst() + sign * rng.randint(1, 3)))
                else:
                    other = bids.best() if sign > 0 else asks.best()
                    p = side.best() + sign * rng.randint(-20, 2)
                    if (sign > 0 and p <= other) or (sign < 0 and p >= other) or p in side:
                        continue
                    changes[name].append(put(side, p))
                    dropped = side.worst()
                    row = side.sizes[dropped]
                    side.remove(dropped)
                    changes[name].append([row[0], "0", "0", "0"])
        out.append(
            {
                "arg": arg,
                "action": "update",
                "data": [
                    {
                        "asks": changes["asks"].out(),
                        "bids": changes["bids"].out(),
                        "ts": str(ts),
                        "checksum": checksum(),
                        "prevSeqId": prev,
                        "seqId": seq,
                    }
                ],
            }
        )
    return _dumps(snapshot), _dumps(out)


# --------------------------------------------------------------------------------------------
# Generic keyed items, watch updates, HTTP bodies
# --------------------------------------------------------------------------------------------


@_cached
def keyed_items(count: int, seed: int = SEED) -> tuple[str, str, str]:
    """``(items, updates, lookups)``: ``count`` items keyed on ``(symbol, id)`` (10 symbols),
    one update per item (new size and status) in another order, and the keys in a third."""
    rng = random.Random(seed)
    items = [
        {
            "symbol": f"SYM{i % 10}",
            "id": 1_000_000 + i,
            "side": rng.choice(("BUY", "SELL")),
            "price": float(rng.randint(100, 200_000)),
            "size": _bf_size(rng),
            "status": "NEW",
        }
        for i in range(count)
    ]
    updates = [
        {"symbol": it["symbol"], "id": it["id"], "size": _bf_size(rng), "status": "PARTIAL"}
        for it in items
    ]
    rng.shuffle(updates)
    lookups = [{"symbol": it["symbol"], "id": it["id"]} for it in items]
    rng.shuffle(lookups)
    return _dumps(items), _dumps(updates), _dumps(lookups)


@_cached
def watch_updates(count: int, seed: int = SEED) -> str:
    """``count`` updates to 1,000 keyed items (``id``), as a JSON list."""
    rng = random.Random(seed)
    return _dumps(
        [
            {"id": rng.randrange(1_000), "price": float(i), "size": _bf_size(rng)}
            for i in range(count)
        ]
    )


def order_body() -> Message:
    """The body of the POST benchmark (a bitFlyer child order)."""
    return {
        "product_code": BITFLYER_PRODUCT,
        "child_order_type": "LIMIT",
        "side": "BUY",
        "price": 9_000_000,
        "size": 0.01,
        "minute_to_expire": 10_000,
        "time_in_force": "GTC",
    }
