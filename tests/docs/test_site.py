"""The site's structure: the nav, the home page's links and the API reference's coverage.

``mkdocs build --strict`` (the ``docs`` nox session) checks links and anchors; these tests keep
the nav, the home page and the reference complete, and run without mkdocs.
"""

from __future__ import annotations

import re

import pybotters
from pybotters._plugins import host

from .blocks import DOCS

ROOT = DOCS.parent
NAV_ENTRY = re.compile(r"^\s+- (?:[^:\n]+: )?(?P<page>[\w/.-]+\.md)\s*$", re.MULTILINE)


def nav_pages() -> list[str]:
    return NAV_ENTRY.findall((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_every_nav_entry_exists() -> None:
    pages = nav_pages()
    assert len(pages) == len(set(pages)) >= 15
    missing = [page for page in pages if not (DOCS / page).is_file()]
    assert not missing, f"mkdocs.yml names pages that do not exist: {missing}"


def test_every_page_is_in_the_nav() -> None:
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    left_out = sorted(pages - set(nav_pages()))
    assert not left_out, f"add these pages to the nav of mkdocs.yml: {left_out}"


def test_the_home_page_links_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w/.-]+\.md)(?:#[\w-]+)?\)", index))
    unlinked = sorted(set(nav_pages()) - linked - {"index.md"})
    assert not unlinked, f"docs/index.md does not link {unlinked}"


def test_the_reference_documents_every_public_name() -> None:
    reference = (DOCS / "reference.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: ([\w.]+)$", reference, re.MULTILINE))
    public = {f"pybotters.{name}" for name in pybotters.__all__ if name != "__version__"}
    assert not public - documented, f"add to docs/reference.md: {sorted(public - documented)}"
    stores = {f"{target.__module__}.{name}" for name, target in _installed_stores().items()}
    assert not stores - documented, f"add to docs/reference.md: {sorted(stores - documented)}"


def _installed_stores() -> dict[str, type]:
    found = {}
    for name in host.registry.stores:
        store = host.registry.resolve_store(name)
        assert store is not None, name
        found[name] = store
    return found
