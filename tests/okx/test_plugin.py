"""The plugin as the core sees it: entry point, descriptor, credentials, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pybotters
from pybotters import CredentialsError
from pybotters._plugins import host
from pybotters.hookspecs import PLUGIN_API, Exchange
from pybotters_okx import plugin


def test_loaded_through_entry_point() -> None:
    records = {r["name"]: r for r in pybotters._plugins.list_plugins()}
    record = records["okx"]
    assert record["status"] == "loaded"
    assert record["distribution"] == "pybotters-okx"
    assert record["module"] == "pybotters_okx.plugin"
    (exchange,) = record["exchanges"]
    assert exchange["http_hosts"] == ["aws.okx.com", "www.okx.com"]
    assert exchange["ws_hosts"] == ["ws.okx.com", "wsaws.okx.com", "wspap.okx.com"]
    assert exchange["stores"] == ["OKXDataStore"]


def test_exchange_descriptor() -> None:
    (exchange,) = plugin.pybotters_exchanges()
    assert isinstance(exchange, Exchange)
    assert exchange.plugin_api == (1, 0)
    assert exchange.plugin_api[0] == PLUGIN_API[0]
    assert exchange.credential_items == {"okx": 3, "okx_demo": 3}
    assert exchange.items_for("okx_demo") == 3
    assert exchange.stores == {"OKXDataStore": "pybotters_okx.store:OKXDataStore"}
    assert exchange.ws is not None
    assert exchange.ws.heartbeat is not None
    assert exchange.ws.heartbeat.message == "ping"
    assert 0 < exchange.ws.heartbeat.interval < 30
    assert exchange.ws.send_limit is None
    registry = host.registry
    assert registry.http_hosts["www.okx.com"] is registry.api_names["okx_demo"]


@pytest.mark.parametrize(
    "name",
    ["www.okx.com.evil.example", "okx.com", "evilwww.okx.com", "www.okx.co", "ws.okx.com.evil"],
)
def test_look_alike_hosts_are_not_okx(name: str) -> None:
    registry = host.registry
    assert name not in registry.http_hosts or registry.http_hosts[name].name != "okx"
    assert name not in registry.ws_hosts or registry.ws_hosts[name].name != "okx"


def test_plugin_import_is_light() -> None:
    code = (
        "import sys, pybotters_okx.plugin\n"
        "bad = [m for m in ('aiohttp', 'pybotters_okx.store', 'pybotters.store') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_store_resolves_lazily_as_pybotters_attribute() -> None:
    from pybotters_okx.store import OKXDataStore

    assert pybotters.OKXDataStore is OKXDataStore
    assert "OKXDataStore" in dir(pybotters)


async def test_two_item_credential_warns_at_load_and_refuses_signed_requests() -> None:
    with pytest.warns(UserWarning, match=r"apis\['okx'\].*passphrase"):
        client = pybotters.Client(apis={"okx": ["key-0123456789", "secret-xyz"]})
    try:
        with pytest.raises(CredentialsError, match="passphrase") as info:
            client.get("https://www.okx.com/api/v5/account/balance")
        assert "secret-xyz" not in str(info.value)
    finally:
        await client.close()


async def test_two_item_demo_credential_refuses_demo_requests_only() -> None:
    with pytest.warns(UserWarning, match="okx_demo"):
        client = pybotters.Client(
            apis={"okx": ["k" * 12, "s", "p"], "okx_demo": ["key-0123456789", "secret-xyz"]}
        )
    try:
        with pytest.raises(CredentialsError, match="passphrase"):
            client.get(
                "https://www.okx.com/api/v5/account/balance",
                headers={"x-simulated-trading": "1"},
            )
    finally:
        await client.close()


async def test_two_item_credential_refuses_private_websocket() -> None:
    with pytest.warns(UserWarning, match="passphrase"):
        client = pybotters.Client(apis={"okx": ["key-0123456789", "secret-xyz"]})
    try:
        with pytest.raises(CredentialsError, match="passphrase"):
            client.ws_connect("wss://ws.okx.com:8443/ws/v5/private")
    finally:
        await client.close()
