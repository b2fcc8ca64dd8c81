"""``pybotters demo``: a live bitFlyer order book, offline.

A :class:`pybotters.testing.FakeExchange` for bitFlyer serves
``wss://ws.lightstream.bitflyer.com/json-rpc`` on 127.0.0.1 over TLS (the testing kit routes
the real host name to it). It answers the subscriptions like bitFlyer (the bitFlyer plugin's
fake behaviour) and then plays the bundled recording: each channel message at its recorded
time, to a connection subscribed to its channel. The client side is the ordinary code path: a
:class:`pybotters.Client`, its WebSocketApp, and ``bitFlyerDataStore`` shown by the live view.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from . import CommandError
from ._streams import Run, connect_app, render_loop, resolve_collection

if TYPE_CHECKING:
    from pathlib import Path

    from ..replay import RecordingHeader
    from ..store import DataStoreCollection
    from ..testing import FakeWebSocket
    from ._view import Screen, StoreView

__all__ = ["check_requirements", "demo"]

INSTALL = "pip install 'pybotters-core[bitflyer,testing]'"
SUBSCRIBE_TIMEOUT = 10.0
CATCH_UP_TIMEOUT = 5.0


def check_requirements() -> None:
    """Fail with one line saying what to install when the bitFlyer plugin or trustme is missing."""
    missing = [
        name
        for module, name in (("pybotters_bitflyer", "pybotters-bitflyer"), ("trustme", "trustme"))
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise CommandError(
            f"the demo needs {' and '.join(missing)}, which {verb} not installed; install the "
            f"bitFlyer plugin and the testing extra with: {INSTALL}"
        )
    try:
        resolve_collection("bitFlyerDataStore", option="")
    except CommandError as exc:
        raise CommandError(f"the demo cannot run: {exc}") from None


@dataclass(slots=True)
class _Playback:
    """What the fake exchange has pushed and what the client has received of it."""

    frames: list[tuple[float, str, str]] = field(default_factory=list)
    pushed: int = 0
    received: int = 0
    done: bool = False


def _channel_frames(path: Path) -> tuple[RecordingHeader, list[tuple[float, str, str]]]:
    """The recording's header and its channel messages as (t, text, channel)."""
    from ..replay import open_recording

    frames: list[tuple[float, str, str]] = []
    with open_recording(path) as recording:
        header = recording.header
        for frame in recording:
            try:
                message = orjson.loads(frame.data)
            except orjson.JSONDecodeError:
                continue
            if isinstance(message, dict) and message.get("method") == "channelMessage":
                channel = message["params"]["channel"]
                frames.append((frame.t, str(frame.data), channel))
    return header, frames


async def _play(endpoint: FakeWebSocket, playback: _Playback, speed: float, run: Run) -> None:
    """The fake exchange's side: wait for the subscriptions, then push the recorded frames."""
    from pybotters_bitflyer.testing import channels_of

    loop = asyncio.get_running_loop()
    try:
        session = await endpoint.wait_session(timeout=SUBSCRIBE_TIMEOUT)
    except TimeoutError:
        run.stop("the client never connected")
        return
    needed = {channel for _, _, channel in playback.frames}
    deadline = loop.time() + SUBSCRIBE_TIMEOUT
    while not needed <= channels_of(session):
        if loop.time() > deadline or await run.sleep(0.005):
            run.stop(run.reason or "the client did not subscribe")
            return
    start = loop.time()
    first = playback.frames[0][0] if playback.frames else 0.0
    for index, (t, text, channel) in enumerate(playback.frames):
        if speed:
            delay = (t - first) / speed - (loop.time() - start)
            if delay > 0 and await run.sleep(delay):
                return
        elif not index % 64:
            await asyncio.sleep(0)
        if session.closed or run.stopped.is_set():
            return
        if channel in channels_of(session):  # as the exchange: subscribed channels only
            try:
                await session.send(text)
            except ConnectionError:
                return
            playback.pushed += 1
    playback.done = True
    # Let the client handle everything that was pushed before calling it the end.
    deadline = loop.time() + CATCH_UP_TIMEOUT
    while playback.received < playback.pushed and loop.time() < deadline:
        if await run.sleep(0.005):
            return
    run.stop("end of the recording")


async def demo(args: argparse.Namespace) -> int:
    from pybotters_bitflyer.testing import WS_PATH

    from ..replay import _safe_url, demo_recording
    from ..testing import FakeExchange, FakeServerError
    from ._view import Screen, StoreView

    collection_class = resolve_collection("bitFlyerDataStore")
    header, frames = _channel_frames(demo_recording())
    playback = _Playback(frames)
    run = Run()
    run.install_signals()
    started = time.monotonic()
    screen = Screen(sys.stdout)
    try:
        fake = FakeExchange("bitflyer", apis={})
        try:
            await fake.start()
            collection = collection_class()
            title = f"bitFlyerDataStore | {_safe_url(header.url)} (local fake exchange)"
            view = StoreView(collection, depth=args.depth, title=title)
            await _run_client(
                args, header, collection, view, screen, run, playback, fake.websocket(WS_PATH)
            )
        finally:
            try:
                await fake.close()
            except FakeServerError as exc:
                raise CommandError(f"the local fake exchange failed: {exc}") from None
    finally:
        run.remove_signals()
    elapsed = time.monotonic() - started
    final = view.render(f"{run.count:,} messages | {run.elapsed:.1f} s")
    if not screen.live:
        final = ["final book:", *final]
    screen.finish([*final, "", view.sizes()])
    speed = f"{args.speed:g}x speed" if args.speed else "as fast as possible"
    print(
        f"demo: {run.count:,} messages in {elapsed:.1f} s ({speed}) through pybotters.Client, "
        f"WebSocketApp and bitFlyerDataStore; stopped: {run.reason}"
    )
    return 0


async def _run_client(
    args: argparse.Namespace,
    header: RecordingHeader,
    collection: DataStoreCollection,
    view: StoreView,
    screen: Screen,
    run: Run,
    playback: _Playback,
    endpoint: FakeWebSocket,
) -> None:
    from .._client import Client

    onmessage = collection.onmessage

    def on_json(message: Any, ws: Any) -> None:
        if run.counted():
            onmessage(message, ws)
            if isinstance(message, dict) and message.get("method") == "channelMessage":
                playback.received += 1

    def status() -> str:
        speed = f"{args.speed:g}x" if args.speed else "max speed"
        return f"{run.status()} | {speed} | synthetic data"

    player = asyncio.ensure_future(_play(endpoint, playback, args.speed, run))
    renderer = asyncio.ensure_future(render_loop(view, screen, run, status, args.every))
    try:
        async with Client(apis={}) as client:
            app = await connect_app(
                client,
                run,
                header.url,
                SUBSCRIBE_TIMEOUT,
                probe=False,
                send_json=list(header.send),
                hdlr_json=on_json,
            )
            if app is not None:
                await run.run_for(args.duration)
    finally:
        run.stop(run.reason or "error")
        await renderer
        if not player.done():
            player.cancel()
        [outcome] = await asyncio.gather(player, return_exceptions=True)
        screen.restore()
    if isinstance(outcome, Exception):
        raise CommandError(
            f"the local fake exchange stopped playing the recording: "
            f"{type(outcome).__name__}: {outcome}"
        )
