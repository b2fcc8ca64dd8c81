"""Realistic Bybit v5 messages (shapes and values from Bybit's v5 API documentation)."""

from __future__ import annotations

from typing import Any


def book(
    kind: str,
    u: int,
    bids: list[list[str]],
    asks: list[list[str]],
    *,
    symbol: str = "BTCUSDT",
    depth: int = 50,
    seq: int | None = None,
) -> dict[str, Any]:
    """An ``orderbook.{depth}.{symbol}`` message."""
    return {
        "topic": f"orderbook.{depth}.{symbol}",
        "type": kind,
        "ts": 1687940967466 + u,
        "data": {
            "s": symbol,
            "b": bids,
            "a": asks,
            "u": u,
            "seq": seq if seq is not None else 66544703342 + u,
        },
        "cts": 1687940967464 + u,
    }


BOOK_SNAPSHOT: dict[str, Any] = book(
    "snapshot",
    177400506,
    bids=[["30247.20", "29.980"], ["30240.00", "0.100"], ["30235.50", "1.250"]],
    asks=[["30248.70", "0.500"], ["30249.30", "1.004"], ["30250.00", "3.000"]],
)
# The delta of Bybit's documentation, following the snapshot above.
BOOK_DELTA: dict[str, Any] = book(
    "delta",
    177400507,
    bids=[["30247.20", "30.028"], ["30240.00", "0"]],
    asks=[["30248.70", "0"], ["30249.30", "0.892"]],
)

TRADE: dict[str, Any] = {
    "topic": "publicTrade.BTCUSDT",
    "type": "snapshot",
    "ts": 1672304486868,
    "data": [
        {
            "T": 1672304486865,
            "s": "BTCUSDT",
            "S": "Buy",
            "v": "0.001",
            "p": "16578.50",
            "L": "PlusTick",
            "i": "20f43950-d8dd-5b31-9112-a178eb6023af",
            "BT": False,
            "seq": 1783284617,
        },
        {
            "T": 1672304486865,
            "s": "BTCUSDT",
            "S": "Sell",
            "v": "0.010",
            "p": "16578.00",
            "L": "MinusTick",
            "i": "20f43950-d8dd-5b31-9112-a178eb6023b0",
            "BT": False,
            "seq": 1783284617,
        },
    ],
}

TICKER_SNAPSHOT: dict[str, Any] = {
    "topic": "tickers.BTCUSDT",
    "type": "snapshot",
    "data": {
        "symbol": "BTCUSDT",
        "tickDirection": "PlusTick",
        "price24hPcnt": "0.017103",
        "lastPrice": "17216.00",
        "prevPrice24h": "16926.50",
        "highPrice24h": "17281.50",
        "lowPrice24h": "16915.00",
        "prevPrice1h": "17238.00",
        "markPrice": "17217.33",
        "indexPrice": "17227.36",
        "openInterest": "68744.761",
        "openInterestValue": "1183601235.91",
        "turnover24h": "1570383121.943499",
        "volume24h": "91705.276",
        "nextFundingTime": "1673280000000",
        "fundingRate": "-0.000212",
        "bid1Price": "17215.50",
        "bid1Size": "84.489",
        "ask1Price": "17216.00",
        "ask1Size": "83.020",
    },
    "cs": 24987956059,
    "ts": 1673272861686,
}
TICKER_DELTA: dict[str, Any] = {
    "topic": "tickers.BTCUSDT",
    "type": "delta",
    "data": {"symbol": "BTCUSDT", "bid1Price": "17215.00", "bid1Size": "12.001"},
    "cs": 24987956060,
    "ts": 1673272861786,
}
SPOT_TICKER: dict[str, Any] = {
    "topic": "tickers.ETHUSDT",
    "ts": 1673853746003,
    "type": "snapshot",
    "cs": 2588407389,
    "data": {
        "symbol": "ETHUSDT",
        "lastPrice": "1562.41",
        "highPrice24h": "1600.00",
        "lowPrice24h": "1500.10",
        "prevPrice24h": "1550.93",
        "volume24h": "6780.866843",
        "turnover24h": "10546527.22907118",
        "price24hPcnt": "0.0074",
        "usdIndexPrice": "1563.2400136",
    },
}


def kline(confirm: bool, close: str, topic: str = "kline.5.BTCUSDT") -> dict[str, Any]:
    return {
        "topic": topic,
        "data": [
            {
                "start": 1672324800000,
                "end": 1672325099999,
                "interval": "5",
                "open": "16649.5",
                "close": close,
                "high": "16677",
                "low": "16608",
                "volume": "2.081",
                "turnover": "34666.4005",
                "confirm": confirm,
                "timestamp": 1672324988882,
            }
        ],
        "ts": 1672324988882,
        "type": "snapshot",
    }


ALL_LIQUIDATION: dict[str, Any] = {
    "topic": "allLiquidation.ROSEUSDT",
    "type": "snapshot",
    "ts": 1739502303204,
    "data": [{"T": 1739502302929, "s": "ROSEUSDT", "S": "Sell", "v": "20000", "p": "0.04499"}],
}

LT_KLINE: dict[str, Any] = {
    "type": "snapshot",
    "topic": "kline_lt.5.EOS3LUSDT",
    "data": [
        {
            "start": 1672325100000,
            "end": 1672325399999,
            "interval": "5",
            "open": "0.416039541212402799",
            "close": "0.41477848043290448",
            "high": "0.416039541212402799",
            "low": "0.409734237314911206",
            "confirm": False,
            "timestamp": 1672325322393,
        }
    ],
    "ts": 1672325322393,
}

LT_TICKER: dict[str, Any] = {
    "topic": "tickers_lt.EOS3LUSDT",
    "ts": 1672325446847,
    "type": "snapshot",
    "data": {
        "symbol": "EOS3LUSDT",
        "lastPrice": "0.41477848043290448",
        "highPrice24h": "0.435285472510871305",
        "lowPrice24h": "0.394601507960931382",
        "prevPrice24h": "0.431502290172376349",
        "price24hPcnt": "-0.0388",
    },
}

LT_NAV: dict[str, Any] = {
    "topic": "lt.EOS3LUSDT",
    "ts": 1672325564669,
    "type": "snapshot",
    "data": {
        "symbol": "EOS3LUSDT",
        "time": 1672325564554,
        "nav": "0.413517419653406162",
        "basketPosition": "1.261060779498318641",
        "leverage": "2.656197506416192150",
        "basketLoan": "-0.684866519289629374",
        "circulation": "72767.309468460367138199",
        "basket": "91764.000000292013277472",
    },
}

LIQUIDATION: dict[str, Any] = {
    "data": {
        "price": "0.03803",
        "side": "Buy",
        "size": "1637",
        "symbol": "GALAUSDT",
        "updatedTime": 1673251091822,
    },
    "topic": "liquidation.GALAUSDT",
    "ts": 1673251091822,
    "type": "snapshot",
}


def position(size: str, side: str = "Buy", idx: int = 0, **extra: Any) -> dict[str, Any]:
    item = {
        "positionIdx": idx,
        "tradeMode": 0,
        "riskId": 1,
        "riskLimitValue": "2000000",
        "symbol": "BTCUSDT",
        "side": side,
        "size": size,
        "entryPrice": "30000.5",
        "sessionAvgPrice": "",
        "leverage": "10",
        "positionValue": "30.0005",
        "positionBalance": "3.0001",
        "markPrice": "30001.12",
        "positionIM": "3.0001",
        "positionMM": "0.15",
        "takeProfit": "0",
        "stopLoss": "0",
        "trailingStop": "0",
        "unrealisedPnl": "0.00062",
        "curRealisedPnl": "-0.0165",
        "cumRealisedPnl": "-12.3",
        "createdTime": "1672121182216",
        "updatedTime": "1672364262444",
        "tpslMode": "Full",
        "liqPrice": "",
        "bustPrice": "",
        "category": "linear",
        "positionStatus": "Normal",
        "adlRankIndicator": 2,
        "autoAddMargin": 0,
        "leverageSysUpdatedTime": "",
        "mmrSysUpdatedTime": "",
        "seq": 8172241024,
        "isReduceOnly": False,
    }
    item.update(extra)
    return item


def private(topic: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{topic}-5923240c6880ab-c59f-420b",
        "topic": topic,
        "creationTime": 1672364262474,
        "data": list(items),
    }


EXECUTION_ITEM: dict[str, Any] = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "execFee": "0.005061",
    "execId": "7e2ae69c-4edf-5800-a352-893d52b446aa",
    "execPrice": "30000.5",
    "execQty": "0.001",
    "execType": "Trade",
    "execValue": "30.0005",
    "isMaker": False,
    "feeRate": "0.00055",
    "tradeIv": "",
    "markIv": "",
    "blockTradeId": "",
    "markPrice": "30001.12",
    "indexPrice": "",
    "underlyingPrice": "",
    "leavesQty": "0",
    "orderId": "c1956690-b731-4191-97c0-94b00422231b",
    "orderLinkId": "",
    "orderPrice": "30000.5",
    "orderQty": "0.001",
    "orderType": "Market",
    "stopOrderType": "UNKNOWN",
    "side": "Buy",
    "execTime": "1672364174443",
    "isLeverage": "0",
    "closedSize": "",
    "seq": 4688002127,
}


def order(order_id: str, status: str, link_id: str = "", **extra: Any) -> dict[str, Any]:
    item = {
        "category": "linear",
        "symbol": "BTCUSDT",
        "orderId": order_id,
        "orderLinkId": link_id,
        "blockTradeId": "",
        "side": "Buy",
        "positionIdx": 0,
        "orderStatus": status,
        "cancelType": "UNKNOWN",
        "rejectReason": "EC_NoError",
        "timeInForce": "GTC",
        "isLeverage": "",
        "price": "29000.0",
        "qty": "0.010",
        "avgPrice": "",
        "leavesQty": "0.010",
        "leavesValue": "290",
        "cumExecQty": "0",
        "cumExecValue": "0",
        "cumExecFee": "0",
        "orderType": "Limit",
        "stopOrderType": "",
        "orderIv": "",
        "triggerPrice": "",
        "takeProfit": "",
        "stopLoss": "",
        "triggerBy": "",
        "tpTriggerBy": "",
        "slTriggerBy": "",
        "triggerDirection": 0,
        "placeType": "",
        "lastPriceOnCreated": "30000.5",
        "closeOnTrigger": False,
        "reduceOnly": False,
        "smpGroup": 0,
        "smpType": "None",
        "smpOrderId": "",
        "createdTime": "1672364262444",
        "updatedTime": "1672364262457",
    }
    item.update(extra)
    return item


def coin(name: str, wallet_balance: str) -> dict[str, Any]:
    return {
        "coin": name,
        "equity": wallet_balance,
        "usdValue": wallet_balance,
        "walletBalance": wallet_balance,
        "availableToWithdraw": wallet_balance,
        "availableToBorrow": "",
        "borrowAmount": "0",
        "accruedInterest": "0",
        "totalOrderIM": "0",
        "totalPositionIM": "0",
        "totalPositionMM": "0",
        "unrealisedPnl": "0",
        "cumRealisedPnl": "-1100.6552094",
        "bonus": "0",
        "collateralSwitch": True,
        "marginCollateral": True,
        "locked": "0",
    }


def wallet(*coins: dict[str, Any], equity: str = "19620.93864593") -> dict[str, Any]:
    return {
        "accountIMRate": "0.4782",
        "accountMMRate": "0.0151",
        "totalEquity": equity,
        "totalWalletBalance": "18331.93856433",
        "totalMarginBalance": "18230.83251552",
        "totalAvailableBalance": "9511.52641225",
        "totalPerpUPL": "-101.10604881",
        "totalInitialMargin": "8719.30610327",
        "totalMaintenanceMargin": "277.05763376",
        "coin": list(coins),
        "accountLTV": "0",
        "accountType": "UNIFIED",
    }


GREEKS: dict[str, Any] = private(
    "greeks",
    {
        "baseCoin": "ETH",
        "totalDelta": "0.06999986",
        "totalGamma": "-0.00000001",
        "totalVega": "-0.00000024",
        "totalTheta": "0.00001314",
    },
)


def rest(result: dict[str, Any]) -> dict[str, Any]:
    """Bybit's REST envelope."""
    return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 1672364262482}
