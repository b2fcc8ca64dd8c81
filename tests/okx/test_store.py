"""Every OKXDataStore store with realistic OKX v5 pushes (names, keys and fields of 1.11)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import pybotters
from pybotters_okx.store import OKXDataStore

PUBLIC_UPDATE_STORES = [
    # (channel, store name, property, item)
    (
        "tickers",
        "tickers",
        "tickers",
        {
            "instType": "SPOT",
            "instId": "BTC-USDT",
            "last": "31500.1",
            "lastSz": "0.00001754",
            "askPx": "31500.1",
            "askSz": "0.00998",
            "bidPx": "31500",
            "bidSz": "3.05",
            "open24h": "31697",
            "high24h": "32248",
            "low24h": "31165.6",
            "sodUtc0": "31385.5",
            "sodUtc8": "32134.9",
            "volCcy24h": "503403597.38",
            "vol24h": "15937.1",
            "ts": "1626526618762",
        },
    ),
    (
        "instruments",
        "instruments",
        "instruments",
        {
            "instType": "SPOT",
            "instId": "BTC-USDT",
            "baseCcy": "BTC",
            "quoteCcy": "USDT",
            "tickSz": "0.1",
            "lotSz": "0.00000001",
            "minSz": "0.00001",
            "state": "live",
        },
    ),
    (
        "open-interest",
        "open-interest",
        "openinterest",
        {
            "instType": "SWAP",
            "instId": "BTC-USDT-SWAP",
            "oi": "2216113.01",
            "oiCcy": "22161.1301",
            "ts": "1693888473124",
        },
    ),
    (
        "estimated-price",
        "estimated-price",
        "estimatedprice",
        {
            "instType": "FUTURES",
            "instId": "BTC-USD-230929",
            "settlePx": "26000",
            "ts": "1695903000000",
        },
    ),
    (
        "mark-price",
        "mark-price",
        "markprice",
        {"instType": "SWAP", "instId": "BTC-USDT-SWAP", "markPx": "42310.6", "ts": "1630049139746"},
    ),
    (
        "price-limit",
        "price-limit",
        "pricelimit",
        {
            "instType": "SWAP",
            "instId": "BTC-USDT-SWAP",
            "buyLmt": "200",
            "sellLmt": "300",
            "ts": "1597026383085",
            "enabled": True,
        },
    ),
    (
        "opt-summary",
        "opt-summary",
        "optsummary",
        {
            "instType": "OPTION",
            "instId": "BTC-USD-241013-70000-P",
            "uly": "BTC-USD",
            "delta": "-1.1180902625",
            "markVol": "0.2",
            "ts": "1728703155650",
        },
    ),
    (
        "funding-rate",
        "funding-rate",
        "fundingrate",
        {
            "instType": "SWAP",
            "instId": "BTC-USD-SWAP",
            "fundingRate": "0.0001875391284828",
            "fundingTime": "1700726400000",
            "nextFundingRate": "",
            "method": "current_period",
        },
    ),
    (
        "index-tickers",
        "index-tickers",
        "indextickers",
        {
            "instId": "BTC-USDT",
            "idxPx": "0.1",
            "high24h": "0.5",
            "low24h": "0.1",
            "open24h": "0.1",
            "sodUtc0": "0.1",
            "sodUtc8": "0.1",
            "ts": "1597026383085",
        },
    ),
]


@pytest.mark.parametrize(("channel", "name", "prop", "item"), PUBLIC_UPDATE_STORES)
def test_instid_keyed_stores(channel: str, name: str, prop: str, item: dict[str, Any]) -> None:
    store = OKXDataStore()
    arg = {"channel": channel, "instId": item["instId"]}
    store.onmessage({"arg": arg, "data": [item]})
    target = getattr(store, prop)
    assert target is store[name]
    assert target.find() == [item]
    changed = {"instId": item["instId"], "ts": "1"}
    store.onmessage({"arg": arg, "data": [changed]})
    assert len(target) == 1
    assert target.get({"instId": item["instId"]}) == {**item, "ts": "1"}


def test_candles_zip_rows_and_key_on_channel_instid_ts() -> None:
    store = OKXDataStore()
    arg = {"channel": "candle1m", "instId": "BTC-USDT"}
    row = [
        "1597026383085",
        "8533.02",
        "8553.74",
        "8527.17",
        "8548.26",
        "45247",
        "529.5858061",
        "5.6e6",
        "0",
    ]
    store.onmessage({"arg": arg, "data": [row]})
    store.onmessage({"arg": {"channel": "candle1H", "instId": "BTC-USDT"}, "data": [row]})
    assert store.candle.get({"channel": "candle1m", "instId": "BTC-USDT", "ts": row[0]}) == {
        "channel": "candle1m",
        "instId": "BTC-USDT",
        "ts": "1597026383085",
        "o": "8533.02",
        "h": "8553.74",
        "l": "8527.17",
        "c": "8548.26",
        "vol": "45247",
        "volCcy": "529.5858061",
        "volCcyQuote": "5.6e6",
        "confirm": "0",
    }
    assert len(store.candle) == 2
    # the same candle pushed again (closed now) is merged, not duplicated
    store.onmessage({"arg": arg, "data": [[*row[:4], "8550", *row[5:8], "1"]]})
    item = store.candle.get({"channel": "candle1m", "instId": "BTC-USDT", "ts": row[0]})
    assert item is not None and item["c"] == "8550" and item["confirm"] == "1"
    assert len(store.candle) == 2
    # older 7-column rows still work
    store.onmessage({"arg": arg, "data": [row[:7]]})
    assert len(store.candle) == 2


@pytest.mark.parametrize(
    ("channel", "prop"),
    [("mark-price-candle1D", "markpricecandle"), ("index-candle30m", "indexcandle")],
)
def test_price_candles(channel: str, prop: str) -> None:
    store = OKXDataStore()
    arg = {"channel": channel, "instId": "BTC-USD"}
    store.onmessage(
        {"arg": arg, "data": [["1597026383085", "3.721", "3.743", "3.677", "3.708", "0"]]}
    )
    assert getattr(store, prop).find() == [
        {
            "channel": channel,
            "instId": "BTC-USD",
            "ts": "1597026383085",
            "o": "3.721",
            "h": "3.743",
            "l": "3.677",
            "c": "3.708",
            "confirm": "0",
        }
    ]


def test_trades_and_status_are_append_only() -> None:
    store = OKXDataStore()
    trade = {
        "instId": "BTC-USDT",
        "tradeId": "130639474",
        "px": "42219.9",
        "sz": "0.12060306",
        "side": "buy",
        "ts": "1630048897897",
        "count": "3",
    }
    arg = {"channel": "trades", "instId": "BTC-USDT"}
    store.onmessage({"arg": arg, "data": [trade]})
    store.onmessage({"arg": arg, "data": [trade]})
    assert store.trades.find() == [trade, trade]
    status = {
        "title": "Spot System Upgrade",
        "state": "scheduled",
        "begin": "1610019546",
        "end": "1610019546",
        "serviceType": "1",
        "ts": "1597026383085",
    }
    store.onmessage({"arg": {"channel": "status"}, "data": [status]})
    assert store.status.find() == [status]
    assert store["status"] is store.status


def test_account_is_replaced_on_every_push() -> None:
    store = OKXDataStore()
    arg = {"channel": "account", "uid": "44705892343619584"}
    first = {"totalEq": "41624.32", "uTime": "1614846244194", "details": [{"ccy": "BTC"}]}
    second = {"totalEq": "41000", "uTime": "1614846244195", "details": []}
    store.onmessage({"arg": arg, "data": [first]})
    store.onmessage({"arg": arg, "data": [second]})
    assert store.account.find() == [second]


def test_positions_keyed_on_instid_mgnmode_posside() -> None:
    store = OKXDataStore()
    arg = {"channel": "positions", "instType": "ANY", "uid": "77982378738415879"}
    long = {
        "instId": "BTC-USDT-SWAP",
        "instType": "SWAP",
        "mgnMode": "cross",
        "posSide": "long",
        "pos": "1",
        "avgPx": "30000",
        "upl": "1.2",
        "posId": "307173036051017730",
    }
    short = {**long, "posSide": "short", "pos": "2"}
    store.onmessage({"arg": arg, "data": [long, short]})
    store.onmessage({"arg": arg, "data": [{**long, "pos": "3"}]})
    assert len(store.positions) == 2
    got = store.positions.get({"instId": "BTC-USDT-SWAP", "mgnMode": "cross", "posSide": "long"})
    assert got is not None and got["pos"] == "3"


def test_balance_and_position() -> None:
    store = OKXDataStore()
    arg = {"channel": "balance_and_position", "uid": "77982378738415879"}
    data = {
        "pTime": "1597026383085",
        "eventType": "snapshot",
        "balData": [{"ccy": "BTC", "cashBal": "1", "uTime": "1597026383085"}],
        "posData": [
            {
                "posId": "1111111111",
                "tradeId": "2",
                "instId": "BTC-USD-191018",
                "instType": "FUTURES",
                "mgnMode": "cross",
                "posSide": "long",
                "pos": "10",
                "ccy": "BTC",
                "posCcy": "",
                "avgPx": "3320",
                "uTime": "1597026383085",
            }
        ],
    }
    store.onmessage({"arg": arg, "data": [data]})
    update = {**data, "eventType": "filled", "balData": [{"ccy": "BTC", "cashBal": "0.9"}]}
    store.onmessage({"arg": arg, "data": [update]})
    bp = store.balance_and_position
    assert bp.find() == [data, update]
    assert bp.balance.find() == [{"ccy": "BTC", "cashBal": "0.9", "uTime": "1597026383085"}]
    assert bp.position.get({"instId": "BTC-USD-191018", "mgnMode": "cross", "posSide": "long"})


def order(ord_id: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "instType": "SPOT",
        "instId": "BTC-USDT",
        "ordId": ord_id,
        "clOrdId": "",
        "px": "30000",
        "sz": "0.01",
        "side": "buy",
        "ordType": "limit",
        "state": state,
        "accFillSz": "0",
        **extra,
    }


def test_orders_keep_live_and_partially_filled_only() -> None:
    store = OKXDataStore()
    arg = {"channel": "orders", "instType": "ANY", "uid": "77982378738415879"}
    store.onmessage({"arg": arg, "data": [order("1", "live"), order("2", "live")]})
    store.onmessage({"arg": arg, "data": [order("1", "partially_filled", accFillSz="0.005")]})
    got = store.orders.get({"ordId": "1"})
    assert got is not None and got["state"] == "partially_filled" and got["accFillSz"] == "0.005"
    store.onmessage({"arg": arg, "data": [order("1", "filled"), order("2", "canceled")]})
    assert len(store.orders) == 0
    store.onmessage({"arg": arg, "data": [order("3", "mmp_canceled")]})
    assert len(store.orders) == 0


def algo(algo_id: str, ord_type: str, state: str) -> dict[str, Any]:
    return {
        "instType": "SWAP",
        "instId": "BTC-USDT-SWAP",
        "algoId": algo_id,
        "ordType": ord_type,
        "state": state,
        "sz": "1",
    }


def test_orders_algo_and_algo_advance() -> None:
    store = OKXDataStore()
    arg = {"channel": "orders-algo", "instType": "ANY", "uid": "1"}
    store.onmessage({"arg": arg, "data": [algo("a1", "trigger", "live")]})
    store.onmessage({"arg": arg, "data": [algo("a2", "oco", "order_failed")]})
    assert {i["algoId"] for i in store.ordersalgo} == {"a1", "a2"}
    store.onmessage({"arg": arg, "data": [algo("a1", "trigger", "effective")]})
    assert [i["algoId"] for i in store.ordersalgo] == ["a2"]
    adv = {"channel": "algo-advance", "instType": "ANY", "uid": "1"}
    store.onmessage({"arg": adv, "data": [algo("b1", "twap", "live")]})
    store.onmessage({"arg": adv, "data": [algo("b1", "twap", "partially_filled")]})
    assert len(store.algoadvance) == 1
    store.onmessage({"arg": adv, "data": [algo("b1", "twap", "effective")]})
    assert len(store.algoadvance) == 0


def test_liquidation_warning_and_account_greeks() -> None:
    store = OKXDataStore()
    warning = {
        "instId": "BTC-USDT-SWAP",
        "instType": "SWAP",
        "mgnMode": "cross",
        "posSide": "long",
        "pos": "1",
        "mgnRatio": "1.1",
    }
    store.onmessage(
        {"arg": {"channel": "liquidation-warning", "instType": "ANY"}, "data": [warning]}
    )
    assert store.liquidationwarning.find() == [warning]
    greeks = {"ccy": "BTC", "deltaBS": "1.1", "deltaPA": "1.2", "ts": "1620282889345"}
    store.onmessage({"arg": {"channel": "account-greeks"}, "data": [greeks]})
    store.onmessage({"arg": {"channel": "account-greeks"}, "data": [{**greeks, "deltaBS": "2"}]})
    assert store.accountgreeks.find() == [{**greeks, "deltaBS": "2"}]


def test_events_unknown_channels_and_non_dicts(caplog: pytest.LogCaptureFixture) -> None:
    store = OKXDataStore()
    with caplog.at_level(logging.WARNING, logger="pybotters.okx"):
        store.onmessage({"event": "subscribe", "arg": {"channel": "tickers"}, "connId": "a"})
        store.onmessage({"event": "login", "code": "0", "msg": "", "connId": "a"})
        store.onmessage({"arg": {"channel": "no-such-channel"}, "data": [{"x": 1}]})
        store.onmessage("pong")
        store.onmessage([1, 2])
        assert caplog.records == []
        store.onmessage({"event": "error", "code": "60012", "msg": "Invalid request"})
    assert "60012" in caplog.text and "Invalid request" in caplog.text
    assert all(len(store[name]) == 0 for name in store)


def test_store_names_and_properties_match_pybotters_1_11() -> None:
    store = pybotters.OKXDataStore()
    assert list(store) == [
        "instruments",
        "tickers",
        "open-interest",
        "candle",
        "trades",
        "estimated-price",
        "mark-price",
        "mark-price-candle",
        "price-limit",
        "books",
        "opt-summary",
        "funding-rate",
        "index-candle",
        "index-tickers",
        "status",
        "account",
        "positions",
        "balance_and_position",
        "orders",
        "orders-algo",
        "algo-advance",
        "liquidation-warning",
        "account-greeks",
    ]
    props = {
        "instruments": ["instId"],
        "tickers": ["instId"],
        "openinterest": ["instId"],
        "candle": ["channel", "instId", "ts"],
        "trades": [],
        "estimatedprice": ["instId"],
        "markprice": ["instId"],
        "markpricecandle": ["channel", "instId", "ts"],
        "pricelimit": ["instId"],
        "books": ["instId", "side", "px"],
        "optsummary": ["instId"],
        "fundingrate": ["instId"],
        "indexcandle": ["channel", "instId", "ts"],
        "indextickers": ["instId"],
        "account": [],
        "positions": ["instId", "mgnMode", "posSide"],
        "balance_and_position": [],
        "orders": ["ordId"],
        "ordersalgo": ["algoId"],
        "algoadvance": ["algoId"],
        "liquidationwarning": ["instId"],
        "accountgreeks": ["ccy"],
    }
    for prop, keys in props.items():
        assert list(getattr(store, prop)._keys) == keys, prop
