"""What the fake exchanges answer while the documentation's examples run.

The exchange plugins make the fakes speak each protocol (signature checks, logins,
subscription acknowledgements). This module adds the market data an example expects to see:
the REST answers the examples request, and, right after a subscription is accepted, one
message on each public channel (a ticker, trades, an order-book snapshot). Private events are
pushed by the scenario of the example that waits for them (see ``scenarios.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pybotters.testing import FakeExchange, FakeWebSocketSession

__all__ = [
    "BITFLYER_BOARD",
    "BYBIT_BOOK",
    "DOC_APIS",
    "OKX_BOOK",
    "bitflyer_child_events",
    "bybit_order",
    "bybit_private",
    "script",
]

# Every placeholder credential the documentation uses, so the fakes accept the examples'
# signatures and logins.
DOC_APIS: Mapping[str, Sequence[str]] = {
    "bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"],
    "bybit": ["BYBIT_API_KEY", "BYBIT_API_SECRET"],
    "bybit_testnet": ["BYBIT_TESTNET_API_KEY", "BYBIT_TESTNET_API_SECRET"],
    "bybit_demo": ["BYBIT_DEMO_API_KEY", "BYBIT_DEMO_API_SECRET"],
    "okx": ["OKX_API_KEY", "OKX_API_SECRET", "OKX_API_PASSPHRASE"],
    "okx_demo": ["OKX_DEMO_API_KEY", "OKX_DEMO_API_SECRET", "OKX_DEMO_API_PASSPHRASE"],
}

# -- bitFlyer ------------------------------------------------------------------------------------

BITFLYER_WS_PATH = "/json-rpc"
BITFLYER_BOARD: dict[str, Any] = {
    "mid_price": 6200050.0,
    "bids": [{"price": 6200000.0, "size": 0.05}, {"price": 6199000.0, "size": 1.0}],
    "asks": [{"price": 6200100.0, "size": 0.2}, {"price": 6201000.0, "size": 0.5}],
}
BITFLYER_POSITION: dict[str, Any] = {
    "product_code": "FX_BTC_JPY",
    "side": "BUY",
    "price": 6000000,
    "size": 0.01,
    "commission": 0,
    "swap_point_accumulate": 0,
    "require_collateral": 30000,
    "open_date": "2024-01-01T00:00:00.000",
    "leverage": 2,
    "pnl": 0,
    "sfd": 0,
}
BITFLYER_COLLATERAL: dict[str, Any] = {
    "collateral": 100000,
    "open_position_pnl": 0,
    "require_collateral": 30000,
    "keep_rate": 3.33,
}


def bitflyer_child_events() -> list[dict[str, Any]]:
    """An order accepted and filled on FX_BTC_JPY, as ``child_order_events`` pushes it."""
    common = {
        "product_code": "FX_BTC_JPY",
        "child_order_id": "JFX20240101-000000-000001",
        "child_order_acceptance_id": "JRF20240101-000000-000001",
        "side": "BUY",
        "price": 6000000,
        "size": 0.01,
    }
    return [
        {
            **common,
            "event_date": "2024-01-01T00:00:00.000Z",
            "event_type": "ORDER",
            "child_order_type": "LIMIT",
            "expire_date": "2024-01-31T00:00:00",
        },
        {
            **common,
            "event_date": "2024-01-01T00:00:01.000Z",
            "event_type": "EXECUTION",
            "exec_id": 1001,
            "commission": 0,
            "sfd": 0,
            "outstanding_size": 0,
        },
    ]


def _bitflyer_channel_data(channel: str) -> Any:
    from pybotters_bitflyer.testing import DEFAULT_TICKER

    if channel.startswith("lightning_ticker_"):
        return {**DEFAULT_TICKER, "product_code": channel.removeprefix("lightning_ticker_")}
    if channel.startswith("lightning_executions_"):
        return [
            {
                "id": 2084881071,
                "side": "BUY",
                "price": 6200100.0,
                "size": 0.01,
                "exec_date": "2024-01-01T00:00:00.8840579Z",
                "buy_child_order_acceptance_id": "JRF20240101-000000-000101",
                "sell_child_order_acceptance_id": "JRF20240101-000000-000201",
            }
        ]
    if channel.startswith("lightning_board_snapshot_"):
        return BITFLYER_BOARD
    if channel.startswith("lightning_board_"):
        return {
            "mid_price": 6200050.0,
            "bids": [{"price": 6199500.0, "size": 0.3}],
            "asks": [],
        }
    if channel == "child_order_events":
        return bitflyer_child_events()
    if channel == "parent_order_events":
        return [
            {
                "product_code": "FX_BTC_JPY",
                "parent_order_id": "JCP20240101-000000-000001",
                "parent_order_acceptance_id": "JRF20240101-000000-000301",
                "event_date": "2024-01-01T00:00:00.000Z",
                "event_type": "ORDER",
                "parent_order_type": "IFD",
                "expire_date": "2024-01-31T00:00:00",
            }
        ]
    return None


def _bitflyer_feed(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    from pybotters_bitflyer.testing import channel_message, channels_of

    channel = message.get("params", {}).get("channel") if isinstance(message, dict) else None
    if not isinstance(channel, str) or channel not in channels_of(session):
        return None  # refused by the exchange (a private channel before the login)
    data = _bitflyer_channel_data(channel)
    return None if data is None else [channel_message(channel, data)]


def _script_bitflyer(fake: FakeExchange) -> None:
    from pybotters_bitflyer.testing import FIXED_HEADERS, route_defaults

    route_defaults(fake)
    fake.route("GET", "/v1/me/getpositions", [BITFLYER_POSITION], headers=FIXED_HEADERS)
    fake.route("GET", "/v1/me/getchildorders", [], headers=FIXED_HEADERS)
    fake.route("GET", "/v1/me/getparentorders", [], headers=FIXED_HEADERS)
    fake.route("GET", "/v1/me/getcollateral", BITFLYER_COLLATERAL, headers=FIXED_HEADERS)
    fake.websocket(BITFLYER_WS_PATH).on_message({"method": "subscribe"}, _bitflyer_feed)


# -- Bybit ---------------------------------------------------------------------------------------

BYBIT_PUBLIC_PATHS = (
    "/v5/public/spot",
    "/v5/public/linear",
    "/v5/public/inverse",
    "/v5/public/option",
)
BYBIT_BOOK: dict[str, Any] = {
    "bids": [["30247.20", "29.980"], ["30240.00", "0.100"]],
    "asks": [["30248.70", "0.500"], ["30249.30", "1.004"]],
}


def _bybit_rest(result: Any) -> dict[str, Any]:
    return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 1672364262482}


def bybit_order(order_id: str, status: str) -> dict[str, Any]:
    """An order of ``/v5/order/realtime`` and of the ``order`` topic."""
    return {
        "category": "linear",
        "symbol": "BTCUSDT",
        "orderId": order_id,
        "orderLinkId": "",
        "side": "Buy",
        "positionIdx": 0,
        "orderStatus": status,
        "price": "25000",
        "qty": "0.001",
        "leavesQty": "0.001" if status == "New" else "0",
        "orderType": "Limit",
        "timeInForce": "GTC",
        "createdTime": "1672364262444",
        "updatedTime": "1672364262457",
    }


BYBIT_POSITION: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "positionIdx": 0,
    "side": "Buy",
    "size": "0.01",
    "avgPrice": "29000",
    "positionValue": "290",
    "leverage": "10",
    "markPrice": "29100",
    "unrealisedPnl": "1",
    "updatedTime": "1672364262457",
}
BYBIT_WALLET: dict[str, Any] = {
    "accountType": "UNIFIED",
    "totalEquity": "106.03",
    "coin": [{"coin": "USDT", "equity": "106.03", "walletBalance": "106.03"}],
}


def bybit_private(topic: str, *items: dict[str, Any]) -> dict[str, Any]:
    """A push of a private Bybit topic."""
    return {
        "id": f"{topic}-5923240c6880ab-c59f-420b",
        "topic": topic,
        "creationTime": 1672364262474,
        "data": list(items),
    }


def _bybit_topic_message(topic: str) -> dict[str, Any] | None:
    kind, _, rest = topic.partition(".")
    symbol = rest.rsplit(".", 1)[-1]
    if kind == "orderbook":
        return {
            "topic": topic,
            "type": "snapshot",
            "ts": 1687940967466,
            "data": {
                "s": symbol,
                "b": BYBIT_BOOK["bids"],
                "a": BYBIT_BOOK["asks"],
                "u": 1001,
                "seq": 7961638724,
            },
            "cts": 1687940967464,
        }
    if kind == "tickers":
        return {
            "topic": topic,
            "type": "snapshot",
            "ts": 1673853746003,
            "cs": 2588407389,
            "data": {"symbol": symbol, "lastPrice": "21109.77"},
        }
    if kind == "publicTrade":
        return {
            "topic": topic,
            "type": "snapshot",
            "ts": 1672304486868,
            "data": [
                {
                    "T": 1672304486865,
                    "s": symbol,
                    "S": "Buy",
                    "v": "0.001",
                    "p": "16578.50",
                    "L": "PlusTick",
                    "i": "20f43950-d8dd-5b31-9112-a178eb6023af",
                    "BT": False,
                }
            ],
        }
    return None


def _bybit_feed(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    accepted: set[str] = session.state.get("bybit_topics", set())
    replies = []
    for topic in message.get("args") or []:
        if isinstance(topic, str) and topic in accepted:
            reply = _bybit_topic_message(topic)
            if reply is not None:
                replies.append(reply)
    return replies


def _bybit_order_ack(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    header = message.get("header")
    if "bybit_auth" not in session.state or not isinstance(header, dict):
        return None  # the plugin's fake already answered with Bybit's error
    if not str(header.get("X-BAPI-TIMESTAMP", "")).isdigit():
        return None
    return [
        {
            "reqId": message.get("reqId"),
            "retCode": 0,
            "retMsg": "OK",
            "op": "order.create",
            "data": {"orderId": "a4c1718e", "orderLinkId": ""},
            "retExtInfo": {},
            "header": {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "9"},
            "connId": session.state.get("bybit_conn_id", ""),
        }
    ]


def _script_bybit(fake: FakeExchange) -> None:
    fake.route(
        "POST",
        "/v5/order/create",
        _bybit_rest({"orderId": "1321003749386327552", "orderLinkId": ""}),
    )
    fake.route(
        "GET",
        "/v5/position/list",
        _bybit_rest({"list": [BYBIT_POSITION], "category": "linear", "nextPageCursor": ""}),
    )
    fake.route(
        "GET",
        "/v5/order/realtime",
        _bybit_rest(
            {"list": [bybit_order("o-1", "New")], "category": "linear", "nextPageCursor": ""}
        ),
    )
    fake.route("GET", "/v5/account/wallet-balance", _bybit_rest({"list": [BYBIT_WALLET]}))
    fake.route("GET", "/v5/market/time", _bybit_rest({"timeSecond": "1688639403"}))
    for path in BYBIT_PUBLIC_PATHS:
        fake.websocket(path).on_message({"op": "subscribe"}, _bybit_feed)
    fake.websocket("/v5/trade").on_message({"op": "order.create"}, _bybit_order_ack)


# -- OKX -----------------------------------------------------------------------------------------

OKX_BOOK: dict[str, Any] = {
    "asks": [["30001.5", "2", "0", "1"], ["30002", "1", "0", "1"]],
    "bids": [["30001", "3", "0", "1"], ["29999.9", "1", "0", "1"]],
}
OKX_POSITION: dict[str, Any] = {
    "instId": "BTC-USDT-SWAP",
    "instType": "SWAP",
    "mgnMode": "cross",
    "posSide": "net",
    "pos": "1",
    "avgPx": "30000",
}


def _okx(data: list[Any]) -> dict[str, Any]:
    return {"code": "0", "msg": "", "data": data}


def _okx_channel_message(arg: dict[str, Any]) -> dict[str, Any] | None:
    channel, inst_id = arg.get("channel"), arg.get("instId", "BTC-USDT")
    if channel == "books":
        book = {**OKX_BOOK, "ts": "1597026383085", "checksum": 0, "prevSeqId": -1, "seqId": 1}
        return {"arg": arg, "action": "snapshot", "data": [book]}
    if channel == "trades":
        trade = {
            "instId": inst_id,
            "tradeId": "130639474",
            "px": "30001.5",
            "sz": "0.01",
            "side": "buy",
            "ts": "1630048897897",
            "count": "1",
        }
        return {"arg": arg, "data": [trade]}
    if channel == "tickers":
        return {"arg": arg, "data": [{"instId": inst_id, "last": "30001", "ts": "1597026383085"}]}
    return None


def _okx_feed(message: Any, session: FakeWebSocketSession) -> list[Any] | None:
    accepted = session.state.get("okx", {}).get("subscriptions", [])
    replies = []
    for arg in message.get("args") or []:
        if isinstance(arg, dict) and arg in accepted:
            reply = _okx_channel_message(arg)
            if reply is not None:
                replies.append(reply)
    return replies


def _script_okx(fake: FakeExchange) -> None:
    fake.route("GET", "/api/v5/account/balance", _okx([{"totalEq": "1234.5", "details": []}]))
    fake.route("POST", "/api/v5/trade/order", _okx([{"ordId": "567", "sCode": "0", "sMsg": ""}]))
    fake.route(
        "GET",
        "/api/v5/trade/orders-pending",
        _okx([{"ordId": "11", "instId": "BTC-USDT", "state": "live", "px": "20000"}]),
    )
    fake.route("GET", "/api/v5/account/positions", _okx([OKX_POSITION]))
    fake.websocket("/ws/v5/public").on_message({"op": "subscribe"}, _okx_feed)


SCRIPTS = {"bitflyer": _script_bitflyer, "bybit": _script_bybit, "okx": _script_okx}


def script(fake: FakeExchange) -> None:
    """Add the documentation's market data to a fake of one of the shipped exchanges."""
    SCRIPTS[fake.name](fake)
