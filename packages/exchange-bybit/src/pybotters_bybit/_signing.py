"""Bybit v5 HTTP request signing (HMAC-SHA256, ``X-BAPI-*`` headers).

The string to sign is ``timestamp + api_key + recv_window + payload`` where ``payload`` is the
query string exactly as sent for ``GET`` and the exact body bytes for every other method, and
``recv_window`` is the ``X-BAPI-RECV-WINDOW`` header the caller set (empty when absent). The
signature is the lower-case hex HMAC-SHA256 of that string keyed by the API secret.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pybotters.hookspecs import Credential, SignRequest

__all__ = ["sign", "signature_payload"]

_JSON = "application/json"


def signature_payload(request: SignRequest, api_key: str) -> bytes:
    """Return the exact bytes Bybit expects to be signed for ``request``.

    ``request.url.raw_query_string`` is the query as it goes on the wire (percent-encoding
    kept), so the signed text and the sent text cannot differ.
    """
    timestamp = str(int(request.timestamp * 1000))
    recv_window = request.headers.get("X-BAPI-RECV-WINDOW", "")
    prefix = f"{timestamp}{api_key}{recv_window}".encode()
    if request.method == "GET":
        return prefix + request.url.raw_query_string.encode()
    return prefix + (request.body or b"")


def sign(request: SignRequest, credential: Credential) -> None:
    """Add Bybit's authentication headers to ``request`` (in place; the core's own copy).

    Only ``request.headers`` is touched: the URL and the body are signed as they are, so what is
    sent is byte-identical to what was signed.
    """
    payload = signature_payload(request, credential.key)
    signature = hmac.new(credential.secret.encode(), payload, hashlib.sha256).hexdigest()
    headers = request.headers
    headers["X-BAPI-API-KEY"] = credential.key
    headers["X-BAPI-TIMESTAMP"] = str(int(request.timestamp * 1000))
    headers["X-BAPI-SIGN"] = signature
    if request.body is not None and "Content-Type" not in headers:
        # Bybit reads POST bodies as JSON only; a body passed as str/bytes gets the type too.
        headers["Content-Type"] = _JSON
