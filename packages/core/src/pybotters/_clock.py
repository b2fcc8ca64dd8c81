"""The clock used for signatures: one place to freeze time in tests."""

from __future__ import annotations

import time

__all__ = ["now"]


def now() -> float:
    """Seconds since the epoch, as used in request and login signatures."""
    return time.time()
