"""A throwaway certificate authority for the fake exchanges (made with trustme, on first use).

The client side trusts this CA only: a routed connection can never be mistaken for a real
exchange, and nothing else is trusted by the routed connector.
"""

from __future__ import annotations

import ssl
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    import trustme

__all__ = ["client_context", "server_context"]

_lock = threading.Lock()
_ca: trustme.CA | None = None
_client_context: ssl.SSLContext | None = None


def _authority() -> trustme.CA:
    global _ca
    with _lock:
        if _ca is None:
            try:
                import trustme
            except ImportError:
                raise ImportError(
                    "pybotters.testing needs trustme to serve TLS for the fake exchanges; "
                    "install it with: pip install 'pybotters-core[testing]'"
                ) from None
            _ca = trustme.CA(organization_name="pybotters.testing throwaway CA")
        return _ca


def client_context() -> ssl.SSLContext:
    """An SSL context for clients that trusts the throwaway CA and nothing else."""
    global _client_context
    context = _client_context
    if context is None:
        authority = _authority()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        authority.configure_trust(context)
        _client_context = context
    return context


def server_context(hosts: Iterable[str]) -> ssl.SSLContext:
    """An SSL context for a server whose certificate covers ``hosts``."""
    names = list(hosts)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _authority().issue_cert(*names).configure_cert(context)
    return context
