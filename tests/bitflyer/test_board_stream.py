"""The order book over a real WebSocketApp: snapshot bootstrap, unsubscribe, and a reconnect
in the middle of the stream (the book is rebuilt from the next snapshot, never mixed)."""

from __future__ import annotations

from typing import Any

import pytest

import pybotters
from pybotters.testing import FakeWebSocket
from pybotters_bitflyer.store import bitFlyerDataStore
from pybotters_bitflyer.testing import channel_message, publish

from .conftest import eventually, subscribed

pytestmark = pytest.mark.usefixtures("no_implicit_apis", "fast_reconnect")

URL = "wss://ws.lightstream.bitflyer.com/json-rpc"
SNAPSHOT_CHANNEL = "lightning_board_snapshot_BTC_JPY"
DIFF_CHANNEL = "lightning_board_BTC_JPY"
SUBSCRIPTIONS = [
    {"method": "subscribe", "params": {"channel": SNAPSHOT_CHANNEL}, "id": 1},
    {"method": "subscribe", "params": {"channel": DIFF_CHANNEL}, "id": 2},
]
SNAP1 = {
    "mid_price": 6200050.0,
    "bids": [{"price": 6200000.0, "size": 0.05}, {"price": 6199000.0, "size": 1.0}],
    "asks": [{"price": 6200100.0, "size": 0.2}, {"price": 6201000.0, "size": 0.5}],
}
SNAP2 = {
    "mid_price": 6150050.0,
    "bids": [{"price": 6150000.0, "size": 0.3}],
    "asks": [{"price": 6150100.0, "size": 0.4}],
}


def book(store: bitFlyerDataStore) -> dict[str, list[tuple[float, float]]]:
    return {
        side: [(lv["price"], lv["size"]) for lv in levels]
        for side, levels in store.board.sorted().items()
    }


def handled(seen: list[Any], message: Any) -> bool:
    return any(m.get("params", {}).get("message") == message for m in seen)


@pytest.mark.parametrize(
    "close_code",
    [
        pytest.param(1012, id="server-restart"),
        pytest.param(None, id="network-failure"),
    ],
)
async def test_reconnect_in_the_middle_of_a_board_stream(
    realtime: FakeWebSocket, close_code: int | None
) -> None:
    # The exchange sends the snapshot right after the first subscription to it.
    realtime.on_message(
        {"method": "subscribe", "params": {"channel": SNAPSHOT_CHANNEL}},
        channel_message(SNAPSHOT_CHANNEL, SNAP1),
        times=1,
    )
    store = pybotters.bitFlyerDataStore()
    seen: list[Any] = []  # after the store: once a message is here, the store has handled it
    async with pybotters.Client() as client:
        await client.ws_connect(
            URL, send_json=SUBSCRIPTIONS, hdlr_json=[store.onmessage, lambda m, ws: seen.append(m)]
        )
        first = await realtime.wait_session()
        await eventually(lambda: len(store.board) == 4)
        assert book(store) == {
            "asks": [(6200100.0, 0.2), (6201000.0, 0.5)],
            "bids": [(6200000.0, 0.05), (6199000.0, 1.0)],
        }
        # The store unsubscribes the snapshot channel once it has its snapshot.
        assert await first.wait_message({"method": "unsubscribe"}) == {
            "method": "unsubscribe",
            "params": {"channel": SNAPSHOT_CHANNEL},
        }
        diff = {
            "mid_price": 6200050.0,
            "bids": [{"price": 6199500.0, "size": 0.7}],
            "asks": [{"price": 6201000.0, "size": 0}],
        }
        assert await publish(realtime, DIFF_CHANNEL, diff) == 1
        await eventually(lambda: handled(seen, diff))
        assert book(store) == {
            "asks": [(6200100.0, 0.2)],
            "bids": [(6200000.0, 0.05), (6199500.0, 0.7), (6199000.0, 1.0)],
        }

        # The connection drops; the app reconnects and re-sends both subscriptions.
        await realtime.drop(close_code)
        second = await realtime.wait_session()
        await subscribed(realtime, SNAPSHOT_CHANNEL)
        await subscribed(realtime, DIFF_CHANNEL)
        await eventually(lambda: len(store.board) == 0)  # stale levels are not served
        assert store.board.mid_price == {}

        # A diff on the new connection before its snapshot is not applied to anything.
        early = {"mid_price": 6150050.0, "bids": [{"price": 6149000.0, "size": 9.0}], "asks": []}
        await publish(realtime, DIFF_CHANNEL, early)
        await eventually(lambda: handled(seen, early))
        assert len(store.board) == 0

        # The snapshot rebuilds the book: exactly its levels, nothing from before.
        await publish(realtime, SNAPSHOT_CHANNEL, SNAP2)
        await eventually(lambda: len(store.board) == 2)
        assert book(store) == {"asks": [(6150100.0, 0.4)], "bids": [(6150000.0, 0.3)]}
        assert store.board.mid_price == {"BTC_JPY": 6150050.0}
        assert (await second.wait_message({"method": "unsubscribe"}))["params"] == {
            "channel": SNAPSHOT_CHANNEL
        }

        later = {"mid_price": 6150050.0, "bids": [{"price": 6149900.0, "size": 0.1}], "asks": []}
        await publish(realtime, DIFF_CHANNEL, later)
        await eventually(lambda: len(store.board) == 3)
        assert book(store) == {
            "asks": [(6150100.0, 0.4)],
            "bids": [(6150000.0, 0.3), (6149900.0, 0.1)],
        }
