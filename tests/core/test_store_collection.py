"""DataStoreCollection: named stores, onmessage, wait() and initialize() with HTTP snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import aiohttp
import pytest
from aiohttp import web

import pybotters
from pybotters.store import DataStore, DataStoreCollection, DataStoreInitializeError


class Positions(DataStore):
    _KEYS: ClassVar[list[str]] = ["id"]


class FakeStore(DataStoreCollection):
    """A small exchange collection, built the way plugins build theirs."""

    def _init(self) -> None:
        self._create("positions", datastore_class=Positions)
        self._create("trades")
        self.messages: list[Any] = []

    @property
    def positions(self) -> Positions:
        return self._get("positions", Positions)

    @property
    def trades(self) -> DataStore:
        return self["trades"]

    def _onmessage(self, msg: Any, ws: Any) -> None:
        self.messages.append((msg, ws))
        if msg.get("channel") == "trades":
            self.trades._insert(msg["data"])

    def _onresponse(self, resp: Any, data: Any) -> None:
        if resp.url.path == "/positions":
            self.positions._insert(data["list"])
        elif resp.url.path == "/trades":
            self.trades._insert(data)
        else:
            super()._onresponse(resp, data)


def test_created_stores_are_reachable() -> None:
    store = FakeStore()
    assert isinstance(store.positions, Positions)
    assert store["positions"] is store.positions
    assert store.positions.name == "positions"
    assert "trades" in store
    assert "nope" not in store
    assert list(store) == ["positions", "trades"]
    with pytest.raises(KeyError):
        store["nope"]
    assert store._get("nope") is None


def test_create_returns_the_store_and_refuses_duplicates() -> None:
    collection = DataStoreCollection()
    orders = collection._create("orders", keys=["id"], data=[{"id": 1}])
    assert collection["orders"] is orders
    assert orders.get({"id": 1}) == {"id": 1}
    with pytest.raises(ValueError, match="already has a store named 'orders'"):
        collection._create("orders")


def test_onmessage_routes_to_the_subclass() -> None:
    store = FakeStore()
    ws = object()
    store.onmessage({"channel": "trades", "data": [{"p": 1}]}, ws)  # type: ignore[arg-type]
    store.onmessage({"channel": "other"})
    assert store.messages == [
        ({"channel": "trades", "data": [{"p": 1}]}, ws),
        (
            {"channel": "other"},
            None,
        ),
    ]
    assert store.trades.find() == [{"p": 1}]


def test_base_onmessage_explains_what_to_implement() -> None:
    with pytest.raises(NotImplementedError, match="must implement _onmessage"):
        DataStoreCollection().onmessage({})


async def test_wait_wakes_on_message_and_on_store_change() -> None:
    store = FakeStore()
    waiter = asyncio.create_task(store.wait())
    await asyncio.sleep(0)
    store.onmessage({"channel": "other"})
    await asyncio.wait_for(waiter, 5)

    waiter = asyncio.create_task(store.wait())
    await asyncio.sleep(0)
    store.positions._insert([{"id": 1}])
    await asyncio.wait_for(waiter, 5)
    assert store._waiters == []
    assert all(s._waiters == [] for s in (store.positions, store.trades))


async def test_cancelled_collection_wait_leaves_nothing_behind() -> None:
    store = FakeStore()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(store.wait(), 0.001)
    assert store._waiters == []
    assert store.positions._waiters == [] and store.trades._waiters == []


# -- initialize ----------------------------------------------------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[str]:
    async def positions(request: web.Request) -> web.Response:
        await asyncio.sleep(0.01)
        return web.json_response({"list": [{"id": 1, "size": 2}]})

    async def trades(request: web.Request) -> web.Response:
        return web.json_response([{"p": 100}])

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=503, text="Service   Unavailable\n" + "x" * 500)

    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>maintenance</html>", content_type="text/html")

    async def other(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/positions", positions)
    app.router.add_get("/trades", trades)
    app.router.add_get("/broken", broken)
    app.router.add_get("/html", html)
    app.router.add_get("/other", other)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_initialize_accepts_requests_coroutines_and_responses(http: str) -> None:
    store = FakeStore()
    async with pybotters.Client(base_url=http) as client, aiohttp.ClientSession() as session:
        response = await session.get(f"{http}/trades")
        await store.initialize(
            client.get("/positions"),  # a request context manager
            client.fetch("GET", "/trades"),  # a coroutine giving a FetchResult
            response,  # a response object
        )
        assert response.connection is None  # released
    assert store.positions.find() == [{"id": 1, "size": 2}]
    assert store.trades.find() == [{"p": 100}, {"p": 100}]


async def test_initialize_with_nothing_is_a_no_op() -> None:
    await FakeStore().initialize()


async def test_initialize_wakes_collection_waiters(http: str) -> None:
    store = FakeStore()
    waiter = asyncio.create_task(store.wait())
    async with aiohttp.ClientSession() as session:
        await store.initialize(session.get(f"{http}/positions"))
    await asyncio.wait_for(waiter, 5)


async def test_http_error_is_clear_and_changes_nothing(http: str) -> None:
    store = FakeStore()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DataStoreInitializeError) as info:
            await store.initialize(
                session.get(f"{http}/positions"), session.get(f"{http}/broken?token=x")
            )
    message = str(info.value)
    assert "GET /broken answered HTTP 503 Service Unavailable" in message
    assert "Service Unavailable xxx" in message  # body excerpt, whitespace folded
    assert "token" not in message  # the path only, not the query string
    assert len(message) < 400
    assert isinstance(info.value, pybotters.PybottersError)
    assert len(store.positions) == 0


async def test_non_json_body_is_refused(http: str) -> None:
    store = FakeStore()
    async with pybotters.Client(base_url=http) as client:
        with pytest.raises(DataStoreInitializeError, match=r"GET /html did not return JSON"):
            await store.initialize(client.get("/html"))
        with pytest.raises(DataStoreInitializeError, match=r"<html>maintenance</html>"):
            await store.initialize(client.fetch("GET", "/html"))
        with pytest.raises(DataStoreInitializeError, match=r"HTTP 503"):
            await store.initialize(client.fetch("GET", "/broken"))


async def test_unsupported_endpoint_names_the_collection_and_path(http: str) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(
            DataStoreInitializeError,
            match=r"FakeStore.initialize\(\) does not support GET /other",
        ):
            await FakeStore().initialize(session.get(f"{http}/other"))
        with pytest.raises(DataStoreInitializeError, match=r"DataStoreCollection.initialize"):
            await DataStoreCollection().initialize(session.get(f"{http}/other"))


async def test_not_a_request_is_a_type_error(http: str) -> None:
    store = FakeStore()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TypeError, match=r"initialize\(\) takes HTTP requests.*got str"):
            await store.initialize(session.get(f"{http}/positions"), f"{http}/trades")
    assert len(store.positions) == 0
