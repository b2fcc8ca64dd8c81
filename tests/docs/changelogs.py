"""The changelog pages of the documentation: copies of each package's CHANGELOG.md.

Each package keeps its canonical changelog next to its code (``packages/*/CHANGELOG.md``); the
site shows a copy under ``docs/changelog/``. ``test_changelogs.py`` fails when a copy differs
from its source. Refresh every copy with::

    python -m tests.docs.changelogs
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CHANGELOGS", "ROOT", "render", "write_all"]

ROOT = Path(__file__).resolve().parents[2]

# page under docs/changelog/ -> (distribution, canonical file)
CHANGELOGS: dict[str, tuple[str, Path]] = {
    "core.md": ("pybotters-core", ROOT / "packages" / "core" / "CHANGELOG.md"),
    "bitflyer.md": ("pybotters-bitflyer", ROOT / "packages" / "exchange-bitflyer" / "CHANGELOG.md"),
    "bybit.md": ("pybotters-bybit", ROOT / "packages" / "exchange-bybit" / "CHANGELOG.md"),
    "okx.md": ("pybotters-okx", ROOT / "packages" / "exchange-okx" / "CHANGELOG.md"),
}


def note(page: str) -> str:
    """The admonition that says where the canonical changelog of ``page`` is."""
    distribution, source = CHANGELOGS[page]
    return (
        '!!! note "Canonical changelog"\n'
        f"    The changelog of `{distribution}` lives in the repository at"
        f" `{source.relative_to(ROOT).as_posix()}`,\n"
        "    next to the package's code. This page is a copy of it.\n\n"
    )


def render(page: str) -> str:
    """The text of ``docs/changelog/<page>``: the canonical file with :func:`note` inserted
    after its title, under a comment that says how to refresh the copy."""
    _, source = CHANGELOGS[page]
    relative = source.relative_to(ROOT).as_posix()
    text = source.read_text(encoding="utf-8")
    title, newline, rest = text.partition("\n")
    if not title.startswith("# "):
        title, newline, rest = "", "", text
    comment = (
        f"<!-- A copy of {relative}: edit that file, then run"
        " `python -m tests.docs.changelogs`. -->\n\n"
    )
    return comment + title + newline + ("\n" if title else "") + note(page) + rest.lstrip("\n")


def write_all() -> list[Path]:
    """Write every changelog page; return the pages that changed."""
    changed = []
    for page in CHANGELOGS:
        target = ROOT / "docs" / "changelog" / page
        text = render(page)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


if __name__ == "__main__":
    for path in write_all():
        print(f"updated {path.relative_to(ROOT)}")
