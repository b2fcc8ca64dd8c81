"""pybotters-bitflyer runs the plugin conformance suite of pybotters.testing.conformance."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any, ClassVar

from pybotters.testing.conformance import (
    ChannelSample,
    ExchangePluginSuite,
    LoginVector,
    Requirements,
    SigningVector,
)

ROOT = Path(__file__).resolve().parents[2]

# Known answers: key, secret and time of pybotters' own bitFlyer signing tests.
VECTOR_KEY = "Pcm1rbtSRqKxTvirZDDOct1k"
VECTOR_SECRET = "AKHZlv3PoAXZ0KXIKIVKOmS4ji3rV7ZIVIJRstwyplaw0FQ4"
VECTOR_APIS = {"bitflyer": [VECTOR_KEY, VECTOR_SECRET]}
VECTOR_TIME = 2085848896.0
NONCE = "00112233445566778899aabbccddeeff"


def hexmac(secret: str, text: str) -> str:
    """The expected signature, computed here independently of the plugin."""
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def pushed(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


BOARD = {
    "mid_price": 6200050.0,
    "bids": [{"price": 6200000.0, "size": 0.05}, {"price": 6199000.0, "size": 1.0}],
    "asks": [{"price": 6200100.0, "size": 0.2}, {"price": 6201000.0, "size": 0.5}],
}
BOARD_DIFF = {"mid_price": 6200050.0, "bids": [{"price": 6199500.0, "size": 0.3}], "asks": []}
ORDER_EVENT = {
    "product_code": "FX_BTC_JPY",
    "child_order_id": "JFX20240101-000000-000001F",
    "child_order_acceptance_id": "JRF20240101-000000-000001",
    "event_date": "2024-01-01T00:00:00.0000000Z",
    "event_type": "ORDER",
    "child_order_type": "LIMIT",
    "side": "BUY",
    "price": 6000000,
    "size": 0.01,
    "expire_date": "2024-02-01T00:00:00",
}
EXECUTION_EVENT = {
    "product_code": "FX_BTC_JPY",
    "child_order_id": "JFX20240101-000000-000001F",
    "child_order_acceptance_id": "JRF20240101-000000-000001",
    "event_date": "2024-01-01T00:00:01.0000000Z",
    "event_type": "EXECUTION",
    "exec_id": 1000,
    "side": "BUY",
    "price": 6000000,
    "size": 0.01,
    "commission": 0,
    "sfd": 0,
    "outstanding_size": 0,
}
PARENT_ORDER_EVENT = {
    "product_code": "BTC_JPY",
    "parent_order_id": "JCP20240101-000000-000001",
    "parent_order_acceptance_id": "JRF20240101-000000-000002",
    "event_date": "2024-01-01T00:00:00.0000000Z",
    "event_type": "ORDER",
    "parent_order_type": "IFD",
    "price": 6000000,
}


class TestBitflyerConformance(ExchangePluginSuite):
    entry_point = "bitflyer"
    exchange = "bitflyer"
    distribution = "pybotters-bitflyer"
    requirements = Requirements(ws_auth=True)
    credentials: ClassVar = {
        "bitflyer": ["conformance-bitflyer-key", "conformance-bitflyer-secret"]
    }
    freeze: ClassVar = {"pybotters_bitflyer._ws._new_nonce": lambda: NONCE}
    signing_vectors: ClassVar = [
        SigningVector(
            "GET",
            "https://api.bitflyer.com/v1/me/getchildorders",
            params={"product_code": "FX_BTC_JPY", "child_order_state": "ACTIVE"},
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected_headers={
                "ACCESS-KEY": VECTOR_KEY,
                "ACCESS-TIMESTAMP": "2085848896000",
                # pybotters 1.11's expected value for the same request.
                "ACCESS-SIGN": "7413e237eee917f1a2a276f6d1553a82fc8ca7b1b3353ff02a070b5e3c3deda5",
            },
            expected_path="/v1/me/getchildorders?product_code=FX_BTC_JPY&child_order_state=ACTIVE",
        ),
        SigningVector(
            "POST",
            "https://api.bitflyer.com/v1/me/sendchildorder",
            # The bytes pybotters 1.11 sent (json.dumps with spaces): its signature.
            data=b'{"product_code": "FX_BTC_JPY", "child_order_type": "MARKET", "side": "BUY", '
            b'"size": 0.01}',
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected_headers={
                "ACCESS-KEY": VECTOR_KEY,
                "ACCESS-SIGN": "0e391462aad928c8152201a8854b095f084d1b9f6bd9c0d9b8b026c9963711b4",
                "Content-Type": "application/json",
            },
            id="POST sendchildorder (bytes)",
        ),
        SigningVector(
            "POST",
            "https://api.bitflyer.com/v1/me/cancelallchildorders",
            data={"product_code": "FX_BTC_JPY"},
            timestamp=VECTOR_TIME,
            expected_headers={
                "ACCESS-KEY": "conformance-bitflyer-key",
                "ACCESS-TIMESTAMP": "2085848896000",
                "ACCESS-SIGN": hexmac(
                    "conformance-bitflyer-secret",
                    '2085848896000POST/v1/me/cancelallchildorders{"product_code":"FX_BTC_JPY"}',
                ),
                "Content-Type": "application/json",
            },
            expected_body=b'{"product_code":"FX_BTC_JPY"}',
            id="POST cancelallchildorders (data=)",
        ),
    ]
    login_vectors: ClassVar = [
        LoginVector(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            timestamp=VECTOR_TIME,
            apis=VECTOR_APIS,
            expected=[
                {
                    "method": "auth",
                    "params": {
                        "api_key": VECTOR_KEY,
                        "timestamp": 2085848896000,
                        "nonce": NONCE,
                        "signature": hexmac(VECTOR_SECRET, f"2085848896000{NONCE}"),
                    },
                    "id": "auth",
                }
            ],
        )
    ]
    ws_private_url = "wss://ws.lightstream.bitflyer.com/json-rpc"
    ws_subscribe: ClassVar = {
        "method": "subscribe",
        "params": {"channel": "child_order_events"},
        "id": 1,
    }
    sample_messages: ClassVar = {
        "lightning_board_snapshot_{product_code}": ChannelSample(
            [pushed("lightning_board_snapshot_FX_BTC_JPY", BOARD)], store="board"
        ),
        "lightning_board_{product_code}": ChannelSample(
            [
                pushed("lightning_board_snapshot_FX_BTC_JPY", BOARD),
                pushed("lightning_board_FX_BTC_JPY", BOARD_DIFF),
            ],
            store="board",
        ),
        "lightning_ticker_{product_code}": ChannelSample(
            [
                pushed(
                    "lightning_ticker_FX_BTC_JPY",
                    {
                        "product_code": "FX_BTC_JPY",
                        "state": "RUNNING",
                        "timestamp": "2024-01-01T00:00:00.000",
                        "tick_id": 1000,
                        "best_bid": 6200000.0,
                        "best_ask": 6200100.0,
                        "ltp": 6200050.0,
                    },
                )
            ],
            store="ticker",
        ),
        "lightning_executions_{product_code}": ChannelSample(
            [
                pushed(
                    "lightning_executions_FX_BTC_JPY",
                    [
                        {
                            "id": 39361,
                            "side": "SELL",
                            "price": 6200000.0,
                            "size": 0.01,
                            "exec_date": "2024-01-01T00:00:00.000",
                            "buy_child_order_acceptance_id": "JRF20240101-000000-000003",
                            "sell_child_order_acceptance_id": "JRF20240101-000000-000004",
                        }
                    ],
                )
            ],
            store="executions",
        ),
        "child_order_events": ChannelSample(
            [pushed("child_order_events", [ORDER_EVENT])], store="childorderevents"
        ),
        "child_order_events (ORDER)": ChannelSample(
            [pushed("child_order_events", [ORDER_EVENT])], store="childorders"
        ),
        "child_order_events (EXECUTION)": ChannelSample(
            [pushed("child_order_events", [EXECUTION_EVENT])], store="positions"
        ),
        "parent_order_events": ChannelSample(
            [pushed("parent_order_events", [PARENT_ORDER_EVENT])], store="parentorderevents"
        ),
        "parent_order_events (ORDER)": ChannelSample(
            [pushed("parent_order_events", [PARENT_ORDER_EVENT])], store="parentorders"
        ),
    }
    stores_without_messages = ("collateral", "balance")
    docs_page = ROOT / "docs" / "plugins" / "bitflyer.md"
