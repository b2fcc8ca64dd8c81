"""``pybotters demo`` and the bundled bitFlyer recording, with the real bitFlyer plugin.

The demo streams the recording through a local fake bitFlyer, the real Client, WebSocketApp and
bitFlyerDataStore; its final book must be exactly the book the recording's generator built, and
exactly what an offline replay of the same file gives.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import pybotters
from pybotters.cli import main
from pybotters.cli._view import StoreView
from pybotters.replay import demo_recording, replay

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_recording", ROOT / "tools" / "make_demo_recording.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_book() -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The generator's own final book: (asks ascending, bids descending)."""
    _, book = generator().generate()
    return sorted(book.asks.items()), sorted(book.bids.items(), reverse=True)


def replayed_view(depth: int) -> list[str]:
    store = pybotters.bitFlyerDataStore()
    replay(demo_recording(), store)
    asks, bids = expected_book()
    board = store.board.sorted()
    assert [(level["price"], level["size"]) for level in board["asks"]] == asks
    assert [(level["price"], level["size"]) for level in board["bids"]] == bids
    return StoreView(store, depth=depth).render()[1:]  # without the title line


def test_the_bundled_recording_is_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "regenerated.jsonl.gz"
    generator().write(out)
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(demo_recording().read_bytes())


def test_replaying_the_recording_builds_the_generators_book() -> None:
    store = pybotters.bitFlyerDataStore()
    stats = replay(demo_recording(), store)
    assert stats.messages == 3064
    asks, bids = expected_book()
    assert len(store.board) == len(asks) + len(bids)
    assert store.board.sorted(limit=1)["asks"][0]["price"] == asks[0][0]
    assert len(store.ticker) == 1


def test_demo_at_full_speed_ends_with_the_replayed_book(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./apis.json: the demo uses none anyway
    status = main(["demo", "--speed", "0", "--depth", "8", "--duration", "30"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "Traceback" not in out + err
    final = out[out.index("final book:\n") :].splitlines()
    assert final[1] == (
        "bitFlyerDataStore | wss://ws.lightstream.bitflyer.com/json-rpc (local fake exchange)"
    )
    view = replayed_view(depth=8)
    assert final[3 : 3 + len(view)] == view  # the same book and ticker, line for line
    assert final[-2].startswith("store sizes: board 164, ticker 1, executions 0")
    assert final[-1].startswith("demo: 3,064 messages in ")
    assert final[-1].endswith("stopped: end of the recording")


def test_replay_command_on_the_bundled_recording(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(demo_recording())
    status = main(["replay", path, "--store", "bitFlyerDataStore", "--depth", "5"])
    out, err = capsys.readouterr()
    assert status == 0, err
    lines = out.splitlines()
    assert lines[:2] == [f"bitFlyerDataStore | {path}", "3,064 messages"]
    assert lines[2:-3] == replayed_view(depth=5)
    assert lines[-2].startswith("store sizes: board 164, ticker 1")
    assert lines[-1].startswith("replayed 3,064 messages in ")


def test_demo_runs_as_a_program_and_ends_by_itself(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pybotters",
            "demo",
            "--duration",
            "1.5",
            "--every",
            "0.5",
            "--depth",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYBOTTERS_APIS": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.count("board BTC_JPY  (top 3 of each side)") >= 2  # snapshots, then the final
    assert "final book:" in out
    assert "ticker BTC_JPY: ltp=" in out
    assert out.rstrip().endswith("stopped: 1.5 s")
