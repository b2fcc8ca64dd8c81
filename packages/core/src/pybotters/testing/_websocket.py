"""WebSocket side of the fake exchanges: endpoints, per-connection sessions and scripted rules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from ._spec import (
    CloseConnection,
    FakeExchangeSpec,
    Match,
    SecretLookup,
    check_pattern,
    match,
    replies_of,
)

if TYPE_CHECKING:
    from aiohttp import web
    from multidict import CIMultiDictProxy, MultiMapping

__all__ = ["FakeWebSocket", "FakeWebSocketSession", "MessageRule"]

logger = logging.getLogger("pybotters.testing")

DEFAULT_TIMEOUT = 5.0
T = TypeVar("T")


class Signal:
    """Wakes every waiter when something was recorded."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()


async def wait_for_item(
    signal: Signal,
    find: Callable[[], T | None],
    timeout: float,
    describe: Callable[[], str],
) -> T:
    """Return the first non-None ``find()``, re-checked on every notification of ``signal``."""

    async def poll() -> T:
        while True:
            found = find()
            if found is not None:
                return found
            await signal.wait()

    try:
        return await asyncio.wait_for(poll(), timeout)
    except asyncio.TimeoutError:
        raise TimeoutError(describe()) from None


def decode(data: str | bytes) -> Any:
    """A text frame as JSON when it is JSON, else as ``str``; a binary frame as ``bytes``."""
    if isinstance(data, bytes):
        return data
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data


ConnectReply = Any
MessageReply = Any


class MessageRule:
    """A scripted answer: when a message matching ``pattern`` arrives, send ``replies``.

    A reply is a message (``str`` text, ``bytes`` binary, :class:`CloseConnection`, anything
    else JSON) or a callable ``(message, session) -> list of messages | None``.
    """

    __slots__ = ("pattern", "replies", "times", "used")

    def __init__(self, pattern: Match, replies: tuple[MessageReply, ...], times: int | None):
        if times is not None and times < 1:
            raise ValueError(f"times must be a positive number of uses or None, not {times!r}")
        self.pattern = check_pattern(pattern)
        self.replies = replies
        self.times = times
        self.used = 0

    def __repr__(self) -> str:
        return f"<MessageRule on {self.pattern!r}: {len(self.replies)} replies, used {self.used}>"

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times


class FakeWebSocketSession:
    """One WebSocket connection a client opened to a fake exchange.

    :ivar host: the host name the client connected to.
    :ivar path: the request path.
    :ivar query: the query parameters of the handshake.
    :ivar headers: the handshake headers.
    :ivar state: free per-connection storage for exchange plugins (login status and so on).
    :ivar secret_lookup: ``(api_key) -> Credential | None`` from the fake's ``apis``.
    :ivar received: every message the client sent, decoded (JSON, or ``str``/``bytes``).
    :ivar sent: every message the fake sent on this connection.
    """

    __slots__ = (
        "_close_request",
        "_closed",
        "_finished",
        "_serving_task",
        "_signal",
        "_taken",
        "_transport",
        "_ws",
        "headers",
        "host",
        "path",
        "query",
        "received",
        "secret_lookup",
        "sent",
        "state",
    )

    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        host: str,
        secret_lookup: SecretLookup,
    ) -> None:
        self._ws = ws
        self._transport = request.transport
        self._closed = False
        self._close_request: asyncio.Future[tuple[int, str]] | None = None
        self._finished = asyncio.Event()
        self._serving_task: asyncio.Task[Any] | None = None
        self._signal = Signal()
        self._taken: set[int] = set()
        self.host = host
        self.path: str = request.path
        self.query: MultiMapping[str] = request.query
        self.headers: CIMultiDictProxy[str] = request.headers
        self.secret_lookup = secret_lookup
        self.state: dict[str, Any] = {}
        self.received: list[Any] = []
        self.sent: list[Any] = []

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return (
            f"<FakeWebSocketSession wss://{self.host}{self.path} {state} "
            f"received={len(self.received)} sent={len(self.sent)}>"
        )

    @property
    def closed(self) -> bool:
        """Whether the connection has ended (closed by either side or dropped)."""
        return self._closed or self._ws.closed

    async def send(self, message: Any) -> None:
        """Send one message: ``str`` as text, ``bytes`` as binary, anything else as JSON.

        A :class:`CloseConnection` closes the connection instead.
        """
        if isinstance(message, CloseConnection):
            await self.close(message.code, message.reason)
            return
        if self.closed:
            raise ConnectionError(
                f"cannot send to {self!r}: the connection is closed; wait for the client to "
                "reconnect (FakeWebSocket.wait_session) and send on the new session"
            )
        if isinstance(message, bytes):
            await self._ws.send_bytes(message)
        elif isinstance(message, str):
            await self._ws.send_str(message)
        else:
            await self._ws.send_str(orjson.dumps(message).decode())
        self.sent.append(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection cleanly: the client gets a close frame with ``code``.

        The close frame goes out at once; await :meth:`wait_closed` to wait until the client
        has answered it and the connection has ended.
        """
        if self.closed:
            return
        self._closed = True
        request = self._close_request
        if request is None or asyncio.current_task() is self._serving_task:
            # from the fake's own replies: nothing else is reading the connection
            await self._ws.close(code=code, message=reason.encode())
        elif not request.done():
            request.set_result((code, reason))

    async def wait_closed(self) -> None:
        """Wait until the connection has ended (closed by either side or dropped)."""
        await self._finished.wait()

    def drop(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        self._closed = True
        if not self._finished.is_set() and self._transport is not None:
            self._transport.abort()

    async def wait_message(self, pattern: Match = None, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
        """Return the first message from the client matching ``pattern`` not returned before.

        Messages already received count, so there is no race with a fast client. Raises
        ``TimeoutError`` (listing what was received) if none arrives within ``timeout`` s.
        """
        check_pattern(pattern)

        def find() -> Any:
            for index, message in enumerate(self.received):
                if index not in self._taken and match(pattern, message):
                    self._taken.add(index)
                    return _Found(message)
            return None

        def describe() -> str:
            return (
                f"no message matching {pattern!r} arrived on {self!r} within {timeout} s; "
                f"received: {self.received!r}"
            )

        found = await wait_for_item(self._signal, find, timeout, describe)
        return found.value

    def _record(self, message: Any) -> None:
        self.received.append(message)
        self._signal.notify()


class _Found:
    """Wraps a found message so that a message that is ``None`` (JSON null) still counts."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class FakeWebSocket:
    """A WebSocket endpoint (one path) of a fake exchange: script it, push to it, drop it.

    Get one with :meth:`FakeExchange.websocket`. Every client connection to the path becomes a
    :class:`FakeWebSocketSession` in :attr:`sessions`.
    """

    __slots__ = ("_connect_replies", "_errors", "_rules", "_signal", "_taken", "path", "sessions")

    def __init__(self, path: str, errors: list[BaseException]) -> None:
        self.path = path
        self.sessions: list[FakeWebSocketSession] = []
        self._connect_replies: list[ConnectReply] = []
        self._rules: list[MessageRule] = []
        self._signal = Signal()
        self._taken: set[int] = set()
        self._errors = errors

    def __repr__(self) -> str:
        open_sessions = sum(not s.closed for s in self.sessions)
        return (
            f"<FakeWebSocket {self.path} sessions={len(self.sessions)} open={open_sessions} "
            f"rules={len(self._rules)}>"
        )

    # -- scripting ---------------------------------------------------------------------------

    def on_connect(self, *replies: ConnectReply) -> None:
        """Send ``replies`` on every new connection (after the exchange plugin's own).

        A reply is a message or a callable ``(session) -> list of messages | None``.
        """
        self._connect_replies.extend(replies)

    def on_message(
        self, pattern: Match, *replies: MessageReply, times: int | None = None
    ) -> MessageRule:
        """When the client sends a message matching ``pattern``, send ``replies``.

        ``pattern`` is matched as described in :data:`pybotters.testing.Match`. A reply is a
        message or a callable ``(message, session) -> list of messages | None`` (to echo an id,
        for example). Every matching rule answers, in the order they were added; ``times``
        limits how often this one does.
        """
        rule = MessageRule(pattern, replies, times)
        self._rules.append(rule)
        return rule

    # -- driving -----------------------------------------------------------------------------

    @property
    def open_sessions(self) -> list[FakeWebSocketSession]:
        return [s for s in self.sessions if not s.closed]

    @property
    def received(self) -> list[Any]:
        """Every message received on this endpoint, over all sessions, in session order."""
        return [message for session in self.sessions for message in session.received]

    async def send(self, message: Any) -> int:
        """Push ``message`` to every open connection; returns how many got it.

        Raises ``ConnectionError`` when no client is connected: wait for one first with
        :meth:`wait_session`.
        """
        targets = self.open_sessions
        if not targets:
            raise ConnectionError(
                f"no client is connected to {self.path!r}; await wait_session() before "
                "pushing messages"
            )
        for session in targets:
            await session.send(message)
        return len(targets)

    async def drop(self, close_code: int | None = None) -> int:
        """End every open connection to simulate a disconnect; returns how many were ended.

        With ``close_code=None`` the connections are cut without a close frame (a network
        failure); with a code they get a close frame with that code (e.g. 1001, 1012), as
        when an exchange restarts a server.
        """
        targets = self.open_sessions
        for session in targets:
            if close_code is None:
                session.drop()
            else:
                await session.close(close_code)
        return len(targets)

    async def wait_session(self, *, timeout: float = DEFAULT_TIMEOUT) -> FakeWebSocketSession:
        """Return the first connection not returned before, waiting for it if needed.

        The first call returns the first connection, the second call the second one (a
        reconnection), and so on.
        """

        def find() -> FakeWebSocketSession | None:
            for index, session in enumerate(self.sessions):
                if index not in self._taken:
                    self._taken.add(index)
                    return session
            return None

        def describe() -> str:
            return (
                f"no new WebSocket connection to {self.path!r} within {timeout} s "
                f"({len(self.sessions)} connection(s) so far)"
            )

        return await wait_for_item(self._signal, find, timeout, describe)

    # -- serving (used by FakeExchange) ------------------------------------------------------

    async def serve(
        self,
        request: web.Request,
        host: str,
        spec: FakeExchangeSpec | None,
        secret_lookup: SecretLookup,
    ) -> web.WebSocketResponse:
        from asyncio import FIRST_COMPLETED

        from aiohttp import WSMsgType, web

        ended = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = FakeWebSocketSession(ws, request, host, secret_lookup)
        loop = asyncio.get_running_loop()
        close_request: asyncio.Future[tuple[int, str]] = loop.create_future()
        session._close_request = close_request
        session._serving_task = asyncio.current_task()
        self.sessions.append(session)
        self._signal.notify()
        try:
            if spec is not None and spec.on_ws_connect is not None:
                result = spec.on_ws_connect(session)
                await _send_all(session, replies_of(result, f"{spec.name} on_ws_connect"))
            for reply in self._connect_replies:
                if session.closed:
                    break
                if callable(reply):
                    await _send_all(session, replies_of(reply(session), f"on_connect {reply!r}"))
                else:
                    await session.send(reply)
            while not ws.closed:
                # Receive and a close requested by the test are awaited together, so that the
                # close frame is always sent from here, with the requested code.
                receiving = loop.create_task(ws.receive())
                await asyncio.wait((receiving, close_request), return_when=FIRST_COMPLETED)
                if not receiving.done():
                    receiving.cancel()
                    await asyncio.wait((receiving,))
                    code, reason = close_request.result()
                    await ws.close(code=code, message=reason.encode())
                    break
                msg = receiving.result()
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    message = decode(msg.data)
                    session._record(message)
                    await self._answer(session, message, spec)
                elif msg.type in ended:
                    break
        except ConnectionError:
            pass  # the client went away while the fake was sending
        except Exception as exc:
            self._errors.append(exc)
            logger.exception("a fake WebSocket handler on %s failed", self.path)
            if not ws.closed:
                await ws.close(code=1011, message=b"fake exchange handler failed")
        finally:
            session._closed = True
            session._finished.set()
            self._signal.notify()
        return ws

    async def _answer(
        self, session: FakeWebSocketSession, message: Any, spec: FakeExchangeSpec | None
    ) -> None:
        if spec is not None and spec.on_ws_message is not None:
            result = spec.on_ws_message(message, session)
            await _send_all(session, replies_of(result, f"{spec.name} on_ws_message"))
            if session.closed:
                return
        for rule in self._rules:
            if rule.exhausted or not match(rule.pattern, message):
                continue
            rule.used += 1
            for reply in rule.replies:
                if callable(reply):
                    result = reply(message, session)
                    await _send_all(session, replies_of(result, f"reply {reply!r}"))
                else:
                    await session.send(reply)
            if session.closed:
                return


async def _send_all(session: FakeWebSocketSession, replies: list[Any]) -> None:
    for reply in replies:
        if session.closed:
            return
        await session.send(reply)
