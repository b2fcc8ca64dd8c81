"""Plans for the examples of pages that carry no ``<!-- test: ... -->`` directives.

Each scenario names its block by a piece of code unique in the page. It says how long the
example runs, what it must print, and, where the example waits for something that only a
live exchange would send later (a private order event), pushes it at the right moment.
``test_doc_examples.py`` fails when a scenario matches no block, when two match one, and when
an example that runs a coroutine has neither a directive nor a scenario.
"""

from __future__ import annotations

from typing import Any

import pybotters

from .harness import Context, Scenario, wait_until
from .market import BITFLYER_BOARD, DOC_APIS, bybit_order, bybit_private

__all__ = ["SCENARIOS"]


async def _accepts_apis(ctx: Context) -> None:
    """The documented ``apis`` is accepted as it is: no warning, every entry usable."""
    apis = ctx.namespace["apis"]
    from pybotters._plugins import host

    known = host.registry.api_names
    assert apis and all(name in known for name in apis), apis
    async with pybotters.Client(apis=apis):  # a malformed entry would warn (an error here)
        pass


def _fed_bitflyer_store() -> dict[str, Any]:
    store = pybotters.bitFlyerDataStore()
    for product in ("BTC_JPY", "FX_BTC_JPY"):
        channel = f"lightning_board_snapshot_{product}"
        store.onmessage(
            {
                "jsonrpc": "2.0",
                "method": "channelMessage",
                "params": {"channel": channel, "message": BITFLYER_BOARD},
            }
        )
    return {"store": store}


async def _sorted_board(ctx: Context) -> None:
    board = ctx.namespace["board"]
    asks = [level["price"] for level in board["asks"]]
    bids = [level["price"] for level in board["bids"]]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True) and asks and bids
    assert {level["product_code"] for level in board["asks"]} == {"FX_BTC_JPY"}


async def _bitflyer_store_attributes(ctx: Context) -> None:
    store = ctx.namespace["store"]
    assert [type(store[name]).__name__ for name in ("ticker", "executions", "board")] == [
        "Ticker",
        "Executions",
        "Board",
    ]


async def _bybit_store(ctx: Context) -> None:
    assert isinstance(ctx.namespace["store"], pybotters.BybitDataStore)


async def _bot_module(ctx: Context) -> None:
    assert callable(ctx.namespace["buy_at_best_bid"])


async def _plugin_module(ctx: Context) -> None:
    from pybotters.hookspecs import Exchange

    [exchange] = ctx.namespace["pybotters_exchanges"]()
    assert isinstance(exchange, Exchange) and exchange.name == "example"


async def _bybit_order_filled(ctx: Context) -> None:
    """Once the example printed the initial state, Bybit reports the order filled."""
    endpoint = ctx.fakes["bybit"].websocket("/v5/private")
    session = await endpoint.wait_session()
    await wait_until(
        lambda: "order" in session.state.get("bybit_topics", set()) and len(ctx.lines()) >= 2,
        lambda: f"the private subscription and two printed lines; printed: {ctx.lines()}",
    )
    await session.send(bybit_private("order", bybit_order("o-1", "Filled")))


async def _bybit_order_signed(ctx: Context) -> None:
    [request] = ctx.fakes["bybit"].requests
    assert request.headers["X-BAPI-RECV-WINDOW"] == "10000"
    assert request.headers["X-BAPI-API-KEY"] == DOC_APIS["bybit"][0]


async def _okx_demo_key(ctx: Context) -> None:
    [request] = ctx.fakes["okx"].requests
    assert request.headers["OK-ACCESS-KEY"] == DOC_APIS["okx_demo"][0]


async def _okx_login_first(ctx: Context) -> None:
    [session] = ctx.fakes["okx"].websocket("/ws/v5/private").sessions
    await session.wait_message({"op": "subscribe"})
    assert session.received[0]["op"] == "login"


async def _unsigned_order_refused(ctx: Context) -> None:
    # No credentials: the order went out unsigned and the exchange refused it.
    [request] = ctx.fakes["bitflyer"].requests
    assert (request.method, request.path) == ("POST", "/v1/me/sendchildorder")
    assert request.rejected is not None and "Authentication required" in request.rejected


async def _base_url_applied(ctx: Context) -> None:
    fake = ctx.fakes["bitflyer"]
    assert [r.raw_path for r in fake.requests] == ["/v1/getticker", "/v1/getboard"]
    [session] = fake.websocket("/json-rpc").sessions
    assert (session.host, session.path) == ("ws.lightstream.bitflyer.com", "/json-rpc")


async def _signed_balance(ctx: Context) -> None:
    [request] = ctx.fakes["bitflyer"].requests
    assert request.headers["ACCESS-KEY"] == DOC_APIS["bitflyer"][0] and request.rejected is None


async def _logged_in_first(ctx: Context) -> None:
    [session] = ctx.fakes["bitflyer"].websocket("/json-rpc").sessions
    assert [m["method"] for m in session.received[:2]] == ["auth", "subscribe"]


SCENARIOS: list[Scenario] = [
    # -- guide.md (its directives say how each sample runs; these add checks) -----------------
    Scenario(
        "guide.md",
        '"https://api.bitflyer.com/v1/me/sendchildorder"',
        allow_rejected=True,
        check=_unsigned_order_refused,
    ),
    Scenario("guide.md", 'Client(base_url="https://api.bitflyer.com")', check=_base_url_applied),
    Scenario("guide.md", '"https://api.bitflyer.com/v1/me/getbalance"', check=_signed_balance),
    Scenario("guide.md", '"id": 123', check=_logged_in_first),
    Scenario(
        "guide.md",
        "^>>> store = pybotters.bitFlyerDataStore()",
        # The store classes live in the plugin, not in pybotters.models (see the page's note).
        doctest_replace=(("pybotters.models.bitflyer.", "pybotters_bitflyer.store."),),
    ),
    # -- http.md -------------------------------------------------------------------------------
    Scenario(
        "http.md",
        '"https://api.bitflyer.com/v1/getticker"',
        mode="ends",
        expect=("200 OK", "'product_code': 'BTC_JPY'"),
    ),
    Scenario("http.md", '"OKX_API_KEY", "OKX_API_SECRET", "OKX_PASSPHRASE"', check=_accepts_apis),
    # -- datastore.md --------------------------------------------------------------------------
    Scenario("datastore.md", "store.ticker      #", check=_bitflyer_store_attributes),
    Scenario(
        "datastore.md",
        "# Connects to bitFlyer: needs the network and pybotters-bitflyer.",
        mode="prints",
        expect=("'product_code': 'BTC_JPY', 'state': 'RUNNING'",),
    ),
    Scenario(
        "datastore.md",
        "# Connects to bitFlyer: needs the network, an API key",
        mode="prints",
        expect=("[{'product_code': 'FX_BTC_JPY', 'side': 'BUY', 'price': 6000000",),
    ),
    Scenario(
        "datastore.md",
        "board = store.board.sorted(limit=2)",
        namespace=_fed_bitflyer_store,
        check=_sorted_board,
    ),
    Scenario(
        "datastore.md",
        "async def feed():",
        mode="ends",
        expect=("[{'product_code': 'BTC_JPY', 'ltp': 10000000}]",),
    ),
    Scenario(
        "datastore.md",
        "executions.watch() as stream",
        mode="ends",
        expect=("insert {'side': 'BUY', 'price': 100, 'size': 0.01}",),
    ),
    Scenario(
        "datastore.md", "class ExampleDataStore(DataStoreCollection)", expect=("65001 64999.5",)
    ),
    # -- testing.md ----------------------------------------------------------------------------
    Scenario("testing.md", "async def buy_at_best_bid(", check=_bot_module),
    Scenario("testing.md", 'FakeExchange("demo", hosts=["api.demo.example"])', mode="ends"),
    # -- plugins/authoring.md ------------------------------------------------------------------
    Scenario(
        "plugins/authoring.md",
        'pybotters_command(["plugins"])',
        expect=(
            "example: signs for api.example-exchange.test, logs in on "
            "wss://stream.example-exchange.test/private",
            "balance: {'USD': 100}",
        ),
    ),
    Scenario(
        "plugins/authoring.md", '^"""The pybotters plugin of the Example', check=_plugin_module
    ),
    # -- reliability.md ------------------------------------------------------------------------
    Scenario(
        "reliability.md",
        '"lookalike", hosts=["api.bitflyer.com.evil.example"]',
        expect=(
            "https signed: True\nlook-alike signed: False\n"
            "http signed: False InsecureSigningWarning\nredirect followed: False",
        ),
    ),
    Scenario(
        "reliability.md",
        "# the passphrase is missing",
        expect=(
            "<pybotters.Client base_url='' apis=[] closed=False>\n"
            "apis['okx'] is malformed: it has 2 item(s) but okx needs [KEY, SECRET, PASSPHRASE] "
            "(the passphrase is missing)",
        ),
    ),
    # -- plugins/bitflyer.md -------------------------------------------------------------------
    Scenario(
        "plugins/bitflyer.md",
        '^apis = {"bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"]}',
        check=_accepts_apis,
    ),
    Scenario(
        "plugins/bitflyer.md",
        '"/v1/me/sendchildorder"',
        mode="ends",
        expect=("200 {'child_order_acceptance_id': 'JRF20240101-000000-000001'}",),
    ),
    Scenario(
        "plugins/bitflyer.md",
        'client.get("/v1/me/getcollateral")',
        mode="ends",
        expect=(
            "[{'product_code': 'FX_BTC_JPY', 'side': 'BUY', 'price': 6000000, 'size': 0.01",
            "[{'collateral': 100000",
        ),
    ),
    Scenario(
        "plugins/bitflyer.md",
        "best ask:",
        mode="ends",
        expect=("best ask: 6200100.0 best bid: 6200000.0",),
    ),
    Scenario(
        "plugins/bitflyer.md",
        'FakeExchange("bitflyer"',
        mode="ends",
        expect=("{'product_code': 'BTC_JPY', 'ltp': 6200000.0}",),
    ),
    # -- plugins/bybit.md ----------------------------------------------------------------------
    Scenario("plugins/bybit.md", '"bybit_demo": ["BYBIT_DEMO_API_KEY"', check=_accepts_apis),
    Scenario(
        "plugins/bybit.md",
        '"/v5/order/create"',
        mode="ends",
        expect=("200 0 {'orderId': '1321003749386327552', 'orderLinkId': ''}",),
        check=_bybit_order_signed,
    ),
    Scenario(
        "plugins/bybit.md",
        '"op": "order.create"',
        mode="ends",
        expect=("0 {'orderId': 'a4c1718e', 'orderLinkId': ''}",),
    ),
    Scenario("plugins/bybit.md", "^store = pybotters.BybitDataStore()", check=_bybit_store),
    Scenario(
        "plugins/bybit.md",
        "await store.initialize(",
        mode="ends",
        expect=("[('BTCUSDT', 'Buy', '0.01')]\n[('o-1', '25000', '0.001')]\n[]",),
        drive=_bybit_order_filled,
    ),
    Scenario(
        "plugins/bybit.md",
        '"orderbook.50.BTCUSDT"',
        mode="ends",
        expect=("best ask: 30248.70 best bid: 30247.20",),
    ),
    Scenario(
        "plugins/bybit.md",
        'FakeExchange("bybit"',
        mode="ends",
        expect=("1688639403\n{'symbol': 'BTCUSDT', 'lastPrice': '21109.77'}",),
    ),
    # -- plugins/okx.md ------------------------------------------------------------------------
    Scenario("plugins/okx.md", '"/api/v5/trade/order"', mode="ends", expect=("1234.5\n567",)),
    Scenario(
        "plugins/okx.md",
        "DEMO = {",
        mode="ends",
        expect=("0",),
        check=_okx_demo_key,
    ),
    Scenario(
        "plugins/okx.md",
        '{"channel": "trades", "instId": "BTC-USDT"}',
        mode="ends",
        expect=("best ask 30001.5 best bid 30001",),
    ),
    Scenario(
        "plugins/okx.md",
        "/api/v5/trade/orders-pending",
        mode="ends",
        expect=("['11']\n['BTC-USDT-SWAP']",),
        check=_okx_login_first,
    ),
]
