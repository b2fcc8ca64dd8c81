"""BybitDataStore: names and keys of pybotters 1.11, every store fed with v5 messages."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

import pybotters
from pybotters.store import DataStoreInitializeError
from pybotters.testing import FakeExchange
from pybotters_bybit.store import BybitDataStore, OrderBook

from . import messages as m
from .conftest import APIS


def feed(store: BybitDataStore, *msgs: dict[str, Any]) -> None:
    """Feed messages and check that none of them was modified by the store."""
    for msg in msgs:
        before = copy.deepcopy(msg)
        store.onmessage(msg)
        assert msg == before


def test_resolves_as_pybotters_attribute() -> None:
    assert pybotters.BybitDataStore is BybitDataStore


def test_store_names_and_attributes_are_those_of_pybotters_1_11() -> None:
    store = BybitDataStore()
    names = {
        "orderbook": "orderbook",
        "trade": "publicTrade",
        "ticker": "tickers",
        "kline": "kline",
        "all_liquidation": "allLiquidation",
        "lt_kline": "kline_lt",
        "lt_ticker": "tickers_lt",
        "lt_nav": "lt",
        "liquidation": "liquidation",
        "position": "position",
        "execution": "execution",
        "order": "order",
        "wallet": "wallet",
        "greek": "greeks",
    }
    assert list(store) == list(names.values())
    for attribute, name in names.items():
        assert getattr(store, attribute) is store[name]
    keys = {
        "orderbook": ["s", "S", "p"],
        "publicTrade": [],
        "tickers": ["symbol"],
        "kline": ["symbol", "start", "end"],
        "allLiquidation": [],
        "kline_lt": ["symbol", "start", "end"],
        "tickers_lt": ["symbol"],
        "lt": ["symbol"],
        "liquidation": [],
        "position": ["symbol", "positionIdx"],
        "execution": [],
        "order": ["orderId"],
        "wallet": ["accountType"],
        "greeks": ["baseCoin"],
    }
    for name, expected in keys.items():
        assert list(store[name]._keys) == expected, name
    assert store.trade._MAXLEN == store.execution._MAXLEN == 99999


def test_orderbook_snapshot_delta_and_sorted() -> None:
    store = BybitDataStore()
    feed(store, m.BOOK_SNAPSHOT)
    assert len(store.orderbook) == 6
    assert store.orderbook.get({"s": "BTCUSDT", "S": "b", "p": "30247.20"}) == {
        "s": "BTCUSDT",
        "S": "b",
        "p": "30247.20",
        "v": "29.980",
    }
    feed(store, m.BOOK_DELTA)
    assert store.orderbook.sorted() == {
        "a": [
            {"s": "BTCUSDT", "S": "a", "p": "30249.30", "v": "0.892"},
            {"s": "BTCUSDT", "S": "a", "p": "30250.00", "v": "3.000"},
        ],
        "b": [
            {"s": "BTCUSDT", "S": "b", "p": "30247.20", "v": "30.028"},
            {"s": "BTCUSDT", "S": "b", "p": "30235.50", "v": "1.250"},
        ],
    }
    assert store.orderbook.sorted({"s": "BTCUSDT"}, limit=1) == {
        "a": [{"s": "BTCUSDT", "S": "a", "p": "30249.30", "v": "0.892"}],
        "b": [{"s": "BTCUSDT", "S": "b", "p": "30247.20", "v": "30.028"}],
    }


def test_orderbook_prices_sort_numerically() -> None:
    store = BybitDataStore()
    feed(
        store,
        m.book(
            "snapshot",
            1,
            bids=[["9.5", "1"], ["10.25", "1"], ["9.75", "2"]],
            asks=[["100.5", "1"], ["11", "1"], ["99", "3"]],
            symbol="XRPUSDT",
        ),
    )
    book = store.orderbook.sorted({"s": "XRPUSDT"})
    assert [x["p"] for x in book["a"]] == ["11", "99", "100.5"]
    assert [x["p"] for x in book["b"]] == ["10.25", "9.75", "9.5"]


def test_orderbook_snapshot_replaces_only_its_symbol() -> None:
    store = BybitDataStore()
    feed(store, m.BOOK_SNAPSHOT)
    feed(store, m.book("snapshot", 9, bids=[["1500", "1"]], asks=[["1501", "2"]], symbol="ETHUSDT"))
    feed(store, m.book("snapshot", 177400600, bids=[["30000", "1"]], asks=[["30001", "1"]]))
    assert len(store.orderbook.find({"s": "BTCUSDT"})) == 2
    assert len(store.orderbook.find({"s": "ETHUSDT"})) == 2


def test_trade_keeps_every_trade() -> None:
    store = BybitDataStore()
    feed(store, m.TRADE, m.TRADE)
    assert len(store.trade) == 4
    assert store.trade.find()[0] == m.TRADE["data"][0]
    assert store.trade.find({"S": "Sell"})[0]["p"] == "16578.00"


def test_ticker_deltas_are_merged_into_the_snapshot() -> None:
    store = BybitDataStore()
    feed(store, m.TICKER_SNAPSHOT, m.TICKER_DELTA, m.SPOT_TICKER)
    btc = store.ticker.get({"symbol": "BTCUSDT"})
    assert btc == {**m.TICKER_SNAPSHOT["data"], "bid1Price": "17215.00", "bid1Size": "12.001"}
    assert store.ticker.get({"symbol": "ETHUSDT"}) == m.SPOT_TICKER["data"]
    assert len(store.ticker) == 2


def test_kline_adds_symbol_and_updates_the_open_candle() -> None:
    store = BybitDataStore()
    feed(store, m.kline(False, "16677"), m.kline(True, "16680.5"))
    assert len(store.kline) == 1
    candle = store.kline.get({"symbol": "BTCUSDT", "start": 1672324800000, "end": 1672325099999})
    assert candle is not None
    assert candle["close"] == "16680.5" and candle["confirm"] is True
    assert next(iter(candle)) == "symbol"
    assert candle["interval"] == "5"


def test_all_liquidation() -> None:
    store = BybitDataStore()
    feed(store, m.ALL_LIQUIDATION)
    assert store.all_liquidation.find() == m.ALL_LIQUIDATION["data"]


def test_leveraged_token_stores() -> None:
    store = BybitDataStore()
    feed(store, m.LT_KLINE, m.LT_TICKER, m.LT_NAV)
    assert store.lt_kline.find() == [{"symbol": "EOS3LUSDT", **m.LT_KLINE["data"][0]}]
    assert store.lt_ticker.get({"symbol": "EOS3LUSDT"}) == m.LT_TICKER["data"]
    assert store.lt_nav.get({"symbol": "EOS3LUSDT"}) == m.LT_NAV["data"]
    assert len(store.kline) == len(store.ticker) == 0


def test_liquidation() -> None:
    store = BybitDataStore()
    feed(store, m.LIQUIDATION, m.LIQUIDATION)
    assert store.liquidation.find() == [m.LIQUIDATION["data"]] * 2


def test_position_is_merged_per_symbol_and_index() -> None:
    store = BybitDataStore()
    feed(store, m.private("position", m.position("0.001")))
    feed(store, m.private("position.linear", m.position("0.003", unrealisedPnl="0.5")))
    feed(store, m.private("position", m.position("0.002", side="Buy", idx=1)))
    assert len(store.position) == 2
    one = store.position.get({"symbol": "BTCUSDT", "positionIdx": 0})
    assert one is not None and one["size"] == "0.003" and one["unrealisedPnl"] == "0.5"
    feed(store, m.private("position", m.position("0", side="")))
    closed = store.position.get({"symbol": "BTCUSDT", "positionIdx": 0})
    assert closed is not None and closed["size"] == "0"


def test_execution_keeps_every_fill_including_fast_topic() -> None:
    store = BybitDataStore()
    fast = {
        "category": "linear",
        "symbol": "BTCUSDT",
        "execId": "fast-1",
        "execPrice": "30000.5",
        "execQty": "0.001",
        "orderId": "c1956690",
        "isMaker": False,
        "orderLinkId": "",
        "side": "Buy",
        "execTime": "1672364174443",
        "seq": 4688002128,
    }
    feed(store, m.private("execution", m.EXECUTION_ITEM), m.private("execution.fast", fast))
    assert store.execution.find() == [m.EXECUTION_ITEM, fast]


def test_order_keeps_open_orders_only() -> None:
    store = BybitDataStore()
    feed(store, m.private("order", m.order("o-1", "New"), m.order("o-2", "New")))
    feed(store, m.private("order.linear", m.order("o-1", "PartiallyFilled", cumExecQty="0.004")))
    assert {o["orderId"] for o in store.order} == {"o-1", "o-2"}
    first = store.order.get({"orderId": "o-1"})
    assert first is not None and first["cumExecQty"] == "0.004"
    feed(store, m.private("order", m.order("o-1", "Filled")))
    feed(store, m.private("order", m.order("o-2", "Cancelled")))
    assert len(store.order) == 0
    for status in ("Untriggered", "Active", "Created"):
        feed(store, m.private("order", m.order(f"o-{status}", status)))
    assert len(store.order) == 3
    feed(store, m.private("order", m.order("o-Untriggered", "Triggered")))
    feed(store, m.private("order", m.order("o-Active", "Deactivated")))
    feed(store, m.private("order", m.order("o-Rejected", "Rejected")))
    assert [o["orderId"] for o in store.order] == ["o-Created"]
    feed(store, m.private("order", m.order("o-Created", "PartiallyFilledCanceled")))
    assert len(store.order) == 0


def test_order_done_removes_every_order_with_its_link_id() -> None:
    # A spot conditional order becomes a new order with the same orderLinkId.
    store = BybitDataStore()
    feed(store, m.private("order", m.order("cond-1", "Untriggered", link_id="my-tp")))
    feed(store, m.private("order", m.order("real-1", "New", link_id="my-tp")))
    feed(store, m.private("order", m.order("real-9", "New", link_id="other")))
    feed(store, m.private("order", m.order("real-1", "Filled", link_id="my-tp")))
    assert [o["orderId"] for o in store.order] == ["real-9"]


def test_order_unknown_status_changes_nothing() -> None:
    store = BybitDataStore()
    feed(store, m.private("order", m.order("o-1", "New")))
    feed(store, m.private("order", m.order("o-1", "SomethingNew", price="1")))
    stored = store.order.get({"orderId": "o-1"})
    assert stored is not None and stored["price"] == "29000.0"


def test_wallet_keeps_coins_a_push_does_not_list() -> None:
    store = BybitDataStore()
    feed(store, m.private("wallet", m.wallet(m.coin("USDT", "100"), m.coin("BTC", "0.5"))))
    feed(store, m.private("wallet", m.wallet(m.coin("USDT", "90"), equity="1.0")))
    stored = store.wallet.get({"accountType": "UNIFIED"})
    assert stored is not None
    assert stored["totalEquity"] == "1.0"
    assert {c["coin"]: c["walletBalance"] for c in stored["coin"]} == {"USDT": "90", "BTC": "0.5"}


def test_greek() -> None:
    store = BybitDataStore()
    feed(store, m.GREEKS)
    assert store.greek.get({"baseCoin": "ETH"}) == m.GREEKS["data"][0]


def test_other_messages_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    store = BybitDataStore()
    caplog.set_level(logging.WARNING, "pybotters.bybit")
    feed(
        store,
        {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "c"},
        {"op": "pong", "args": ["1675418560633"], "conn_id": "c"},
        {"topic": "dcp", "data": [{"product": "OPTIONS", "dcpStatus": "ON"}]},
        {"topic": "orderbook.rpi.BTCUSDT", "type": "snapshot", "data": {"s": "BTCUSDT"}},
    )
    store.onmessage(["not", "a", "dict"])
    assert all(len(store[name]) == 0 for name in store)
    assert caplog.records == []
    feed(store, {"success": False, "ret_msg": "Invalid topic", "op": "subscribe", "conn_id": "c"})
    assert "Invalid topic" in caplog.text


async def test_wait_wakes_on_a_message() -> None:
    import asyncio

    store = BybitDataStore()
    waiter = asyncio.ensure_future(store.ticker.wait())
    await asyncio.sleep(0)
    feed(store, m.TICKER_SNAPSHOT)
    await asyncio.wait_for(waiter, 5)


def test_orderbook_class_is_configured_for_bybit_fields() -> None:
    assert OrderBook._SORTED_KEYS == ("a", "b")
    assert (OrderBook._BOOK_SYMBOL, OrderBook._BOOK_SIDE, OrderBook._BOOK_PRICE) == ("s", "S", "p")


# -- initialize() from the REST endpoints ------------------------------------------------------


async def test_initialize_from_rest(bybit: FakeExchange) -> None:
    bybit.route(
        "GET",
        "/v5/position/list",
        m.rest({"list": [m.position("0.01")], "category": "linear", "nextPageCursor": ""}),
    )
    realtime = {
        "list": [
            {k: v for k, v in m.order("o-1", "New").items() if k != "category"},
            {k: v for k, v in m.order("o-2", "Filled").items() if k != "category"},
        ],
        "nextPageCursor": "",
        "category": "linear",
    }
    bybit.route("GET", "/v5/order/realtime", m.rest(realtime))
    bybit.route(
        "GET",
        "/v5/account/wallet-balance",
        m.rest({"list": [m.wallet(m.coin("USDT", "106.03"))]}),
    )
    store = BybitDataStore()
    async with pybotters.Client(apis=APIS, base_url="https://api.bybit.com") as client:
        await store.initialize(
            client.get("/v5/position/list", params={"category": "linear", "symbol": "BTCUSDT"}),
            client.get("/v5/order/realtime", params={"category": "linear", "symbol": "BTCUSDT"}),
            client.get("/v5/account/wallet-balance", params={"accountType": "UNIFIED"}),
        )
    assert all(r.rejected is None for r in bybit.requests)  # every request was signed right
    assert store.position.get({"symbol": "BTCUSDT", "positionIdx": 0})["size"] == "0.01"  # type: ignore[index]
    assert [o["orderId"] for o in store.order] == ["o-1"]
    assert store.order.find()[0]["category"] == "linear"
    wallet = store.wallet.get({"accountType": "UNIFIED"})
    assert wallet is not None and wallet["coin"][0]["walletBalance"] == "106.03"


async def test_initialize_orders_replaces_the_queried_scope(bybit: FakeExchange) -> None:
    store = BybitDataStore()
    feed(
        store,
        m.private(
            "order",
            m.order("stale-btc", "New"),
            m.order("eth-1", "New", symbol="ETHUSDT"),
            m.order("spot-btc", "New", category="spot"),
        ),
    )
    bybit.route(
        "GET",
        "/v5/order/realtime",
        m.rest({"list": [m.order("new-btc", "New")], "category": "linear"}),
        query={"symbol": "BTCUSDT"},
    )
    bybit.route(
        "GET",
        "/v5/order/realtime",
        m.rest({"list": [], "category": "linear"}),
        query={"settleCoin": "USDT"},
    )
    async with pybotters.Client(apis=APIS, base_url="https://api.bybit.com") as client:
        await store.initialize(
            client.get("/v5/order/realtime", params={"category": "linear", "symbol": "BTCUSDT"})
        )
        assert {o["orderId"] for o in store.order} == {"new-btc", "eth-1", "spot-btc"}
        await store.initialize(
            client.get("/v5/order/realtime", params={"category": "linear", "settleCoin": "USDT"})
        )
    assert {o["orderId"] for o in store.order} == {"spot-btc"}


async def test_initialize_refuses_an_error_envelope(bybit: FakeExchange) -> None:
    bybit.route(
        "GET",
        "/v5/position/list",
        {"retCode": 10001, "retMsg": "params error", "result": {}, "retExtInfo": {}, "time": 1},
    )
    store = BybitDataStore()
    async with pybotters.Client(apis=APIS) as client:
        with pytest.raises(DataStoreInitializeError, match=r"retCode=10001.*params error"):
            await store.initialize(client.get("https://api.bybit.com/v5/position/list"))


async def test_initialize_refuses_an_unsupported_endpoint(bybit: FakeExchange) -> None:
    bybit.route("GET", "/v5/market/tickers", m.rest({"list": []}))
    store = BybitDataStore()
    async with pybotters.Client(apis=APIS) as client:
        with pytest.raises(DataStoreInitializeError, match="/v5/market/tickers"):
            await store.initialize(client.get("https://api.bybit.com/v5/market/tickers"))
