"""Tools of the conformance suite, also useful in a plugin's own tests."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from ..._plugins import Registry, host
from ...hookspecs import Exchange

if TYPE_CHECKING:
    from yarl import URL

    from ...hookspecs import Credential, WebSocketAuth

__all__ = [
    "AuthRecorder",
    "HookTripwire",
    "LoginCaptured",
    "LoginRecorder",
    "decode_frame",
    "find_exchange",
    "replaced_exchange",
    "unknown_messages",
]


def find_exchange(name: str) -> Exchange:
    """The registered :class:`~pybotters.hookspecs.Exchange` named ``name``."""
    registry = host.registry
    for table in (registry.api_names, registry.http_hosts, registry.ws_hosts):
        for exchange in table.values():
            if exchange.name == name:
                return exchange
    for _, (exchange, _target) in registry.stores.items():
        if exchange.name == name:
            return exchange
    known = sorted({ex.name for ex in registry.api_names.values()})
    raise LookupError(
        f"no installed plugin provides an exchange named {name!r} (installed: "
        f"{', '.join(known) or 'none'}); install the plugin (pip install -e .) and check "
        "`python -m pybotters plugins`"
    )


def _swap(table: Mapping[str, Any], old: Exchange, new: Exchange) -> dict[str, Any]:
    swapped: dict[str, Any] = {}
    for key, value in table.items():
        if value is old:
            value = new
        elif isinstance(value, tuple) and value and value[0] is old:
            value = (new, *value[1:])
        swapped[key] = value
    return swapped


@contextlib.contextmanager
def replaced_exchange(name: str, **changes: Any) -> Iterator[Exchange]:
    """Replace the registered exchange ``name`` by a copy with ``changes``, for a test.

    ``changes`` are fields of :class:`~pybotters.hookspecs.Exchange`, applied with
    :func:`dataclasses.replace`; a ``ws`` given as a mapping changes fields of the exchange's
    :class:`~pybotters.hookspecs.WebSocketHooks` instead::

        with replaced_exchange("okx", ws={"heartbeat": Heartbeat(0.05, "ping")}) as okx:
            async with pybotters.Client() as client:  # sees the 50 ms heartbeat
                ...

    Clients created inside the block use the modified copy (a Client reads the lookup tables
    when it is created). Start fake exchanges **before** entering the block: starting the
    first fake registers the testing kit's connector plugin, which rebuilds the tables.
    Yields the modified :class:`~pybotters.hookspecs.Exchange`.
    """
    original = find_exchange(name)
    ws_changes = changes.get("ws")
    if isinstance(ws_changes, Mapping):
        if original.ws is None:
            raise ValueError(
                f"exchange {name!r} has no WebSocketHooks to change; pass ws=WebSocketHooks(...)"
            )
        changes["ws"] = dataclasses.replace(original.ws, **ws_changes)
    modified = dataclasses.replace(original, **changes)
    with host._lock:
        registry = host.registry
        patched = Registry(
            http_hosts=_swap(registry.http_hosts, original, modified),
            ws_hosts=_swap(registry.ws_hosts, original, modified),
            api_names=_swap(registry.api_names, original, modified),
            stores=_swap(registry.stores, original, modified),
        )
        host._registry = patched
    try:
        yield modified
    finally:
        with host._lock:
            if host._registry is patched:
                host._registry = registry


class HookTripwire:
    """Stands in for a pluggy hook caller and records every use of it.

    :meth:`install` puts one on each ``pybotters_*`` hook of the core's plugin manager; the
    conformance suite does that around a request and a WebSocket flow, since traffic must only
    read the lookup tables, never call a hook.
    """

    __slots__ = ("calls", "name")

    def __init__(self, name: str, calls: list[str]) -> None:
        self.name = name
        self.calls = calls

    def __repr__(self) -> str:
        return f"<HookTripwire {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(f"{self.name}()")
        raise AssertionError(f"the hook {self.name} was called during traffic")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self.calls.append(f"{self.name}.{attribute}")
        raise AssertionError(f"the hook {self.name} was used ({attribute}) during traffic")

    @staticmethod
    def install(setattr_: Callable[[object, str, object], None]) -> list[str]:
        """Put a tripwire on every hook with ``setattr_`` (``monkeypatch.setattr``).

        Returns the list the tripwires record into.
        """
        calls: list[str] = []
        relay = host.pm.hook
        for name in sorted(vars(relay)):
            if name.startswith("pybotters_"):
                setattr_(relay, name, HookTripwire(name, calls))
        return calls


class LoginCaptured(Exception):
    """Raised into an authenticator when it waits for the exchange's first reply."""


class LoginRecorder:
    """A stand-in :class:`~pybotters.hookspecs.WebSocketAuth` that records the login.

    ``send_json`` records the message; ``receive_json`` raises :class:`LoginCaptured`, so an
    authenticator stops where it would wait for the exchange's answer.
    """

    __slots__ = ("credential", "sent", "timestamp", "url", "ws")

    def __init__(self, url: URL, credential: Credential, timestamp: float) -> None:
        self.ws: Any = None
        self.url = url
        self.credential = credential
        self.timestamp = timestamp
        self.sent: list[Any] = []

    async def send_json(self, data: Any) -> None:
        self.sent.append(orjson.loads(orjson.dumps(data)))

    async def receive_json(self) -> Any:
        raise LoginCaptured

    def take_backlog(self) -> list[Any]:
        return []

    async def capture(self, authenticate: Callable[[WebSocketAuth], Any]) -> list[Any]:
        """Run ``authenticate`` until it waits for a reply; return what it sent."""
        try:
            await authenticate(self)  # type: ignore[arg-type]
        except LoginCaptured:
            pass
        return self.sent


class AuthRecorder:
    """Wraps a live :class:`~pybotters.hookspecs.WebSocketAuth` and records what is sent."""

    __slots__ = ("_auth", "sent")

    def __init__(self, auth: WebSocketAuth, sent: list[Any]) -> None:
        self._auth = auth
        self.sent = sent

    @property
    def ws(self) -> Any:
        return self._auth.ws

    @property
    def url(self) -> URL:
        return self._auth.url

    @property
    def credential(self) -> Credential:
        return self._auth.credential

    @property
    def timestamp(self) -> float:
        return self._auth.timestamp

    async def send_json(self, data: Any) -> None:
        self.sent.append(orjson.loads(orjson.dumps(data)))
        await self._auth.send_json(data)

    async def receive_json(self) -> Any:
        return await self._auth.receive_json()


def decode_frame(message: str) -> Any:
    """A text frame as the fake exchanges record it: decoded JSON, or the text itself."""
    try:
        return orjson.loads(message)
    except orjson.JSONDecodeError:
        return message


_ENVELOPES: tuple[Any, ...] = (
    {},
    {"topic": "zzConformanceUnknown.BTCUSDT", "type": "snapshot", "data": {}},
    {"topic": "zzConformanceUnknown", "data": [{"x": 1}]},
    {"arg": {"channel": "zz-conformance-unknown", "instId": "BTC-USDT"}, "data": [{"x": "1"}]},
    {"arg": {"channel": "zz-conformance-unknown"}, "event": "subscribe"},
    {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": "zz_conformance_unknown", "message": {"x": 1}},
    },
    {"jsonrpc": "2.0", "id": 1, "result": True},
    {"channel": "zz-conformance-unknown", "data": [{"x": 1}]},
    {"stream": "zz-conformance-unknown", "data": {"x": 1}},
    {"e": "zzConformanceUnknown", "E": 1700000000000},
    {"op": "pong"},
    {"op": "zz-conformance-unknown", "success": True},
    {"event": "zz-conformance-unknown"},
    {"type": "zz-conformance-unknown", "data": None},
    [],
    [{}],
    [{"topic": "zzConformanceUnknown"}],
    "",
    "pong",
    "zz conformance unknown",
    0,
    1.5,
    True,
    None,
)


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.randrange(-(10**9), 10**9)
    if kind == 1:
        return rng.random() * 10**6
    if kind == 2:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789.-_") for _ in range(8))
    if kind == 3:
        return rng.choice((True, False, None))
    if kind == 4:
        return ""
    if kind == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return _random_dict(rng, depth + 1)


def _random_dict(rng: random.Random, depth: int) -> dict[str, Any]:
    # Keys of 6 to 12 letters with a digit cannot be the name of a real envelope field.
    return {
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(5, 11)))
        + str(rng.randrange(10)): _random_value(rng, depth)
        for _ in range(rng.randrange(1, 5))
    }


def unknown_messages(count: int = 40, seed: int = 20240101) -> list[Any]:
    """Messages no exchange sends: familiar envelopes with unknown channels, then random data.

    The same ``seed`` gives the same messages, so a failure is reproducible.
    """
    rng = random.Random(seed)
    generated: list[Any] = [
        _random_dict(rng, 0) if index % 3 else _random_value(rng, 0) for index in range(count)
    ]
    return [*_ENVELOPES, *generated]
