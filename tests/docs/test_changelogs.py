"""The changelog pages of the site are exact copies of the packages' CHANGELOG.md files."""

from __future__ import annotations

import pytest

from .changelogs import CHANGELOGS, ROOT, note, render

PAGES = ROOT / "docs" / "changelog"


def test_every_package_has_a_changelog_page() -> None:
    packages = sorted(p.parent.name for p in (ROOT / "packages").glob("*/CHANGELOG.md"))
    sources = sorted(source.parent.name for _, source in CHANGELOGS.values())
    assert packages == sources
    assert sorted(p.name for p in PAGES.glob("*.md")) == sorted(CHANGELOGS)


@pytest.mark.parametrize("page", sorted(CHANGELOGS))
def test_page_is_the_current_copy(page: str) -> None:
    text = (PAGES / page).read_text(encoding="utf-8")
    assert text == render(page), (
        f"docs/changelog/{page} differs from its canonical changelog; "
        "refresh it with: python -m tests.docs.changelogs"
    )


@pytest.mark.parametrize("page", sorted(CHANGELOGS))
def test_page_holds_every_line_of_the_changelog(page: str) -> None:
    """Without its comment and note, the page is the changelog itself (blank lines aside)."""
    _, source = CHANGELOGS[page]
    added = set(note(page).splitlines())
    lines = [
        line
        for line in (PAGES / page).read_text(encoding="utf-8").splitlines()
        if line.strip() and line not in added and not line.startswith("<!-- A copy of")
    ]
    expected = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines == expected
