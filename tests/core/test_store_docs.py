"""Every example in docs/datastore.md that needs no network runs and prints what it shows."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "datastore.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
# Examples that need a live exchange (or a store fed by one) say so on their first line.
OFFLINE_SKIP = ("# Needs", "# Connects to")


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_runnable_examples() -> None:
    found = blocks()
    doctests = [b for b in found if b.lstrip().startswith(">>>")]
    scripts = [b for b in found if not b.lstrip().startswith((">>>", *OFFLINE_SKIP))]
    assert len(doctests) >= 2
    assert len(scripts) >= 3


@pytest.mark.parametrize(
    "source",
    [b for b in blocks() if b.lstrip().startswith(">>>")],
    ids=lambda b: b.splitlines()[1][:40] if len(b.splitlines()) > 1 else b[:40],
)
def test_doctest_examples(source: str) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, "datastore.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    output: list[str] = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)
    assert runner.tries > 0


@pytest.mark.parametrize(
    "source",
    [b for b in blocks() if not b.lstrip().startswith((">>>", *OFFLINE_SKIP))],
    ids=lambda b: b.strip().splitlines()[-1][:40],
)
def test_script_examples(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Scripts call asyncio.run() themselves, so they run outside the test's event loop.
    exec(compile(source, str(DOC), "exec"), {"__name__": "__docs__"})
    printed = capsys.readouterr().out
    for expected in re.findall(r"print\(.*\)\s+# (.+)", source):
        assert expected in printed


def test_wait_example_prints_the_ticker(capsys: pytest.CaptureFixture[str]) -> None:
    (source,) = [b for b in blocks() if "async def feed" in b]
    exec(compile(source, str(DOC), "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out == "[{'product_code': 'BTC_JPY', 'ltp': 10000000}]\n"


def test_watch_example_prints_the_change(capsys: pytest.CaptureFixture[str]) -> None:
    (source,) = [b for b in blocks() if "executions.watch()" in b]
    exec(compile(source, str(DOC), "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out == "insert {'side': 'BUY', 'price': 100, 'size': 0.01}\n"
