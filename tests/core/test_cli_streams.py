"""The streaming commands of ``pybotters``: stream, record, replay (and demo's requirements).

Commands run in-process (``pybotters.cli.main([...])`` with capsys) against a fake exchange
that runs in its own thread and event loop (``main`` runs ``asyncio.run`` itself); ``record``
and ``stream`` are also run as real subprocesses stopped by SIGINT. The exchange is an
in-process plugin (``fakex``) with a small DataStoreCollection, so no exchange plugin is needed.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest

import pybotters
from pybotters import WebSocketAuthError
from pybotters.cli import main
from pybotters.cli._streams import as_json_line
from pybotters.cli._view import Screen, StoreView
from pybotters.hookspecs import WebSocketAuth, WebSocketHooks
from pybotters.replay import Recorder, open_recording
from pybotters.store import DataStore, DataStoreCollection, OrderBookStore
from pybotters.testing import FakeExchange, FakeWebSocket
from tests.conftest import make_exchange
from tests.core.wsserver import ServerConn, WSServer

T = TypeVar("T")

URL = "wss://ws.fakex.test/ws"
SUBSCRIBE = {"op": "subscribe", "args": ["book.X", "ticker.X"]}


# -- a tiny exchange: one order book and a ticker ---------------------------------------------


class Book(OrderBookStore):
    _BOOK_SYMBOL = "symbol"
    _BOOK_SIDE = "side"
    _BOOK_PRICE = "price"
    _BOOK_ASK = "ask"
    _BOOK_BID = "bid"
    _SORTED_KEYS = ("asks", "bids")


class FakexDataStore(DataStoreCollection):
    def _init(self) -> None:
        self._create("book", datastore_class=Book)
        self._create("ticker", keys=["symbol"])
        self._create("trades")

    def _onmessage(self, msg: Any, ws: Any) -> None:
        if not isinstance(msg, dict):
            return
        topic = msg.get("topic")
        if topic == "book":
            book = self["book"]
            for side in ("ask", "bid"):
                for price, size in msg.get(side + "s", []):
                    item = {"symbol": msg["symbol"], "side": side, "price": price, "size": size}
                    if size:
                        book._update([item])
                    else:
                        book._delete([item])
        elif topic == "ticker":
            self["ticker"]._update([msg["data"]])


def book_message(asks: list[list[float]], bids: list[list[float]]) -> dict[str, Any]:
    return {"topic": "book", "symbol": "X", "asks": asks, "bids": bids}


BOOK_1 = book_message([[101.0, 1.0], [102.0, 2.0], [103.0, 3.0]], [[99.0, 1.5], [98.0, 2.5]])
BOOK_2 = book_message([[101.0, 0], [100.5, 0.25]], [[97.0, 4.0]])
TICKER = {"topic": "ticker", "data": {"symbol": "X", "last": 100.0, "volume": 12.5}}
ACK = {"op": "subscribe", "success": True}


@pytest.fixture
def fakex(register_plugin: Callable[..., str]) -> None:
    register_plugin(make_exchange(stores={"FakexDataStore": FakexDataStore}), name="fakex_cli")


async def login(auth: WebSocketAuth) -> None:
    await auth.send_json({"op": "login", "key": auth.credential.key})
    reply = await auth.receive_json()
    if not reply.get("success"):
        raise WebSocketAuthError("refused")


@pytest.fixture
def fakex_with_login(register_plugin: Callable[..., str]) -> None:
    exchange = make_exchange(ws=WebSocketHooks(authenticate=login))
    register_plugin(exchange, name="fakex_cli_login")


def limits(count: int) -> tuple[str, ...]:
    """Stop after ``count`` messages, or after 10 s so that a bug fails instead of hanging."""
    return ("--count", str(count), "--duration", "10")


@pytest.fixture
def no_apis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ./apis.json and no $PYBOTTERS_APIS; the test runs in an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)
    return tmp_path


class ThreadedFake:
    """A FakeExchange served by an event loop in another thread, for in-process commands."""

    def __init__(self, name: str = "fakex", **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.exchange: FakeExchange = self.call(self._start(name, kwargs))
        self.ws: FakeWebSocket = self.exchange.websocket("/ws")

    async def _start(self, name: str, kwargs: dict[str, Any]) -> FakeExchange:
        return await FakeExchange(name, **kwargs).start()

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def close(self) -> None:
        try:
            self.call(self.exchange.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


@pytest.fixture
def fake(fakex: None, no_apis: Path) -> Iterator[ThreadedFake]:
    running = ThreadedFake(spec=None)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def fake_with_login(fakex_with_login: None, no_apis: Path) -> Iterator[ThreadedFake]:
    running = ThreadedFake(spec=None)
    try:
        yield running
    finally:
        running.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- stream ----------------------------------------------------------------------------------


def test_stream_prints_each_frame_as_one_json_line(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    pretty = json.dumps(BOOK_1, indent=2)  # spans lines: printed compacted
    fake.ws.on_message({"op": "subscribe"}, ACK, pretty, "pong", b"\x00\x01binary", TICKER)
    status, out, err = run(capsys, "stream", URL, "--send", json.dumps(SUBSCRIBE), *limits(5))
    assert status == 0, err
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == [
        ACK,
        BOOK_1,
        "pong",
        base64.b64encode(b"\x00\x01binary").decode(),
        TICKER,
    ]
    assert "stopped: 5 messages" in err
    # A first handshake checks that the host answers; the stream is the second connection.
    probe, session = fake.ws.sessions
    assert probe.received == []
    assert session.received == [SUBSCRIBE]


def test_stream_sends_every_send_message_in_order(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.ws.on_message({"op": "ping"}, {"op": "pong"})
    status, out, _ = run(
        capsys,
        "stream",
        URL,
        "--send",
        '{"op": "subscribe", "args": ["a"]}',
        '{"op": "subscribe", "args": ["b"]}',
        "--send",
        '{"op": "ping"}',
        *limits(1),
    )
    assert status == 0
    assert json.loads(out) == {"op": "pong"}
    assert fake.ws.sessions[-1].received == [
        {"op": "subscribe", "args": ["a"]},
        {"op": "subscribe", "args": ["b"]},
        {"op": "ping"},
    ]


def test_stream_with_a_store_shows_books_tickers_and_sizes(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.ws.on_message({"op": "subscribe"}, ACK, BOOK_1, BOOK_2, TICKER)
    status, out, err = run(
        capsys,
        "stream",
        URL,
        "--send",
        json.dumps(SUBSCRIBE),
        "--store",
        "FakexDataStore",
        *limits(4),
        "--depth",
        "2",
    )
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"FakexDataStore | {URL}"
    start = lines.index("book X  (top 2 of each side)")
    assert lines[start + 1 :][:6] == [
        "  side  price  size",
        "  ask   102.0   2.0",  # worst of the two shown asks on top, the best next to the spread
        "  ask   100.5  0.25",
        "  ----  spread 1.5  mid 99.75",
        "  bid    99.0   1.5",
        "  bid    98.0   2.5",
    ]
    assert "ticker X: last=100.0  volume=12.5" in lines
    assert lines[-1] == "store sizes: book 6, ticker 1, trades 0"
    assert "stopped: 4 messages" in err


def test_stream_stops_after_duration_without_any_message(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "stream", URL, "--duration", "0.2")
    assert status == 0
    assert out == ""
    assert "0 messages" in err
    assert "stopped: 0.2 s" in err


def write_apis(folder: Path, apis: dict[str, list[str]]) -> Path:
    path = folder / "apis.json"
    path.write_text(json.dumps(apis))
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("accepted", [True, False])
def test_stream_logs_in_with_the_apis_file(
    fake_with_login: ThreadedFake, capsys: pytest.CaptureFixture[str], no_apis: Path, accepted: bool
) -> None:
    apis = write_apis(no_apis, {"fakex": ["KEY", "SECRET"]})
    fake = fake_with_login
    fake.ws.on_message({"op": "login"}, {"op": "login", "success": accepted})
    fake.ws.on_message({"op": "subscribe"}, ACK)
    status, out, err = run(
        capsys, "stream", URL, "--apis", str(apis), "--send", json.dumps(SUBSCRIBE), *limits(2)
    )
    assert status == 0, err
    assert [json.loads(line) for line in out.splitlines()] == [
        {"op": "login", "success": accepted},
        ACK,
    ]
    assert fake.ws.sessions[-1].received == [{"op": "login", "key": "KEY"}, SUBSCRIBE]
    if not accepted:  # the library's warning reaches stderr as one line
        assert "pybotters: error: fakex WebSocket login (API name 'fakex') failed: refused" in err
    assert "SECRET" not in out + err


# -- stream: errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["stream"], "the following arguments are required: url", id="no-url"),
        pytest.param(["stream", URL, "--duration", "-1"], "--duration: expected", id="duration"),
        pytest.param(["stream", URL, "--duration", "nan"], "--duration: expected", id="nan"),
        pytest.param(["stream", URL, "--count", "0"], "--count: expected", id="count"),
        pytest.param(["stream", URL, "--depth", "x"], "--depth: expected", id="depth"),
        pytest.param(["stream", URL, "--send", "{a"], "--send: not valid JSON", id="send"),
        pytest.param(["stream", "--send", "{}", URL], "give the URL before --send", id="url-last"),
        pytest.param(["stream", "https://x.test/"], "must be a WebSocket URL", id="scheme"),
        pytest.param(["stream", "wss://"], "must be a WebSocket URL", id="no-host"),
        pytest.param(["record", URL], "required: -o/--output", id="no-output"),
        pytest.param(["replay"], "required: file", id="no-file"),
        pytest.param(["replay", "f", "--speed", "-1"], "--speed: expected 0", id="speed"),
        pytest.param(["demo", "--duration", "0"], "--duration: expected", id="demo-duration"),
    ],
)
def test_bad_arguments_are_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert expected in one_error_line(err)


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        ("Nope", "'Nope' is not a DataStoreCollection"),
        ("FakexDatastore", "did you mean FakexDataStore?"),
        ("DataStore", "'DataStore' is not a DataStoreCollection"),
        ("DataStoreCollection", "not the DataStoreCollection base class"),
        ("replay", "'replay' is not a DataStoreCollection"),
        ("_plugins", "'_plugins' is not a DataStoreCollection"),
    ],
)
def test_unknown_stores_are_one_line(
    fakex: None, capsys: pytest.CaptureFixture[str], store: str, expected: str
) -> None:
    status, _out, err = run(capsys, "stream", URL, "--store", store)
    assert status == 2
    assert expected in one_error_line(err)


@pytest.mark.parametrize(
    ("distribution", "expected"),
    [
        ("pybotters-zzz", "which is not installed; install it with: pip install pybotters-zzz"),
        ("pytest", "which is installed but not loaded; `pybotters plugins` says why"),
    ],
)
def test_a_store_of_a_plugin_not_loaded_says_what_to_do(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    distribution: str,
    expected: str,
) -> None:
    from pybotters import hookspecs

    providers = {"ZzzDataStore": distribution}
    monkeypatch.setattr(hookspecs, "KNOWN_STORE_PROVIDERS", providers, raising=True)
    status, _, err = run(capsys, "replay", "x.jsonl.gz", "--store", "ZzzDataStore")
    assert status == 1
    line = one_error_line(err)
    assert line.startswith(
        f"pybotters replay: --store ZzzDataStore is provided by the {distribution}"
    )
    assert line.endswith(expected)


def test_unreachable_host_is_one_line(no_apis: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(capsys, "stream", "ws://127.0.0.1:1/ws", "--timeout", "5")
    assert status == 1
    assert one_error_line(err).startswith("pybotters stream: cannot reach 127.0.0.1:1")


def test_unrouted_host_under_the_testing_kit_is_one_line(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "record", "wss://nowhere.test/ws", "-o", "out.jsonl.gz")
    assert status == 1
    line = one_error_line(err)
    assert line.startswith("pybotters record: cannot reach nowhere.test:443")
    assert not Path("out.jsonl.gz").exists()  # nothing is written before a connection works


def test_missing_credentials_are_one_line(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str], no_apis: Path
) -> None:
    apis = no_apis / "apis.json"
    apis.write_text(json.dumps({"otherx": ["KEY", "SECRET"]}))
    apis.chmod(0o600)
    status, _, err = run(capsys, "stream", URL, "--apis", str(apis))
    assert status == 1
    line = one_error_line(err)
    assert "has no credentials for 'fakex'" in line
    assert 'add "fakex": ["KEY", "SECRET"]' in line
    assert fake.ws.sessions == []  # refused before connecting


def test_unreadable_apis_file_is_one_line(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "stream", URL, "--apis", "missing.json")
    assert status == 1
    assert "could not read the apis file 'missing.json'" in one_error_line(err)


# -- record ----------------------------------------------------------------------------------


def test_record_writes_every_frame_with_its_time(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str], no_apis: Path
) -> None:
    fake.ws.on_message({"op": "subscribe"}, ACK, BOOK_1, b"\xff\x00", "not json", TICKER)
    status, out, err = run(
        capsys,
        "record",
        URL + "?token=hidden",
        "--send",
        json.dumps(SUBSCRIBE),
        "-o",
        "board.jsonl.gz",
        *limits(5),
    )
    assert status == 0, err
    assert out == ""
    assert "recorded 5 frames" in err
    with open_recording(no_apis / "board.jsonl.gz") as recording:
        assert recording.header.url == URL  # the query (tokens) is not kept
        assert recording.header.send == (SUBSCRIBE,)
        assert recording.header.extra["created_by"].startswith("pybotters-core ")
        frames = list(recording)
        assert not recording.truncated
    assert [(f.type, f.data) for f in frames] == [
        ("text", orjson.dumps(ACK).decode()),
        ("text", orjson.dumps(BOOK_1).decode()),
        ("binary", b"\xff\x00"),
        ("text", "not json"),
        ("text", orjson.dumps(TICKER).decode()),
    ]
    times = [f.t for f in frames]
    assert times == sorted(times)
    assert recording.header.started <= times[0]


def test_record_refuses_to_overwrite_without_force(
    fake: ThreadedFake, capsys: pytest.CaptureFixture[str], no_apis: Path
) -> None:
    (no_apis / "taken.jsonl.gz").write_bytes(b"keep")
    status, _, err = run(capsys, "record", URL, "-o", "taken.jsonl.gz", "--count", "1")
    assert status == 1
    assert "taken.jsonl.gz exists; pass --force" in one_error_line(err)
    assert (no_apis / "taken.jsonl.gz").read_bytes() == b"keep"

    fake.ws.on_connect(ACK)
    status, _, err = run(capsys, "record", URL, "-o", "taken.jsonl.gz", *limits(1), "--force")
    assert status == 0, err
    assert len(list(open_recording(no_apis / "taken.jsonl.gz"))) == 1


@pytest.mark.parametrize(
    ("output", "expected"),
    [("missing/out.jsonl.gz", "the folder missing does not exist"), (".", "is a directory")],
)
def test_record_to_an_unwritable_place_is_one_line(
    no_apis: Path, capsys: pytest.CaptureFixture[str], output: str, expected: str
) -> None:
    status, _, err = run(capsys, "record", URL, "-o", output)
    assert status == 1
    assert expected in one_error_line(err)


# -- replay ----------------------------------------------------------------------------------


def write_recording(path: Path, messages: list[Any], *, start: float = 1000.0) -> Path:
    with Recorder(path, url=URL, send=[SUBSCRIBE], started=start) as recorder:
        for index, message in enumerate(messages):
            data = message if isinstance(message, str) else orjson.dumps(message).decode()
            recorder.write_frame(start + index * 0.5, "text", data)
    return path


def test_replay_shows_the_final_state_sizes_and_throughput(
    fakex: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_recording(tmp_path / "r.jsonl.gz", [ACK, BOOK_1, "not json", BOOK_2, TICKER])
    status, out, err = run(capsys, "replay", str(path), "--store", "FakexDataStore")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"FakexDataStore | {path}"
    assert lines[1] == "4 messages"
    assert "  ask   100.5  0.25" in lines
    assert "ticker X: last=100.0  volume=12.5" in lines
    assert "store sizes: book 6, ticker 1, trades 0" in lines
    assert lines[-1].startswith("replayed 4 messages in ")
    assert "messages/s); recorded over 2.0 s; 1 non-JSON frames skipped" in lines[-1]


def test_replay_without_a_store_prints_the_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_recording(tmp_path / "r.jsonl.gz", [ACK, "not json", TICKER])
    status, out, err = run(capsys, "replay", str(path))
    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == [ACK, TICKER]
    assert "replay: 2 messages" in err


def test_replay_of_a_store_that_raises_names_the_line(
    fakex: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {"topic": "book", "symbol": "X", "asks": [[1.0]]}  # a level without a size
    path = write_recording(tmp_path / "r.jsonl.gz", [ACK, BOOK_1, broken])
    status, _, err = run(capsys, "replay", str(path), "--store", "FakexDataStore")
    assert status == 1
    line = one_error_line(err)
    assert "FakexDataStore.onmessage raised ValueError" in line
    assert "at line 4 of" in line


def corrupt() -> bytes:
    header = b'{"format": "pybotters-recording", "version": 1, "url": "wss://x/", "send": []'
    frames = b"".join(b'{"t": %d, "type": "text", "data": "%d"}\n' % (i, i) for i in range(999))
    data = bytearray(gzip.compress(header + b', "started": 1.0}\n' + frames))
    data[-8] ^= 0xFF  # the CRC of the gzip trailer no longer matches the content
    return bytes(data)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the recording"),
        (b"", "is empty or not a recording"),
        (b"hello\n", "is not a pybotters recording"),
        (gzip.compress(b'{"format": "other"}\n'), "is not a pybotters recording"),
        (
            gzip.compress(b'{"format": "pybotters-recording", "version": 9}\n'),
            "format version 9",
        ),
        (
            gzip.compress(
                b'{"format": "pybotters-recording", "version": 1, "url": "wss://x/", '
                b'"send": [], "started": 1.0}\n{"t": 1}\n'
            ),
            "line 2 is not a frame",
        ),
        (corrupt(), "is corrupt after line 1000: CRC check failed"),
    ],
)
def test_unreadable_recordings_are_one_line(
    fakex: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / "r.jsonl.gz"
    if content is not None:
        path.write_bytes(content)
    status, _, err = run(capsys, "replay", str(path), "--store", "FakexDataStore")
    assert status == 1
    assert expected in one_error_line(err)


# -- demo: its requirements ------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["pybotters_bitflyer", "trustme"])
def test_demo_without_its_requirements_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == missing else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    status, out, err = run(capsys, "demo", "--duration", "1")
    assert status == 1
    assert out == ""
    line = one_error_line(err)
    assert "pip install 'pybotters-core[bitflyer,testing]'" in line


# -- the view --------------------------------------------------------------------------------


def fed(*messages: Any) -> FakexDataStore:
    store = FakexDataStore()
    for message in messages:
        store.onmessage(message)
    return store


def test_view_orders_levels_around_the_spread_and_limits_depth() -> None:
    view = StoreView(fed(BOOK_1), depth=1, title="T")
    assert view.render("status") == [
        "T",
        "status",
        "",
        "book X  (top 1 of each side)",
        "  side  price  size",
        "  ask   101.0   1.0",
        "  ----  spread 2  mid 100",
        "  bid    99.0   1.5",
    ]


def test_view_of_an_empty_collection_says_so() -> None:
    assert StoreView(FakexDataStore(), title="T").render() == [
        "T",
        "",
        "(no order book or ticker data yet)",
    ]


def test_view_with_one_side_empty() -> None:
    lines = StoreView(fed(book_message([[5.0, 1.0]], [])), title="T").render()
    assert lines[-2:] == ["  ask     5.0   1.0", "  ----  (one side is empty)"]


def test_view_finds_size_fields_of_other_exchanges() -> None:
    class Levels(OrderBookStore):
        _BOOK_SYMBOL = "instId"
        _BOOK_PRICE = "px"

    class Okxish(DataStoreCollection):
        def _init(self) -> None:
            self._create("books", datastore_class=Levels)
            self._create("tickers", keys=["instId"])

        def _onmessage(self, msg: Any, ws: Any) -> None:
            raise NotImplementedError

    store = Okxish()
    store["books"]._insert(
        [
            {"instId": "BTC-USDT", "side": "asks", "px": "65001.5", "liqSz": "0", "sz": "0.3"},
            {"instId": "BTC-USDT", "side": "bids", "px": "65000", "liqSz": "0", "sz": "1.25"},
        ]
    )
    store["tickers"]._insert([{"instId": "BTC-USDT", "last": "65001", "nested": {"a": 1}}])
    lines = StoreView(store, title="T").render()
    assert "  side    price    sz" in lines
    assert "  ask   65001.5   0.3" in lines
    assert "  bid     65000  1.25" in lines
    assert lines[-1] == "tickers BTC-USDT: last=65001"


def test_view_store_sizes() -> None:
    assert StoreView(fed(BOOK_1, TICKER)).sizes() == "store sizes: book 5, ticker 1, trades 0"


def test_screen_redraws_in_place_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.get_terminal_size", lambda: os.terminal_size((8, 3)))
    out = io.StringIO()
    screen = Screen(out, live=True)
    screen.show(["a very long line", "b", "c", "d"])
    screen.show(["x"])
    screen.finish(["y"])
    assert out.getvalue() == (
        "\x1b[?25l\x1b[2J\x1b[H"  # hide the cursor, clear, home
        "a very l\x1b[K\nb\x1b[K\n\x1b[J"  # cut to 8 columns and 3 - 1 rows
        "\x1b[Hx\x1b[K\n\x1b[J"  # later frames: home, overwrite, clear the rest
        "\x1b[Hy\x1b[K\n\x1b[J\x1b[?25h"  # the last frame stays; the cursor comes back
    )


def test_screen_prints_snapshots_when_not_a_terminal() -> None:
    out = io.StringIO()
    screen = Screen(out)
    assert not screen.live
    screen.show(["a", "b"])
    screen.finish(["c"])
    assert out.getvalue() == "a\nb\n\nc\n"


def test_as_json_line() -> None:
    assert as_json_line('{"a": 1}') == '{"a": 1}'  # as sent
    assert as_json_line('{\n "a": 1\n}') == '{"a":1}'
    assert as_json_line("pong") == '"pong"'
    assert as_json_line(b'{"a":2}') == '{"a":2}'
    assert as_json_line(b"\x00") == '"AA=="'


def test_pybotters_resolves_the_test_store(fakex: None) -> None:
    assert pybotters.FakexDataStore is FakexDataStore
    assert isinstance(FakexDataStore()["trades"], DataStore)


# -- real processes and SIGINT ---------------------------------------------------------------


async def start_pushing_server(frames: int) -> tuple[WSServer, asyncio.Event]:
    """A plain ws:// server that pushes ``frames`` messages after a subscription, then idles."""
    server = WSServer()
    pushed = asyncio.Event()

    async def script(conn: ServerConn) -> None:
        await conn.receive()
        for seq in range(frames):
            await conn.send_json({"seq": seq, "pad": "x" * 50})
        pushed.set()

    server.script = script
    await server.start()
    return server, pushed


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - a file written by another process
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def frames_in(path: Path) -> tuple[int, bool]:
    """How many frames the (possibly still growing) recording holds, and whether it is cut."""
    try:
        with open_recording(path) as recording:
            count = sum(1 for _ in recording)
            return count, recording.truncated
    except Exception:
        return -1, True


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")
async def test_record_stops_on_sigint_with_every_frame_in_a_complete_file(
    tmp_path: Path,
) -> None:
    frames = 300
    server, pushed = await start_pushing_server(frames)
    output = tmp_path / "rec.jsonl.gz"
    env = {**os.environ, "PYBOTTERS_APIS": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pybotters",
        "record",
        server.url("/ws"),
        "--send",
        '{"op": "subscribe"}',
        "-o",
        str(output),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        await asyncio.wait_for(pushed.wait(), 15)
        # The recorder makes the file readable every second while it runs.
        await wait_until(lambda: frames_in(output)[0] == frames)
        assert frames_in(output) == (frames, True)  # readable, but the gzip stream is open
        process.send_signal(signal.SIGINT)
        _out, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.close()
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert f"recorded {frames} frames".encode() in err
    assert b"stopped: interrupted" in err
    with gzip.open(output, "rb") as file:  # a complete gzip stream: reads to its end
        lines = file.read().splitlines()
    assert len(lines) == 1 + frames
    with open_recording(output) as recording:
        seqs = [orjson.loads(frame.data)["seq"] for frame in recording]
        assert not recording.truncated
    assert seqs == list(range(frames))


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")
async def test_stream_stops_on_sigint_cleanly(tmp_path: Path) -> None:
    server, _pushed = await start_pushing_server(3)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pybotters",
        "stream",
        server.url("/ws"),
        "--send",
        "{}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYBOTTERS_APIS": ""},
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        lines = [await asyncio.wait_for(process.stdout.readline(), 15) for _ in range(3)]
        process.send_signal(signal.SIGINT)
        rest, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.close()
    assert [json.loads(line)["seq"] for line in lines] == [0, 1, 2]
    assert rest == b""
    assert process.returncode == 0
    assert b"Traceback" not in err
    assert b"stopped: interrupted" in err
