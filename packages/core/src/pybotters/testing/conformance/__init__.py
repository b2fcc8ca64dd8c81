"""The conformance suite of pybotters exchange plugins: ``ExchangePluginSuite``.

An exchange plugin runs the suite against itself from its own tests, by subclassing
:class:`ExchangePluginSuite` in a test module and describing itself::

    from pybotters.testing.conformance import ExchangePluginSuite, Requirements, SigningVector

    class TestMyExchangeConformance(ExchangePluginSuite):
        entry_point = "myexchange"
        exchange = "myexchange"
        requirements = Requirements(ws_auth=True, heartbeat=True)
        credentials = {"myexchange": ["conformance-key", "conformance-secret"]}
        signing_vectors = [SigningVector(...)]
        ...

The suite checks that the installed plugin is found through its entry point and loads cleanly,
that its hosts are exact and look-alikes are never signed, that it signs deterministically
without touching the caller's data and as documented, that its fake server tells good
signatures from bad ones, that secrets never leak, that its WebSocket login and heartbeat work,
that its DataStoreCollections accept every documented channel and ignore everything else, that
it never calls a pluggy hook during traffic, and that its documentation page exists. See
``docs/plugins/conformance.md`` for every test and the :class:`Requirements` flags.

The suite is versioned with :data:`pybotters.hookspecs.PLUGIN_API`: a plugin API release may add
tests. It needs pytest (``pip install "pybotters-core[testing]"``) and runs its own event loops,
so no async pytest plugin is required. Importing this package imports pytest and nothing heavy.
"""

from __future__ import annotations

from ._cases import (
    ApiNameCase,
    ChannelSample,
    LoginVector,
    OrderBookCase,
    Requirements,
    SigningVector,
)
from ._suite import ExchangePluginSuite, requires
from ._tools import HookTripwire, find_exchange, replaced_exchange, unknown_messages

__all__ = [
    "ApiNameCase",
    "ChannelSample",
    "ExchangePluginSuite",
    "HookTripwire",
    "LoginVector",
    "OrderBookCase",
    "Requirements",
    "SigningVector",
    "find_exchange",
    "replaced_exchange",
    "requires",
    "unknown_messages",
]
