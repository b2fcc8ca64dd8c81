"""The plugin contract of pybotters: markers, hook specifications and exchange descriptors.

An exchange plugin is a module registered in the ``pybotters`` entry-point group::

    [project.entry-points.pybotters]
    myexchange = "pybotters_myexchange.plugin"

whose module defines functions decorated with :data:`hookimpl`. The core calls the hooks only
while it builds its lookup tables (once, on first need) and turns what they return into plain
dictionaries: no hook is ever called per request or per WebSocket message. The callables that
run on the hot path (``Exchange.sign``, ``WebSocketHooks.authenticate`` ...) live inside the
frozen descriptors the hooks return.

Plugin API versioning: :data:`PLUGIN_API` is ``(major, minor)``. A plugin declares the version it
targets in :attr:`Exchange.plugin_api`. It is accepted when the majors are equal and its minor is
not newer than the core's. Hooks gain arguments only in a way old implementations keep working
(pluggy passes an implementation only the arguments it names); a hook is removed only in a new
major.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import pluggy

if TYPE_CHECKING:
    import aiohttp
    from multidict import CIMultiDict
    from yarl import URL

__all__ = [
    "PLUGIN_API",
    "Credential",
    "Exchange",
    "Heartbeat",
    "SignRequest",
    "WebSocketAuth",
    "WebSocketHooks",
    "hookimpl",
    "hookspec",
]

PROJECT_NAME = "pybotters"
PLUGIN_API: tuple[int, int] = (1, 0)
"""The plugin API version this core provides (independent of the package version)."""

F = TypeVar("F", bound=Callable[..., Any])

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
_hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@overload
def hookimpl(function: F, /) -> F: ...


@overload
def hookimpl(*, tryfirst: bool = False, trylast: bool = False) -> Callable[[F], F]: ...


def hookimpl(
    function: F | None = None,
    /,
    *,
    tryfirst: bool = False,
    trylast: bool = False,
) -> F | Callable[[F], F]:
    """Mark a function of a plugin module as the implementation of the hook of the same name.

    Use bare (``@hookimpl``) or with ordering (``@hookimpl(tryfirst=True)``).
    """
    if function is not None:
        return _hookimpl(function)
    return cast("Callable[[F], F]", _hookimpl(tryfirst=tryfirst, trylast=trylast))


# --------------------------------------------------------------------------------------------
# Descriptor types handed between plugins and the core
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    """One entry of ``apis``: the key, the secret and, where the exchange needs it, a passphrase.

    ``repr()`` shows the API name and a masked key only; the secret and passphrase never appear
    in a repr, a log line or an exception raised by pybotters.
    """

    api_name: str
    key: str
    secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        masked = self.key[:4] + "…" if len(self.key) > 8 else "…"
        return f"Credential(api_name={self.api_name!r}, key={masked!r})"

    __str__ = __repr__


@dataclass(slots=True)
class SignRequest:
    """A request about to be sent, as handed to :attr:`Exchange.sign`.

    ``sign`` updates ``headers``, ``url`` and ``body`` in place. The object is built by the core
    for this request only: the caller's ``params``/``data``/``headers`` are never mutated.

    :param method: upper-case HTTP method.
    :param url: the final URL, query included, exactly as it will be sent (``url.raw_path_qs``).
    :param headers: the request headers (case-insensitive).
    :param body: the exact bytes that will be sent, or ``None`` for no body.
    :param timestamp: the current time in seconds since the epoch, from the core's clock (frozen
        in tests, so that signatures are reproducible).
    """

    method: str
    url: URL
    headers: CIMultiDict[str]
    body: bytes | None
    timestamp: float


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """An application-level ping the core sends on every connection to the exchange's hosts.

    :param interval: seconds between two pings.
    :param message: the text frame to send (``'{"op":"ping"}'`` or ``"ping"``).
    """

    interval: float
    message: str


class WebSocketAuth:
    """What an authenticator gets: the live connection, the credential and a way to read replies.

    Messages read through :meth:`receive_json` are not lost: after the authenticator returns, the
    core hands every one of them to the user's handlers, in order, before any other message.
    """

    __slots__ = ("_backlog", "credential", "timestamp", "url", "ws")

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        url: URL,
        credential: Credential,
        timestamp: float,
    ) -> None:
        self.ws = ws
        self.url = url
        self.credential = credential
        self.timestamp = timestamp
        self._backlog: list[aiohttp.WSMessage] = []

    async def send_json(self, data: Any) -> None:
        """Send one JSON message on the connection."""
        import orjson

        await self.ws.send_str(orjson.dumps(data).decode())

    async def receive_json(self) -> Any:
        """Return the next JSON message; non-JSON frames are kept for the handlers and skipped.

        Protocol pings and pongs read meanwhile are kept too; the core answers them afterwards.

        Raises :class:`ConnectionError` if the connection closes first. The core bounds the
        whole authentication with a timeout.
        """
        import aiohttp
        import orjson

        while True:
            msg = await self.ws.receive()
            if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                self._backlog.append(msg)
                try:
                    return orjson.loads(msg.data)
                except orjson.JSONDecodeError:
                    continue
            if msg.type in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                # Kept for the core, which answers pings and matches pongs after the login.
                self._backlog.append(msg)
                continue
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                raise ConnectionError("the WebSocket closed during authentication")

    def take_backlog(self) -> list[aiohttp.WSMessage]:
        """Return (and forget) the messages read so far. Used by the core."""
        backlog, self._backlog = self._backlog, []
        return backlog


@dataclass(frozen=True, slots=True)
class WebSocketHooks:
    """How an exchange's WebSocket connections are handled.

    :param authenticate: ``async (auth: WebSocketAuth) -> None``. Run after each handshake on a
        host of the exchange for which a credential exists (and ``needs_auth`` says yes), awaited
        before any user message is sent. Raise :class:`pybotters.WebSocketAuthError` with a
        message that names the reason (never the secret) when the exchange refuses the login.
    :param needs_auth: ``(url) -> bool``; ``None`` means every connection to the exchange's
        WebSocket hosts is authenticated when a credential exists.
    :param heartbeat: an application-level ping, sent every ``interval`` seconds.
    :param prepare_message: ``(message, credential_or_None, timestamp) -> message``; applied to
        every JSON message the user sends on this exchange's connections (to add a signature or
        a header the exchange requires). Must return a new object, not mutate its argument.
    :param send_limit: ``(messages, seconds)``: at most that many user messages per window on
        one connection; the core paces sends to keep under it.
    """

    authenticate: Callable[[WebSocketAuth], Awaitable[None]] | None = None
    needs_auth: Callable[[URL], bool] | None = None
    heartbeat: Heartbeat | None = None
    prepare_message: Callable[[Any, Credential | None, float], Any] | None = None
    send_limit: tuple[int, float] | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """Everything an exchange plugin tells the core. Returned by :func:`pybotters_exchanges`.

    :param name: the exchange id (``"bitflyer"``), unique among plugins.
    :param plugin_api: the :data:`PLUGIN_API` version this plugin was written against.
    :param http_hosts: exact HTTP host name -> API name that signs for it by default.
    :param ws_hosts: exact WebSocket host name -> API name used to authenticate on it.
    :param api_names: every API name this exchange reads from ``apis``.
    :param sign: ``(request, credential) -> None``; adds the exchange's authentication to the
        request in place. Called for requests to ``http_hosts`` when a credential exists.
    :param select_api_name: ``(request, default) -> api_name``; picks another API name than the
        host's default for this request (OKX picks ``okx_demo`` on ``x-simulated-trading: 1``).
    :param encode_data: ``(data) -> (body, content_type)``; how a ``data=`` mapping is encoded
        for this exchange. ``None`` means compact JSON.
    :param credential_items: API name -> the number of items its credential must have (2 for
        key + secret when not listed; 3 where a passphrase is needed; 1 for key-only APIs).
    :param ws: WebSocket behaviour, or ``None`` when there is nothing special to do.
    :param stores: public DataStoreCollection name -> class, or ``"module:attribute"`` imported
        on first use (keeps ``import pybotters`` fast).
    :param docs_url: where users read about this plugin.
    """

    name: str
    plugin_api: tuple[int, int]
    http_hosts: Mapping[str, str] = field(default_factory=dict)
    ws_hosts: Mapping[str, str] = field(default_factory=dict)
    api_names: Sequence[str] = ()
    sign: Callable[[SignRequest, Credential], None] | None = None
    select_api_name: Callable[[SignRequest, str], str] | None = None
    encode_data: Callable[[Any], tuple[bytes, str]] | None = None
    credential_items: Mapping[str, int] = field(default_factory=dict)
    ws: WebSocketHooks | None = None
    stores: Mapping[str, type | str] = field(default_factory=dict)
    docs_url: str | None = None

    def items_for(self, api_name: str) -> int:
        """How many items the credential of ``api_name`` must have."""
        return self.credential_items.get(api_name, 2)


# --------------------------------------------------------------------------------------------
# Registration hooks (called once, while the core builds its lookup tables)
# --------------------------------------------------------------------------------------------


@hookspec
def pybotters_exchanges() -> Sequence[Exchange]:
    """Return the exchanges this plugin provides.

    **Called** once per registry build (on the first Client, the first ``pybotters.<Store>``
    lookup or a plugin listing), and again only if plugins are registered or unregistered.

    **Returns** a sequence of :class:`Exchange`. Host names are exact, lower-case names with no
    scheme, port or trailing dot; two plugins claiming the same host, API name or store name is
    a :class:`PluginConflictError` naming both.

    **Must not** do I/O, import heavy modules needlessly (keep ``stores`` as import strings), or
    read credentials.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def pybotters_load_apis(apis: Any) -> Mapping[str, Sequence[str]] | None:
    """Supply the credentials for a new :class:`pybotters.Client`.

    **Called** once per Client, with the ``apis`` argument the user passed (a mapping, a path to
    a JSON file, or ``None``). Stops at the first non-None result.

    The core's own implementation runs last: a mapping is used as is; a string is read as a JSON
    file; ``None`` reads ``./apis.json`` and then the file named by ``$PYBOTTERS_APIS``, if any. A
    plugin can step in first (``@hookimpl(tryfirst=True)``) to read a keyring or a ``.env`` file.

    **Returns** ``{api_name: [key, secret, (passphrase)]}``, or ``None`` to let the next
    implementation decide.

    **Must not** log or put credential values into exceptions.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def pybotters_client_connector() -> aiohttp.BaseConnector | None:
    """Supply the connector of a new Client's session when the user did not pass one.

    **Called** once per Client. Stops at the first non-None result. The testing kit uses it to
    route exchange hosts to local servers; a plugin could use it for a custom resolver or proxy.

    **Must not** be slow: it runs inside ``Client()``.
    """
    raise NotImplementedError


@hookspec
def pybotters_report_header() -> Sequence[str]:
    """Return extra lines for the ``pybotters plugins`` listing (optional).

    **Called** only when a listing is printed.
    """
    raise NotImplementedError


# Names of the exchange packages known to the project, for helpful error messages when
# ``pybotters.<Store>`` is asked for and its plugin is not installed.
KNOWN_STORE_PROVIDERS: Mapping[str, str] = {
    "bitFlyerDataStore": "pybotters-bitflyer",
    "BybitDataStore": "pybotters-bybit",
    "OKXDataStore": "pybotters-okx",
}


# --------------------------------------------------------------------------------------------
# Testing-kit hooks (called only by pybotters.testing, never by a Client)
# --------------------------------------------------------------------------------------------

if TYPE_CHECKING:
    from .testing import FakeExchangeSpec


@hookspec
def pybotters_fake_exchanges() -> Sequence[FakeExchangeSpec]:
    """Return how fake servers imitate this plugin's exchanges (optional).

    **Called** only by :mod:`pybotters.testing`, once each time a fake exchange is started
    (``FakeExchange(name)`` or the ``start_fake_exchange`` fixture); never during traffic. The fake
    keeps the spec whose ``name`` equals the exchange it imitates.

    **Returns** a sequence of :class:`pybotters.testing.FakeExchangeSpec`: extra hosts to
    route, ``verify_http(request, secret_lookup)`` to check request signatures,
    ``http_rejection(request, reason)`` for the exchange's own error reply, and
    ``on_ws_connect(session)`` / ``on_ws_message(message, session)`` to answer WebSocket
    logins, subscriptions and pings. Two plugins contributing the same name is an error naming
    both. An exchange with no spec still gets a fake: a plain scripted server.

    **Must not** do I/O, or put secrets into a reply, a log line or an error reason. The
    callables run inside the fake server and must be synchronous and quick.
    """
    raise NotImplementedError
