"""pybotters.replay: the recording format, Recorder, reading (also cut-short files) and replay."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from pybotters import replay as replay_module
from pybotters.replay import (
    RECORDING_FORMAT,
    RECORDING_VERSION,
    Frame,
    Recorder,
    RecordingError,
    ReplayError,
    ReplayStats,
    demo_recording,
    open_recording,
    read_recording,
    replay,
    replay_async,
)
from pybotters.store import DataStoreCollection
from pybotters.ws import WebSocketQueue

URL = "wss://stream.example.test/v5/public?token=s3cret#frag"


class Trades(DataStoreCollection):
    """A collection that keeps every message it is given, and raises on {"boom": ...}."""

    def _init(self) -> None:
        self._create("messages")
        self.seen: list[tuple[Any, Any]] = []

    def _onmessage(self, msg: Any, ws: Any) -> None:
        if isinstance(msg, dict) and "boom" in msg:
            raise KeyError(msg["boom"])
        self.seen.append((msg, ws))
        self["messages"]._insert([{"msg": msg}])


def record(path: Path, frames: list[tuple[float, str, str | bytes]], **kwargs: Any) -> Path:
    with Recorder(path, url=URL, send=[{"op": "subscribe"}], started=100.0, **kwargs) as rec:
        for t, kind, data in frames:
            rec.write_frame(t, kind, data)  # type: ignore[arg-type]
    return path


FRAMES: list[tuple[float, str, str | bytes]] = [
    (100.5, "text", '{"seq": 1}'),
    (101.0, "binary", b'{"seq": 2}'),
    (101.25, "text", "pong"),
    (101.5, "binary", b"\x00\xff"),
    (103.0, "text", '[{"seq": 3}]'),
]


# -- the format --------------------------------------------------------------------------------


def test_round_trip_keeps_every_frame_exactly(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES, meta={"created_by": "test"})
    with open_recording(path) as recording:
        header = recording.header
        frames = list(recording)
        assert not recording.truncated
        assert recording.frames_read == 5
    assert header.version == RECORDING_VERSION
    assert header.url == "wss://stream.example.test/v5/public"  # no query, no fragment
    assert header.send == ({"op": "subscribe"},)
    assert header.started == 100.0
    assert header.extra == {"created_by": "test"}
    assert frames == [Frame(t, kind, data) for t, kind, data in FRAMES]  # type: ignore[arg-type]


def test_file_layout_is_gzip_json_lines_with_a_header(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES[:2])
    lines = gzip.decompress(path.read_bytes()).splitlines()
    assert orjson.loads(lines[0]) == {
        "format": RECORDING_FORMAT,
        "version": 1,
        "url": "wss://stream.example.test/v5/public",
        "send": [{"op": "subscribe"}],
        "started": 100.0,
    }
    assert orjson.loads(lines[1]) == {"t": 100.5, "type": "text", "data": '{"seq": 1}'}
    assert orjson.loads(lines[2]) == {"t": 101.0, "type": "binary", "data": "eyJzZXEiOiAyfQ=="}


def test_url_user_info_is_not_kept(tmp_path: Path) -> None:
    with Recorder(tmp_path / "r.gz", url="wss://user:pw@h.test:8443/ws?k=v") as recorder:
        pass
    assert recorder.closed
    assert open_recording(tmp_path / "r.gz").header.url == "wss://h.test:8443/ws"


def test_same_frames_give_the_same_bytes(tmp_path: Path) -> None:
    first = record(tmp_path / "a.jsonl.gz", FRAMES).read_bytes()
    second = record(tmp_path / "b.jsonl.gz", FRAMES).read_bytes()
    assert first == second


def test_an_uncompressed_copy_reads_the_same(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    plain = tmp_path / "r.jsonl"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert list(open_recording(plain)) == list(open_recording(path))


def test_recorder_handlers_stamp_the_receive_time(tmp_path: Path) -> None:
    before = time.time()
    with Recorder(tmp_path / "r.gz", url=URL) as recorder:
        recorder.on_text('{"a": 1}', None)
        recorder.on_bytes(b"\x01")
        assert recorder.frames == 2
    after = time.time()
    frames = list(open_recording(tmp_path / "r.gz"))
    assert [(f.type, f.data) for f in frames] == [("text", '{"a": 1}'), ("binary", b"\x01")]
    assert all(before <= f.t <= after for f in frames)


def test_recorder_does_not_overwrite_unless_told(tmp_path: Path) -> None:
    path = tmp_path / "r.gz"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        Recorder(path, url=URL)
    assert path.read_bytes() == b"precious"
    Recorder(path, url=URL, overwrite=True).close()
    assert list(open_recording(path)) == []


def test_recorder_refuses_wrong_frames_and_writes_after_close(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "r.gz", url=URL)
    with pytest.raises(TypeError, match="a binary frame needs bytes"):
        recorder.write_frame(1.0, "binary", "text")
    with pytest.raises(TypeError, match="a frame is"):
        recorder.write_frame(1.0, "json", "{}")  # type: ignore[arg-type]
    recorder.close()
    recorder.close()  # twice is fine
    with pytest.raises(ValueError, match="is closed"):
        recorder.on_text("late")


def test_a_header_that_is_not_json_is_refused_before_the_file_exists(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        Recorder(tmp_path / "r.gz", url=URL, send=[object()])
    assert not (tmp_path / "r.gz").exists()


# -- recordings cut short ----------------------------------------------------------------------


def test_a_killed_recorder_leaves_every_flushed_frame_readable(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.gz"
    recorder = Recorder(path, url=URL)
    for t, kind, data in FRAMES:
        recorder.write_frame(t, kind, data)  # type: ignore[arg-type]
    recorder.flush()
    cut = tmp_path / "cut.jsonl.gz"
    shutil.copyfile(path, cut)  # the file as it is on disk while recording goes on
    recorder.close()
    with open_recording(cut) as recording:
        assert [f.data for f in recording] == [data for _, _, data in FRAMES]
        assert recording.truncated
    assert replay(cut, Trades()).truncated


def test_a_recorder_syncs_the_file_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    fake_time = SimpleNamespace(time=time.time, monotonic=lambda: clock[0])
    monkeypatch.setattr(replay_module, "time", fake_time)
    path = tmp_path / "r.jsonl.gz"
    recorder = Recorder(path, url=URL, sync_every=1.0)
    recorder.write_frame(1.0, "text", "a")
    assert list(open_recording(path)) == []  # buffered
    clock[0] += 1.0
    recorder.write_frame(2.0, "text", "b")  # a second later: everything is written out
    assert [f.data for f in open_recording(path)] == ["a", "b"]
    recorder.close()


def test_a_half_written_last_line_is_dropped(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    raw = gzip.decompress(path.read_bytes())
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(raw[:-10])
    with open_recording(cut) as recording:
        assert len(list(recording)) == len(FRAMES) - 1
        assert recording.truncated


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the recording"),
        (b"", "is empty or not a recording"),
        (b"[1, 2]\n", "is not a pybotters recording"),
        (b'{"format": "pybotters-recording", "version": 2}\n', "format version 2; this"),
        (b'{"format": "pybotters-recording", "version": "1"}\n', "invalid format version"),
        (b'{"format": "pybotters-recording", "version": 1}\n', "'url' or 'send' is missing"),
        (
            b'{"format": "pybotters-recording", "version": 1, "url": "u", "send": []}\n',
            "'started' is not a number",
        ),
    ],
)
def test_files_that_are_not_recordings(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "r.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        open_recording(path)


def test_a_frame_of_unknown_type(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", [])
    text = gzip.decompress(path.read_bytes()) + b'{"t": 1, "type": "json", "data": "{}"}\n'
    path.write_bytes(gzip.compress(text))
    with pytest.raises(RecordingError, match="line 2 has an unknown frame type 'json'"):
        list(open_recording(path))


# -- read_recording ----------------------------------------------------------------------------


def test_read_recording_yields_the_json_messages(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    assert list(read_recording(path)) == [
        (100.5, {"seq": 1}),
        (101.0, {"seq": 2}),
        (103.0, [{"seq": 3}]),
    ]


def test_read_recording_checks_the_file_at_once(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read"):
        read_recording(tmp_path / "missing.jsonl.gz")


# -- replay ------------------------------------------------------------------------------------


def test_replay_feeds_every_json_message_without_a_connection(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    store = Trades()
    stats = replay(path, store)
    assert store.seen == [({"seq": 1}, None), ({"seq": 2}, None), ([{"seq": 3}], None)]
    assert len(store["messages"]) == 3
    assert (stats.messages, stats.skipped, stats.truncated) == (3, 2, False)
    assert stats.recorded_seconds == 2.5
    assert stats.seconds > 0
    assert stats.rate == stats.messages / stats.seconds
    assert str(stats).startswith("3 messages in ")
    assert str(stats).endswith("recorded over 2.5 s; 2 non-JSON frames skipped")


def test_replay_into_a_websocket_queue(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    queue = WebSocketQueue()
    replay(path, queue)
    assert [queue.get_nowait() for _ in range(queue.qsize())] == [
        {"seq": 1},
        {"seq": 2},
        [{"seq": 3}],
    ]


def test_replay_names_the_line_a_collection_failed_on(tmp_path: Path) -> None:
    path = record(tmp_path / "r.jsonl.gz", [*FRAMES[:2], (102.0, "text", '{"boom": "x"}')])
    with pytest.raises(ReplayError, match=r"Trades.onmessage raised KeyError: 'x' on the frame "
                       r"at line 4 of .*r.jsonl.gz' \(t=102.0\)") as info:  # fmt: skip
        replay(path, Trades())
    assert isinstance(info.value.__cause__, KeyError)


class FakeClock:
    """time.perf_counter / time.sleep that only move when slept."""

    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Replace the replay module's time and asyncio.sleep (the module's only)."""
        fake_time = SimpleNamespace(
            time=time.time,
            monotonic=time.monotonic,
            perf_counter=self.perf_counter,
            sleep=self.sleep,
        )
        monkeypatch.setattr(replay_module, "time", fake_time)
        monkeypatch.setattr(replay_module, "asyncio", SimpleNamespace(sleep=self.async_sleep))


@pytest.mark.parametrize(("speed", "sleeps"), [(1, [0.5, 2.0]), (2, [0.25, 1.0]), (0.5, [1, 4])])
def test_speed_follows_the_recorded_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, speed: float, sleeps: list[float]
) -> None:
    path = record(tmp_path / "r.jsonl.gz", [FRAMES[0], FRAMES[1], FRAMES[4]])
    clock = FakeClock()
    clock.install(monkeypatch)
    stats = replay(path, Trades(), speed=speed)
    assert clock.sleeps == sleeps
    assert stats.seconds == sum(sleeps)


def test_speed_zero_or_none_never_sleeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    clock = FakeClock()
    clock.install(monkeypatch)
    replay(path, Trades(), speed=0)
    replay(path, Trades())
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("speed", "error"), [(-1, ValueError), (float("nan"), ValueError), (True, TypeError)]
)
def test_bad_speeds(tmp_path: Path, speed: Any, error: type[Exception]) -> None:
    path = record(tmp_path / "r.jsonl.gz", FRAMES)
    with pytest.raises(error, match="speed must be"):
        replay(path, Trades(), speed=speed)


async def test_replay_async_lets_store_watchers_run(tmp_path: Path) -> None:
    frames = [(100.0 + i, "text", orjson.dumps({"seq": i}).decode()) for i in range(2000)]
    path = record(tmp_path / "r.jsonl.gz", frames)  # type: ignore[arg-type]
    store = Trades()
    woken: list[int] = []

    async def watch() -> None:
        while True:
            await store.wait()
            woken.append(len(store.seen))

    watcher = asyncio.ensure_future(watch())
    stats = await replay_async(path, store)
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    assert stats.messages == 2000
    assert woken, "the watcher never ran during the replay"
    assert woken[0] < 2000  # it ran before the end, not only afterwards


async def test_replay_async_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = record(tmp_path / "r.jsonl.gz", [FRAMES[0], FRAMES[4]])
    clock = FakeClock()
    clock.install(monkeypatch)
    stats = await replay_async(path, Trades(), speed=10)
    assert clock.sleeps == [0.25]
    assert isinstance(stats, ReplayStats)


# -- the bundled sample ------------------------------------------------------------------------


def test_the_sample_recording_is_bundled_and_small() -> None:
    path = demo_recording()
    assert path.is_file()
    assert path.stat().st_size < 200_000
    with open_recording(path) as recording:
        assert recording.header.url == "wss://ws.lightstream.bitflyer.com/json-rpc"
        assert "synthetic" in recording.header.extra["created_by"]
        channels = [
            orjson.loads(frame.data).get("params", {}).get("channel") for frame in recording
        ]
        assert not recording.truncated
    assert channels.count("lightning_board_snapshot_BTC_JPY") == 1
    assert channels.count("lightning_board_BTC_JPY") == 3000
    assert channels.count("lightning_ticker_BTC_JPY") >= 50
