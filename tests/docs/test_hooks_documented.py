"""Every hook of the plugin contract is documented for plugin authors and tested.

- ``docs/plugins/authoring.md`` has a heading ``pybotters_name(arg, ...)`` per hook
  specification, built from the specification's own argument names, and the section under it
  says when the hook is **Called**, what it **Returns** and what it **Must not** do.
- Some test under ``tests/`` (other than this file) names the hook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pluggy
import pytest

from pybotters import hookspecs

ROOT = Path(__file__).resolve().parents[2]
AUTHORING = ROOT / "docs" / "plugins" / "authoring.md"
TESTS = ROOT / "tests"


def hook_signatures() -> dict[str, str]:
    """Hook name -> ``name(arg, ...)`` from the specifications registered on a fresh manager."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    signatures = {}
    for name in dir(pm.hook):
        if not name.startswith("pybotters_"):
            continue
        caller = getattr(pm.hook, name)
        assert caller.spec is not None, name
        signatures[name] = f"{name}({', '.join(caller.spec.argnames)})"
    return signatures


HOOKS = hook_signatures()


def sections() -> dict[str, str]:
    """Heading text -> the section under it, up to the next heading of the same or higher level."""
    text = AUTHORING.read_text(encoding="utf-8")
    found = list(re.finditer(r"^(#{1,6}) (.+)$", text, re.MULTILINE))
    result = {}
    for index, heading in enumerate(found):
        level = len(heading[1])
        end = len(text)
        for later in found[index + 1 :]:
            if len(later[1]) <= level:
                end = later.start()
                break
        result[heading[2].strip().strip("`")] = text[heading.end() : end]
    return result


def test_the_specifications_are_found() -> None:
    names = {name for name in dir(hookspecs) if name.startswith("pybotters_")}
    assert names == set(HOOKS)
    assert {"pybotters_exchanges", "pybotters_load_apis"} <= names


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_is_documented(name: str) -> None:
    signature = HOOKS[name]
    documented = sections()
    assert signature in documented, (
        f"docs/plugins/authoring.md has no heading `{signature}`; add one (built from the "
        f"specification's arguments) with its Called / Returns / Must not"
    )
    body = documented[signature]
    for part in ("**Called**", "**Returns**", "**Must not**"):
        assert part in body, f"the section `{signature}` does not say {part}"


def _test_files() -> list[Path]:
    me = Path(__file__).resolve()
    return [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if path.resolve() != me
        and (path.name.startswith("test_") or path.name == "conftest.py")
        and "fixtures" not in path.relative_to(TESTS).parts
    ]


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_is_tested(name: str) -> None:
    word = re.compile(rf"\b{name}\b")
    users = [
        path.relative_to(ROOT).as_posix()
        for path in _test_files()
        if word.search(path.read_text(encoding="utf-8"))
    ]
    assert users, f"no test under tests/ names the hook {name}; write one that exercises it"
