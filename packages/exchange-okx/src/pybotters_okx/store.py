"""``OKXDataStore``: in-memory tables fed by OKX v5 WebSocket pushes and REST responses.

Store names, keys and item fields are those of pybotters 1.11, so existing bots keep working.
The order book goes further than pybotters 1.11: it follows the ``seqId``/``prevSeqId`` chain,
checks the CRC32 ``checksum`` when OKX fills it in, and rebuilds a broken book from a fresh
snapshot (see :class:`Books`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from typing import TYPE_CHECKING, Any, ClassVar

from pybotters.store import (
    DataStore,
    DataStoreCollection,
    DataStoreInitializeError,
    OrderBookStore,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import aiohttp

__all__ = [
    "Account",
    "AccountGreeks",
    "AlgoAdvance",
    "BalanceAndPosition",
    "Books",
    "Candle",
    "EstimatedPrice",
    "FundingRate",
    "IndexCandle",
    "IndexTickers",
    "Instruments",
    "LiquidationWarning",
    "MarkPrice",
    "MarkPriceCandle",
    "OKXDataStore",
    "OpenInterest",
    "OptSummary",
    "Orders",
    "OrdersAlgo",
    "Positions",
    "PriceLimit",
    "Status",
    "Tickers",
    "Trades",
    "okx_checksum",
]

logger = logging.getLogger("pybotters.okx")

Item = dict[str, Any]
Message = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Base behaviours
# --------------------------------------------------------------------------------------------


def _records(data: Any) -> list[Item]:
    """``data`` if it is a list of objects; TypeError (the message is dropped) otherwise."""
    if type(data) is list and all(type(item) is dict for item in data):
        return data
    raise TypeError(f"expected a list of objects, got {data!r:.60}")


class _InsertStore(DataStore):
    """Keyless, append-only (capped at ``_MAXLEN``): trades, status."""

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        self._insert(_records(msg["data"]))


class _UpdateStore(DataStore):
    """Keyed on ``instId`` (unless overridden); every push is merged into the stored item."""

    _KEYS: ClassVar[list[str]] = ["instId"]

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        self._update(msg["data"])


class _CandleStore(DataStore):
    """Candlesticks keyed on ``channel, instId, ts``; each row is zipped with ``_LIST_KEYS``."""

    _KEYS: ClassVar[list[str]] = ["channel", "instId", "ts"]
    _LIST_KEYS: ClassVar[tuple[str, ...]] = ("ts", "o", "h", "l", "c", "confirm")

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        arg = msg["arg"]
        self._update(
            [{**arg, **dict(zip(self._LIST_KEYS, row, strict=False))} for row in msg["data"]]
        )

    def _onresponse_rows(self, channel: str, inst_id: str, rows: list[list[str]]) -> None:
        # REST answers newest first; store them oldest first, as the stream would have.
        self._update(
            [
                {
                    "channel": channel,
                    "instId": inst_id,
                    **dict(zip(self._LIST_KEYS, row, strict=False)),
                }
                for row in reversed(rows)
            ]
        )


# --------------------------------------------------------------------------------------------
# Public channels
# --------------------------------------------------------------------------------------------


class Instruments(_UpdateStore):
    """``instruments`` channel / ``GET /api/v5/public/instruments``; key ``instId``."""


class Tickers(_UpdateStore):
    """``tickers`` channel / ``GET /api/v5/market/tickers`` and ``ticker``; key ``instId``."""


class OpenInterest(_UpdateStore):
    """``open-interest`` channel / ``GET /api/v5/public/open-interest``; key ``instId``."""


class Candle(_CandleStore):
    """``candle{bar}`` channels / ``GET /api/v5/market/candles``; key ``channel, instId, ts``.

    Fields: ``channel, instId, ts, o, h, l, c, vol, volCcy`` (as pybotters 1.11), plus
    ``volCcyQuote`` and ``confirm`` when OKX sends them.
    """

    _LIST_KEYS: ClassVar[tuple[str, ...]] = (
        "ts",
        "o",
        "h",
        "l",
        "c",
        "vol",
        "volCcy",
        "volCcyQuote",
        "confirm",
    )


class Trades(_InsertStore):
    """``trades`` channel / ``GET /api/v5/market/trades``; keyless, newest last."""


class EstimatedPrice(_UpdateStore):
    """``estimated-price`` channel / ``GET /api/v5/public/estimated-price``; key ``instId``."""


class MarkPrice(_UpdateStore):
    """``mark-price`` channel / ``GET /api/v5/public/mark-price``; key ``instId``."""


class MarkPriceCandle(_CandleStore):
    """``mark-price-candle{bar}`` channels / ``GET /api/v5/market/mark-price-candles``.

    Key ``channel, instId, ts``; fields ``ts, o, h, l, c`` (plus ``confirm`` when sent).
    """


class PriceLimit(_UpdateStore):
    """``price-limit`` channel / ``GET /api/v5/public/price-limit``; key ``instId``."""


class OptSummary(_UpdateStore):
    """``opt-summary`` channel / ``GET /api/v5/public/opt-summary``; key ``instId``."""


class FundingRate(_UpdateStore):
    """``funding-rate`` channel / ``GET /api/v5/public/funding-rate``; key ``instId``."""


class IndexCandle(_CandleStore):
    """``index-candle{bar}`` channels / ``GET /api/v5/market/index-candles``.

    Key ``channel, instId, ts``; fields ``ts, o, h, l, c`` (plus ``confirm`` when sent).
    """


class IndexTickers(_UpdateStore):
    """``index-tickers`` channel / ``GET /api/v5/market/index-tickers``; key ``instId``."""


class Status(_InsertStore):
    """``status`` channel / ``GET /api/v5/system/status``; keyless."""


# --------------------------------------------------------------------------------------------
# Order book
# --------------------------------------------------------------------------------------------

CHECKSUM_DEPTH = 25


def okx_checksum(bids: list[Item], asks: list[Item]) -> int:
    """OKX's CRC32 book checksum of the given (best-first) levels, as a signed int32.

    Takes up to 25 levels a side, interleaves ``bid px:sz`` and ``ask px:sz`` (going on with the
    longer side), joins everything with ``:`` and uses the original price/size strings.
    """
    parts: list[str] = []
    append = parts.append
    nb = min(len(bids), CHECKSUM_DEPTH)
    na = min(len(asks), CHECKSUM_DEPTH)
    for i in range(max(nb, na)):
        if i < nb:
            bid = bids[i]
            append(bid["px"])
            append(bid["sz"])
        if i < na:
            ask = asks[i]
            append(ask["px"])
            append(ask["sz"])
    value = zlib.crc32(":".join(parts).encode())
    return value - 0x100000000 if value >= 0x80000000 else value


class Books(OrderBookStore):
    """Order books of ``books``, ``books5``, ``books-l2-tbt``, ``books50-l2-tbt`` and ``bbo-tbt``.

    Key ``instId, side, px``; fields ``instId, side ("asks"|"bids"), px, sz, liqSz, ordSz`` with
    the strings exactly as OKX sent them. ``sorted(query, limit)`` returns
    ``{"asks": [...ascending px], "bids": [...descending px]}``.

    Integrity (per instrument):

    - ``action: "snapshot"`` replaces the instrument's book; pushes without ``action``
      (``books5``, ``bbo-tbt``) are full top-N books and replace it too.
    - An ``update`` is applied only when its ``prevSeqId`` equals the ``seqId`` of the last
      message applied (ids do not step by 1; an empty update may repeat the ``seqId``; after a
      maintenance the ``seqId`` may restart lower: the chain, not the order, decides).
    - When :attr:`verify_checksum` is true and ``checksum`` is non-zero, the CRC32 of the top 25
      levels is compared with it. Since 2026 OKX always sends ``0``, which is never checked.
    - On a break (gap or checksum mismatch) the instrument's book is cleared, a WARNING is
      logged, further updates are dropped until a new snapshot, and the channel is unsubscribed
      and subscribed again on the connection the message came from, so that OKX sends one.
    """

    _KEYS: ClassVar[list[str]] = ["instId", "side", "px"]
    _BOOK_SYMBOL = "instId"
    _BOOK_SIDE = "side"
    _BOOK_PRICE = "px"
    _BOOK_ASK = "asks"
    _BOOK_BID = "bids"
    _SORTED_KEYS = ("asks", "bids")
    _LIST_KEYS: ClassVar[tuple[str, ...]] = ("px", "sz", "liqSz", "ordSz")

    verify_checksum: bool = True
    """Compare non-zero ``checksum`` fields with the local book (set on the class or instance)."""

    def __init__(
        self,
        name: str | None = None,
        keys: list[str] | None = None,
        data: list[Item] | None = None,
    ) -> None:
        super().__init__(name, keys, data)
        self.checksum: dict[str, int] = {}
        """The last ``checksum`` OKX sent, by ``instId`` (as pybotters 1.11)."""
        self.ts: str | None = None
        """The ``ts`` of the last book message (as pybotters 1.11)."""
        self.seq_id: dict[str, int] = {}
        """The ``seqId`` of the last message applied, by ``instId``."""
        self.resyncs: int = 0
        """How many times a book was found broken and rebuilt."""
        self._awaiting: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def is_synced(self, inst_id: str) -> bool:
        """False while the book of ``inst_id`` waits for a fresh snapshot after a break."""
        return inst_id not in self._awaiting

    # -- message handling --------------------------------------------------------------------

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        try:
            self._apply(msg, ws)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self._malformed(msg, ws, exc)

    def _apply(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        arg = msg["arg"]
        inst_id: str = arg["instId"]
        action = msg.get("action")
        for book in msg["data"]:
            if action == "update":
                if not self._on_update(inst_id, arg, book, ws):
                    return
            else:
                self._on_snapshot(inst_id, book)
            if not self._checksum_ok(inst_id, arg, book, ws):
                return
            self.ts = book.get("ts", self.ts)

    def _levels(self, inst_id: str, book: Message) -> tuple[list[Item], list[Item]]:
        upserts: list[Item] = []
        deletes: list[Item] = []
        keys = self._LIST_KEYS
        for side in ("asks", "bids"):
            for level in book.get(side, ()):
                if type(level) is not list:
                    raise ValueError(f"level {level!r:.80} is not [px, sz, ...]")
                if len(level) == 4:
                    item = {
                        "instId": inst_id,
                        "side": side,
                        "px": level[0],
                        "sz": level[1],
                        "liqSz": level[2],
                        "ordSz": level[3],
                    }
                else:
                    item = {"instId": inst_id, "side": side, **dict(zip(keys, level, strict=False))}
                # Types only: parsing every string would cost more than the update itself; a
                # new price is parsed by the book, which refuses one that is not finite.
                size = item["sz"]
                if size == "0":
                    deletes.append(item)
                elif type(size) is str and type(item["px"]) is str and size and item["px"]:
                    upserts.append(item)
                else:
                    raise ValueError(f"level {level!r:.80} is not [px, sz, ...]")
        return upserts, deletes

    def _on_snapshot(self, inst_id: str, book: Message) -> None:
        upserts, _ = self._levels(inst_id, book)
        self._clear_book(inst_id)
        self._insert(upserts)
        self._awaiting.discard(inst_id)
        seq = book.get("seqId")
        if seq is None:
            self.seq_id.pop(inst_id, None)
        else:
            self.seq_id[inst_id] = seq

    def _on_update(
        self,
        inst_id: str,
        arg: Message,
        book: Message,
        ws: aiohttp.ClientWebSocketResponse | None,
    ) -> bool:
        if inst_id in self._awaiting:
            return False
        prev = book.get("prevSeqId")
        seq = book.get("seqId")
        if prev is not None:
            last = self.seq_id.get(inst_id)
            if last is None or prev != last:
                what = "an update before any snapshot" if last is None else "a sequence gap"
                self._broken(
                    inst_id,
                    arg,
                    ws,
                    f"{what} (last seqId {last}, update prevSeqId {prev}, seqId {seq})",
                )
                return False
        upserts, deletes = self._levels(inst_id, book)
        if deletes:
            self._delete(deletes)
        if upserts:
            self._update(upserts)
        if seq is not None:
            self.seq_id[inst_id] = seq
        return True

    def _checksum_ok(
        self,
        inst_id: str,
        arg: Message,
        book: Message,
        ws: aiohttp.ClientWebSocketResponse | None,
    ) -> bool:
        expected = book.get("checksum")
        if expected is None:
            return True
        self.checksum[inst_id] = expected
        if not expected or not self.verify_checksum:
            return True
        top = self.sorted({"instId": inst_id}, limit=CHECKSUM_DEPTH)
        computed = okx_checksum(top["bids"], top["asks"])
        if computed == int(expected):
            return True
        self._broken(
            inst_id,
            arg,
            ws,
            f"a checksum mismatch (OKX {expected}, local {computed}, seqId {book.get('seqId')})",
        )
        return False

    # -- recovery ----------------------------------------------------------------------------

    def _malformed(
        self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None, exc: Exception
    ) -> None:
        """A message that cannot be applied: its instrument's book has lost an update."""
        reason = f"a malformed message was dropped ({type(exc).__name__}: {exc})"
        arg = msg.get("arg") if isinstance(msg, dict) else None
        inst_id = arg.get("instId") if isinstance(arg, dict) else None
        if isinstance(arg, dict) and isinstance(inst_id, str) and inst_id not in self._awaiting:
            self._broken(inst_id, arg, ws, reason)  # rebuilt from a fresh snapshot
        else:
            logger.warning("OKX book %.60s: %s: %.200r", inst_id, reason, msg)

    def _clear_book(self, inst_id: str) -> None:
        self._clear_symbol(inst_id)

    def _broken(
        self,
        inst_id: str,
        arg: Message,
        ws: aiohttp.ClientWebSocketResponse | None,
        reason: str,
    ) -> None:
        channel = arg.get("channel")
        self._clear_book(inst_id)
        self.seq_id.pop(inst_id, None)
        self._awaiting.add(inst_id)
        self.resyncs += 1
        if ws is None:
            logger.warning(
                "OKX %s %s: %s; the book was cleared and waits for the next snapshot "
                "(no connection to resubscribe on)",
                channel,
                inst_id,
                reason,
            )
            return
        logger.warning(
            "OKX %s %s: %s; the book was cleared and the channel is resubscribed",
            channel,
            inst_id,
            reason,
        )
        subscription = {"channel": channel, "instId": inst_id}
        task = asyncio.get_running_loop().create_task(self._resubscribe(ws, subscription))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _resubscribe(ws: aiohttp.ClientWebSocketResponse, arg: Message) -> None:
        try:
            await ws.send_str(json.dumps({"op": "unsubscribe", "args": [arg]}))
            await ws.send_str(json.dumps({"op": "subscribe", "args": [arg]}))
        except Exception as exc:  # the connection may be gone; the reconnect heals it
            logger.warning(
                "OKX %s %s: the resubscription could not be sent (%s: %s); the book is rebuilt "
                "from the snapshot sent after the next reconnect",
                arg.get("channel"),
                arg.get("instId"),
                type(exc).__name__,
                exc,
            )


# --------------------------------------------------------------------------------------------
# Private channels
# --------------------------------------------------------------------------------------------


class Account(DataStore):
    """``account`` channel / ``GET /api/v5/account/balance``: each push replaces the store."""

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        self._replace(_records(msg["data"]))  # checked before the store is cleared

    def _replace(self, data: list[Item]) -> None:
        self._clear()
        self._insert(data)


class Positions(_UpdateStore):
    """``positions`` channel / ``GET /api/v5/account/positions``.

    Key ``instId, mgnMode, posSide``.
    """

    _KEYS: ClassVar[list[str]] = ["instId", "mgnMode", "posSide"]


class _AndBalance(DataStore):
    _KEYS: ClassVar[list[str]] = ["ccy"]


class _AndPosition(DataStore):
    _KEYS: ClassVar[list[str]] = ["instId", "mgnMode", "posSide"]


class BalanceAndPosition(DataStore):
    """``balance_and_position`` channel: every push is appended (keyless).

    ``.balance`` (key ``ccy``) holds the latest ``balData`` items and ``.position`` (key
    ``instId, mgnMode, posSide``) the latest ``posData`` items.
    """

    def __init__(
        self,
        name: str | None = None,
        keys: list[str] | None = None,
        data: list[Item] | None = None,
    ) -> None:
        super().__init__(name, keys, data)
        self.balance = _AndBalance()
        self.position = _AndPosition()

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        data = _records(msg["data"])
        self._insert(data)
        for item in data:
            self.balance._update(item.get("balData", []))
            self.position._update(item.get("posData", []))


class Orders(DataStore):
    """``orders`` channel / ``GET /api/v5/trade/orders-pending``; key ``ordId``.

    Only ``live`` and ``partially_filled`` orders are kept; filled and canceled ones are removed.
    """

    _KEYS: ClassVar[list[str]] = ["ordId"]
    _LIVE: ClassVar[frozenset[str]] = frozenset({"live", "partially_filled"})

    def _onmessage(self, msg: Message, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        live = self._LIVE
        for item in msg["data"]:
            if item.get("state") in live:
                self._update([item])
            else:
                self._delete([item])

    def _onresponse_items(self, data: list[Item]) -> None:
        self._update(data)


class OrdersAlgo(Orders):
    """``orders-algo`` channel / ``GET /api/v5/trade/orders-algo-pending``; key ``algoId``.

    Keeps ``live`` and ``order_failed`` algo orders of type conditional, oco and trigger.
    """

    _KEYS: ClassVar[list[str]] = ["algoId"]
    _LIVE: ClassVar[frozenset[str]] = frozenset({"live", "order_failed"})
    _ORD_TYPES: ClassVar[frozenset[str]] = frozenset({"conditional", "oco", "trigger"})

    def _onresponse_items(self, data: list[Item]) -> None:
        types = self._ORD_TYPES
        self._update([item for item in data if item.get("ordType") in types])


class AlgoAdvance(OrdersAlgo):
    """``algo-advance`` channel / ``GET /api/v5/trade/orders-algo-pending``; key ``algoId``.

    Keeps ``live`` and ``partially_filled`` orders of type iceberg, twap and move_order_stop.
    """

    _LIVE: ClassVar[frozenset[str]] = frozenset({"live", "partially_filled"})
    _ORD_TYPES: ClassVar[frozenset[str]] = frozenset({"iceberg", "twap", "move_order_stop"})


class LiquidationWarning(_UpdateStore):
    """``liquidation-warning`` channel; key ``instId``."""


class AccountGreeks(_UpdateStore):
    """``account-greeks`` channel / ``GET /api/v5/account/greeks``; key ``ccy``."""

    _KEYS: ClassVar[list[str]] = ["ccy"]


# --------------------------------------------------------------------------------------------
# The collection
# --------------------------------------------------------------------------------------------

_STORES: dict[str, type[DataStore]] = {
    "instruments": Instruments,
    "tickers": Tickers,
    "open-interest": OpenInterest,
    "candle": Candle,
    "trades": Trades,
    "estimated-price": EstimatedPrice,
    "mark-price": MarkPrice,
    "mark-price-candle": MarkPriceCandle,
    "price-limit": PriceLimit,
    "books": Books,
    "opt-summary": OptSummary,
    "funding-rate": FundingRate,
    "index-candle": IndexCandle,
    "index-tickers": IndexTickers,
    "status": Status,
    "account": Account,
    "positions": Positions,
    "balance_and_position": BalanceAndPosition,
    "orders": Orders,
    "orders-algo": OrdersAlgo,
    "algo-advance": AlgoAdvance,
    "liquidation-warning": LiquidationWarning,
    "account-greeks": AccountGreeks,
}


def _store_name(channel: str) -> str:
    """The store a channel feeds: ``candle1m`` -> ``candle``, ``books5`` -> ``books`` ..."""
    if channel.startswith("mark-price-candle"):
        return "mark-price-candle"
    if channel.startswith("index-candle"):
        return "index-candle"
    if channel.startswith("candle"):
        return "candle"
    if channel.startswith("books") or channel == "bbo-tbt":
        return "books"
    return channel


class OKXDataStore(DataStoreCollection):
    """The DataStoreCollection of OKX v5 (``pybotters.OKXDataStore``).

    Pass :meth:`onmessage` as ``hdlr_json`` of ``Client.ws_connect``; load initial state with
    ``await store.initialize(client.get(...), ...)`` (see :meth:`initialize` for endpoints).
    """

    def _init(self) -> None:
        for name, cls in _STORES.items():
            self._create(name, datastore_class=cls)
        self._routes: dict[Any, DataStore | None] = {}

    # -- WebSocket ---------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None = None) -> None:
        if not isinstance(msg, dict):
            return
        arg = msg.get("arg")
        if arg is None or "data" not in msg:
            if msg.get("event") in ("error", "notice"):
                logger.warning(
                    "OKX %s: code %s %s", msg.get("event"), msg.get("code"), msg.get("msg")
                )
            return
        try:
            channel = arg.get("channel")
            try:
                store = self._routes[channel]
            except KeyError:
                store = self._stores.get(_store_name(channel)) if isinstance(channel, str) else None
                self._routes[channel] = store
            if store is not None:
                store._onmessage(msg, ws)  # type: ignore[attr-defined]
        except Exception as exc:  # one bad message is dropped; the stream goes on
            logger.warning(
                "OKX %.100r: a malformed message was dropped (%s: %s): %.200r",
                arg,
                type(exc).__name__,
                exc,
                msg,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )

    # -- REST --------------------------------------------------------------------------------

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Any) -> None:
        path = resp.url.path
        handler = self._RESPONSE_HANDLERS.get(path)
        if handler is None:
            raise DataStoreInitializeError(
                f"OKXDataStore.initialize() does not support {resp.method} {path}; supported "
                "endpoints (GET): " + ", ".join(sorted(self._RESPONSE_HANDLERS))
            )
        if not isinstance(data, dict) or str(data.get("code")) != "0":
            code = data.get("code") if isinstance(data, dict) else None
            msg = data.get("msg") if isinstance(data, dict) else None
            raise DataStoreInitializeError(
                f"OKXDataStore.initialize(): {path} answered code {code!r} {msg!r} (HTTP "
                f"{resp.status}); the store was not loaded from it. Check the request "
                "parameters and credentials"
            )
        handler(self, resp, data.get("data") or [])

    _RESPONSE_HANDLERS: ClassVar[dict[str, Callable[[OKXDataStore, Any, list[Item]], None]]] = {}

    # -- stores ------------------------------------------------------------------------------

    @property
    def instruments(self) -> Instruments:
        """``instruments`` channel; key ``instId``."""
        return self["instruments"]  # type: ignore[return-value]

    @property
    def tickers(self) -> Tickers:
        """``tickers`` channel; key ``instId``."""
        return self["tickers"]  # type: ignore[return-value]

    @property
    def openinterest(self) -> OpenInterest:
        """``open-interest`` channel; key ``instId``."""
        return self["open-interest"]  # type: ignore[return-value]

    @property
    def candle(self) -> Candle:
        """``candle{bar}`` channels; key ``channel, instId, ts``."""
        return self["candle"]  # type: ignore[return-value]

    @property
    def trades(self) -> Trades:
        """``trades`` channel; keyless."""
        return self["trades"]  # type: ignore[return-value]

    @property
    def estimatedprice(self) -> EstimatedPrice:
        """``estimated-price`` channel; key ``instId``."""
        return self["estimated-price"]  # type: ignore[return-value]

    @property
    def markprice(self) -> MarkPrice:
        """``mark-price`` channel; key ``instId``."""
        return self["mark-price"]  # type: ignore[return-value]

    @property
    def markpricecandle(self) -> MarkPriceCandle:
        """``mark-price-candle{bar}`` channels; key ``channel, instId, ts``."""
        return self["mark-price-candle"]  # type: ignore[return-value]

    @property
    def pricelimit(self) -> PriceLimit:
        """``price-limit`` channel; key ``instId``."""
        return self["price-limit"]  # type: ignore[return-value]

    @property
    def books(self) -> Books:
        """``books``, ``books5``, ``books-l2-tbt``, ``books50-l2-tbt``, ``bbo-tbt`` channels."""
        return self["books"]  # type: ignore[return-value]

    @property
    def optsummary(self) -> OptSummary:
        """``opt-summary`` channel; key ``instId``."""
        return self["opt-summary"]  # type: ignore[return-value]

    @property
    def fundingrate(self) -> FundingRate:
        """``funding-rate`` channel; key ``instId``."""
        return self["funding-rate"]  # type: ignore[return-value]

    @property
    def indexcandle(self) -> IndexCandle:
        """``index-candle{bar}`` channels; key ``channel, instId, ts``."""
        return self["index-candle"]  # type: ignore[return-value]

    @property
    def indextickers(self) -> IndexTickers:
        """``index-tickers`` channel; key ``instId``."""
        return self["index-tickers"]  # type: ignore[return-value]

    @property
    def status(self) -> Status:
        """``status`` channel; keyless."""
        return self["status"]  # type: ignore[return-value]

    @property
    def account(self) -> Account:
        """``account`` channel; replaced on every push."""
        return self["account"]  # type: ignore[return-value]

    @property
    def positions(self) -> Positions:
        """``positions`` channel; key ``instId, mgnMode, posSide``."""
        return self["positions"]  # type: ignore[return-value]

    @property
    def balance_and_position(self) -> BalanceAndPosition:
        """``balance_and_position`` channel; see ``.balance`` and ``.position``."""
        return self["balance_and_position"]  # type: ignore[return-value]

    @property
    def orders(self) -> Orders:
        """``orders`` channel; only live and partially filled orders; key ``ordId``."""
        return self["orders"]  # type: ignore[return-value]

    @property
    def ordersalgo(self) -> OrdersAlgo:
        """``orders-algo`` channel; key ``algoId``."""
        return self["orders-algo"]  # type: ignore[return-value]

    @property
    def algoadvance(self) -> AlgoAdvance:
        """``algo-advance`` channel; key ``algoId``."""
        return self["algo-advance"]  # type: ignore[return-value]

    @property
    def liquidationwarning(self) -> LiquidationWarning:
        """``liquidation-warning`` channel; key ``instId``."""
        return self["liquidation-warning"]  # type: ignore[return-value]

    @property
    def accountgreeks(self) -> AccountGreeks:
        """``account-greeks`` channel; key ``ccy``."""
        return self["account-greeks"]  # type: ignore[return-value]


# -- initialize() endpoints ------------------------------------------------------------------


def _update_into(name: str) -> Callable[[OKXDataStore, Any, list[Item]], None]:
    def load(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
        store[name]._update(data)

    return load


def _load_account(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
    store.account._replace(data)


def _load_trades(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
    store.trades._insert(list(reversed(data)))  # REST answers newest first


def _load_status(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
    store.status._insert(data)


def _load_orders(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
    store.orders._onresponse_items(data)


def _load_orders_algo(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
    store.ordersalgo._onresponse_items(data)
    store.algoadvance._onresponse_items(data)


def _candles_into(name: str, prefix: str) -> Callable[[OKXDataStore, Any, list[Item]], None]:
    def load(store: OKXDataStore, resp: Any, data: list[Item]) -> None:
        query = resp.url.query
        inst_id = query.get("instId")
        if not inst_id:
            raise DataStoreInitializeError(
                f"OKXDataStore.initialize(): {resp.url.path} needs the instId query parameter"
            )
        bar = query.get("bar", "1m")
        target: _CandleStore = store[name]  # type: ignore[assignment]
        target._onresponse_rows(prefix + bar, inst_id, data)  # type: ignore[arg-type]

    return load


OKXDataStore._RESPONSE_HANDLERS = {
    "/api/v5/public/instruments": _update_into("instruments"),
    "/api/v5/market/tickers": _update_into("tickers"),
    "/api/v5/market/ticker": _update_into("tickers"),
    "/api/v5/public/open-interest": _update_into("open-interest"),
    "/api/v5/market/candles": _candles_into("candle", "candle"),
    "/api/v5/market/trades": _load_trades,
    "/api/v5/public/estimated-price": _update_into("estimated-price"),
    "/api/v5/public/mark-price": _update_into("mark-price"),
    "/api/v5/market/mark-price-candles": _candles_into("mark-price-candle", "mark-price-candle"),
    "/api/v5/public/price-limit": _update_into("price-limit"),
    "/api/v5/public/opt-summary": _update_into("opt-summary"),
    "/api/v5/public/funding-rate": _update_into("funding-rate"),
    "/api/v5/market/index-candles": _candles_into("index-candle", "index-candle"),
    "/api/v5/market/index-tickers": _update_into("index-tickers"),
    "/api/v5/system/status": _load_status,
    "/api/v5/account/balance": _load_account,
    "/api/v5/account/positions": _update_into("positions"),
    "/api/v5/trade/orders-pending": _load_orders,
    "/api/v5/trade/orders-algo-pending": _load_orders_algo,
    "/api/v5/account/greeks": _update_into("account-greeks"),
}
