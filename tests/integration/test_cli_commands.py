"""``pybotters plugins`` and ``pybotters fetch`` with the three shipped plugins installed.

``fetch`` runs in-process against a fake bitFlyer (in its own thread: the command runs its own
event loop), which checks the signatures of private requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybotters.cli import main
from pybotters_bitflyer.testing import DEFAULT_BALANCE, DEFAULT_TICKER, route_defaults
from tests.core.test_cli_streams import ThreadedFake, one_error_line, run

APIS = {"bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"]}
TICKER = "https://api.bitflyer.com/v1/ticker"
BALANCE = "https://api.bitflyer.com/v1/me/getbalance"


@pytest.fixture
def folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)
    apis = tmp_path / "keys.json"
    apis.write_text(json.dumps(APIS))
    apis.chmod(0o600)
    return tmp_path


@pytest.fixture
def bitflyer(folder: Path) -> Iterator[ThreadedFake]:
    fake = ThreadedFake("bitflyer", apis=APIS)
    route_defaults(fake.exchange)
    try:
        yield fake
    finally:
        fake.close()


def test_plugins_lists_the_three_exchanges(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "plugins")
    assert status == 0
    for line in (
        "pybotters-bitflyer 1.0.0  [loaded]  entry point: bitflyer",
        "      WebSocket hosts: ws.lightstream.bitflyer.com",
        "      DataStoreCollections: bitFlyerDataStore",
    ):
        assert line in out.splitlines()
    status, out, _ = run(capsys, "plugins", "--json", "--check")
    assert status == 0
    records = {record["name"]: record for record in json.loads(out)}
    assert {name: r["status"] for name, r in records.items()} == {
        "bitflyer": "loaded",
        "bybit": "loaded",
        "okx": "loaded",
    }


def test_fetch_prints_the_json_body(
    bitflyer: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "fetch", "GET", TICKER, "--params", "product_code=ETH_JPY")
    assert status == 0
    assert err == "200 OK\n"
    assert json.loads(out) == {**DEFAULT_TICKER, "product_code": "ETH_JPY"}
    [request] = bitflyer.exchange.requests
    assert request.raw_path == "/v1/ticker?product_code=ETH_JPY"


def test_fetch_signs_private_requests(
    bitflyer: ThreadedFake, capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    status, out, _ = run(capsys, "fetch", "get", BALANCE, "--apis", str(folder / "keys.json"))
    assert status == 0
    assert json.loads(out) == DEFAULT_BALANCE
    order = '{"product_code": "BTC_JPY", "side": "BUY", "size": 0.001}'
    status, out, _ = run(
        capsys,
        "fetch",
        "POST",
        "https://api.bitflyer.com/v1/me/sendchildorder",
        "--data",
        order,
        "--apis",
        str(folder / "keys.json"),
    )
    assert status == 0
    assert json.loads(out) == {"child_order_acceptance_id": "JRF20240101-000000-000001"}
    assert [r.rejected for r in bitflyer.exchange.requests] == [None, None]
    assert bitflyer.exchange.requests[1].json() == json.loads(order)


def test_fetch_of_a_refused_request_prints_the_body_and_fails(
    bitflyer: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "fetch", "GET", BALANCE)  # no credentials: unsigned
    assert status == 1
    assert err == "401 Unauthorized\n"
    assert json.loads(out)["status"] == -500


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["GE T", TICKER], "METHOD must be an HTTP method"),
        (["GET", "/v1/ticker"], "URL must be an absolute http(s) URL"),
        (["GET", "wss://ws.lightstream.bitflyer.com/json-rpc"], "absolute http(s) URL"),
        (["GET", "http://[::1"], "absolute http(s) URL"),
        (["GET", TICKER, "--params", "product_code"], "--params expects KEY=VALUE"),
        (["POST", TICKER, "--data", "{size"], "--data is not valid JSON"),
        (["POST", TICKER, "--data", "[1]"], "--data must be a JSON object"),
    ],
)
def test_fetch_bad_arguments(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    status, out, err = run(capsys, "fetch", *argv)
    assert status == 2
    assert out == ""
    assert expected in one_error_line(err)


def test_fetch_errors_are_one_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "fetch", "GET", "https://127.0.0.1:1/x")
    assert status == 1
    assert one_error_line(err).startswith("pybotters fetch: cannot reach 127.0.0.1:1")
    status, _, err = run(capsys, "fetch", "GET", TICKER, "--apis", "missing.json")
    assert status == 1
    assert "could not read the apis file 'missing.json'" in one_error_line(err)


def test_a_closed_pipe_ends_quietly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise ValueError("no file descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["plugins", "--json"]) == 0
