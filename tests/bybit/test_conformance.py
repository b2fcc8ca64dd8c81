"""pybotters-bybit runs the plugin conformance suite of pybotters.testing.conformance."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import ClassVar

from pybotters.testing.conformance import (
    ChannelSample,
    ExchangePluginSuite,
    LoginVector,
    OrderBookCase,
    Requirements,
    SigningVector,
)

from . import messages as m
from .conftest import KEY, SECRET, VECTOR_TIME

ROOT = Path(__file__).resolve().parents[2]
VECTOR_APIS = {"bybit": [KEY, SECRET]}
ORDER_BODY = (
    b'{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", '
    b'"qty": "0.001"}'
)


def hexmac(secret: str, text: str) -> str:
    """The expected signature, computed here independently of the plugin."""
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


class TestBybitConformance(ExchangePluginSuite):
    entry_point = "bybit"
    exchange = "bybit"
    distribution = "pybotters-bybit"
    requirements = Requirements(ws_auth=True, heartbeat=True, orderbook_integrity=True)
    credentials: ClassVar = {
        "bybit": ["conformance-bybit-key", "conformance-bybit-secret"],
        "bybit_testnet": ["conformance-testnet-key", "conformance-testnet-secret"],
        "bybit_demo": ["conformance-demo-key", "conformance-demo-secret"],
    }
    signing_vectors: ClassVar = [
        # pybotters 1.11's test_bybit_get: same key, secret, time and signature.
        SigningVector(
            "GET",
            "https://api.bybit.com/v5/order/history",
            params={"category": "linear", "symbol": "BTCUSDT", "cursor": "page_token%3D26854%26"},
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected_headers={
                "X-BAPI-API-KEY": KEY,
                "X-BAPI-TIMESTAMP": "2085848896000",
                "X-BAPI-SIGN": "862bf2b354912bb4cf84113929aa8145376b5419d2a41457265394516e82afa9",
            },
            expected_path=(
                "/v5/order/history?category=linear&symbol=BTCUSDT&cursor=page_token%253D26854%2526"
            ),
        ),
        # pybotters 1.11's test_bybit_post: the json.dumps() body it sent.
        SigningVector(
            "POST",
            "https://api.bybit.com/v5/order/create",
            data=ORDER_BODY,
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected_headers={
                "X-BAPI-SIGN": "97918f80ac923cebb49dd0e643d949c2d79a79e2da697865b40c565fdf877591",
                "Content-Type": "application/json",
            },
            expected_body=ORDER_BODY,
            id="POST order/create (bytes)",
        ),
        SigningVector(
            "POST",
            "https://api-testnet.bybit.com/v5/order/cancel-all",
            data={"category": "linear", "symbol": "BTCUSDT"},
            headers={"X-BAPI-RECV-WINDOW": "5000"},
            timestamp=VECTOR_TIME,
            expected_headers={
                "X-BAPI-API-KEY": "conformance-testnet-key",
                "X-BAPI-TIMESTAMP": "2085848896000",
                "X-BAPI-RECV-WINDOW": "5000",
                "X-BAPI-SIGN": hexmac(
                    "conformance-testnet-secret",
                    '2085848896000conformance-testnet-key5000{"category":"linear",'
                    '"symbol":"BTCUSDT"}',
                ),
            },
            id="POST testnet order/cancel-all (data=, recv window)",
        ),
    ]
    login_vectors: ClassVar = [
        LoginVector(
            "wss://stream.bybit.com/v5/private",
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected=[
                {
                    "op": "auth",
                    # expires: 5 s after the login's time, in milliseconds
                    "args": [KEY, 2085848901000, hexmac(SECRET, "GET/realtime2085848901000")],
                }
            ],
        ),
        LoginVector(
            "wss://stream-demo.bybit.com/v5/trade",
            timestamp=VECTOR_TIME,
            expected=[
                {
                    "op": "auth",
                    "args": [
                        "conformance-demo-key",
                        2085848901000,
                        hexmac("conformance-demo-secret", "GET/realtime2085848901000"),
                    ],
                }
            ],
        ),
    ]
    ws_private_url = "wss://stream.bybit.com/v5/private"
    ws_public_url = "wss://stream.bybit.com/v5/public/linear"
    ws_subscribe: ClassVar = {"op": "subscribe", "args": ["order"]}
    sample_messages: ClassVar = {
        "orderbook.{depth}.{symbol}": ChannelSample([m.BOOK_SNAPSHOT, m.BOOK_DELTA], "orderbook"),
        "publicTrade.{symbol}": ChannelSample([m.TRADE], "publicTrade"),
        "tickers.{symbol}": ChannelSample([m.TICKER_SNAPSHOT, m.TICKER_DELTA], "tickers"),
        "tickers.{symbol} (spot)": ChannelSample([m.SPOT_TICKER], "tickers"),
        "kline.{interval}.{symbol}": ChannelSample([m.kline(False, "16650")], "kline"),
        "allLiquidation.{symbol}": ChannelSample([m.ALL_LIQUIDATION], "allLiquidation"),
        "kline_lt.{interval}.{symbol}": ChannelSample([m.LT_KLINE], "kline_lt"),
        "tickers_lt.{symbol}": ChannelSample([m.LT_TICKER], "tickers_lt"),
        "lt.{symbol}": ChannelSample([m.LT_NAV], "lt"),
        "liquidation.{symbol}": ChannelSample([m.LIQUIDATION], "liquidation"),
        "position": ChannelSample([m.private("position", m.position("0.01"))], "position"),
        "execution": ChannelSample([m.private("execution", m.EXECUTION_ITEM)], "execution"),
        "execution.fast": ChannelSample(
            [m.private("execution.fast", m.EXECUTION_ITEM)], "execution"
        ),
        "order": ChannelSample([m.private("order", m.order("o-1", "New"))], "order"),
        "order.{category}": ChannelSample(
            [m.private("order.linear", m.order("o-2", "PartiallyFilled"))], "order"
        ),
        "wallet": ChannelSample([m.private("wallet", m.wallet(m.coin("USDT", "100")))], "wallet"),
        "greeks": ChannelSample([m.GREEKS], "greeks"),
    }
    orderbook_case = OrderBookCase(
        store="orderbook",
        build=[m.BOOK_SNAPSHOT, m.BOOK_DELTA],
        # The same delta again: its update id does not follow the last one.
        breaking=[m.BOOK_DELTA],
        query={"s": "BTCUSDT"},
    )
    docs_page = ROOT / "docs" / "plugins" / "bybit.md"
