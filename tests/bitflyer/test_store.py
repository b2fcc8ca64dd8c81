"""bitFlyerDataStore: every store fed with realistic message sequences."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

import pytest

import pybotters
from pybotters_bitflyer.store import (
    Board,
    ChildOrderEvents,
    Executions,
    ParentOrderEvents,
    bitFlyerDataStore,
)

from .conftest import eventually


def push(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


class Connection:
    """Stands in for the aiohttp connection handed to onmessage."""

    def __init__(self) -> None:
        self.closed = False
        self.sent: list[Any] = []

    async def send_json(self, data: Any) -> None:
        if self.closed:
            raise ConnectionResetError("Cannot write to closing transport")
        self.sent.append(data)


def level(price: float, size: float) -> dict[str, float]:
    return {"price": price, "size": size}


SNAPSHOT: dict[str, Any] = {
    "mid_price": 6200050.0,
    "bids": [level(6199000.0, 1.0), level(6200000.0, 0.05), level(6150000.0, 2.5)],
    "asks": [level(6201000.0, 0.5), level(6200100.0, 0.2), level(6300000.0, 3.0)],
}


def prices(board: dict[str, list[dict[str, Any]]]) -> dict[str, list[float]]:
    return {side: [lv["price"] for lv in levels] for side, levels in board.items()}


# -- public name and import cost ---------------------------------------------------------------


def test_exposed_as_pybotters_attribute() -> None:
    assert pybotters.bitFlyerDataStore is bitFlyerDataStore
    store = pybotters.bitFlyerDataStore()
    assert list(store) == [
        "board",
        "ticker",
        "executions",
        "childorderevents",
        "childorders",
        "parentorderevents",
        "parentorders",
        "positions",
        "collateral",
        "balance",
    ]
    assert isinstance(store.board, Board)
    assert store["board"] is store.board


def test_import_pybotters_does_not_import_the_store_or_aiohttp() -> None:
    code = (
        "import sys, pybotters\n"
        "from pybotters._plugins import host\n"
        "host.registry\n"  # discovers the plugins, imports pybotters_bitflyer.plugin
        "assert 'pybotters_bitflyer.plugin' in sys.modules\n"
        "print('aiohttp' in sys.modules, 'pybotters_bitflyer.store' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- board -------------------------------------------------------------------------------------


def test_diffs_before_the_first_snapshot_are_ignored() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        push("lightning_board_BTC_JPY", {"mid_price": 1, "bids": [level(1, 1)], "asks": []})
    )
    assert len(store.board) == 0
    assert store.board.mid_price == {}


def test_snapshot_builds_a_sorted_book_and_prunes_crossed_levels() -> None:
    store = bitFlyerDataStore()
    snapshot = {
        **SNAPSHOT,
        # crossed by the mid price: a bid above it and an ask at it
        "bids": [*SNAPSHOT["bids"], level(6200060.0, 9.0)],
        "asks": [*SNAPSHOT["asks"], level(6200050.0, 9.0)],
    }
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", snapshot))
    assert store.board.mid_price == {"BTC_JPY": 6200050.0}
    assert store.board.sorted() == {
        "asks": [
            {"product_code": "BTC_JPY", "side": "asks", "price": 6200100.0, "size": 0.2},
            {"product_code": "BTC_JPY", "side": "asks", "price": 6201000.0, "size": 0.5},
            {"product_code": "BTC_JPY", "side": "asks", "price": 6300000.0, "size": 3.0},
        ],
        "bids": [
            {"product_code": "BTC_JPY", "side": "bids", "price": 6200000.0, "size": 0.05},
            {"product_code": "BTC_JPY", "side": "bids", "price": 6199000.0, "size": 1.0},
            {"product_code": "BTC_JPY", "side": "bids", "price": 6150000.0, "size": 2.5},
        ],
    }
    assert prices(store.board.sorted(limit=2)) == {
        "asks": [6200100.0, 6201000.0],
        "bids": [6200000.0, 6199000.0],
    }
    assert store.board.get({"product_code": "BTC_JPY", "side": "bids", "price": 6199000.0}) == {
        "product_code": "BTC_JPY",
        "side": "bids",
        "price": 6199000.0,
        "size": 1.0,
    }


def test_diffs_update_delete_skip_price_zero_and_prune() -> None:
    store = bitFlyerDataStore()
    store.onmessage(push("lightning_board_snapshot_FX_BTC_JPY", SNAPSHOT))
    store.onmessage(
        push(
            "lightning_board_FX_BTC_JPY",
            {
                "mid_price": 6200050.0,
                "bids": [level(6200000.0, 0.0), level(6199500.0, 0.3), level(0.0, 1.5)],
                "asks": [level(6201000.0, 0.75), level(0, 2.0)],
            },
        )
    )
    book = store.board.sorted({"product_code": "FX_BTC_JPY"})
    assert prices(book) == {
        "asks": [6200100.0, 6201000.0, 6300000.0],
        "bids": [6199500.0, 6199000.0, 6150000.0],
    }
    assert book["asks"][1]["size"] == 0.75
    # The mid price moves up: asks at or below it and bids above it go.
    store.onmessage(
        push("lightning_board_FX_BTC_JPY", {"mid_price": 6250000.0, "bids": [], "asks": []})
    )
    assert prices(store.board.sorted()) == {
        "asks": [6300000.0],
        "bids": [6199500.0, 6199000.0, 6150000.0],
    }
    assert store.board.mid_price["FX_BTC_JPY"] == 6250000.0


def test_a_new_snapshot_replaces_the_products_book_only() -> None:
    store = bitFlyerDataStore()
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT))
    eth = {"mid_price": 500000.0, "bids": [level(499000.0, 1.0)], "asks": [level(501000.0, 1.0)]}
    store.onmessage(push("lightning_board_snapshot_ETH_JPY", eth))
    store.onmessage(
        push(
            "lightning_board_snapshot_BTC_JPY",
            {
                "mid_price": 6100000.0,
                "bids": [level(6090000.0, 1.0)],
                "asks": [level(6110000.0, 1.0)],
            },
        )
    )
    assert prices(store.board.sorted({"product_code": "BTC_JPY"})) == {
        "asks": [6110000.0],
        "bids": [6090000.0],
    }
    assert prices(store.board.sorted({"product_code": "ETH_JPY"})) == {
        "asks": [501000.0],
        "bids": [499000.0],
    }


async def test_snapshot_channel_is_unsubscribed_once_per_connection() -> None:
    store = bitFlyerDataStore()
    ws = Connection()
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT), ws)  # type: ignore[arg-type]
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT), ws)  # type: ignore[arg-type]
    await eventually(lambda: len(ws.sent) >= 1)
    await eventually(lambda: not store._tasks)
    assert ws.sent == [
        {"method": "unsubscribe", "params": {"channel": "lightning_board_snapshot_BTC_JPY"}}
    ]


async def test_unsubscribe_on_a_closed_connection_is_harmless(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = bitFlyerDataStore()
    ws = Connection()
    ws.closed = True
    with caplog.at_level(logging.DEBUG, logger="pybotters.bitflyer"):
        store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT), ws)  # type: ignore[arg-type]
        await eventually(lambda: not store._tasks)
    assert any("could not unsubscribe" in r.getMessage() for r in caplog.records)
    assert len(store.board) == 6


def test_a_reconnect_clears_the_book_until_the_next_snapshot() -> None:
    store = bitFlyerDataStore()
    old, new = Connection(), Connection()
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT), old)  # type: ignore[arg-type]
    store.onmessage(
        push(
            "lightning_board_BTC_JPY",
            {"mid_price": 6200050.0, "bids": [level(6199900.0, 1)], "asks": []},
        ),
        old,  # type: ignore[arg-type]
    )
    assert len(store.board) == 7
    old.closed = True
    # The first message of the new connection (the subscribe reply) already clears the book.
    store.onmessage({"jsonrpc": "2.0", "id": 2, "result": True}, new)  # type: ignore[arg-type]
    assert len(store.board) == 0
    assert store.board.mid_price == {}
    # Diffs before the new snapshot are ignored...
    store.onmessage(
        push(
            "lightning_board_BTC_JPY",
            {"mid_price": 6200050.0, "bids": [level(6199800.0, 1)], "asks": []},
        ),
        new,  # type: ignore[arg-type]
    )
    assert len(store.board) == 0
    # ...and the snapshot rebuilds the book with none of the old levels.
    fresh = {
        "mid_price": 6180050.0,
        "bids": [level(6180000.0, 0.1)],
        "asks": [level(6180100.0, 0.2)],
    }
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", fresh), new)  # type: ignore[arg-type]
    assert prices(store.board.sorted()) == {"asks": [6180100.0], "bids": [6180000.0]}
    store.onmessage(
        push(
            "lightning_board_BTC_JPY",
            {"mid_price": 6180050.0, "bids": [level(6179000.0, 1)], "asks": []},
        ),
        new,  # type: ignore[arg-type]
    )
    assert prices(store.board.sorted()) == {"asks": [6180100.0], "bids": [6180000.0, 6179000.0]}


def test_diffs_from_another_live_connection_are_ignored() -> None:
    store = bitFlyerDataStore()
    first, second = Connection(), Connection()
    store.onmessage(push("lightning_board_snapshot_BTC_JPY", SNAPSHOT), first)  # type: ignore[arg-type]
    store.onmessage(
        push(
            "lightning_board_BTC_JPY",
            {"mid_price": 6200050.0, "bids": [level(6199900.0, 1)], "asks": []},
        ),
        second,  # type: ignore[arg-type]
    )
    assert len(store.board) == 6  # unchanged, and not cleared: the first connection still lives
    store.onmessage(push("lightning_ticker_BTC_JPY", {"product_code": "BTC_JPY"}), second)  # type: ignore[arg-type]
    assert len(store.board) == 6


# -- ticker and executions ---------------------------------------------------------------------

TICKER = {
    "product_code": "BTC_JPY",
    "state": "RUNNING",
    "timestamp": "2024-01-01T00:00:00.1234567Z",
    "tick_id": 703768,
    "best_bid": 6200000.0,
    "best_ask": 6200100.0,
    "best_bid_size": 0.05,
    "best_ask_size": 0.2,
    "total_bid_depth": 1500.5,
    "total_ask_depth": 1200.25,
    "market_bid_size": 0.0,
    "market_ask_size": 0.0,
    "ltp": 6200050.0,
    "volume": 3000.5,
    "volume_by_product": 2500.25,
}


def test_ticker_is_keyed_on_product_code_and_merged() -> None:
    store = bitFlyerDataStore()
    store.onmessage(push("lightning_ticker_BTC_JPY", TICKER))
    store.onmessage(
        push("lightning_ticker_ETH_JPY", {**TICKER, "product_code": "ETH_JPY", "ltp": 500000.0})
    )
    store.onmessage(
        push("lightning_ticker_BTC_JPY", {**TICKER, "tick_id": 703769, "ltp": 6200100.0})
    )
    assert len(store.ticker) == 2
    assert store.ticker.get({"product_code": "BTC_JPY"}) == {
        **TICKER,
        "tick_id": 703769,
        "ltp": 6200100.0,
    }
    assert store.ticker.get({"product_code": "ETH_JPY"})["ltp"] == 500000.0  # type: ignore[index]


def test_executions_carry_the_product_code_and_are_capped() -> None:
    assert Executions._MAXLEN == 99999
    assert ChildOrderEvents._MAXLEN == ParentOrderEvents._MAXLEN == 9999
    store = bitFlyerDataStore()
    execs = [
        {
            "id": 2084881071,
            "side": "BUY",
            "price": 6200100.0,
            "size": 0.005,
            "exec_date": "2024-01-01T00:00:01.8840579Z",
            "buy_child_order_acceptance_id": "JRF20240101-000001-000001",
            "sell_child_order_acceptance_id": "JRF20240101-000001-000002",
        },
        {
            "id": 2084881072,
            "side": "SELL",
            "price": 6200000.0,
            "size": 0.01,
            "exec_date": "2024-01-01T00:00:01.9840579Z",
            "buy_child_order_acceptance_id": "JRF20240101-000001-000003",
            "sell_child_order_acceptance_id": "JRF20240101-000001-000004",
        },
    ]
    store.onmessage(push("lightning_executions_BTC_JPY", execs))
    assert store.executions.find() == [{"product_code": "BTC_JPY", **e} for e in execs]
    store.executions._MAXLEN = 3
    store.onmessage(push("lightning_executions_BTC_JPY", execs))
    assert [e["id"] for e in store.executions.find()] == [2084881072, 2084881071, 2084881072]


# -- child orders, positions, collateral, balance ----------------------------------------------

JRF1 = "JRF20240101-000000-000001"
JRF2 = "JRF20240101-000000-000002"


def child_event(
    event_type: str, acceptance_id: str, product: str = "FX_BTC_JPY", **fields: Any
) -> dict[str, Any]:
    return {
        "product_code": product,
        "child_order_id": "JFX20240101-000000-" + acceptance_id[-6:],
        "child_order_acceptance_id": acceptance_id,
        "event_date": "2024-01-01T00:00:00.000Z",
        "event_type": event_type,
        **fields,
    }


def order(
    acceptance_id: str, side: str, price: float, size: float, product: str = "FX_BTC_JPY"
) -> dict[str, Any]:
    return child_event(
        "ORDER",
        acceptance_id,
        product,
        child_order_type="LIMIT",
        side=side,
        price=price,
        size=size,
        expire_date="2024-01-31T00:00:00",
    )


def execution(
    acceptance_id: str,
    side: str,
    price: float,
    size: float,
    outstanding: float,
    product: str = "FX_BTC_JPY",
    commission: float = 0,
    sfd: float = 0,
) -> dict[str, Any]:
    return child_event(
        "EXECUTION",
        acceptance_id,
        product,
        exec_id=1000,
        side=side,
        price=price,
        size=size,
        commission=commission,
        sfd=sfd,
        outstanding_size=outstanding,
    )


def test_child_orders_follow_their_events() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        push(
            "child_order_events",
            [order(JRF1, "BUY", 6200000, 0.03), order(JRF2, "SELL", 6300000, 0.01)],
        )
    )
    assert [o["child_order_acceptance_id"] for o in store.childorders.find()] == [JRF1, JRF2]
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6200000, 0.01, 0.02)]))
    assert store.childorders.get({"child_order_acceptance_id": JRF1})["size"] == 0.02  # type: ignore[index]
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6200000, 0.02, 0)]))
    assert store.childorders.get({"child_order_acceptance_id": JRF1}) is None
    store.onmessage(
        push("child_order_events", [child_event("CANCEL", JRF2, price=6300000, size=0.01)])
    )
    assert len(store.childorders) == 0
    store.onmessage(push("child_order_events", [order(JRF1, "BUY", 6200000, 0.03)]))
    store.onmessage(push("child_order_events", [child_event("EXPIRE", JRF1)]))
    store.onmessage(
        push("child_order_events", [child_event("ORDER_FAILED", JRF2, reason="INSUFFICIENT_FUNDS")])
    )
    assert len(store.childorders) == 0
    # Every event is kept as it came, unaffected by the changes made to childorders.
    events = store.childorderevents.find()
    assert [e["event_type"] for e in events] == [
        "ORDER",
        "ORDER",
        "EXECUTION",
        "EXECUTION",
        "CANCEL",
        "ORDER",
        "EXPIRE",
        "ORDER_FAILED",
    ]
    assert events[0]["size"] == 0.03


def test_child_order_sizes_subtract_exactly() -> None:
    store = bitFlyerDataStore()
    store.onmessage(push("child_order_events", [order(JRF1, "BUY", 6200000, 0.3)]))
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6200000, 0.1, 0.2)]))
    assert store.childorders.get({"child_order_acceptance_id": JRF1})["size"] == 0.2  # type: ignore[index]
    store.onmessage(push("child_order_events", [order(JRF2, "BUY", 6200000, 3)]))
    store.onmessage(push("child_order_events", [execution(JRF2, "BUY", 6200000, 1, 2)]))
    size = store.childorders.get({"child_order_acceptance_id": JRF2})["size"]  # type: ignore[index]
    assert size == 2 and type(size) is int


def positions_of(store: bitFlyerDataStore) -> list[tuple[str, float, float]]:
    return [(p["side"], p["price"], p["size"]) for p in store.positions.find()]


def test_positions_net_first_in_first_out_and_realise_collateral() -> None:
    store = bitFlyerDataStore()
    store.collateral._onresponse(
        {"collateral": 100000, "open_position_pnl": 0, "require_collateral": 0, "keep_rate": 0}
    )
    store.onmessage(
        push("child_order_events", [execution(JRF1, "BUY", 6000000, 0.01, 0, commission=0, sfd=-3)])
    )
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6100000, 0.02, 0)]))
    assert store.positions.find()[0] == {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": 6000000,
        "size": 0.01,
        "commission": 0,
        "sfd": -3,
    }
    # Sell 0.015: closes the 0.01 bought at 6,000,000 and 0.005 of the one at 6,100,000.
    store.onmessage(push("child_order_events", [execution(JRF2, "SELL", 6200000, 0.015, 0)]))
    assert positions_of(store) == [("BUY", 6100000, 0.015)]
    # pnl: 0.01 * 200000 = 2000, then 0.005 * 100000 = 500
    assert store.collateral.find()[0]["collateral"] == 102500.0
    # Sell 0.025: closes the remaining 0.015 (+0.015 * -100000 = -1500) and opens 0.01 short.
    store.onmessage(push("child_order_events", [execution(JRF2, "SELL", 6000000, 0.025, 0)]))
    assert positions_of(store) == [("SELL", 6000000, 0.01)]
    assert store.collateral.find()[0]["collateral"] == 101000.0
    # Buy exactly the short back at a loss rounded up (BUY): 0.01 * -123.4 = -1.234 -> -1
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6000123.4, 0.01, 0)]))
    assert store.positions.find() == []
    assert store.collateral.find()[0]["collateral"] == 101000.0 - 1


def test_positions_ignore_spot_and_non_executions() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        push(
            "child_order_events",
            [
                execution(JRF1, "BUY", 6000000, 0.01, 0, product="BTC_JPY"),
                order(JRF2, "BUY", 6000000, 0.01),
                execution(JRF2, "SELL", 6000000, 0.01, 0, product="BTCJPY28MAR2025"),
            ],
        )
    )
    assert store.positions.find() == [
        {
            "product_code": "BTCJPY28MAR2025",
            "side": "SELL",
            "price": 6000000,
            "size": 0.01,
            "commission": 0,
            "sfd": 0,
        }
    ]


async def test_position_watchers_see_updates_and_deletes() -> None:
    store = bitFlyerDataStore()
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6000000, 0.02, 0)]))
    store.onmessage(push("child_order_events", [execution(JRF1, "BUY", 6000000, 0.02, 0)]))
    with store.positions.watch() as stream:
        store.onmessage(push("child_order_events", [execution(JRF2, "SELL", 6000000, 0.03, 0)]))
        changes = [await stream.get(), await stream.get()]
    assert [(c.operation, c.data["size"]) for c in changes] == [("delete", 0.02), ("update", 0.01)]


def test_balance_follows_spot_executions() -> None:
    store = bitFlyerDataStore()
    store.balance._onresponse(
        [
            {"currency_code": "JPY", "amount": 1000000, "available": 1000000},
            {"currency_code": "BTC", "amount": 1.0, "available": 1.0},
        ]
    )
    store.onmessage(
        push(
            "child_order_events",
            [execution(JRF1, "BUY", 6000001, 0.0123, 0, product="BTC_JPY", commission=0.0000185)],
        )
    )
    # BTC: 1 + 0.0123 - 0.0000185; JPY: 1000000 - ceil(0.0123 * 6000001 = 73800.0123)
    assert store.balance.get({"currency_code": "BTC"}) == {
        "currency_code": "BTC",
        "amount": 1.0122815,
        "available": None,
    }
    assert store.balance.get({"currency_code": "JPY"}) == {
        "currency_code": "JPY",
        "amount": 926199.0,
        "available": None,
    }
    store.onmessage(
        push("child_order_events", [execution(JRF2, "SELL", 6000001, 0.0123, 0, product="BTC_JPY")])
    )
    assert store.balance.get({"currency_code": "JPY"})["amount"] == 926199.0 + 73800  # type: ignore[index]
    # The sale moved BTC too (the commission of the purchase stays paid).
    assert store.balance.get({"currency_code": "BTC"})["amount"] == 0.9999815  # type: ignore[index]
    # Crypto CFD executions do not touch the balance.
    before = [dict(item) for item in store.balance]
    store.onmessage(push("child_order_events", [execution(JRF2, "SELL", 6000000, 1, 0)]))
    assert store.balance.find() == before


# -- parent orders -----------------------------------------------------------------------------

JCP = "JRF20240101-000000-000101"


def parent_event(event_type: str, acceptance_id: str = JCP, **fields: Any) -> dict[str, Any]:
    return {
        "product_code": "FX_BTC_JPY",
        "parent_order_id": "JCP20240101-000000-000101",
        "parent_order_acceptance_id": acceptance_id,
        "event_date": "2024-01-01T00:00:00.000Z",
        "event_type": event_type,
        **fields,
    }


def test_parent_orders_follow_their_events() -> None:
    store = bitFlyerDataStore()
    store.onmessage(
        push(
            "parent_order_events",
            [parent_event("ORDER", parent_order_type="IFDOCO", expire_date="2024-01-31T00:00:00")],
        )
    )
    store.onmessage(
        push(
            "parent_order_events",
            [parent_event("TRIGGER", parameter_index=1, child_order_acceptance_id=JRF1)],
        )
    )
    store.onmessage(
        push(
            "parent_order_events",
            [parent_event("COMPLETE", parameter_index=1, child_order_acceptance_id=JRF1)],
        )
    )
    assert len(store.parentorders) == 1  # IFDOCO: the first leg completing leaves it active
    store.onmessage(
        push(
            "parent_order_events",
            [parent_event("COMPLETE", parameter_index=2, child_order_acceptance_id=JRF2)],
        )
    )
    assert len(store.parentorders) == 0
    other = "JRF20240101-000000-000102"
    store.onmessage(
        push("parent_order_events", [parent_event("ORDER", other, parent_order_type="STOP")])
    )
    store.onmessage(
        push("parent_order_events", [parent_event("COMPLETE", other, parameter_index=1)])
    )
    assert len(store.parentorders) == 0
    store.onmessage(
        push("parent_order_events", [parent_event("ORDER", other, parent_order_type="OCO")])
    )
    store.onmessage(push("parent_order_events", [parent_event("CANCEL", other)]))
    assert len(store.parentorders) == 0
    assert len(store.parentorderevents) == 8


def test_error_replies_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    store = bitFlyerDataStore()
    with caplog.at_level(logging.WARNING, logger="pybotters.bitflyer"):
        store.onmessage(
            {"jsonrpc": "2.0", "id": 1, "error": {"code": -32600, "message": "Invalid channel"}}
        )
    assert "Invalid channel" in caplog.text


def test_unknown_and_malformed_messages_are_ignored() -> None:
    store = bitFlyerDataStore()
    store.onmessage([{"jsonrpc": "2.0", "id": 1, "result": True}])
    store.onmessage({"jsonrpc": "2.0", "id": 1, "result": True})
    store.onmessage(push("lightning_unknown_BTC_JPY", {"x": 1}))
    store.onmessage({"jsonrpc": "2.0", "method": "channelMessage", "params": "x"})
    assert all(len(store[name]) == 0 for name in store)
