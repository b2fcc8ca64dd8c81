"""OKX v5 REST signing and API-name selection.

``OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body))`` where
``timestamp`` is ISO-8601 UTC with milliseconds (``2020-12-08T09:08:57.715Z``), ``requestPath``
is the path with its query string exactly as sent, and ``body`` the exact JSON bytes sent (empty
for a GET). The passphrase travels in plain text in ``OK-ACCESS-PASSPHRASE``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING

from pybotters import CredentialsError

if TYPE_CHECKING:
    from pybotters.hookspecs import Credential, SignRequest

__all__ = [
    "DEMO_API_NAME",
    "LIVE_API_NAME",
    "iso_timestamp",
    "select_api_name",
    "sign",
    "signature",
]

LIVE_API_NAME = "okx"
DEMO_API_NAME = "okx_demo"
SIMULATED_HEADER = "x-simulated-trading"


def iso_timestamp(timestamp: float) -> str:
    """Format seconds since the epoch as OKX wants it: ``2020-12-08T09:08:57.715Z`` (UTC)."""
    millis = int(timestamp * 1000)
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def signature(secret: str, prehash: str) -> str:
    """``base64(HMAC-SHA256(secret, prehash))`` as text."""
    digest = hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def select_api_name(request: SignRequest, default: str) -> str:
    """``okx_demo`` when the request carries ``x-simulated-trading: 1``, else the host's default."""
    if request.headers.get(SIMULATED_HEADER, "").strip() == "1":
        return DEMO_API_NAME
    return default


def sign(request: SignRequest, credential: Credential) -> None:
    """Add the four ``OK-ACCESS-*`` headers to ``request`` (in place; the caller's data is not
    touched: the core hands over a request object built for this call only)."""
    passphrase = credential.passphrase
    if not passphrase:
        raise CredentialsError(
            f"the credential for {credential.api_name!r} has no passphrase; OKX needs "
            f'[KEY, SECRET, PASSPHRASE], e.g. {{"{credential.api_name}": '
            '["KEY", "SECRET", "PASSPHRASE"]}'
        )
    timestamp = iso_timestamp(request.timestamp)
    body = request.body.decode() if request.body else ""
    prehash = timestamp + request.method + request.url.raw_path_qs + body
    headers = request.headers
    headers["OK-ACCESS-KEY"] = credential.key
    headers["OK-ACCESS-SIGN"] = signature(credential.secret, prehash)
    headers["OK-ACCESS-TIMESTAMP"] = timestamp
    headers["OK-ACCESS-PASSPHRASE"] = passphrase
    if request.body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
