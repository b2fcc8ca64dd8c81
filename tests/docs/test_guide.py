"""docs/guide.md is the published user guide: its samples, byte for byte, and true notes.

The samples themselves (as published) are kept in tests/bitflyer/guide_samples.py, where the
bitFlyer plugin's tests run each one in detail; test_doc_examples.py runs them from this page.
"""

from __future__ import annotations

import re

import pytest

from pybotters._plugins import host
from tests.bitflyer.guide_samples import SAMPLES

from .blocks import DOCS, collect

GUIDE = DOCS / "guide.md"


def test_the_samples_are_the_published_ones_in_order() -> None:
    blocks = collect(GUIDE)
    published = [source for _, source in sorted(SAMPLES.values())]
    assert [block.code for block in blocks] == published
    # the >>> sessions are shown as console sessions, the programs as Python
    assert [block.language for block in blocks if block.is_doctest] == ["pycon", "pycon"]
    assert {block.language for block in blocks if not block.is_doctest} == {"python"}


def test_the_page_says_it_is_in_japanese_and_where_english_pages_are() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    first_note = text.split("## ", 1)[0]
    assert "written in Japanese" in first_note
    for page in ("http.md", "websocket.md", "datastore.md", "plugins/bitflyer.md"):
        assert f"({page})" in first_note


def api_name_table() -> dict[str, str]:
    """API name -> the last column of the guide's table (the plugin, or 未提供)."""
    rows = re.findall(
        r"^\| [^|]+ \| `(\w+)` \| ([^|]+) \|$", GUIDE.read_text(encoding="utf-8"), re.MULTILINE
    )
    return {name: where.strip() for name, where in rows}


def test_the_api_name_table_keeps_every_published_name() -> None:
    table = api_name_table()
    published = {
        "binance", "binancefuture_testnet", "binancespot_testnet", "bitbank", "bitflyer",
        "bitget", "bitmex", "bitmex_testnet", "bybit", "bybit_testnet", "coincheck", "gmocoin",
        "kucoin", "mexc", "okx", "okx_demo", "phemex", "phemex_testnet",
    }  # fmt: skip
    assert published <= set(table)
    assert set(table) - published == {"bybit_demo"}


@pytest.mark.parametrize("name", sorted(api_name_table()))
def test_the_table_says_which_plugin_provides_each_api_name(name: str) -> None:
    where = api_name_table()[name]
    exchange = host.registry.api_names.get(name)
    if where == "未提供":
        assert exchange is None, f"{name} is provided by an installed plugin; update the table"
        return
    plugin = re.match(r"`pybotters-(\w+)`", where)
    assert plugin, f"the table's last column for {name} is {where!r}"
    installed = {e.name for e in host.registry.api_names.values()}
    if plugin[1] not in installed:
        pytest.skip(f"pybotters-{plugin[1]} is not installed here")
    assert exchange is not None and exchange.name == plugin[1]


def test_every_api_name_of_the_installed_plugins_is_in_the_table() -> None:
    shipped = {"bitflyer", "bybit", "okx"}
    names = {n for n, e in host.registry.api_names.items() if e.name in shipped}
    assert names <= set(api_name_table())
