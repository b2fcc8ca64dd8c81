"""The plugin host: discovery, failure isolation, conflicts, API versions, store lookup."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import pybotters
from pybotters import _plugins
from pybotters._plugins import PluginHost
from pybotters.hookspecs import PLUGIN_API, Exchange
from tests.conftest import make_exchange

GOOD = """
from pybotters.hookspecs import Exchange, hookimpl, PLUGIN_API

class GoodStore:
    pass

@hookimpl
def pybotters_exchanges():
    return [Exchange(name="{name}", plugin_api=PLUGIN_API,
                     http_hosts={{"{host}": "{name}"}},
                     stores={{"{store}": "{module}:GoodStore"}})]
"""


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in list(sys.modules):
        if name.startswith("pbt_fixture_"):
            del sys.modules[name]


def write_module(root: Path, name: str, source: str) -> None:
    (root / f"{name}.py").write_text(textwrap.dedent(source))


def good(root: Path, module: str, name: str, host: str, store: str) -> None:
    write_module(root, module, GOOD.format(name=name, host=host, store=store, module=module))


def fresh_host(monkeypatch: pytest.MonkeyPatch, *entries: tuple[str, str]) -> PluginHost:
    eps = [importlib.metadata.EntryPoint(n, v, "pybotters") for n, v in entries]
    monkeypatch.setattr(
        _plugins.importlib.metadata,
        "entry_points",
        lambda group: eps if group == "pybotters" else [],
    )
    return PluginHost()


def test_discovery_builds_tables(modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good(modules, "pbt_fixture_good", "goodx", "api.goodx.test", "GoodXDataStore")
    host = fresh_host(monkeypatch, ("goodx", "pbt_fixture_good"))
    registry = host.registry
    assert registry.http_hosts["api.goodx.test"].name == "goodx"
    assert registry.api_names["goodx"].name == "goodx"
    store = registry.resolve_store("GoodXDataStore")
    assert store is not None and store.__name__ == "GoodStore"
    [status] = host.statuses()
    assert status.status == "loaded" and status.name == "goodx"


def test_discovery_is_lazy_and_once(modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    eps = [importlib.metadata.EntryPoint("x", "pbt_fixture_none", "pybotters")]

    def entry_points(group: str) -> list[Any]:
        calls.append(group)
        return []

    monkeypatch.setattr(_plugins.importlib.metadata, "entry_points", entry_points)
    host = PluginHost()
    assert calls == []
    host.registry  # noqa: B018
    host.registry  # noqa: B018
    assert calls == ["pybotters"]
    del eps


def test_broken_plugin_is_skipped_with_one_warning(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good(modules, "pbt_fixture_ok", "okx_like", "api.ok.test", "OkStore")
    write_module(modules, "pbt_fixture_broken", "import does_not_exist_anywhere\n")
    host = fresh_host(monkeypatch, ("broken", "pbt_fixture_broken"), ("ok", "pbt_fixture_ok"))
    with pytest.warns(
        pybotters.PluginWarning, match="broken.*was skipped.*ModuleNotFoundError"
    ) as rec:
        registry = host.registry
    assert len(rec) == 1
    assert "api.ok.test" in registry.http_hosts
    statuses = {s.name: s for s in host.statuses()}
    assert statuses["broken"].status == "failed"
    assert "does_not_exist_anywhere" in (statuses["broken"].reason or "")
    assert statuses["ok"].status == "loaded"


def test_plugin_with_unknown_hook_is_skipped(
    modules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(
        modules,
        "pbt_fixture_badhook",
        """
        from pybotters.hookspecs import hookimpl
        @hookimpl
        def pybotters_no_such_hook():
            return 1
        """,
    )
    host = fresh_host(monkeypatch, ("badhook", "pbt_fixture_badhook"))
    with pytest.warns(pybotters.PluginWarning, match="badhook.*hooks do not validate"):
        host.registry  # noqa: B018
    assert not host.pm.has_plugin("badhook")


def test_raising_hook_is_skipped(register_plugin: Any) -> None:
    from pybotters.hookspecs import hookimpl

    host = PluginHost()
    host._discovered = True

    class Raising:
        @staticmethod
        @hookimpl
        def pybotters_exchanges() -> list[Exchange]:
            raise RuntimeError("boom")

    host.register(Raising, name="raising")
    with pytest.warns(pybotters.PluginWarning, match="raising.*RuntimeError: boom"):
        assert host.registry.http_hosts == {}


def test_incompatible_api_refused(modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_module(
        modules,
        "pbt_fixture_future",
        """
        from pybotters.hookspecs import Exchange, hookimpl
        @hookimpl
        def pybotters_exchanges():
            return [Exchange(name="future", plugin_api=(2, 0),
                             http_hosts={"api.future.test": "future"})]
        """,
    )
    host = fresh_host(monkeypatch, ("future", "pbt_fixture_future"))
    with pytest.warns(pybotters.PluginWarning, match=r"targets plugin API 2\.0.*provides 1\.0"):
        registry = host.registry
    assert "api.future.test" not in registry.http_hosts
    [status] = host.statuses()
    assert status.status == "incompatible"


@pytest.mark.parametrize(
    ("api", "ok"),
    [(PLUGIN_API, True), ((PLUGIN_API[0], PLUGIN_API[1] + 1), False), ((0, 9), False)],
)
def test_api_version_rule(api: tuple[int, int], ok: bool) -> None:
    assert (_plugins._check_api(make_exchange(plugin_api=api)) is None) is ok


def test_conflicting_hosts_name_both(register_plugin: Any) -> None:
    register_plugin(make_exchange(), name="first_plugin")
    register_plugin(
        make_exchange(
            name="other", api_names=("other",), http_hosts={"api.fakex.test": "other"}, ws_hosts={}
        ),
        name="second_plugin",
    )
    with pytest.raises(pybotters.PluginConflictError) as err:
        _plugins.host.registry  # noqa: B018
    assert "first_plugin" in str(err.value) and "second_plugin" in str(err.value)
    assert "api.fakex.test" in str(err.value)


def test_conflicting_api_names(register_plugin: Any) -> None:
    register_plugin(make_exchange(), name="first_plugin")
    register_plugin(
        make_exchange(name="other", http_hosts={"api.other.test": "fakex"}, ws_hosts={}),
        name="second_plugin",
    )
    with pytest.raises(pybotters.PluginConflictError, match="API name 'fakex'"):
        _plugins.host.registry  # noqa: B018


@pytest.mark.parametrize(
    "bad_host",
    [
        "API.fakex.test",
        "https://api.fakex.test",
        "api.fakex.test.",
        "*.fakex.test",
        "api.fakex.test:443",
    ],
)
def test_host_names_must_be_exact(register_plugin: Any, bad_host: str) -> None:
    register_plugin(make_exchange(http_hosts={bad_host: "fakex"}), name="sloppy")
    with pytest.warns(pybotters.PluginWarning, match="exact"):
        registry = _plugins.host.registry
    assert bad_host not in registry.http_hosts


def test_env_allow_and_block(modules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good(modules, "pbt_fixture_a", "ax", "api.a.test", "AStore")
    good(modules, "pbt_fixture_b", "bx", "api.b.test", "BStore")
    entries = (("a", "pbt_fixture_a"), ("b", "pbt_fixture_b"))

    monkeypatch.setenv("PYBOTTERS_LOAD_PLUGINS", "b")
    assert set(fresh_host(monkeypatch, *entries).registry.http_hosts) == {"api.b.test"}

    monkeypatch.setenv("PYBOTTERS_LOAD_PLUGINS", "")
    assert fresh_host(monkeypatch, *entries).registry.http_hosts == {}

    monkeypatch.delenv("PYBOTTERS_LOAD_PLUGINS")
    monkeypatch.setenv("PYBOTTERS_DISABLE_PLUGINS", "a")
    host = fresh_host(monkeypatch, *entries)
    assert set(host.registry.http_hosts) == {"api.b.test"}
    assert {s.name: s.status for s in host.statuses()} == {"a": "blocked", "b": "loaded"}


def test_store_lookup_through_module_getattr(register_plugin: Any) -> None:
    class MyCollection:
        pass

    register_plugin(make_exchange(stores={"MyFakeDataStore": MyCollection}))
    assert pybotters.MyFakeDataStore is MyCollection
    assert "MyFakeDataStore" in dir(pybotters)


def test_unknown_store_names_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_plugins, "host", fresh_host(monkeypatch))
    with pytest.raises(AttributeError, match="pip install pybotters-okx"):
        pybotters.OKXDataStore  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        pybotters.NoSuchThing  # noqa: B018


def test_list_plugins_records(register_plugin: Any) -> None:
    register_plugin(make_exchange(stores={"FakeXDataStore": "x:y"}), name="listed_plugin")
    records = {r["name"]: r for r in _plugins.list_plugins()}
    record = records["listed_plugin"]
    assert record["status"] == "loaded"
    assert record["exchanges"][0]["http_hosts"] == ["api.fakex.test"]
    assert record["exchanges"][0]["stores"] == ["FakeXDataStore"]
