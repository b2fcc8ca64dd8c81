"""Generate the sample recording bundled with pybotters-core (``pybotters demo``).

A synthetic, deterministic bitFlyer Lightning stream of BTC_JPY, as
``wss://ws.lightstream.bitflyer.com/json-rpc`` would send it to a client subscribed to the
board snapshot, board diff and ticker channels:

- the three subscription acknowledgements;
- one ``lightning_board_snapshot_BTC_JPY`` message of 100 levels per side;
- ``DIFFS`` ``lightning_board_BTC_JPY`` diffs (one to three levels each, ``size`` 0 deletes a
  level) that keep a consistent book: a random walk of quotes, trades that eat the best level,
  new levels inside and behind the spread, with ``mid_price`` on every diff;
- a ``lightning_ticker_BTC_JPY`` message every half second.

Nothing here is captured market data: every number comes from ``random.Random(SEED)``, so
running the script again writes the same frames. Usage (from the repository root)::

    python tools/make_demo_recording.py            # rewrites the bundled file
    python tools/make_demo_recording.py out.jsonl.gz
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from pybotters.replay import Recorder

SEED = 20240101
DIFFS = 3000
LEVELS = 100
DURATION = 30.0
TICKER_EVERY = 0.5
START = 1704067200.0  # 2024-01-01T00:00:00Z
URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
PRODUCT = "BTC_JPY"
SNAPSHOT = f"lightning_board_snapshot_{PRODUCT}"
DIFF = f"lightning_board_{PRODUCT}"
TICKER = f"lightning_ticker_{PRODUCT}"
SEND = [
    {"method": "subscribe", "params": {"channel": SNAPSHOT}, "id": 1},
    {"method": "subscribe", "params": {"channel": DIFF}, "id": 2},
    {"method": "subscribe", "params": {"channel": TICKER}, "id": 3},
]
OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "packages/core/src/pybotters/cli/data/bitflyer-btcjpy.jsonl.gz"
)


class Book:
    """The generator's own book: price -> size per side."""

    def __init__(self, rng: random.Random, mid: float) -> None:
        self.rng = rng
        self.asks: dict[float, float] = {}
        self.bids: dict[float, float] = {}
        price = mid + 50
        for _ in range(LEVELS):
            self.asks[price] = self.size()
            price += rng.randint(1, 40) * 5
        price = mid - 50
        for _ in range(LEVELS):
            self.bids[price] = self.size()
            price -= rng.randint(1, 40) * 5
        self.ltp = mid
        self.volume = 3000.0
        self.tick_id = 1_000_000

    def size(self) -> float:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0])
        return round(rng.expovariate(1 / 0.15) + 0.001, 3)

    def best_ask(self) -> float:
        return min(self.asks)

    def best_bid(self) -> float:
        return max(self.bids)

    def mid(self) -> float:
        return (self.best_ask() + self.best_bid()) / 2

    def pick(self, side: dict[float, float], ascending: bool) -> float:
        """A level near the top, more often the closer it is."""
        prices = sorted(side, reverse=not ascending)
        index = min(int(self.rng.expovariate(1 / 12)), len(prices) - 1)
        return prices[index]

    def step(self) -> dict[str, list[dict[str, float]]]:
        """One random change; returns the levels it touched as a diff."""
        rng = self.rng
        asks: dict[float, float] = {}
        bids: dict[float, float] = {}
        event = rng.random()
        is_ask = rng.random() < 0.5
        side, out = (self.asks, asks) if is_ask else (self.bids, bids)
        if event < 0.45:  # a resting size changes
            price = self.pick(side, ascending=is_ask)
            side[price] = out[price] = self.size()
        elif event < 0.65:  # a new level, inside the spread when it is wide
            gap = self.best_ask() - self.best_bid()
            if gap > 10 and rng.random() < min(0.9, gap / 400):
                offset = rng.randint(1, int(gap // 5) - 1) * 5
                price = self.best_bid() + offset if not is_ask else self.best_ask() - offset
            else:
                top = self.best_ask() if is_ask else self.best_bid()
                distance = rng.randint(1, 200) * 5
                price = top + distance if is_ask else top - distance
            if price not in side and price not in (self.bids if is_ask else self.asks):
                side[price] = out[price] = self.size()
        elif event < 0.85:  # a level is cancelled
            if len(side) > LEVELS // 2:
                price = rng.choice(sorted(side))
                del side[price]
                out[price] = 0.0
        else:  # a trade eats (part of) the best level
            price = self.best_ask() if is_ask else self.best_bid()
            size = side[price]
            traded = round(min(size, rng.choice([0.01, 0.05, 0.1, size])), 3)
            remaining = round(size - traded, 3)
            if remaining <= 0 or len(side) > LEVELS * 1.2 or rng.random() < 0.5:
                traded = size
                del side[price]
                out[price] = 0.0
            else:
                side[price] = out[price] = remaining
            self.ltp = price
            self.volume = round(self.volume + traded, 8)
        # Keep about LEVELS levels a side: drop the deepest ones, add deep ones back.
        for book, diff, ascending in ((self.asks, asks, True), (self.bids, bids, False)):
            while len(book) > LEVELS * 1.2:
                worst = max(book) if ascending else min(book)
                del book[worst]
                diff[worst] = 0.0
            if len(book) < LEVELS * 0.8:
                deepest = max(book) if ascending else min(book)
                price = deepest + 5 * rng.randint(1, 20) * (1 if ascending else -1)
                book[price] = diff[price] = self.size()
        return {
            "bids": [{"price": p, "size": s} for p, s in bids.items()],
            "asks": [{"price": p, "size": s} for p, s in asks.items()],
        }

    def snapshot(self) -> dict[str, Any]:
        return {
            "mid_price": self.mid(),
            "bids": [{"price": p, "size": s} for p, s in sorted(self.bids.items(), reverse=True)],
            "asks": [{"price": p, "size": s} for p, s in sorted(self.asks.items())],
        }

    def ticker(self, t: float) -> dict[str, Any]:
        self.tick_id += self.rng.randint(1, 60)
        stamp = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
        return {
            "product_code": PRODUCT,
            "state": "RUNNING",
            "timestamp": stamp[:-3] + "Z",
            "tick_id": self.tick_id,
            "best_bid": self.best_bid(),
            "best_ask": self.best_ask(),
            "best_bid_size": self.bids[self.best_bid()],
            "best_ask_size": self.asks[self.best_ask()],
            "total_bid_depth": round(sum(self.bids.values()), 8),
            "total_ask_depth": round(sum(self.asks.values()), 8),
            "market_bid_size": 0.0,
            "market_ask_size": 0.0,
            "ltp": self.ltp,
            "volume": self.volume,
            "volume_by_product": round(self.volume * 0.8, 8),
        }


def channel_message(channel: str, message: Any) -> str:
    frame: dict[str, Any] = {"jsonrpc": "2.0", "method": "channelMessage"}
    frame["params"] = {"channel": channel, "message": message}
    return orjson.dumps(frame).decode()


def generate() -> tuple[list[tuple[float, str]], Book]:
    """Every frame of the recording, in order, as (receive time, text), and the final book."""
    rng = random.Random(SEED)
    book = Book(rng, 6_200_000.0)
    out: list[tuple[float, str]] = []
    t = START + 0.05
    for request in SEND:
        out.append(
            (
                round(t, 6),
                orjson.dumps({"jsonrpc": "2.0", "id": request["id"], "result": True}).decode(),
            )
        )
        t += 0.001
    t = START + 0.1
    out.append((round(t, 6), channel_message(SNAPSHOT, book.snapshot())))
    next_ticker = START + TICKER_EVERY
    gap = DURATION / DIFFS
    for _ in range(DIFFS):
        t += rng.expovariate(1 / gap)
        while next_ticker <= t:
            out.append((round(next_ticker, 6), channel_message(TICKER, book.ticker(next_ticker))))
            next_ticker += TICKER_EVERY
        asks: dict[float, float] = {}
        bids: dict[float, float] = {}
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            change = book.step()
            # One diff names each level once, with its size after all the changes.
            asks.update((level["price"], level["size"]) for level in change["asks"])
            bids.update((level["price"], level["size"]) for level in change["bids"])
        diff = {
            "mid_price": book.mid(),
            "bids": [{"price": p, "size": s} for p, s in bids.items()],
            "asks": [{"price": p, "size": s} for p, s in asks.items()],
        }
        out.append((round(t, 6), channel_message(DIFF, diff)))
    return out, book


def frames() -> list[tuple[float, str]]:
    """Every frame of the recording, in order, as (receive time, text)."""
    return generate()[0]


def write(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"created_by": f"tools/make_demo_recording.py (seed {SEED}); synthetic data"}
    with Recorder(
        path, url=URL, send=SEND, overwrite=True, meta=meta, started=START, sync_every=0
    ) as recorder:
        for t, text in frames():
            recorder.write_frame(t, "text", text)
        return recorder.frames


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else OUTPUT
    count = write(path)
    print(f"wrote {count} frames to {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
