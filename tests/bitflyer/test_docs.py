"""The Python examples of docs/plugins/bitflyer.md, run against the fake bitFlyer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pybotters.testing import FakeExchange, FakeWebSocket
from pybotters_bitflyer.testing import publish

from .conftest import APIS, subscribed

pytestmark = pytest.mark.usefixtures("no_implicit_apis")

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "bitflyer.md"
Lines = Callable[[], list[str]]


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def run(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    return namespace


def example(start: str) -> str:
    [found] = [e for e in examples() if start in e]
    return found


def test_every_example_is_run_here() -> None:
    assert len(examples()) == 5


def test_apis_example() -> None:
    [source] = [e for e in examples() if e.startswith("apis = {")]
    assert run(source)["apis"] == APIS


async def test_order_example(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await run(example("/v1/me/sendchildorder"))["main"]()
    assert stdout_lines() == ["200 {'child_order_acceptance_id': 'JRF20240101-000000-000001'}"]
    [request] = bitflyer.requests
    assert request.rejected is None
    assert request.json()["child_order_type"] == "LIMIT"


async def test_initialize_example(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    position = {
        "product_code": "FX_BTC_JPY",
        "side": "SELL",
        "price": 6100000,
        "size": 0.02,
        "commission": 0,
        "swap_point_accumulate": 0,
        "require_collateral": 61000,
        "open_date": "2024-01-01T00:00:00.000",
        "leverage": 2,
        "pnl": 0,
        "sfd": 0,
    }
    collateral = {
        "collateral": 100000,
        "open_position_pnl": 0,
        "require_collateral": 61000,
        "keep_rate": 1.6,
    }
    bitflyer.route("GET", "/v1/me/getchildorders", [])
    bitflyer.route("GET", "/v1/me/getparentorders", [])
    bitflyer.route("GET", "/v1/me/getpositions", [position])
    bitflyer.route("GET", "/v1/me/getcollateral", collateral)
    await run(example("await store.initialize("))["main"]()
    assert stdout_lines() == [
        str(
            [
                {
                    k: position[k]
                    for k in ("product_code", "side", "price", "size", "commission", "sfd")
                }
            ]
        ),
        str([collateral]),
    ]
    assert len(bitflyer.requests) == 5
    assert all(r.rejected is None for r in bitflyer.requests)


async def test_bot_skeleton_example(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(run(example("best ask:"))["main"]())
    await subscribed(realtime, "lightning_board_snapshot_FX_BTC_JPY")
    await subscribed(realtime, "child_order_events")  # logged in first
    await publish(
        realtime,
        "lightning_board_snapshot_FX_BTC_JPY",
        {
            "mid_price": 6200050.0,
            "bids": [{"price": 6200000.0, "size": 0.05}],
            "asks": [{"price": 6200100.0, "size": 0.2}],
        },
    )
    await asyncio.wait_for(task, 5)
    assert stdout_lines() == ["best ask: 6200100.0 best bid: 6200000.0"]


async def test_testing_example(stdout_lines: Lines) -> None:
    await run(example('FakeExchange("bitflyer"'))["main"]()
    assert stdout_lines() == ["{'product_code': 'BTC_JPY', 'ltp': 6200000.0}"]
