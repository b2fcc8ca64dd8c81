"""``bitFlyerDataStore``: bitFlyer Lightning's realtime data kept up to date in memory.

Store names, keys, item fields and ``sorted()`` keys are those of pybotters 1.11, so existing
bots keep working:

============================  ===============================  ==============================
store                         keys                             fed by
============================  ===============================  ==============================
``board``                     product_code, side, price        lightning_board_snapshot_{pc},
                                                               lightning_board_{pc}
``ticker``                    product_code                     lightning_ticker_{pc}
``executions``                (none; last 99,999)              lightning_executions_{pc}
``childorderevents``          (none; last 9,999)               child_order_events
``childorders``               child_order_acceptance_id        child_order_events,
                                                               GET /v1/me/getchildorders
``parentorderevents``         (none; last 9,999)               parent_order_events
``parentorders``              parent_order_acceptance_id       parent_order_events,
                                                               GET /v1/me/getparentorders
``positions``                 (none)                           child_order_events,
                                                               GET /v1/me/getpositions
``collateral``                (none; one item)                 GET /v1/me/getcollateral,
                                                               closing executions
``balance``                   currency_code                    GET /v1/me/getbalance,
                                                               spot executions
============================  ===============================  ==============================

Where this module deliberately differs from pybotters 1.11 (safer, never less):

- after a reconnect the book of a product is cleared and rebuilt from the next snapshot;
  diffs from the new connection are never applied on top of levels from the old one;
- diffs at price 0 (market orders during an itayose call auction) are skipped instead of being
  stored as a level at price 0;
- ``initialize()`` with an empty ``getchildorders``/``getparentorders``/``getpositions`` answer
  clears that product's items (the request's ``product_code`` says which product);
- a position opened from flat keeps the same six fields as every other position
  (pybotters 1.11 kept every field of the execution event in that one case).
"""

from __future__ import annotations

import asyncio
import logging
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from pybotters.store import DataStore, DataStoreCollection, OrderBookStore

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "Balance",
    "Board",
    "ChildOrderEvents",
    "ChildOrders",
    "Collateral",
    "Executions",
    "ParentOrderEvents",
    "ParentOrders",
    "Positions",
    "Ticker",
    "bitFlyerDataStore",
]

logger = logging.getLogger("pybotters.bitflyer")

Item = dict[str, Any]

_BOARD_SNAPSHOT = "lightning_board_snapshot_"
_BOARD = "lightning_board_"
_TICKER = "lightning_ticker_"
_EXECUTIONS = "lightning_executions_"
_CHILD_ORDER_EVENTS = "child_order_events"
_PARENT_ORDER_EVENTS = "parent_order_events"

# Channel kinds, decided once per channel name.
_K_SNAPSHOT, _K_DIFF, _K_TICKER, _K_EXECUTIONS, _K_CHILD, _K_PARENT, _K_OTHER = range(7)

_NO_WS: Any = object()
_NUMBERS = (int, float)
_INF = float("inf")
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


def _subtract(a: Any, b: Any) -> Any:
    """``a - b`` for sizes: exact for ints, decimal-exact then float otherwise."""
    if type(a) is int and type(b) is int:
        return a - b
    return float(Decimal(str(a)) - Decimal(str(b)))


def _is_derivative(product_code: str) -> bool:
    """bitFlyer Crypto CFD (``FX_BTC_JPY``) and futures (``BTCJPY28MAR2025``...)."""
    return product_code == "FX_BTC_JPY" or product_code.startswith("BTCJPY")


# --------------------------------------------------------------------------------------------
# Stores
# --------------------------------------------------------------------------------------------


class Board(OrderBookStore):
    """Order book: ``{"product_code", "side": "asks" | "bids", "price", "size"}``.

    ``sorted(query, limit)`` returns ``{"asks": [lowest first], "bids": [highest first]}``;
    :attr:`mid_price` maps each product to the last ``mid_price`` bitFlyer sent.
    """

    __slots__ = ("mid_price",)

    _BOOK_SYMBOL = "product_code"
    _BOOK_SIDE = "side"
    _BOOK_PRICE = "price"
    _BOOK_ASK = "asks"
    _BOOK_BID = "bids"
    _SORTED_KEYS = ("asks", "bids")
    _KEYS: ClassVar[list[str]] = ["product_code", "side", "price"]

    def _init(self) -> None:
        self.mid_price: dict[str, float] = {}

    def _onmessage(self, product_code: str, message: Item, snapshot: bool = False) -> None:
        """Apply a snapshot (replacing the product's book) or a diff of ``product_code``.

        A malformed message (a level that is not ``{"price": number, "size": number}``, a
        ``mid_price`` that is not a number) raises ValueError, TypeError or KeyError before
        anything is changed.
        """
        upserts: list[Item] = []
        deletes: list[Item] = []
        for side in ("asks", "bids"):
            for level in message.get(side) or ():
                price = level["price"]
                size = level["size"]
                if not (
                    type(price) in _NUMBERS
                    and type(size) in _NUMBERS
                    and 0 <= price < _INF
                    and 0 <= size < _INF
                ):
                    raise ValueError(f"level {level!r:.80} is not {{price, size}}")
                if not price:
                    continue  # price 0: a market order during an itayose call auction
                if size:
                    upserts.append(
                        {"product_code": product_code, "side": side, "price": price, "size": size}
                    )
                elif not snapshot:
                    deletes.append({"product_code": product_code, "side": side, "price": price})
        mid = message.get("mid_price")
        if mid is not None and not (type(mid) in _NUMBERS and 0 < mid < _INF):
            raise ValueError(f"mid_price {mid!r:.40} is not a price")
        if snapshot:
            self._clear_symbol(product_code)
        if deletes:
            self._delete(deletes)
        if upserts:
            self._insert(upserts)
        mid = message.get("mid_price")
        if mid is not None:
            self.mid_price[product_code] = mid
            self._prune(product_code, mid)

    def _prune(self, product_code: str, mid: Any) -> None:
        """Delete levels crossed by ``mid``: bids above it, asks at or below it."""
        mid = float(mid)
        best_prices = self.best_prices
        query = {"product_code": product_code}
        while True:
            ask, bid = best_prices(product_code)
            if (ask is None or ask > mid) and (bid is None or bid <= mid):
                return  # the usual case: nothing crossed, no item list built
            top = self.sorted(query, limit=1)
            crossed = [b for b in top["bids"] if float(b["price"]) > mid]
            crossed += [a for a in top["asks"] if float(a["price"]) <= mid]
            if not crossed:
                return
            self._delete(crossed)

    def _forget_product(self, product_code: str) -> None:
        self._clear_symbol(product_code)
        self.mid_price.pop(product_code, None)


class Ticker(DataStore):
    """Last ticker per product (``lightning_ticker_{product_code}``), keyed on product_code."""

    __slots__ = ()

    _KEYS: ClassVar[list[str]] = ["product_code"]

    def _onmessage(self, message: Item) -> None:
        self._update([message])


class Executions(DataStore):
    """Public executions, newest last: the message's items plus ``product_code``."""

    __slots__ = ()

    _MAXLEN = 99999

    def _onmessage(self, product_code: str, message: list[Item]) -> None:
        self._insert([{"product_code": product_code, **item} for item in message])


class ChildOrderEvents(DataStore):
    """Every ``child_order_events`` event, newest last."""

    __slots__ = ()

    def _onmessage(self, message: list[Item]) -> None:
        self._insert([dict(item) for item in message])


class ParentOrderEvents(DataStore):
    """Every ``parent_order_events`` event, newest last."""

    __slots__ = ()

    def _onmessage(self, message: list[Item]) -> None:
        self._insert([dict(item) for item in message])


class ChildOrders(DataStore):
    """Active child orders, keyed on child_order_acceptance_id.

    An ``ORDER`` event adds the order; ``CANCEL`` and ``EXPIRE`` remove it; an ``EXECUTION``
    lowers its ``size`` by the executed size, or removes it once ``outstanding_size`` is 0.
    """

    __slots__ = ()

    _KEYS: ClassVar[list[str]] = ["child_order_acceptance_id"]

    def _onresponse(self, data: list[Item], product_code: str | None) -> None:
        product = product_code or (data[0].get("product_code") if data else None)
        if product is not None:
            self._find_and_delete({"product_code": product})
        self._insert([dict(item) for item in data if item.get("child_order_state") == "ACTIVE"])

    def _onmessage(self, message: list[Item]) -> None:
        for item in message:
            event = item.get("event_type")
            if event == "ORDER":
                self._insert([dict(item)])
            elif event in ("CANCEL", "EXPIRE"):
                self._delete([item])
            elif event == "EXECUTION":
                if item.get("outstanding_size"):
                    order = self.get(item)
                    if order is not None:
                        self._update(
                            [
                                {
                                    "child_order_acceptance_id": item["child_order_acceptance_id"],
                                    "size": _subtract(order["size"], item["size"]),
                                }
                            ]
                        )
                else:
                    self._delete([item])


class ParentOrders(DataStore):
    """Active parent orders, keyed on parent_order_acceptance_id.

    ``ORDER`` adds, ``CANCEL``/``EXPIRE`` remove; ``COMPLETE`` removes the order, except for
    IFD and IFDOCO orders, which are removed when the completion of their second or later
    parameter (``parameter_index >= 2``) arrives.
    """

    __slots__ = ()

    _KEYS: ClassVar[list[str]] = ["parent_order_acceptance_id"]

    def _onresponse(self, data: list[Item], product_code: str | None) -> None:
        product = product_code or (data[0].get("product_code") if data else None)
        if product is not None:
            self._find_and_delete({"product_code": product})
        self._insert([dict(item) for item in data if item.get("parent_order_state") == "ACTIVE"])

    def _onmessage(self, message: list[Item]) -> None:
        for item in message:
            event = item.get("event_type")
            if event == "ORDER":
                self._insert([dict(item)])
            elif event in ("CANCEL", "EXPIRE"):
                self._delete([item])
            elif event == "COMPLETE":
                order = self.get(item)
                if order is None:
                    continue
                if order.get("parent_order_type") in ("IFD", "IFDOCO"):
                    if (item.get("parameter_index") or 0) >= 2:
                        self._delete([item])
                else:
                    self._delete([item])


class Positions(DataStore):
    """Open positions of Crypto CFD and futures, oldest first, one item per opening execution.

    Items: ``{"product_code", "side", "price", "size", "commission", "sfd"}``. An execution on
    the side of the open positions adds one; an execution on the other side closes positions
    first in, first out (lowering the ``size`` of the last one it reaches), and what is left
    of it opens a position on its side. Spot products are ignored.
    """

    __slots__ = ()

    _COMMON_KEYS = ("product_code", "side", "price", "size", "commission", "sfd")

    def _common(self, item: Item) -> Item | None:
        try:
            return {key: item[key] for key in self._COMMON_KEYS}
        except KeyError:
            logger.debug("positions ignored an item without %s: %r", self._COMMON_KEYS, item)
            return None

    def _onresponse(self, data: list[Item], product_code: str | None) -> None:
        product = product_code or (data[0].get("product_code") if data else None)
        if product is not None:
            self._find_and_delete({"product_code": product})
        self._insert([p for p in map(self._common, data) if p is not None])

    def _onmessage(self, message: list[Item], collateral: Collateral) -> None:
        for event in message:
            product_code = event.get("product_code")
            if (
                event.get("event_type") != "EXECUTION"
                or not isinstance(product_code, str)
                or not _is_derivative(product_code)
            ):
                continue
            execution = self._common(event)
            if execution is not None:
                self._apply(execution, collateral, event)

    def _apply(self, execution: Item, collateral: Collateral, source: Item) -> None:
        positions = self.find({"product_code": execution["product_code"]})
        if not positions or positions[0]["side"] == execution["side"]:
            self._insert([execution])
            return
        side = execution["side"]
        remaining = execution["size"]
        for position in positions:
            if position["size"] > remaining:
                collateral._onexecution(
                    side, position["price"], execution["price"], remaining, source
                )
                position["size"] = _subtract(position["size"], remaining)
                self._changed("update", position, source)
                remaining = 0
                break
            collateral._onexecution(
                side, position["price"], execution["price"], position["size"], source
            )
            remaining = _subtract(remaining, position["size"])
            self._delete([position])
        if remaining > 0:
            self._insert([{**execution, "size": remaining}])


class Collateral(DataStore):
    """The account's collateral (``GET /v1/me/getcollateral``): one item.

    Closing executions of Crypto CFD and futures add their realised profit or loss
    (``(sell price - buy price) * size``, rounded down for a SELL and up for a BUY, as
    bitFlyer rounds JPY) to ``collateral``. Fees and SFD are not included.
    """

    __slots__ = ()

    def _onresponse(self, data: Item) -> None:
        current = next(iter(self), None)
        if current is None:
            self._insert([dict(data)])
        else:
            current.update(data)
            self._changed("update", current, data)

    def _onexecution(
        self, side: str, open_price: Any, close_price: Any, size: Any, source: Item
    ) -> None:
        item = next(iter(self), None)
        if item is None or "collateral" not in item:
            return
        selling = side == "SELL"  # a SELL closes a long: bought at open, sold now
        buy, sell = (open_price, close_price) if selling else (close_price, open_price)
        pnl = (Decimal(str(sell)) - Decimal(str(buy))) * Decimal(str(size))
        total = Decimal(str(item["collateral"])) + pnl
        item["collateral"] = float(math.floor(total) if selling else math.ceil(total))
        self._changed("update", item, source)


class Balance(DataStore):
    """Asset balances (``GET /v1/me/getbalance``), keyed on currency_code.

    Spot executions move ``amount`` of the base currency (minus the commission) and of the
    quote currency (``size * price``, JPY rounded up when buying and down when selling) and
    set ``available`` to ``None`` (unknown until the next ``getbalance``).
    """

    __slots__ = ()

    _KEYS: ClassVar[list[str]] = ["currency_code"]

    def _onresponse(self, data: list[Item]) -> None:
        self._update([dict(item) for item in data])

    def _onmessage(self, message: list[Item]) -> None:
        for item in message:
            product_code = item.get("product_code")
            if (
                item.get("event_type") != "EXECUTION"
                or not isinstance(product_code, str)
                or _is_derivative(product_code)
            ):
                continue
            parts = product_code.split("_")
            if len(parts) != 2:
                continue
            base, quote = parts
            side = item["side"]
            size = Decimal(str(item["size"]))
            base_item = self.get({"currency_code": base})
            if base_item is not None:
                amount = Decimal(str(base_item["amount"]))
                amount = amount + size if side == "BUY" else amount - size
                amount -= Decimal(str(item.get("commission") or 0))
                self._update([{"currency_code": base, "amount": float(amount), "available": None}])
            quote_item = self.get({"currency_code": quote})
            if quote_item is not None:
                value: Decimal | int = size * Decimal(str(item["price"]))
                if quote == "JPY":
                    value = (math.ceil if side == "BUY" else math.floor)(value)
                amount = Decimal(str(quote_item["amount"]))
                amount = amount - value if side == "BUY" else amount + value
                self._update([{"currency_code": quote, "amount": float(amount), "available": None}])


# --------------------------------------------------------------------------------------------
# Collection
# --------------------------------------------------------------------------------------------


class bitFlyerDataStore(DataStoreCollection):
    """bitFlyer Lightning's DataStoreCollection.

    Pass :meth:`onmessage` to ``ws_connect(..., hdlr_json=store.onmessage)`` for
    ``wss://ws.lightstream.bitflyer.com/json-rpc``; load REST snapshots with
    :meth:`initialize` (``GET /v1/me/getchildorders``, ``getparentorders``, ``getpositions``,
    ``getcollateral``, ``getbalance``).

    Order book: subscribe to both ``lightning_board_snapshot_{product_code}`` and
    ``lightning_board_{product_code}``. The first snapshot builds the book, and the snapshot
    channel is then unsubscribed on that connection; diffs that arrive before it are ignored.
    When the connection that delivered the snapshot has closed (a reconnect), the product's
    book is cleared and diffs are ignored until the next snapshot, which the re-sent
    subscriptions bring.
    """

    __slots__ = ("_channels", "_last_ws", "_snapshot_ws", "_tasks", "_unsubscribed")

    def _init(self) -> None:
        self._create("board", datastore_class=Board)
        self._create("ticker", datastore_class=Ticker)
        self._create("executions", datastore_class=Executions)
        self._create("childorderevents", datastore_class=ChildOrderEvents)
        self._create("childorders", datastore_class=ChildOrders)
        self._create("parentorderevents", datastore_class=ParentOrderEvents)
        self._create("parentorders", datastore_class=ParentOrders)
        self._create("positions", datastore_class=Positions)
        self._create("collateral", datastore_class=Collateral)
        self._create("balance", datastore_class=Balance)
        # channel name -> (kind, product_code), decided on first sight
        self._channels: dict[str, tuple[int, str]] = {}
        # product_code -> the connection whose snapshot the product's book is built from
        self._snapshot_ws: dict[str, Any] = {}
        # snapshot channel -> the connection it was unsubscribed on
        self._unsubscribed: dict[str, Any] = {}
        self._last_ws: Any = _NO_WS
        self._tasks: set[asyncio.Task[None]] = set()

    # -- WebSocket -------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        if ws is not self._last_ws:
            self._last_ws = ws
            self._drop_closed_books()
        if not isinstance(msg, dict):
            return
        if "error" in msg:
            logger.warning("bitFlyer answered with an error: %s", msg)
        params = msg.get("params")
        if not isinstance(params, dict):
            return
        channel = params.get("channel")
        message = params.get("message")
        if not isinstance(channel, str) or message is None:
            return
        route = self._channels.get(channel)
        if route is None:
            route = self._channels[channel] = _route(channel)
        kind, product_code = route
        try:
            if kind == _K_DIFF:
                self._on_diff(product_code, message, ws)
            elif kind == _K_TICKER:
                self.ticker._onmessage(message)
            elif kind == _K_EXECUTIONS:
                self.executions._onmessage(product_code, message)
            elif kind == _K_SNAPSHOT:
                self._on_snapshot(product_code, channel, message, ws)
            elif kind == _K_CHILD:
                self.childorderevents._onmessage(message)
                self.childorders._onmessage(message)
                self.positions._onmessage(message, self.collateral)
                self.balance._onmessage(message)
            elif kind == _K_PARENT:
                self.parentorderevents._onmessage(message)
                self.parentorders._onmessage(message)
        except Exception as exc:  # one bad message is dropped; the stream goes on
            logger.warning(
                "bitFlyer %s: a malformed message was dropped (%s: %s): %.200r",
                channel,
                type(exc).__name__,
                exc,
                message,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )

    def _on_snapshot(self, product_code: str, channel: str, message: Item, ws: Any) -> None:
        self._unsubscribe(channel, ws)
        try:
            self.board._onmessage(product_code, message, snapshot=True)
        except _MALFORMED as exc:
            self._resync(product_code, ws, exc)
            return
        self._snapshot_ws[product_code] = ws

    def _on_diff(self, product_code: str, message: Item, ws: Any) -> None:
        source = self._snapshot_ws.get(product_code, _NO_WS)
        if source is ws:
            try:
                self.board._onmessage(product_code, message)
            except _MALFORMED as exc:
                self._resync(product_code, ws, exc)
        elif source is not _NO_WS and _closed(source):
            # The snapshot came on a connection that has ended: its levels are stale.
            self._await_snapshot(product_code)
        # Otherwise: no snapshot yet, or a diff from a second live connection; ignored.

    def _drop_closed_books(self) -> None:
        for product_code, source in list(self._snapshot_ws.items()):
            if _closed(source):
                self._await_snapshot(product_code)

    def _await_snapshot(self, product_code: str) -> None:
        del self._snapshot_ws[product_code]
        self.board._forget_product(product_code)
        logger.info(
            "bitFlyer board %s: its connection ended; the book was cleared and is rebuilt "
            "from the next lightning_board_snapshot_%s message",
            product_code,
            product_code,
        )

    def _resync(self, product_code: str, ws: Any, exc: Exception) -> None:
        """A board message could not be applied: the book has lost an update. Clear it and
        subscribe to its snapshot channel again on ``ws``; the next snapshot rebuilds it."""
        channel = _BOARD_SNAPSHOT + product_code
        self._snapshot_ws.pop(product_code, None)
        self.board._forget_product(product_code)
        logger.warning(
            "bitFlyer board %s: a malformed message was dropped (%s: %s); the book was "
            "cleared and is rebuilt from the next %s message",
            product_code,
            type(exc).__name__,
            exc,
            channel,
        )
        if ws is None or _closed(ws):
            return  # replayed messages, or a connection that is gone (its reconnect heals)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._unsubscribed.pop(channel, None)  # the snapshot unsubscribes it again
        task = loop.create_task(_send_method(ws, "subscribe", channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _unsubscribe(self, channel: str, ws: Any) -> None:
        """Unsubscribe the snapshot channel on ``ws`` (once per connection): diffs follow."""
        if ws is None or self._unsubscribed.get(channel) is ws:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._unsubscribed[channel] = ws
        task = loop.create_task(_send_method(ws, "unsubscribe", channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- HTTP ------------------------------------------------------------------------------

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Any) -> None:
        path = resp.url.path
        product_code = resp.url.query.get("product_code")
        if path == "/v1/me/getchildorders":
            self.childorders._onresponse(_list_of(resp, data), product_code)
        elif path == "/v1/me/getparentorders":
            self.parentorders._onresponse(_list_of(resp, data), product_code)
        elif path == "/v1/me/getpositions":
            self.positions._onresponse(_list_of(resp, data), product_code)
        elif path == "/v1/me/getcollateral":
            if not isinstance(data, dict):
                _wrong_shape(resp, data, "a JSON object")
            self.collateral._onresponse(data)
        elif path == "/v1/me/getbalance":
            self.balance._onresponse(_list_of(resp, data))
        else:
            super()._onresponse(resp, data)

    # -- stores ----------------------------------------------------------------------------

    @property
    def board(self) -> Board:
        """Order book (``lightning_board_snapshot_*`` + ``lightning_board_*``)."""
        return self._get("board", Board)

    @property
    def ticker(self) -> Ticker:
        """Tickers (``lightning_ticker_*``)."""
        return self._get("ticker", Ticker)

    @property
    def executions(self) -> Executions:
        """Public executions (``lightning_executions_*``)."""
        return self._get("executions", Executions)

    @property
    def childorderevents(self) -> ChildOrderEvents:
        """Child order events (``child_order_events``)."""
        return self._get("childorderevents", ChildOrderEvents)

    @property
    def childorders(self) -> ChildOrders:
        """Active child orders, built from ``child_order_events``."""
        return self._get("childorders", ChildOrders)

    @property
    def parentorderevents(self) -> ParentOrderEvents:
        """Parent order events (``parent_order_events``)."""
        return self._get("parentorderevents", ParentOrderEvents)

    @property
    def parentorders(self) -> ParentOrders:
        """Active parent orders, built from ``parent_order_events``."""
        return self._get("parentorders", ParentOrders)

    @property
    def positions(self) -> Positions:
        """Crypto CFD / futures positions, built from ``child_order_events`` executions."""
        return self._get("positions", Positions)

    @property
    def collateral(self) -> Collateral:
        """Collateral, from ``getcollateral`` plus the profit of closing executions."""
        return self._get("collateral", Collateral)

    @property
    def balance(self) -> Balance:
        """Balances, from ``getbalance`` plus spot executions."""
        return self._get("balance", Balance)


def _route(channel: str) -> tuple[int, str]:
    if channel.startswith(_BOARD_SNAPSHOT):
        return _K_SNAPSHOT, channel[len(_BOARD_SNAPSHOT) :]
    if channel.startswith(_BOARD):
        return _K_DIFF, channel[len(_BOARD) :]
    if channel.startswith(_TICKER):
        return _K_TICKER, channel[len(_TICKER) :]
    if channel.startswith(_EXECUTIONS):
        return _K_EXECUTIONS, channel[len(_EXECUTIONS) :]
    if channel == _CHILD_ORDER_EVENTS:
        return _K_CHILD, ""
    if channel == _PARENT_ORDER_EVENTS:
        return _K_PARENT, ""
    return _K_OTHER, ""


def _closed(ws: Any) -> bool:
    return ws is not None and bool(getattr(ws, "closed", False))


async def _send_method(ws: Any, method: str, channel: str) -> None:
    try:
        await ws.send_json({"method": method, "params": {"channel": channel}})
    except Exception as exc:
        logger.debug("could not %s %s: %s: %s", method, channel, type(exc).__name__, exc)


def _list_of(resp: aiohttp.ClientResponse, data: Any) -> list[Item]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        _wrong_shape(resp, data, "a JSON array of objects")
    return data


def _wrong_shape(resp: aiohttp.ClientResponse, data: Any, expected: str) -> NoReturn:
    from pybotters.store import DataStoreInitializeError

    text = repr(data)
    raise DataStoreInitializeError(
        f"bitFlyerDataStore.initialize(): GET {resp.url.path} returned {text[:120]}, not "
        f"{expected}; pass the response of that endpoint as documented by bitFlyer"
    )
