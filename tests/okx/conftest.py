"""Shared data of the OKX tests: credentials and message builders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

APIS: dict[str, list[str]] = {
    "okx": ["live-key-0001", "live-secret-s3cr3t", "live-pass-p4ss"],
    "okx_demo": ["demo-key-0002", "demo-secret-s3cr3t", "demo-pass-p4ss"],
}
SECRETS = ("live-secret-s3cr3t", "live-pass-p4ss", "demo-secret-s3cr3t", "demo-pass-p4ss")


def book_msg(
    action: str | None,
    asks: list[list[str]],
    bids: list[list[str]],
    *,
    seq: int | None = None,
    prev: int | None = None,
    checksum: int | None = 0,
    inst_id: str = "BTC-USDT",
    channel: str = "books",
    ts: str = "1597026383085",
) -> dict[str, Any]:
    """One OKX v5 order-book push."""
    book: dict[str, Any] = {"asks": asks, "bids": bids, "ts": ts}
    if checksum is not None:
        book["checksum"] = checksum
    if seq is not None:
        book["seqId"] = seq
    if prev is not None:
        book["prevSeqId"] = prev
    msg: dict[str, Any] = {"arg": {"channel": channel, "instId": inst_id}, "data": [book]}
    if action is not None:
        msg["action"] = action
    return msg


def level(px: str, sz: str, orders: str = "1") -> list[str]:
    return [px, sz, "0", orders]


async def until(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` is true; state changed by other tasks is polled briefly."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - no single event covers every predicate
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)
