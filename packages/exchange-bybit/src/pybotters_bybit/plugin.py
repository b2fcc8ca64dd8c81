"""The ``bybit`` entry point of the ``pybotters`` plugin group.

Importing this module is cheap: it pulls in neither aiohttp nor the DataStore module
(``BybitDataStore`` is named by an import string and loaded on first use).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pybotters.hookspecs import Exchange, hookimpl

from . import _signing, _ws

if TYPE_CHECKING:
    from pybotters.testing import FakeExchangeSpec

__all__ = ["EXCHANGE", "HTTP_HOSTS", "WS_HOSTS", "pybotters_exchanges", "pybotters_fake_exchanges"]

HTTP_HOSTS: dict[str, str] = {
    "api.bybit.com": "bybit",
    "api.bytick.com": "bybit",
    "api-testnet.bybit.com": "bybit_testnet",
    "api-demo.bybit.com": "bybit_demo",
}
"""REST hosts and the API name whose credential signs for each."""

WS_HOSTS: dict[str, str] = {
    "stream.bybit.com": "bybit",
    "stream.bytick.com": "bybit",
    "stream-testnet.bybit.com": "bybit_testnet",
    "stream-demo.bybit.com": "bybit_demo",
}
"""WebSocket hosts and the API name whose credential logs in on each."""

EXCHANGE = Exchange(
    name="bybit",
    plugin_api=(1, 0),
    http_hosts=HTTP_HOSTS,
    ws_hosts=WS_HOSTS,
    api_names=("bybit", "bybit_testnet", "bybit_demo"),
    sign=_signing.sign,
    ws=_ws.WS_HOOKS,
    stores={"BybitDataStore": "pybotters_bybit.store:BybitDataStore"},
)


@hookimpl
def pybotters_exchanges() -> Sequence[Exchange]:
    """Bybit v5: mainnet, testnet and demo trading."""
    return [EXCHANGE]


@hookimpl
def pybotters_fake_exchanges() -> Sequence[FakeExchangeSpec]:
    """How ``pybotters.testing`` fakes imitate Bybit (signature checks, login, pongs)."""
    from .testing import fake_exchange_spec

    return [fake_exchange_spec()]
