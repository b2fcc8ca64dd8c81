"""Streaming commands: stream, record, replay, demo.

- ``stream URL --send JSON ...``: print every message as one JSON line, or with ``--store
  NAME`` feed a DataStoreCollection and show its order books and tickers live.
- ``record URL --send JSON ... -o FILE``: write every frame to a recording (see
  :mod:`pybotters.replay`), with a live count on stderr.
- ``replay FILE [--store NAME]``: feed a recording into a collection and show the result.
- ``demo``: a local fake bitFlyer replays a bundled recording through the real Client.

Ctrl+C (SIGINT) or SIGTERM ends stream, record and demo normally: the final state is shown,
a recording is complete, and the exit status is 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import json
import logging
import math
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from . import CommandError, check_url

if TYPE_CHECKING:
    from .._client import Client
    from ..replay import Recorder, ReplayStats
    from ..store import DataStoreCollection
    from ..ws import WebSocketApp
    from ._view import Screen, StoreView

__all__ = ["Run", "add", "connect_app", "render_loop", "resolve_collection", "run_async"]

_T = TypeVar("_T")

DEFAULT_DEPTH = 10
DEFAULT_TIMEOUT = 10.0
DEFAULT_EVERY = 5.0
LIVE_INTERVAL = 0.1  # 10 redraws a second at most
FLUSH_INTERVAL = 1.0
PROGRESS_PLAIN_INTERVAL = 10.0


# -- argument types ----------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(
            f"expected 0 (as fast as possible) or a factor of real time > 0, got {text!r}"
        )
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _json_message(text: str) -> Any:
    if text.startswith(("ws://", "wss://")):
        raise argparse.ArgumentTypeError(
            f"got the URL {text!r} as a message; give the URL before --send "
            "(COMMAND URL --send JSON ...)"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"not valid JSON ({exc.msg} at column {exc.colno}): {text!r}; quote the whole "
            """message, e.g. '{"op": "subscribe"}'"""
        ) from None


def add(commands: Any) -> None:
    """Register the streaming sub-commands."""
    stream = commands.add_parser(
        "stream",
        help="print a WebSocket stream, or show it live through a DataStoreCollection",
        description="Connect to URL (with the exchange login when credentials exist), send the "
        "--send messages, and print every message received as one JSON line; with --store, "
        "feed them to that DataStoreCollection and show its order books and tickers live.",
    )
    stream.add_argument("url", help="wss://... URL")
    _add_send(stream)
    stream.add_argument(
        "--store",
        metavar="NAME",
        help="DataStoreCollection to feed and show, e.g. bitFlyerDataStore (pybotters.NAME)",
    )
    _add_depth(stream)
    _add_connection(stream)
    _add_stop(stream)
    _add_every(stream)
    stream.set_defaults(handler=cmd_stream)

    record = commands.add_parser(
        "record",
        help="record a WebSocket stream to a file, for replay",
        description="Connect to URL, send the --send messages and write every frame received, "
        "with its receive time, to FILE (gzip-compressed JSON lines). Stop with Ctrl+C, "
        "--duration or --count; the file is always complete.",
    )
    record.add_argument("url", help="wss://... URL")
    _add_send(record)
    record.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the recording to write"
    )
    record.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    _add_connection(record)
    _add_stop(record)
    record.set_defaults(handler=cmd_record)

    replay = commands.add_parser(
        "replay",
        help="feed a recording into a DataStoreCollection and show the result",
        description="Feed every message of a recording to a DataStoreCollection (as "
        "collection.onmessage(msg, None)), then print its order books, tickers and store sizes, "
        "and the throughput. Without --store, print the messages as JSON lines.",
    )
    replay.add_argument("file", help="a recording made by `pybotters record`")
    replay.add_argument("--store", metavar="NAME", help="DataStoreCollection, e.g. OKXDataStore")
    replay.add_argument(
        "--speed",
        type=_speed,
        default=0.0,
        metavar="X",
        help="X times the recorded pace (1 = real time); 0, the default: as fast as possible",
    )
    _add_depth(replay)
    replay.set_defaults(handler=cmd_replay)

    demo = commands.add_parser(
        "demo",
        help="offline demo: a live bitFlyer order book from a local fake exchange",
        description="Start a local fake bitFlyer that plays a bundled (synthetic) recording, "
        "and show the live order book through the real Client, WebSocketApp and "
        "bitFlyerDataStore. Needs: pip install 'pybotters-core[bitflyer,testing]'.",
    )
    demo.add_argument(
        "--duration",
        type=_positive_float,
        metavar="SECONDS",
        help="stop SECONDS after connecting (default: when the 30 s recording ends)",
    )
    demo.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="play the recording X times faster (default 1; 0: as fast as possible)",
    )
    _add_depth(demo)
    _add_every(demo)
    demo.set_defaults(handler=cmd_demo)


def _add_send(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--send",
        action="extend",
        nargs="+",
        type=_json_message,
        default=[],
        metavar="JSON",
        help="a JSON message to send after connecting (repeatable), e.g. a subscription",
    )


def _add_depth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--depth",
        type=_positive_int,
        default=DEFAULT_DEPTH,
        metavar="N",
        help=f"order-book levels shown per side (default {DEFAULT_DEPTH})",
    )


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--apis",
        metavar="FILE",
        help="credentials JSON file for private streams (default: ./apis.json, $PYBOTTERS_APIS)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up when the first connection takes longer (default {DEFAULT_TIMEOUT:g})",
    )


def _add_stop(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--duration",
        type=_positive_float,
        metavar="SECONDS",
        help="stop SECONDS after the connection is up",
    )
    parser.add_argument("--count", type=_positive_int, metavar="N", help="stop after N messages")


def _add_every(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--every",
        type=_positive_float,
        default=DEFAULT_EVERY,
        metavar="SECONDS",
        help="when the output is not a terminal, print the view every SECONDS "
        f"(default {DEFAULT_EVERY:g})",
    )


# -- shared machinery --------------------------------------------------------------------------


def resolve_collection(name: str, option: str = "--store") -> type[DataStoreCollection]:
    """``pybotters.<name>`` if it is a DataStoreCollection class, else a clear CommandError."""
    import pybotters

    from .._plugins import host
    from ..hookspecs import KNOWN_STORE_PROVIDERS
    from ..store import DataStoreCollection

    found: Any = None
    if name.isidentifier() and not name.startswith("_"):
        with contextlib.suppress(AttributeError):
            found = getattr(pybotters, name)
    if isinstance(found, type) and issubclass(found, DataStoreCollection):
        if found is DataStoreCollection:
            raise CommandError(
                "--store needs an exchange's collection such as bitFlyerDataStore, not the "
                "DataStoreCollection base class",
                status=2,
            )
        return found
    provider = KNOWN_STORE_PROVIDERS.get(name)
    what = f"{option} {name}".strip()
    if provider is not None:
        if _installed(provider):
            raise CommandError(
                f"{what} is provided by the {provider} plugin, which is installed but "
                "not loaded; `pybotters plugins` says why"
            )
        raise CommandError(
            f"{what} is provided by the {provider} plugin, which is not installed; "
            f"install it with: pip install {provider}"
        )
    installed = sorted(host.registry.stores)
    hint = difflib.get_close_matches(name, [*installed, *KNOWN_STORE_PROVIDERS], n=1, cutoff=0.5)
    if hint:
        advice = f"did you mean {hint[0]}?"
    elif installed:
        advice = f"installed: {', '.join(installed)}"
    else:
        advice = "no exchange plugin is installed (pip install 'pybotters-core[all]')"
    raise CommandError(f"{option} {name!r} is not a DataStoreCollection; {advice}", status=2)


def _installed(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


def _check_url(url: str) -> str:
    return check_url(url, ("ws", "wss"), "wss://ws.lightstream.bitflyer.com/json-rpc")


def _safe_url(url: str) -> str:
    from ..replay import _safe_url as strip

    return strip(url)


class _StderrHandler(logging.Handler):
    """Library warnings (reconnects, refused logins) as one line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message += f" ({type(error).__name__}: {error})"
            sys.stderr.write(f"pybotters: {record.levelname.lower()}: {message}\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


@contextlib.contextmanager
def _stderr_logging() -> Iterator[None]:
    logger = logging.getLogger("pybotters")
    handler = _StderrHandler(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


SETTLE_SECONDS = 0.1


async def _settled(coro: Coroutine[Any, Any, int]) -> int:
    try:
        return await coro
    finally:
        # TLS connections closed at the end (the WebSocket's) finish their closing handshake
        # in the background; give them a moment before the event loop goes away.
        await asyncio.sleep(SETTLE_SECONDS)


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine with library warnings on stderr; Ctrl+C gives 130."""
    with _stderr_logging():
        try:
            return asyncio.run(_settled(coro))
        except KeyboardInterrupt:
            return 130


class Run:
    """Stop conditions of a streaming command: a message count, a duration, SIGINT/SIGTERM."""

    __slots__ = ("_loop", "_signals", "count", "limit", "reason", "started", "stopped")

    def __init__(self, *, limit: int | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self.stopped = asyncio.Event()
        self.reason = ""
        self.count = 0
        self.limit = limit
        self.started = time.monotonic()
        self._signals: list[int] = []

    def stop(self, reason: str) -> None:
        if not self.stopped.is_set():
            self.reason = reason
            self.stopped.set()

    def counted(self) -> bool:
        """Count one message; False when it is past the limit (drop it)."""
        if self.stopped.is_set():
            return False
        self.count += 1
        if self.limit is not None and self.count >= self.limit:
            self.stop(f"{self.limit:,} messages")
        return True

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def status(self) -> str:
        elapsed = self.elapsed
        rate = self.count / elapsed if elapsed > 0 else 0.0
        return f"{self.count:,} messages | {elapsed:.1f} s | {rate:,.0f} msg/s"

    def install_signals(self) -> None:
        """Make SIGINT and SIGTERM stop the command (where the platform allows it)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._loop.add_signal_handler(sig, self.stop, "interrupted")
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or Windows: Ctrl+C raises KeyboardInterrupt
            self._signals.append(sig)

    def remove_signals(self) -> None:
        for sig in self._signals:
            self._loop.remove_signal_handler(sig)
        self._signals.clear()

    async def sleep(self, seconds: float | None) -> bool:
        """Wait ``seconds`` (``None``: forever); True as soon as the command is stopped."""
        try:
            await asyncio.wait_for(self.stopped.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    async def unless_stopped(self, aw: Awaitable[_T]) -> tuple[bool, _T | None]:
        """Await ``aw`` unless the command stops first: ``(finished, result)``."""
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self.stopped.wait())
        try:
            await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if task.done() and not task.cancelled():
            return True, task.result()
        return False, None

    async def run_for(self, duration: float | None) -> None:
        """Wait until stopped, or for ``duration`` seconds (from now: once connected)."""
        if not await self.sleep(duration):
            self.stop(f"{duration:g} s")


async def render_loop(
    view: StoreView, screen: Screen, run: Run, status: Callable[[], str], every: float
) -> None:
    """Redraw the view (10 times a second on a terminal, every ``every`` s otherwise)."""
    interval = LIVE_INTERVAL if screen.live else every
    shown = -1
    while not await run.sleep(interval):
        if screen.live or run.count != shown:
            shown = run.count
            screen.show(view.render(status()))


def _write_lines(stream: Any) -> Callable[[str], bool]:
    """A writer of output lines that reports (False) a closed pipe instead of raising."""

    def write(line: str) -> bool:
        try:
            stream.write(line)
            stream.write("\n")
            stream.flush()
        except BrokenPipeError:
            from . import _silence_stdout

            _silence_stdout()
            return False
        return True

    return write


def as_json_line(data: str | bytes) -> str:
    """One frame as one JSON line: JSON as sent (compacted if it spans lines), other text as a
    JSON string, other bytes as a JSON string of their base64."""
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        if isinstance(data, str):
            return orjson.dumps(data).decode()
        import base64

        return orjson.dumps(base64.b64encode(data).decode("ascii")).decode()
    if isinstance(data, str) and "\n" not in data and "\r" not in data:
        return data
    return orjson.dumps(message).decode()


async def _probe(client: Client, url: str, timeout: float) -> None:
    """Open and close one connection, to report an unreachable host as one clear line."""
    import aiohttp

    where = _safe_url(url)
    try:
        ws = await asyncio.wait_for(client.session.ws_connect(url), timeout)
    except asyncio.TimeoutError:
        raise CommandError(
            f"no WebSocket handshake with {where} within {timeout:g} s; check the URL, or "
            "allow longer with --timeout"
        ) from None
    except aiohttp.WSServerHandshakeError as exc:
        raise CommandError(
            f"{where} refused the WebSocket handshake (HTTP {exc.status} {exc.message}); "
            "check the URL's path"
        ) from None
    except aiohttp.ClientConnectorError as exc:
        raise CommandError(f"cannot reach {exc.host}:{exc.port}: {exc.os_error}") from None
    except aiohttp.InvalidURL:
        raise CommandError(f"invalid URL {url!r}", status=2) from None
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise CommandError(f"cannot connect to {where}: {type(exc).__name__}: {exc}") from None
    await ws.close()


def _check_credentials(client: Client, url: str, apis: str | None) -> None:
    """With --apis, the exchange of ``url`` must have a credential in that file."""
    if apis is None:
        return
    from yarl import URL

    host = URL(url).host or ""
    exchange = client._registry.ws_hosts.get(host)
    if exchange is None:
        print(
            f"pybotters: note: no installed plugin logs in to {host}; --apis is not used",
            file=sys.stderr,
        )
        return
    api_name = exchange.ws_hosts[host]
    if client._credentials.get(api_name) is None:
        raise CommandError(
            f"{apis} has no credentials for {api_name!r}, which {host} needs for private "
            f'streams; add "{api_name}": ["KEY", "SECRET"] to it'
        )


async def connect_app(
    client: Client, run: Run, url: str, timeout: float, *, probe: bool = True, **kwargs: Any
) -> WebSocketApp | None:
    """Probe, then start the WebSocketApp and wait for its first connection (None: stopped)."""
    if probe:
        finished, _ = await run.unless_stopped(_probe(client, url, timeout))
        if not finished:
            return None
    app = client.ws_connect(url, **kwargs)
    try:
        finished, _ = await run.unless_stopped(asyncio.wait_for(app, timeout))
    except asyncio.TimeoutError:
        raise CommandError(
            f"no connection to {_safe_url(url)} within {timeout:g} s (see the warnings above); "
            "check the URL, or allow longer with --timeout"
        ) from None
    except ConnectionError as exc:
        raise CommandError(f"the connection to {_safe_url(url)} ended: {exc}") from None
    return app if finished else None


# -- stream ------------------------------------------------------------------------------------


def cmd_stream(args: argparse.Namespace) -> int:
    url = _check_url(args.url)
    collection = resolve_collection(args.store) if args.store else None
    return run_async(_stream(args, url, collection))


async def _stream(
    args: argparse.Namespace, url: str, collection_class: type[DataStoreCollection] | None
) -> int:
    from .._client import Client

    run = Run(limit=args.count)
    run.install_signals()
    try:
        async with Client(apis=args.apis) as client:
            _check_credentials(client, url, args.apis)
            if collection_class is None:
                return await _print_stream(args, url, client, run)
            return await _view_stream(args, url, client, run, collection_class())
    finally:
        run.remove_signals()


async def _print_stream(args: argparse.Namespace, url: str, client: Client, run: Run) -> int:
    write = _write_lines(sys.stdout)

    def on_frame(data: str | bytes, ws: Any) -> None:
        if run.counted() and not write(as_json_line(data)):
            run.stop("output closed")

    app = await connect_app(
        client,
        run,
        url,
        args.timeout,
        send_json=args.send or None,
        hdlr_str=on_frame,
        hdlr_bytes=on_frame,
    )
    if app is not None:
        await run.run_for(args.duration)
    print(f"stream: {run.status()} (stopped: {run.reason})", file=sys.stderr)
    return 0


async def _view_stream(
    args: argparse.Namespace, url: str, client: Client, run: Run, collection: DataStoreCollection
) -> int:
    from ._view import Screen, StoreView

    view = StoreView(
        collection, depth=args.depth, title=f"{type(collection).__name__} | {_safe_url(url)}"
    )
    screen = Screen(sys.stdout)
    onmessage = collection.onmessage

    def on_json(message: Any, ws: Any) -> None:
        if run.counted():
            onmessage(message, ws)

    renderer = asyncio.ensure_future(render_loop(view, screen, run, run.status, args.every))
    try:
        app = await connect_app(
            client, run, url, args.timeout, send_json=args.send or None, hdlr_json=on_json
        )
        if app is not None:
            await run.run_for(args.duration)
    finally:
        run.stop(run.reason or "error")
        await renderer
        screen.restore()
    screen.finish([*view.render(run.status()), "", view.sizes()])
    print(f"stream: {run.status()} (stopped: {run.reason})", file=sys.stderr)
    return 0


# -- record ------------------------------------------------------------------------------------


def cmd_record(args: argparse.Namespace) -> int:
    url = _check_url(args.url)
    path = Path(args.output)
    if path.is_dir():
        raise CommandError(f"-o {args.output} is a directory; name a file such as board.jsonl.gz")
    if path.exists() and not args.force:
        raise CommandError(f"{args.output} exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise CommandError(f"cannot write {args.output}: the folder {path.parent} does not exist")
    finished: list[Run] = []
    status = run_async(_record(args, url, path, finished))
    if finished and path.exists():
        run = finished[0]
        end_line = "\n" if sys.stderr.isatty() else ""  # after the live count
        print(
            f"{end_line}recorded {run.count:,} frames ({path.stat().st_size / 1024:,.1f} KiB) "
            f"to {path} in {run.elapsed:.1f} s (stopped: {run.reason})",
            file=sys.stderr,
        )
    return status


async def _record(args: argparse.Namespace, url: str, path: Path, done: list[Run]) -> int:
    from .. import __version__
    from .._client import Client
    from ..replay import Recorder

    run = Run(limit=args.count)
    run.install_signals()
    try:
        async with Client(apis=args.apis) as client:
            _check_credentials(client, url, args.apis)
            finished, _ = await run.unless_stopped(_probe(client, url, args.timeout))
            if not finished:
                return 0
            try:
                recorder = Recorder(
                    path,
                    url=url,
                    send=args.send,
                    overwrite=args.force,
                    meta={"created_by": f"pybotters-core {__version__} (pybotters record)"},
                )
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
            with recorder:
                await _record_into(args, url, client, run, recorder)
            done.append(run)
    finally:
        run.remove_signals()
    return 0


async def _record_into(
    args: argparse.Namespace, url: str, client: Client, run: Run, recorder: Recorder
) -> None:
    on_text = recorder.on_text
    on_bytes = recorder.on_bytes

    def text(data: str, ws: Any) -> None:
        if run.counted():
            on_text(data)

    def binary(data: bytes, ws: Any) -> None:
        if run.counted():
            on_bytes(data)

    progress = asyncio.ensure_future(_record_progress(run, recorder))
    app = None
    try:
        app = await connect_app(
            client,
            run,
            url,
            args.timeout,
            probe=False,
            send_json=args.send or None,
            hdlr_str=text,
            hdlr_bytes=binary,
        )
        if app is not None:
            await run.run_for(args.duration)
    finally:
        run.stop(run.reason or "error")
        if app is not None:
            await app.close()  # no frame arrives after this: the file holds all that came
        await progress


async def _record_progress(run: Run, recorder: Recorder) -> None:
    """Keep the file readable (flush every second) and show the count on stderr."""
    live = sys.stderr.isatty()
    interval = LIVE_INTERVAL if live else FLUSH_INTERVAL
    last_flush = last_line = time.monotonic()
    flushed = shown = 0
    while not await run.sleep(interval):
        now = time.monotonic()
        if recorder.frames != flushed and now - last_flush >= FLUSH_INTERVAL:
            recorder.flush()
            flushed, last_flush = recorder.frames, now
        line = f"recording: {recorder.frames:,} frames | {recorder.size / 1024:,.1f} KiB | "
        line += f"{run.elapsed:.1f} s"
        if live:
            sys.stderr.write(f"\r{line}\x1b[K")
            sys.stderr.flush()
        elif recorder.frames != shown and now - last_line >= PROGRESS_PLAIN_INTERVAL:
            shown, last_line = recorder.frames, now
            print(line, file=sys.stderr)


# -- replay ------------------------------------------------------------------------------------


class _OutputClosed(BaseException):
    """The reader of stdout went away (``| head``): stop quietly."""


class _Printer:
    """A replay target that prints each message as a JSON line."""

    __slots__ = ("write",)

    def __init__(self) -> None:
        self.write = _write_lines(sys.stdout)

    def onmessage(self, msg: Any, ws: Any = None, /) -> None:
        if not self.write(orjson.dumps(msg).decode()):
            raise _OutputClosed


def cmd_replay(args: argparse.Namespace) -> int:
    from ..replay import open_recording, replay

    collection_class = resolve_collection(args.store) if args.store else None
    open_recording(args.file).close()  # an unreadable file fails now, as one line
    if collection_class is None:
        try:
            stats = replay(args.file, _Printer(), speed=args.speed)
        except _OutputClosed:
            return 0
        print(f"replay: {stats}", file=sys.stderr)
        return 0
    from ._view import Screen, StoreView

    collection = collection_class()
    view = StoreView(collection, depth=args.depth, title=f"{args.store} | {args.file}")
    screen = Screen(sys.stdout)
    if screen.live:
        return run_async(_replay_live(args, collection, view, screen))
    _show_replay(view, screen, replay(args.file, collection, speed=args.speed))
    return 0


def _show_replay(view: StoreView, screen: Screen, stats: ReplayStats) -> None:
    lines = view.render(f"{stats.messages:,} messages")
    screen.finish([*lines, "", view.sizes(), f"replayed {stats}"])


async def _replay_live(
    args: argparse.Namespace, collection: DataStoreCollection, view: StoreView, screen: Screen
) -> int:
    from ..replay import replay_async

    run = Run()
    run.install_signals()

    def status() -> str:
        return f"replaying at {args.speed:g}x" if args.speed else "replaying"

    renderer = asyncio.ensure_future(render_loop(view, screen, run, status, DEFAULT_EVERY))
    try:
        _, stats = await run.unless_stopped(replay_async(args.file, collection, speed=args.speed))
    finally:
        run.stop("end")
        await renderer
        screen.restore()
        run.remove_signals()
    if stats is not None:
        _show_replay(view, screen, stats)
    return 0


# -- demo --------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from . import _demo

    _demo.check_requirements()
    return run_async(_demo.demo(args))
