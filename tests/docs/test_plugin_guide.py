"""The plugin-author guide shows the example plugin of tests/fixtures/thirdparty as it is.

The files of ``pybotters-nimbus`` in docs/plugins/authoring.md are not run by the docs harness
(they are modules of a package, with relative imports); they are run by the plugin's own tests
in ``nox -s thirdparty``. This test keeps the two identical, so the guide cannot drift from
code that is installed, discovered and conformance-tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .blocks import DOCS, collect

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty"
GUIDE = DOCS / "plugins" / "authoring.md"
SHOWN = [
    "pyproject.toml",
    "src/pybotters_nimbus/__about__.py",
    "src/pybotters_nimbus/plugin.py",
    "src/pybotters_nimbus/_signing.py",
    "src/pybotters_nimbus/_ws.py",
    "src/pybotters_nimbus/store.py",
    "src/pybotters_nimbus/testing.py",
    "tests/test_conformance.py",
]


def guide_blocks() -> list[str]:
    return [block.code for block in collect(GUIDE, frozenset({"python", "toml"}))]


@pytest.mark.parametrize("path", SHOWN)
def test_the_guide_shows_the_file_as_it_is(path: str) -> None:
    text = (FIXTURE / path).read_text(encoding="utf-8")
    assert text in guide_blocks(), (
        f"docs/plugins/authoring.md does not show tests/fixtures/thirdparty/{path} as it is; "
        "copy the file into its code block"
    )


def test_every_file_of_the_plugin_package_is_in_the_guide_or_trivial() -> None:
    package = FIXTURE / "src" / "pybotters_nimbus"
    shown = {Path(path).name for path in SHOWN}
    left_out = sorted(
        p.name for p in package.glob("*.py") if p.name not in shown and p.name != "__init__.py"
    )
    assert not left_out, f"the guide does not show {left_out}"
