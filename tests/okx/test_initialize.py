"""OKXDataStore.initialize() from REST endpoints served by the fake OKX."""

from __future__ import annotations

from typing import Any

import pytest

import pybotters
from pybotters.store import DataStoreInitializeError

from .conftest import APIS


def ok(data: list[Any]) -> dict[str, Any]:
    return {"code": "0", "msg": "", "data": data}


ORDERS_PENDING = [
    {"instId": "BTC-USDT", "ordId": "1", "state": "live", "px": "1", "sz": "1"},
    {"instId": "BTC-USDT", "ordId": "2", "state": "partially_filled", "px": "1", "sz": "2"},
]
ALGO_PENDING = [
    {"instId": "BTC-USDT-SWAP", "algoId": "a1", "ordType": "conditional", "state": "live"},
    {"instId": "BTC-USDT-SWAP", "algoId": "a2", "ordType": "trigger", "state": "live"},
    {"instId": "BTC-USDT-SWAP", "algoId": "b1", "ordType": "twap", "state": "live"},
    {"instId": "BTC-USDT-SWAP", "algoId": "b2", "ordType": "iceberg", "state": "live"},
]


async def test_initialize_private_endpoints(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    fake.route("GET", "/api/v5/trade/orders-pending", ok(ORDERS_PENDING))
    fake.route("GET", "/api/v5/trade/orders-algo-pending", ok(ALGO_PENDING))
    fake.route(
        "GET",
        "/api/v5/account/balance",
        ok([{"totalEq": "10", "uTime": "1", "details": [{"ccy": "USDT", "eq": "10"}]}]),
    )
    position = {"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "posSide": "net", "pos": "1"}
    fake.route("GET", "/api/v5/account/positions", ok([position]))
    fake.route("GET", "/api/v5/account/greeks", ok([{"ccy": "BTC", "deltaBS": "1"}]))
    store = pybotters.OKXDataStore()
    async with pybotters.Client(apis=APIS, base_url="https://www.okx.com") as client:
        await store.initialize(
            client.get("/api/v5/trade/orders-pending"),
            client.get("/api/v5/trade/orders-algo-pending", params={"ordType": "conditional"}),
            client.get("/api/v5/account/balance"),
            client.get("/api/v5/account/positions"),
            client.get("/api/v5/account/greeks"),
        )
    assert all(r.rejected is None for r in fake.requests)  # every request was signed
    assert store.orders.find() == ORDERS_PENDING
    assert [i["algoId"] for i in store.ordersalgo] == ["a1", "a2"]
    assert [i["algoId"] for i in store.algoadvance] == ["b1", "b2"]
    assert store.account.find()[0]["totalEq"] == "10"
    assert store.positions.find() == [position]
    assert store.accountgreeks.find() == [{"ccy": "BTC", "deltaBS": "1"}]


async def test_initialize_public_endpoints(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    ticker = {"instType": "SPOT", "instId": "BTC-USDT", "last": "1"}
    fake.route("GET", "/api/v5/market/tickers", ok([ticker]))
    fake.route("GET", "/api/v5/public/instruments", ok([{"instId": "BTC-USDT", "tickSz": "0.1"}]))
    fake.route("GET", "/api/v5/public/funding-rate", ok([{"instId": "BTC-USDT-SWAP", "x": "1"}]))
    fake.route("GET", "/api/v5/public/mark-price", ok([{"instId": "BTC-USDT-SWAP", "markPx": "2"}]))
    fake.route("GET", "/api/v5/public/open-interest", ok([{"instId": "BTC-USDT-SWAP", "oi": "3"}]))
    fake.route(
        "GET", "/api/v5/public/price-limit", ok([{"instId": "BTC-USDT-SWAP", "buyLmt": "4"}])
    )
    fake.route("GET", "/api/v5/market/index-tickers", ok([{"instId": "BTC-USD", "idxPx": "5"}]))
    rows = [
        ["1700000120000", "3", "3", "3", "3", "1", "1", "1", "0"],
        ["1700000060000", "2", "2", "2", "2", "1", "1", "1", "1"],
    ]
    fake.route("GET", "/api/v5/market/candles", ok(rows))
    fake.route(
        "GET",
        "/api/v5/market/mark-price-candles",
        ok([["1700000060000", "1", "1", "1", "1", "1"]]),
    )
    trades = [
        {"instId": "BTC-USDT", "tradeId": "2", "px": "1", "sz": "1", "side": "buy", "ts": "2"},
        {"instId": "BTC-USDT", "tradeId": "1", "px": "1", "sz": "1", "side": "buy", "ts": "1"},
    ]
    fake.route("GET", "/api/v5/market/trades", ok(trades))
    fake.route("GET", "/api/v5/system/status", ok([{"title": "upgrade", "state": "scheduled"}]))
    store = pybotters.OKXDataStore()
    async with pybotters.Client(apis={}, base_url="https://www.okx.com") as client:
        await store.initialize(
            client.get("/api/v5/market/tickers", params={"instType": "SPOT"}),
            client.get("/api/v5/public/instruments", params={"instType": "SPOT"}),
            client.get("/api/v5/public/funding-rate", params={"instId": "BTC-USDT-SWAP"}),
            client.get("/api/v5/public/mark-price", params={"instType": "SWAP"}),
            client.get("/api/v5/public/open-interest", params={"instType": "SWAP"}),
            client.get("/api/v5/public/price-limit", params={"instId": "BTC-USDT-SWAP"}),
            client.get("/api/v5/market/index-tickers", params={"instId": "BTC-USD"}),
            client.get("/api/v5/market/candles", params={"instId": "BTC-USDT", "bar": "1m"}),
            client.get("/api/v5/market/mark-price-candles", params={"instId": "BTC-USDT-SWAP"}),
            client.get("/api/v5/market/trades", params={"instId": "BTC-USDT"}),
            client.get("/api/v5/system/status"),
        )
    assert store.tickers.find() == [ticker]
    assert len(store.instruments) == 1
    assert len(store.fundingrate) == len(store.markprice) == len(store.openinterest) == 1
    assert len(store.pricelimit) == len(store.indextickers) == 1
    assert [(c["channel"], c["ts"]) for c in store.candle] == [
        ("candle1m", "1700000060000"),
        ("candle1m", "1700000120000"),
    ]
    assert store.markpricecandle.find()[0]["channel"] == "mark-price-candle1m"
    assert [t["tradeId"] for t in store.trades] == ["1", "2"]  # oldest first
    assert store.status.find() == [{"title": "upgrade", "state": "scheduled"}]


async def test_initialize_refuses_unknown_endpoint_and_error_codes(
    start_fake_exchange: Any,
) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    fake.route("GET", "/api/v5/market/books", ok([]))
    fake.route(
        "GET",
        "/api/v5/trade/orders-pending",
        {"code": "51000", "msg": "Parameter error", "data": []},
    )
    store = pybotters.OKXDataStore()
    async with pybotters.Client(apis=APIS, base_url="https://www.okx.com") as client:
        with pytest.raises(DataStoreInitializeError, match="does not support GET /api/v5/market"):
            await store.initialize(client.get("/api/v5/market/books"))
        with pytest.raises(DataStoreInitializeError, match=r"51000.*Parameter error"):
            await store.initialize(client.get("/api/v5/trade/orders-pending"))
        with pytest.raises(DataStoreInitializeError, match="401"):
            await store.initialize(client.get("/api/v5/account/balance", auth=None))
        fake.route("GET", "/api/v5/market/index-candles", ok([]))
        with pytest.raises(DataStoreInitializeError, match="instId"):
            await store.initialize(client.get("/api/v5/market/index-candles"))
    assert len(store.orders) == 0
