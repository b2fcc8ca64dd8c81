"""The live view of a DataStoreCollection: order books and tickers, as text.

:class:`StoreView` renders the collection (best levels of every order book, the latest
ticker); :class:`Screen` shows renderings either redrawn in place on a terminal (ANSI: cursor
home, clear) or as plain-text snapshots when the output is a file or a pipe.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..store import DataStore, OrderBookStore

if TYPE_CHECKING:
    from ..store import DataStoreCollection

__all__ = ["Screen", "StoreView"]

TICKER_STORES = ("ticker", "tickers")
_SIZE_FIELDS = ("size", "sz", "v", "qty", "quantity", "amount", "volume")
_SYMBOL_FIELDS = ("product_code", "symbol", "instId", "s")
_TICKER_FIRST = (
    "ltp",
    "last",
    "lastPrice",
    "last_price",
    "best_bid",
    "best_ask",
    "bid1Price",
    "ask1Price",
    "bidPx",
    "askPx",
    "markPrice",
    "volume",
    "volume24h",
    "vol24h",
)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return str(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class StoreView:
    """Render the order books and tickers of ``collection`` as lines of text.

    :param depth: how many levels of each side to show per symbol.
    :param title: the first line's label (e.g. the collection's name and URL).
    """

    __slots__ = ("collection", "depth", "title")

    def __init__(self, collection: DataStoreCollection, *, depth: int = 10, title: str = ""):
        self.collection = collection
        self.depth = depth
        self.title = title or type(collection).__name__

    def stores(self) -> list[tuple[str, DataStore]]:
        collection = self.collection
        return [(name, collection[name]) for name in collection]

    def render(self, status: str = "") -> list[str]:
        """The view as lines: a title line, each book (best ``depth`` levels), tickers."""
        lines = [self.title]
        if status:
            lines.append(status)
        books = 0
        for name, store in self.stores():
            if isinstance(store, OrderBookStore) and len(store):
                for symbol in store.symbols():
                    lines.append("")
                    lines.extend(self._book(name, store, symbol))
                    books += 1
        tickers = [
            line
            for name, store in self.stores()
            if name in TICKER_STORES
            for line in self._ticker(name, store)
        ]
        if tickers:
            lines.append("")
            lines.extend(tickers)
        if not books and not tickers:
            lines.append("")
            lines.append("(no order book or ticker data yet)")
        return lines

    def sizes(self) -> str:
        """``store sizes: board 196, ticker 1, ...`` for every store of the collection."""
        parts = [f"{name} {len(store):,}" for name, store in self.stores()]
        return "store sizes: " + (", ".join(parts) if parts else "(no stores)")

    def _book(self, name: str, store: OrderBookStore, symbol: Hashable) -> list[str]:
        ask_key, bid_key = store._SORTED_KEYS
        book = store.sorted({store._BOOK_SYMBOL: symbol}, limit=self.depth)
        asks = book[ask_key]
        bids = book[bid_key]
        price_field = store._BOOK_PRICE
        known = {store._BOOK_SYMBOL, store._BOOK_SIDE, price_field}
        size_field = _size_field(store, asks or bids, known)
        rows: list[tuple[str, str, str]] = []
        for item in reversed(asks):
            rows.append(("ask", _text(item.get(price_field)), _text(item.get(size_field, ""))))
        for item in bids:
            rows.append(("bid", _text(item.get(price_field)), _text(item.get(size_field, ""))))
        width_price = max([len("price"), *(len(r[1]) for r in rows)])
        width_size = max([len(size_field or "size"), *(len(r[2]) for r in rows)])
        header = f"{name} {symbol}  (top {self.depth} of each side)"
        lines = [
            header,
            f"  side  {'price':>{width_price}}  {(size_field or 'size'):>{width_size}}",
        ]
        split = len(asks)
        for index, (side, price, size) in enumerate(rows):
            if index == split:
                lines.append(_spread_line(asks, bids, price_field))
            lines.append(f"  {side:<4}  {price:>{width_price}}  {size:>{width_size}}")
        if split == len(rows):
            lines.append(_spread_line(asks, bids, price_field))
        return lines

    def _ticker(self, name: str, store: DataStore) -> list[str]:
        latest = next(reversed(store), None)
        if latest is None:
            return []
        symbol = next((latest[f] for f in _SYMBOL_FIELDS if f in latest), None)
        label = f"{name} {symbol}" if symbol is not None else name
        ordered = [f for f in _TICKER_FIRST if f in latest]
        ordered += [f for f in latest if f not in ordered and f not in _SYMBOL_FIELDS]
        fields = [
            f"{field}={_text(latest[field])}"
            for field in ordered
            if latest[field] is not None and not isinstance(latest[field], (dict, list))
        ]
        return [f"{label}: " + "  ".join(fields)]


def _size_field(store: OrderBookStore, sample: Sequence[dict[str, Any]], known: set[str]) -> str:
    declared = getattr(store, "_BOOK_SIZE", None)
    if isinstance(declared, str):
        return declared
    if not sample:
        return ""
    item = sample[0]
    for name in _SIZE_FIELDS:
        if name in item and name not in known:
            return name
    return next((f for f in item if f not in known), "")


def _spread_line(asks: list[dict[str, Any]], bids: list[dict[str, Any]], price: str) -> str:
    best_ask = _number(asks[0].get(price)) if asks else None
    best_bid = _number(bids[0].get(price)) if bids else None
    if best_ask is None or best_bid is None:
        return "  ----  (one side is empty)"
    spread = best_ask - best_bid
    mid = (best_ask + best_bid) / 2
    return f"  ----  spread {spread:,.10g}  mid {mid:,.10g}"


class Screen:
    """Shows renderings on ``stream``: in place on a terminal, as snapshots otherwise.

    :param live: redraw in place (ANSI); default: when ``stream`` is a terminal.
    """

    __slots__ = ("_drawn", "live", "stream")

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = bool(isatty and isatty())
        self.live = live
        self._drawn = False

    def show(self, lines: list[str]) -> None:
        """Draw ``lines``: replace the previous drawing (live) or print a snapshot."""
        stream = self.stream
        if self.live:
            columns, rows = shutil.get_terminal_size()
            shown = [line[:columns] for line in lines[: max(rows - 1, 1)]]
            prefix = "\x1b[?25l\x1b[2J\x1b[H" if not self._drawn else "\x1b[H"
            stream.write(prefix + "".join(line + "\x1b[K\n" for line in shown) + "\x1b[J")
        else:
            stream.write("\n".join(lines) + "\n\n")
        stream.flush()
        self._drawn = True

    def finish(self, lines: list[str]) -> None:
        """Draw the final state; on a terminal, leave it on screen and show the cursor."""
        stream = self.stream
        if self.live:
            self.show(lines)
            stream.write("\x1b[?25h")
            stream.flush()
        else:
            stream.write("\n".join(lines) + "\n")
            stream.flush()

    def restore(self) -> None:
        """Show the cursor again (after an interruption)."""
        if self.live and self._drawn:
            self.stream.write("\x1b[?25h")
            self.stream.flush()
