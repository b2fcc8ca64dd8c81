"""Plugin discovery and the lookup tables built from it.

Discovery is lazy: nothing here runs at ``import pybotters``. On first need (a Client, a
``pybotters.<Store>`` lookup, a plugin listing) the entry points of the ``pybotters`` group are
loaded one by one, each in its own ``try`` so that one broken plugin never breaks the others, and
the registration hooks are called once. What they return is turned into plain dicts
(:class:`Registry`); traffic only ever reads those dicts.

Environment switches (read at discovery time):

- ``PYBOTTERS_LOAD_PLUGINS``: comma-separated allow-list of entry-point names; empty loads none.
- ``PYBOTTERS_DISABLE_PLUGINS``: comma-separated entry-point names to skip.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import pluggy

from . import hookspecs
from ._exceptions import PluginConflictError, PluginWarning
from .hookspecs import PLUGIN_API, Exchange

__all__ = ["PluginStatus", "Registry", "host", "list_plugins"]

ENTRY_POINT_GROUP = "pybotters"

Status = Literal["loaded", "failed", "blocked", "incompatible"]


@dataclass(slots=True)
class PluginStatus:
    """What became of one plugin: where it came from and whether it is in use."""

    name: str
    status: Status
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    reason: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    def label(self) -> str:
        dist = self.distribution or self.name
        return f"{dist} {self.version}" if self.version else dist

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "reason": self.reason,
            "exchanges": [
                {
                    "name": ex.name,
                    "plugin_api": ".".join(map(str, ex.plugin_api)),
                    "api_names": list(ex.api_names),
                    "http_hosts": sorted(ex.http_hosts),
                    "ws_hosts": sorted(ex.ws_hosts),
                    "stores": sorted(ex.stores),
                }
                for ex in self.exchanges
            ],
        }


@dataclass(slots=True)
class Registry:
    """Plain lookup tables built once from the registered plugins."""

    http_hosts: dict[str, Exchange] = field(default_factory=dict)
    ws_hosts: dict[str, Exchange] = field(default_factory=dict)
    api_names: dict[str, Exchange] = field(default_factory=dict)
    stores: dict[str, tuple[Exchange, type | str]] = field(default_factory=dict)

    def resolve_store(self, name: str) -> type | None:
        entry = self.stores.get(name)
        if entry is None:
            return None
        exchange, target = entry
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            target = getattr(importlib.import_module(module_name), attr)
            self.stores[name] = (exchange, target)
        assert isinstance(target, type)
        return target


def _env_names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def _check_api(exchange: Exchange) -> str | None:
    """Return why ``exchange`` cannot be used with this core, or None if it can."""
    api = exchange.plugin_api
    if (
        not isinstance(api, tuple)
        or len(api) != 2
        or not all(isinstance(part, int) for part in api)
    ):
        return f"declares plugin_api={api!r}; expected a (major, minor) tuple of ints"
    if api[0] != PLUGIN_API[0] or api[1] > PLUGIN_API[1]:
        from .__about__ import __version__

        want = ".".join(map(str, api))
        have = ".".join(map(str, PLUGIN_API))
        hint = "upgrade pybotters-core" if api > PLUGIN_API else "upgrade the plugin"
        return f"targets plugin API {want}; pybotters-core {__version__} provides {have}; {hint}"
    return None


class PluginHost:
    """The plugin manager, the discovery loop and the lookup tables built from them."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        from . import _credentials

        self.pm.register(_credentials, name="pybotters.credentials")
        self._lock = threading.RLock()
        self._discovered = False
        self._registry: Registry | None = None
        self._statuses: dict[str, PluginStatus] = {}

    # -- registration ------------------------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register an in-process plugin (tests, REPL, applications); tables are rebuilt."""
        with self._lock:
            plugin_name = self.pm.register(plugin, name=name)
            assert plugin_name is not None
            self._statuses[plugin_name] = PluginStatus(
                name=plugin_name, status="loaded", module=getattr(plugin, "__name__", None)
            )
            self._registry = None
            return plugin_name

    def unregister(self, name: str) -> None:
        with self._lock:
            self.pm.unregister(name=name)
            self._statuses.pop(name, None)
            self._registry = None

    def discover(self) -> None:
        """Load the ``pybotters`` entry points once; failures are warned and recorded."""
        with self._lock:
            if self._discovered:
                return
            self._discovered = True
            allow = _env_names("PYBOTTERS_LOAD_PLUGINS")
            block = _env_names("PYBOTTERS_DISABLE_PLUGINS") or set()
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                self._load_entry_point(ep, allow, block)

    def _load_entry_point(
        self,
        ep: importlib.metadata.EntryPoint,
        allow: set[str] | None,
        block: set[str],
    ) -> None:
        dist = getattr(ep, "dist", None)
        status = PluginStatus(
            name=ep.name,
            status="loaded",
            distribution=dist.metadata["Name"] if dist is not None else None,
            version=dist.version if dist is not None else None,
            module=ep.value,
        )
        if ep.name in self._statuses:
            return
        self._statuses[ep.name] = status
        if (allow is not None and ep.name not in allow) or ep.name in block:
            status.status = "blocked"
            status.reason = "disabled by PYBOTTERS_LOAD_PLUGINS / PYBOTTERS_DISABLE_PLUGINS"
            self.pm.set_blocked(ep.name)
            return
        try:
            plugin = ep.load()
        except Exception as exc:
            self._fail(status, f"import of {ep.value!r} failed: {type(exc).__name__}: {exc}")
            return
        try:
            self.pm.register(plugin, name=ep.name)
            self.pm.check_pending()
        except Exception as exc:
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._fail(status, f"its hooks do not validate: {exc}")

    def _fail(self, status: PluginStatus, reason: str) -> None:
        status.status = "failed"
        status.reason = reason
        warnings.warn(
            f"pybotters plugin {status.label()} was skipped: {reason}",
            PluginWarning,
            stacklevel=4,
        )

    # -- tables ------------------------------------------------------------------------------

    @property
    def registry(self) -> Registry:
        registry = self._registry
        if registry is None:
            registry = self._build()
        return registry

    def _build(self) -> Registry:
        with self._lock:
            if self._registry is not None:
                return self._registry
            self.discover()
            registry = Registry()
            owners: dict[tuple[str, str], str] = {}
            for impl in self.pm.hook.pybotters_exchanges.get_hookimpls():
                status = self._statuses.setdefault(
                    impl.plugin_name, PluginStatus(name=impl.plugin_name, status="loaded")
                )
                status.exchanges = []
                try:
                    exchanges = list(cast("Iterable[object]", impl.function()))
                except Exception as exc:
                    self._fail(status, f"pybotters_exchanges() raised {type(exc).__name__}: {exc}")
                    continue
                valid = self._validate(status, exchanges)
                for exchange in valid:
                    self._add(registry, owners, status, exchange)
                status.exchanges = valid
            self._registry = registry
            return registry

    def _validate(self, status: PluginStatus, exchanges: list[object]) -> list[Exchange]:
        """The plugin's exchanges if all are usable; else warn, record why and return []."""
        valid: list[Exchange] = []
        for exchange in exchanges:
            if not isinstance(exchange, Exchange):
                self._fail(status, f"returned {type(exchange).__name__}, not Exchange")
                return []
            reason = _check_api(exchange)
            if reason is not None:
                status.status = "incompatible"
                status.reason = reason
                warnings.warn(
                    f"pybotters plugin {status.label()} was refused: {reason}",
                    PluginWarning,
                    stacklevel=4,
                )
                return []
            reason = _check_hosts(exchange)
            if reason is not None:
                self._fail(status, reason)
                return []
            valid.append(exchange)
        return valid

    def _add(
        self,
        registry: Registry,
        owners: dict[tuple[str, str], str],
        status: PluginStatus,
        exchange: Exchange,
    ) -> None:
        label = status.label()
        claims: list[tuple[str, str]] = [("exchange", exchange.name)]
        claims += [("HTTP host", h) for h in exchange.http_hosts]
        claims += [("WebSocket host", h) for h in exchange.ws_hosts]
        claims += [("API name", n) for n in _api_names(exchange)]
        claims += [("store", s) for s in exchange.stores]
        for kind, value in claims:
            other = owners.get((kind, value))
            if other is not None and other != label:
                raise PluginConflictError(
                    f"{kind} {value!r} is claimed by two plugins: {other} and {label}; "
                    "uninstall one of them or disable it with PYBOTTERS_DISABLE_PLUGINS"
                )
            owners[(kind, value)] = label
        for host_name in exchange.http_hosts:
            registry.http_hosts[host_name] = exchange
        for host_name in exchange.ws_hosts:
            registry.ws_hosts[host_name] = exchange
        for api_name in _api_names(exchange):
            registry.api_names[api_name] = exchange
        for store_name, target in exchange.stores.items():
            registry.stores[store_name] = (exchange, target)

    def statuses(self) -> list[PluginStatus]:
        """Every plugin seen, loaded or not (builds the tables first)."""
        self.registry  # noqa: B018 - builds the tables and the statuses
        return [s for s in self._statuses.values() if s.name != "pybotters.credentials"]

    def store_provider(self, name: str) -> str | None:
        return hookspecs.KNOWN_STORE_PROVIDERS.get(name)


def _api_names(exchange: Exchange) -> Iterable[str]:
    names = dict.fromkeys(exchange.api_names)
    names.update(dict.fromkeys(exchange.http_hosts.values()))
    names.update(dict.fromkeys(exchange.ws_hosts.values()))
    return names


def _check_hosts(exchange: Exchange) -> str | None:
    """Return why a declared host is not a plain exact host name, or None if all are."""
    for name in (*exchange.http_hosts, *exchange.ws_hosts):
        if (
            not isinstance(name, str)
            or not name
            or name != name.lower()
            or any(c in name for c in "/:@ *?")
            or name.endswith(".")
            or name.startswith(".")
        ):
            return (
                f"exchange {exchange.name!r} declares host {name!r}; hosts must be exact "
                "lower-case names without scheme, port, path, wildcard or trailing dot"
            )
    return None


host = PluginHost()
"""The process-wide plugin host."""


def list_plugins() -> list[dict[str, Any]]:
    """Every installed plugin with its status, distribution, exchanges, hosts and stores."""
    return [status.as_dict() for status in host.statuses()]


def exchange_for_api_names() -> Mapping[str, Exchange]:
    return host.registry.api_names
