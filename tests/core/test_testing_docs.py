"""Every Python example of docs/testing.md runs, exactly as written, in a fresh process."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from pybotters._plugins import host

DOC = Path(__file__).parents[2] / "docs" / "testing.md"
BLOCK = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```$", re.S | re.M)
TITLE = re.compile(r'title="(?P<title>[^"]+)"')
EXPECTED = {"bot.py", "test_bot.py", "standalone.py", "test_reconnect.py", "test_plugin_spec.py"}


def examples() -> dict[str, str]:
    found: dict[str, str] = {}
    for block in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        title = TITLE.search(block["info"])
        assert title is not None, f"untitled python block in {DOC.name}: {block['code'][:60]!r}"
        found[title["title"]] = block["code"]
    return found


def write_examples(directory: Path) -> None:
    for name, code in examples().items():
        (directory / name).write_text(code, encoding="utf-8")


def bitflyer_plugin_loaded() -> bool:
    return any(exchange.name == "bitflyer" for exchange in host.registry.http_hosts.values())


@pytest.fixture(scope="module")
def pytest_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the test examples once, in a fresh pytest process with warnings as errors."""
    directory = tmp_path_factory.mktemp("testing_docs")
    write_examples(directory)
    files = ["test_reconnect.py", "test_plugin_spec.py"]
    if bitflyer_plugin_loaded():
        files.append("test_bot.py")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,
        timeout=120,
    )
    return out.stdout + out.stderr


def test_every_python_example_is_titled_and_run_here() -> None:
    assert set(examples()) == EXPECTED


def test_standalone_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_examples(tmp_path)
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(tmp_path / "standalone.py"), run_name="__main__")


@pytest.mark.parametrize(
    "test_id",
    [
        "test_reconnect.py::test_the_stream_survives_a_disconnect",
        "test_plugin_spec.py::test_signatures_and_login",
    ],
)
def test_pytest_examples(pytest_run: str, test_id: str) -> None:
    assert f"{test_id} PASSED" in pytest_run, pytest_run


def test_bot_example(pytest_run: str) -> None:
    if not bitflyer_plugin_loaded():
        pytest.skip("the bot example fakes bitFlyer: it needs the pybotters-bitflyer plugin")
    test_id = "test_bot.py::test_buys_at_the_best_bid_and_waits_for_the_fill"
    assert f"{test_id} PASSED" in pytest_run, pytest_run
