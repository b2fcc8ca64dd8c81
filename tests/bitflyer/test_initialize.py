"""bitFlyerDataStore.initialize() from the REST endpoints, through the fake exchange."""

from __future__ import annotations

from typing import Any

import pytest

import pybotters
from pybotters.store import DataStoreInitializeError
from pybotters.testing import FakeExchange

from .conftest import APIS

pytestmark = pytest.mark.usefixtures("no_implicit_apis")

BASE = "https://api.bitflyer.com"


def child_order(acceptance_id: str, state: str, product: str = "FX_BTC_JPY") -> dict[str, Any]:
    return {
        "id": 138398,
        "child_order_id": "JFX20240101-000000-" + acceptance_id[-6:],
        "product_code": product,
        "side": "BUY",
        "child_order_type": "LIMIT",
        "price": 6000000,
        "average_price": 0,
        "size": 0.1,
        "child_order_state": state,
        "expire_date": "2024-01-31T00:00:00",
        "child_order_date": "2024-01-01T00:00:00",
        "child_order_acceptance_id": acceptance_id,
        "outstanding_size": 0.1,
        "cancel_size": 0,
        "executed_size": 0,
        "total_commission": 0,
    }


PARENT_ORDERS = [
    {
        "id": 138398,
        "parent_order_id": "JCP20240101-000000-000001",
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "parent_order_type": "IFD",
        "price": 6000000,
        "average_price": 0,
        "size": 0.1,
        "parent_order_state": state,
        "expire_date": "2024-01-31T00:00:00",
        "parent_order_date": "2024-01-01T00:00:00",
        "parent_order_acceptance_id": f"JRF20240101-000000-00000{n}",
        "outstanding_size": 0.1,
        "cancel_size": 0,
        "executed_size": 0,
        "total_commission": 0,
    }
    for n, state in enumerate(["ACTIVE", "COMPLETED"])
]
POSITIONS = [
    {
        "product_code": "FX_BTC_JPY",
        "side": "BUY",
        "price": 6000000,
        "size": 0.5,
        "commission": 0,
        "swap_point_accumulate": -35,
        "require_collateral": 1500000,
        "open_date": "2024-01-01T00:00:00.011",
        "leverage": 2,
        "pnl": 965,
        "sfd": -0.5,
    },
]
COLLATERAL = {
    "collateral": 100000,
    "open_position_pnl": -715,
    "require_collateral": 19857,
    "keep_rate": 5.0,
}
BALANCE = [
    {"currency_code": "JPY", "amount": 1024078, "available": 508000},
    {"currency_code": "BTC", "amount": 10.24, "available": 4.12},
]


async def test_initialize_loads_every_endpoint(bitflyer: FakeExchange) -> None:
    bitflyer.route(
        "GET",
        "/v1/me/getchildorders",
        [
            child_order("JRF20240101-000000-000001", "ACTIVE"),
            child_order("JRF20240101-000000-000002", "COMPLETED"),
        ],
    )
    bitflyer.route("GET", "/v1/me/getparentorders", PARENT_ORDERS)
    bitflyer.route("GET", "/v1/me/getpositions", POSITIONS)
    bitflyer.route("GET", "/v1/me/getcollateral", COLLATERAL)
    bitflyer.route("GET", "/v1/me/getbalance", BALANCE)
    store = pybotters.bitFlyerDataStore()
    async with pybotters.Client(apis=APIS, base_url=BASE) as client:
        await store.initialize(
            client.get("/v1/me/getchildorders", params={"product_code": "FX_BTC_JPY"}),
            client.get("/v1/me/getparentorders", params={"product_code": "FX_BTC_JPY"}),
            client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"}),
            client.get("/v1/me/getcollateral"),
            client.get("/v1/me/getbalance"),
        )
    assert all(request.rejected is None for request in bitflyer.requests)  # all signed right
    assert store.childorders.find() == [child_order("JRF20240101-000000-000001", "ACTIVE")]
    assert store.parentorders.find() == [PARENT_ORDERS[0]]
    assert store.positions.find() == [
        {
            "product_code": "FX_BTC_JPY",
            "side": "BUY",
            "price": 6000000,
            "size": 0.5,
            "commission": 0,
            "sfd": -0.5,
        }
    ]
    assert store.collateral.find() == [COLLATERAL]
    assert store.balance.find() == BALANCE


async def test_initialize_again_replaces_the_products_items(bitflyer: FakeExchange) -> None:
    store = pybotters.bitFlyerDataStore()
    store.childorders._insert([child_order("JRF20240101-000000-000009", "ACTIVE", "BTC_JPY")])
    store.childorders._insert([child_order("JRF20240101-000000-000008", "ACTIVE")])
    store.positions._insert(
        [
            {
                k: POSITIONS[0][k]
                for k in ("product_code", "side", "price", "size", "commission", "sfd")
            }
        ]
    )
    store.collateral._onresponse(COLLATERAL)
    bitflyer.route("GET", "/v1/me/getchildorders", [])
    bitflyer.route("GET", "/v1/me/getpositions", [])
    bitflyer.route("GET", "/v1/me/getcollateral", {**COLLATERAL, "collateral": 90000})
    async with pybotters.Client(apis=APIS, base_url=BASE) as client:
        with store.collateral.watch() as stream:
            await store.initialize(
                client.get("/v1/me/getchildorders", params={"product_code": "FX_BTC_JPY"}),
                client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"}),
                client.get("/v1/me/getcollateral"),
            )
            change = await stream.get()
    # No active FX_BTC_JPY order or position any more; BTC_JPY's order is untouched.
    assert [o["product_code"] for o in store.childorders.find()] == ["BTC_JPY"]
    assert store.positions.find() == []
    assert store.collateral.find() == [{**COLLATERAL, "collateral": 90000}]
    assert (change.operation, change.data["collateral"]) == ("update", 90000)


async def test_initialize_refuses_an_unsupported_endpoint(bitflyer: FakeExchange) -> None:
    store = pybotters.bitFlyerDataStore()
    async with pybotters.Client(base_url=BASE) as client:
        with pytest.raises(DataStoreInitializeError, match="does not support GET /v1/getticker"):
            await store.initialize(client.get("/v1/getticker"))


async def test_initialize_refuses_a_body_of_the_wrong_shape(bitflyer: FakeExchange) -> None:
    bitflyer.route("GET", "/v1/me/getpositions", {"unexpected": "object"})
    store = pybotters.bitFlyerDataStore()
    async with pybotters.Client(apis=APIS, base_url=BASE) as client:
        with pytest.raises(DataStoreInitializeError, match="not a JSON array of objects"):
            await store.initialize(
                client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"})
            )


async def test_initialize_reports_an_exchange_error(bitflyer: FakeExchange) -> None:
    store = pybotters.bitFlyerDataStore()
    async with pybotters.Client(
        apis={"bitflyer": ["BITFLYER_API_KEY", "wrong"]}, base_url=BASE
    ) as client:
        with pytest.raises(DataStoreInitializeError, match=r"HTTP 401.*Invalid signature"):
            await store.initialize(client.get("/v1/me/getbalance"))
    assert len(store.balance) == 0
