# ruff: noqa: E501
"""The code samples of the pybotters user guide, byte for byte.

Each entry is one sample exactly as the guide prints it, with the line of the guide's text
where it starts. Do not reformat them: test_guide_samples.py runs them unchanged
against the fake bitFlyer and checks that they are still identical to the guide.
"""

from __future__ import annotations

__all__ = ["SAMPLES"]

# name -> (line in the guide, source)
SAMPLES: dict[str, tuple[int, str]] = {}

SAMPLES["client_class"] = (
    13,
    r"""import asyncio

import pybotters


async def main():
    async with pybotters.Client() as client:
        ...


asyncio.run(main())
""",
)

SAMPLES["fetch_api"] = (
    49,
    r"""async def main():
    async with pybotters.Client() as client:
        result = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        )
        print(result.response.status, result.response.reason)
        print(result.data)
""",
)

SAMPLES["http_method_api"] = (
    71,
    r"""async def main():
    async with pybotters.Client() as client:
        async with client.request(
            "GET",
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        ) as resp:
            data = await resp.json()
        print(data)

        async with client.get(
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        ) as resp:
            data = await resp.json()
        print(data)
""",
)

SAMPLES["params_undefined_r"] = (
    96,
    r"""async def main():
    async with pybotters.Client() as client:
        result = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        )
        print(r.response.status, r.response.reason)
        print(result.data)
""",
)

SAMPLES["data_undefined_r"] = (
    108,
    r"""async def main():
    async with pybotters.Client() as client:
        result = await client.fetch(
            "POST",
            "https://api.bitflyer.com/v1/me/sendchildorder",
            data={"product_code": "BTC_JPY", "child_order_type": "MARKET", "size": 0.01},
        )  # NOTE: Authentication is required
        print(r.response.status, r.response.reason)
        print(result.data)
""",
)

SAMPLES["response_headers"] = (
    134,
    r"""async def main():
    async with pybotters.Client() as client:
        # Fetch API
        r = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        )
        print(r.response.headers)

        # HTTP method API
        async with client.get(
            "https://api.bitflyer.com/v1/getticker", params={"product_code": "BTC_JPY"}
        ) as resp:
            print(resp.headers)
""",
)

SAMPLES["response_data"] = (
    152,
    r"""async def main():
    async with pybotters.Client() as client:
        # Fetch API
        r = await client.fetch(
            "GET",
            "https://api.bitflyer.com/v1/getticker",
            params={"product_code": "BTC_JPY"},
        )
        print(r.data)

        # HTTP method API
        async with client.get(
            "https://api.bitflyer.com/v1/getticker", params={"product_code": "BTC_JPY"}
        ) as resp:
            data = await resp.json()
            print(data)
""",
)

SAMPLES["base_url"] = (
    175,
    r"""async def main():
    async with pybotters.Client(base_url="https://api.bitflyer.com") as client:
        r = await client.fetch("GET", "/v1/getticker")
        r = await client.fetch("GET", "/v1/getboard")

        await client.ws_connect("wss://ws.lightstream.bitflyer.com/json-rpc")  # Base URL is not applicable
""",
)

SAMPLES["websocket_api"] = (
    190,
    r"""async def main():
    async with pybotters.Client() as client:
        ws = await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_ticker_BTC_JPY"},
            },
            hdlr_json=lambda msg, ws: print(msg),
        )
        await ws.wait()  # Ctrl+C to break
""",
)

SAMPLES["authentication_http"] = (
    233,
    r"""async def main():
    apis = {
        "bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"],
    }
    async with pybotters.Client(apis=apis) as client:
        result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
        print(result.data)
""",
)

SAMPLES["authentication_ws"] = (
    245,
    r"""async def main():
    apis = {
    "bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"],
    }
    async with pybotters.Client(apis=apis) as client:
        ws = await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={
                "method": "subscribe",
                "params": {"channel": "child_order_events"},
                "id": 123,
            },
            hdlr_json=lambda msg, ws: print(msg),
        )
        await ws.wait()  # Ctrl+C to break
""",
)

SAMPLES["apis_format"] = (
    267,
    r"""{
    "API_NAME": [
        "YOUR_API_KEY",
        "YOUR_API_SECRET",
        # "API_PASSPHRASE",  # Optional
    ],
    "...": ["...", "..."],
}
""",
)

SAMPLES["apis_json_file"] = (
    356,
    r"""async def main():
    async with pybotters.Client(apis="/path/to/apis.json") as client:
        ...
""",
)

SAMPLES["datastore_doctest"] = (
    368,
    r""">>> ds = pybotters.DataStore(
...     keys=["id"],
...     data=[
...         {"id": 1, "data": "foo"},
...         {"id": 2, "data": "bar"},
...         {"id": 3, "data": "baz"},
...         {"id": 4, "data": "foo"},
...     ],
... )
>>> print(ds.get({"id": 1}))
{'id': 1, 'data': 'foo'}
>>> print(ds.get({"id": 999}))
None
>>> print(ds.find())
[{'id': 1, 'data': 'foo'}, {'id': 2, 'data': 'bar'}, {'id': 3, 'data': 'baz'}, {'id': 4, 'data': 'foo'}]
>>> print(ds.find({"data": "foo"}))
[{'id': 1, 'data': 'foo'}, {'id': 4, 'data': 'foo'}]
>>> print(ds.find({"id": "SPAM"}))
[]
""",
)

SAMPLES["attributes_doctest"] = (
    429,
    r""">>> store = pybotters.bitFlyerDataStore()
>>> store.ticker
<pybotters.models.bitflyer.Ticker object at 0x7f766b9d67f0>
>>> store.executions
<pybotters.models.bitflyer.Executions object at 0x7f766b9d6730>
>>> store.board
<pybotters.models.bitflyer.Board object at 0x7f7666398d90>
""",
)

SAMPLES["onmessage"] = (
    445,
    r"""async def main():
    async with pybotters.Client() as client:
        store = pybotters.bitFlyerDataStore()

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_ticker_BTC_JPY"},
                "id": 1,
            },
            hdlr_json=store.onmessage,
        )

        while True:  # Ctrl+C to break
            ticker = store.ticker.get({"product_code": "BTC_JPY"})
            print(ticker)

            await store.ticker.wait()
""",
)

SAMPLES["initialize"] = (
    473,
    r"""async def main():
    apis = {
    "bitflyer": ["BITFLYER_API_KEY", "BITFLYER_API_SECRET"],
    }
    async with pybotters.Client(apis=apis, base_url="https://api.bitflyer.com") as client:
        store = pybotters.bitFlyerDataStore()

        await store.initialize(
            client.get("/v1/me/getpositions", params={"product_code": "FX_BTC_JPY"})
        )

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json=[
                {
                    "method": "subscribe",
                    "params": {"channel": "child_order_events"},
                    "id": 1,
                },
            ],
            hdlr_json=store.onmessage,
        )

        while True:  # Ctrl+C to break
            positions = store.positions.find()
            print(positions)

            await store.positions.wait()
""",
)

SAMPLES["sorted"] = (
    512,
    r"""async def main():
    async with pybotters.Client() as client:
        store = pybotters.bitFlyerDataStore()

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json=[
                {
                    "method": "subscribe",
                    "params": {"channel": "lightning_board_snapshot_BTC_JPY"},
                    "id": 1,
                },
                {
                    "method": "subscribe",
                    "params": {"channel": "lightning_board_BTC_JPY"},
                    "id": 2,
                },
            ],
            hdlr_json=store.onmessage,
        )

        while True:  # Ctrl+C to break
            board = store.board.sorted(limit=2)
            print(board)

            await store.board.wait()
""",
)

SAMPLES["wait"] = (
    547,
    r"""async def main():
    async with pybotters.Client() as client:
        store = pybotters.bitFlyerDataStore()

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json=[
                {
                    "method": "subscribe",
                    "params": {"channel": "lightning_ticker_BTC_JPY"},
                    "id": 1,
                },
                {
                    "method": "subscribe",
                    "params": {"channel": "lightning_ticker_ETH_JPY"},
                    "id": 2,
                },
            ],
            hdlr_json=store.onmessage,
        )

        while not len(store.ticker):
            await store.ticker.wait()

        print(store.ticker.find())
""",
)

SAMPLES["watch"] = (
    581,
    r"""async def main():
    async with pybotters.Client() as client:
        store = pybotters.bitFlyerDataStore()

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_executions_BTC_JPY"},
                "id": 1,
            },
            hdlr_json=store.onmessage,
        )

        with store.executions.watch() as stream:
            async for change in stream:  # Ctrl+C to break
                print(change.data)
""",
)

SAMPLES["websocket_queue"] = (
    603,
    r"""async def main():
    async with pybotters.Client() as client:
        wsqueue = pybotters.WebSocketQueue()

        await client.ws_connect(
            "wss://ws.lightstream.bitflyer.com/json-rpc",
            send_json={
                "method": "subscribe",
                "params": {"channel": "lightning_ticker_BTC_JPY"},
            },
            hdlr_json=wsqueue.onmessage,
        )

        async for msg in wsqueue:  # Ctrl+C to break
            print(msg)
""",
)
