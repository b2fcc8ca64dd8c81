"""Every benchmark workload runs at tiny size, in this process, on this project ("ours") and on
the hand-written raw side ("limit"), and both end in the same state.

No timing is asserted. The pybotters 1.11.2 side needs its own virtualenv and is exercised by
``nox -s bench`` only. Workloads that need an exchange plugin are skipped when it is not
installed (the core-only test subset).
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _data, _runner, _worker, workloads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[workloads.Env]:
    """The local server process (WebSocket + HTTP) and a tiny-size Env pointing at it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        ports = json.loads(proc.stdout.readline())
        yield workloads.Env(workloads.TINY, ws_port=ports["ws_port"], http_port=ports["http_port"])
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        finally:
            proc.stdout.close()
            if proc.returncode is None:
                proc.kill()
                proc.wait()


def _skip_if_unavailable(env: workloads.Env, workload: workloads.Workload) -> None:
    why = env.has(workload.needs)
    if why is not None:
        pytest.skip(why)


@pytest.mark.parametrize("name", [w.name for w in workloads.WORKLOADS])
def test_workload_runs_on_ours_and_limit(env: workloads.Env, name: str) -> None:
    workload = workloads.by_name(name)
    _skip_if_unavailable(env, workload)
    assert env.api.flavor == "ours"

    ours = workload.api(env)
    limit = workload.limit(env)

    for sample in (ours, limit):
        if workload.unit == "ops/s":
            assert sample.complete, "tiny inputs must be processed whole"
            assert sample.ops > 0
            assert sample.seconds > 0
        else:
            assert sample.value is not None
            assert sample.value > 0
    if workload.unit == "ops/s":
        assert ours.digest is not None
        assert json.dumps(ours.digest) == json.dumps(limit.digest), (
            f"{name}: this project and the raw code ended in different states"
        )


def test_worker_protocol_answers_and_reports_failures(env: workloads.Env) -> None:
    hello = _worker.handle({"cmd": "hello"}, "limit", env)
    assert hello["ok"] is True
    assert hello["flavor"] == "limit"
    answer = _worker.handle({"cmd": "run", "name": "keyed.get"}, "limit", env)
    assert answer["ok"] is True
    assert answer["sample"]["digest"] == workloads.TINY.keyed_items
    with pytest.raises(KeyError, match="no workload named 'nope'"):
        _worker.handle({"cmd": "run", "name": "nope"}, "limit", env)
    assert _worker.handle({"cmd": "bogus"}, "limit", env)["ok"] is False


def _answers(*values: float, unit: str = "ops/s") -> list[dict[str, Any]]:
    if unit == "ops/s":
        samples = [{"ops": v, "seconds": 1.0, "value": None} for v in values]
    else:
        samples = [{"ops": 0, "seconds": 0.0, "value": v} for v in values]
    return [
        {"ok": True, "sample": {**s, "complete": True, "digest": [1], "extra": {}}} for s in samples
    ]


def test_summary_takes_medians_and_ratios_read_as_times_better() -> None:
    rate = workloads.by_name("ws.dispatch")
    summary = _runner.summarise(
        rate,
        {
            "ours": _answers(300, 100, 200),
            "pybotters": _answers(50, 40, 60),
            "limit": _answers(400, 400, 400),
        },
    )
    assert summary["sides"]["ours"]["median"] == 200
    assert summary["ratio_pybotters"] == pytest.approx(4.0)
    assert summary["ratio_limit"] == pytest.approx(0.5)
    assert summary["met_pybotters"] is True
    assert summary["met_limit"] is False
    assert summary["digests_agree"] is True

    # Milliseconds: lower is better, so the ratio is the other side's time over ours.
    timed = workloads.by_name("import.first_store")
    summary = _runner.summarise(
        timed, {"ours": _answers(50, unit="ms"), "pybotters": _answers(150, unit="ms")}
    )
    assert summary["ratio_pybotters"] == pytest.approx(3.0)
    table = _runner.markdown(
        {
            "meta": {
                "date": "today",
                "machine": "m",
                "cpus": 2,
                "repeat": 1,
                "total_seconds": 1.0,
                "versions": {},
            },
            "workloads": [summary],
        }
    )
    assert "| `import.first_store` (ms) | 50.0 ms | 150.0 ms | - | 3.00x (target 2x: met) |" in (
        table
    )


def test_a_failed_side_is_reported_not_hidden() -> None:
    summary = _runner.summarise(
        workloads.by_name("keyed.get"),
        {"ours": [{"ok": False, "error": "RuntimeError: boom"}], "limit": _answers(10)},
    )
    assert summary["sides"]["ours"]["median"] is None
    assert summary["sides"]["ours"]["error"] == "RuntimeError: boom"
    assert summary["ratio_limit"] is None


def test_inputs_are_deterministic() -> None:
    first = _data.okx_books.__wrapped__(20, 30)  # type: ignore[attr-defined]
    again = _data.okx_books.__wrapped__(20, 30)  # type: ignore[attr-defined]
    assert first == again
    updates = json.loads(first[1])
    chain = [u["data"][0] for u in updates]
    assert all(b["prevSeqId"] == a["seqId"] for a, b in itertools.pairwise(chain))
    # The OKX checksum vector (CRC32 of "3366.1:7:3366.8:9:3366:6:3368:8", signed).
    assert _data.okx_crc([["3366.1", "7"], ["3366", "6"]], [["3366.8", "9"], ["3368", "8"]]) == (
        -1881014294
    )


def _console_commands(doc: Path) -> list[list[str]]:
    commands = []
    in_console = False
    for line in doc.read_text().splitlines():
        if line.startswith("```"):
            in_console = line.strip() == "```console"
            continue
        if in_console and line.startswith("$ "):
            commands.append(shlex.split(line[2:]))
    return commands


def test_documented_commands_and_options_exist() -> None:
    parser = _runner.build_parser()
    seen = 0
    for doc in (ROOT / "docs" / "performance.md", ROOT / "benchmarks" / "README.md"):
        for words in _console_commands(doc):
            assert words[:3] == ["nox", "-s", "bench"], f"{doc.name}: unexpected {words}"
            parser.parse_args(words[words.index("--") + 1 :] if "--" in words else [])
            seen += 1
    assert seen >= 4
    assert "def bench(session" in (ROOT / "noxfile.py").read_text()
    # Every option in the README's table is one the runner accepts.
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    options = re.findall(r"^\| `(--[a-z-]+)", readme, flags=re.MULTILINE)
    assert options
    known = {opt for action in parser._actions for opt in action.option_strings}
    assert set(options) <= known
