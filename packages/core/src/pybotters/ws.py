"""Self-healing WebSocket streams: :class:`WebSocketApp` and the :class:`WebSocketQueue` handler.

A :class:`WebSocketApp` is made by :meth:`pybotters.Client.ws_connect` and runs one task that
repeats, for as long as the app lives::

    handshake
    -> exchange login (plugin authenticator, awaited, bounded by a timeout)
    -> replay of the frames the login read, to the handlers
    -> the user's send_str / send_bytes / send_json messages (signed and paced by the plugin)
    -> the exchange's application heartbeat task, if it has one
    -> receive loop: every TEXT/BINARY frame goes to the handlers, JSON decoded once
    -> on any close or error: wait (backoff with jitter) and start over

Handlers are called as ``handler(msg, ws)``: ``hdlr_str`` gets the text of TEXT frames,
``hdlr_bytes`` the bytes of BINARY frames and ``hdlr_json`` the object decoded (by orjson) from
either; ``ws`` is the live :class:`aiohttp.ClientWebSocketResponse`. A handler that raises is
logged with its traceback on the ``pybotters`` logger; the stream and the other handlers go on.
A handler may be a coroutine function: its coroutine is run as a task (kept until it ends, its
exception logged) so that the receive loop never waits for it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import warnings
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import aiohttp
import orjson
from yarl import URL

from . import _clock
from ._client import _DEFAULT
from ._exceptions import InsecureSigningWarning, WebSocketAuthError
from ._ws_timing import DEFAULT_BACKOFF, Backoff, SendLimiter, check_backoff
from .hookspecs import WebSocketAuth

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from ._client import Client
    from .hookspecs import Credential, Heartbeat

__all__ = [
    "DEFAULT_BACKOFF",
    "BytesHandler",
    "JsonHandler",
    "StrHandler",
    "WebSocketApp",
    "WebSocketQueue",
]

logger = logging.getLogger("pybotters")

StrHandler = Callable[[str, aiohttp.ClientWebSocketResponse], Any]
"""``(text, ws)``: called with the text of every TEXT frame."""
BytesHandler = Callable[[bytes, aiohttp.ClientWebSocketResponse], Any]
"""``(data, ws)``: called with the payload of every BINARY frame."""
JsonHandler = Callable[[Any, aiohttp.ClientWebSocketResponse], Any]
"""``(obj, ws)``: called with the JSON decoded from every TEXT or BINARY frame that is JSON."""

_T = TypeVar("_T")

_TEXT = aiohttp.WSMsgType.TEXT
_BINARY = aiohttp.WSMsgType.BINARY
_PING = aiohttp.WSMsgType.PING
_PONG = aiohttp.WSMsgType.PONG
_ERROR = aiohttp.WSMsgType.ERROR
_CLOSING = aiohttp.WSMsgType.CLOSING
_CLOSED_HERE = "closed by this side (current_ws.close())"
_ENDED = frozenset(
    {
        aiohttp.WSMsgType.CLOSE,
        aiohttp.WSMsgType.CLOSING,
        aiohttp.WSMsgType.CLOSED,
        aiohttp.WSMsgType.ERROR,
    }
)
_CONNECTION_ERRORS = (ConnectionError, aiohttp.ClientError, asyncio.TimeoutError)


def _safe_url(url: URL) -> str:
    """The URL without its query and credentials: query strings may carry tokens."""
    port = f":{url.explicit_port}" if url.explicit_port is not None else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientResponseError):
        # str() of these includes the full URL (and so its query); keep status and reason.
        return f"{type(exc).__name__}: {exc.status} {exc.message}"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _items(value: Any, kind: type[_T] | tuple[type, ...], name: str) -> tuple[_T, ...]:
    """One item or a list of items -> a tuple, checking each item's type."""
    if value is None:
        return ()
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, kind):
            expected = kind.__name__ if isinstance(kind, type) else kind[0].__name__
            raise TypeError(
                f"{name} takes a {expected} or a list of them, got {type(item).__name__}: "
                f"{item!r:.80}"
            )
    return tuple(items)


def _json_items(value: Any) -> tuple[Any, ...]:
    """send_json: a list means several messages; anything else is one message."""
    if value is None:
        return ()
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        try:
            orjson.dumps(item)
        except TypeError as exc:
            raise TypeError(
                f"send_json item {item!r:.80} cannot be encoded as JSON ({exc}); give dicts, "
                "lists, strings, numbers, booleans or None (a list holds several messages)"
            ) from None
    return tuple(items)


def _handlers(value: Any, name: str) -> tuple[Callable[..., Any], ...]:
    if value is None:
        return ()
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not callable(item):
            raise TypeError(
                f"{name} takes a callable (msg, ws) or a list of them, got "
                f"{type(item).__name__}: {item!r:.80}"
            )
    return tuple(items)


def _parse_url(url: Any) -> URL:
    if not isinstance(url, (str, URL)):
        raise TypeError(f"the WebSocket URL must be a str or yarl.URL, got {type(url).__name__}")
    parsed = URL(url)
    if parsed.scheme not in ("ws", "wss", "http", "https") or not parsed.host:
        raise ValueError(
            f"{_safe_url(parsed) if parsed.host else str(url)[:80]!r} is not a WebSocket URL; "
            "give an absolute URL such as 'wss://ws.lightstream.bitflyer.com/json-rpc' "
            "(base_url is not applied to WebSocket URLs)"
        )
    return parsed


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to do on each connection to one URL: resolved once, when the URL is set."""

    url: URL
    exchange: str | None = None
    api_name: str | None = None
    credential: Credential | None = None
    authenticate: Callable[[WebSocketAuth], Awaitable[None]] | None = None
    heartbeat: Heartbeat | None = None
    prepare: Callable[[Any, Credential | None, float], Any] | None = None
    send_limit: tuple[int, float] | None = None

    def new_limiter(self) -> SendLimiter | None:
        if self.send_limit is None:
            return None
        return SendLimiter(*self.send_limit)


def _make_dispatchers(
    hdlr_str: tuple[StrHandler, ...],
    hdlr_bytes: tuple[BytesHandler, ...],
    hdlr_json: tuple[JsonHandler, ...],
    keep: Callable[[Any, Callable[..., Any]], None],
) -> tuple[
    Callable[[str, aiohttp.ClientWebSocketResponse], None],
    Callable[[bytes, aiohttp.ClientWebSocketResponse], None],
]:
    """Build the two per-frame functions of the receive loop, with everything bound locally."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError

    def failed(handler: Callable[..., Any]) -> None:
        logger.exception(
            "WebSocket handler %s raised; the stream and the other handlers go on",
            getattr(handler, "__qualname__", handler),
        )

    def on_json(data: str | bytes, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            obj = loads(data)
        except decode_error:
            logger.debug("WebSocket frame is not JSON; hdlr_json skipped it: %.80r", data)
            return
        for handler in hdlr_json:
            try:
                result = handler(obj, ws)
            except Exception:
                failed(handler)
            else:
                if result is not None:
                    keep(result, handler)

    def on_text(data: str, ws: aiohttp.ClientWebSocketResponse) -> None:
        for handler in hdlr_str:
            try:
                result = handler(data, ws)
            except Exception:
                failed(handler)
            else:
                if result is not None:
                    keep(result, handler)
        if hdlr_json:
            on_json(data, ws)

    def on_binary(data: bytes, ws: aiohttp.ClientWebSocketResponse) -> None:
        for handler in hdlr_bytes:
            try:
                result = handler(data, ws)
            except Exception:
                failed(handler)
            else:
                if result is not None:
                    keep(result, handler)
        if hdlr_json:
            on_json(data, ws)

    return on_text, on_binary


class WebSocketApp:
    """A WebSocket stream that reconnects, re-authenticates and re-subscribes by itself.

    Made by :meth:`pybotters.Client.ws_connect`, which returns it at once; its task starts in
    the running event loop.

    - ``await app`` waits until the first connection is open, logged in (where the exchange
      plugin does that) and its ``send_*`` messages are sent, and returns the app.
    - :meth:`wait` waits until the app ends (it reconnects forever, so: until it is closed).
    - :attr:`url` may be changed; the next connection uses it.
    - :attr:`current_ws` is the live :class:`aiohttp.ClientWebSocketResponse` or ``None``.
    - :meth:`heartbeat` proves the connection is alive with a ping/pong, reconnecting if not.
    - :meth:`send_str`, :meth:`send_bytes`, :meth:`send_json` send on the live connection with
      the exchange's message signing and send pacing.
    - :meth:`close` (also done by ``Client.close()``) stops the app and closes its connection.

    Class attributes that tune the loop (override on a subclass or an instance's class):
    :attr:`auth_timeout`, :attr:`healthy_after`, :attr:`close_timeout`.
    """

    auth_timeout: float = 15.0
    """Seconds the exchange login may take; past it the connection is dropped and retried."""
    healthy_after: float = 10.0
    """A connection that lived this many seconds resets the backoff: the next one is immediate."""
    close_timeout: float = 5.0
    """Seconds to wait for a clean close of a connection before dropping it."""

    __slots__ = (
        "_auth",
        "_autoping",
        "_background",
        "_backoff",
        "_client",
        "_closing",
        "_conn",
        "_conn_plan",
        "_connect_kwargs",
        "_current_ws",
        "_ended",
        "_limiter",
        "_on_binary",
        "_on_text",
        "_pings",
        "_plan",
        "_ready",
        "_send_bytes",
        "_send_json",
        "_send_str",
        "_task",
        "_url",
    )

    def __init__(
        self,
        client: Client,
        url: str | URL,
        *,
        send_str: str | Sequence[str] | None = None,
        send_bytes: bytes | Sequence[bytes] | None = None,
        send_json: Any = None,
        hdlr_str: StrHandler | Sequence[StrHandler] | None = None,
        hdlr_bytes: BytesHandler | Sequence[BytesHandler] | None = None,
        hdlr_json: JsonHandler | Sequence[JsonHandler] | None = None,
        backoff: tuple[float, float, float, float] = DEFAULT_BACKOFF,
        heartbeat: float | None = 10.0,
        auth: Any = _DEFAULT,
        **kwargs: Any,
    ) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "ws_connect() starts a task in the running event loop; call it from a "
                "coroutine (inside asyncio.run(...)), not from synchronous code"
            ) from None
        self._client = client
        self._auth = auth
        self._url: str | URL = url
        self._plan = self._resolve(_parse_url(url), stacklevel=4)
        self._send_str: tuple[str, ...] = _items(send_str, str, "send_str")
        self._send_bytes: tuple[bytes, ...] = _items(send_bytes, (bytes, bytearray), "send_bytes")
        self._send_json = _json_items(send_json)
        self._backoff = Backoff(*check_backoff(backoff))
        self._autoping = bool(kwargs.pop("autoping", True))
        if auth is not _DEFAULT and auth is not None:
            kwargs["auth"] = auth  # e.g. aiohttp.BasicAuth, for the handshake itself
        # aiohttp's autoping is off so that pongs reach heartbeat(); the loop answers pings.
        self._connect_kwargs: dict[str, Any] = {**kwargs, "heartbeat": heartbeat, "autoping": False}
        self._current_ws: aiohttp.ClientWebSocketResponse | None = None
        self._limiter: SendLimiter | None = None
        self._ready = asyncio.Event()
        self._pings: dict[bytes, asyncio.Future[None]] = {}
        self._background: set[asyncio.Future[Any]] = set()
        self._closing = False
        self._ended = False
        self._conn: asyncio.Task[str] | None = None
        self._conn_plan = self._plan
        self._on_text, self._on_binary = _make_dispatchers(
            _handlers(hdlr_str, "hdlr_str"),
            _handlers(hdlr_bytes, "hdlr_bytes"),
            _handlers(hdlr_json, "hdlr_json"),
            self._keep,
        )
        self._task: asyncio.Task[None] = loop.create_task(self._run())
        self._task.add_done_callback(self._task_done)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "connected" if self._ready.is_set() else "connecting"
        return f"<pybotters.WebSocketApp {_safe_url(self._plan.url)} {state}>"

    # -- public ------------------------------------------------------------------------------

    @property
    def url(self) -> str | URL:
        """The URL of the next connection. Setting it takes effect on the next reconnect."""
        return self._url

    @url.setter
    def url(self, url: str | URL) -> None:
        self._plan = self._resolve(_parse_url(url), stacklevel=3)
        self._url = url

    @property
    def current_ws(self) -> aiohttp.ClientWebSocketResponse | None:
        """The live connection, or ``None`` while (re)connecting or once closed."""
        return self._current_ws

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called or the app stopped."""
        return self._closing or self._task.done()

    def __await__(self) -> Generator[Any, None, WebSocketApp]:
        return self._wait_ready_app().__await__()

    async def wait(self) -> None:
        """Wait until the app ends: it reconnects forever, so in practice until it is closed."""
        await asyncio.shield(self._task)

    async def heartbeat(self, timeout: float = 10.0) -> None:
        """Wait until a protocol ping is answered by a pong on a live connection.

        If no pong comes within ``timeout`` seconds the connection is taken as dead: it is
        dropped, the app reconnects, and the ping is tried again on the new connection.
        Raises :class:`ConnectionError` if the app is closed meanwhile.
        """
        if not timeout > 0:
            raise ValueError(f"heartbeat timeout must be > 0 seconds, got {timeout!r}")
        loop = asyncio.get_running_loop()
        while True:
            ws = await self._wait_ready()
            payload = os.urandom(4)
            waiter: asyncio.Future[None] = loop.create_future()
            self._pings[payload] = waiter
            try:
                await ws.ping(payload)
                await asyncio.wait_for(waiter, timeout)
                return
            except asyncio.TimeoutError:
                if self._current_ws is ws:
                    logger.warning(
                        "WebSocket %s: no pong within %s s; reconnecting",
                        _safe_url(self._conn_plan.url),
                        timeout,
                    )
                    self._drop(ws)
            except _CONNECTION_ERRORS:
                pass  # that connection is gone; ping the next one
            finally:
                self._pings.pop(payload, None)

    async def send_str(self, data: str) -> None:
        """Send a TEXT frame on the live connection, paced by the exchange's send limit."""
        ws, limiter = self._live()
        if limiter is not None:
            await limiter.acquire()
        await ws.send_str(data)

    async def send_bytes(self, data: bytes) -> None:
        """Send a BINARY frame on the live connection, paced by the exchange's send limit."""
        ws, limiter = self._live()
        if limiter is not None:
            await limiter.acquire()
        await ws.send_bytes(data)

    async def send_json(self, data: Any) -> None:
        """Send one JSON message, prepared (signed) by the exchange plugin and paced."""
        ws, limiter = self._live()
        text = self._encode(self._conn_plan, data)  # the plan of the live connection's URL
        if limiter is not None:
            await limiter.acquire()
        await ws.send_str(text)

    async def close(self) -> None:
        """Stop reconnecting and close the connection. Safe to call more than once."""
        self._closing = True
        self._client._ws_apps.discard(self)
        task = self._task
        if task.done():
            return
        task.cancel()
        current = asyncio.current_task()
        if current is task or current is self._conn:
            return  # called from inside the app: it ends when this returns
        await asyncio.wait((task,))

    # -- resolution --------------------------------------------------------------------------

    def _resolve(self, url: URL, stacklevel: int) -> _Plan:
        """Decide login, heartbeat, signing and pacing for connections to ``url``."""
        client = self._client
        exchange = client._ws_exchange(url)
        if exchange is None:
            return _Plan(url)
        hooks = exchange.ws
        api_name = exchange.ws_hosts[url.host or ""]
        credential = None
        if self._auth is _DEFAULT:
            credential = client._credentials.get(api_name)  # raises if malformed
            if (
                credential is not None
                and url.scheme not in ("wss", "https")
                and not client._insecure_signing
            ):
                warnings.warn(
                    f"{_safe_url(url)} is not TLS: the WebSocket connection goes on without "
                    f"the {api_name!r} credentials (pass insecure_signing=True to Client for "
                    "local testing)",
                    InsecureSigningWarning,
                    stacklevel=stacklevel,
                )
                credential = None
        if hooks is None:
            return _Plan(url, exchange.name, api_name, credential)
        authenticate = None
        if (
            credential is not None
            and hooks.authenticate is not None
            and (hooks.needs_auth is None or hooks.needs_auth(url))
        ):
            authenticate = hooks.authenticate
        plan = _Plan(
            url,
            exchange.name,
            api_name,
            credential,
            authenticate,
            hooks.heartbeat,
            hooks.prepare_message,
            hooks.send_limit,
        )
        plan.new_limiter()  # validates the plugin's send_limit now, not on the first send
        return plan

    # -- the connection loop -----------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        session = self._client._session
        backoff = self._backoff
        healthy = True
        try:
            while not self._stopping():
                delay = backoff.next_delay(healthy)
                if delay > 0:
                    await asyncio.sleep(delay)
                    if self._stopping():
                        break
                healthy = False
                plan = self._plan
                try:
                    ws: aiohttp.ClientWebSocketResponse = cast(
                        "aiohttp.ClientWebSocketResponse",
                        await session.ws_connect(plan.url, **self._connect_kwargs),
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if self._stopping():
                        break
                    logger.warning(
                        "WebSocket connection to %s failed (%s); retry %d",
                        _safe_url(plan.url),
                        _describe(exc),
                        backoff.failures + 1,
                    )
                    continue
                started = loop.time()
                conn = loop.create_task(self._serve(ws, plan))
                self._conn = conn
                try:
                    await asyncio.wait((conn,))
                finally:
                    self._conn = None
                    if not conn.done():
                        conn.cancel()
                        await asyncio.wait((conn,))
                reason = "it was dropped" if conn.cancelled() else conn.result()
                # A connection closed on purpose by the user is no sign of trouble.
                healthy = reason == _CLOSED_HERE or loop.time() - started >= self.healthy_after
                if not self._stopping():
                    logger.log(
                        logging.INFO if reason == _CLOSED_HERE else logging.WARNING,
                        "WebSocket %s ended: %s; reconnecting",
                        _safe_url(plan.url),
                        reason,
                    )
        except asyncio.CancelledError:
            if not self._closing:
                raise
        finally:
            self._ended = True
            self._ready.set()  # wakes waiters, which then see that the app ended
            await self._stop_background()

    async def _serve(self, ws: aiohttp.ClientWebSocketResponse, plan: _Plan) -> str:
        """Run one connection until it ends; return why it ended."""
        self._current_ws = ws
        self._conn_plan = plan
        limiter = plan.new_limiter()
        self._limiter = limiter
        loop = asyncio.get_running_loop()
        transport = _transport_of(ws)
        sender: asyncio.Task[None] | None = None
        pinger: asyncio.Task[None] | None = None
        try:
            if plan.authenticate is not None:
                await self._replay(ws, await self._authenticate(ws, plan))
            if self._send_str or self._send_bytes or self._send_json:
                # Sent from a task while the loop below already reads: a long paced send
                # never leaves the server's pings and pushes unread.
                sender = loop.create_task(self._send_initial(ws, plan, limiter))
            else:
                self._ready.set()
            if plan.heartbeat is not None:
                pinger = loop.create_task(_send_heartbeats(ws, plan.heartbeat))
            return await self._receive(ws)
        except _CONNECTION_ERRORS as exc:
            return f"the connection failed ({_describe(exc)})"
        except Exception as exc:
            logger.exception("WebSocket %s: unexpected error", _safe_url(plan.url))
            return f"unexpected error ({type(exc).__name__})"
        finally:
            self._ready.clear()
            self._current_ws = None
            self._limiter = None
            for waiter in self._pings.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError("the connection closed before the pong"))
            helpers = [task for task in (sender, pinger) if task is not None]
            for task in helpers:
                task.cancel()
            if helpers:
                await asyncio.wait(helpers)
            await self._close_ws(ws)
            if transport is not None and not transport.is_closing():
                # Python 3.10's TLS transport is left open when the peer cuts the connection
                # (aiohttp forgets it on connection_lost): close it, or it warns when collected.
                transport.close()

    async def _authenticate(
        self, ws: aiohttp.ClientWebSocketResponse, plan: _Plan
    ) -> list[aiohttp.WSMessage]:
        assert plan.authenticate is not None and plan.credential is not None
        auth = WebSocketAuth(ws, plan.url, plan.credential, _clock.now())
        where = f"{plan.exchange} WebSocket login (API name {plan.api_name!r})"
        try:
            await asyncio.wait_for(plan.authenticate(auth), self.auth_timeout)
        except asyncio.TimeoutError:
            # A server that does not answer the login is not serving this connection: staying
            # on it could leave a stream that never gets data. Reconnect (with backoff).
            logger.error("%s got no answer within %s s; reconnecting", where, self.auth_timeout)
            raise ConnectionError(f"the login got no answer within {self.auth_timeout} s") from None
        except WebSocketAuthError as exc:
            logger.error("%s failed: %s; the stream goes on unauthenticated", where, exc)
        except (ConnectionError, aiohttp.ClientError):
            raise
        except Exception as exc:
            logger.error(
                "%s raised %s; the stream goes on unauthenticated",
                where,
                type(exc).__name__,
                exc_info=True,
            )
        else:
            logger.debug("%s succeeded", where)
        return auth.take_backlog()

    async def _replay(
        self, ws: aiohttp.ClientWebSocketResponse, backlog: list[aiohttp.WSMessage]
    ) -> None:
        for kind, data, _extra in backlog:
            if kind is _TEXT:
                self._on_text(data, ws)
            elif kind is _BINARY:
                self._on_binary(data, ws)
            elif kind is _PING:
                if self._autoping:
                    await ws.pong(data)
            elif kind is _PONG:
                self._on_pong(data)

    async def _send_initial(
        self, ws: aiohttp.ClientWebSocketResponse, plan: _Plan, limiter: SendLimiter | None
    ) -> None:
        """Send the ``send_*`` messages in order, paced; then the connection is ready."""
        try:
            for text in self._send_str:
                if limiter is not None:
                    await limiter.acquire()
                await ws.send_str(text)
            for data in self._send_bytes:
                if limiter is not None:
                    await limiter.acquire()
                await ws.send_bytes(data)
            for obj in self._send_json:
                try:
                    text = self._encode(plan, obj)
                except Exception:
                    logger.exception(
                        "%s could not prepare a send_json message; it was not sent",
                        plan.exchange,
                    )
                    continue
                if limiter is not None:
                    await limiter.acquire()
                await ws.send_str(text)
        except _CONNECTION_ERRORS:
            return  # the receive loop sees the connection end and reconnects
        except Exception:
            logger.exception("WebSocket %s: sending failed; reconnecting", _safe_url(plan.url))
            self._drop(ws)
            return
        if self._current_ws is ws:
            self._ready.set()

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse) -> str:
        """The hot loop: one receive, one type check and the handlers per frame."""
        receive = ws.receive
        on_text = self._on_text
        on_binary = self._on_binary
        on_pong = self._on_pong
        autoping = self._autoping
        text, binary, ping, pong, ended = _TEXT, _BINARY, _PING, _PONG, _ENDED
        while True:
            kind, data, _extra = await receive()
            if kind is text:
                on_text(data, ws)
            elif kind is binary:
                on_binary(data, ws)
            elif kind is ping:
                if autoping:
                    await ws.pong(data)
            elif kind is pong:
                on_pong(data)
            elif kind in ended:
                if kind is _ERROR:
                    return f"error ({_describe(data) if isinstance(data, Exception) else data})"
                if kind is _CLOSING:  # ws.close() was called from another task
                    return _CLOSED_HERE
                return f"closed (code {ws.close_code})"

    # -- helpers -----------------------------------------------------------------------------

    def _stopping(self) -> bool:
        return self._closing or self._client._session.closed

    def _encode(self, plan: _Plan, obj: Any) -> str:
        if plan.prepare is not None:
            obj = plan.prepare(obj, plan.credential, _clock.now())
        return orjson.dumps(obj).decode()

    def _on_pong(self, data: bytes) -> None:
        waiter = self._pings.get(bytes(data))
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _keep(self, result: Any, handler: Callable[..., Any]) -> None:
        """A handler returned something: run it as a task if it is awaitable."""
        if not inspect.isawaitable(result):
            return
        future = asyncio.ensure_future(result)
        self._background.add(future)

        def done(fut: asyncio.Future[Any]) -> None:
            self._background.discard(fut)
            if not fut.cancelled() and fut.exception() is not None:
                logger.error(
                    "WebSocket handler %s raised; the stream and the other handlers go on",
                    getattr(handler, "__qualname__", handler),
                    exc_info=fut.exception(),
                )

        future.add_done_callback(done)

    def _live(self) -> tuple[aiohttp.ClientWebSocketResponse, SendLimiter | None]:
        ws = self._current_ws
        if ws is None or not self._ready.is_set():
            raise ConnectionError(
                "the WebSocketApp has no live connection; `await app` (or app.heartbeat()) "
                "before sending"
            )
        return ws, self._limiter

    def _drop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Abandon the connection ``ws`` (if still current); the loop reconnects."""
        conn = self._conn
        if conn is not None and self._current_ws is ws:
            conn.cancel()

    async def _wait_ready(self) -> aiohttp.ClientWebSocketResponse:
        while True:
            await self._ready.wait()
            if self._ended:
                raise ConnectionError(f"the WebSocketApp for {_safe_url(self._plan.url)} is closed")
            ws = self._current_ws
            if ws is not None and self._ready.is_set():
                return ws

    async def _wait_ready_app(self) -> WebSocketApp:
        await self._wait_ready()
        return self

    async def _close_ws(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        if ws.closed:
            return
        try:
            await asyncio.wait_for(ws.close(), self.close_timeout)
        except (asyncio.TimeoutError, ConnectionError, aiohttp.ClientError):
            pass

    async def _stop_background(self) -> None:
        pending = [fut for fut in self._background if not fut.done()]
        for fut in pending:
            fut.cancel()
        if pending:
            await asyncio.wait(pending)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._client._ws_apps.discard(self)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "WebSocketApp %s stopped by an unexpected error",
                _safe_url(self._plan.url),
                exc_info=task.exception(),
            )


def _transport_of(ws: aiohttp.ClientWebSocketResponse) -> asyncio.BaseTransport | None:
    """The transport under ``ws`` while it is open (None if aiohttp hides it)."""
    connection = getattr(getattr(ws, "_response", None), "connection", None)
    return getattr(connection, "transport", None)


async def _send_heartbeats(ws: aiohttp.ClientWebSocketResponse, heartbeat: Heartbeat) -> None:
    """The exchange's application-level ping, every ``interval`` seconds, until the end."""
    sleep = asyncio.sleep
    interval = heartbeat.interval
    message = heartbeat.message
    try:
        while not ws.closed:
            await sleep(interval)
            await ws.send_str(message)
    except _CONNECTION_ERRORS:
        pass  # the receive loop sees the connection end and reconnects


class WebSocketQueue(asyncio.Queue[Any]):
    """An :class:`asyncio.Queue` to pass as a handler: ``hdlr_json=queue.onmessage``.

    Iterate it with ``async for msg in queue`` (forever). It can be made outside a running
    event loop.
    """

    def onmessage(self, msg: Any, ws: aiohttp.ClientWebSocketResponse | None = None) -> None:
        """A WebSocket handler that puts each message in the queue."""
        self.put_nowait(msg)

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            yield await self.get()
