"""Signed REST requests against the fake OKX of pybotters.testing (live and demo keys)."""

from __future__ import annotations

from typing import Any

import pytest

import pybotters
from pybotters.testing import FakeRequest

from .conftest import APIS, SECRETS

BALANCE = {
    "code": "0",
    "msg": "",
    "data": [{"totalEq": "41624.32", "uTime": "1614846244194", "details": []}],
}


async def test_live_get_with_query_is_signed(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    route = fake.route("GET", "/api/v5/account/balance", BALANCE)
    async with pybotters.Client(apis=APIS, base_url="https://www.okx.com") as client:
        result = await client.fetch("GET", "/api/v5/account/balance", params={"ccy": "BTC"})
    assert result.response.status == 200
    assert result.data == BALANCE
    (request,) = route.requests
    assert request.rejected is None
    assert request.raw_path == "/api/v5/account/balance?ccy=BTC"
    assert request.headers["OK-ACCESS-KEY"] == "live-key-0001"
    assert request.headers["OK-ACCESS-PASSPHRASE"] == "live-pass-p4ss"


async def test_live_post_json_body_is_signed(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)

    def echo(request: FakeRequest) -> dict[str, Any]:
        return {"code": "0", "msg": "", "data": [{"ordId": "1", "sCode": "0", "sMsg": ""}]}

    route = fake.route("POST", "/api/v5/trade/order", echo)
    order = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "1"}
    original = dict(order)
    async with pybotters.Client(apis=APIS) as client:
        result = await client.fetch("POST", "https://www.okx.com/api/v5/trade/order", data=order)
    assert result.data["code"] == "0"
    assert order == original  # the caller's data is not mutated
    (request,) = route.requests
    assert request.rejected is None
    assert request.json() == order
    assert request.headers["Content-Type"] == "application/json"


async def test_demo_header_selects_demo_credentials(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    route = fake.route("GET", "/api/v5/account/balance", BALANCE)
    headers = {"x-simulated-trading": "1"}
    async with pybotters.Client(apis=APIS, base_url="https://www.okx.com") as client:
        result = await client.fetch("GET", "/api/v5/account/balance", headers=headers)
    assert result.data == BALANCE
    (request,) = route.requests
    assert request.headers["OK-ACCESS-KEY"] == "demo-key-0002"
    assert request.headers["OK-ACCESS-PASSPHRASE"] == "demo-pass-p4ss"
    assert headers == {"x-simulated-trading": "1"}


async def test_aws_host_is_signed(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    route = fake.route("GET", "/api/v5/account/positions", {"code": "0", "msg": "", "data": []})
    async with pybotters.Client(apis=APIS) as client:
        result = await client.fetch("GET", "https://aws.okx.com/api/v5/account/positions")
    assert result.data["code"] == "0"
    assert route.requests[0].host == "aws.okx.com"
    assert route.requests[0].headers["OK-ACCESS-KEY"] == "live-key-0001"


@pytest.mark.parametrize(
    ("client_apis", "headers", "code"),
    [
        # wrong secret: the signature does not verify
        ({"okx": ["live-key-0001", "wrong-secret", "live-pass-p4ss"]}, {}, "50113"),
        # wrong passphrase
        ({"okx": ["live-key-0001", "live-secret-s3cr3t", "wrong-pass"]}, {}, "50105"),
        # a live key used for demo trading (stored as okx_demo by mistake)
        (
            {"okx_demo": ["live-key-0001", "live-secret-s3cr3t", "live-pass-p4ss"]},
            {"x-simulated-trading": "1"},
            "50101",
        ),
    ],
)
async def test_fake_okx_refuses_bad_signatures(
    start_fake_exchange: Any,
    client_apis: dict[str, list[str]],
    headers: dict[str, str],
    code: str,
) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    route = fake.route("GET", "/api/v5/account/balance", BALANCE)
    async with pybotters.Client(apis=client_apis) as client:
        result = await client.fetch(
            "GET", "https://www.okx.com/api/v5/account/balance", headers=headers
        )
    assert result.response.status == 401
    assert result.data["code"] == code
    assert route.calls == 0
    assert fake.requests[-1].rejected is not None
    assert not any(secret in str(fake.requests[-1].rejected) for secret in SECRETS)


async def test_private_endpoint_without_credentials_is_refused(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    fake.route("GET", "/api/v5/market/ticker", {"code": "0", "msg": "", "data": []})
    async with pybotters.Client(apis={}) as client:
        public = await client.fetch(
            "GET", "https://www.okx.com/api/v5/market/ticker", params={"instId": "BTC-USDT"}
        )
        private = await client.fetch("GET", "https://www.okx.com/api/v5/account/balance")
    assert public.data["code"] == "0"
    assert "OK-ACCESS-KEY" not in fake.requests[0].headers
    assert private.data["code"] == "50103"
