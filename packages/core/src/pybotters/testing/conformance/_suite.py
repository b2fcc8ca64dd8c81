"""``ExchangePluginSuite``: the tests every exchange plugin runs against itself."""

from __future__ import annotations

import asyncio
import copy
import importlib
import importlib.metadata
import importlib.util
import logging
import re
import warnings
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import pytest

from ._cases import (
    ApiNameCase,
    ChannelSample,
    LoginVector,
    OrderBookCase,
    Requirements,
    SigningVector,
)
from ._tools import (
    AuthRecorder,
    HookTripwire,
    LoginRecorder,
    decode_frame,
    find_exchange,
    replaced_exchange,
    unknown_messages,
)

if TYPE_CHECKING:
    import os

    from ...hookspecs import Credential, Exchange, SignRequest, WebSocketAuth
    from .._fake import FakeExchange
    from .._spec import FakeRequest
    from .._websocket import FakeWebSocketSession

__all__ = ["ExchangePluginSuite", "requires"]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

LOOKALIKE_EXCHANGE = "pybotters-conformance-lookalike"
LOOKALIKE_SUFFIX = ".evil.example"
USERINFO_TARGET = "evil.example"
WAIT = 10.0
"""Seconds any single step may take before the test fails (they take milliseconds)."""

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_ANY_PATH = re.compile(r".*")


def requires(*flags: str) -> Callable[[_F], _F]:
    """Mark a kit test as needing these :class:`Requirements` flags (skipped when closed)."""
    for flag in flags:
        if flag not in Requirements.FLAGS:
            raise ValueError(f"unknown requirement {flag!r}")

    def mark(function: _F) -> _F:
        function.__requires__ = flags  # type: ignore[attr-defined]
        return function

    return mark


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run one scenario in a fresh event loop (no pytest plugin needed for async tests)."""
    return asyncio.run(coroutine)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _xfail_reason(function: object) -> str | None:
    for mark in getattr(function, "pytestmark", ()):
        if getattr(mark, "name", None) == "xfail":
            reason = mark.kwargs.get("reason") or (mark.args[1] if len(mark.args) > 1 else None)
            if isinstance(reason, str) and reason.strip():
                return reason
    return None


def _message_pattern(message: Any) -> Any:
    """How the fake finds ``message`` among the client's: dicts by subset, else by equality."""
    if isinstance(message, (dict, str, bytes)):
        return message
    return lambda received: received == message


class ExchangePluginSuite:
    """The conformance suite of an exchange plugin: subclass it in a test module.

    ::

        from pybotters.testing.conformance import ExchangePluginSuite, Requirements

        class TestMyExchangeConformance(ExchangePluginSuite):
            entry_point = "myexchange"
            exchange = "myexchange"
            requirements = Requirements(ws_auth=True)
            credentials = {"myexchange": ["conformance-key", "conformance-secret"]}
            signing_vectors = [...]
            ...

    pytest collects every ``test_*`` method of the subclass. Each one that needs a feature the
    plugin does not have (a closed :class:`Requirements` flag) is skipped with the reason. A
    kit test that does not apply to the plugin may be overridden only with
    ``@pytest.mark.xfail(reason="...")``; any other override fails
    :meth:`test_kit_tests_are_not_overridden_without_xfail`.

    The tests run their own event loops (``asyncio.run``): no pytest plugin is needed besides
    ``pybotters.testing`` itself. They start fake exchanges (:mod:`pybotters.testing`), so no
    request leaves the machine.
    """

    entry_point: ClassVar[str] = ""
    """The name of the plugin's entry point in the ``pybotters`` group."""
    exchange: ClassVar[str] = ""
    """The exchange id (``Exchange.name``) the plugin provides."""
    distribution: ClassVar[str | None] = None
    """The distribution that must provide the entry point (``"pybotters-myexchange"``)."""
    requirements: ClassVar[Requirements] = Requirements()
    """Which features the plugin has (see :class:`Requirements`)."""
    credentials: ClassVar[Mapping[str, Sequence[str]]] = {}
    """Test credentials for every API name of the exchange: ``{api_name: [key, secret...]}``.

    Use distinctive values (at least 8 characters, unique per API name) so that the suite can
    tell which credential signed a request and spot a leaked secret."""
    signing_vectors: ClassVar[Sequence[SigningVector]] = ()
    """Known requests to private endpoints and the headers they must carry."""
    login_vectors: ClassVar[Sequence[LoginVector]] = ()
    """Known WebSocket logins (needed with ``ws_auth``)."""
    freeze: ClassVar[Mapping[str, Any]] = {}
    """``"module.attribute" -> replacement`` patched while the vectors run: freeze nonces and
    other random parts here (the clock is frozen by the suite)."""
    api_name_cases: ClassVar[Sequence[ApiNameCase]] = ()
    """Requests for which ``select_api_name`` picks another API name (``demo_api_name``)."""
    ws_private_url: ClassVar[str | None] = None
    """A WebSocket URL that logs in (``ws_auth``)."""
    ws_public_url: ClassVar[str | None] = None
    """A WebSocket URL that must not log in (optional)."""
    ws_subscribe: ClassVar[Any] = None
    """One message subscribing to a private channel on ``ws_private_url`` (dict or str)."""
    sample_messages: ClassVar[Mapping[str, ChannelSample]] = {}
    """Documented channel -> :class:`ChannelSample` (raw messages and the store they fill)."""
    stores_without_messages: ClassVar[Collection[str]] = ()
    """Stores fed only by HTTP snapshots (``initialize``), which need no channel sample."""
    orderbook_case: ClassVar[OrderBookCase | None] = None
    """How to build and break the order book (``orderbook_integrity``)."""
    docs_page: ClassVar[str | os.PathLike[str] | None] = None
    """The plugin's documentation page (Markdown or reStructuredText)."""

    # -- the subclass contract ---------------------------------------------------------------

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check = "test_kit_tests_are_not_overridden_without_xfail"
        kit_check = ExchangePluginSuite.__dict__[check]
        if cls.__dict__.get(check, kit_check) is not kit_check:
            raise TypeError(
                f"{cls.__name__} overrides {check}, the check that keeps the conformance suite "
                "whole; remove the override"
            )

    @classmethod
    def kit_tests(cls) -> list[str]:
        """The names of the kit's tests."""
        return sorted(name for name in vars(ExchangePluginSuite) if name.startswith("test_"))

    @pytest.fixture(autouse=True)
    def _conformance_requirements(self, request: pytest.FixtureRequest) -> None:
        flags: Sequence[str] = getattr(request.function, "__requires__", ())
        for flag in flags:
            if not self.requirements.is_open(flag):
                pytest.skip(
                    f"requirement {flag!r} is closed for {self.exchange!r} "
                    f"({type(self).__name__}.requirements): {Requirements.FLAGS[flag]}"
                )

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize the vector and channel tests by the subclass's cases."""
        cls = type(self)
        cases: dict[str, tuple[list[Any], list[str]]] = {
            "signing_vector": (
                list(cls.signing_vectors),
                [vector.test_id for vector in cls.signing_vectors],
            ),
            "login_vector": (
                list(cls.login_vectors),
                [vector.test_id for vector in cls.login_vectors],
            ),
            "channel": (list(cls.sample_messages), list(cls.sample_messages)),
        }
        for argname, (values, ids) in cases.items():
            if argname in metafunc.fixturenames:
                if not values:
                    # One visible case that fails (or skips, when its flag is closed) and says
                    # what to add, instead of pytest's silent empty parameter set.
                    values, ids = [None], ["missing"]
                metafunc.parametrize(argname, values, ids=ids)

    # -- helpers -----------------------------------------------------------------------------

    def _exchange(self) -> Exchange:
        if not self.exchange:
            pytest.fail(f"{type(self).__name__}.exchange is not set; set it to the exchange id")
        return find_exchange(self.exchange)

    def _apis(self, apis: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
        source = self.credentials if apis is None else apis
        return {name: list(items) for name, items in source.items()}

    def _wrong_apis(self) -> dict[str, list[str]]:
        return {
            name: [items[0], items[1] + "-wrong", *items[2:]] if len(items) > 1 else list(items)
            for name, items in self._apis().items()
        }

    def _secrets(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        sources = [self.credentials, *(v.apis for v in self.signing_vectors if v.apis)]
        for source in sources:
            for name, items in source.items():
                for index, label in ((1, "secret"), (2, "passphrase")):
                    if len(items) > index and items[index]:
                        found.append((f"the {label} of {name!r}", items[index]))
        return found

    def _credential(self, api_name: str, apis: Mapping[str, Sequence[str]]) -> Credential:
        from ...hookspecs import Credential

        items = list(apis.get(api_name, ()))
        if len(items) < 2:
            pytest.fail(f"the credentials have no [KEY, SECRET] for the API name {api_name!r}")
        return Credential(api_name, items[0], items[1], items[2] if len(items) > 2 else None)

    def _probe_path(self, host: str) -> str:
        """A path the plugin signs on ``host``: a signing vector's, or the first vector's."""
        from yarl import URL

        paths = [URL(v.url) for v in self.signing_vectors]
        for url in paths:
            if url.host == host:
                return url.raw_path
        return paths[0].raw_path if paths else "/"

    def _collection_classes(self) -> dict[str, type]:
        import pybotters

        return {name: getattr(pybotters, name) for name in self._exchange().stores}

    def _collection_class(self, name: str | None) -> type:
        classes = self._collection_classes()
        if name is None:
            if len(classes) != 1:
                pytest.fail(
                    f"the plugin has {len(classes)} DataStoreCollections "
                    f"({', '.join(classes) or 'none'}); name the one of each sample "
                    "(ChannelSample(collection=...))"
                )
            return next(iter(classes.values()))
        if name not in classes:
            pytest.fail(
                f"{name!r} is not a DataStoreCollection of {self.exchange!r} "
                f"(it has: {', '.join(classes) or 'none'})"
            )
        return classes[name]

    def _freeze(self, monkeypatch: pytest.MonkeyPatch, timestamp: float) -> None:
        from ... import _clock

        monkeypatch.setattr(_clock, "now", lambda: timestamp)
        for target, value in self.freeze.items():
            monkeypatch.setattr(target, value)

    @staticmethod
    async def _send(
        client: Any,
        fake: FakeExchange,
        method: str,
        url: str,
        **kwargs: Any,
    ) -> FakeRequest:
        """Send a request with ``client`` and return it as ``fake`` received it."""
        before = len(fake.requests)
        await asyncio.wait_for(client.fetch(method, url, **kwargs), WAIT)
        received = fake.requests[before:]
        assert len(received) == 1, (
            f"{method} {url} should have reached the fake exchange {fake.name!r} once; it "
            f"received {received!r}"
        )
        return received[0]

    async def _send_vector(
        self, client: Any, fake: FakeExchange, vector: SigningVector, **kwargs: Any
    ) -> FakeRequest:
        return await self._send(
            client,
            fake,
            vector.method,
            vector.url,
            params=copy.deepcopy(vector.params),
            data=copy.deepcopy(vector.data),
            headers=dict(vector.headers),
            **kwargs,
        )

    def _url_for_api_name(self, api_name: str) -> tuple[str, str, Mapping[str, str]] | None:
        """A request that the plugin signs with ``api_name``: (method, url, headers)."""
        exchange = self._exchange()
        for host_name, name in exchange.http_hosts.items():
            if name == api_name:
                return "GET", f"https://{host_name}{self._probe_path(host_name)}", {}
        for case in self.api_name_cases:
            if case.api_name == api_name and not case.session_headers:
                return case.method, case.url, case.headers
        return None

    def _keys_seen(self, request: FakeRequest) -> list[str]:
        """The API names whose key appears in ``request`` (headers, path or body)."""
        text = "\n".join(
            [request.raw_path, request.text, *(str(v) for v in request.headers.values())]
        )
        return [name for name, items in self._apis().items() if items and items[0] in text]

    @staticmethod
    def _leaks(secrets: list[tuple[str, str]], texts: list[tuple[str, str]]) -> list[str]:
        return [
            f"{label} appears in {where}"
            for label, secret in secrets
            for where, text in texts
            if secret in text
        ]

    def _recording_authenticate(
        self, exchange: Exchange, sent: list[Any], outcomes: list[BaseException | None]
    ) -> Callable[[WebSocketAuth], Coroutine[Any, Any, None]]:
        assert exchange.ws is not None and exchange.ws.authenticate is not None
        original = exchange.ws.authenticate

        async def authenticate(auth: WebSocketAuth) -> None:
            try:
                await original(AuthRecorder(auth, sent))  # type: ignore[arg-type]
            except BaseException as exc:
                outcomes.append(exc)
                raise
            outcomes.append(None)

        return authenticate

    # -- configuration -----------------------------------------------------------------------

    def test_suite_is_configured(self) -> None:
        """The subclass sets what the open requirements need, with usable values."""
        problems: list[str] = []
        name = type(self).__name__
        if not self.entry_point:
            problems.append(f"{name}.entry_point is not set (the entry-point name)")
        if not self.exchange:
            problems.append(f"{name}.exchange is not set (the exchange id)")
        requirements: object = self.requirements
        if not isinstance(requirements, Requirements):
            problems.append(f"{name}.requirements must be a Requirements instance")
        if not self.credentials:
            problems.append(f"{name}.credentials is empty; give test credentials per API name")
        keys: dict[str, str] = {}
        for api_name, items in self.credentials.items():
            if isinstance(items, (str, bytes)) or not all(isinstance(i, str) for i in items):
                problems.append(f"credentials[{api_name!r}] must be a list of strings")
                continue
            if items and items[0] in keys:
                problems.append(
                    f"credentials[{api_name!r}] reuses the key of {keys[items[0]]!r}; give each "
                    "API name its own key so that the suite can tell them apart"
                )
            if items:
                keys[items[0]] = api_name
            if any(len(item) < 8 for item in items[1:]):
                problems.append(
                    f"credentials[{api_name!r}] has a secret shorter than 8 characters; use "
                    "distinctive values so that a leaked secret can be told from ordinary text"
                )
        overlapping = [(a, b) for a in keys for b in keys if a != b and a in b]
        if overlapping:
            problems.append(
                f"the keys of {keys[overlapping[0][0]]!r} and {keys[overlapping[0][1]]!r} "
                "overlap (one contains the other); make them distinct"
            )
        wanted: list[tuple[str, bool, str]] = [
            ("signing", bool(self.signing_vectors), "signing_vectors"),
            ("ws_auth", self.ws_private_url is not None, "ws_private_url"),
            ("ws_auth", self.ws_subscribe is not None, "ws_subscribe"),
            ("ws_auth", bool(self.login_vectors), "login_vectors"),
            (
                "heartbeat",
                (self.ws_public_url or self.ws_private_url) is not None,
                "ws_public_url or ws_private_url",
            ),
            ("demo_api_name", bool(self.api_name_cases), "api_name_cases"),
            ("orderbook_integrity", self.orderbook_case is not None, "orderbook_case"),
        ]
        for flag, given, attribute in wanted:
            if isinstance(requirements, Requirements) and requirements.is_open(flag) and not given:
                problems.append(f"requirement {flag!r} is open but {name}.{attribute} is not set")
        if not self.sample_messages:
            problems.append(f"{name}.sample_messages is empty; give samples per channel")
        if self.docs_page is None:
            problems.append(f"{name}.docs_page is not set (the plugin's documentation page)")
        assert not problems, "the conformance suite is not configured:\n- " + "\n- ".join(problems)

    def test_requirements_match_the_plugin(self) -> None:
        """A closed flag never hides a feature the plugin has, nor an open one a missing one."""
        from .._fake import find_spec

        exchange = self._exchange()
        ws = exchange.ws
        spec = find_spec(exchange.name)
        facts = {
            "signing": exchange.sign is not None,
            "fake_server": spec is not None and spec.verify_http is not None,
            "needs_passphrase": any(
                exchange.items_for(name) == 3 for name in self._all_api_names(exchange)
            ),
            "ws_auth": ws is not None and ws.authenticate is not None,
            "heartbeat": ws is not None and ws.heartbeat is not None,
            "demo_api_name": exchange.select_api_name is not None,
        }
        problems = [
            f"{flag}={self.requirements.is_open(flag)} but the plugin "
            f"{'has' if fact else 'has not'}: {Requirements.FLAGS[flag]}"
            for flag, fact in facts.items()
            if self.requirements.is_open(flag) != fact
        ]
        assert not problems, (
            f"{type(self).__name__}.requirements does not match the plugin:\n- "
            + "\n- ".join(problems)
        )

    def test_kit_tests_are_not_overridden_without_xfail(self) -> None:
        """A kit test may only be overridden with ``@pytest.mark.xfail(reason=...)``."""
        cls = type(self)
        problems = []
        for name in self.kit_tests():
            kit = ExchangePluginSuite.__dict__[name]
            mine = getattr(cls, name, None)
            if mine is kit:
                continue
            if not callable(mine):
                problems.append(f"{name} was removed; restore it (mark it xfail if it fails)")
            elif _xfail_reason(mine) is None:
                problems.append(
                    f"{name} is overridden without @pytest.mark.xfail(reason=...); say why the "
                    "kit's version does not apply to this plugin"
                )
        assert not problems, "\n".join(problems)

    # -- entry point ---------------------------------------------------------------------------

    def _entry_point(self) -> importlib.metadata.EntryPoint:
        found = [
            ep
            for ep in importlib.metadata.entry_points(group="pybotters")
            if ep.name == self.entry_point
        ]
        if len(found) != 1:
            names = sorted(ep.name for ep in importlib.metadata.entry_points(group="pybotters"))
            pytest.fail(
                f"{len(found)} entry points named {self.entry_point!r} in the 'pybotters' group "
                f"(installed: {', '.join(names) or 'none'}); declare it once in pyproject.toml "
                f'([project.entry-points.pybotters] {self.entry_point} = "your_package.plugin") '
                "and install the distribution (pip install -e .)"
            )
        return found[0]

    def test_entry_point_is_registered(self) -> None:
        """The entry point is in the ``pybotters`` group, from the expected distribution."""
        ep = self._entry_point()
        dist = getattr(ep, "dist", None)
        assert dist is not None, f"the entry point {ep.name!r} belongs to no distribution"
        if self.distribution is not None:
            assert _canonical(dist.metadata["Name"]) == _canonical(self.distribution), (
                f"the entry point {ep.name!r} comes from {dist.metadata['Name']!r}, not from "
                f"{self.distribution!r}"
            )

    def _loaded_exchanges(self) -> tuple[Any, list[Exchange]]:
        import pluggy

        from ... import hookspecs

        ep = self._entry_point()
        module = ep.load()
        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        pm.register(module, name=ep.name)
        pm.check_pending()  # raises for an implementation that matches no specification
        impls = [
            impl
            for impl in pm.hook.pybotters_exchanges.get_hookimpls()
            if impl.plugin_name == ep.name
        ]
        assert impls, f"{ep.value} implements no pybotters_exchanges() hook"
        returned = cast("Iterable[Exchange]", impls[0].function())
        return module, list(returned)

    def test_entry_point_loads_without_pending_hooks(self) -> None:
        """The module loads, every hook function matches a specification, the core loaded it."""
        from ..._plugins import host

        _, exchanges = self._loaded_exchanges()
        names = [getattr(ex, "name", None) for ex in exchanges]
        assert self.exchange in names, (
            f"pybotters_exchanges() of {self.entry_point!r} returns {names}, not {self.exchange!r}"
        )
        statuses = {status.name: status for status in host.statuses()}
        status = statuses.get(self.entry_point)
        assert status is not None, f"the core did not see the plugin {self.entry_point!r}"
        assert status.status == "loaded", (
            f"the core did not load {self.entry_point!r}: {status.status}: {status.reason}"
        )

    def test_plugin_api_is_compatible(self) -> None:
        """Each exchange targets this core's plugin API; the core requirement is satisfied."""
        from packaging.requirements import Requirement

        from ... import __version__
        from ..._plugins import _check_api
        from ...hookspecs import PLUGIN_API

        _, exchanges = self._loaded_exchanges()
        problems = [
            f"{getattr(ex, 'name', ex)!r}: {_check_api(ex)}"
            for ex in exchanges
            if _check_api(ex) is not None
        ]
        assert not problems, "\n".join(problems)
        dist = getattr(self._entry_point(), "dist", None)
        assert dist is not None
        requirements = [
            Requirement(line)
            for line in dist.requires or ()
            if _canonical(Requirement(line).name) == "pybotters-core"
        ]
        requirements = [
            r for r in requirements if r.marker is None or r.marker.evaluate({"extra": ""})
        ]
        assert requirements, (
            f"{dist.metadata['Name']} does not depend on pybotters-core; add "
            f'"pybotters-core>={PLUGIN_API[0]}.{PLUGIN_API[1]},<{PLUGIN_API[0] + 1}" to its '
            "dependencies"
        )
        for requirement in requirements:
            specifier = requirement.specifier
            assert specifier.contains(__version__, prereleases=True), (
                f"{dist.metadata['Name']} requires {requirement}; the installed pybotters-core "
                f"is {__version__}"
            )
            assert not specifier.contains(f"{PLUGIN_API[0] + 1}.0.0", prereleases=True), (
                f"{dist.metadata['Name']} requires {requirement}, which admits the next major "
                f"pybotters-core; cap it (<{PLUGIN_API[0] + 1}): a new major may change the "
                "plugin API"
            )

    def test_no_collisions_with_installed_plugins(self) -> None:
        """A fresh discovery of every installed plugin succeeds and maps this plugin's claims."""
        from ..._exceptions import PluginConflictError
        from ..._plugins import PluginHost

        fresh = PluginHost()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                registry = fresh.registry
            except PluginConflictError as exc:
                pytest.fail(f"the installed plugins conflict: {exc}")
            statuses = {status.name: status for status in fresh.statuses()}
        mine = [str(w.message) for w in caught if self.entry_point in str(w.message)]
        assert not mine, f"discovery warned about the plugin: {mine}"
        status = statuses.get(self.entry_point)
        assert status is not None and status.status == "loaded", (
            f"a fresh discovery did not load {self.entry_point!r}: {status}"
        )
        exchange = next((ex for ex in status.exchanges if ex.name == self.exchange), None)
        assert exchange is not None, f"{self.entry_point!r} provides no {self.exchange!r}"
        wrong = [
            f"{kind} {key!r} maps to {table[key].name!r}"
            for kind, table, keys in (
                ("HTTP host", registry.http_hosts, exchange.http_hosts),
                ("WebSocket host", registry.ws_hosts, exchange.ws_hosts),
                ("API name", registry.api_names, self._all_api_names(exchange)),
            )
            for key in keys
            if table.get(key) is not exchange
        ]
        wrong += [
            f"store {name!r} maps to {registry.stores[name][0].name!r}"
            for name in exchange.stores
            if registry.stores.get(name, (None,))[0] is not exchange
        ]
        assert not wrong, "\n".join(wrong)

    @staticmethod
    def _all_api_names(exchange: Exchange) -> list[str]:
        names = dict.fromkeys(exchange.api_names)
        names.update(dict.fromkeys(exchange.http_hosts.values()))
        names.update(dict.fromkeys(exchange.ws_hosts.values()))
        return list(names)

    # -- hosts and API names -------------------------------------------------------------------

    def test_hosts_are_exact_lower_case_names(self) -> None:
        """Every host is a plain lower-case name: no scheme, port, path, wildcard or end dot."""
        exchange = self._exchange()
        bad = [
            host
            for host in (*exchange.http_hosts, *exchange.ws_hosts)
            if not isinstance(host, str) or not _HOST.match(host)
        ]
        assert not bad, (
            f"hosts must be exact lower-case names such as 'api.example.com'; fix {bad!r}"
        )
        if self.requirements.signing:
            assert exchange.http_hosts, "the plugin signs requests but declares no http_hosts"
        if self.requirements.ws_auth:
            assert exchange.ws_hosts, "the plugin logs in on WebSockets but declares no ws_hosts"

    def test_host_lookup_is_exact(self) -> None:
        """Look-alike spellings of each host are not in the core's lookup tables."""
        from ..._plugins import host

        exchange = self._exchange()
        registry = host.registry
        matched = []
        for table, hosts in (
            (registry.http_hosts, exchange.http_hosts),
            (registry.ws_hosts, exchange.ws_hosts),
        ):
            for name in hosts:
                assert table.get(name) is exchange, f"{name!r} is not in the core's table"
                for variant in (
                    name + LOOKALIKE_SUFFIX,
                    f"{name}@{USERINFO_TARGET}",
                    f"user@{name}",
                    name + ".",
                    name.upper(),
                    name + ":443",
                    "evil-" + name,
                ):
                    if table.get(variant) is exchange:
                        matched.append(variant)
        assert not matched, f"look-alike hosts are matched: {matched}"

    @requires("signing")
    def test_lookalike_hosts_are_not_signed(self) -> None:
        """Requests to look-alikes of the hosts (suffix, userinfo, trailing dot) go unsigned."""
        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        apis = self._apis()
        hosts = list(exchange.http_hosts)

        async def scenario() -> list[str]:
            problems: list[str] = []
            lookalike_hosts = [h + LOOKALIKE_SUFFIX for h in hosts] + [USERINFO_TARGET]
            async with (
                FakeExchange(exchange.name, apis=apis, spec=None) as fake,
                FakeExchange(LOOKALIKE_EXCHANGE, hosts=lookalike_hosts, spec=None) as lookalike,
            ):
                fake.route("*", _ANY_PATH, {})
                lookalike.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    for name in hosts:
                        path = self._probe_path(name)
                        signed = await self._send(client, fake, "GET", f"https://{name}{path}")
                        plain = await self._send(
                            client, fake, "GET", f"https://{name}{path}", auth=None
                        )
                        added = {h.lower() for h in signed.headers} - {
                            h.lower() for h in plain.headers
                        }
                        if not added and signed.raw_path == plain.raw_path:
                            problems.append(
                                f"GET https://{name}{path} was not signed, so look-alikes "
                                "cannot be checked; give a signing vector on this host"
                            )
                            continue
                        for kind, url, target in (
                            ("suffix", f"https://{name}{LOOKALIKE_SUFFIX}{path}", lookalike),
                            ("userinfo", f"https://{name}@{USERINFO_TARGET}{path}", lookalike),
                            ("trailing dot", f"https://{name}.{path}", fake),
                        ):
                            seen = await self._send(client, target, "GET", url)
                            leaked = sorted(added & {h.lower() for h in seen.headers})
                            keys = self._keys_seen(seen)
                            if leaked or keys or seen.raw_path != plain.raw_path:
                                problems.append(
                                    f"{kind} look-alike {url} was signed (headers {leaked}, "
                                    f"keys of {keys})"
                                )
            return problems

        problems = _run(scenario())
        assert not problems, "\n".join(problems)

    def test_credentials_cover_every_api_name(self) -> None:
        """``credentials`` has an entry for every API name, of the length the plugin needs."""
        exchange = self._exchange()
        names = self._all_api_names(exchange)
        problems = [
            f"no credentials for {name!r}" for name in names if name not in self.credentials
        ]
        problems += [
            f"credentials[{name!r}] has {len(self.credentials[name])} items; {exchange.name} "
            f"needs {exchange.items_for(name)}"
            for name in names
            if name in self.credentials and len(self.credentials[name]) != exchange.items_for(name)
        ]
        assert not problems, "\n".join(problems)

    @requires("signing")
    def test_api_name_follows_the_host(self) -> None:
        """A request to each HTTP host is signed with the credential of the host's API name."""
        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        apis = self._apis()

        async def scenario() -> list[str]:
            problems = []
            async with FakeExchange(exchange.name, apis=apis, spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    for name, api_name in exchange.http_hosts.items():
                        url = f"https://{name}{self._probe_path(name)}"
                        seen = self._keys_seen(await self._send(client, fake, "GET", url))
                        if seen != [api_name]:
                            problems.append(
                                f"GET {url}: signed with the keys of {seen}, not of [{api_name!r}]"
                            )
            return problems

        problems = _run(scenario())
        assert not problems, "\n".join(problems)

    @requires("signing", "demo_api_name")
    def test_api_name_selection(self) -> None:
        """``select_api_name`` picks each case's API name, through the Client."""
        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        apis = self._apis()
        assert self.api_name_cases, "give api_name_cases"

        async def scenario() -> list[str]:
            problems = []
            async with FakeExchange(exchange.name, apis=apis, spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                for case in self.api_name_cases:
                    async with Client(apis=apis, headers=dict(case.session_headers)) as client:
                        request = await self._send(
                            client,
                            fake,
                            case.method,
                            case.url,
                            params=copy.deepcopy(case.params),
                            data=copy.deepcopy(case.data),
                            headers=dict(case.headers),
                        )
                    seen = self._keys_seen(request)
                    if seen != [case.api_name]:
                        problems.append(
                            f"{case.method} {case.url} headers={dict(case.headers)} "
                            f"session_headers={dict(case.session_headers)}: signed with the "
                            f"keys of {seen}, not of [{case.api_name!r}]"
                        )
            return problems

        problems = _run(scenario())
        assert not problems, "\n".join(problems)

    @requires("needs_passphrase")
    def test_passphrase_is_required(self) -> None:
        """A credential without its passphrase warns, and a request needing it is not sent."""
        from ... import Client, CredentialsError
        from .. import FakeExchange

        exchange = self._exchange()
        names = [n for n in self._all_api_names(exchange) if exchange.items_for(n) == 3]
        urls: dict[str, tuple[str, Mapping[str, str], Mapping[str, str]]] = {}
        for host_name, api_name in exchange.http_hosts.items():
            urls.setdefault(api_name, (f"https://{host_name}{self._probe_path(host_name)}", {}, {}))
        for case in self.api_name_cases:
            urls.setdefault(case.api_name, (case.url, case.headers, case.session_headers))
        checked = [name for name in names if name in urls]
        assert checked, (
            f"no HTTP host or api_name_case uses an API name that needs a passphrase: {names}"
        )

        async def scenario() -> list[str]:
            problems: list[str] = []
            async with FakeExchange(exchange.name, apis=self._apis(), spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                for name in checked:
                    items = self._apis()[name][:2]
                    url, headers, session_headers = urls[name]
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        client = Client(apis={name: items}, headers=dict(session_headers))
                    async with client:
                        if not any(name in str(w.message) for w in caught):
                            problems.append(f"apis[{name!r}] without a passphrase did not warn")
                        try:
                            await client.fetch("GET", url, headers=dict(headers))
                        except CredentialsError as exc:
                            if items[1] in str(exc):
                                problems.append(f"the CredentialsError shows the secret: {exc}")
                        else:
                            problems.append(f"GET {url} was sent with a credential of 2 items")
            return problems

        problems = _run(scenario())
        assert not problems, "\n".join(problems)

    # -- signing -------------------------------------------------------------------------------

    @staticmethod
    def _need_vector(vector: SigningVector | None) -> SigningVector:
        if vector is None:
            pytest.fail(
                "signing_vectors is empty: give known requests to private endpoints and the "
                "headers the plugin must add (SigningVector)"
            )
        return vector

    @requires("signing")
    def test_signing_is_deterministic(
        self, signing_vector: SigningVector | None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Under a frozen clock (and ``freeze``), the same request is signed the same way."""
        from ... import Client
        from .. import FakeExchange

        vector = self._need_vector(signing_vector)
        self._freeze(monkeypatch, vector.timestamp)
        apis = self._apis(vector.apis)

        async def scenario() -> list[FakeRequest]:
            async with FakeExchange(self.exchange, apis=apis, spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    return [await self._send_vector(client, fake, vector) for _ in range(2)]

        first, second = _run(scenario())
        assert (first.method, first.raw_path, first.body) == (
            second.method,
            second.raw_path,
            second.body,
        ), "the same request was sent differently twice under a frozen clock"
        assert sorted(first.headers.items()) == sorted(second.headers.items()), (
            "the same request got different headers twice under a frozen clock; freeze the "
            f"nonces with {type(self).__name__}.freeze:\n{dict(first.headers)}\n"
            f"{dict(second.headers)}"
        )

    @requires("signing")
    def test_signing_leaves_the_callers_data_alone(
        self, signing_vector: SigningVector | None
    ) -> None:
        """The caller's ``params``, ``data`` and ``headers`` are the same after the request."""
        from ... import Client
        from .. import FakeExchange

        vector = self._need_vector(signing_vector)
        apis = self._apis(vector.apis)
        params = copy.deepcopy(vector.params)
        data = copy.deepcopy(vector.data)
        headers = dict(vector.headers)

        async def scenario() -> None:
            async with FakeExchange(self.exchange, apis=apis, spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    await self._send(
                        client,
                        fake,
                        vector.method,
                        vector.url,
                        params=params,
                        data=data,
                        headers=headers,
                    )

        _run(scenario())
        assert params == vector.params, f"params were changed: {params!r}"
        assert data == vector.data, f"data was changed: {data!r}"
        assert headers == dict(vector.headers), f"headers were changed: {headers!r}"

    @requires("signing")
    def test_signing_vectors_are_reproduced(
        self, signing_vector: SigningVector | None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each known request gets exactly the documented authentication."""
        from ... import Client
        from .. import FakeExchange

        vector = self._need_vector(signing_vector)
        self._freeze(monkeypatch, vector.timestamp)
        apis = self._apis(vector.apis)

        async def scenario() -> FakeRequest:
            async with FakeExchange(self.exchange, apis=apis, spec=None) as fake:
                fake.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    return await self._send_vector(client, fake, vector)

        request = _run(scenario())
        wrong = {
            name: (request.headers.get(name), value)
            for name, value in vector.expected_headers.items()
            if request.headers.get(name) != value
        }
        assert not wrong, "header: (sent, expected)\n" + "\n".join(
            f"{name}: {pair}" for name, pair in wrong.items()
        )
        if vector.expected_path is not None:
            assert request.raw_path == vector.expected_path
        if vector.expected_body is not None:
            assert request.body == vector.expected_body

    @requires("signing", "fake_server")
    def test_fake_accepts_signed_and_rejects_tampered_requests(
        self, signing_vector: SigningVector | None
    ) -> None:
        """The plugin's fake accepts the plugin's signature; a wrong secret or a changed
        request after signing is refused."""
        from ... import Client
        from .. import FakeExchange

        vector = self._need_vector(signing_vector)
        exchange = self._exchange()
        apis = self._apis(vector.apis)
        wrong = {name: [items[0], items[1] + "-wrong", *items[2:]] for name, items in apis.items()}
        original = exchange.sign
        assert original is not None

        def tampered(request: SignRequest, credential: Credential) -> None:
            original(request, credential)
            if request.body:
                request.body = request.body + b" "
            else:
                request.url = request.url.extend_query({"pybotters_tampered": "1"})

        async def scenario() -> dict[str, FakeRequest]:
            async with FakeExchange(exchange.name, apis=apis) as fake:
                fake.route("*", _ANY_PATH, {})
                seen = {}
                async with Client(apis=apis) as client:
                    seen["signed"] = await self._send_vector(client, fake, vector)
                async with Client(apis=wrong) as client:
                    seen["signed with a wrong secret"] = await self._send_vector(
                        client, fake, vector
                    )
                with replaced_exchange(exchange.name, sign=tampered):
                    async with Client(apis=apis) as client:
                        seen["changed after signing"] = await self._send_vector(
                            client, fake, vector
                        )
            return seen

        seen = _run(scenario())
        assert seen["signed"].rejected is None, (
            f"the plugin's fake refused the plugin's own signature: {seen['signed'].rejected}"
        )
        accepted = [
            kind for kind, request in seen.items() if kind != "signed" and not request.rejected
        ]
        assert not accepted, (
            f"the plugin's fake accepted a request {' and '.join(accepted)}: its verify_http "
            f"must check the signature of {vector.method} {vector.url}"
        )

    def test_secrets_stay_out_of_reprs_logs_and_errors(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """No secret or passphrase in a repr, a log line, a warning, an error or a refusal."""
        from ... import Client
        from ...hookspecs import SignRequest
        from .. import FakeExchange

        caplog.set_level(logging.DEBUG)
        exchange = self._exchange()
        apis = self._apis()
        texts: list[tuple[str, str]] = []
        use_spec = self.requirements.fake_server
        # A login needs the plugin's fake to answer it.
        ws_login = (
            self.requirements.ws_auth
            and self.requirements.fake_server
            and self.ws_private_url is not None
        )

        async def scenario() -> None:
            async with FakeExchange(
                exchange.name, apis=apis, spec="plugin" if use_spec else None
            ) as fake:
                fake.route("*", _ANY_PATH, {})
                for credentials in (apis, self._wrong_apis()):
                    async with Client(apis=credentials) as client:
                        texts.append(("repr(Client)", repr(client)))
                        texts.append(("str(Client)", str(client)))
                        for vector in self.signing_vectors:
                            result = await client.fetch(
                                vector.method,
                                vector.url,
                                params=copy.deepcopy(vector.params),
                                data=copy.deepcopy(vector.data),
                                headers=dict(vector.headers),
                            )
                            texts.append((f"the reply to {vector.test_id}", result.text))
                        if ws_login and self.ws_private_url is not None:
                            app = client.ws_connect(self.ws_private_url)
                            await asyncio.wait_for(app, WAIT)
                            await app.close()
                texts.extend(
                    (f"the fake's refusal of {r!r}", r.rejected)
                    for r in fake.requests
                    if r.rejected
                )
                for endpoint in fake._websockets.values():
                    for session in endpoint.sessions:
                        texts.extend(("a fake WebSocket reply", repr(m)) for m in session.sent)

                # A malformed credential: its warning and the error of a request needing it.
                for name, items in apis.items():
                    url = self._url_for_api_name(name)
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        client = Client(apis={name: [*items, "one-item-too-many"]})
                    texts.extend(
                        ("a warning about a malformed credential", str(w.message)) for w in caught
                    )
                    async with client:
                        if url is None:
                            continue
                        method, target, headers = url
                        try:
                            await client.fetch(method, target, headers=dict(headers))
                        except Exception as exc:
                            texts.append(("the error of a malformed credential", f"{exc!r} {exc}"))

        _run(scenario())
        for name, items in apis.items():
            texts.append((f"repr of the {name!r} credential", repr(self._credential(name, apis))))
            if exchange.sign is not None and exchange.items_for(name) == 3 and len(items) > 2:
                from multidict import CIMultiDict
                from yarl import URL

                host_name = next(iter(exchange.http_hosts), "example.com")
                request = SignRequest("GET", URL(f"https://{host_name}/"), CIMultiDict(), None, 0.0)
                try:
                    exchange.sign(request, self._credential(name, {name: items[:2]}))
                except Exception as exc:
                    texts.append(("the error of sign() without a passphrase", f"{exc!r} {exc}"))
        for record in caplog.records:
            texts.append((f"a log record of {record.name!r}", record.getMessage()))
            if record.exc_text:
                texts.append((f"a logged traceback of {record.name!r}", record.exc_text))
        texts.append(("the captured log", caplog.text))
        leaks = self._leaks(self._secrets(), texts)
        assert not leaks, "\n".join(leaks)

    # -- WebSocket -----------------------------------------------------------------------------

    @requires("ws_auth")
    def test_login_vectors_are_reproduced(
        self, login_vector: LoginVector | None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Under a frozen clock (and ``freeze``), the login sends the documented messages."""
        from yarl import URL

        from ... import _clock

        if login_vector is None:
            pytest.fail("login_vectors is empty: give known logins (LoginVector)")
        vector = login_vector
        exchange = self._exchange()
        assert exchange.ws is not None and exchange.ws.authenticate is not None
        authenticate = exchange.ws.authenticate
        url = URL(vector.url)
        api_name = exchange.ws_hosts.get(url.host or "")
        assert api_name is not None, f"{url.host!r} is not one of the exchange's ws_hosts"
        credential = self._credential(api_name, self._apis(vector.apis))
        self._freeze(monkeypatch, vector.timestamp)

        async def scenario() -> list[Any]:
            return await LoginRecorder(url, credential, _clock.now()).capture(authenticate)

        first, second = _run(scenario()), _run(scenario())
        assert first == second, (
            "the login sent different messages twice under a frozen clock; freeze the nonces "
            f"with {type(self).__name__}.freeze:\n{first}\n{second}"
        )
        expected = [decode_frame(m) if isinstance(m, str) else m for m in vector.expected]
        assert first == expected, f"the login sent\n{first}\ninstead of\n{expected}"

    async def _private_session(
        self,
        fake: FakeExchange,
        client: Any,
        url: str,
        subscribe: Any,
        **kwargs: Any,
    ) -> tuple[Any, FakeWebSocketSession, Any]:
        from yarl import URL

        send: dict[str, Any] = dict(kwargs)
        if subscribe is not None:
            send["send_str" if isinstance(subscribe, str) else "send_json"] = subscribe
        app = client.ws_connect(url, **send)
        await asyncio.wait_for(app, WAIT)
        session = await fake.websocket(URL(url).path).wait_session(timeout=WAIT)
        found = None
        if subscribe is not None:
            found = await session.wait_message(_message_pattern(subscribe), timeout=WAIT)
        return app, session, found

    @requires("ws_auth", "fake_server")
    def test_ws_login_comes_before_any_subscription(self) -> None:
        """On a private connection the login is sent, and accepted, before the user's messages."""
        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        apis = self._apis()
        sent: list[Any] = []
        outcomes: list[BaseException | None] = []
        public_outcomes: list[BaseException | None] = []
        assert self.ws_private_url is not None and self.ws_subscribe is not None

        async def scenario() -> tuple[list[Any], int]:
            authenticate = self._recording_authenticate(exchange, sent, outcomes)
            async with FakeExchange(exchange.name, apis=apis) as fake:
                with replaced_exchange(exchange.name, ws={"authenticate": authenticate}):
                    async with Client(apis=apis) as client:
                        app, session, found = await self._private_session(
                            fake, client, str(self.ws_private_url), self.ws_subscribe
                        )
                        await app.close()
                        received = list(session.received)
                if self.ws_public_url is not None:
                    quiet = self._recording_authenticate(exchange, [], public_outcomes)
                    with replaced_exchange(exchange.name, ws={"authenticate": quiet}):
                        async with Client(apis=apis) as client:
                            app = client.ws_connect(self.ws_public_url)
                            await asyncio.wait_for(app, WAIT)
                            await app.close()
            return received, received.index(found)

        received, index = _run(scenario())
        assert outcomes and all(outcome is None for outcome in outcomes), (
            f"the login on {self.ws_private_url} did not succeed against the plugin's fake: "
            f"{outcomes}"
        )
        assert index > 0, f"the subscription was the first message sent: {received}"
        assert sent, "the authenticator sent nothing through auth.send_json()"
        assert received[: len(sent)] == sent, (
            f"the login messages {sent} did not come first: the fake received {received}"
        )
        assert not public_outcomes, (
            f"the public connection {self.ws_public_url} logged in; needs_auth must exclude it"
        )

    @requires("ws_auth", "fake_server")
    def test_ws_refused_login_raises_websocket_auth_error(self) -> None:
        """A login the exchange refuses raises :class:`pybotters.WebSocketAuthError`."""
        from ... import Client, WebSocketAuthError
        from .. import FakeExchange

        exchange = self._exchange()
        outcomes: list[BaseException | None] = []
        assert self.ws_private_url is not None

        async def scenario() -> None:
            authenticate = self._recording_authenticate(exchange, [], outcomes)
            async with FakeExchange(exchange.name, apis=self._apis()) as fake:
                with replaced_exchange(exchange.name, ws={"authenticate": authenticate}):
                    async with Client(apis=self._wrong_apis()) as client:
                        app, _, _ = await self._private_session(
                            fake, client, str(self.ws_private_url), None
                        )
                        await app.close()

        _run(scenario())
        assert outcomes and all(isinstance(o, WebSocketAuthError) for o in outcomes), (
            f"a login with a wrong secret ended with {outcomes}; raise "
            "pybotters.WebSocketAuthError('reason') when the exchange refuses the login"
        )

    @requires("ws_auth")
    def test_ws_lookalike_hosts_get_no_login(self) -> None:
        """Connections to look-alikes of the WebSocket hosts never log in."""
        from yarl import URL

        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        assert self.ws_private_url is not None
        private = URL(self.ws_private_url)
        name = private.host or ""
        outcomes: list[BaseException | None] = []
        probe = "pybotters-conformance-probe"

        async def scenario() -> list[tuple[str, list[Any]]]:
            authenticate = self._recording_authenticate(exchange, [], outcomes)
            results = []
            async with (
                FakeExchange(exchange.name, apis=self._apis(), spec=None) as fake,
                FakeExchange(
                    LOOKALIKE_EXCHANGE, hosts=[name + LOOKALIKE_SUFFIX], spec=None
                ) as lookalike,
            ):
                with replaced_exchange(exchange.name, ws={"authenticate": authenticate}):
                    async with Client(apis=self._apis()) as client:
                        for url, target in (
                            (private.with_host(name + LOOKALIKE_SUFFIX), lookalike),
                            (private.with_host(name + "."), fake),
                        ):
                            app, session, _ = await self._private_session(
                                target, client, str(url), probe
                            )
                            await app.close()
                            results.append((str(url), list(session.received)))
            return results

        results = _run(scenario())
        assert not outcomes, f"a look-alike connection logged in: {outcomes}"
        wrong = [(url, received) for url, received in results if received[:1] != [probe]]
        assert not wrong, f"look-alike connections got other messages first: {wrong}"

    @requires("heartbeat")
    def test_heartbeat_is_sent(self) -> None:
        """The declared heartbeat is sent, again and again, on the exchange's connections."""
        from yarl import URL

        from ... import Client
        from ...hookspecs import Heartbeat
        from .. import FakeExchange

        exchange = self._exchange()
        assert exchange.ws is not None and exchange.ws.heartbeat is not None
        heartbeat = exchange.ws.heartbeat
        assert heartbeat.interval > 0, f"the heartbeat interval must be > 0: {heartbeat}"
        assert isinstance(heartbeat.message, str) and heartbeat.message, (
            f"the heartbeat message must be non-empty text: {heartbeat}"
        )
        url = self.ws_public_url or self.ws_private_url
        assert url is not None
        expected = decode_frame(heartbeat.message)

        async def scenario() -> list[Any]:
            async with FakeExchange(exchange.name, apis=self._apis()) as fake:
                fast = Heartbeat(0.02, heartbeat.message)
                with replaced_exchange(exchange.name, ws={"heartbeat": fast}):
                    async with Client(apis={}) as client:
                        app = client.ws_connect(url)
                        await asyncio.wait_for(app, WAIT)
                        session = await fake.websocket(URL(url).path).wait_session(timeout=WAIT)
                        pings = [
                            await session.wait_message(lambda m: m == expected, timeout=WAIT)
                            for _ in range(3)
                        ]
                        await app.close()
            return pings

        assert _run(scenario()) == [expected] * 3

    # -- stores ----------------------------------------------------------------------------------

    def test_stores_resolve_as_pybotters_attributes(self) -> None:
        """Each DataStoreCollection is ``pybotters.<Name>`` and shadows nothing of pybotters."""
        import pybotters

        from ...store import DataStoreCollection

        exchange = self._exchange()
        assert exchange.stores, f"{exchange.name!r} declares no stores"
        for name in exchange.stores:
            assert not name.startswith("_"), f"store name {name!r} must not start with '_'"
            assert name not in pybotters.__all__, f"store name {name!r} shadows pybotters.{name}"
            assert importlib.util.find_spec(f"pybotters.{name}") is None, (
                f"store name {name!r} shadows the module pybotters.{name}"
            )
            value = getattr(pybotters, name)
            assert isinstance(value, type) and issubclass(value, DataStoreCollection), (
                f"pybotters.{name} is {value!r}, not a DataStoreCollection subclass"
            )
            assert name in dir(pybotters), f"{name} is missing from dir(pybotters)"

    def test_stores_construct_without_arguments_or_loop(self) -> None:
        """``pybotters.<Name>()`` works outside an event loop and starts empty."""
        from ...store import DataStore

        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()
        for name, cls in self._collection_classes().items():
            collection = cls()
            stores = list(collection)
            assert stores, f"{name}() has no stores"
            for store in stores:
                assert isinstance(collection[store], DataStore), f"{name}[{store!r}]"
                assert len(collection[store]) == 0, f"{name}[{store!r}] does not start empty"

    def test_every_store_has_a_sample(self) -> None:
        """Each store is filled by a channel sample or listed in ``stores_without_messages``."""
        classes = self._collection_classes()
        covered: dict[str, set[str]] = {name: set() for name in classes}
        problems = []
        for channel, sample in self.sample_messages.items():
            name = sample.collection or (next(iter(classes)) if len(classes) == 1 else None)
            if name not in covered:
                problems.append(f"sample {channel!r} names no known collection ({name!r})")
                continue
            covered[name].add(sample.store)
        for name, cls in classes.items():
            stores = set(cls())
            unknown = covered[name] - stores
            if unknown:
                problems.append(f"samples name stores {name} has not: {sorted(unknown)}")
            missing = stores - covered[name] - set(self.stores_without_messages)
            if missing:
                problems.append(
                    f"no channel sample fills {name}'s stores {sorted(missing)}; add samples, "
                    "or list stores fed only over HTTP in stores_without_messages"
                )
        assert not problems, "\n".join(problems)

    def test_store_accepts_channel_sample(self, channel: str | None) -> None:
        """Every documented channel's sample messages are accepted and fill their store."""
        if channel is None:
            pytest.fail("sample_messages is empty: give raw messages for each documented channel")
        sample = self.sample_messages[channel]
        cls = self._collection_class(sample.collection)
        collection = cls()
        assert sample.store in collection, f"{cls.__name__} has no store {sample.store!r}"
        for message in copy.deepcopy(list(sample.messages)):
            collection.onmessage(message, None)
        assert len(collection[sample.store]) > 0, (
            f"the {channel!r} sample left {cls.__name__}[{sample.store!r}] empty"
        )

    def test_stores_ignore_unknown_messages(self) -> None:
        """Unknown messages (other channels, random data) raise nothing and change nothing."""
        messages = unknown_messages()
        problems = []
        for name, cls in self._collection_classes().items():
            collection = cls()
            for message in messages:
                try:
                    collection.onmessage(copy.deepcopy(message), None)
                except Exception as exc:
                    problems.append(f"{name}.onmessage({message!r}) raised {exc!r}")
            changed = [store for store in collection if len(collection[store])]
            if changed:
                problems.append(f"unknown messages filled {name}'s stores {changed}")
        assert not problems, "\n".join(problems)

    @requires("orderbook_integrity")
    def test_orderbook_break_clears_the_book(self, caplog: pytest.LogCaptureFixture) -> None:
        """A broken book is cleared and reported; a new snapshot rebuilds it."""
        case = self.orderbook_case
        assert case is not None, "give orderbook_case"
        caplog.set_level(logging.WARNING)
        collection = self._collection_class(case.collection)()
        store = collection[case.store]
        query = dict(case.query)
        for message in copy.deepcopy(list(case.build)):
            collection.onmessage(message, None)
        assert store.find(query), f"the build messages left no book for {query}"
        caplog.clear()
        for message in copy.deepcopy(list(case.breaking)):
            collection.onmessage(message, None)
        assert not store.find(query), f"the broken book for {query} was kept: {store.find(query)}"
        assert any(r.levelno >= logging.WARNING for r in caplog.records), (
            "the break was not reported (log a WARNING naming the reason)"
        )
        for message in copy.deepcopy(list(case.build)):
            collection.onmessage(message, None)
        assert store.find(query), "a new snapshot did not rebuild the book"

    # -- traffic -----------------------------------------------------------------------------------

    def test_no_pluggy_hook_is_called_during_traffic(self) -> None:
        """Requests, WebSocket logins and store updates only read the core's plain tables."""
        from ... import Client
        from .. import FakeExchange

        exchange = self._exchange()
        apis = self._apis()
        use_spec = self.requirements.fake_server
        ws_url = self.ws_private_url or self.ws_public_url

        async def scenario() -> list[str]:
            collections = [cls() for cls in self._collection_classes().values()]
            async with FakeExchange(
                exchange.name, apis=apis, spec="plugin" if use_spec else None
            ) as fake:
                fake.route("*", _ANY_PATH, {})
                async with Client(apis=apis) as client:
                    with pytest.MonkeyPatch.context() as patch:
                        calls = HookTripwire.install(patch.setattr)
                        for vector in self.signing_vectors:
                            await self._send_vector(client, fake, vector)
                        if ws_url is not None:
                            subscribe = self.ws_subscribe if ws_url == self.ws_private_url else None
                            # A login needs the plugin's fake to answer it.
                            auth: dict[str, Any] = {} if use_spec else {"auth": None}
                            app, _, _ = await self._private_session(
                                fake, client, ws_url, subscribe, **auth
                            )
                            await app.close()
                        for sample in self.sample_messages.values():
                            target = collections[0]
                            if sample.collection is not None:
                                names = list(self._exchange().stores)
                                target = collections[names.index(sample.collection)]
                            for message in copy.deepcopy(list(sample.messages)):
                                target.onmessage(message, None)
            return calls

        calls = _run(scenario())
        assert not calls, f"pluggy hooks were used during traffic: {calls}"

    # -- documentation -------------------------------------------------------------------------

    def test_docs_page_names_the_api_names_and_stores(self) -> None:
        """The documentation page exists and names every API name, collection and store."""
        if self.docs_page is None:
            pytest.fail(f"{type(self).__name__}.docs_page is not set")
        page = Path(self.docs_page)
        assert page.is_file(), f"the documentation page {page} does not exist"
        text = page.read_text(encoding="utf-8")
        exchange = self._exchange()
        names = [*self._all_api_names(exchange)]
        for collection_name, cls in self._collection_classes().items():
            names.append(collection_name)
            names.extend(cls())
        missing = [
            name
            for name in dict.fromkeys(names)
            if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
        ]
        assert not missing, f"{page} does not mention {missing}"
