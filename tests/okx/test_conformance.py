"""pybotters-okx runs the plugin conformance suite of pybotters.testing.conformance."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any, ClassVar

from pybotters.testing.conformance import (
    ApiNameCase,
    ChannelSample,
    ExchangePluginSuite,
    LoginVector,
    OrderBookCase,
    Requirements,
    SigningVector,
)

from .conftest import book_msg, level

ROOT = Path(__file__).resolve().parents[2]
TS = 1607418537.715  # 2020-12-08T09:08:57.715Z
ISO = "2020-12-08T09:08:57.715Z"
LIVE = ["conformance-okx-key", "conformance-okx-secret", "conformance-okx-passphrase"]
DEMO = ["conformance-demo-key", "conformance-demo-secret", "conformance-demo-passphrase"]
ORDER = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "market", "sz": "1"}
ORDER_JSON = '{"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"market","sz":"1"}'


def okx_sign(secret: str, prehash: str) -> str:
    """The expected signature, computed here independently of the plugin."""
    digest = hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def push(channel: str, data: list[Any], **arg: str) -> dict[str, Any]:
    return {"arg": {"channel": channel, **arg}, "data": data}


def ticker(inst_id: str = "BTC-USDT") -> dict[str, Any]:
    return {"instType": "SPOT", "instId": inst_id, "last": "31500.1", "ts": "1626526618762"}


CANDLE_ROW = [
    "1597026383085",
    "8533.02",
    "8553.74",
    "8527.17",
    "8548.26",
    "45247",
    "529.5858061",
    "529.58",
    "0",
]
PRICE_ROW = ["1597026383085", "3.721", "3.743", "3.677", "3.708", "0"]
BOOK_SNAPSHOT = book_msg(
    "snapshot",
    asks=[level("8476.98", "415"), level("8477", "7")],
    bids=[level("8476.9", "256"), level("8476.8", "1")],
    seq=100,
    prev=-1,
)
BOOK_UPDATE = book_msg(
    "update", asks=[level("8477", "0")], bids=[level("8476.7", "3")], seq=101, prev=100
)
ORDER_ITEM = {
    "instType": "SPOT",
    "instId": "BTC-USDT",
    "ordId": "312269865356374016",
    "clOrdId": "",
    "px": "30000",
    "sz": "0.01",
    "side": "buy",
    "ordType": "limit",
    "state": "live",
    "accFillSz": "0",
}
ALGO_ITEM = {"instType": "SWAP", "instId": "BTC-USDT-SWAP", "algoId": "a1", "sz": "1"}
POSITION = {
    "instId": "BTC-USDT-SWAP",
    "instType": "SWAP",
    "mgnMode": "cross",
    "posSide": "long",
    "pos": "1",
    "avgPx": "30000",
    "posId": "307173036051017730",
}
BALANCE_AND_POSITION = {
    "pTime": "1597026383085",
    "eventType": "snapshot",
    "balData": [{"ccy": "BTC", "cashBal": "1", "uTime": "1597026383085"}],
    "posData": [{**POSITION, "uTime": "1597026383085"}],
}


class TestOKXConformance(ExchangePluginSuite):
    entry_point = "okx"
    exchange = "okx"
    distribution = "pybotters-okx"
    requirements = Requirements(
        needs_passphrase=True,
        ws_auth=True,
        heartbeat=True,
        demo_api_name=True,
        orderbook_integrity=True,
    )
    credentials: ClassVar = {"okx": LIVE, "okx_demo": DEMO}
    signing_vectors: ClassVar = [
        SigningVector(
            "GET",
            "https://www.okx.com/api/v5/account/balance",
            params={"ccy": "BTC"},
            timestamp=TS,
            expected_headers={
                "OK-ACCESS-KEY": LIVE[0],
                "OK-ACCESS-SIGN": okx_sign(LIVE[1], f"{ISO}GET/api/v5/account/balance?ccy=BTC"),
                "OK-ACCESS-TIMESTAMP": ISO,
                "OK-ACCESS-PASSPHRASE": LIVE[2],
            },
            expected_path="/api/v5/account/balance?ccy=BTC",
        ),
        SigningVector(
            "POST",
            "https://www.okx.com/api/v5/trade/order",
            data=ORDER,
            timestamp=TS,
            expected_headers={
                "OK-ACCESS-SIGN": okx_sign(LIVE[1], f"{ISO}POST/api/v5/trade/order{ORDER_JSON}"),
                "Content-Type": "application/json",
            },
            expected_body=ORDER_JSON.encode(),
        ),
        SigningVector(
            "POST",
            "https://aws.okx.com/api/v5/trade/cancel-order",
            data={"instId": "BTC-USDT", "ordId": "312269865356374016"},
            headers={"x-simulated-trading": "1"},
            timestamp=TS,
            expected_headers={
                "OK-ACCESS-KEY": DEMO[0],
                "OK-ACCESS-PASSPHRASE": DEMO[2],
                "OK-ACCESS-SIGN": okx_sign(
                    DEMO[1],
                    f"{ISO}POST/api/v5/trade/cancel-order"
                    '{"instId":"BTC-USDT","ordId":"312269865356374016"}',
                ),
            },
            id="POST demo cancel-order (x-simulated-trading)",
        ),
    ]
    api_name_cases: ClassVar = [
        ApiNameCase(
            "GET",
            "https://www.okx.com/api/v5/account/balance",
            "okx_demo",
            headers={"x-simulated-trading": "1"},
        ),
        ApiNameCase(
            "GET",
            "https://www.okx.com/api/v5/account/balance",
            "okx_demo",
            session_headers={"x-simulated-trading": "1"},
        ),
        ApiNameCase(
            "GET",
            "https://www.okx.com/api/v5/account/balance",
            "okx",
            headers={"x-simulated-trading": "0"},
        ),
    ]
    login_vectors: ClassVar = [
        LoginVector(
            "wss://ws.okx.com:8443/ws/v5/private",
            timestamp=TS,
            expected=[
                {
                    "op": "login",
                    "args": [
                        {
                            "apiKey": LIVE[0],
                            "passphrase": LIVE[2],
                            "timestamp": "1607418537",
                            "sign": okx_sign(LIVE[1], "1607418537GET/users/self/verify"),
                        }
                    ],
                }
            ],
        ),
        LoginVector(
            "wss://wspap.okx.com:8443/ws/v5/business",
            timestamp=TS,
            expected=[
                {
                    "op": "login",
                    "args": [
                        {
                            "apiKey": DEMO[0],
                            "passphrase": DEMO[2],
                            "timestamp": "1607418537",
                            "sign": okx_sign(DEMO[1], "1607418537GET/users/self/verify"),
                        }
                    ],
                }
            ],
        ),
    ]
    ws_private_url = "wss://ws.okx.com:8443/ws/v5/private"
    ws_public_url = "wss://ws.okx.com:8443/ws/v5/public"
    ws_subscribe: ClassVar = {"op": "subscribe", "args": [{"channel": "orders", "instType": "ANY"}]}
    sample_messages: ClassVar = {
        "instruments": ChannelSample(
            [push("instruments", [{"instType": "SPOT", "instId": "BTC-USDT", "state": "live"}])],
            "instruments",
        ),
        "tickers": ChannelSample([push("tickers", [ticker()], instId="BTC-USDT")], "tickers"),
        "open-interest": ChannelSample(
            [push("open-interest", [{"instId": "BTC-USDT-SWAP", "oi": "2216113.01"}])],
            "open-interest",
        ),
        "candle{bar}": ChannelSample([push("candle1m", [CANDLE_ROW], instId="BTC-USDT")], "candle"),
        "trades": ChannelSample(
            [
                push(
                    "trades",
                    [
                        {
                            "instId": "BTC-USDT",
                            "tradeId": "1",
                            "px": "42219.9",
                            "sz": "0.1",
                            "side": "buy",
                            "ts": "1",
                        }
                    ],
                    instId="BTC-USDT",
                )
            ],
            "trades",
        ),
        "estimated-price": ChannelSample(
            [push("estimated-price", [{"instId": "BTC-USD-230929", "settlePx": "26000"}])],
            "estimated-price",
        ),
        "mark-price": ChannelSample(
            [push("mark-price", [{"instId": "BTC-USDT-SWAP", "markPx": "42310.6"}])], "mark-price"
        ),
        "mark-price-candle{bar}": ChannelSample(
            [push("mark-price-candle1D", [PRICE_ROW], instId="BTC-USD")], "mark-price-candle"
        ),
        "price-limit": ChannelSample(
            [push("price-limit", [{"instId": "BTC-USDT-SWAP", "buyLmt": "200", "sellLmt": "300"}])],
            "price-limit",
        ),
        "books": ChannelSample([BOOK_SNAPSHOT, BOOK_UPDATE], "books"),
        "books5": ChannelSample(
            [book_msg(None, [level("8477", "7")], [level("8476.9", "2")], channel="books5")],
            "books",
        ),
        "bbo-tbt": ChannelSample(
            [book_msg(None, [level("8477", "7")], [level("8476.9", "2")], channel="bbo-tbt")],
            "books",
        ),
        "books-l2-tbt": ChannelSample(
            [
                book_msg(
                    "snapshot", [level("8477", "7")], [level("8476.9", "2")], channel="books-l2-tbt"
                )
            ],
            "books",
        ),
        "opt-summary": ChannelSample(
            [push("opt-summary", [{"instId": "BTC-USD-241013-70000-P", "delta": "-1.1"}])],
            "opt-summary",
        ),
        "funding-rate": ChannelSample(
            [push("funding-rate", [{"instId": "BTC-USD-SWAP", "fundingRate": "0.0001"}])],
            "funding-rate",
        ),
        "index-candle{bar}": ChannelSample(
            [push("index-candle30m", [PRICE_ROW], instId="BTC-USD")], "index-candle"
        ),
        "index-tickers": ChannelSample(
            [push("index-tickers", [{"instId": "BTC-USDT", "idxPx": "0.1"}])], "index-tickers"
        ),
        "status": ChannelSample(
            [push("status", [{"title": "Spot System Upgrade", "state": "scheduled", "ts": "1"}])],
            "status",
        ),
        "account": ChannelSample(
            [push("account", [{"totalEq": "41624.32", "uTime": "1614846244194", "details": []}])],
            "account",
        ),
        "positions": ChannelSample([push("positions", [POSITION], instType="ANY")], "positions"),
        "balance_and_position": ChannelSample(
            [push("balance_and_position", [BALANCE_AND_POSITION])], "balance_and_position"
        ),
        "orders": ChannelSample([push("orders", [ORDER_ITEM], instType="ANY")], "orders"),
        "orders-algo": ChannelSample(
            [push("orders-algo", [{**ALGO_ITEM, "ordType": "trigger", "state": "live"}])],
            "orders-algo",
        ),
        "algo-advance": ChannelSample(
            [push("algo-advance", [{**ALGO_ITEM, "ordType": "twap", "state": "live"}])],
            "algo-advance",
        ),
        "liquidation-warning": ChannelSample(
            [push("liquidation-warning", [{**POSITION, "mgnRatio": "1.1"}], instType="ANY")],
            "liquidation-warning",
        ),
        "account-greeks": ChannelSample(
            [push("account-greeks", [{"ccy": "BTC", "deltaBS": "1.1", "ts": "1620282889345"}])],
            "account-greeks",
        ),
    }
    orderbook_case = OrderBookCase(
        store="books",
        build=[BOOK_SNAPSHOT, BOOK_UPDATE],
        # An update whose prevSeqId is not the last seqId: a message was lost.
        breaking=[book_msg("update", asks=[level("8478", "1")], bids=[], seq=205, prev=204)],
        query={"instId": "BTC-USDT"},
    )
    docs_page = ROOT / "docs" / "plugins" / "okx.md"
