"""The ``pybotters`` entry point of pybotters-okx: what the core needs to know about OKX.

Importing this module is cheap: it imports neither aiohttp nor the DataStore module
(``OKXDataStore`` is given as an import string and loaded on first use).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pybotters.hookspecs import Exchange, WebSocketHooks, hookimpl

from . import _signing, _ws

if TYPE_CHECKING:
    from pybotters.testing import FakeExchangeSpec

__all__ = ["EXCHANGE", "pybotters_exchanges", "pybotters_fake_exchanges"]

EXCHANGE = Exchange(
    name="okx",
    plugin_api=(1, 0),
    http_hosts={"www.okx.com": _signing.LIVE_API_NAME, "aws.okx.com": _signing.LIVE_API_NAME},
    ws_hosts={
        "ws.okx.com": _signing.LIVE_API_NAME,
        "wsaws.okx.com": _signing.LIVE_API_NAME,
        "wspap.okx.com": _signing.DEMO_API_NAME,
    },
    api_names=(_signing.LIVE_API_NAME, _signing.DEMO_API_NAME),
    sign=_signing.sign,
    select_api_name=_signing.select_api_name,
    credential_items={_signing.LIVE_API_NAME: 3, _signing.DEMO_API_NAME: 3},
    ws=WebSocketHooks(
        authenticate=_ws.authenticate,
        needs_auth=_ws.needs_auth,
        heartbeat=_ws.HEARTBEAT,
        # No send_limit: OKX's 480 subscribe/unsubscribe/login requests per hour count per
        # connection and are far above what a bot sends, while a pacing window would also slow
        # down WebSocket order operations, which OKX limits separately (per instrument).
        send_limit=None,
    ),
    stores={"OKXDataStore": "pybotters_okx.store:OKXDataStore"},
)


@hookimpl
def pybotters_exchanges() -> Sequence[Exchange]:
    """OKX v5: www.okx.com / aws.okx.com (HTTP), ws.okx.com / wsaws.okx.com / wspap.okx.com."""
    return [EXCHANGE]


@hookimpl
def pybotters_fake_exchanges() -> Sequence[FakeExchangeSpec]:
    """OKX behaviour of the :mod:`pybotters.testing` fake servers (see :mod:`.testing`)."""
    from .testing import fake_exchange_spec

    return [fake_exchange_spec()]
