"""Every Python example of docs/plugins/okx.md runs unchanged against the fake OKX."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from pybotters.testing import FakeWebSocketSession

from .conftest import book_msg, level

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins" / "okx.md"
README = ROOT / "packages" / "exchange-okx" / "README.md"
DOC_APIS = {
    "okx": ["OKX_API_KEY", "OKX_API_SECRET", "OKX_API_PASSPHRASE"],
    "okx_demo": ["OKX_DEMO_API_KEY", "OKX_DEMO_API_SECRET", "OKX_DEMO_API_PASSPHRASE"],
}


def examples(path: Path = DOC) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def example(marker: str) -> str:
    (code,) = [code for code in examples() if marker in code]
    return code


async def run(code: str) -> None:
    code = code.rstrip()
    tail = "asyncio.run(main())"
    assert code.endswith(tail), "every example ends with asyncio.run(main())"
    namespace: dict[str, Any] = {"__name__": "okx_doc_example"}
    exec(compile(code[: -len(tail)], str(DOC), "exec"), namespace)
    await asyncio.wait_for(namespace["main"](), 5)


def test_examples_are_all_covered() -> None:
    markers = ['"POST"', "x-simulated-trading", '"trades"', "orders-pending"]
    assert len(examples()) == len(markers)
    for marker in markers:
        example(marker)


async def test_signing_example(
    start_fake_exchange: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await start_fake_exchange("okx", apis=DOC_APIS)
    fake.route(
        "GET",
        "/api/v5/account/balance",
        {"code": "0", "msg": "", "data": [{"totalEq": "1234.5", "details": []}]},
    )
    fake.route(
        "POST",
        "/api/v5/trade/order",
        {"code": "0", "msg": "", "data": [{"ordId": "567", "sCode": "0", "sMsg": ""}]},
    )
    await run(example('"POST"'))
    assert capsys.readouterr().out.split() == ["1234.5", "567"]
    assert [r.rejected for r in fake.requests] == [None, None]
    assert fake.requests[1].json()["instId"] == "BTC-USDT"


async def test_demo_example(start_fake_exchange: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fake = await start_fake_exchange("okx", apis=DOC_APIS)
    fake.route("GET", "/api/v5/account/balance", {"code": "0", "msg": "", "data": []})
    await run(example("x-simulated-trading"))
    assert capsys.readouterr().out.split() == ["0"]
    (request,) = fake.requests
    assert request.rejected is None
    assert request.headers["OK-ACCESS-KEY"] == "OKX_DEMO_API_KEY"


async def test_public_store_example(
    start_fake_exchange: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await start_fake_exchange("okx", apis=DOC_APIS)
    endpoint = fake.websocket("/ws/v5/public")

    def snapshot(message: Any, session: FakeWebSocketSession) -> list[Any]:
        return [
            book_msg(
                "snapshot",
                [level("30001.5", "2"), level("30002", "1")],
                [level("30001", "3"), level("29999.9", "1")],
                seq=1,
                prev=-1,
            )
        ]

    endpoint.on_message({"op": "subscribe"}, snapshot)
    await run(example('"trades"'))
    assert capsys.readouterr().out.split() == ["best", "ask", "30001.5", "best", "bid", "30001"]


async def test_private_store_example(
    start_fake_exchange: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = await start_fake_exchange("okx", apis=DOC_APIS)
    fake.route(
        "GET",
        "/api/v5/trade/orders-pending",
        {"code": "0", "msg": "", "data": [{"ordId": "11", "instId": "BTC-USDT", "state": "live"}]},
    )
    position = {"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "posSide": "net", "pos": "1"}
    fake.route("GET", "/api/v5/account/positions", {"code": "0", "msg": "", "data": [position]})
    endpoint = fake.websocket("/ws/v5/private")
    await run(example("orders-pending"))
    assert capsys.readouterr().out.splitlines() == ["['11']", "['BTC-USDT-SWAP']"]
    session = await endpoint.wait_session()
    await session.wait_message({"op": "subscribe"})
    assert session.received[0]["op"] == "login"
    assert session.state["okx"]["logins"] == ["OKX_API_KEY"]


async def test_readme_example(start_fake_exchange: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fake = await start_fake_exchange("okx", apis=DOC_APIS)
    fake.route("GET", "/api/v5/account/balance", {"code": "0", "msg": "", "data": []})
    (code,) = examples(README)
    await run(code)
    assert capsys.readouterr().out.split() == ["0", "0"]
    keys = [r.headers["OK-ACCESS-KEY"] for r in fake.requests]
    assert keys == ["OKX_API_KEY", "OKX_DEMO_API_KEY"]
    assert [r.rejected for r in fake.requests] == [None, None]
