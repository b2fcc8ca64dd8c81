"""The reconnect backoff and the send pacing of WebSocketApp, computed exactly (no real clock)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pybotters._ws_timing import DEFAULT_BACKOFF, Backoff, SendLimiter, check_backoff


def test_default_backoff_matches_pybotters_1_11() -> None:
    assert DEFAULT_BACKOFF == (1.92, 60.0, 1.618, 5.0)


def test_first_attempt_and_attempt_after_healthy_connection_are_immediate() -> None:
    backoff = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 0.99)
    assert backoff.next_delay(True) == 0.0
    assert backoff.failures == 0


def test_first_failure_is_jittered_over_initial() -> None:
    low = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 0.0)
    high = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 1.0)
    mid = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 0.5)
    assert low.next_delay(False) == 0.0
    assert high.next_delay(False) == 3.0
    assert mid.next_delay(False) == 1.5


def test_ceiling_grows_by_factor_up_to_max() -> None:
    # rand() == 1.0 always picks the ceiling: the growth is visible exactly.
    backoff = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 1.0)
    delays = [backoff.next_delay(False) for _ in range(7)]
    assert delays == [3.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert backoff.failures == 7


def test_delays_never_below_min_after_first_failure() -> None:
    backoff = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 0.0)
    delays = [backoff.next_delay(False) for _ in range(5)]
    assert delays == [0.0, 1.0, 1.0, 1.0, 1.0]


def test_reset_after_healthy_connection() -> None:
    backoff = Backoff(1.0, 8.0, 2.0, 3.0, rand=lambda: 1.0)
    for _ in range(5):
        backoff.next_delay(False)
    assert backoff.next_delay(True) == 0.0
    assert [backoff.next_delay(False) for _ in range(3)] == [3.0, 2.0, 4.0]


def test_seeded_jitter_stays_within_bounds() -> None:
    rng = random.Random(1234)
    backoff = Backoff(*DEFAULT_BACKOFF, rand=rng.random)
    delays = [backoff.next_delay(False) for _ in range(50)]
    assert 0.0 <= delays[0] <= 5.0
    assert all(1.92 <= d <= 60.0 for d in delays[1:])
    # Jitter: not all the same value once the ceiling is at max.
    assert len(set(delays[20:])) > 1
    # The same seed gives the same schedule.
    again = Backoff(*DEFAULT_BACKOFF, rand=random.Random(1234).random)
    assert [again.next_delay(False) for _ in range(50)] == delays


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        ((1, 2, 3), TypeError, "4 numbers"),
        ("abcd", TypeError, "4 numbers"),
        ((1, 2, "x", 3), TypeError, "4 numbers"),
        ((0, 2, 2, 1), ValueError, "min must be > 0"),
        ((3, 2, 2, 1), ValueError, "not above max"),
        ((1, 2, 0.5, 1), ValueError, "factor must be >= 1"),
        ((1, 2, 2, -1), ValueError, "initial must be >= 0"),
    ],
)
def test_backoff_validation(value: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        check_backoff(value)


def test_check_backoff_returns_floats() -> None:
    assert check_backoff([1, 2, 3, 4]) == (1.0, 2.0, 3.0, 4.0)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        self.now += seconds


async def test_send_limiter_sliding_window() -> None:
    fake = FakeTime()
    limiter = SendLimiter(2, 1.0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(5):
        await limiter.acquire()
    # Sent at t=100, 100, 101, 101, 102: never more than two in any one-second window.
    assert fake.sleeps == [1.0, 1.0]
    assert fake.now == 102.0


async def test_send_limiter_does_not_wait_when_spread_out() -> None:
    fake = FakeTime()
    limiter = SendLimiter(2, 1.0, clock=fake.clock, sleep=fake.sleep)
    await limiter.acquire()
    fake.now += 0.6
    await limiter.acquire()
    fake.now += 0.6
    await limiter.acquire()  # the first one is 1.2 s old: fits
    assert fake.sleeps == []
    await limiter.acquire()  # the second one is 0.6 s old: wait 0.4 s
    assert fake.sleeps == [0.4]


@pytest.mark.parametrize(("limit", "period"), [(0, 1.0), (True, 1.0), (1.5, 1.0), (1, 0), (1, -1)])
def test_send_limiter_validation(limit: Any, period: Any) -> None:
    with pytest.raises(ValueError, match="send_limit"):
        SendLimiter(limit, period)
