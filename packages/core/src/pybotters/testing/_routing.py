"""Routing of exchange host names to the fake servers on 127.0.0.1.

While at least one fake exchange runs, the testing kit is registered as a pybotters plugin whose
``pybotters_client_connector`` hook gives every new :class:`pybotters.Client` (created without
its own connector) an :class:`aiohttp.TCPConnector` with

- a resolver that maps each routed host name to 127.0.0.1 and the port of the fake serving it,
  and refuses every other name with a clear error (nothing reaches the network);
- a socket factory (aiohttp >= 3.12) that refuses addresses off the loopback interface, so a
  URL with a literal IP address cannot leave the machine either;
- an SSL context that trusts the throwaway CA of the fakes only.

The resolver reads the live table on every connection (the DNS cache is off), so a Client sees
fakes started after it was created, and a closed fake stops answering at once.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    import aiohttp
    from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = ["RoutingError", "switchboard"]

PLUGIN_NAME = "pybotters.testing"
PLAIN_HTTP_PORT = 80


class RoutingError(ConnectionRefusedError):
    """A connection to a host that no running fake exchange serves was refused.

    aiohttp reports it as a ``ClientConnectorError`` whose message includes this one.
    """

    def __init__(self, message: str) -> None:
        super().__init__(errno.ECONNREFUSED, message)


@dataclass(frozen=True, slots=True)
class _Target:
    owner: str
    tls_port: int
    plain_port: int


class Switchboard:
    """Host name -> fake server table, and the registration of the connector plugin."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, _Target] = {}
        self._users = 0

    def add(self, owner: str, hosts: Iterable[str], tls_port: int, plain_port: int) -> None:
        """Route ``hosts`` to the given ports; a host served by another fake is an error."""
        names = list(hosts)
        with self._lock:
            for name in names:
                current = self._routes.get(name)
                if current is not None:
                    raise ValueError(
                        f"host {name!r} is already served by the fake exchange "
                        f"{current.owner!r}; close it first, or start one fake for both"
                    )
            target = _Target(owner, tls_port, plain_port)
            for name in names:
                self._routes[name] = target
            self._users += 1
            first = self._users == 1
        if first:
            _register()

    def remove(self, owner: str, hosts: Iterable[str]) -> None:
        with self._lock:
            for name in hosts:
                target = self._routes.get(name)
                if target is not None and target.owner == owner:
                    del self._routes[name]
            self._users -= 1
            last = self._users == 0
        if last:
            _unregister()

    def lookup(self, host: str, port: int) -> int | None:
        """The local port serving ``host`` for a connection to ``port``, or None."""
        target = self._routes.get(host.rstrip(".").lower())
        if target is None:
            return None
        return target.plain_port if port == PLAIN_HTTP_PORT else target.tls_port

    def routed_hosts(self) -> list[str]:
        return sorted(self._routes)


switchboard = Switchboard()


def resolve(host: str, port: int) -> list[ResolveResult]:
    """Where a connection to ``host:port`` goes: 127.0.0.1 and the port of its fake."""
    if host == "localhost":
        local_port = port
    else:
        found = switchboard.lookup(host, port)
        if found is None:
            routed = ", ".join(switchboard.routed_hosts()) or "none"
            raise RoutingError(
                f"pybotters.testing refused a connection to {host!r}: no fake exchange "
                f"serves it (routed hosts: {routed}); start a fake for it, e.g. "
                f"FakeExchange(..., hosts=[{host!r}])"
            )
        local_port = found
    return [
        {
            "hostname": host,
            "host": "127.0.0.1",
            "port": local_port,
            "family": socket.AF_INET,
            "proto": 0,
            "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
        }
    ]


@functools.cache
def _resolver_class() -> type[AbstractResolver]:
    from aiohttp.abc import AbstractResolver

    class RoutedResolver(AbstractResolver):
        """An aiohttp resolver that answers from the testing kit's switchboard only."""

        async def resolve(
            self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
        ) -> list[ResolveResult]:
            return resolve(host, port)

        async def close(self) -> None:
            return None

    return RoutedResolver


def _loopback_socket(addr_info: tuple[Any, ...]) -> socket.socket:
    family, kind, proto, _canonname, sockaddr = addr_info
    address = ipaddress.ip_address(sockaddr[0])
    if not address.is_loopback:
        raise RoutingError(
            f"pybotters.testing refused a connection to {sockaddr[0]}: only fake exchanges "
            "on the loopback interface are reachable while the testing kit is active"
        )
    sock = socket.socket(family=family, type=kind, proto=proto)
    sock.setblocking(False)
    return sock


def make_connector() -> aiohttp.TCPConnector:
    """A connector routed to the fakes; see the module docstring."""
    import aiohttp

    from ._tls import client_context

    kwargs: dict[str, Any] = {
        "resolver": _resolver_class()(),
        "ssl": client_context(),
        "use_dns_cache": False,
    }
    try:
        return aiohttp.TCPConnector(socket_factory=_loopback_socket, **kwargs)
    except TypeError:  # aiohttp < 3.12 has no socket_factory
        return aiohttp.TCPConnector(**kwargs)


class _ConnectorPlugin:
    """The in-process pybotters plugin registered while fakes run."""

    __name__ = PLUGIN_NAME

    @hookimpl(tryfirst=True)
    def pybotters_client_connector(self) -> aiohttp.BaseConnector | None:
        return make_connector()


def _register() -> None:
    from .._plugins import host

    if host.pm.get_plugin(PLUGIN_NAME) is None:
        host.register(_ConnectorPlugin(), name=PLUGIN_NAME)


def _unregister() -> None:
    from .._plugins import host

    if host.pm.get_plugin(PLUGIN_NAME) is not None:
        host.unregister(PLUGIN_NAME)
