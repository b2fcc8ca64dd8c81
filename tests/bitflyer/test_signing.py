"""REST signing for api.bitflyer.com: known answers, the exact bytes sent, no mutation."""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Awaitable, Callable

import pytest
from multidict import CIMultiDict
from yarl import URL

import pybotters
from pybotters.hookspecs import Credential, SignRequest
from pybotters.testing import FakeExchange
from pybotters_bitflyer import _signing

from .conftest import KEY, SECRET

# Known answers: key, secret and time of pybotters' own bitFlyer signing tests.
VECTOR_KEY = "Pcm1rbtSRqKxTvirZDDOct1k"
VECTOR_SECRET = "AKHZlv3PoAXZ0KXIKIVKOmS4ji3rV7ZIVIJRstwyplaw0FQ4"
VECTOR_TIME = 2085848896.0
VECTOR_GET_URL = (
    "https://api.bitflyer.com/v1/me/getchildorders?product_code=FX_BTC_JPY&child_order_state=ACTIVE"
)
# Computed once by hand (hex HMAC-SHA256 of "2085848896000GET/v1/me/getchildorders?product_code
# =FX_BTC_JPY&child_order_state=ACTIVE"); equal to pybotters 1.11's expected value.
VECTOR_GET_SIGN = "7413e237eee917f1a2a276f6d1553a82fc8ca7b1b3353ff02a070b5e3c3deda5"
# pybotters 1.11 sent json.dumps() bodies (with spaces); the same bytes give its signature.
VECTOR_POST_BODY = (
    b'{"product_code": "FX_BTC_JPY", "child_order_type": "MARKET", "side": "BUY", "size": 0.01}'
)
VECTOR_POST_SIGN = "0e391462aad928c8152201a8854b095f084d1b9f6bd9c0d9b8b026c9963711b4"


def hexmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def sign_request(method: str, url: str, body: bytes | None, now: float) -> SignRequest:
    request = SignRequest(method, URL(url, encoded=True), CIMultiDict(), body, now)
    _signing.sign(request, Credential("bitflyer", VECTOR_KEY, VECTOR_SECRET))
    return request


def test_known_answer_get() -> None:
    request = sign_request("GET", VECTOR_GET_URL, None, VECTOR_TIME)
    assert dict(request.headers) == {
        "ACCESS-KEY": VECTOR_KEY,
        "ACCESS-TIMESTAMP": "2085848896000",
        "ACCESS-SIGN": VECTOR_GET_SIGN,
    }
    # The same value computed independently of the plugin.
    assert (
        hexmac(
            VECTOR_SECRET,
            "2085848896000GET/v1/me/getchildorders?product_code=FX_BTC_JPY&child_order_state=ACTIVE",
        )
        == VECTOR_GET_SIGN
    )


def test_known_answer_post_body_is_signed_byte_for_byte() -> None:
    request = sign_request(
        "POST", "https://api.bitflyer.com/v1/me/sendchildorder", VECTOR_POST_BODY, VECTOR_TIME
    )
    assert request.headers["ACCESS-SIGN"] == VECTOR_POST_SIGN
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == VECTOR_POST_BODY
    assert (
        hexmac(VECTOR_SECRET, "2085848896000POST/v1/me/sendchildorder" + VECTOR_POST_BODY.decode())
        == VECTOR_POST_SIGN
    )


def test_timestamp_is_unix_milliseconds() -> None:
    request = sign_request("GET", "https://api.bitflyer.com/v1/me/getbalance", None, 1.7e9 + 0.25)
    assert request.headers["ACCESS-TIMESTAMP"] == "1700000000250"
    assert len(request.headers["ACCESS-TIMESTAMP"]) == 13


def test_non_ascii_body_is_signed_as_utf8_bytes() -> None:
    body = '{"memo":"日本円"}'.encode()
    request = sign_request("POST", "https://api.bitflyer.com/v1/me/x", body, VECTOR_TIME)
    expected = hmac.new(
        VECTOR_SECRET.encode(), b"2085848896000POST/v1/me/x" + body, hashlib.sha256
    ).hexdigest()
    assert request.headers["ACCESS-SIGN"] == expected


def test_exchange_descriptor() -> None:
    from pybotters_bitflyer.plugin import EXCHANGE, pybotters_exchanges

    assert pybotters_exchanges() == [EXCHANGE]
    assert EXCHANGE.plugin_api == (1, 0)
    assert dict(EXCHANGE.http_hosts) == {"api.bitflyer.com": "bitflyer"}
    assert dict(EXCHANGE.ws_hosts) == {"ws.lightstream.bitflyer.com": "bitflyer"}
    assert dict(EXCHANGE.stores) == {
        "bitFlyerDataStore": "pybotters_bitflyer.store:bitFlyerDataStore"
    }
    assert EXCHANGE.ws is not None and EXCHANGE.ws.authenticate is not None
    assert EXCHANGE.ws.heartbeat is None  # bitFlyer documents no application-level ping


# -- through pybotters.Client against the fake exchange ----------------------------------------


@pytest.mark.usefixtures("no_implicit_apis")
async def test_client_signs_get_with_query(
    start_fake: Callable[..., Awaitable[FakeExchange]],
    frozen_clock: Callable[[float], None],
) -> None:
    frozen_clock(VECTOR_TIME)
    apis = {"bitflyer": [VECTOR_KEY, VECTOR_SECRET]}
    fake = await start_fake(apis=apis)
    route = fake.route("GET", "/v1/me/getchildorders", [])
    async with pybotters.Client(apis=apis) as client:
        result = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/me/getchildorders",
            params={"product_code": "FX_BTC_JPY", "child_order_state": "ACTIVE"},
        )
    assert result.response.status == 200, result.text
    [seen] = route.requests  # the fake verified the signature before answering
    assert seen.rejected is None
    assert seen.raw_path == (
        "/v1/me/getchildorders?product_code=FX_BTC_JPY&child_order_state=ACTIVE"
    )
    assert seen.headers["ACCESS-TIMESTAMP"] == "2085848896000"
    assert seen.headers["ACCESS-SIGN"] == VECTOR_GET_SIGN


@pytest.mark.usefixtures("no_implicit_apis")
async def test_client_signs_post_json_body_without_mutating_data(
    bitflyer: FakeExchange, frozen_clock: Callable[[float], None]
) -> None:
    frozen_clock(1_700_000_000.5)
    data = {"product_code": "BTC_JPY", "child_order_type": "MARKET", "side": "BUY", "size": 0.01}
    original = copy.deepcopy(data)
    async with pybotters.Client(apis={"bitflyer": [KEY, SECRET]}) as client:
        result = await client.fetch(
            "POST", "https://api.bitflyer.com/v1/me/sendchildorder", data=data
        )
    assert result.response.status == 200, result.text
    assert result.data == {"child_order_acceptance_id": "JRF20240101-000000-000001"}
    assert data == original
    [seen] = bitflyer.requests
    assert seen.rejected is None
    assert seen.headers["Content-Type"] == "application/json"
    # Compact JSON, in the caller's key order.
    assert seen.body == (
        b'{"product_code":"BTC_JPY","child_order_type":"MARKET","side":"BUY","size":0.01}'
    )
    assert seen.headers["ACCESS-SIGN"] == hexmac(
        SECRET, "1700000000500POST/v1/me/sendchildorder" + seen.body.decode()
    )


@pytest.mark.usefixtures("no_implicit_apis")
async def test_wrong_secret_is_refused_by_the_exchange(bitflyer: FakeExchange) -> None:
    async with pybotters.Client(apis={"bitflyer": [KEY, "not-the-secret"]}) as client:
        result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
    assert result.response.status == 401
    assert result.data == {"status": -500, "error_message": "Invalid signature", "data": None}
    assert bitflyer.requests[0].rejected == "Invalid signature"


@pytest.mark.usefixtures("no_implicit_apis")
async def test_public_request_without_credentials_is_unsigned(bitflyer: FakeExchange) -> None:
    async with pybotters.Client() as client:
        result = await client.fetch(
            "GET", "https://api.bitflyer.com/v1/getticker", params={"product_code": "ETH_JPY"}
        )
    assert result.data["product_code"] == "ETH_JPY"
    assert not any(h.startswith("ACCESS-") for h in bitflyer.requests[0].headers)


@pytest.mark.usefixtures("no_implicit_apis")
async def test_auth_none_sends_unsigned(bitflyer: FakeExchange) -> None:
    async with pybotters.Client(apis={"bitflyer": [KEY, SECRET]}) as client:
        result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance", auth=None)
    assert result.response.status == 401
    assert "ACCESS-SIGN" not in bitflyer.requests[0].headers


def test_secret_never_in_request_repr() -> None:
    request = sign_request("GET", VECTOR_GET_URL, None, VECTOR_TIME)
    assert VECTOR_SECRET not in repr(request)
    assert VECTOR_SECRET not in repr(Credential("bitflyer", VECTOR_KEY, VECTOR_SECRET))
