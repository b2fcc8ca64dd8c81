"""The machine's limit: the same jobs written by hand with plain dicts, lists and bisect.

Each class does what the matching DataStore does for the user-visible result (the same item
dicts, the same top-of-book lists, the same integrity checks where ours has them) and nothing
more: no events, no change streams, no generality. It is what a careful bot author would write
for one exchange and one use, and bounds what a general library can reach in pure Python.
"""

from __future__ import annotations

import bisect
import collections
import zlib
from typing import Any

__all__ = ["LimitBitflyer", "LimitBook", "LimitBybitBook", "LimitKeyed", "LimitOkxBook"]

Item = dict[str, Any]


class LimitKeyed:
    """A keyed table: a dict from the tuple of key values to the item."""

    __slots__ = ("data",)

    def __init__(self) -> None:
        self.data: dict[tuple[Any, ...], Item] = {}

    def insert(self, item: Item) -> None:
        self.data[(item["symbol"], item["id"])] = item

    def update(self, item: Item) -> None:
        key = (item["symbol"], item["id"])
        current = self.data.get(key)
        if current is None:
            self.data[key] = item
        else:
            current.update(item)

    def get(self, item: Item) -> Item | None:
        return self.data.get((item["symbol"], item["id"]))

    def find_symbol(self, symbol: str) -> list[Item]:
        return [item for item in self.data.values() if item["symbol"] == symbol]

    def delete(self, item: Item) -> None:
        self.data.pop((item["symbol"], item["id"]), None)


class LimitBook:
    """Two sides, each a dict ``sort key -> item`` plus an ascending list of sort keys (the
    price for asks, minus the price for bids), kept sorted with ``bisect.insort``."""

    __slots__ = ("ask_keys", "asks", "bid_keys", "bids")

    def __init__(self) -> None:
        self.ask_keys: list[float] = []
        self.bid_keys: list[float] = []
        self.asks: dict[float, Item] = {}
        self.bids: dict[float, Item] = {}

    def clear(self) -> None:
        self.ask_keys.clear()
        self.bid_keys.clear()
        self.asks.clear()
        self.bids.clear()

    def set_ask(self, key: float, item: Item) -> None:
        if key not in self.asks:
            bisect.insort(self.ask_keys, key)
        self.asks[key] = item

    def set_bid(self, key: float, item: Item) -> None:
        if key not in self.bids:
            bisect.insort(self.bid_keys, key)
        self.bids[key] = item

    def remove_ask(self, key: float) -> None:
        if self.asks.pop(key, None) is not None:
            del self.ask_keys[bisect.bisect_left(self.ask_keys, key)]

    def remove_bid(self, key: float) -> None:
        if self.bids.pop(key, None) is not None:
            del self.bid_keys[bisect.bisect_left(self.bid_keys, key)]

    def sorted(self, limit: int) -> tuple[list[Item], list[Item]]:
        asks, bids = self.asks, self.bids
        return [asks[k] for k in self.ask_keys[:limit]], [bids[k] for k in self.bid_keys[:limit]]

    def __len__(self) -> int:
        return len(self.asks) + len(self.bids)


class LimitBitflyer:
    """bitFlyer board and executions: snapshot, diffs (``size 0`` deletes), pruning of the
    levels crossed by ``mid_price``, and a capped deque of executions. Messages are routed by
    a dict from channel name to a bound handler, filled on first sight of a channel."""

    __slots__ = ("board", "executions", "mid_price", "routes", "ticker")

    def __init__(self, cap: int = 99_999) -> None:
        self.board = LimitBook()
        self.mid_price: float = 0.0
        self.executions: collections.deque[Item] = collections.deque(maxlen=cap)
        self.ticker: dict[str, Item] = {}
        self.routes: dict[str, Any] = {}

    def onmessage(self, msg: Item) -> None:
        params = msg["params"]
        channel: str = params["channel"]
        route = self.routes.get(channel)
        if route is None:
            route = self.routes[channel] = self._route(channel)
        route(params["message"])

    def _route(self, channel: str) -> Any:
        if channel.startswith("lightning_board_snapshot_"):
            product = channel[25:]

            def snapshot(message: Item) -> None:
                self.board.clear()
                self._board(product, message)

            return snapshot
        if channel.startswith("lightning_board_"):
            product = channel[16:]
            return lambda message: self._board(product, message)
        if channel.startswith("lightning_executions_"):
            product = channel[21:]
            extend = self.executions.extend
            return lambda message: extend([{"product_code": product, **e} for e in message])
        if channel.startswith("lightning_ticker_"):
            return self._ticker
        return lambda message: None

    def _ticker(self, message: Item) -> None:
        current = self.ticker.get(message["product_code"])
        if current is None:
            self.ticker[message["product_code"]] = message
        else:
            current.update(message)

    def _board(self, product: str, message: Item) -> None:
        book = self.board
        for level in message["asks"]:
            price = level["price"]
            if level["size"]:
                book.set_ask(price, {"product_code": product, "side": "asks", **level})
            else:
                book.remove_ask(price)
        for level in message["bids"]:
            price = level["price"]
            if level["size"]:
                book.set_bid(-price, {"product_code": product, "side": "bids", **level})
            else:
                book.remove_bid(-price)
        mid = message["mid_price"]
        self.mid_price = mid
        keys = book.bid_keys
        if keys and -keys[0] > mid:
            cut = bisect.bisect_left(keys, -mid)
            for key in keys[:cut]:
                del book.bids[key]
            del keys[:cut]
        keys = book.ask_keys
        if keys and keys[0] <= mid:
            cut = bisect.bisect_right(keys, mid)
            for key in keys[:cut]:
                del book.asks[key]
            del keys[:cut]


class LimitBybitBook:
    """Bybit ``orderbook.N``: snapshot resets, deltas upsert or delete (``"0"``), and ``u``
    must follow the previous one (a gap is counted as a break)."""

    __slots__ = ("book", "breaks", "u")

    def __init__(self) -> None:
        self.book = LimitBook()
        self.u = 0
        self.breaks = 0

    def onmessage(self, msg: Item) -> None:
        data = msg["data"]
        symbol = data["s"]
        book = self.book
        if msg["type"] == "snapshot":
            book.clear()
        elif data["u"] != self.u + 1:
            self.breaks += 1
        self.u = data["u"]
        for price, size in data["a"]:
            key = float(price)
            if size == "0":
                book.remove_ask(key)
            else:
                book.set_ask(key, {"s": symbol, "S": "a", "p": price, "v": size})
        for price, size in data["b"]:
            key = -float(price)
            if size == "0":
                book.remove_bid(key)
            else:
                book.set_bid(key, {"s": symbol, "S": "b", "p": price, "v": size})


class LimitOkxBook:
    """OKX ``books``: snapshot resets, updates must chain ``prevSeqId`` to the last ``seqId``,
    and, when ``verify_checksum`` is set, the CRC32 of the top 25 levels is compared."""

    __slots__ = ("book", "breaks", "seq", "verify_checksum")

    def __init__(self, verify_checksum: bool) -> None:
        self.book = LimitBook()
        self.seq = -1
        self.breaks = 0
        self.verify_checksum = verify_checksum

    def onmessage(self, msg: Item) -> None:
        inst = msg["arg"]["instId"]
        book = self.book
        for data in msg["data"]:
            if msg.get("action") == "update":
                if data["prevSeqId"] != self.seq:
                    self.breaks += 1
            else:
                book.clear()
            self.seq = data["seqId"]
            for row in data["asks"]:
                key = float(row[0])
                if row[1] == "0":
                    book.remove_ask(key)
                else:
                    book.set_ask(
                        key,
                        {"instId": inst, "side": "asks", "px": row[0], "sz": row[1],
                         "liqSz": row[2], "ordSz": row[3]},
                    )  # fmt: skip
            for row in data["bids"]:
                key = -float(row[0])
                if row[1] == "0":
                    book.remove_bid(key)
                else:
                    book.set_bid(
                        key,
                        {"instId": inst, "side": "bids", "px": row[0], "sz": row[1],
                         "liqSz": row[2], "ordSz": row[3]},
                    )  # fmt: skip
            checksum = data.get("checksum")
            if self.verify_checksum and checksum and self._crc() != checksum:
                self.breaks += 1

    def _crc(self) -> int:
        book = self.book
        asks = [book.asks[k] for k in book.ask_keys[:25]]
        bids = [book.bids[k] for k in book.bid_keys[:25]]
        parts: list[str] = []
        for i in range(25):
            if i < len(bids):
                parts.append(bids[i]["px"] + ":" + bids[i]["sz"])
            if i < len(asks):
                parts.append(asks[i]["px"] + ":" + asks[i]["sz"])
        crc = zlib.crc32(":".join(parts).encode())
        return crc - 0x1_0000_0000 if crc >= 0x8000_0000 else crc
