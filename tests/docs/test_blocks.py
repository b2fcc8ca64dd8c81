"""How documentation blocks and their directives are read, and how a plan is chosen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from . import blocks as blocks_module
from .blocks import Block, Directive, DirectiveError, collect, parse_directive
from .harness import PlanError, Scenario, exchanges_of, execute, own_fakes, plan_for

PAGE = """# A page

<!-- test: prints "tick" -->
```python
async def main():
    while True:
        print("tick")
```

<!-- not-run: the shape of a dict, not a program -->
```python
{"API_NAME": ["KEY", "SECRET"]}
```

<!-- a plain comment -->
```py
x = 1
```

<!-- test: ends -->

```python
import asyncio
asyncio.run(main())
```

```console
pip install pybotters-core
```

- a list item:

    ```pycon
    >>> 1 + 1
    2
    ```

```python title="test_thing.py"
def test_thing():
    pass
```
"""


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(blocks_module, "DOCS", tmp_path)
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_collect_reads_python_blocks_and_their_directives(page: Path) -> None:
    found = collect(page)
    assert [b.language for b in found] == ["python", "python", "py", "python", "pycon", "python"]
    assert found[0].directive == Directive("prints", "tick")
    assert found[1].directive == Directive("not-run", "the shape of a dict, not a program")
    assert found[2].directive is None  # an ordinary comment is no directive
    assert found[3].directive is None  # a blank line separates the comment from the fence
    assert found[4].code == ">>> 1 + 1\n2\n" and found[4].is_doctest  # indentation removed
    assert found[5].title == "test_thing.py" and found[5].is_pytest_file
    assert found[0].page == "page.md" and found[0].line == 4
    assert found[0].code.startswith("async def main():\n")


@pytest.mark.parametrize(
    ("comment", "directive"),
    [
        ('test: prints "a b"', Directive("prints", "a b")),
        ('test: ends after printing "done"', Directive("ends", "done")),
        ("test: ends", Directive("ends")),
        ("test: raises NameError", Directive("raises", "NameError")),
        ("not-run: a fragment", Directive("not-run", "a fragment")),
        ("an author's note", None),
    ],
)
def test_directives(comment: str, directive: Directive | None) -> None:
    assert parse_directive(comment, "page.md:1") == directive


@pytest.mark.parametrize("comment", ["test: prints tick", "test: sometimes", "not-run:"])
def test_an_unreadable_directive_is_an_error(comment: str) -> None:
    with pytest.raises(DirectiveError, match=r"page\.md:3: cannot read the directive"):
        parse_directive(comment, "page.md:3")


def block(code: str, directive: Directive | None = None, page: str = "p.md") -> Block:
    return Block(page, 1, "python", None, code, directive)


def test_a_coroutine_needs_a_plan() -> None:
    with pytest.raises(PlanError, match="runs a coroutine but says neither"):
        plan_for(block("async def main():\n    pass\n"), [])
    assert plan_for(block("x = 1\n"), []).mode == "runs"
    assert plan_for(block(">>> 1\n1\n"), []).mode == "doctest"


def test_a_scenario_gives_the_plan_or_adds_to_a_directive() -> None:
    code = "async def main():\n    print('hi')\n"
    scenario = Scenario("p.md", "print('hi')", mode="ends", expect=("hi",))
    plan = plan_for(block(code), [scenario])
    assert (plan.mode, plan.expect) == ("ends", ("hi",))
    extra = Scenario("p.md", "print('hi')", expect=("more",))
    plan = plan_for(block(code, Directive("prints", "hi")), [extra])
    assert (plan.mode, plan.expect) == ("prints", ("hi", "more"))
    with pytest.raises(PlanError, match="both say how to run it"):
        plan_for(block(code, Directive("prints", "hi")), [scenario])
    with pytest.raises(PlanError, match="2 scenarios match"):
        plan_for(block(code), [scenario, extra])
    assert Scenario("p.md", "^async def").matches(block(code))
    assert not Scenario("p.md", "^print").matches(block(code))
    assert not Scenario("q.md", "print").matches(block(code))


def test_not_run_keeps_its_reason() -> None:
    plan = plan_for(block("{}\n", Directive("not-run", "a fragment")), [])
    assert (plan.mode, plan.raises) == ("not-run", "a fragment")


def test_execute_records_asyncio_run_instead_of_running_it() -> None:
    code = "import asyncio\n\nasync def main():\n    return 1\n\nasyncio.run(main())\n"
    namespace: dict[str, object] = {}
    [coroutine] = execute(block(code), namespace)
    assert asyncio.run is not None and namespace["__name__"] == "__main__"
    assert asyncio.run(coroutine) == 1  # the real asyncio.run is back


def test_execute_calls_a_main_nobody_runs_and_seeds_fragments() -> None:
    namespace: dict[str, object] = {}
    [coroutine] = execute(block("async def main():\n    return pybotters.__name__\n"), namespace)
    assert asyncio.run(coroutine) == "pybotters"
    assert "pybotters" in namespace and "asyncio" in namespace
    complete: dict[str, object] = {}
    assert execute(block("import json\nx = json.dumps(1)\n"), complete) == []
    assert "pybotters" not in complete  # a block with imports must be complete


def test_exchanges_and_own_fakes() -> None:
    code = 'async with FakeExchange("bitflyer", apis=a):\n    "wss://ws.okx.com:8443"\n'
    assert exchanges_of(code) == {"bitflyer", "okx"}
    assert own_fakes(code) == {"bitflyer"}
    assert own_fakes("await start_fake_exchange('bybit')") == {"bybit"}
