"""What a plugin tells the conformance suite: its requirements and its known-answer cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from yarl import URL

__all__ = [
    "ApiNameCase",
    "ChannelSample",
    "LoginVector",
    "OrderBookCase",
    "Requirements",
    "SigningVector",
]


class Requirements:
    """Which features of the plugin the suite tests; a test of a closed feature is skipped.

    Each flag is open (``True``) or closed (``False``). Give the flags as keyword arguments
    (``Requirements(ws_auth=True, heartbeat=True)``) or subclass and override them, as a
    property where the answer must be computed. The suite checks the flags against the
    plugin's ``Exchange`` descriptor, so a closed flag can never hide a feature the plugin has.

    - ``signing``: HTTP requests are signed (``Exchange.sign``). Open by default.
    - ``fake_server``: the plugin contributes a ``FakeExchangeSpec`` whose ``verify_http``
      checks signatures (``pybotters_fake_exchanges``). Open by default.
    - ``needs_passphrase``: an API name needs ``[KEY, SECRET, PASSPHRASE]``.
    - ``ws_auth``: WebSocket connections log in (``WebSocketHooks.authenticate``).
    - ``heartbeat``: an application-level ping is sent (``WebSocketHooks.heartbeat``).
    - ``demo_api_name``: ``Exchange.select_api_name`` picks another API name per request
      (demo or simulated trading).
    - ``orderbook_integrity``: the order book detects a broken stream (sequence gap,
      checksum) and clears the book.
    """

    FLAGS: ClassVar[Mapping[str, str]] = {
        "signing": "HTTP requests are signed (Exchange.sign)",
        "fake_server": "the plugin's FakeExchangeSpec verifies HTTP signatures",
        "needs_passphrase": "an API name needs [KEY, SECRET, PASSPHRASE]",
        "ws_auth": "WebSocket connections log in (WebSocketHooks.authenticate)",
        "heartbeat": "an application-level ping is sent (WebSocketHooks.heartbeat)",
        "demo_api_name": "Exchange.select_api_name picks another API name per request",
        "orderbook_integrity": "the order book detects a broken stream and clears the book",
    }

    signing: bool = True
    fake_server: bool = True
    needs_passphrase: bool = False
    ws_auth: bool = False
    heartbeat: bool = False
    demo_api_name: bool = False
    orderbook_integrity: bool = False

    def __init__(self, **flags: bool) -> None:
        for name, value in flags.items():
            if name not in self.FLAGS:
                raise TypeError(
                    f"Requirements has no flag {name!r}; the flags are {', '.join(self.FLAGS)}"
                )
            if not isinstance(value, bool):
                raise TypeError(f"Requirements({name}=...) must be True or False, not {value!r}")
            setattr(self, name, value)

    def is_open(self, flag: str) -> bool:
        """Whether ``flag`` is open (its tests run)."""
        if flag not in self.FLAGS:
            raise KeyError(f"unknown requirement {flag!r}; the flags are {', '.join(self.FLAGS)}")
        return bool(getattr(self, flag))

    def __repr__(self) -> str:
        flags = ", ".join(f"{name}={self.is_open(name)}" for name in self.FLAGS)
        return f"{type(self).__name__}({flags})"


def _check_url(url: str, schemes: tuple[str, ...], owner: str) -> None:
    parsed = URL(url)
    if parsed.scheme not in schemes or not parsed.host:
        raise ValueError(
            f"{owner}: url must be an absolute {' or '.join(schemes)} URL on the exchange's "
            f"host, such as {schemes[0]}://api.example.com/path, not {url!r}"
        )


def _check_method(method: str, owner: str) -> None:
    if not isinstance(method, str) or not method.isalpha():
        raise ValueError(f"{owner}: method must be an HTTP method such as 'GET', not {method!r}")


@dataclass(frozen=True)
class SigningVector:
    """A known request and the authentication the plugin must add to it.

    The suite sends the request through a :class:`pybotters.Client` to a fake of the exchange,
    with the core's clock (``pybotters._clock.now``) frozen at ``timestamp`` and the suite's
    ``freeze`` patches applied (for nonces), and compares what the fake received.

    :param method: the HTTP method.
    :param url: the absolute ``https`` URL on one of the exchange's HTTP hosts.
    :param timestamp: the frozen clock, in seconds since the epoch.
    :param expected_headers: headers the request must carry with exactly these values (the
        signature, the key, the timestamp ...); the names are case-insensitive.
    :param params: query parameters, as passed to ``Client.request(params=...)``.
    :param data: the payload, as passed to ``Client.request(data=...)``.
    :param headers: request headers, as passed to ``Client.request(headers=...)``.
    :param expected_path: the path and query exactly as sent, when the plugin changes them.
    :param expected_body: the body bytes exactly as sent.
    :param apis: the credentials for this vector (from the exchange's documentation, say);
        ``None`` uses the suite's ``credentials``.
    :param id: the test id (``"GET balance"``); defaults to method and path.
    """

    method: str
    url: str
    timestamp: float
    expected_headers: Mapping[str, str]
    params: Mapping[str, Any] | None = None
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    expected_path: str | None = None
    expected_body: bytes | None = None
    apis: Mapping[str, Sequence[str]] | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        _check_method(self.method, "SigningVector")
        _check_url(self.url, ("https",), "SigningVector")
        if not self.expected_headers:
            raise ValueError(
                "SigningVector.expected_headers is empty: give the authentication headers the "
                "request must carry (from the exchange's documentation, or computed once and "
                "checked by hand)"
            )

    @property
    def test_id(self) -> str:
        return self.id or f"{self.method.upper()} {URL(self.url).path}"


@dataclass(frozen=True)
class LoginVector:
    """A known WebSocket login: the messages the authenticator sends first.

    The suite calls the plugin's ``WebSocketHooks.authenticate`` with the clock frozen at
    ``timestamp`` (and the suite's ``freeze`` patches applied) and records what it sends until
    it waits for the exchange's first reply.

    :param url: the ``wss`` URL of a connection that logs in.
    :param timestamp: the frozen clock, in seconds since the epoch.
    :param expected: the messages sent before the first reply is awaited (decoded JSON).
    :param apis: the credentials for this vector; ``None`` uses the suite's ``credentials``.
    :param id: the test id; defaults to the URL's host and path.
    """

    url: str
    timestamp: float
    expected: Sequence[Any]
    apis: Mapping[str, Sequence[str]] | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        _check_url(self.url, ("wss",), "LoginVector")
        if isinstance(self.expected, (str, bytes, dict)) or not self.expected:
            raise ValueError(
                "LoginVector.expected must be a non-empty list of the messages the login "
                "sends, e.g. [{'op': 'login', 'args': [...]}]"
            )

    @property
    def test_id(self) -> str:
        url = URL(self.url)
        return self.id or f"{url.host}{url.path}"


@dataclass(frozen=True)
class ApiNameCase:
    """A request for which ``Exchange.select_api_name`` picks ``api_name`` (not the host's).

    For example OKX signs ``x-simulated-trading: 1`` requests with ``okx_demo``.
    """

    method: str
    url: str
    api_name: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] | None = None
    data: Any = None
    session_headers: Mapping[str, str] = field(default_factory=dict)
    """Headers given to the Client (``Client(headers=...)``) instead of the request."""

    def __post_init__(self) -> None:
        _check_method(self.method, "ApiNameCase")
        _check_url(self.url, ("https",), "ApiNameCase")


@dataclass(frozen=True)
class ChannelSample:
    """Raw WebSocket messages of one documented channel, and the store they must fill.

    :param messages: the messages as the exchange pushes them (decoded JSON), in order; a
        channel whose data needs a snapshot first lists the snapshot first.
    :param store: the name of the store of the collection that must not be empty after them
        (``collection[store]``).
    :param collection: the ``DataStoreCollection`` name (``pybotters.<collection>``); may be
        left out when the plugin has only one.
    """

    messages: Sequence[Any]
    store: str
    collection: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.messages, (str, bytes, dict)) or not self.messages:
            raise ValueError(
                "ChannelSample.messages must be a non-empty list of messages (wrap a single "
                "message as [message])"
            )


@dataclass(frozen=True)
class OrderBookCase:
    """Messages that build an order book, and messages that break its integrity.

    :param store: the name of the order-book store in the collection.
    :param build: messages that build a sound book (a snapshot, then deltas).
    :param breaking: messages after which the book cannot be trusted (a sequence gap, a
        checksum mismatch, a crossed book): the store must clear the book.
    :param query: selects the book's items (``{"symbol": "BTCUSDT"}``).
    :param collection: the ``DataStoreCollection`` name, when the plugin has several.
    """

    store: str
    build: Sequence[Any]
    breaking: Sequence[Any]
    query: Mapping[str, Any]
    collection: str | None = None

    def __post_init__(self) -> None:
        for name in ("build", "breaking"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes, dict)) or not value:
                raise ValueError(f"OrderBookCase.{name} must be a non-empty list of messages")
