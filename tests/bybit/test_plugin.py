"""The plugin as installed: entry point, descriptor, exact hosts, cheap import."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

import pybotters
from pybotters._plugins import host, list_plugins
from pybotters.hookspecs import PLUGIN_API
from pybotters.testing import FakeExchangeSpec
from pybotters_bybit import __version__, plugin
from pybotters_bybit.store import BybitDataStore


def test_entry_point_is_registered() -> None:
    [ep] = [ep for ep in importlib.metadata.entry_points(group="pybotters") if ep.name == "bybit"]
    assert ep.value == "pybotters_bybit.plugin"
    assert ep.dist is not None and ep.dist.metadata["Name"] == "pybotters-bybit"
    assert ep.dist.version == __version__ == "1.0.0"
    [core] = [r for r in ep.dist.requires or [] if r.startswith("pybotters-core")]
    assert ">=1.0" in core and "<2" in core


def test_listed_as_loaded() -> None:
    [record] = [p for p in list_plugins() if p["name"] == "bybit"]
    assert record["status"] == "loaded"
    assert record["distribution"] == "pybotters-bybit"
    [exchange] = record["exchanges"]
    assert exchange == {
        "name": "bybit",
        "plugin_api": "1.0",
        "api_names": ["bybit", "bybit_testnet", "bybit_demo"],
        "http_hosts": [
            "api-demo.bybit.com",
            "api-testnet.bybit.com",
            "api.bybit.com",
            "api.bytick.com",
        ],
        "ws_hosts": [
            "stream-demo.bybit.com",
            "stream-testnet.bybit.com",
            "stream.bybit.com",
            "stream.bytick.com",
        ],
        "stores": ["BybitDataStore"],
    }


def test_descriptor() -> None:
    exchange = plugin.EXCHANGE
    assert plugin.pybotters_exchanges() == [exchange]
    assert exchange.plugin_api == PLUGIN_API == (1, 0)
    assert exchange.http_hosts == {
        "api.bybit.com": "bybit",
        "api.bytick.com": "bybit",
        "api-testnet.bybit.com": "bybit_testnet",
        "api-demo.bybit.com": "bybit_demo",
    }
    assert exchange.ws_hosts == {
        "stream.bybit.com": "bybit",
        "stream.bytick.com": "bybit",
        "stream-testnet.bybit.com": "bybit_testnet",
        "stream-demo.bybit.com": "bybit_demo",
    }
    assert exchange.stores == {"BybitDataStore": "pybotters_bybit.store:BybitDataStore"}
    assert exchange.encode_data is None  # compact JSON, as Bybit expects
    assert all(exchange.items_for(name) == 2 for name in exchange.api_names)


@pytest.mark.parametrize(
    "lookalike",
    [
        "api.bybit.com.evil.example",
        "evil-api.bybit.com",
        "bybit.com",
        "api.bybit.com.",
        "API.BYBIT.COM",
        "stream.bybit.com.evil.example",
        "xstream.bybit.com",
    ],
)
def test_only_exact_hosts_match(lookalike: str) -> None:
    registry = host.registry
    assert lookalike not in registry.http_hosts
    assert lookalike not in registry.ws_hosts


def test_store_resolves_lazily() -> None:
    assert pybotters.BybitDataStore is BybitDataStore
    import pybotters_bybit

    assert pybotters_bybit.BybitDataStore is BybitDataStore
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        pybotters_bybit.Nope  # noqa: B018


def test_plugin_import_is_cheap() -> None:
    code = (
        "import sys, pybotters_bybit.plugin as p\n"
        "p.pybotters_exchanges()\n"
        "heavy = [m for m in ('aiohttp', 'pybotters_bybit.store', 'pybotters.testing',"
        " 'pybotters.store', 'orjson') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_fake_exchange_spec_is_contributed() -> None:
    from pybotters.testing._fake import find_spec

    [spec] = plugin.pybotters_fake_exchanges()
    assert isinstance(spec, FakeExchangeSpec)
    assert spec.name == "bybit"
    found = find_spec("bybit")
    assert found is not None and found.on_ws_message is spec.on_ws_message
