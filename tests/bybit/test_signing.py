"""Bybit v5 REST signing: known answers, hosts and API names, recv window, what is sent."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

import pybotters
from pybotters.hookspecs import Credential, SignRequest
from pybotters.testing import FakeExchange, FakeRequest
from pybotters_bybit import _signing

from .conftest import (
    APIS,
    DEMO_KEY,
    DEMO_SECRET,
    KEY,
    SECRET,
    TESTNET_KEY,
    TESTNET_SECRET,
    VECTOR_TIME,
)

CREDENTIAL = Credential("bybit", KEY, SECRET)
ORDER = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Market",
    "qty": "0.001",
}
HISTORY_PARAMS = {"category": "linear", "symbol": "BTCUSDT", "cursor": "page_token%3D26854%26"}
# Expected signatures of pybotters' own test_bybit_get / test_bybit_post (same key, secret, time).
GET_VECTOR = "862bf2b354912bb4cf84113929aa8145376b5419d2a41457265394516e82afa9"
POST_VECTOR = "97918f80ac923cebb49dd0e643d949c2d79a79e2da697865b40c565fdf877591"


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def ok(result: Any = None) -> dict[str, Any]:
    return {"retCode": 0, "retMsg": "OK", "result": result or {}, "retExtInfo": {}, "time": 1}


# -- the signer on its own --------------------------------------------------------------------


def test_known_answer_get() -> None:
    url = URL("https://api.bybit.com/v5/order/history").with_query(HISTORY_PARAMS)
    request = SignRequest("GET", url, CIMultiDict(), None, VECTOR_TIME)
    _signing.sign(request, CREDENTIAL)
    assert dict(request.headers) == {
        "X-BAPI-API-KEY": KEY,
        "X-BAPI-TIMESTAMP": "2085848896000",
        "X-BAPI-SIGN": GET_VECTOR,
    }
    assert request.url is url and request.body is None


def test_known_answer_post() -> None:
    # pybotters 1.11 sent json.dumps() output (with spaces); the body signed is the body sent.
    body = json.dumps(ORDER).encode()
    request = SignRequest(
        "POST", URL("https://api.bybit.com/v5/order/create"), CIMultiDict(), body, VECTOR_TIME
    )
    _signing.sign(request, CREDENTIAL)
    assert request.headers["X-BAPI-SIGN"] == POST_VECTOR
    assert request.headers["X-BAPI-TIMESTAMP"] == "2085848896000"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == body


def test_recv_window_is_signed_when_given() -> None:
    url = URL("https://api.bybit.com/v5/position/list?category=linear")
    headers = CIMultiDict({"X-BAPI-RECV-WINDOW": "8000"})
    request = SignRequest("GET", url, headers, None, 1_700_000_000.0)
    _signing.sign(request, CREDENTIAL)
    expected = hmac_hex(SECRET, f"1700000000000{KEY}8000category=linear")
    assert request.headers["X-BAPI-SIGN"] == expected
    assert request.headers["X-BAPI-RECV-WINDOW"] == "8000"


def test_post_signs_the_body_not_the_query() -> None:
    url = URL("https://api.bybit.com/v5/order/cancel-all?ignored=1")
    body = b'{"category":"linear"}'
    request = SignRequest("POST", url, CIMultiDict(), body, 1_700_000_000.0)
    _signing.sign(request, CREDENTIAL)
    assert request.headers["X-BAPI-SIGN"] == hmac_hex(
        SECRET, f"1700000000000{KEY}" + '{"category":"linear"}'
    )


def test_post_without_body_signs_empty_payload_and_sets_no_content_type() -> None:
    request = SignRequest(
        "POST", URL("https://api.bybit.com/v5/x"), CIMultiDict(), None, 1_700_000_000.0
    )
    _signing.sign(request, CREDENTIAL)
    assert request.headers["X-BAPI-SIGN"] == hmac_hex(SECRET, f"1700000000000{KEY}")
    assert "Content-Type" not in request.headers


def test_user_content_type_is_kept() -> None:
    headers = CIMultiDict({"Content-Type": "application/json; charset=utf-8"})
    request = SignRequest(
        "POST", URL("https://api.bybit.com/v5/x"), headers, b"{}", 1_700_000_000.0
    )
    _signing.sign(request, CREDENTIAL)
    assert request.headers.getall("Content-Type") == ["application/json; charset=utf-8"]


# -- through the Client, against the fake Bybit ------------------------------------------------


async def test_client_get_matches_known_answer(
    bybit: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(VECTOR_TIME)
    bybit.route("GET", "/v5/order/history", ok({"list": []}))
    async with pybotters.Client(apis=APIS) as client:
        result = await client.fetch(
            "GET", "https://api.bybit.com/v5/order/history", params=HISTORY_PARAMS
        )
    assert result.data["retCode"] == 0
    [request] = bybit.requests
    assert request.rejected is None
    assert request.raw_path == (
        "/v5/order/history?category=linear&symbol=BTCUSDT&cursor=page_token%253D26854%2526"
    )
    assert request.headers["X-BAPI-API-KEY"] == KEY
    assert request.headers["X-BAPI-TIMESTAMP"] == "2085848896000"
    assert request.headers["X-BAPI-SIGN"] == GET_VECTOR


async def test_client_post_str_body_matches_known_answer(
    bybit: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(VECTOR_TIME)
    bybit.route("POST", "/v5/order/create", ok({"orderId": "1", "orderLinkId": ""}))
    async with pybotters.Client(apis=APIS, base_url="https://api.bybit.com") as client:
        result = await client.fetch("POST", "/v5/order/create", data=json.dumps(ORDER))
    assert result.data["retCode"] == 0
    [request] = bybit.requests
    assert request.headers["X-BAPI-SIGN"] == POST_VECTOR
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == ORDER


async def test_client_post_dict_is_compact_json_signed_as_sent(
    bybit: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(1_700_000_000.5)
    bybit.route("POST", "/v5/order/create", ok())
    async with pybotters.Client(apis=APIS) as client:
        await client.fetch("POST", "https://api.bybit.com/v5/order/create", data=ORDER)
    [request] = bybit.requests
    assert request.rejected is None
    assert request.body == json.dumps(ORDER, separators=(",", ":")).encode()
    assert request.headers["X-BAPI-TIMESTAMP"] == "1700000000500"
    assert request.headers["X-BAPI-SIGN"] == hmac_hex(
        SECRET, f"1700000000500{KEY}" + request.body.decode()
    )


async def test_signed_query_is_byte_identical_to_the_sent_query(bybit: FakeExchange) -> None:
    bybit.route("GET", "/v5/market/tickers", ok())
    params = {"category": "spot", "symbol": "BTC USDT/+é", "cursor": "a=b&c"}
    async with pybotters.Client(apis=APIS) as client:
        await client.fetch(
            "GET", "https://api.bybit.com/v5/market/tickers?baseCoin=BTC", params=params
        )
    [request] = bybit.requests
    assert request.rejected is None  # the fake recomputed the signature from the raw query
    _, _, raw_query = request.raw_path.partition("?")
    ts = request.headers["X-BAPI-TIMESTAMP"]
    assert request.headers["X-BAPI-SIGN"] == hmac_hex(SECRET, f"{ts}{KEY}{raw_query}")
    assert request.query["symbol"] == "BTC USDT/+é"
    assert request.query["baseCoin"] == "BTC"


async def test_caller_data_is_not_mutated(bybit: FakeExchange) -> None:
    bybit.route("*", "/v5/order/create", ok())
    params = {"category": "linear"}
    data = {"symbol": "BTCUSDT", "qty": "0.001", "nested": {"a": [1, 2]}}
    headers = {"X-BAPI-RECV-WINDOW": "5000"}
    before = copy.deepcopy((params, data, headers))
    async with pybotters.Client(apis=APIS) as client:
        await client.fetch(
            "POST",
            "https://api.bybit.com/v5/order/create",
            params=params,
            data=data,
            headers=headers,
        )
        await client.fetch(
            "GET", "https://api.bybit.com/v5/order/create", params=params, headers=headers
        )
    assert (params, data, headers) == before
    assert all(r.rejected is None for r in bybit.requests)
    assert all(r.headers["X-BAPI-RECV-WINDOW"] == "5000" for r in bybit.requests)


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("api.bybit.com", KEY),
        ("api.bytick.com", KEY),
        ("api-testnet.bybit.com", TESTNET_KEY),
        ("api-demo.bybit.com", DEMO_KEY),
    ],
)
async def test_each_host_signs_with_its_api_name(bybit: FakeExchange, host: str, key: str) -> None:
    bybit.route("GET", "/v5/account/wallet-balance", ok({"list": []}))
    async with pybotters.Client(apis=APIS) as client:
        result = await client.fetch(
            "GET", f"https://{host}/v5/account/wallet-balance", params={"accountType": "UNIFIED"}
        )
    assert result.data["retCode"] == 0
    [request] = bybit.requests
    assert request.host == host
    assert request.headers["X-BAPI-API-KEY"] == key
    assert request.rejected is None
    assert all(
        secret not in str(request.headers) for secret in (SECRET, TESTNET_SECRET, DEMO_SECRET)
    )


async def test_auth_none_sends_unsigned(bybit: FakeExchange) -> None:
    bybit.route("GET", "/v5/market/time", ok())
    async with pybotters.Client(apis=APIS) as client:
        await client.fetch("GET", "https://api.bybit.com/v5/market/time", auth=None)
    [request] = bybit.requests
    assert "X-BAPI-API-KEY" not in request.headers
    assert "X-BAPI-SIGN" not in request.headers


async def test_no_credentials_sends_unsigned(bybit: FakeExchange, no_implicit_apis: None) -> None:
    bybit.route("GET", "/v5/market/time", ok())
    async with pybotters.Client() as client:
        result = await client.fetch("GET", "https://api.bybit.com/v5/market/time")
    assert result.data["retCode"] == 0
    assert "X-BAPI-SIGN" not in bybit.requests[0].headers


# -- the fake Bybit refuses what Bybit refuses -------------------------------------------------


async def test_fake_refuses_a_wrong_secret(start_fake: Any) -> None:
    fake = await start_fake()
    fake.route("GET", "/v5/position/list", ok())
    wrong = {"bybit": [KEY, "not-the-secret"]}
    async with pybotters.Client(apis=wrong) as client:
        result = await client.fetch(
            "GET", "https://api.bybit.com/v5/position/list", params={"category": "linear"}
        )
    assert result.data["retCode"] == 10004
    assert "error sign" in result.data["retMsg"]
    assert "not-the-secret" not in result.text
    [request] = fake.requests
    assert request.rejected is not None


async def test_fake_refuses_unknown_key_and_unsigned_private_calls(start_fake: Any) -> None:
    fake = await start_fake()
    fake.route("GET", "/v5/order/realtime", ok())
    async with pybotters.Client(apis={"bybit": ["unknown-key-000", "x" * 20]}) as client:
        unknown = await client.fetch("GET", "https://api.bybit.com/v5/order/realtime")
        unsigned = await client.fetch("GET", "https://api.bybit.com/v5/order/realtime", auth=None)
    assert unknown.data["retCode"] == 10003
    assert unsigned.data["retCode"] == 10003


def test_fake_verifier_checks_post_body() -> None:
    from pybotters_bybit.testing import verify_http

    body = b'{"a":1}'
    ts = "1700000000000"
    good = hmac_hex(SECRET, f"{ts}{KEY}" + body.decode())

    def request(sign: str, payload: bytes) -> FakeRequest:
        return FakeRequest(
            method="POST",
            scheme="https",
            host="api.bybit.com",
            path="/v5/order/create",
            raw_path="/v5/order/create",
            query={},
            headers=CIMultiDict(
                {"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign}
            ),
            body=payload,
        )

    lookup = {KEY: CREDENTIAL}.get
    assert verify_http(request(good, body), lookup) is None
    reason = verify_http(request(good, b'{"a":2}'), lookup)
    assert reason is not None and reason.startswith("10004")
    assert SECRET not in reason
