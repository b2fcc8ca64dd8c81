"""The Python examples of docs/plugins/bybit.md, run unchanged against the fake Bybit."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pybotters.testing import FakeExchange

from . import messages as m
from .conftest import StartFake, eventually, topics_of

pytestmark = pytest.mark.usefixtures("no_implicit_apis")

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins" / "bybit.md"
DOC_APIS = {
    "bybit": ["BYBIT_API_KEY", "BYBIT_API_SECRET"],
    "bybit_testnet": ["BYBIT_TESTNET_API_KEY", "BYBIT_TESTNET_API_SECRET"],
    "bybit_demo": ["BYBIT_DEMO_API_KEY", "BYBIT_DEMO_API_SECRET"],
}
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


@pytest.fixture
def stdout_lines(capsys: pytest.CaptureFixture[str]) -> Lines:
    lines: list[str] = []

    def read() -> list[str]:
        out = capsys.readouterr().out
        if out:
            lines.extend(out.splitlines())
        return lines

    return read


@pytest.fixture
async def doc_fake(start_fake: StartFake) -> FakeExchange:
    return await start_fake(apis=DOC_APIS)


def test_every_example_is_run_here() -> None:
    assert len(examples()) == 7


def test_apis_example() -> None:
    assert run(example('apis = {\n    "bybit": ["BYBIT_API_KEY"'))["apis"] == DOC_APIS


def test_store_example() -> None:
    import pybotters

    [source] = [e for e in examples() if e.strip() == "store = pybotters.BybitDataStore()"]
    namespace = {"pybotters": pybotters}
    exec(compile(source, str(DOC), "exec"), namespace)
    assert isinstance(namespace["store"], pybotters.BybitDataStore)


async def test_signed_order_example(doc_fake: FakeExchange, stdout_lines: Lines) -> None:
    doc_fake.route(
        "POST",
        "/v5/order/create",
        m.rest({"orderId": "1321003749386327552", "orderLinkId": ""}),
    )
    await run(example('"/v5/order/create"'))["main"]()
    assert stdout_lines() == ["200 0 {'orderId': '1321003749386327552', 'orderLinkId': ''}"]
    [request] = doc_fake.requests
    assert request.rejected is None
    assert request.headers["X-BAPI-RECV-WINDOW"] == "10000"
    assert request.json()["price"] == "25000"


async def test_order_entry_example(doc_fake: FakeExchange, stdout_lines: Lines) -> None:
    trade = doc_fake.websocket("/v5/trade")
    trade.on_message(
        {"op": "order.create"},
        lambda msg, session: (
            [
                {
                    "reqId": msg["reqId"],
                    "retCode": 0,
                    "retMsg": "OK",
                    "op": "order.create",
                    "data": {"orderId": "a4c1718e", "orderLinkId": ""},
                    "retExtInfo": {},
                    "header": {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "9"},
                    "connId": session.state["bybit_conn_id"],
                }
            ]
            if "X-BAPI-TIMESTAMP" in msg.get("header", {})
            else None
        ),
    )
    await asyncio.wait_for(run(example('"op": "order.create"'))["main"](), 5)
    assert stdout_lines() == ["0 {'orderId': 'a4c1718e', 'orderLinkId': ''}"]
    [session] = trade.sessions
    assert session.state["bybit_auth"] == "bybit"


async def test_initialize_example(doc_fake: FakeExchange, stdout_lines: Lines) -> None:
    doc_fake.route(
        "GET",
        "/v5/position/list",
        m.rest({"list": [m.position("0.01")], "category": "linear", "nextPageCursor": ""}),
    )
    doc_fake.route(
        "GET",
        "/v5/order/realtime",
        m.rest({"list": [m.order("o-1", "New")], "category": "linear", "nextPageCursor": ""}),
    )
    doc_fake.route(
        "GET",
        "/v5/account/wallet-balance",
        m.rest({"list": [m.wallet(m.coin("USDT", "106.03"))]}),
    )
    private = doc_fake.websocket("/v5/private")
    task = asyncio.ensure_future(run(example("await store.initialize("))["main"]())
    session = await private.wait_session()
    await eventually(lambda: {"position", "order"} <= topics_of(session))
    await eventually(lambda: len(stdout_lines()) == 2)
    await session.send(m.private("order", m.order("o-1", "Filled")))
    await asyncio.wait_for(task, 5)
    assert stdout_lines() == [
        "[('BTCUSDT', 'Buy', '0.01')]",
        "[('o-1', '29000.0', '0.010')]",
        "[]",
    ]
    assert all(r.rejected is None for r in doc_fake.requests)


async def test_orderbook_example(doc_fake: FakeExchange, stdout_lines: Lines) -> None:
    public = doc_fake.websocket("/v5/public/linear")
    task = asyncio.ensure_future(run(example('"orderbook.50.BTCUSDT"'))["main"]())
    session = await public.wait_session()
    await eventually(lambda: "orderbook.50.BTCUSDT" in topics_of(session))
    await session.send(m.BOOK_SNAPSHOT)
    await asyncio.wait_for(task, 5)
    assert stdout_lines() == ["best ask: 30248.70 best bid: 30247.20"]


async def test_testing_example(stdout_lines: Lines) -> None:
    await asyncio.wait_for(run(example('FakeExchange("bybit"'))["main"](), 10)
    assert stdout_lines() == [
        "1688639403",
        "{'symbol': 'BTCUSDT', 'lastPrice': '21109.77'}",
    ]
