"""Every code sample of the user guide, run unchanged against the fake bitFlyer.

The samples are in guide_samples.py, byte for byte. Each runs in a fresh namespace holding
``asyncio`` and ``pybotters`` (what the guide's first sample imports); samples that loop forever
run as a task while the fake exchange pushes a scripted sequence, and are cancelled once the
expected lines are printed. Assertions are on the exact printed lines.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import json
import os
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import orjson
import pytest

import pybotters
from pybotters.testing import FakeExchange, FakeWebSocket
from pybotters_bitflyer.testing import DEFAULT_BALANCE, DEFAULT_TICKER, channel_message, publish

from .conftest import APIS, eventually, subscribed
from .guide_samples import SAMPLES

pytestmark = pytest.mark.usefixtures("no_implicit_apis", "fast_reconnect")

DOCS_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"

Lines = Callable[[], list[str]]


def load(name: str) -> Callable[[], Coroutine[Any, Any, None]]:
    """The ``main`` coroutine function the sample ``name`` defines."""
    namespace: dict[str, Any] = {"asyncio": asyncio, "pybotters": pybotters}
    exec(compile(SAMPLES[name][1], f"<guide sample {name}>", "exec"), namespace)
    main: Callable[[], Coroutine[Any, Any, None]] = namespace["main"]
    return main


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a sample that runs forever (as Ctrl+C would) and let it close its Client."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()


def ticker(product: str = "BTC_JPY", **changes: Any) -> dict[str, Any]:
    return {**DEFAULT_TICKER, "product_code": product, **changes}


def guide_texts() -> list[Path]:
    """The guide's texts to compare the samples with: the docs' copy and, when the
    ``PYBOTTERS_USER_GUIDE_TEXT`` environment variable names one, the published text."""
    paths = [DOCS_GUIDE] if DOCS_GUIDE.exists() else []
    published = os.environ.get("PYBOTTERS_USER_GUIDE_TEXT")
    if published:
        paths.append(Path(published))
    return paths


def test_samples_are_the_guides_own() -> None:
    paths = guide_texts()
    if not paths:
        pytest.skip("no text of the user guide to compare with (docs/guide.md is absent)")
    assert len(SAMPLES) == 21
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for name, (line, source) in SAMPLES.items():
            assert source in text, f"{name} differs from {path}"
            if path.suffix == ".txt":
                assert text.split("\n")[line - 1] == source.split("\n")[0], name


# -- Client class ------------------------------------------------------------------------------


def test_client_class(capsys: pytest.CaptureFixture[str]) -> None:
    # A complete program (with asyncio.run), so it runs outside the test's event loop.
    exec(compile(SAMPLES["client_class"][1], "<guide sample client_class>", "exec"), {})
    assert capsys.readouterr().out == ""


# -- HTTP API ------------------------------------------------------------------------------------


async def test_fetch_api(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await load("fetch_api")()
    assert stdout_lines() == ["200 OK", str(ticker())]
    [request] = bitflyer.requests
    assert (request.method, request.raw_path) == ("GET", "/v1/getticker?product_code=BTC_JPY")


async def test_http_method_api(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await load("http_method_api")()
    assert stdout_lines() == [str(ticker()), str(ticker())]
    assert [r.raw_path for r in bitflyer.requests] == ["/v1/getticker?product_code=BTC_JPY"] * 2


async def test_params_sample_raises_name_error_after_the_request(
    bitflyer: FakeExchange, stdout_lines: Lines
) -> None:
    # The guide prints r.response but names the result `result`: NameError, as with pybotters
    # 1.11, once the request has been answered.
    with pytest.raises(NameError, match="'r' is not defined"):
        await load("params_undefined_r")()
    assert [r.raw_path for r in bitflyer.requests] == ["/v1/getticker?product_code=BTC_JPY"]
    assert stdout_lines() == []


async def test_params_sample_as_intended(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    source = SAMPLES["params_undefined_r"][1].replace("r.response", "result.response")
    namespace: dict[str, Any] = {"pybotters": pybotters}
    exec(source, namespace)
    await namespace["main"]()
    assert stdout_lines() == ["200 OK", str(ticker())]


async def test_data_sample_raises_name_error_after_the_request(
    bitflyer: FakeExchange, stdout_lines: Lines
) -> None:
    with pytest.raises(NameError, match="'r' is not defined"):
        await load("data_undefined_r")()
    [request] = bitflyer.requests
    assert (request.method, request.path) == ("POST", "/v1/me/sendchildorder")
    assert request.json() == {"product_code": "BTC_JPY", "child_order_type": "MARKET", "size": 0.01}
    # No credentials were given: the order went out unsigned and bitFlyer refused it.
    assert request.rejected is not None and "Authentication required" in request.rejected


async def test_data_sample_as_intended_with_implicit_apis(
    bitflyer: FakeExchange,
    stdout_lines: Lines,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "NOTE: Authentication is required": credentials come from $PYBOTTERS_APIS, so the
    # sample's Client() signs the order without any change to the code.
    apis_file = tmp_path / "apis.json"
    apis_file.write_text(json.dumps(APIS))
    apis_file.chmod(0o600)
    monkeypatch.setenv("PYBOTTERS_APIS", str(apis_file))
    source = SAMPLES["data_undefined_r"][1].replace("r.response", "result.response")
    namespace: dict[str, Any] = {"pybotters": pybotters}
    exec(source, namespace)
    await namespace["main"]()
    assert stdout_lines() == [
        "200 OK",
        "{'child_order_acceptance_id': 'JRF20240101-000000-000001'}",
    ]
    [request] = bitflyer.requests
    assert request.rejected is None
    assert request.body == b'{"product_code":"BTC_JPY","child_order_type":"MARKET","size":0.01}'


async def test_response_headers(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await load("response_headers")()
    length = len(orjson.dumps(ticker()))
    expected = (
        "<CIMultiDictProxy('Date': 'Mon, 01 Jan 2024 00:00:00 GMT', 'Server': 'fake-bitflyer', "
        f"'Content-Type': 'application/json', 'Content-Length': '{length}')>"
    )
    assert stdout_lines() == [expected, expected]


async def test_response_data(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await load("response_data")()
    assert stdout_lines() == [str(ticker()), str(ticker())]


async def test_base_url(
    bitflyer: FakeExchange, realtime: FakeWebSocket, stdout_lines: Lines
) -> None:
    await load("base_url")()
    assert [(r.method, r.raw_path) for r in bitflyer.requests] == [
        ("GET", "/v1/getticker"),
        ("GET", "/v1/getboard"),
    ]
    # The WebSocket URL was used as given (base_url does not apply to it).
    [session] = realtime.sessions
    assert (session.host, session.path) == ("ws.lightstream.bitflyer.com", "/json-rpc")
    assert stdout_lines() == []


# -- WebSocket API -------------------------------------------------------------------------------


async def test_websocket_api(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("websocket_api")())
    channel = "lightning_ticker_BTC_JPY"
    await subscribed(realtime, channel)
    pushes = [ticker(tick_id=1001), ticker(tick_id=1002, ltp=6200200.0)]
    for n, message in enumerate(pushes, 1):
        await publish(realtime, channel, message)
        await eventually(lambda n=n: len(stdout_lines()) >= n)  # type: ignore[misc]
    await stop(task)
    # The subscription has no id: a JSON-RPC notification, so no reply; only the pushes print.
    assert stdout_lines() == [str(channel_message(channel, m)) for m in pushes]


async def test_authentication_http(bitflyer: FakeExchange, stdout_lines: Lines) -> None:
    await load("authentication_http")()
    assert stdout_lines() == [str(DEFAULT_BALANCE)]
    [request] = bitflyer.requests
    assert request.rejected is None and request.headers["ACCESS-KEY"] == "BITFLYER_API_KEY"


CHILD_EVENT = {
    "product_code": "FX_BTC_JPY",
    "child_order_id": "JFX20240101-000000-000001",
    "child_order_acceptance_id": "JRF20240101-000000-000001",
    "event_date": "2024-01-01T00:00:00.000Z",
    "event_type": "ORDER",
    "child_order_type": "LIMIT",
    "side": "BUY",
    "price": 6000000,
    "size": 0.01,
    "expire_date": "2024-01-31T00:00:00",
}


async def test_authentication_ws(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("authentication_ws")())
    await subscribed(realtime, "child_order_events")  # accepted only after a valid login
    await publish(realtime, "child_order_events", [CHILD_EVENT])
    await eventually(lambda: len(stdout_lines()) >= 3)
    await stop(task)
    assert stdout_lines() == [
        "{'jsonrpc': '2.0', 'id': 'auth', 'result': True}",
        "{'jsonrpc': '2.0', 'id': 123, 'result': True}",
        str(channel_message("child_order_events", [CHILD_EVENT])),
    ]
    assert [m["method"] for m in realtime.sessions[0].received] == ["auth", "subscribe"]


def test_apis_format() -> None:
    apis = ast.literal_eval(SAMPLES["apis_format"][1])
    assert apis == {"API_NAME": ["YOUR_API_KEY", "YOUR_API_SECRET"], "...": ["...", "..."]}


async def test_apis_json_file() -> None:
    # The placeholder path does not exist here: the Client says so clearly.
    with pytest.raises(
        pybotters.CredentialsError,
        match=re.escape("could not read the apis file '/path/to/apis.json'"),
    ):
        await load("apis_json_file")()


async def test_apis_json_file_as_intended(tmp_path: Path) -> None:
    apis_file = tmp_path / "apis.json"
    apis_file.write_text(json.dumps(APIS))
    apis_file.chmod(0o600)
    namespace: dict[str, Any] = {"pybotters": pybotters}
    exec(SAMPLES["apis_json_file"][1].replace("/path/to/apis.json", str(apis_file)), namespace)
    await namespace["main"]()


# -- DataStore -----------------------------------------------------------------------------------


def run_doctest(name: str, source: str) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {"pybotters": pybotters}, name, f"<guide sample {name}>", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda text: None)
    result = runner.summarize(verbose=False)
    assert (result.failed, result.attempted) == (0, len(test.examples)), name


def test_datastore_doctest() -> None:
    run_doctest("datastore_doctest", SAMPLES["datastore_doctest"][1])


def test_attributes_doctest() -> None:
    # The stores are the same classes, defined in this plugin rather than in
    # pybotters.models.bitflyer; only that module path and the addresses differ in the repr.
    source = SAMPLES["attributes_doctest"][1]
    for name in ("Ticker", "Executions", "Board"):
        assert f"<pybotters.models.bitflyer.{name} object at 0x" in source
    source = source.replace("pybotters.models.bitflyer.", "pybotters_bitflyer.store.")
    lines = [
        line.split(" at 0x")[0] + " at 0x...>" if " at 0x" in line else line
        for line in source.split("\n")
    ]
    run_doctest("attributes_doctest", "\n".join(lines))


async def test_onmessage(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("onmessage")())
    channel = "lightning_ticker_BTC_JPY"
    await subscribed(realtime, channel)
    await eventually(lambda: len(stdout_lines()) >= 1)
    first = ticker(tick_id=1001)
    await publish(realtime, channel, first)
    await eventually(lambda: len(stdout_lines()) >= 2)
    await publish(realtime, channel, {"product_code": "BTC_JPY", "tick_id": 1002, "ltp": 6200300.0})
    await eventually(lambda: len(stdout_lines()) >= 3)
    await stop(task)
    assert stdout_lines() == [
        "None",
        str(first),
        str({**first, "tick_id": 1002, "ltp": 6200300.0}),
    ]


async def test_initialize(
    bitflyer: FakeExchange, realtime: FakeWebSocket, stdout_lines: Lines
) -> None:
    position = {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": 6000000,
        "size": 0.03,
        "commission": 0,
        "swap_point_accumulate": 0,
        "require_collateral": 90000,
        "open_date": "2024-01-01T00:00:00.000",
        "leverage": 2,
        "pnl": 0,
        "sfd": 0,
    }
    route = bitflyer.route(
        "GET", "/v1/me/getpositions", [position], query={"product_code": "FX_BTC_JPY"}
    )
    task = asyncio.ensure_future(load("initialize")())
    await subscribed(realtime, "child_order_events")
    await eventually(lambda: len(stdout_lines()) >= 1)
    sell = {
        "product_code": "FX_BTC_JPY",
        "child_order_id": "JFX20240101-000000-000002",
        "child_order_acceptance_id": "JRF20240101-000000-000002",
        "event_date": "2024-01-01T00:00:01.000Z",
        "event_type": "EXECUTION",
        "exec_id": 1001,
        "side": "SELL",
        "price": 6100000,
        "size": 0.01,
        "commission": 0,
        "sfd": 0,
        "outstanding_size": 0,
    }
    await publish(realtime, "child_order_events", [sell])
    await eventually(lambda: len(stdout_lines()) >= 2)
    await publish(realtime, "child_order_events", [{**sell, "exec_id": 1002, "size": 0.05}])
    await eventually(lambda: len(stdout_lines()) >= 3)
    await stop(task)
    assert route.calls == 1 and route.requests[0].rejected is None

    def held(side: str, price: int, size: float) -> dict[str, Any]:
        return {
            "product_code": "FX_BTC_JPY",
            "side": side,
            "price": price,
            "size": size,
            "commission": 0,
            "sfd": 0,
        }

    assert stdout_lines() == [
        str([held("BUY", 6000000, 0.03)]),
        str([held("BUY", 6000000, 0.02)]),
        # 0.05 sold: closes the remaining 0.02 and opens 0.03 short
        str([held("SELL", 6100000, 0.03)]),
    ]


async def test_sorted(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    snapshot_channel = "lightning_board_snapshot_BTC_JPY"
    task = asyncio.ensure_future(load("sorted")())
    await subscribed(realtime, snapshot_channel)
    await eventually(lambda: len(stdout_lines()) >= 1)
    snapshot = {
        "mid_price": 6200050.0,
        "bids": [
            {"price": 6199000.0, "size": 1.0},
            {"price": 6200000.0, "size": 0.05},
            {"price": 6198000.0, "size": 2.0},
        ],
        "asks": [
            {"price": 6201000.0, "size": 0.5},
            {"price": 6200100.0, "size": 0.2},
            {"price": 6202000.0, "size": 3.0},
        ],
    }
    await publish(realtime, snapshot_channel, snapshot)
    await eventually(lambda: len(stdout_lines()) >= 2)
    session = realtime.sessions[0]
    await session.wait_message({"method": "unsubscribe"})
    await subscribed(realtime, "lightning_board_BTC_JPY")
    await publish(
        realtime,
        "lightning_board_BTC_JPY",
        {
            "mid_price": 6200050.0,
            "bids": [{"price": 6200000.0, "size": 0}],
            "asks": [{"price": 6200050.0, "size": 0.1}],
        },
    )
    await eventually(lambda: len(stdout_lines()) >= 3)
    await stop(task)

    def lv(side: str, price: float, size: float) -> dict[str, Any]:
        return {"product_code": "BTC_JPY", "side": side, "price": price, "size": size}

    assert stdout_lines() == [
        str({"asks": [], "bids": []}),
        str(
            {
                "asks": [lv("asks", 6200100.0, 0.2), lv("asks", 6201000.0, 0.5)],
                "bids": [lv("bids", 6200000.0, 0.05), lv("bids", 6199000.0, 1.0)],
            }
        ),
        # The bid at 6,200,000 is gone; the ask at the mid price is crossed and pruned.
        str(
            {
                "asks": [lv("asks", 6200100.0, 0.2), lv("asks", 6201000.0, 0.5)],
                "bids": [lv("bids", 6199000.0, 1.0), lv("bids", 6198000.0, 2.0)],
            }
        ),
    ]


async def test_wait(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("wait")())
    await subscribed(realtime, "lightning_ticker_ETH_JPY")
    eth = ticker("ETH_JPY", ltp=500000.0)
    await publish(realtime, "lightning_ticker_ETH_JPY", eth)
    await asyncio.wait_for(task, 5)  # the sample ends by itself once a ticker arrived
    assert stdout_lines() == [str([eth])]


async def test_watch(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("watch")())
    channel = "lightning_executions_BTC_JPY"
    await subscribed(realtime, channel)
    executions = [
        {
            "id": 2084881071 + n,
            "side": side,
            "price": 6200100.0 - 100 * n,
            "size": 0.005 * (n + 1),
            "exec_date": f"2024-01-01T00:00:0{n}.8840579Z",
            "buy_child_order_acceptance_id": f"JRF20240101-000000-00010{n}",
            "sell_child_order_acceptance_id": f"JRF20240101-000000-00020{n}",
        }
        for n, side in enumerate(["BUY", "SELL", "BUY"])
    ]
    await publish(realtime, channel, executions[:2])
    await eventually(lambda: len(stdout_lines()) >= 2)
    await publish(realtime, channel, executions[2:])
    await eventually(lambda: len(stdout_lines()) >= 3)
    await stop(task)
    assert stdout_lines() == [str({"product_code": "BTC_JPY", **e}) for e in executions]


async def test_websocket_queue(realtime: FakeWebSocket, stdout_lines: Lines) -> None:
    task = asyncio.ensure_future(load("websocket_queue")())
    channel = "lightning_ticker_BTC_JPY"
    await subscribed(realtime, channel)
    pushes = [ticker(tick_id=2001), ticker(tick_id=2002)]
    for message in pushes:
        await publish(realtime, channel, message)
    await eventually(lambda: len(stdout_lines()) >= 2)
    await stop(task)
    assert stdout_lines() == [str(channel_message(channel, m)) for m in pushes]
