"""Thousands of reconnects in a row: every connection logs in and subscribes again, and nothing
grows (tasks, Python objects, traced memory, file descriptors).

The exchange runs in another process (:mod:`tests.reliability.soak_server`), so what is
measured here is the client alone, and client and server each get a core. Its connections end
in turn with a clean close, a TCP cut, a TCP reset and a frame cut in the middle, and one
handshake in five is refused with HTTP 503. The server checks that each connection sends the
login first and then the subscription; the client counts the login replies (one per
connection) and checks that no part of a cut frame ever reaches a handler.

Measured after a warm-up: the number of asyncio tasks, open file descriptors and GC-tracked
objects at the start and at the end, and, over a final window of reconnects traced by
tracemalloc (which halves the reconnect rate, hence the window), the growth of traced memory
from one group of samples to the next (the lowest sample of each group).

``test_reconnect_soak_10000`` (10,000 reconnects, about 20 s on 2 cores) is marked slow; the
default run has ``test_reconnect_soak`` with 1,000 plain and 300 TLS reconnects.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

import pybotters
from pybotters.hookspecs import Exchange
from pybotters.ws import WebSocketApp

from .conftest import APIS, SECRET, SUBSCRIBE, TINY_BACKOFF, open_fds
from .rawws import routed_connector, tls_contexts, write_server_pem

ROOT = Path(__file__).resolve().parents[2]
LEAK_PER_RECONNECT = 32
"""Bytes of traced memory per reconnect that would count as a leak (any leaked Python object
is larger); what stays below is the noise of timers and caches that come and go."""

GROUPS = 3
SAMPLES = 3
"""Traced memory is sampled in GROUPS groups of SAMPLES samples over the traced window."""

pytestmark = pytest.mark.usefixtures("no_leftovers")


class _LogCounter(logging.Handler):
    """Counts the pybotters logger's records without keeping them (pytest's capture would pile
    up thousands of records, which would look like a leak)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.counts: dict[int, int] = {}
        self.errors: list[str] = []
        self.leaked_secret = False

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelno] = self.counts.get(record.levelno, 0) + 1
        text = record.getMessage()
        self.leaked_secret = self.leaked_secret or SECRET in text
        if record.levelno >= logging.ERROR and len(self.errors) < 5:
            self.errors.append(text)


class _SoakServer:
    """The soak exchange in a subprocess (see :mod:`tests.reliability.soak_server`)."""

    def __init__(self, tmp_path: Path) -> None:
        pem = tmp_path / "server.pem"
        write_server_pem(str(pem))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.soak_server", "--cert", str(pem)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if line[:1] != ["PORT"]:
            self.kill()
            raise AssertionError(f"the soak server did not start: {line!r}")
        self.plain_port, self.tls_port = int(line[1]), int(line[2])

    def stop(self) -> dict[str, Any]:
        out, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, out
        stats: dict[str, Any] = json.loads(out.split("STATS", 1)[1])
        return stats

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


_EVENT_LOOP_TIMERS = tracemalloc.Filter(False, "*/asyncio/*")


def traced_memory() -> int:
    """Traced memory, less what asyncio itself holds: the loop's heap of cancelled timers
    (aiohttp arms a timeout per request) grows and shrinks by tens of KB as it likes. Leaked
    tasks and futures are caught by the task and GC-object counts instead."""
    snapshot = tracemalloc.take_snapshot().filter_traces([_EVENT_LOOP_TIMERS])
    return sum(stat.size for stat in snapshot.statistics("filename"))


@dataclass
class Soak:
    """What one soak run saw."""

    logins: int = 0
    partial: list[Any] = field(default_factory=list)
    tasks: tuple[int, int] = (0, 0)
    fds: tuple[int, int] = (0, 0)
    objects: tuple[int, int] = (0, 0)
    memory: tuple[int, ...] = (0, 0, 0)
    """Traced memory: the lowest sample of each group."""
    window: int = 0
    spacing: int = 0
    """Reconnects from one group of samples to the next."""
    server: dict[str, Any] = field(default_factory=dict)
    logs: _LogCounter = field(default_factory=_LogCounter)


async def soak(tmp_path: Path, reconnects: int, window: int, tls: bool) -> Soak:
    """Run until ``reconnects`` connections were logged in; trace ``window`` of them (none
    with 0) with tracemalloc to measure memory growth."""
    result = Soak(window=window)
    server = _SoakServer(tmp_path)
    logger = logging.getLogger("pybotters")
    logger.addHandler(result.logs)
    propagate, logger.propagate = logger.propagate, False
    reached = asyncio.Event()
    target = 0

    def on_message(msg: Any, ws: Any) -> None:
        if isinstance(msg, dict):
            if msg.get("op") == "auth":  # the login reply, replayed to the handlers
                result.logins += 1
                if result.logins >= target:
                    reached.set()
            elif "data" in msg:
                result.partial.append(msg)  # only the frames the server cuts carry "data"

    async def run_until(count: int) -> None:
        nonlocal target
        target = count
        reached.clear()
        if result.logins < count:
            await asyncio.wait_for(reached.wait(), 120)

    def snapshot() -> tuple[int, int, int, int]:
        gc.collect()
        memory = traced_memory() if tracemalloc.is_tracing() else 0
        return len(asyncio.all_tasks()), open_fds(), len(gc.get_objects()), memory

    async def trace_window(window: int) -> None:
        tracemalloc.start()
        try:
            traced_memory()  # fills the caches that measuring itself uses (fnmatch, tracemalloc)
            # Objects allocated before tracing are not counted: until every per-connection
            # object (and every timer aiohttp armed) has been replaced, traced memory rises.
            # Sample after that, in GROUPS groups of SAMPLES samples, and keep the lowest of
            # each group: a sample taken while a connection is being set up holds its objects.
            await run_until(result.logins + window * 2 // 5)
            first = result.logins
            step = window * 3 // 5 // (GROUPS * SAMPLES)
            samples: list[int] = []
            for index in range(GROUPS * SAMPLES):
                await run_until(first + (index + 1) * step)
                samples.append(snapshot()[3])
        finally:
            tracemalloc.stop()
        result.memory = tuple(
            min(samples[group * SAMPLES : (group + 1) * SAMPLES]) for group in range(GROUPS)
        )
        result.spacing = SAMPLES * step

    _, client_ssl = tls_contexts()
    port = server.tls_port if tls else server.plain_port
    url = ("wss" if tls else "ws") + "://ws.relx.test/private"
    warmup = min(200, reconnects // 5)
    traced = reconnects - window
    try:
        async with pybotters.Client(
            apis=APIS,
            connector=routed_connector(port, client_ssl if tls else None),
            insecure_signing=not tls,
        ) as client:
            app = client.ws_connect(
                url, send_json=SUBSCRIBE, hdlr_json=on_message, backoff=TINY_BACKOFF
            )
            await run_until(warmup)
            tasks0, fds0, objects0, _ = snapshot()
            await run_until(traced)
            if window:
                await trace_window(window)
            await run_until(reconnects)
            tasks2, fds2, objects2, _ = snapshot()
            assert not app.closed
        result.server = server.stop()
    finally:
        server.kill()
        logger.removeHandler(result.logs)
        logger.propagate = propagate
    result.tasks = (tasks0, tasks2)
    result.fds = (fds0, fds2)
    result.objects = (objects0, objects2)
    return result


def check(result: Soak, reconnects: int) -> None:
    stats = result.server
    # every connection sent the login, then the subscription (checked by the server) ...
    assert stats["errors"] == []
    assert stats["in_order"] == stats["accepted"]
    # ... and its login was answered and seen by the client (one more connection may have
    # been opening when the client closed)
    assert reconnects <= result.logins <= stats["accepted"] <= result.logins + 1
    assert stats["refused"] >= reconnects // 5 - 1
    # a frame cut in the middle never reaches a handler
    assert result.partial == []
    # nothing grows
    assert result.tasks[1] <= result.tasks[0] + 2, f"tasks {result.tasks}"
    assert result.fds[1] <= result.fds[0] + 2, f"file descriptors {result.fds}"
    assert result.objects[1] <= result.objects[0] + 500, f"GC objects {result.objects}"
    # A leak raises traced memory from every group to the next. Python 3.10 also keeps one
    # spare frame per function, allocated the first time a function returns after tracing
    # started: a one-time step that raises one interval only.
    if result.window:
        growth = [later - earlier for earlier, later in pairwise(result.memory)]
        assert min(growth) < LEAK_PER_RECONNECT * result.spacing, f"memory {result.memory}"
    # every broken connection and refused handshake was reported, nothing worse, no secret
    logs = result.logs
    assert logs.counts.get(logging.WARNING, 0) >= reconnects
    assert logs.errors == []
    assert not logs.leaked_secret


@pytest.mark.parametrize(
    ("tls", "reconnects"), [(False, 1000), (True, 300)], ids=["ws-1000", "wss-300"]
)
async def test_reconnect_soak(
    relx: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: bool, reconnects: int
) -> None:
    # Each connection counts as healthy at once, so the next one starts without a backoff
    # delay; the refused handshakes still go through the (tiny) backoff.
    monkeypatch.setattr(WebSocketApp, "healthy_after", 0.0)
    # tracemalloc halves the rate, and TLS handshakes are slow: memory is traced over plain
    # connections (the same client code runs over TLS).
    window = 0 if tls else 800
    check(await soak(tmp_path, reconnects, window=window, tls=tls), reconnects)


@pytest.mark.slow
async def test_reconnect_soak_10000(
    relx: Exchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WebSocketApp, "healthy_after", 0.0)
    check(await soak(tmp_path, 10_000, window=2_000, tls=False), 10_000)
