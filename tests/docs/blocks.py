"""The code blocks of the documentation, with the directive that says how each one is run.

Every fenced block whose language is ``python`` (or ``py``/``pycon``) in ``docs/*.md`` and
``docs/plugins/*.md`` is an example the test suite executes. How it is run is said by an HTML
comment on the line right before the fence (it does not show on the rendered page):

``<!-- test: prints "TEXT" -->``
    The example runs forever (a stream, a ``while True`` loop): it runs until it printed
    ``TEXT``, then it is cancelled, as Ctrl+C would stop it.
``<!-- test: ends after printing "TEXT" -->``
    The example ends by itself, after printing ``TEXT``.
``<!-- test: ends -->``
    The example ends by itself (it may print nothing).
``<!-- test: raises NameError -->``
    The example must raise that exception (a sample kept as published, with a known slip).
``<!-- not-run: REASON -->``
    Not executed; the test report shows ``REASON``. Only for pure fragments.

A block without a directive is run with the plan that ``scenarios.py`` gives it (pages whose
authors did not add directives), or, if it is a ``>>>`` session, as a doctest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DOCS",
    "Block",
    "Directive",
    "DirectiveError",
    "all_blocks",
    "collect",
    "pages",
    "parse_directive",
]

DOCS = Path(__file__).resolve().parents[2] / "docs"
PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "pycon"})

_FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n"
    r"(?P<code>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_COMMENT = re.compile(r"^\s*<!--\s*(?P<body>.*?)\s*-->\s*$")
_PRINTS = re.compile(r'^test:\s*prints\s+"(?P<text>.+)"$')
_ENDS_PRINTING = re.compile(r'^test:\s*ends after printing\s+"(?P<text>.+)"$')
_ENDS = re.compile(r"^test:\s*ends$")
_RAISES = re.compile(r"^test:\s*raises\s+(?P<name>[A-Za-z_][A-Za-z0-9_.]*)$")
_NOT_RUN = re.compile(r"^not-run:\s*(?P<reason>\S.*)$")


class DirectiveError(ValueError):
    """A ``<!-- test: ... -->`` or ``<!-- not-run: ... -->`` comment that cannot be read."""


@dataclass(frozen=True)
class Directive:
    """How a block is run: ``mode`` is ``prints``, ``ends``, ``raises`` or ``not-run``."""

    mode: str
    text: str = ""


@dataclass(frozen=True)
class Block:
    """One fenced code block of a documentation page."""

    page: str  # relative to docs/, e.g. "plugins/okx.md"
    line: int  # the line of the opening fence (1-based)
    language: str
    title: str | None
    code: str
    directive: Directive | None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def is_doctest(self) -> bool:
        return self.code.lstrip().startswith(">>>")

    @property
    def is_pytest_file(self) -> bool:
        return self.title is not None and Path(self.title).name.startswith("test_")


def pages() -> list[Path]:
    """Every page whose examples are executed."""
    return sorted(DOCS.glob("*.md")) + sorted((DOCS / "plugins").glob("*.md"))


def parse_directive(comment: str, where: str) -> Directive | None:
    """The directive of an HTML comment body, ``None`` for any other comment."""
    body = comment.strip()
    if not body.startswith(("test:", "not-run")):
        return None
    for pattern, mode in ((_PRINTS, "prints"), (_ENDS_PRINTING, "ends")):
        found = pattern.match(body)
        if found:
            return Directive(mode, found["text"])
    if _ENDS.match(body):
        return Directive("ends")
    found = _RAISES.match(body)
    if found:
        return Directive("raises", found["name"])
    found = _NOT_RUN.match(body)
    if found:
        return Directive("not-run", found["reason"])
    raise DirectiveError(
        f"{where}: cannot read the directive <!-- {body} -->; write one of "
        '<!-- test: prints "TEXT" -->, <!-- test: ends after printing "TEXT" -->, '
        "<!-- test: ends -->, <!-- test: raises ExceptionName --> or <!-- not-run: REASON -->"
    )


def collect(path: Path, languages: frozenset[str] = PYTHON_LANGUAGES) -> list[Block]:
    """The code blocks of ``path`` written in one of ``languages``."""
    text = path.read_text(encoding="utf-8")
    page = path.relative_to(DOCS).as_posix()
    blocks: list[Block] = []
    for found in _FENCE.finditer(text):
        info = found["info"].strip()
        language = info.split(maxsplit=1)[0].lower() if info else ""
        if language not in languages:
            continue
        line = text.count("\n", 0, found.start()) + 1
        indent = len(found["indent"])
        code = "".join(row[indent:] for row in found["code"].splitlines(keepends=True))
        lines_before = text[: found.start()].split("\n")
        before = lines_before[-2] if len(lines_before) >= 2 else ""
        comment = _COMMENT.match(before)
        directive = None
        if comment is not None:
            directive = parse_directive(comment["body"], f"{page}:{line}")
        title = _TITLE.search(info)
        blocks.append(
            Block(
                page=page,
                line=line,
                language=language,
                title=title["title"] if title else None,
                code=code,
                directive=directive,
            )
        )
    return blocks


def all_blocks() -> list[Block]:
    """The Python blocks of every page."""
    return [block for path in pages() for block in collect(path)]
