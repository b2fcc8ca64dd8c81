"""``BybitDataStore``: in-memory tables fed by Bybit v5 WebSocket pushes and REST responses.

Store names, attribute names, keys and item fields are those of pybotters 1.11, so existing bots
keep working. The order book goes further than pybotters 1.11: it drops deltas that arrive
before a snapshot, detects stale or repeated update ids and crossed books, and rebuilds a broken
book from a fresh snapshot (see :class:`OrderBook`).

Every message is routed by the part of its ``topic`` before the first dot (``orderbook``,
``publicTrade``, ``tickers``, ``kline``, ``order`` ...), so categorised private topics such as
``order.linear`` or ``execution.fast`` land in the same store as their all-in-one topic. The
incoming message is never modified.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pybotters.store import DataStore, DataStoreCollection, DataStoreInitializeError, OrderBookStore

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "AllLiquidation",
    "BybitDataStore",
    "Execution",
    "Greek",
    "Kline",
    "LTKline",
    "LTNav",
    "LTTicker",
    "Liquidation",
    "Order",
    "OrderBook",
    "Position",
    "Ticker",
    "Trade",
    "Wallet",
]

logger = logging.getLogger("pybotters.bybit")

_MAX_TOPICS = 4096
"""How many distinct topics a collection remembers the route of (the rest are routed each time)."""

Item = dict[str, Any]
Message = dict[str, Any]
WebSocket = Any
"""The live connection a message came from (``aiohttp.ClientWebSocketResponse``) or ``None``."""


# --------------------------------------------------------------------------------------------
# Order book
# --------------------------------------------------------------------------------------------


class _BookState:
    """Integrity state of one symbol's book."""

    __slots__ = ("live", "resyncing", "topic", "u")

    def __init__(self, topic: str, u: int | None) -> None:
        self.topic = topic
        self.u = u
        self.live = True
        self.resyncing = False


class OrderBook(OrderBookStore):
    """``orderbook.{depth}.{symbol}``: the book, one item per price level.

    Items: ``{"s": symbol, "S": "a" | "b", "p": price, "v": size}`` (strings as Bybit sends
    them), keyed by ``s, S, p``. ``sorted()`` returns ``{"a": [asks, lowest first], "b": [bids,
    highest first]}``.

    Integrity rules (pybotters 1.11 has none):

    - a ``snapshot`` message, or any message with ``u == 1`` (Bybit restarted its service),
      replaces the symbol's book;
    - a ``delta`` that arrives before the first snapshot of its symbol (or after the book was
      cleared, until the next snapshot) is dropped;
    - a ``delta`` whose update id ``u`` is not greater than the last applied ``u`` (stale,
      repeated or regressed) breaks the book; with :attr:`strict_sequence` set, so does any
      ``u`` other than the last ``u + 1``;
    - a book whose best bid is at or above its best ask after a message is crossed, and broken.

    A broken book is logged (WARNING, naming the topic and the update ids), cleared, and its
    topic is unsubscribed and subscribed again on the connection the message came from, so
    Bybit sends a fresh snapshot that rebuilds it. Fed without a connection (``ws`` is ``None``,
    e.g. replayed messages) the book stays empty until the next snapshot.

    The level-1 books (``orderbook.1.*``) re-send an unchanged snapshot with the same ``u``
    every 3 seconds: a snapshot never breaks a book, so those are simply applied. Subscribe to
    one depth per symbol in one store: two depths of one symbol (or one symbol from two markets,
    e.g. spot and linear ``BTCUSDT``) would share one book. Deltas of another topic than the one
    whose snapshot built the book are dropped, with a warning. ``orderbook.rpi.*`` books (with
    a third, RPI size per level, which may legitimately cross) are not handled.
    """

    __slots__ = ("_states", "_tasks", "_warned_topics", "strict_sequence")

    _BOOK_SYMBOL = "s"
    _BOOK_SIDE = "S"
    _BOOK_PRICE = "p"
    _BOOK_ASK = "a"
    _BOOK_BID = "b"
    _SORTED_KEYS = ("a", "b")
    _KEYS: ClassVar[list[str]] = ["s", "S", "p"]

    def __init__(
        self,
        name: str | None = None,
        keys: list[str] | None = None,
        data: Iterable[Item] | None = None,
    ) -> None:
        self._states: dict[str, _BookState] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._warned_topics: set[tuple[str, str]] = set()
        self.strict_sequence = False
        """Also treat a delta whose ``u`` is not exactly the last ``u + 1`` as a gap.

        Off by default: Bybit's v5 documentation calls ``u`` a sequence but does not promise
        steps of one, so a strict check could fire on a healthy stream.
        """
        super().__init__(name, keys, data)

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        try:
            self._apply(msg, ws)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self._malformed(msg, ws, exc)

    def _apply(self, msg: Message, ws: WebSocket) -> None:
        data = msg["data"]
        symbol: str = data["s"]
        topic: str = msg["topic"]
        u = data.get("u")
        state = self._states.get(symbol)
        is_snapshot = msg.get("type") == "snapshot" or u == 1
        if is_snapshot:
            levels = _levels(symbol, data)  # checked before the book is touched
            self._clear_symbol(symbol)
            self._insert(levels)
            if state is None:
                state = self._states[symbol] = _BookState(topic, u)
            else:
                state.topic = topic
                state.u = u
                state.live = True
        else:
            if state is None or not state.live:
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug(
                        "Bybit %s: delta u=%s dropped: no snapshot of %s since the book was "
                        "started or cleared",
                        topic,
                        u,
                        symbol,
                    )
                return
            if topic != state.topic:
                self._foreign_delta(topic, state.topic, symbol)
                return
            last_u = state.u
            # The rule that cannot fire on a healthy stream: Bybit numbers the messages of a
            # topic with an increasing ``u``, so a delta with u <= last u is a duplicate, a
            # replay or a regression. A larger jump is only a gap if ids step by exactly one,
            # which the v5 documentation does not state: that check is opt-in.
            if u is not None and last_u is not None:
                if u <= last_u:
                    self._break(
                        state, symbol, ws, f"update id u={u} does not follow the last u={last_u}"
                    )
                    return
                if self.strict_sequence and u != last_u + 1:
                    self._break(
                        state,
                        symbol,
                        ws,
                        f"update id u={u} skips from the last u={last_u} (strict_sequence)",
                    )
                    return
            deleted: list[Item] = []
            updated: list[Item] = []
            for side in ("a", "b"):
                for pair in data.get(side, ()):
                    price, size = pair
                    level = {"s": symbol, "S": side, "p": price, "v": size}
                    if type(pair) is not list:
                        _kept(pair)  # raises: not [price, size]
                    if size == "0":
                        deleted.append(level)
                    elif type(size) is str and type(price) is str and size and price:
                        updated.append(level)
                    else:
                        _kept(pair)  # raises: not [price, size]
            if deleted:
                self._delete(deleted)
            if updated:
                self._update(updated)
            state.u = u
        crossed = self._crossed(symbol)
        if crossed is not None:
            self._break(state, symbol, ws, crossed)
        elif is_snapshot:
            # A sound snapshot ends a resynchronisation. Until then a new break (a crossed
            # snapshot) does not resubscribe again, so a broken feed cannot cause a storm.
            state.resyncing = False

    def _malformed(self, msg: Any, ws: WebSocket, exc: Exception) -> None:
        """A message that cannot be applied: the book it belongs to has lost an update."""
        reason = f"a malformed message was dropped ({type(exc).__name__}: {exc})"
        topic = msg.get("topic") if isinstance(msg, dict) else None
        parts = topic.split(".") if isinstance(topic, str) else ()
        symbol = parts[2] if len(parts) == 3 else ""  # orderbook.{depth}.{symbol}
        state = self._states.get(symbol) if symbol else None
        if symbol and state is None:
            state = self._states[symbol] = _BookState(str(topic), None)
        if state is None or state.topic != topic:
            logger.warning("Bybit %s: %s: %.200r", topic, reason, msg)
            return
        self._break(state, symbol, ws, reason)  # rebuilt from a fresh snapshot

    def _crossed(self, symbol: str) -> str | None:
        """Why the book of ``symbol`` is crossed (best bid >= best ask), or None if it is not."""
        ask, bid = self.best_prices(symbol)
        if ask is not None and bid is not None and bid >= ask:
            return f"the book is crossed: best bid {bid:g} >= best ask {ask:g}"
        return None

    def _foreign_delta(self, topic: str, owner: str, symbol: str) -> None:
        pair = (topic, owner)
        if pair not in self._warned_topics:
            self._warned_topics.add(pair)
            logger.warning(
                "Bybit %s: delta dropped: the %s book in this store was built by %s; "
                "subscribe to one depth per symbol per BybitDataStore (use another store for "
                "another depth or market)",
                topic,
                symbol,
                owner,
            )

    def _break(self, state: _BookState, symbol: str, ws: WebSocket, reason: str) -> None:
        """Clear a broken book and ask Bybit for a fresh snapshot of its topic."""
        topic = state.topic
        self._clear_symbol(symbol)
        state.live = False
        if state.resyncing:
            logger.warning(
                "Bybit %s: %s; the book was cleared (a resubscription is already pending)",
                topic,
                reason,
            )
            return
        if ws is None:
            logger.warning(
                "Bybit %s: %s; the book was cleared and waits for the next snapshot (no "
                "connection to resubscribe on)",
                topic,
                reason,
            )
            return
        logger.warning(
            "Bybit %s: %s; the book was cleared and the topic is resubscribed for a new snapshot",
            topic,
            reason,
        )
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.warning(
                "Bybit %s: no running event loop to resubscribe in; the book waits for the next "
                "snapshot",
                topic,
            )
            return
        state.resyncing = True
        task = loop.create_task(self._resubscribe(ws, topic))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _resubscribe(ws: aiohttp.ClientWebSocketResponse, topic: str) -> None:
        try:
            await ws.send_str(json.dumps({"op": "unsubscribe", "args": [topic]}))
            await ws.send_str(json.dumps({"op": "subscribe", "args": [topic]}))
        except Exception as exc:  # the connection is going away; its reconnect resubscribes
            logger.warning(
                "Bybit %s: the resubscription could not be sent (%s: %s); the reconnection "
                "will subscribe again",
                topic,
                type(exc).__name__,
                exc,
            )


def _levels(symbol: str, data: Item) -> list[Item]:
    return [
        {"s": symbol, "S": side, "p": pair[0], "v": pair[1]}
        for side in ("a", "b")
        for pair in data.get(side, ())
        if _kept(pair)
    ]


def _records(data: Any) -> list[Item]:
    """``data`` if it is a list of objects; TypeError (the message is dropped) otherwise."""
    if type(data) is list and all(type(item) is dict for item in data):
        return data
    raise TypeError(f"expected a list of objects, got {data!r:.60}")


def _kept(pair: Any) -> bool:
    """True for a level to keep, False for one to delete (size ``"0"``).

    Raises ValueError unless the level is ``[price, size]`` with non-empty strings, as Bybit
    writes them: such a message cannot be applied. The strings are not parsed here (it would
    cost more than the rest of the update); a new price is parsed by the book, which refuses
    one that is not a finite number.
    """
    if type(pair) is list and len(pair) == 2:
        price, size = pair
        if size == "0":
            return False
        if type(size) is str and type(price) is str and size and price:
            return True
    raise ValueError(f"level {pair!r:.60} is not [price, size]")


# --------------------------------------------------------------------------------------------
# Public topics
# --------------------------------------------------------------------------------------------


class Trade(DataStore):
    """``publicTrade.{symbol}``: trades as Bybit sends them (``T, s, S, v, p, L, i, BT`` ...).

    Keyless, newest last, at most 99,999 kept.
    """

    _MAXLEN = 99999

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._insert(_records(msg["data"]))


class Ticker(DataStore):
    """``tickers.{symbol}``: one item per ``symbol``.

    Derivatives send a snapshot then deltas that carry only the fields that changed; each push
    is merged into the stored item, so it always holds every field.
    """

    _KEYS: ClassVar[list[str]] = ["symbol"]

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._update([dict(msg["data"])])


class Kline(DataStore):
    """``kline.{interval}.{symbol}``: candles keyed by ``symbol, start, end``.

    Items are Bybit's (``start, end, interval, open, close, high, low, volume, turnover,
    confirm, timestamp``) with the ``symbol`` from the topic added first.
    """

    _KEYS: ClassVar[list[str]] = ["symbol", "start", "end"]

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        symbol = msg["topic"].rsplit(".", 1)[-1]
        self._update([{"symbol": symbol, **candle} for candle in msg["data"]])


class AllLiquidation(DataStore):
    """``allLiquidation.{symbol}``: liquidations (``T, s, S, v, p``); keyless, 99,999 kept."""

    _MAXLEN = 99999

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._insert(_records(msg["data"]))


class LTKline(Kline):
    """``kline_lt.{interval}.{symbol}``: leveraged-token candles, as :class:`Kline`."""


class LTTicker(Ticker):
    """``tickers_lt.{symbol}``: leveraged-token tickers, keyed by ``symbol``."""


class LTNav(Ticker):
    """``lt.{symbol}``: leveraged-token net asset values, keyed by ``symbol``."""


class Liquidation(DataStore):
    """``liquidation.{symbol}`` (deprecated by Bybit for ``allLiquidation``): keyless, 99,999."""

    _MAXLEN = 99999

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._insert(_records([msg["data"]]))


# --------------------------------------------------------------------------------------------
# Private topics
# --------------------------------------------------------------------------------------------


class Position(DataStore):
    """``position``: positions keyed by ``symbol, positionIdx``; each push is merged.

    ``initialize()`` loads ``GET /v5/position/list``. Closed positions stay with ``size`` "0",
    as Bybit reports them.
    """

    _KEYS: ClassVar[list[str]] = ["symbol", "positionIdx"]

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._update([dict(item) for item in msg["data"]])

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Item) -> None:
        self._update([dict(item) for item in data["result"]["list"]])


class Execution(DataStore):
    """``execution`` (and ``execution.fast``): fills as Bybit sends them; keyless, 99,999 kept."""

    _MAXLEN = 99999

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._insert(_records(msg["data"]))


_ACTIVE = frozenset({"Created", "New", "PartiallyFilled", "Untriggered", "Active"})
_INACTIVE = frozenset(
    {
        "Rejected",
        "PartiallyFilledCanceled",
        "Filled",
        "Cancelled",
        "Triggered",
        "Deactivated",
    }
)


class Order(DataStore):
    """``order``: open orders only, keyed by ``orderId``.

    Orders with ``orderStatus`` Created, New, PartiallyFilled, Untriggered or Active are kept
    (each push merged); Filled, PartiallyFilledCanceled, Triggered, Cancelled, Deactivated and
    Rejected remove the order, and every order with its ``orderLinkId`` (a spot conditional
    order and the order it became).

    ``initialize()`` loads ``GET /v5/order/realtime``: the open orders of the query's scope
    (``category`` and ``symbol``, ``baseCoin`` or ``settleCoin``) replace those already stored
    for that scope; each item gets the ``category`` of the query (the REST items lack it).
    """

    _KEYS: ClassVar[list[str]] = ["orderId"]

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        for item in msg["data"]:
            status = item.get("orderStatus")
            if status in _ACTIVE:
                self._update([dict(item)])
            elif status in _INACTIVE:
                self._delete([item])
                link_id = item.get("orderLinkId")
                if link_id:
                    self._find_and_delete({"orderLinkId": link_id})

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Item) -> None:
        query = resp.url.query
        category = query.get("category")
        matches: Callable[[str], bool] | None = None
        if "symbol" in query:
            matches = _equal(query["symbol"])
        elif "baseCoin" in query:
            matches = _prefix(query["baseCoin"])
        elif "settleCoin" in query:
            matches = _suffix(query["settleCoin"])
        if matches is not None:
            stale = [
                order
                for order in self.find({"category": category})
                if matches(str(order.get("symbol", "")))
            ]
            self._delete(stale)
        self._update(
            [
                {**item, "category": category}
                for item in data["result"]["list"]
                if item.get("orderStatus") in _ACTIVE
            ]
        )


def _equal(value: str) -> Callable[[str], bool]:
    return lambda symbol: symbol == value


def _prefix(value: str) -> Callable[[str], bool]:
    return lambda symbol: symbol.startswith(value)


def _suffix(value: str) -> Callable[[str], bool]:
    return lambda symbol: symbol.endswith(value)


class Wallet(DataStore):
    """``wallet``: one item per ``accountType``.

    A push lists only the coins that changed; the coins it does not list are kept from the
    stored item, so ``coin`` always holds every known coin. ``initialize()`` loads
    ``GET /v5/account/wallet-balance`` the same way.
    """

    _KEYS: ClassVar[list[str]] = ["accountType"]

    def _merge(self, items: Iterable[Item]) -> None:
        merged: list[Item] = []
        for item in items:
            old = self.get(item)
            coins = item.get("coin")
            if old is not None and isinstance(coins, list):
                listed = {coin.get("coin") for coin in coins}
                kept = [coin for coin in old.get("coin", ()) if coin.get("coin") not in listed]
                item = {**item, "coin": [*coins, *kept]}
            else:
                item = dict(item)
            merged.append(item)
        self._update(merged)

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._merge(msg["data"])

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Item) -> None:
        self._merge(data["result"]["list"])


class Greek(DataStore):
    """``greeks``: option greeks per ``baseCoin``; each push is merged."""

    _KEYS: ClassVar[list[str]] = ["baseCoin"]

    def _onmessage(self, msg: Message, ws: WebSocket) -> None:
        self._update([dict(item) for item in msg["data"]])


# --------------------------------------------------------------------------------------------
# The collection
# --------------------------------------------------------------------------------------------


class BybitDataStore(DataStoreCollection):
    """The Bybit v5 DataStoreCollection: pass ``store.onmessage`` as ``hdlr_json``.

    Stores (attribute, name in the collection, Bybit topic):

    ==================  ==================  ===========================================
    ``orderbook``       ``orderbook``       ``orderbook.{depth}.{symbol}``
    ``trade``           ``publicTrade``     ``publicTrade.{symbol}``
    ``ticker``          ``tickers``         ``tickers.{symbol}``
    ``kline``           ``kline``           ``kline.{interval}.{symbol}``
    ``all_liquidation`` ``allLiquidation``  ``allLiquidation.{symbol}``
    ``lt_kline``        ``kline_lt``        ``kline_lt.{interval}.{symbol}``
    ``lt_ticker``       ``tickers_lt``      ``tickers_lt.{symbol}``
    ``lt_nav``          ``lt``              ``lt.{symbol}``
    ``liquidation``     ``liquidation``     ``liquidation.{symbol}``
    ``position``        ``position``        ``position``, ``position.{category}``
    ``execution``       ``execution``       ``execution``, ``execution.fast`` ...
    ``order``           ``order``           ``order``, ``order.{category}``
    ``wallet``          ``wallet``          ``wallet``
    ``greek``           ``greeks``          ``greeks``
    ==================  ==================  ===========================================

    ``initialize()`` accepts ``GET /v5/position/list``, ``GET /v5/order/realtime`` and
    ``GET /v5/account/wallet-balance``.
    """

    __slots__ = ("_loaders", "_routes", "_topics")

    def _init(self) -> None:
        orderbook = self._create("orderbook", datastore_class=OrderBook)
        trade = self._create("publicTrade", datastore_class=Trade)
        ticker = self._create("tickers", datastore_class=Ticker)
        kline = self._create("kline", datastore_class=Kline)
        all_liquidation = self._create("allLiquidation", datastore_class=AllLiquidation)
        lt_kline = self._create("kline_lt", datastore_class=LTKline)
        lt_ticker = self._create("tickers_lt", datastore_class=LTTicker)
        lt_nav = self._create("lt", datastore_class=LTNav)
        liquidation = self._create("liquidation", datastore_class=Liquidation)
        position = self._create("position", datastore_class=Position)
        execution = self._create("execution", datastore_class=Execution)
        order = self._create("order", datastore_class=Order)
        wallet = self._create("wallet", datastore_class=Wallet)
        greek = self._create("greeks", datastore_class=Greek)
        # topic prefix (the part before the first dot) -> the store's message handler
        self._routes: dict[str, Callable[[Message, WebSocket], None]] = {
            "orderbook": orderbook._onmessage,
            "publicTrade": trade._onmessage,
            "tickers": ticker._onmessage,
            "kline": kline._onmessage,
            "allLiquidation": all_liquidation._onmessage,
            "kline_lt": lt_kline._onmessage,
            "tickers_lt": lt_ticker._onmessage,
            "lt": lt_nav._onmessage,
            "liquidation": liquidation._onmessage,
            "position": position._onmessage,
            "execution": execution._onmessage,
            "order": order._onmessage,
            "wallet": wallet._onmessage,
            "greeks": greek._onmessage,
        }
        # full topic -> handler, filled on first sight of each topic (bounded)
        self._topics: dict[str, Callable[[Message, WebSocket], None]] = {}
        # REST path -> the store's snapshot loader
        self._loaders: dict[str, Callable[[aiohttp.ClientResponse, Item], None]] = {
            "/v5/position/list": position._onresponse,
            "/v5/order/realtime": order._onresponse,
            "/v5/account/wallet-balance": wallet._onresponse,
        }

    def _onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        if not isinstance(msg, dict):
            return
        topic = msg.get("topic")
        if topic is None:
            if msg.get("success") is False:
                logger.warning("Bybit refused a request: %s", msg)
            return
        try:
            route = self._topics.get(topic)
            if route is None:
                route = self._route(topic)
                if route is None:
                    return
            route(msg, ws)
        except Exception as exc:  # one bad message is dropped; the stream goes on
            logger.warning(
                "Bybit %.60s: a malformed message was dropped (%s: %s): %.200r",
                topic,
                type(exc).__name__,
                exc,
                msg,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )

    def _route(self, topic: Any) -> Callable[[Message, WebSocket], None] | None:
        """The handler of ``topic`` (None for topics without a store), remembered by topic."""
        name, _, rest = topic.partition(".")
        if name == "orderbook" and rest.startswith("rpi."):
            return None
        route = self._routes.get(name)
        if route is not None and len(self._topics) < _MAX_TOPICS:
            self._topics[topic] = route
        return route

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Any) -> None:
        load = self._loaders.get(resp.url.path)
        if load is None:
            super()._onresponse(resp, data)
            return
        if not isinstance(data, dict) or data.get("retCode") != 0:
            code = data.get("retCode") if isinstance(data, dict) else None
            message = data.get("retMsg") if isinstance(data, dict) else None
            raise DataStoreInitializeError(
                f"BybitDataStore.initialize(): {resp.method} {resp.url.path} returned "
                f"retCode={code!r} retMsg={message!r}; check the query parameters and the API "
                "key's permissions"
            )
        load(resp, data)

    @property
    def orderbook(self) -> OrderBook:
        """``orderbook.{depth}.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook"""
        return self._get("orderbook", OrderBook)

    @property
    def trade(self) -> Trade:
        """``publicTrade.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/trade"""
        return self._get("publicTrade", Trade)

    @property
    def ticker(self) -> Ticker:
        """``tickers.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/ticker"""
        return self._get("tickers", Ticker)

    @property
    def kline(self) -> Kline:
        """``kline.{interval}.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/kline"""
        return self._get("kline", Kline)

    @property
    def all_liquidation(self) -> AllLiquidation:
        """``allLiquidation.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/all-liquidation"""
        return self._get("allLiquidation", AllLiquidation)

    @property
    def lt_kline(self) -> LTKline:
        """``kline_lt.{interval}.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/etp-kline"""
        return self._get("kline_lt", LTKline)

    @property
    def lt_ticker(self) -> LTTicker:
        """``tickers_lt.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/etp-ticker"""
        return self._get("tickers_lt", LTTicker)

    @property
    def lt_nav(self) -> LTNav:
        """``lt.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/etp-nav"""
        return self._get("lt", LTNav)

    @property
    def liquidation(self) -> Liquidation:
        """``liquidation.{symbol}``: https://bybit-exchange.github.io/docs/v5/websocket/public/liquidation"""
        return self._get("liquidation", Liquidation)

    @property
    def position(self) -> Position:
        """``position``: https://bybit-exchange.github.io/docs/v5/websocket/private/position"""
        return self._get("position", Position)

    @property
    def execution(self) -> Execution:
        """``execution``: https://bybit-exchange.github.io/docs/v5/websocket/private/execution"""
        return self._get("execution", Execution)

    @property
    def order(self) -> Order:
        """``order`` (open orders only): https://bybit-exchange.github.io/docs/v5/websocket/private/order"""
        return self._get("order", Order)

    @property
    def wallet(self) -> Wallet:
        """``wallet``: https://bybit-exchange.github.io/docs/v5/websocket/private/wallet"""
        return self._get("wallet", Wallet)

    @property
    def greek(self) -> Greek:
        """``greeks``: https://bybit-exchange.github.io/docs/v5/websocket/private/greek"""
        return self._get("greeks", Greek)
