"""The order book over a real connection to the fake OKX: gaps, resubscription, reconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import pybotters
from pybotters.testing import FakeWebSocketSession

from .conftest import APIS, book_msg, level, until

ARG = {"channel": "books", "instId": "BTC-USDT"}
SUBSCRIBE = {"op": "subscribe", "args": [ARG]}


def asks(store: pybotters.OKXDataStore) -> list[tuple[str, str]]:
    return [(i["px"], i["sz"]) for i in store.books.sorted({"instId": "BTC-USDT"})["asks"]]


async def test_gap_triggers_resubscription_and_fresh_snapshot(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/public")
    snapshots = iter(
        [
            book_msg("snapshot", [level("100", "1")], [level("99", "1")], seq=10, prev=-1),
            book_msg("snapshot", [level("101", "7")], [level("99", "2")], seq=500, prev=-1),
        ]
    )

    def snapshot(message: Any, session: FakeWebSocketSession) -> list[Any]:
        return [next(snapshots)]

    endpoint.on_message({"op": "subscribe"}, snapshot)
    store = pybotters.OKXDataStore()
    async with pybotters.Client(apis=APIS) as client:
        await asyncio.wait_for(
            client.ws_connect(
                "wss://ws.okx.com:8443/ws/v5/public",
                send_json=SUBSCRIBE,
                hdlr_json=store.onmessage,
            ),
            5,
        )
        session = await endpoint.wait_session()
        await until(lambda: asks(store) == [("100", "1")])
        await session.send(book_msg("update", [level("100", "2")], [], seq=17, prev=10))
        await until(lambda: asks(store) == [("100", "2")])
        # seqId 17 was applied; an update claiming prevSeqId 20 means updates were lost
        await session.send(book_msg("update", [level("100", "3")], [], seq=25, prev=20))
        await session.wait_message({"op": "unsubscribe", "args": [ARG]})
        await session.wait_message({"op": "subscribe", "args": [ARG]})
        await until(lambda: asks(store) == [("101", "7")])
    assert store.books.is_synced("BTC-USDT")
    assert store.books.resyncs == 1
    assert store.books.seq_id["BTC-USDT"] == 500
    assert [m.get("op") for m in session.received] == ["subscribe", "unsubscribe", "subscribe"]


async def test_reconnect_mid_stream_rebuilds_from_new_snapshot(start_fake_exchange: Any) -> None:
    fake = await start_fake_exchange("okx", apis=APIS)
    endpoint = fake.websocket("/ws/v5/public")
    store = pybotters.OKXDataStore()
    async with pybotters.Client(apis=APIS) as client:
        await asyncio.wait_for(
            client.ws_connect(
                "wss://ws.okx.com:8443/ws/v5/public",
                send_json=SUBSCRIBE,
                hdlr_json=store.onmessage,
                backoff=(0.01, 0.02, 1.5, 0.01),
            ),
            5,
        )
        first = await endpoint.wait_session()
        await first.wait_message(SUBSCRIBE)
        await first.send(book_msg("snapshot", [level("100", "1"), level("102", "1")], [], seq=5))
        await first.send(book_msg("update", [level("100", "0")], [], seq=8, prev=5))
        await until(lambda: asks(store) == [("102", "1")])
        await endpoint.drop()
        second = await endpoint.wait_session()
        await second.wait_message(SUBSCRIBE)
        # after a reconnect the chain restarts with a new snapshot (a lower seqId is fine)
        await second.send(book_msg("snapshot", [level("103", "4")], [], seq=2, prev=-1))
        await second.send(book_msg("update", [level("104", "1")], [], seq=3, prev=2))
        await until(lambda: asks(store) == [("103", "4"), ("104", "1")])
    assert store.books.resyncs == 0
    assert second.received == [SUBSCRIBE]
    assert second.state["okx"]["logins"] == []  # public: no login even with credentials
