"""Exceptions and warnings raised by pybotters.

Exception tree::

    PybottersError
    ├── PluginError
    │   ├── PluginLoadError           a plugin could not be imported or registered
    │   ├── PluginConflictError       two plugins claim the same host, API name or store name
    │   └── PluginCompatibilityError  a plugin targets a plugin API this core does not provide
    ├── CredentialsError              an `apis` entry is missing, malformed or unreadable
    ├── DataStoreInitializeError      initialize() got an HTTP error, non-JSON or unknown endpoint
    └── WebSocketAuthError            an exchange refused a WebSocket login

    PluginWarning (UserWarning)       a plugin was skipped; the others keep working
    InsecureSigningWarning (UserWarning)  a request to an exchange host went out unsigned over
                                          plain http/ws

Every message says what was wrong and what to do about it. No message ever contains a secret.
"""

from __future__ import annotations

__all__ = [
    "CredentialsError",
    "DataStoreInitializeError",
    "InsecureSigningWarning",
    "PluginCompatibilityError",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginWarning",
    "PybottersError",
    "WebSocketAuthError",
]


class PybottersError(Exception):
    """Base class of every error raised by pybotters itself."""


class PluginError(PybottersError):
    """Something is wrong with an installed exchange plugin."""


class PluginLoadError(PluginError):
    """A plugin could not be imported or its hooks did not validate."""


class PluginConflictError(PluginError):
    """Two plugins claim the same host, API name or DataStoreCollection name."""


class PluginCompatibilityError(PluginError):
    """A plugin targets a plugin API version that this pybotters-core does not provide."""


class CredentialsError(PybottersError):
    """An API credential is missing, malformed or could not be read."""


class DataStoreInitializeError(PybottersError, ValueError):
    """``DataStoreCollection.initialize()`` got an HTTP error, a non-JSON body, or a response
    from an endpoint the collection cannot load."""


class WebSocketAuthError(PybottersError):
    """The exchange refused the WebSocket login (bad key, signature or permissions)."""


class PluginWarning(UserWarning):
    """A plugin was skipped; pybotters and the other plugins keep working."""


class InsecureSigningWarning(UserWarning):
    """A request to an exchange host was sent unsigned because it was not over TLS."""
