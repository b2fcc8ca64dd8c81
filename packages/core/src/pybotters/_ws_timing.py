"""Timing policies of WebSocketApp: the reconnect backoff and the per-connection send pacing.

Both are plain objects with an injectable random source / clock so that their behaviour can be
checked exactly, without waiting on a real clock.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from numbers import Real
from typing import Any

__all__ = ["DEFAULT_BACKOFF", "Backoff", "SendLimiter", "check_backoff"]

DEFAULT_BACKOFF: tuple[float, float, float, float] = (1.92, 60.0, 1.618, 5.0)
"""``(min, max, factor, initial)`` in seconds, the same defaults as pybotters 1.11."""


def check_backoff(value: Any) -> tuple[float, float, float, float]:
    """Validate a ``backoff=(min, max, factor, initial)`` tuple and return it as floats."""
    example = "e.g. backoff=(1.92, 60.0, 1.618, 5.0)"
    if (
        not isinstance(value, Sequence)
        or isinstance(value, (str, bytes))
        or len(value) != 4
        or not all(isinstance(v, Real) and not isinstance(v, bool) for v in value)
    ):
        raise TypeError(
            f"backoff must be a tuple of 4 numbers (min, max, factor, initial), {example}"
        )
    minimum, maximum, factor, initial = (float(v) for v in value)
    if not 0 < minimum <= maximum:
        raise ValueError(
            f"backoff min must be > 0 and not above max (got min={minimum}, max={maximum}); "
            f"a zero floor would retry a failing server in a busy loop, {example}"
        )
    if factor < 1:
        raise ValueError(f"backoff factor must be >= 1 (got {factor}), {example}")
    if initial < 0:
        raise ValueError(f"backoff initial must be >= 0 (got {initial}), {example}")
    return minimum, maximum, factor, initial


class Backoff:
    """How long to wait before the next connection attempt.

    - After a healthy connection (and before the very first one) the next attempt is immediate.
    - The first failure waits a uniformly random time in ``[0, initial]``: many clients dropped
      together by one server restart spread out instead of reconnecting in the same instant.
    - Each further failure waits a uniformly random time in ``[min, ceiling]``, where the ceiling
      starts at ``min * factor`` and is multiplied by ``factor`` on every failure, never above
      ``max`` ("full jitter" above a floor, so a failing server is never retried in a busy loop).

    A failure is a handshake that failed or a connection that ended before it was healthy.
    """

    __slots__ = ("_ceiling", "_random", "factor", "failures", "initial", "maximum", "minimum")

    def __init__(
        self,
        minimum: float,
        maximum: float,
        factor: float,
        initial: float,
        *,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.minimum, self.maximum, self.factor, self.initial = check_backoff(
            (minimum, maximum, factor, initial)
        )
        self.failures = 0
        self._ceiling = self.minimum
        self._random = rand

    def __repr__(self) -> str:
        return (
            f"Backoff(min={self.minimum}, max={self.maximum}, factor={self.factor}, "
            f"initial={self.initial}, failures={self.failures})"
        )

    def next_delay(self, healthy: bool) -> float:
        """The delay before the next attempt; ``healthy`` tells how the last attempt went."""
        if healthy:
            self.failures = 0
            self._ceiling = self.minimum
            return 0.0
        self.failures += 1
        if self.failures == 1:
            return self._random() * self.initial
        self._ceiling = min(self.maximum, self._ceiling * self.factor)
        return self.minimum + self._random() * (self._ceiling - self.minimum)


class SendLimiter:
    """At most ``limit`` sends in any window of ``period`` seconds (a sliding window).

    :meth:`acquire` waits until one more send fits. Concurrent callers are served in order.
    """

    __slots__ = ("_clock", "_lock", "_sent", "_sleep", "limit", "period")

    def __init__(
        self,
        limit: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        count: Any = limit
        window: Any = period
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"send_limit needs a message count >= 1, got {count!r}")
        if isinstance(window, bool) or not isinstance(window, Real) or window <= 0:
            raise ValueError(f"send_limit needs a window of seconds > 0, got {window!r}")
        self.limit: int = count
        self.period: float = float(window)
        self._sent: deque[float] = deque(maxlen=count)
        self._lock: asyncio.Lock = asyncio.Lock()
        self._clock: Callable[[], float] = clock
        self._sleep: Callable[[float], Awaitable[Any]] = sleep

    def __repr__(self) -> str:
        return f"SendLimiter(limit={self.limit}, period={self.period})"

    async def acquire(self) -> None:
        """Wait until one more message may be sent, and count it."""
        async with self._lock:
            sent = self._sent
            if len(sent) == self.limit:
                wait = sent[0] + self.period - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            sent.append(self._clock())
