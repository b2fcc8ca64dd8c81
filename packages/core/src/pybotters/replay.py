"""Recordings of WebSocket streams, and their replay into DataStoreCollections.

A recording holds every frame a WebSocket connection received, with its receive time, so that
a stream can be fed again into a :class:`~pybotters.store.DataStoreCollection` later: for a
backtest, to reproduce a bug, or to measure a store's throughput. ``pybotters record`` writes
them; :class:`Recorder` does the same from inside a bot.

File format (version 1): gzip-compressed JSON Lines. The first line is a header::

    {"format": "pybotters-recording", "version": 1, "url": "wss://...",
     "send": [...the JSON messages sent after connecting...], "started": 1704067200.0, ...}

(the URL is kept without its query string and user info, which may carry tokens). Each other
line is one received frame::

    {"t": 1704067200.123456, "type": "text", "data": "{\\"jsonrpc\\": ...}"}
    {"t": 1704067200.234567, "type": "binary", "data": "<base64>"}

``t`` is the receive time (seconds since the epoch), ``data`` the frame exactly as received
(text, or base64 of the bytes). A recording cut short (the recorder was killed) reads up to
its last complete frame; :attr:`Recording.truncated` tells.

Replay::

    from pybotters.replay import replay

    store = pybotters.bitFlyerDataStore()
    stats = replay("board.jsonl.gz", store)         # as fast as possible
    stats = replay("board.jsonl.gz", store, speed=1)  # at the recorded pace

Messages are handed to ``collection.onmessage(message, None)``, exactly as a WebSocketApp
hands them to ``hdlr_json`` but without a connection (``ws`` is ``None``).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import math
import os
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

import orjson

from ._exceptions import PybottersError

__all__ = [
    "RECORDING_FORMAT",
    "RECORDING_VERSION",
    "Frame",
    "Recorder",
    "Recording",
    "RecordingError",
    "RecordingHeader",
    "ReplayError",
    "ReplayStats",
    "ReplayTarget",
    "demo_recording",
    "open_recording",
    "read_recording",
    "replay",
    "replay_async",
]

RECORDING_FORMAT = "pybotters-recording"
RECORDING_VERSION = 1

_GZIP_MAGIC = b"\x1f\x8b"
_WRITE_CHUNK = 64 * 1024
_YIELD_EVERY = 512


class ReplayTarget(Protocol):
    """What a replay feeds: anything with ``onmessage(msg, ws)``, such as a
    :class:`~pybotters.store.DataStoreCollection` or a :class:`~pybotters.WebSocketQueue`."""

    def onmessage(self, msg: Any, ws: Any = None, /) -> None: ...


class RecordingError(PybottersError, ValueError):
    """A file is not a readable recording (missing, not gzip, corrupt, or a newer format)."""


class ReplayError(PybottersError):
    """The collection raised while a recorded message was fed to it.

    The message names the frame (its line in the file) and the original exception is chained
    (``__cause__``), so a store bug can be reproduced from the recording.
    """


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """The first line of a recording.

    :param version: the format version the file was written with.
    :param url: the WebSocket URL (without query string and user info).
    :param send: the JSON messages sent after connecting (subscriptions).
    :param started: when the recording started (seconds since the epoch).
    :param extra: any other header fields (``created_by`` ...).
    """

    version: int
    url: str
    send: tuple[Any, ...]
    started: float
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Frame:
    """One received WebSocket frame: receive time ``t``, ``"text"`` or ``"binary"``, data."""

    t: float
    type: Literal["text", "binary"]
    data: str | bytes

    def json(self) -> Any:
        """The frame decoded as JSON; raises ``ValueError`` when it is not JSON."""
        return orjson.loads(self.data)


def _describe(path: str | os.PathLike[str]) -> str:
    return repr(os.fspath(path))


class Recording:
    """An open recording: its :attr:`header`, then its frames, read once, in order.

    Made by :func:`open_recording`. Iterate it (once) for :class:`Frame` objects, or call
    :meth:`messages` for ``(t, message)`` pairs of the JSON frames. The file is closed when the
    frames are read to the end; use it as a context manager (or call :meth:`close`) to close it
    in any case.

    :ivar truncated: becomes true when the file ended in the middle of a frame or without the
        end of its gzip stream (the recorder was killed); the frames before are all read.
    :ivar frames_read: how many frames were read so far.
    """

    __slots__ = ("_file", "_line", "frames_read", "header", "path", "truncated")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.truncated = False
        self.frames_read = 0
        self._line = 0
        self._file = _open_for_reading(path)
        try:
            self.header = self._read_header()
        except BaseException:
            self._file.close()
            raise

    def __repr__(self) -> str:
        return (
            f"<Recording {os.fspath(self.path)!r} url={self.header.url!r} "
            f"frames_read={self.frames_read}>"
        )

    def __enter__(self) -> Recording:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (safe to call more than once)."""
        self._file.close()

    def _lines(self) -> Iterator[bytes]:
        """Complete lines of the file; stops at a cut (setting :attr:`truncated`)."""
        file = self._file
        while True:
            try:
                line = file.readline()
            except EOFError:  # the gzip stream has no end: the writer was killed
                self.truncated = True
                return
            except (OSError, zlib.error) as exc:
                raise RecordingError(
                    f"{_describe(self.path)} is corrupt after line {self._line}: {exc}; "
                    "the frames before it can be read with pybotters.replay.open_recording()"
                ) from None
            if not line:
                return
            self._line += 1
            if not line.endswith(b"\n"):
                # The last line of a complete file ends with a newline: this one was cut.
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError:
                    self.truncated = True
                    return
            yield line

    def _read_header(self) -> RecordingHeader:
        where = _describe(self.path)
        first = next(self._lines(), None)
        if first is None:
            raise RecordingError(
                f"{where} is empty or not a recording; record one with `pybotters record`"
            )
        try:
            header = orjson.loads(first)
        except orjson.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != RECORDING_FORMAT:
            raise RecordingError(
                f"{where} is not a pybotters recording (its first line is no "
                f"{RECORDING_FORMAT!r} header); record one with `pybotters record`"
            )
        version = header.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise RecordingError(f"{where} has an invalid format version {version!r}")
        if version > RECORDING_VERSION:
            raise RecordingError(
                f"{where} was written in recording format version {version}; this pybotters "
                f"reads up to version {RECORDING_VERSION}: upgrade pybotters-core"
            )
        url = header.get("url")
        send = header.get("send", [])
        started = header.get("started")
        if not isinstance(url, str) or not isinstance(send, list):
            raise RecordingError(f"{where} has a malformed header: 'url' or 'send' is missing")
        if not isinstance(started, (int, float)) or isinstance(started, bool):
            raise RecordingError(f"{where} has a malformed header: 'started' is not a number")
        known = {"format", "version", "url", "send", "started"}
        extra = {k: v for k, v in header.items() if k not in known}
        return RecordingHeader(version, url, tuple(send), float(started), extra)

    def _records(self) -> Iterator[tuple[float, str, str]]:
        """``(t, type, data)`` of every frame line, binary data still in base64."""
        loads = orjson.loads
        for line in self._lines():
            try:
                record = loads(line)
                t = record["t"]
                kind = record["type"]
                data = record["data"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise RecordingError(
                    f"{_describe(self.path)}: line {self._line} is not a frame "
                    '({"t": ..., "type": "text"|"binary", "data": ...}): '
                    f"{line[:80].decode(errors='replace')}"
                ) from None
            if (kind != "text" and kind != "binary") or type(data) is not str:
                raise RecordingError(
                    f"{_describe(self.path)}: line {self._line} has an unknown frame type "
                    f"{kind!r} or non-string data"
                )
            self.frames_read += 1
            yield t, kind, data
        self.close()  # read to the end: the file is not needed any more

    def __iter__(self) -> Iterator[Frame]:
        b64decode = base64.b64decode
        for t, kind, data in self._records():
            if kind == "text":
                yield Frame(t, "text", data)
            else:
                yield Frame(t, "binary", b64decode(data))

    def messages(self) -> Iterator[tuple[float, Any]]:
        """``(t, message)`` for every frame that is JSON, decoded as ``hdlr_json`` gets it.

        Frames that are not JSON are skipped, as a WebSocketApp skips them for ``hdlr_json``.
        """
        return self._messages(None)

    def _messages(self, stats: ReplayStats | None) -> Iterator[tuple[float, Any]]:
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        b64decode = base64.b64decode
        for t, kind, data in self._records():
            try:
                message = loads(data if kind == "text" else b64decode(data))
            except decode_error:
                if stats is not None:
                    stats.skipped += 1
                continue
            yield t, message

    @property
    def line(self) -> int:
        """The line number of the last line read (the header is line 1)."""
        return self._line


def _open_for_reading(path: str | os.PathLike[str]) -> gzip.GzipFile | io.BufferedReader:
    where = _describe(path)
    try:
        with open(path, "rb") as raw:
            magic = raw.read(2)
        if magic == _GZIP_MAGIC:
            return gzip.open(path, "rb")
        # An uncompressed copy (gunzip'ed to look at it) reads the same.
        return open(path, "rb")
    except OSError as exc:
        raise RecordingError(
            f"cannot read the recording {where}: {exc.strerror or exc}; check the path"
        ) from None


def open_recording(path: str | os.PathLike[str]) -> Recording:
    """Open a recording and read its header.

    Raises :class:`RecordingError` when the file cannot be read or is not a recording.
    """
    return Recording(path)


def read_recording(path: str | os.PathLike[str]) -> Iterator[tuple[float, Any]]:
    """Iterate ``(t, message)`` over the JSON frames of a recording, in order.

    ``t`` is the receive time (seconds since the epoch), ``message`` the decoded JSON. The file
    is opened (and its header checked) at once; it is closed when the iteration ends.
    """
    recording = Recording(path)
    return _closing_messages(recording)


def _closing_messages(recording: Recording) -> Iterator[tuple[float, Any]]:
    try:
        yield from recording.messages()
    finally:
        recording.close()


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _safe_url(url: str) -> str:
    """``url`` without query string, fragment and user info (they may carry tokens)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return url.split("?", 1)[0]
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


class Recorder:
    """Write received WebSocket frames to a recording file (see the module docstring).

    Pass :meth:`on_text` and :meth:`on_bytes` as handlers to record a stream from a bot::

        with Recorder("board.jsonl.gz", url=url, send=subscriptions) as recorder:
            app = client.ws_connect(url, send_json=subscriptions,
                                    hdlr_str=recorder.on_text, hdlr_bytes=recorder.on_bytes)
            ...

    Frames are buffered and compressed in the background of the writes; at least every
    ``sync_every`` seconds of stream (and on :meth:`flush`) everything received so far is made
    readable in the file, so a killed recorder loses at most that much. :meth:`close` writes
    the rest and ends the gzip stream properly.

    :param path: the file to write (``.jsonl.gz`` by convention).
    :param url: the WebSocket URL, kept in the header without query string and user info.
    :param send: the JSON messages sent after connecting, kept in the header.
    :param overwrite: replace an existing file; by default an existing file is an error
        (``FileExistsError``).
    :param meta: more header fields (e.g. ``{"created_by": "my-bot 1.2"}``).
    :param started: the start time for the header (default: now).
    """

    __slots__ = (
        "_buffer",
        "_closed",
        "_gzip",
        "_last_sync",
        "_pending",
        "_raw",
        "frames",
        "path",
        "sync_every",
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        url: str,
        send: Iterable[Any] = (),
        overwrite: bool = False,
        meta: Mapping[str, Any] | None = None,
        started: float | None = None,
        sync_every: float = 1.0,
    ) -> None:
        self.path = path
        self.frames = 0
        self.sync_every = sync_every
        header: dict[str, Any] = {
            "format": RECORDING_FORMAT,
            "version": RECORDING_VERSION,
            "url": _safe_url(url),
            "send": list(send),
            "started": time.time() if started is None else started,
        }
        for key, value in (meta or {}).items():
            header.setdefault(key, value)
        line = orjson.dumps(header) + b"\n"  # fails before the file is created
        self._raw = open(path, "wb" if overwrite else "xb")  # noqa: SIM115 - closed by close()
        # mtime=0 and no file name: the same frames always give the same bytes.
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        self._buffer: list[bytes] = [line]
        self._pending = len(line)
        self._closed = False
        self._last_sync = time.monotonic()
        self.flush()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Recorder {os.fspath(self.path)!r} frames={self.frames} {state}>"

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def size(self) -> int:
        """Compressed bytes written to the file so far."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def on_text(self, data: str, ws: Any = None) -> None:
        """``hdlr_str`` handler: record a TEXT frame received now."""
        self.write_frame(time.time(), "text", data)

    def on_bytes(self, data: bytes, ws: Any = None) -> None:
        """``hdlr_bytes`` handler: record a BINARY frame received now."""
        self.write_frame(time.time(), "binary", data)

    def write_frame(self, t: float, type: Literal["text", "binary"], data: str | bytes) -> None:
        """Record one frame received at ``t`` (seconds since the epoch)."""
        if self._closed:
            raise ValueError(f"{self!r} is closed; open a new Recorder to record more")
        if type == "binary":
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"a binary frame needs bytes, not {data.__class__.__name__}")
            data = base64.b64encode(data).decode("ascii")
        elif type != "text" or not isinstance(data, str):
            raise TypeError(f"a frame is ('text', str) or ('binary', bytes), not {type!r}")
        line = orjson.dumps({"t": t, "type": type, "data": data}) + b"\n"
        self._buffer.append(line)
        self._pending += len(line)
        self.frames += 1
        if self._pending >= _WRITE_CHUNK:
            self._write()
        if self.sync_every and time.monotonic() - self._last_sync >= self.sync_every:
            self.flush()

    def _write(self) -> None:
        if self._buffer:
            self._gzip.write(b"".join(self._buffer))
            self._buffer.clear()
            self._pending = 0

    def flush(self) -> None:
        """Write every frame recorded so far and make it readable in the file."""
        if self._closed:
            return
        self._write()
        self._gzip.flush(zlib.Z_SYNC_FLUSH)
        self._last_sync = time.monotonic()

    def close(self) -> None:
        """Write the remaining frames, end the gzip stream and close the file."""
        if self._closed:
            return
        self._closed = True
        try:
            self._write()
            self._gzip.close()
        finally:
            self._raw.close()


# --------------------------------------------------------------------------------------------
# Replay
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReplayStats:
    """What a replay did.

    :param messages: JSON messages fed to the collection.
    :param skipped: frames that were not JSON (not fed).
    :param seconds: wall-clock time the replay took.
    :param recorded_seconds: the time between the first and last frame in the recording.
    :param truncated: the recording was cut short (see :attr:`Recording.truncated`).
    """

    messages: int = 0
    skipped: int = 0
    seconds: float = 0.0
    recorded_seconds: float = 0.0
    truncated: bool = False

    @property
    def rate(self) -> float:
        """Messages fed per second of wall-clock time."""
        return self.messages / self.seconds if self.seconds > 0 else math.inf

    def __str__(self) -> str:
        rate = f"{self.rate:,.0f} messages/s" if math.isfinite(self.rate) else "- messages/s"
        text = (
            f"{self.messages:,} messages in {self.seconds:.3f} s ({rate}); "
            f"recorded over {self.recorded_seconds:.1f} s"
        )
        if self.skipped:
            text += f"; {self.skipped:,} non-JSON frames skipped"
        if self.truncated:
            text += "; the recording was cut short"
        return text


def _check_speed(speed: float | None) -> float:
    if speed is None:
        return 0.0
    if isinstance(speed, bool) or not isinstance(speed, (int, float)):
        raise TypeError(f"speed must be a number or None, not {type(speed).__name__}")
    if not speed >= 0 or math.isinf(speed):
        raise ValueError(
            f"speed must be 0 or None (as fast as possible) or a positive factor of real "
            f"time such as 1 or 10, not {speed!r}"
        )
    return float(speed)


def _fail(recording: Recording, collection: object, t: float, exc: Exception) -> ReplayError:
    return ReplayError(
        f"{type(collection).__name__}.onmessage raised {type(exc).__name__}: {exc} on the "
        f"frame at line {recording.line} of {_describe(recording.path)} (t={t!r})"
    )


def replay(
    path: str | os.PathLike[str],
    collection: ReplayTarget,
    *,
    speed: float | None = None,
) -> ReplayStats:
    """Feed every JSON message of a recording to ``collection.onmessage(message, None)``.

    :param path: the recording (see the module docstring for the format).
    :param collection: e.g. ``pybotters.bitFlyerDataStore()``; it ends in the state the
        recorded stream left it in.
    :param speed: ``None`` or ``0`` feeds as fast as possible; ``1`` at the recorded pace,
        ``10`` ten times faster (sleeping between messages).

    Returns :class:`ReplayStats`. Raises :class:`RecordingError` for an unreadable file and
    :class:`ReplayError` (naming the line) when the collection raises. For use inside a
    running event loop (with tasks watching the stores), use :func:`replay_async`.
    """
    factor = _check_speed(speed)
    onmessage = collection.onmessage
    stats = ReplayStats()
    perf = time.perf_counter
    sleep = time.sleep
    with Recording(path) as recording:
        start = perf()
        first = last = None
        for t, message in recording._messages(stats):
            if first is None:
                first = t
            last = t
            if factor:
                delay = (t - first) / factor - (perf() - start)
                if delay > 0:
                    sleep(delay)
            try:
                onmessage(message, None)
            except Exception as exc:
                raise _fail(recording, collection, t, exc) from exc
            stats.messages += 1
        stats.seconds = perf() - start
        stats.truncated = recording.truncated
    if first is not None and last is not None:
        stats.recorded_seconds = last - first
    return stats


async def replay_async(
    path: str | os.PathLike[str],
    collection: ReplayTarget,
    *,
    speed: float | None = None,
) -> ReplayStats:
    """:func:`replay` for a running event loop: other tasks run while it feeds messages.

    With ``speed`` it sleeps with ``asyncio.sleep`` between messages; as fast as possible it
    yields to the event loop every few hundred messages, so tasks waiting on the stores
    (``store.wait()``, ``store.watch()``) see the changes as they happen.
    """
    factor = _check_speed(speed)
    onmessage = collection.onmessage
    stats = ReplayStats()
    perf = time.perf_counter
    sleep = asyncio.sleep
    with Recording(path) as recording:
        start = perf()
        first = last = None
        for t, message in recording._messages(stats):
            if first is None:
                first = t
            last = t
            if factor:
                delay = (t - first) / factor - (perf() - start)
                if delay > 0:
                    await sleep(delay)
            elif not stats.messages % _YIELD_EVERY:
                await sleep(0)
            try:
                onmessage(message, None)
            except Exception as exc:
                raise _fail(recording, collection, t, exc) from exc
            stats.messages += 1
        stats.seconds = perf() - start
        stats.truncated = recording.truncated
    if first is not None and last is not None:
        stats.recorded_seconds = last - first
    return stats


# --------------------------------------------------------------------------------------------
# Sample data
# --------------------------------------------------------------------------------------------


def demo_recording() -> Path:
    """The path of the sample recording bundled with pybotters-core.

    A synthetic (generated, not captured) bitFlyer stream of
    ``wss://ws.lightstream.bitflyer.com/json-rpc``: one ``lightning_board_snapshot_BTC_JPY``
    of 100 levels per side, then 3,000 ``lightning_board_BTC_JPY`` diffs and
    ``lightning_ticker_BTC_JPY`` messages over 30 seconds. ``pybotters demo`` plays it through
    a local fake exchange; replay it into ``pybotters.bitFlyerDataStore()`` to try the API.
    """
    return Path(__file__).parent / "cli" / "data" / "bitflyer-btcjpy.jsonl.gz"
