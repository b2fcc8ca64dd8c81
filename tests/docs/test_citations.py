"""Tests the documentation cites as evidence exist: ``tests/<path>.py::test_name``."""

from __future__ import annotations

import re

import pytest

from .blocks import DOCS, pages

ROOT = DOCS.parent
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def citations() -> list[tuple[str, str, str]]:
    found = []
    for path in pages():
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            found.append((path.relative_to(DOCS).as_posix(), match[1], match[2]))
    return found


def test_reliability_cites_tests() -> None:
    cited = [c for c in citations() if c[0] == "reliability.md"]
    assert len(cited) >= 30


@pytest.mark.parametrize(("page", "file", "name"), citations())
def test_cited_test_exists(page: str, file: str, name: str) -> None:
    path = ROOT / file
    assert path.is_file(), f"{page} cites {file}, which does not exist"
    definition = re.compile(rf"^\s*(async\s+)?def {name}\(", re.MULTILINE)
    assert definition.search(path.read_text(encoding="utf-8")), (
        f"{page} cites {file}::{name}, which is not defined there; update the citation"
    )
