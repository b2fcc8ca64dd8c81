"""OKX REST signing: headers, prehash, API-name selection, no mutation, no secret leaks."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from multidict import CIMultiDict
from yarl import URL

from pybotters import CredentialsError
from pybotters.hookspecs import Credential, SignRequest
from pybotters_okx import _signing

LIVE = Credential("okx", "live-key-0001", "live-secret", "live-pass")
DEMO = Credential("okx_demo", "demo-key-0002", "demo-secret", "demo-pass")

# 2020-12-08T09:08:57.715Z
TS = 1607418537.715


def expected_sign(secret: str, prehash: str) -> str:
    mac = hmac.new(secret.encode(), prehash.encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def make_request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> SignRequest:
    return SignRequest(method, URL(url), CIMultiDict(headers or {}), body, TS)


@pytest.mark.parametrize(
    ("timestamp", "text"),
    [
        (TS, "2020-12-08T09:08:57.715Z"),
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1700000000.0009, "2023-11-14T22:13:20.000Z"),
        (1700000000.999, "2023-11-14T22:13:20.999Z"),
    ],
)
def test_iso_timestamp(timestamp: float, text: str) -> None:
    assert _signing.iso_timestamp(timestamp) == text


def test_get_signs_path_with_query_and_empty_body() -> None:
    request = make_request("GET", "https://www.okx.com/api/v5/account/balance?ccy=BTC")
    _signing.sign(request, LIVE)
    prehash = "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
    assert request.headers["OK-ACCESS-KEY"] == "live-key-0001"
    assert request.headers["OK-ACCESS-SIGN"] == expected_sign("live-secret", prehash)
    assert request.headers["OK-ACCESS-TIMESTAMP"] == "2020-12-08T09:08:57.715Z"
    assert request.headers["OK-ACCESS-PASSPHRASE"] == "live-pass"
    assert "Content-Type" not in request.headers
    assert request.body is None


def test_post_signs_exact_body() -> None:
    body = b'{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"1"}'
    request = make_request("POST", "https://www.okx.com/api/v5/trade/order", body)
    _signing.sign(request, LIVE)
    prehash = "2020-12-08T09:08:57.715ZPOST/api/v5/trade/order" + body.decode()
    assert request.headers["OK-ACCESS-SIGN"] == expected_sign("live-secret", prehash)
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == body


def test_percent_encoded_query_is_signed_as_sent() -> None:
    request = make_request("GET", "https://www.okx.com/api/v5/market/tickers?instType=SPOT&x=a%20b")
    _signing.sign(request, LIVE)
    prehash = "2020-12-08T09:08:57.715ZGET/api/v5/market/tickers?instType=SPOT&x=a%20b"
    assert request.headers["OK-ACCESS-SIGN"] == expected_sign("live-secret", prehash)


def test_existing_content_type_is_kept() -> None:
    request = make_request(
        "POST", "https://www.okx.com/x", b"{}", {"Content-Type": "application/json; charset=utf-8"}
    )
    _signing.sign(request, LIVE)
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "okx"),
        ({"x-simulated-trading": "1"}, "okx_demo"),
        ({"X-Simulated-Trading": "1"}, "okx_demo"),
        ({"x-simulated-trading": "0"}, "okx"),
        ({"x-simulated-trading": ""}, "okx"),
    ],
)
def test_select_api_name(headers: dict[str, str], expected: str) -> None:
    request = make_request("GET", "https://www.okx.com/api/v5/account/balance", None, headers)
    assert _signing.select_api_name(request, "okx") == expected


def test_missing_passphrase_is_refused_clearly() -> None:
    request = make_request("GET", "https://www.okx.com/api/v5/account/balance")
    with pytest.raises(CredentialsError, match="passphrase") as info:
        _signing.sign(request, Credential("okx", "k" * 10, "the-secret", None))
    assert "the-secret" not in str(info.value)
    assert "OK-ACCESS-SIGN" not in request.headers


def test_credential_repr_hides_secret_and_passphrase() -> None:
    text = repr(LIVE) + str(LIVE)
    assert "live-secret" not in text
    assert "live-pass" not in text
