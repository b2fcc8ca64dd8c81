"""Every Python example of docs/testing.md runs, exactly as written, in a fresh process."""

from __future__ import annotations

import re
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


def run_pytest(directory: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
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


def test_every_python_example_is_titled_and_run_here() -> None:
    assert set(examples()) == EXPECTED


def test_standalone_example(tmp_path: Path) -> None:
    write_examples(tmp_path)
    out = subprocess.run(
        [sys.executable, "-W", "error", "standalone.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_reconnect_and_plugin_examples(tmp_path: Path) -> None:
    write_examples(tmp_path)
    out = run_pytest(tmp_path, "test_reconnect.py", "test_plugin_spec.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed" in out.stdout, out.stdout


def test_bot_example(tmp_path: Path) -> None:
    exchanges = {exchange.name for exchange in host.registry.http_hosts.values()}
    if "bitflyer" not in exchanges:
        pytest.skip("the bot example fakes bitFlyer: it needs the pybotters-bitflyer plugin")
    write_examples(tmp_path)
    out = run_pytest(tmp_path, "test_bot.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout, out.stdout
