"""In-memory stores for exchange data: DataStore, OrderBookStore and DataStoreCollection.

A :class:`DataStore` is a table of dict items. A store with key fields indexes each item by its
key values (the value itself for one key field, the tuple of values for several), so ``get`` is
one dict lookup; a keyless store is an append-only log. Both keep insertion order and drop the
oldest items past ``_MAXLEN``.

:class:`OrderBookStore` keeps every (symbol, side) of a book sorted by numeric price as it is
updated, so ``sorted(limit=n)`` reads the best ``n`` levels without sorting.

:class:`DataStoreCollection` groups the stores of one exchange and routes WebSocket messages
(``onmessage``) and HTTP snapshots (``initialize``) into them.

Changes wake ``wait()``-ers and feed ``watch()`` streams; when no one waits or watches, a change
costs nothing beyond the table update itself.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from ._exceptions import DataStoreInitializeError

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_WATCH_MAXSIZE",
    "DataStore",
    "DataStoreCollection",
    "DataStoreInitializeError",
    "Item",
    "OrderBookStore",
    "StoreChange",
    "StoreStream",
]

Item = dict[str, Any]
"""One record of a store: a plain dict, as decoded from the exchange's JSON."""

Operation = Literal["insert", "update", "delete"]

DEFAULT_WATCH_MAXSIZE = 100_000
"""Changes a ``watch()`` stream buffers for a reader that falls behind; older ones are dropped."""

logger = logging.getLogger("pybotters")

_DEBUG = logging.DEBUG
_NAN = float("nan")
_KeyFunc = Callable[[Item], Hashable]


# -- waking --------------------------------------------------------------------------------
# Waiters are futures created by wait() in the running loop (never at construction, so stores
# can be built at module level). A change resolves and forgets them; a cancelled waiter removes
# itself, so a wait() in a timeout loop never accumulates futures.


async def _park(waiters: list[asyncio.Future[None]]) -> None:
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiters.append(fut)
    try:
        await fut
    finally:
        if fut.cancelled():
            try:
                waiters.remove(fut)
            except ValueError:
                pass


def _wake(waiters: list[asyncio.Future[None]]) -> None:
    futs = waiters.copy()
    waiters.clear()
    for fut in futs:
        if not fut.done():
            try:
                fut.set_result(None)
            except RuntimeError:  # its event loop is closed: nobody can be waiting on it
                pass


def _describe(item: object) -> str:
    text = repr(item)
    return text if len(text) <= 200 else text[:197] + "..."


# -- changes and watch streams ---------------------------------------------------------------


@dataclass(slots=True)
class StoreChange:
    """One change of a store, as delivered by :meth:`DataStore.watch`.

    :ivar store: the store that changed.
    :ivar operation: ``"insert"``, ``"update"`` or ``"delete"``.
    :ivar source: the dict that caused the change (the partial update merged in, or the item
        passed to delete), or ``None`` for inserts, new items and clears.
    :ivar data: a shallow copy of the item as it was right after the change (for a delete, the
        item that was removed).
    """

    store: DataStore
    operation: Operation
    source: Item | None
    data: Item


class _ChangeSink:
    """The buffer behind one StoreStream; the store pushes into it on every change."""

    __slots__ = ("buffer", "closed", "dropped", "label", "maxsize", "waiters")

    def __init__(self, maxsize: int | None, label: str) -> None:
        self.buffer: deque[StoreChange] = deque(maxlen=maxsize)
        self.maxsize = maxsize
        self.dropped = 0
        self.closed = False
        self.label = label
        self.waiters: list[asyncio.Future[None]] = []

    def push(self, change: StoreChange) -> None:
        buffer = self.buffer
        if len(buffer) == self.maxsize:  # the deque drops the oldest change on append
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "watch() stream on %s is full (%d changes not read yet): the oldest "
                    "changes are being dropped; read the stream faster or pass a larger "
                    "maxsize to watch() (see StoreStream.dropped)",
                    self.label,
                    self.maxsize,
                )
        buffer.append(change)
        if self.waiters:
            _wake(self.waiters)


def _detach(sinks: list[_ChangeSink], sink: _ChangeSink) -> None:
    sink.closed = True
    try:
        sinks.remove(sink)
    except ValueError:
        pass
    if sink.waiters:
        _wake(sink.waiters)


class StoreStream:
    """A stream of :class:`StoreChange` from one store; create it with :meth:`DataStore.watch`.

    Use it as a context manager (``with store.watch() as stream:``) so that it stops receiving
    changes when you are done, and iterate it with ``async for``. A stream buffers at most
    ``maxsize`` unread changes; past that the oldest are dropped and counted in
    :attr:`dropped` (one warning is logged per stream). A stream that is no longer referenced
    detaches itself from the store.
    """

    __slots__ = ("__weakref__", "_finalizer", "_sink", "_store")

    def __init__(self, store: DataStore, maxsize: int | None = DEFAULT_WATCH_MAXSIZE) -> None:
        if maxsize is not None and (not isinstance(maxsize, int) or maxsize < 1):
            raise ValueError(
                f"watch(maxsize={maxsize!r}): maxsize must be a positive int, or None for an "
                "unbounded buffer"
            )
        self._store = store
        self._sink = sink = _ChangeSink(maxsize, store._label())
        store._sinks.append(sink)
        self._finalizer = weakref.finalize(self, _detach, store._sinks, sink)

    @property
    def store(self) -> DataStore:
        """The store this stream watches."""
        return self._store

    @property
    def dropped(self) -> int:
        """How many changes were dropped because the buffer was full."""
        return self._sink.dropped

    @property
    def maxsize(self) -> int | None:
        """The most unread changes this stream keeps (``None``: unbounded)."""
        return self._sink.maxsize

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._sink.closed

    def __len__(self) -> int:
        """Changes received and not read yet."""
        return len(self._sink.buffer)

    def close(self) -> None:
        """Stop receiving changes. Buffered changes can still be read; then iteration ends."""
        self._finalizer()

    async def get(self) -> StoreChange:
        """Return the next change, waiting for one if none is buffered."""
        sink = self._sink
        buffer = sink.buffer
        while not buffer:
            if sink.closed:
                raise RuntimeError(
                    f"this watch() stream on {sink.label} is closed and has no buffered "
                    "changes left; open a new one with store.watch()"
                )
            await _park(sink.waiters)
        return buffer.popleft()

    def get_nowait(self) -> StoreChange:
        """Return the next buffered change; raise ``asyncio.QueueEmpty`` if there is none."""
        try:
            return self._sink.buffer.popleft()
        except IndexError:
            raise asyncio.QueueEmpty from None

    def __enter__(self) -> StoreStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> StoreStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __aiter__(self) -> StoreStream:
        return self

    async def __anext__(self) -> StoreChange:
        sink = self._sink
        buffer = sink.buffer
        while not buffer:
            if sink.closed:
                raise StopAsyncIteration
            await _park(sink.waiters)
        return buffer.popleft()

    def __repr__(self) -> str:
        state = "closed" if self._sink.closed else "open"
        return (
            f"<StoreStream {state} on {self._sink.label}: {len(self._sink.buffer)} buffered, "
            f"{self._sink.dropped} dropped>"
        )


# -- DataStore -------------------------------------------------------------------------------


class DataStore:
    """A table of dict items, indexed by key fields, in insertion order.

    :param name: the store's name (set by :meth:`DataStoreCollection._create`).
    :param keys: the key fields; ``None`` or empty uses the class's ``_KEYS``. A store without
        key fields is an append-only log.
    :param data: initial items.

    Class attributes for subclasses: ``_KEYS`` (default key fields) and ``_MAXLEN`` (the most
    items kept; the oldest are dropped first; ``None`` for no limit; default 9999).

    Items are stored as given, not copied: treat what ``get``/``find`` return as read-only.
    """

    # __dict__ stays available: pybotters 1.x code sets attributes such as _MAXLEN on instances.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_data",
        "_key",
        "_keys",
        "_order",
        "_sinks",
        "_stale",
        "_waiters",
        "name",
    )

    _KEYS: ClassVar[list[str]] = []
    _MAXLEN: int | None = 9999

    def __init__(
        self,
        name: str | None = None,
        keys: list[str] | None = None,
        data: Iterable[Item] | None = None,
    ) -> None:
        self.name: str | None = name
        self._keys: tuple[str, ...] = tuple(keys if keys else self._KEYS)
        self._key: _KeyFunc | None = self._make_key() if self._keys else None
        self._data: Any = {} if self._keys else deque(maxlen=self._MAXLEN)
        # Eviction order of a keyed store, kept only once it has reached _MAXLEN:
        # _order lists keys in insertion order; _stale counts entries of deleted keys.
        self._order: deque[Hashable] | None = None
        self._stale: dict[Hashable, int] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._sinks: list[_ChangeSink] = []
        if data:
            self._insert(data)
        init = getattr(self, "_init", None)
        if init is not None:
            init()

    def _make_key(self) -> _KeyFunc:
        return itemgetter(*self._keys)

    def _label(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"{type(self).__name__}{name}"

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Item]:
        data = self._data
        return iter(data.values()) if self._key is not None else iter(data)

    def __reversed__(self) -> Iterator[Item]:
        data = self._data
        return reversed(data.values()) if self._key is not None else reversed(data)

    def get(self, item: Item) -> Item | None:
        """Return the stored item whose key fields equal ``item``'s, or ``None``.

        ``item`` needs only the key fields (``store.get({"id": 1})``). A keyless store, or an
        ``item`` without every key field, gives ``None``.
        """
        key = self._key
        if key is None:
            return None
        try:
            return self._data.get(key(item))
        except (KeyError, TypeError):
            return None

    def find(self, query: Item | None = None) -> list[Item]:
        """Return the items whose fields equal every field of ``query``, in insertion order.

        With no query (or an empty one) every item is returned. A query that holds all the key
        fields is answered from the index. The list is new; the items are the stored ones.
        """
        key = self._key
        if not query:
            return list(self._data.values()) if key is not None else list(self._data)
        if key is not None:
            if len(query) >= len(self._keys):
                try:
                    item = self._data.get(key(query))
                except (KeyError, TypeError):
                    pass
                else:
                    if item is None:
                        return []
                    return [item] if _matches(item, query) else []
            values: Iterable[Item] = self._data.values()
        else:
            values = self._data
        if len(query) == 1:
            ((f, v),) = query.items()
            return [it for it in values if f in it and v == it[f]]
        if len(query) == 2:
            (f1, v1), (f2, v2) = query.items()
            return [it for it in values if f1 in it and v1 == it[f1] and f2 in it and v2 == it[f2]]
        fields = tuple(query.items())
        return [it for it in values if all(f in it and v == it[f] for f, v in fields)]

    # -- waiting and watching --------------------------------------------------------------

    async def wait(self) -> None:
        """Wait until the store changes next (insert, update, delete or clear)."""
        await _park(self._waiters)

    def watch(self, maxsize: int | None = DEFAULT_WATCH_MAXSIZE) -> StoreStream:
        """Open a :class:`StoreStream` of this store's changes from now on.

        :param maxsize: the most unread changes buffered; past it the oldest are dropped and
            counted in ``stream.dropped``. ``None`` buffers without limit.
        """
        return StoreStream(self, maxsize)

    def _changed(self, operation: Operation, item: Item, source: Item | None = None) -> None:
        """Report a change a subclass made to a stored item in place (e.g. ``item["size"] -= 1``).

        Watchers get ``StoreChange(self, operation, source, copy of item)`` and waiters wake,
        exactly as after ``_update``. Never change an item's key fields in place.
        """
        if self._sinks:
            self._emit(operation, source, item)
        if self._waiters:
            _wake(self._waiters)

    def _emit(self, operation: Operation, source: Item | None, item: Item) -> None:
        change = StoreChange(self, operation, source, dict(item))
        for sink in self._sinks:
            sink.push(change)

    # -- subclass-facing operations ----------------------------------------------------------

    def _skip(self, item: object) -> None:
        if logger.isEnabledFor(_DEBUG):
            logger.debug(
                "%s ignored an item without all key fields %s: %s",
                self._label(),
                list(self._keys),
                _describe(item),
            )

    def _key_error(self, operation: str, item: object, exc: TypeError) -> TypeError:
        return TypeError(
            f"{self._label()}.{operation}() takes a list of dicts whose key fields "
            f"{list(self._keys)} hold hashable values; got {_describe(item)} ({exc})"
        )

    def _insert(self, data: Iterable[Item]) -> None:
        """Add items; an item whose key already exists replaces the stored one in place."""
        key = self._key
        if key is None:
            self._append(data, "insert")
            return
        if self._sinks or self._order is not None:
            self._insert_tracked(data, key)
        else:
            store = self._data
            item: object = None
            try:
                for item in data:
                    try:
                        store[key(item)] = item
                    except KeyError:
                        self._skip(item)
            except TypeError as exc:
                raise self._key_error("_insert", item, exc) from exc
            maxlen = self._MAXLEN
            if maxlen is not None and len(store) > maxlen:
                self._evict(maxlen)
        if self._waiters:
            _wake(self._waiters)

    def _update(self, data: Iterable[Item]) -> None:
        """Merge each item into the stored item with the same key, or add it if there is none."""
        key = self._key
        if key is None:
            self._append(data, "update")
            return
        if self._sinks or self._order is not None:
            self._update_tracked(data, key)
        else:
            store = self._data
            get = store.get
            item: object = None
            try:
                for item in data:
                    try:
                        k = key(item)
                    except KeyError:
                        self._skip(item)
                        continue
                    old = get(k)
                    if old is None:
                        store[k] = item
                    else:
                        old.update(item)
            except TypeError as exc:
                raise self._key_error("_update", item, exc) from exc
            maxlen = self._MAXLEN
            if maxlen is not None and len(store) > maxlen:
                self._evict(maxlen)
        if self._waiters:
            _wake(self._waiters)

    def _delete(self, data: Iterable[Item]) -> None:
        """Remove the stored items with the keys of the given items (missing ones are skipped).

        In a keyless store, each given item removes the first stored item equal to it.
        """
        key = self._key
        if key is None:
            self._delete_unkeyed(data)
        elif self._sinks or self._order is not None:
            self._delete_tracked(data, key)
        else:
            pop = self._data.pop
            item: object = None
            try:
                for item in data:
                    try:
                        pop(key(item), None)
                    except KeyError:
                        self._skip(item)
            except TypeError as exc:
                raise self._key_error("_delete", item, exc) from exc
        if self._waiters:
            _wake(self._waiters)

    def _clear(self) -> None:
        """Remove every item (each removal is reported to watchers as a delete)."""
        if self._sinks:
            emit = self._emit
            for item in self:
                emit("delete", None, item)
        self._data.clear()
        self._order = None
        self._stale.clear()
        if self._waiters:
            _wake(self._waiters)

    def _find_and_delete(self, query: Item | None = None) -> list[Item]:
        """Remove the items that ``find(query)`` returns and return them."""
        if not query:
            found = list(self)
            self._clear()
            return found
        found = self.find(query)
        if not found:
            return found
        if self._key is not None:
            self._delete(found)
            return found
        # keyless: keep the items that are not among the found ones (by identity)
        gone = {id(item) for item in found}
        buffer = self._data
        kept = [item for item in buffer if id(item) not in gone]
        buffer.clear()
        buffer.extend(kept)
        if self._sinks:
            for item in found:
                self._emit("delete", item, item)
        if self._waiters:
            _wake(self._waiters)
        return found

    def _pop(self, item: Item) -> Item | None:
        """Remove and return the stored item with ``item``'s key (``None`` if there is none)."""
        key = self._key
        if key is None:
            buffer = self._data
            try:
                index = buffer.index(item)
            except ValueError:
                return None
            popped: Item = buffer[index]
            del buffer[index]
        else:
            try:
                k = key(item)
                found = self._data.pop(k, None)
            except (KeyError, TypeError):
                return None
            if found is None:
                return None
            popped = found
            self._forget(k, popped)
        if self._sinks:
            self._emit("delete", item, popped)
        if self._waiters:
            _wake(self._waiters)
        return popped

    def _sorted(
        self,
        item_key: str,
        item_asc_key: str,
        item_desc_key: str,
        sort_key: str,
        query: Item | None = None,
        limit: int | None = None,
    ) -> dict[str, list[Item]]:
        """Split items by ``item_key`` and sort them by ``float(item[sort_key])`` (full sort).

        Kept for stores ported from pybotters 1.x; order books should derive from
        :class:`OrderBookStore`, whose ``sorted()`` does not sort on every call.
        """
        result: dict[str, list[Item]] = {item_asc_key: [], item_desc_key: []}
        for item in self.find(query):
            bucket = result.get(item.get(item_key))  # type: ignore[arg-type]
            if bucket is not None:
                bucket.append(item)
        result[item_asc_key].sort(key=lambda x: float(x[sort_key]))
        result[item_desc_key].sort(key=lambda x: float(x[sort_key]), reverse=True)
        if limit:
            result[item_asc_key] = result[item_asc_key][:limit]
            result[item_desc_key] = result[item_desc_key][:limit]
        return result

    # -- internals -------------------------------------------------------------------------

    def _append(self, data: Iterable[Item], operation: Operation) -> None:
        buffer = self._data
        if buffer.maxlen != self._MAXLEN:  # _MAXLEN was changed on the instance
            buffer = self._data = deque(buffer, maxlen=self._MAXLEN)
        if self._sinks:
            emit = self._emit
            for item in data:
                buffer.append(item)
                emit(operation, None, item)
        else:
            buffer.extend(data)
        if self._waiters:
            _wake(self._waiters)

    def _delete_unkeyed(self, data: Iterable[Item]) -> None:
        buffer = self._data
        for item in data:
            try:
                index = buffer.index(item)
            except ValueError:
                continue
            stored = buffer[index]
            del buffer[index]
            if self._sinks:
                self._emit("delete", item, stored)

    def _insert_tracked(self, data: Iterable[Item], key: _KeyFunc) -> None:
        store = self._data
        order = self._order
        watched = bool(self._sinks)
        item: object = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                if order is not None and k not in store:
                    order.append(k)
                store[k] = item
                if watched:
                    self._emit("insert", None, item)
        except TypeError as exc:
            raise self._key_error("_insert", item, exc) from exc
        maxlen = self._MAXLEN
        if maxlen is not None and len(store) > maxlen:
            self._evict(maxlen)

    def _update_tracked(self, data: Iterable[Item], key: _KeyFunc) -> None:
        store = self._data
        order = self._order
        watched = bool(self._sinks)
        item: object = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                old = store.get(k)
                if old is None:
                    store[k] = item
                    if order is not None:
                        order.append(k)
                    if watched:
                        self._emit("update", None, item)
                else:
                    old.update(item)
                    if watched:
                        self._emit("update", item, old)
        except TypeError as exc:
            raise self._key_error("_update", item, exc) from exc
        maxlen = self._MAXLEN
        if maxlen is not None and len(store) > maxlen:
            self._evict(maxlen)

    def _delete_tracked(self, data: Iterable[Item], key: _KeyFunc) -> None:
        pop = self._data.pop
        watched = bool(self._sinks)
        item: object = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                old = pop(k, None)
                if old is not None:
                    self._forget(k, old)
                    if watched:
                        self._emit("delete", item, old)
        except TypeError as exc:
            raise self._key_error("_delete", item, exc) from exc

    def _forget(self, key: Hashable, item: Item) -> None:
        """Bookkeeping after ``key`` left the table outside eviction."""
        order = self._order
        if order is not None:
            stale = self._stale
            stale[key] = stale.get(key, 0) + 1
            if len(order) > 2 * len(self._data) + 1024:
                self._order = deque(self._data)
                stale.clear()

    def _evict(self, maxlen: int) -> None:
        """Drop the oldest items until at most ``maxlen`` remain (no change is reported)."""
        store = self._data
        order = self._order
        if order is None:
            order = self._order = deque(store)
            self._stale.clear()
        stale = self._stale
        popleft = order.popleft
        while len(store) > maxlen:
            k = popleft()
            n = stale.get(k)
            if n:
                if n == 1:
                    del stale[k]
                else:
                    stale[k] = n - 1
                continue
            del store[k]


def _matches(item: Item, query: Item) -> bool:
    return all(f in item and v == item[f] for f, v in query.items())


TDataStore = TypeVar("TDataStore", bound=DataStore)


# -- order books -------------------------------------------------------------------------------


class _Tie(list):
    """Several items at one numeric price of one book side, in insertion order."""

    __slots__ = ()


_PROMOTE = 4096
"""A book side with more levels than this keeps its prices in a SortedList (O(log n) inserts);
smaller sides use a plain list and bisect, which is faster at that size."""


class _BookSide:
    """One side of one symbol's book: sorted price keys and the items at each price.

    Keys are ``float(price)`` for asks and ``-float(price)`` for bids, so both sides read
    best-first in ascending key order.
    """

    __slots__ = ("levels", "prices")

    def __init__(self) -> None:
        self.prices: Any = []
        self.levels: dict[float, Any] = {}

    def insert(self, p: float) -> None:
        prices = self.prices
        if type(prices) is list:
            insort(prices, p)
            if len(prices) > _PROMOTE:
                self.prices = SortedList(prices)
        else:
            prices.add(p)

    def rebuild(self) -> None:
        prices = sorted(self.levels)
        self.prices = prices if len(prices) <= _PROMOTE else SortedList(prices)

    def take(self, limit: int | None, ties: bool) -> list[Item]:
        if ties:
            return self.take_where(None, limit)
        levels = self.levels
        prices = self.prices
        if limit:
            prices = prices[:limit] if type(prices) is list else islice(prices, limit)
        return [levels[p] for p in prices]

    def take_where(self, query: Item | None, limit: int | None) -> list[Item]:
        out: list[Item] = []
        levels = self.levels
        for p in self.prices:
            level = levels[p]
            for item in level if type(level) is _Tie else (level,):
                if query is None or _matches(item, query):
                    out.append(item)
                    if limit and len(out) >= limit:
                        return out
        return out


_EMPTY_BOOK = (_BookSide(), _BookSide())


class OrderBookStore(DataStore):
    """A DataStore of order-book levels, kept sorted per (symbol, side) as it changes.

    Configure a subclass with class attributes:

    - ``_BOOK_SYMBOL``, ``_BOOK_SIDE``, ``_BOOK_PRICE``: the item fields holding the symbol,
      the side and the price (e.g. ``"product_code"``, ``"side"``, ``"price"``).
    - ``_BOOK_ASK``, ``_BOOK_BID``: the side field's values for asks and bids
      (e.g. ``"asks"``/``"bids"``, ``"a"``/``"b"``, ``"SELL"``/``"BUY"``).
    - ``_SORTED_KEYS``: the keys of ``sorted()``'s result, ``(ask_key, bid_key)``.

    ``_KEYS`` defaults to ``[_BOOK_SYMBOL, _BOOK_SIDE, _BOOK_PRICE]``. Prices are compared as
    numbers (``float(price)``) even when they arrive as strings. Items whose side is neither
    ``_BOOK_ASK`` nor ``_BOOK_BID``, or whose price is not a number, are not stored (a warning
    is logged once per store). ``_MAXLEN`` does not apply: a book holds what the exchange sends.

    Adding or removing a price level costs O(log n), changing an existing level one dict
    lookup, and ``sorted(limit=n)`` O(n). Replace one symbol's book with
    :meth:`_clear_symbol` followed by :meth:`_insert`.
    """

    __slots__ = ("_books", "_sides", "_ties", "_warned")

    _BOOK_SYMBOL: str = "symbol"
    _BOOK_SIDE: str = "side"
    _BOOK_PRICE: str = "price"
    _BOOK_ASK: Hashable = "asks"
    _BOOK_BID: Hashable = "bids"
    _SORTED_KEYS: tuple[str, str] = ("asks", "bids")
    _KEYS: ClassVar[list[str]] = ["symbol", "side", "price"]
    _MAXLEN = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_KEYS" not in cls.__dict__:
            cls._KEYS = [cls._BOOK_SYMBOL, cls._BOOK_SIDE, cls._BOOK_PRICE]
        if cls._BOOK_ASK == cls._BOOK_BID:
            raise TypeError(
                f"{cls.__name__}: _BOOK_ASK and _BOOK_BID are both {cls._BOOK_ASK!r}; set them "
                "to the side field's values for asks and bids"
            )
        if len(cls._SORTED_KEYS) != 2 or cls._SORTED_KEYS[0] == cls._SORTED_KEYS[1]:
            raise TypeError(
                f"{cls.__name__}: _SORTED_KEYS must be two different names (ask_key, bid_key), "
                f"got {cls._SORTED_KEYS!r}"
            )

    def __init__(
        self,
        name: str | None = None,
        keys: list[str] | None = None,
        data: Iterable[Item] | None = None,
    ) -> None:
        self._books: dict[Hashable, tuple[_BookSide, _BookSide]] = {}
        self._sides: dict[Hashable, int] = {self._BOOK_ASK: 0, self._BOOK_BID: 1}
        self._ties = 0
        self._warned = False
        super().__init__(name, keys, data)

    def _make_key(self) -> _KeyFunc:
        book_fields = (self._BOOK_SYMBOL, self._BOOK_SIDE, self._BOOK_PRICE)
        missing = [f for f in book_fields if f not in self._keys]
        if missing:
            raise ValueError(
                f"{type(self).__name__}: the keys {list(self._keys)} must include the symbol, "
                f"side and price fields {list(book_fields)}; missing {missing}"
            )
        # Internally the key tuple starts with (symbol, side, price).
        extra = [f for f in self._keys if f not in book_fields]
        return itemgetter(*book_fields, *extra)

    def _reject(self, item: object, why: str) -> None:
        if not self._warned:
            self._warned = True
            logger.warning(
                "%s ignored a book level %s: %s (further ones are logged at debug level)",
                self._label(),
                _describe(item),
                why,
            )
        elif logger.isEnabledFor(_DEBUG):
            logger.debug("%s ignored a book level %s: %s", self._label(), _describe(item), why)

    # -- reading ---------------------------------------------------------------------------

    def sorted(self, query: Item | None = None, limit: int | None = None) -> dict[str, list[Item]]:
        """Return ``{ask_key: [asks, lowest price first], bid_key: [bids, highest first]}``.

        :param query: keep only items whose fields equal the query's, as in :meth:`find`
            (e.g. ``{"product_code": "BTC_JPY"}``).
        :param limit: at most this many levels per side (``None`` or 0: all).

        Items at the same numeric price keep their insertion order, so the result is exactly
        a stable full sort of ``find(query)``.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"sorted(limit={limit!r}): limit must be None or >= 0")
        ask_key, bid_key = self._SORTED_KEYS
        rest: Item | None = None
        if query:
            symbol_field = self._BOOK_SYMBOL
            if symbol_field in query:
                try:
                    book = self._books.get(query[symbol_field])
                except TypeError:  # an unhashable symbol matches no item
                    return {ask_key: [], bid_key: []}
                if book is None:
                    return {ask_key: [], bid_key: []}
                if len(query) > 1:
                    rest = {f: v for f, v in query.items() if f != symbol_field}
            else:
                single = self._single_book()
                if single is None:
                    return self._sorted_fully(query, limit)
                book = single
                rest = query
        else:
            single = self._single_book()
            if single is None:
                return self._sorted_fully(None, limit)
            book = single
        if rest is None:
            ties = self._ties > 0
            return {ask_key: book[0].take(limit, ties), bid_key: book[1].take(limit, ties)}
        return {ask_key: book[0].take_where(rest, limit), bid_key: book[1].take_where(rest, limit)}

    def _single_book(self) -> tuple[_BookSide, _BookSide] | None:
        """The only symbol's book with levels (an empty book if none); None if several."""
        books = self._books
        if len(books) == 1:
            for book in books.values():
                return book
        found = _EMPTY_BOOK
        for book in books.values():
            if book[0].levels or book[1].levels:
                if found is not _EMPTY_BOOK:
                    return None
                found = book
        return found

    def _sorted_fully(self, query: Item | None, limit: int | None) -> dict[str, list[Item]]:
        # Several symbols and no symbol in the query: merge them by a stable full sort.
        ask_key, bid_key = self._SORTED_KEYS
        price = self._BOOK_PRICE
        side = self._BOOK_SIDE
        ask = self._BOOK_ASK
        asks: list[Item] = []
        bids: list[Item] = []
        for item in self.find(query):
            (asks if item[side] == ask else bids).append(item)
        asks.sort(key=lambda x: float(x[price]))
        bids.sort(key=lambda x: float(x[price]), reverse=True)
        if limit:
            del asks[limit:]
            del bids[limit:]
        return {ask_key: asks, bid_key: bids}

    def symbols(self) -> list[Hashable]:
        """The symbols that have at least one level, in first-seen order."""
        return [s for s, b in self._books.items() if b[0].levels or b[1].levels]

    def best_prices(self, symbol: Hashable) -> tuple[float | None, float | None]:
        """``(best ask, best bid)`` of ``symbol`` as numbers, ``None`` for an empty side.

        O(1): reads the head of each sorted side, builds no item list. Plugins use it for
        per-message checks such as a crossed book or mid-price pruning.
        """
        book = self._books.get(symbol)
        if book is None:
            return None, None
        asks, bids = book[0].prices, book[1].prices
        return (asks[0] if asks else None), (-bids[0] if bids else None)

    # -- writing ---------------------------------------------------------------------------

    def _side_for(self, k: tuple[Any, ...], item: Item) -> tuple[_BookSide, float] | None:
        """The side and sort key of a new level, or None (logged) if it cannot be placed."""
        index = self._sides.get(k[1])
        if index is None:
            self._reject(
                item,
                f"its {self._BOOK_SIDE!r} is {k[1]!r}, neither _BOOK_ASK {self._BOOK_ASK!r} "
                f"nor _BOOK_BID {self._BOOK_BID!r}",
            )
            return None
        try:
            p = float(k[2])
        except (TypeError, ValueError):
            self._reject(item, f"its {self._BOOK_PRICE!r} {k[2]!r} is not a number")
            return None
        if p - p != 0.0:  # NaN or infinite
            self._reject(item, f"its {self._BOOK_PRICE!r} {k[2]!r} is not a finite number")
            return None
        book = self._books.get(k[0])
        if book is None:
            book = self._books[k[0]] = (_BookSide(), _BookSide())
        return (book[1], -p) if index else (book[0], p)

    def _tie(self, side: _BookSide, p: float, item: Item) -> None:
        level = side.levels[p]
        if type(level) is _Tie:
            level.append(item)
        else:
            side.levels[p] = _Tie((level, item))
            self._ties += 1

    def _untie(self, side: _BookSide, p: float, old: Item) -> None:
        level = side.levels[p]
        for i, x in enumerate(level):
            if x is old:
                del level[i]
                break
        if len(level) == 1:
            side.levels[p] = level[0]
            self._ties -= 1

    def _insert(self, data: Iterable[Item]) -> None:
        key: Any = self._key
        store = self._data
        get = store.get
        sinks = self._sinks
        books = self._books
        sides = self._sides
        # A large batch (a snapshot) sorts each touched side once at the end.
        pending: dict[int, tuple[_BookSide, list[float]]] | None = (
            {} if isinstance(data, (list, tuple)) and len(data) > 64 else None
        )
        item: Any = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                old = get(k)
                if old is not None:  # replace the item, keeping its place
                    index = sides[k[1]]
                    p = float(k[2])
                    if index:
                        levels = books[k[0]][1].levels
                        p = -p
                    else:
                        levels = books[k[0]][0].levels
                    if levels[p] is old:
                        levels[p] = item
                    else:
                        level = levels[p]
                        level[[x is old for x in level].index(True)] = item
                    store[k] = item
                    if sinks:
                        self._emit("insert", None, item)
                    continue
                spot = self._side_for(k, item)
                if spot is None:
                    continue
                side, p = spot
                levels = side.levels
                if p in levels:
                    self._tie(side, p, item)
                elif pending is None:
                    levels[p] = item
                    side.insert(p)
                else:
                    levels[p] = item
                    entry = pending.get(id(side))
                    if entry is None:
                        pending[id(side)] = (side, [p])
                    else:
                        entry[1].append(p)
                store[k] = item
                if sinks:
                    self._emit("insert", None, item)
        except TypeError as exc:
            raise self._key_error("_insert", item, exc) from exc
        finally:
            if pending:
                for side, new in pending.values():
                    if len(new) * 8 >= len(side.levels):
                        side.rebuild()
                    else:
                        for p in new:
                            side.insert(p)
        if self._waiters:
            _wake(self._waiters)

    def _update(self, data: Iterable[Item]) -> None:
        key: Any = self._key
        store = self._data
        get = store.get
        sinks = self._sinks
        books = self._books
        sides = self._sides
        item: Any = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                old = get(k)
                if old is not None:
                    old.update(item)
                    if sinks:
                        self._emit("update", item, old)
                    continue
                # a new level: the common case inline, anything unusual through _side_for
                index = sides.get(k[1])
                book = books.get(k[0])
                if index is None or book is None:
                    spot = self._side_for(k, item)
                    if spot is None:
                        continue
                    side, p = spot
                else:
                    try:
                        p = float(k[2])
                    except (TypeError, ValueError):
                        p = _NAN
                    if p - p != 0.0:  # NaN or infinite
                        self._side_for(k, item)  # rejects and logs it
                        continue
                    if index:
                        side = book[1]
                        p = -p
                    else:
                        side = book[0]
                levels = side.levels
                if p in levels:
                    self._tie(side, p, item)
                else:
                    levels[p] = item
                    prices = side.prices
                    if type(prices) is list and len(prices) < _PROMOTE:
                        insort(prices, p)
                    else:
                        side.insert(p)
                store[k] = item
                if sinks:
                    self._emit("update", None, item)
        except TypeError as exc:
            raise self._key_error("_update", item, exc) from exc
        if self._waiters:
            _wake(self._waiters)

    def _delete(self, data: Iterable[Item]) -> None:
        key: Any = self._key
        pop = self._data.pop
        sinks = self._sinks
        books = self._books
        sides = self._sides
        item: Any = None
        try:
            for item in data:
                try:
                    k = key(item)
                except KeyError:
                    self._skip(item)
                    continue
                old = pop(k, None)
                if old is None:
                    continue
                index = sides[k[1]]
                p = float(k[2])
                if index:
                    side = books[k[0]][1]
                    p = -p
                else:
                    side = books[k[0]][0]
                levels = side.levels
                if levels[p] is old:
                    del levels[p]
                    prices = side.prices
                    if type(prices) is list:
                        del prices[bisect_left(prices, p)]
                    else:
                        prices.remove(p)
                else:
                    self._untie(side, p, old)
                if sinks:
                    self._emit("delete", item, old)
        except TypeError as exc:
            raise self._key_error("_delete", item, exc) from exc
        if self._waiters:
            _wake(self._waiters)

    def _pop(self, item: Item) -> Item | None:
        key: Any = self._key
        try:
            k = key(item)
        except (KeyError, TypeError):
            return None
        old = self._data.get(k)
        if old is None:
            return None
        self._delete([item])
        return old

    def _clear(self) -> None:
        self._books.clear()
        self._ties = 0
        super()._clear()

    def _clear_symbol(self, symbol: Hashable) -> None:
        """Remove every level of one symbol in O(levels of that symbol).

        Use it before inserting a fresh snapshot of that symbol's book. Watchers see each
        removed level as a delete.
        """
        book = self._books.pop(symbol, None)
        if book is None:
            return
        key: Any = self._key
        pop = self._data.pop
        emit = self._emit if self._sinks else None
        for side in book:
            for level in side.levels.values():
                if type(level) is _Tie:
                    self._ties -= 1
                    for item in level:
                        pop(key(item), None)
                        if emit is not None:
                            emit("delete", None, item)
                else:
                    pop(key(level), None)
                    if emit is not None:
                        emit("delete", None, level)
        if self._waiters:
            _wake(self._waiters)

    def _find_and_delete(self, query: Item | None = None) -> list[Item]:
        if query and len(query) == 1 and self._BOOK_SYMBOL in query:
            found = self.find(query)
            if found:
                self._clear_symbol(query[self._BOOK_SYMBOL])
            return found
        return super()._find_and_delete(query)


# -- collections -------------------------------------------------------------------------------


class DataStoreCollection:
    """The stores of one exchange, fed by WebSocket messages and HTTP snapshots.

    Subclasses create their stores in ``_init()`` (or ``__init__`` after ``super().__init__()``)
    with :meth:`_create`, parse messages in ``_onmessage(msg, ws)`` and load HTTP snapshots in
    ``_onresponse(resp, data)``.
    """

    __slots__ = ("__weakref__", "_stores", "_waiters")

    def __init__(self) -> None:
        self._stores: dict[str, DataStore] = {}
        self._waiters: list[asyncio.Future[None]] = []
        init = getattr(self, "_init", None)
        if init is not None:
            init()

    def __getitem__(self, name: str) -> DataStore:
        return self._stores[name]

    def __contains__(self, name: object) -> bool:
        return name in self._stores

    def __iter__(self) -> Iterator[str]:
        """The names of the stores, in creation order."""
        return iter(self._stores)

    @overload
    def _create(
        self, name: str, *, keys: list[str] | None = None, data: Iterable[Item] | None = None
    ) -> DataStore: ...

    @overload
    def _create(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        data: Iterable[Item] | None = None,
        datastore_class: type[TDataStore],
    ) -> TDataStore: ...

    def _create(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        data: Iterable[Item] | None = None,
        datastore_class: type[DataStore] = DataStore,
    ) -> DataStore:
        """Create a store of ``datastore_class`` named ``name``, register it and return it."""
        if name in self._stores:
            raise ValueError(
                f"{type(self).__name__} already has a store named {name!r}; pick another name"
            )
        store = datastore_class(name, keys, data)
        self._stores[name] = store
        return store

    @overload
    def _get(self, name: str, type_: type[TDataStore]) -> TDataStore: ...

    @overload
    def _get(self, name: str, type_: None = None) -> DataStore | None: ...

    def _get(self, name: str, type_: type[DataStore] | None = None) -> DataStore | None:
        return self._stores.get(name)

    def onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None = None) -> None:
        """WebSocket handler: pass it as ``hdlr_json=store.onmessage`` to ``ws_connect``."""
        self._onmessage(msg, ws)
        if self._waiters:
            _wake(self._waiters)

    def _onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        raise NotImplementedError(
            f"{type(self).__name__} does not handle WebSocket messages: a DataStoreCollection "
            "subclass must implement _onmessage(msg, ws)"
        )

    async def wait(self) -> None:
        """Wait until the next message is handled or any of the stores changes."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lists = [self._waiters]
        lists.extend(store._waiters for store in self._stores.values())
        for waiters in lists:
            waiters.append(fut)
        try:
            await fut
        finally:
            for waiters in lists:
                try:
                    waiters.remove(fut)
                except ValueError:
                    pass

    async def initialize(self, *aws: Any) -> None:
        """Load HTTP snapshots into the stores.

        Pass requests such as ``client.get("/v1/me/getpositions", params=...)``: request
        context managers, coroutines giving a response or a ``FetchResult``, or responses.
        They are awaited concurrently; each body is read, decoded as JSON and handed with its
        response to ``_onresponse(resp, data)``, in the order given. An HTTP error status or
        a non-JSON body raises :class:`DataStoreInitializeError` before any store is changed.
        """
        if not aws:
            return
        results = await asyncio.gather(*(_read_snapshot(aw) for aw in aws), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        for result in results:
            resp, data = result  # type: ignore[misc]
            self._onresponse(resp, data)
        if self._waiters:
            _wake(self._waiters)

    def _onresponse(self, resp: aiohttp.ClientResponse, data: Any) -> None:
        """Load one HTTP snapshot; subclasses dispatch on ``resp.url.path``.

        The base implementation refuses every endpoint: call it for the ones you do not
        support, so the user learns which endpoint was wrong.
        """
        raise DataStoreInitializeError(
            f"{type(self).__name__}.initialize() does not support {resp.method} "
            f"{resp.url.path}; pass only the endpoints listed in its documentation"
        )


def _excerpt(body: bytes) -> str:
    text = " ".join(body[:300].decode("utf-8", "replace").split())
    return text[:200] + ("..." if len(body) > 200 else "") if text else "(empty body)"


async def _read_snapshot(aw: Any) -> tuple[Any, Any]:
    from ._client import FetchResult, NotJSONContent

    result = await aw if hasattr(aw, "__await__") else aw
    if isinstance(result, FetchResult):
        resp = result.response
        if resp.status >= 400:
            raise DataStoreInitializeError(
                f"initialize(): {resp.method} {resp.url.path} answered HTTP {resp.status} "
                f"{resp.reason or ''}: {_excerpt(result.text.encode())}"
            )
        if isinstance(result.data, NotJSONContent):
            raise DataStoreInitializeError(
                f"initialize(): {resp.method} {resp.url.path} did not return JSON: "
                f"{_excerpt(result.text.encode())}"
            )
        return resp, result.data
    if not (hasattr(result, "read") and hasattr(result, "status") and hasattr(result, "url")):
        raise TypeError(
            "initialize() takes HTTP requests such as client.get(url), coroutines that give "
            f"a response, or responses; got {type(result).__name__}"
        )
    try:
        body: bytes = await result.read()
    finally:
        result.release()
    if result.status >= 400:
        raise DataStoreInitializeError(
            f"initialize(): {result.method} {result.url.path} answered HTTP {result.status} "
            f"{result.reason or ''}: {_excerpt(body)}"
        )
    import orjson

    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise DataStoreInitializeError(
            f"initialize(): {result.method} {result.url.path} did not return JSON: {_excerpt(body)}"
        ) from None
    return result, data
