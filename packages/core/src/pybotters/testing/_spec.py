"""Descriptor types of the testing kit, shared by exchange plugins and the fake servers.

Nothing here imports aiohttp, so a plugin can build its :class:`FakeExchangeSpec` in its
``pybotters_fake_exchanges`` hook without pulling the HTTP stack in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from ..hookspecs import Credential
    from ._websocket import FakeWebSocketSession

__all__ = [
    "CloseConnection",
    "FakeExchangeSpec",
    "FakeRequest",
    "FakeResponse",
    "Match",
    "SecretLookup",
]

SecretLookup = Callable[[str], "Credential | None"]
"""``(api_key) -> Credential | None``: the credential whose key the client presented.

Built from the ``apis`` given to the fake exchange (the same ``apis`` the bot uses), so a
verifier can recompute a signature with the secret (and passphrase) that belongs to the key.
"""

Match = Any
"""What a WebSocket rule or a wait matches a message against.

- ``None`` matches every message;
- a ``dict`` matches a JSON object that contains every one of its items (nested dicts match
  the same way, other values must be equal): ``{"method": "subscribe"}``;
- a ``str`` or ``bytes`` matches a frame that is exactly that text or those bytes;
- a callable ``(message) -> bool`` decides by itself.
"""

_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def check_host(host: object) -> str:
    """Return ``host`` if it is a plain lower-case host name, else raise a helpful ValueError."""
    if not isinstance(host, str) or not _HOST_RE.match(host):
        raise ValueError(
            f"{host!r} is not a host name the testing kit can route; give exact lower-case "
            "names without scheme, port, path or trailing dot, e.g. 'api.bitflyer.com'"
        )
    return host


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """A WebSocket reply that closes the connection (with a close frame) instead of sending.

    Put it in the replies of a rule or of :attr:`FakeExchangeSpec.on_ws_message` to act like an
    exchange that hangs up, e.g. after a refused login.
    """

    code: int = 1000
    reason: str = ""


class FakeResponse:
    """An HTTP reply of a fake exchange route.

    :param body: ``None`` for an empty body, ``bytes`` or ``str`` sent as they are (``str`` as
        ``text/plain`` unless ``headers`` sets a Content-Type), anything else encoded as JSON.
    :param status: the HTTP status.
    :param headers: extra response headers.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        body: Any = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), not {status!r}")
        self.body = body
        self.status = status
        self.headers: dict[str, str] = dict(headers or {})

    def __repr__(self) -> str:
        return f"FakeResponse(status={self.status}, body={self.body!r})"

    def encode(self) -> tuple[bytes, str | None]:
        """The body bytes and their default Content-Type (``None`` for an empty body)."""
        body = self.body
        if body is None:
            return b"", None
        if isinstance(body, bytes):
            return body, "application/octet-stream"
        if isinstance(body, str):
            return body.encode(), "text/plain; charset=utf-8"
        return orjson.dumps(body), "application/json"


@dataclass(frozen=True, slots=True)
class FakeRequest:
    """One HTTP request as a fake exchange received it.

    :param method: the upper-case method.
    :param scheme: ``"https"`` (or ``"http"`` for plain requests).
    :param host: the host name the client asked for (``"api.bitflyer.com"``), without port.
    :param path: the decoded path, without the query.
    :param raw_path: the path and query exactly as sent (what exchanges sign), e.g.
        ``"/v1/me/getchildorders?product_code=FX_BTC_JPY"``.
    :param query: the decoded query parameters (a multi-dict: ``query.getall(name)``).
    :param headers: the request headers (case-insensitive).
    :param body: the raw body bytes (``b""`` when there is none).
    :param rejected: why the exchange plugin's verifier refused the request, or ``None``.
    """

    method: str
    scheme: str
    host: str
    path: str
    raw_path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    rejected: str | None = None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        """The body decoded as JSON; raises ``ValueError`` if it is not JSON."""
        return orjson.loads(self.body)

    def __repr__(self) -> str:
        state = f" rejected={self.rejected!r}" if self.rejected is not None else ""
        return f"<FakeRequest {self.method} {self.scheme}://{self.host}{self.raw_path}{state}>"


HttpVerifier = Callable[[FakeRequest, SecretLookup], "str | None"]
WsConnectHandler = Callable[["FakeWebSocketSession"], "Iterable[Any] | None"]
WsMessageHandler = Callable[[Any, "FakeWebSocketSession"], "Iterable[Any] | None"]
HttpRejection = Callable[[FakeRequest, str], FakeResponse]


@dataclass(frozen=True, slots=True)
class FakeExchangeSpec:
    """How a fake server behaves like an exchange. Returned by ``pybotters_fake_exchanges``.

    Every callable is optional: with none of them the fake is a plain scripted server. They run
    inside the fake server, never in the client, and must be synchronous and quick.

    :param name: the exchange id, the same as :attr:`pybotters.hookspecs.Exchange.name`.
    :param hosts: host names to route to the fake besides the exchange's ``http_hosts`` and
        ``ws_hosts`` (public stream hosts the client never signs for, for example).
    :param verify_http: ``(request, secret_lookup) -> reason | None``; checks the authentication
        of every HTTP request (return ``None`` for requests that need none). A reason makes the
        fake reply with :attr:`http_rejection` (by default 401 ``{"error": reason}``) instead of
        the scripted route. ``secret_lookup(api_key)`` returns the credential for a key.
    :param http_rejection: ``(request, reason) -> FakeResponse``; the exchange's own error reply
        for a refused request.
    :param on_ws_connect: ``(session) -> replies | None``; messages sent on every new WebSocket
        connection, before the test's own ``on_connect`` messages.
    :param on_ws_message: ``(message, session) -> replies | None``; answers the protocol part
        of each message the client sends (login, subscribe acknowledgements, ping), before the
        test's own rules. ``message`` is the decoded JSON (or the ``str``/``bytes`` of a frame
        that is not JSON). Keep per-connection state (``"logged in as"``) in ``session.state``;
        look secrets up with ``session.secret_lookup(api_key)``.

    Replies are a list (or another iterable that is not a ``str``, ``bytes`` or ``dict``) of
    messages: a ``str`` is sent as a text frame, ``bytes`` as a binary frame,
    :class:`CloseConnection` closes the connection, anything else is sent as JSON text.
    """

    name: str
    hosts: Sequence[str] = ()
    verify_http: HttpVerifier | None = None
    http_rejection: HttpRejection | None = None
    on_ws_connect: WsConnectHandler | None = None
    on_ws_message: WsMessageHandler | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"FakeExchangeSpec.name must be the exchange id, not {self.name!r}")
        if isinstance(self.hosts, str):
            raise TypeError(
                f"FakeExchangeSpec.hosts must be a sequence of host names, not the string "
                f"{self.hosts!r}; write hosts=({self.hosts!r},)"
            )
        for host in self.hosts:
            check_host(host)
        for name in ("verify_http", "http_rejection", "on_ws_connect", "on_ws_message"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise TypeError(f"FakeExchangeSpec.{name} must be callable, not {value!r}")


def check_pattern(pattern: Match) -> Match:
    """Return ``pattern`` if it is a valid :data:`Match`, else raise a helpful TypeError."""
    if pattern is None or isinstance(pattern, (dict, str, bytes)) or callable(pattern):
        return pattern
    raise TypeError(
        f"cannot match messages against {pattern!r}; use None, a dict (subset of a JSON "
        "object), a str or bytes (exact frame) or a callable (message) -> bool"
    )


def match(pattern: Match, message: Any) -> bool:
    """Whether ``message`` matches ``pattern`` (see :data:`Match`)."""
    if pattern is None:
        return True
    if isinstance(pattern, dict):
        return _contains(pattern, message)
    if isinstance(pattern, (str, bytes)):
        return type(pattern) is type(message) and pattern == message
    return bool(check_pattern(pattern)(message))


def _contains(pattern: Mapping[Any, Any], message: Any) -> bool:
    if not isinstance(message, dict):
        return False
    for key, expected in pattern.items():
        if key not in message:
            return False
        actual = message[key]
        if isinstance(expected, dict):
            if not _contains(expected, actual):
                return False
        elif actual != expected:
            return False
    return True


def replies_of(result: Any, origin: str) -> list[Any]:
    """Turn what a reply callable returned into a list of replies, refusing ambiguous values."""
    if result is None:
        return []
    if isinstance(result, (str, bytes, dict, CloseConnection)) or not isinstance(result, Iterable):
        raise TypeError(
            f"{origin} returned {type(result).__name__}; it must return a list of messages "
            "(or None): wrap a single message as [message]"
        )
    return list(result)
