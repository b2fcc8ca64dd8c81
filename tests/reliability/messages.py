"""Hypothesis strategies: realistic exchange messages, and ways to break them.

``sequences(name)`` draws a realistic stream of one exchange (order-book snapshot then deltas
that follow its sequence rules, tickers, trades, private order events, protocol replies), as
the exchange would send it. ``broken_sequences(name)`` draws such a stream and then damages
it: keys dropped, values replaced by the wrong type (``None``, strings for numbers, numbers for
strings, nested garbage), lists emptied or wrapped, messages reordered, repeated, dropped, and
unknown channels mixed in.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

__all__ = ["UNKNOWN", "UNKNOWN_MESSAGES", "broken_sequences", "garbage", "mutated", "sequences"]

Draw = Callable[[st.SearchStrategy[Any]], Any]

# -- damage ---------------------------------------------------------------------------------

garbage: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),  # what JSON decoders accept
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "abc", "0", "-1", "1e400", "-1e400", "NaN", "inf", "0x10", "1,5", " 7 "]),
    st.text(max_size=6),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(
        st.sampled_from(["a", "p", "px", "price", "s"]), st.integers(-5, 5), max_size=2
    ),
    st.builds(lambda: [[None]]),
    st.builds(lambda: {"nested": {"garbage": [1, {"x": None}]}}),
)
"""Values of the wrong type or meaning for any field."""


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(_paths(item, (*prefix, index)))
    return paths


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


@st.composite
def mutated(draw: Draw, message: Any, max_changes: int = 3) -> Any:
    """A copy of ``message`` with 1 to ``max_changes`` random damages."""
    message = copy.deepcopy(message)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        paths = _paths(message)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["replace", "drop", "wrap", "empty", "stringify"]))
        if not path:
            if kind in ("replace", "drop"):
                message = copy.deepcopy(draw(garbage))
            elif kind == "wrap":
                message = [message]
            continue
        parent = _parent(message, path)
        key = path[-1]
        old = parent[key]
        if kind == "drop":
            del parent[key]
        elif kind == "replace":
            parent[key] = copy.deepcopy(draw(garbage))
        elif kind == "wrap":
            parent[key] = [old]
        elif kind == "empty":
            parent[key] = type(old)() if isinstance(old, (list, dict, str)) else None
        else:  # a number as a string, a string as a number, something else as its repr
            if isinstance(old, bool) or old is None:
                parent[key] = str(old).lower()
            elif isinstance(old, (int, float)):
                parent[key] = str(old)
            elif isinstance(old, str):
                try:
                    parent[key] = float(old)
                except ValueError:
                    parent[key] = len(old)
            else:
                parent[key] = repr(old)
    return message


@st.composite
def reordered(draw: Draw, messages: list[Any]) -> list[Any]:
    """Messages with some swapped, repeated or dropped."""
    messages = list(messages)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if len(messages) < 2:
            break
        i = draw(st.integers(min_value=0, max_value=len(messages) - 1))
        kind = draw(st.sampled_from(["swap", "repeat", "drop"]))
        if kind == "swap" and i + 1 < len(messages):
            messages[i], messages[i + 1] = messages[i + 1], messages[i]
        elif kind == "repeat":
            messages.insert(i, copy.deepcopy(messages[i]))
        elif kind == "drop":
            del messages[i]
    return messages


# -- numbers as exchanges write them ----------------------------------------------------------

ticks = st.integers(min_value=1, max_value=400)
sizes = st.integers(min_value=1, max_value=50_000)


def _decimal(value: int, places: int) -> str:
    text = str(value).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}"


# -- bitFlyer ---------------------------------------------------------------------------------


def _bf_channel(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


@st.composite
def _bf_board(draw: Draw, mid: int, spread: int, snapshot: bool = False) -> dict[str, Any]:
    bids = draw(st.lists(ticks, max_size=6, unique=True))
    asks = draw(st.lists(ticks, max_size=6, unique=True))
    positive = sizes.map(lambda s: s / 1000)
    size = positive if snapshot else st.one_of(st.just(0), positive)  # 0 deletes a level
    return {
        "mid_price": float(mid),
        "bids": [{"price": float(mid - spread - t), "size": draw(size)} for t in bids],
        "asks": [{"price": float(mid + spread + t), "size": draw(size)} for t in asks],
    }


@st.composite
def _bitflyer(draw: Draw) -> list[Any]:
    product = draw(st.sampled_from(["BTC_JPY", "FX_BTC_JPY"]))
    mid = draw(st.integers(min_value=5_000_000, max_value=5_001_000))
    messages: list[Any] = [
        {"jsonrpc": "2.0", "id": 1, "result": True},
        _bf_channel(f"lightning_board_snapshot_{product}", draw(_bf_board(mid, 5, True))),
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(st.sampled_from(["diff", "diff", "ticker", "executions", "child", "parent"]))
        if kind == "diff":
            mid += draw(st.integers(min_value=-3, max_value=3))
            message = _bf_channel(f"lightning_board_{product}", draw(_bf_board(mid, 1)))
        elif kind == "ticker":
            message = _bf_channel(
                f"lightning_ticker_{product}",
                {
                    "product_code": product,
                    "best_bid": mid - 5.0,
                    "best_ask": mid + 5.0,
                    "ltp": float(mid),
                    "tick_id": draw(st.integers(0, 10**6)),
                },
            )
        elif kind == "executions":
            message = _bf_channel(
                f"lightning_executions_{product}",
                [
                    {
                        "id": draw(st.integers(1, 10**9)),
                        "side": draw(st.sampled_from(["BUY", "SELL"])),
                        "price": float(mid),
                        "size": draw(sizes) / 1000,
                        "exec_date": "2024-01-01T00:00:00.000Z",
                    }
                ],
            )
        elif kind == "child":
            acceptance = f"JRF2024-{draw(st.integers(1, 5))}"
            event = draw(st.sampled_from(["ORDER", "EXECUTION", "CANCEL", "EXPIRE"]))
            item: dict[str, Any] = {
                "product_code": product,
                "child_order_id": acceptance.replace("JRF", "JOR"),
                "child_order_acceptance_id": acceptance,
                "event_date": "2024-01-01T00:00:00.000Z",
                "event_type": event,
                "side": draw(st.sampled_from(["BUY", "SELL"])),
                "price": mid,
                "size": draw(sizes) / 1000,
            }
            if event == "EXECUTION":
                item.update(
                    exec_id=draw(st.integers(1, 10**6)),
                    commission=0,
                    sfd=0,
                    outstanding_size=draw(st.sampled_from([0, 0.01])),
                )
            message = _bf_channel("child_order_events", [item])
        else:
            acceptance = f"JRF2024-P{draw(st.integers(1, 3))}"
            message = _bf_channel(
                "parent_order_events",
                [
                    {
                        "product_code": product,
                        "parent_order_id": acceptance,
                        "parent_order_type": "IFD",
                        "parent_order_acceptance_id": acceptance,
                        "event_type": draw(
                            st.sampled_from(["ORDER", "COMPLETE", "CANCEL", "TRIGGER"])
                        ),
                        "parameter_index": draw(st.integers(1, 3)),
                    }
                ],
            )
        messages.append(message)
    return messages


# -- Bybit ----------------------------------------------------------------------------------------


@st.composite
def _bybit_levels(draw: Draw, base: int, below: bool, snapshot: bool) -> list[list[str]]:
    offsets = draw(st.lists(ticks, max_size=5, unique=True))
    positive = sizes.map(lambda s: _decimal(s, 3))
    size = positive if snapshot else st.one_of(st.just("0"), positive)  # "0" deletes a level
    sign = -1 if below else 1
    return [[_decimal(base + sign * (1 + t), 1), draw(size)] for t in offsets]


@st.composite
def _bybit(draw: Draw) -> list[Any]:
    symbol = draw(st.sampled_from(["BTCUSDT", "ETHUSDT"]))
    topic = f"orderbook.50.{symbol}"
    mid = draw(st.integers(min_value=300_000, max_value=300_100))
    u = draw(st.integers(min_value=2, max_value=10**6))

    def book(kind: str) -> dict[str, Any]:
        return {
            "topic": topic,
            "type": kind,
            "ts": 1687940967466 + u,
            "data": {
                "s": symbol,
                "b": draw(_bybit_levels(mid - 2, True, kind == "snapshot")),
                "a": draw(_bybit_levels(mid + 2, False, kind == "snapshot")),
                "u": u,
                "seq": 66544703342 + u,
            },
            "cts": 1687940967464 + u,
        }

    messages: list[Any] = [
        {"success": True, "ret_msg": "", "op": "subscribe", "conn_id": "x"},
        book("snapshot"),
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(
            st.sampled_from(
                [
                    "delta",
                    "delta",
                    "trade",
                    "ticker",
                    "kline",
                    "order",
                    "wallet",
                    "position",
                    "pong",
                ]
            )
        )
        if kind == "delta":
            u += draw(st.integers(min_value=1, max_value=3))
            messages.append(book("delta"))
        elif kind == "trade":
            messages.append(
                {
                    "topic": f"publicTrade.{symbol}",
                    "type": "snapshot",
                    "ts": 1,
                    "data": [
                        {
                            "T": 1,
                            "s": symbol,
                            "S": "Buy",
                            "v": "0.001",
                            "p": _decimal(mid, 1),
                            "L": "PlusTick",
                            "i": str(draw(st.integers(1, 10**6))),
                            "BT": False,
                        }
                    ],
                }
            )
        elif kind == "ticker":
            messages.append(
                {
                    "topic": f"tickers.{symbol}",
                    "type": "delta",
                    "ts": 1,
                    "data": {"symbol": symbol, "lastPrice": _decimal(mid, 1)},
                }
            )
        elif kind == "kline":
            messages.append(
                {
                    "topic": f"kline.1.{symbol}",
                    "type": "snapshot",
                    "ts": 1,
                    "data": [
                        {
                            "start": 1,
                            "end": 2,
                            "interval": "1",
                            "open": "1",
                            "close": "1",
                            "high": "1",
                            "low": "1",
                            "volume": "1",
                            "turnover": "1",
                            "confirm": False,
                            "timestamp": 1,
                        }
                    ],
                }
            )
        elif kind == "order":
            messages.append(
                {
                    "topic": "order",
                    "id": "x",
                    "creationTime": 1,
                    "data": [
                        {
                            "orderId": f"o{draw(st.integers(1, 4))}",
                            "orderLinkId": "",
                            "symbol": symbol,
                            "category": "linear",
                            "orderStatus": draw(
                                st.sampled_from(["New", "PartiallyFilled", "Filled", "Cancelled"])
                            ),
                            "price": _decimal(mid, 1),
                            "qty": "0.01",
                        }
                    ],
                }
            )
        elif kind == "wallet":
            messages.append(
                {
                    "topic": "wallet",
                    "id": "x",
                    "creationTime": 1,
                    "data": [
                        {
                            "accountType": "UNIFIED",
                            "totalEquity": "1",
                            "coin": [
                                {"coin": draw(st.sampled_from(["USDT", "BTC"])), "equity": "1"}
                            ],
                        }
                    ],
                }
            )
        elif kind == "position":
            messages.append(
                {
                    "topic": "position",
                    "id": "x",
                    "creationTime": 1,
                    "data": [
                        {
                            "symbol": symbol,
                            "positionIdx": 0,
                            "side": "Buy",
                            "size": "0.01",
                            "category": "linear",
                        }
                    ],
                }
            )
        else:
            messages.append({"success": True, "ret_msg": "pong", "op": "ping", "conn_id": "x"})
    return messages


# -- OKX -------------------------------------------------------------------------------------------


@st.composite
def _okx_levels(draw: Draw, base: int, below: bool, snapshot: bool = True) -> list[list[str]]:
    offsets = draw(st.lists(ticks, max_size=5, unique=True))
    size = sizes.map(str) if snapshot else st.one_of(st.just("0"), sizes.map(str))
    sign = -1 if below else 1
    return [
        [_decimal(base + sign * (1 + t), 1), draw(size), "0", str(draw(st.integers(1, 9)))]
        for t in offsets
    ]


@st.composite
def _okx(draw: Draw) -> list[Any]:
    inst = draw(st.sampled_from(["BTC-USDT", "ETH-USDT-SWAP"]))
    arg = {"channel": "books", "instId": inst}
    mid = draw(st.integers(min_value=300_000, max_value=300_100))
    seq = draw(st.integers(min_value=1, max_value=10**9))

    def book(action: str, prev: int) -> dict[str, Any]:
        full = action == "snapshot"
        return {
            "arg": dict(arg),
            "action": action,
            "data": [
                {
                    "asks": draw(_okx_levels(mid + 2, False, full)),
                    "bids": draw(_okx_levels(mid - 2, True, full)),
                    "ts": "1597026383085",
                    "checksum": 0,
                    "seqId": seq,
                    "prevSeqId": prev,
                }
            ],
        }

    messages: list[Any] = [
        {"event": "subscribe", "arg": dict(arg), "connId": "a4d3ae55"},
        book("snapshot", -1),
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind = draw(
            st.sampled_from(
                [
                    "update",
                    "update",
                    "tickers",
                    "trades",
                    "candle",
                    "orders",
                    "positions",
                    "account",
                    "books5",
                ]
            )
        )
        if kind == "update":
            prev = seq
            seq += draw(st.integers(min_value=0, max_value=90))
            messages.append(book("update", prev))
        elif kind == "books5":
            messages.append(
                {
                    "arg": {"channel": "books5", "instId": "LTC-USDT"},
                    "data": [
                        {
                            "asks": draw(_okx_levels(mid + 2, False)),
                            "bids": draw(_okx_levels(mid - 2, True)),
                            "instId": "LTC-USDT",
                            "ts": "1",
                            "seqId": 1,
                        }
                    ],
                }
            )
        elif kind == "tickers":
            messages.append(
                {
                    "arg": {"channel": "tickers", "instId": inst},
                    "data": [
                        {"instType": "SPOT", "instId": inst, "last": _decimal(mid, 1), "ts": "1"}
                    ],
                }
            )
        elif kind == "trades":
            messages.append(
                {
                    "arg": {"channel": "trades", "instId": inst},
                    "data": [
                        {
                            "instId": inst,
                            "tradeId": str(draw(st.integers(1, 10**6))),
                            "px": _decimal(mid, 1),
                            "sz": "0.1",
                            "side": "buy",
                            "ts": "1",
                        }
                    ],
                }
            )
        elif kind == "candle":
            messages.append(
                {
                    "arg": {"channel": "candle1m", "instId": inst},
                    "data": [["1597026383085", "1", "2", "0.5", "1.5", "10", "10", "10", "0"]],
                }
            )
        elif kind == "orders":
            messages.append(
                {
                    "arg": {"channel": "orders", "instType": "ANY", "uid": "1"},
                    "data": [
                        {
                            "ordId": f"o{draw(st.integers(1, 4))}",
                            "instId": inst,
                            "px": "1",
                            "sz": "1",
                            "state": draw(
                                st.sampled_from(["live", "partially_filled", "filled", "canceled"])
                            ),
                        }
                    ],
                }
            )
        elif kind == "positions":
            messages.append(
                {
                    "arg": {"channel": "positions", "instType": "ANY"},
                    "data": [{"instId": inst, "mgnMode": "cross", "posSide": "net", "pos": "1"}],
                }
            )
        else:
            messages.append(
                {
                    "arg": {"channel": "account"},
                    "data": [
                        {"totalEq": "1", "uTime": "1", "details": [{"ccy": "USDT", "eq": "1"}]}
                    ],
                }
            )
    return messages


_SEQUENCES: dict[str, Callable[[], st.SearchStrategy[list[Any]]]] = {
    "bitflyer": _bitflyer,
    "bybit": _bybit,
    "okx": _okx,
}

UNKNOWN_MESSAGES: list[Any] = [
    {"topic": "unknownTopic.BTCUSDT", "data": [1, 2]},
    {"arg": {"channel": "not-a-channel", "instId": "X"}, "data": [{}]},
    {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": "lightning_unknown", "message": {}},
    },
    {"jsonrpc": "2.0", "id": 7, "error": {"code": -1, "message": "nope"}},
    {"event": "error", "code": "60012", "msg": "Invalid request"},
    {"success": False, "ret_msg": "bad topic", "op": "subscribe"},
    [],
    [1, "two"],
    "text",
    42,
    None,
    True,
    {},
]
"""Messages no store knows: unknown channels, errors, and JSON that is not an object."""
UNKNOWN: st.SearchStrategy[Any] = st.sampled_from(UNKNOWN_MESSAGES)


def sequences(name: str) -> st.SearchStrategy[list[Any]]:
    """A realistic message stream of exchange ``name``."""
    return _SEQUENCES[name]()


@st.composite
def broken_sequences(draw: Draw, name: str) -> list[Any]:
    """A realistic stream of ``name``, then damaged: mutated messages, reordering, unknowns."""
    messages = draw(sequences(name))
    for index in range(len(messages)):
        if draw(st.booleans()):
            messages[index] = draw(mutated(messages[index]))
    messages = draw(reordered(messages))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        messages.insert(draw(st.integers(0, len(messages))), copy.deepcopy(draw(UNKNOWN)))
    return messages
