"""The pybotters plugin module of bitFlyer Lightning (entry point ``pybotters: bitflyer``).

Importing this module stays cheap: it imports neither aiohttp nor the DataStore module; the
store is named by an import string that the core resolves on first use of
``pybotters.bitFlyerDataStore``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pybotters.hookspecs import Exchange, WebSocketHooks, hookimpl

from ._signing import sign
from ._ws import authenticate

if TYPE_CHECKING:
    from pybotters.testing import FakeExchangeSpec

__all__ = ["API_NAME", "EXCHANGE", "pybotters_exchanges", "pybotters_fake_exchanges"]

API_NAME = "bitflyer"
HTTP_HOST = "api.bitflyer.com"
WS_HOST = "ws.lightstream.bitflyer.com"

EXCHANGE = Exchange(
    name="bitflyer",
    plugin_api=(1, 0),
    http_hosts={HTTP_HOST: API_NAME},
    ws_hosts={WS_HOST: API_NAME},
    api_names=(API_NAME,),
    sign=sign,
    # data= is sent as the core's compact JSON, which bitFlyer accepts as is.
    encode_data=None,
    ws=WebSocketHooks(authenticate=authenticate),
    stores={"bitFlyerDataStore": "pybotters_bitflyer.store:bitFlyerDataStore"},
)


@hookimpl
def pybotters_exchanges() -> list[Exchange]:
    """bitFlyer Lightning: ``api.bitflyer.com`` and ``ws.lightstream.bitflyer.com``."""
    return [EXCHANGE]


@hookimpl
def pybotters_fake_exchanges() -> list[FakeExchangeSpec]:
    """How the testing kit's fake servers imitate bitFlyer (:mod:`pybotters_bitflyer.testing`)."""
    from .testing import fake_exchange_spec

    return [fake_exchange_spec()]
