"""Every Python example of the documentation runs, unchanged, against fake exchanges.

The blocks come from ``docs/*.md`` and ``docs/plugins/*.md`` (see ``blocks.py`` for the
directives that say how a block is run, and ``harness.py`` for how it is run). While an example
runs, a fake bitFlyer, Bybit and OKX (from :mod:`pybotters.testing`, with the plugins'
behaviour and ``market.py``'s data) serve the real host names on 127.0.0.1, so the examples'
``pybotters.Client()`` reaches them over TLS without any change and nothing touches the
network. After each example the harness checks what it printed, that no fake refused a
request or failed, that no error was logged and that no WebSocket task was left running.

Titled blocks (``python title="test_bot.py"``) are files: the ``test_*.py`` ones are run by
pytest in a fresh process, next to the other titled blocks they import.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from pybotters._plugins import host
from pybotters.testing import FakeExchange

from . import market
from .blocks import DOCS, Block, all_blocks, pages
from .harness import (
    EXAMPLE_TIMEOUT,
    Context,
    Plan,
    PlanError,
    app_tasks,
    exchanges_of,
    execute,
    own_fakes,
    plan_for,
    run_doctest,
    wait_until,
)
from .scenarios import SCENARIOS

BLOCKS = all_blocks()
FILES = [block for block in BLOCKS if block.is_pytest_file]
EXAMPLES = [block for block in BLOCKS if not block.is_pytest_file]
SHIPPED = ("bitflyer", "bybit", "okx")


def installed_exchanges() -> set[str]:
    names = {exchange.name for exchange in host.registry.api_names.values()}
    return names & set(SHIPPED)


def installed_apis() -> dict[str, list[str]]:
    known = host.registry.api_names
    return {name: list(item) for name, item in market.DOC_APIS.items() if name in known}


def skip_unless_installed(code: str) -> None:
    missing = sorted(exchanges_of(code) - installed_exchanges())
    if missing:
        pytest.skip(f"the example needs the {', '.join(missing)} plugin(s), not installed here")


# -- the inventory ------------------------------------------------------------------------------


def test_every_page_is_read() -> None:
    names = {path.relative_to(DOCS).as_posix() for path in pages()}
    assert {"guide.md", "http.md", "websocket.md", "datastore.md", "testing.md"} <= names
    assert {"plugins/bitflyer.md", "plugins/bybit.md", "plugins/okx.md"} <= {
        block.page for block in BLOCKS
    }


def test_every_example_has_exactly_one_plan() -> None:
    problems = []
    for block in EXAMPLES:
        try:
            plan_for(block, SCENARIOS)
        except PlanError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_every_scenario_belongs_to_one_example() -> None:
    for scenario in SCENARIOS:
        matches = [b.id for b in BLOCKS if scenario.matches(b)]
        assert len(matches) == 1, (
            f"the scenario {scenario.page} {scenario.marker!r} matches {matches or 'no block'}; "
            "it must match exactly one (update the marker after editing the page)"
        )


def test_examples_that_print_say_what_they_print() -> None:
    """A printing example is checked against its output, unless it must raise first."""
    for block in EXAMPLES:
        plan = plan_for(block, SCENARIOS)
        if "print(" in block.code and plan.mode in ("prints", "ends", "runs"):
            assert plan.expect, f"{block.id} prints, but no expected output is given"


def test_not_run_blocks_are_fragments_with_a_reason() -> None:
    for block in EXAMPLES:
        plan = plan_for(block, SCENARIOS)
        if plan.mode == "not-run":
            assert plan.raises and len(plan.raises) > 10, f"{block.id}: say why it is not run"
            assert "asyncio.run" not in block.code and "while True" not in block.code, (
                f"{block.id}: a complete program must run; only fragments may be not-run"
            )


# -- running the examples -----------------------------------------------------------------------


async def run_example(
    block: Block,
    plan: Plan,
    ctx: Context,
) -> None:
    scenario = plan.scenario
    try:
        coroutines = execute(block, ctx.namespace)
    except Exception as exc:
        if plan.mode == "raises" and type(exc).__name__ == plan.raises:
            return
        raise
    if plan.mode == "runs":
        if coroutines:
            for coroutine in coroutines:
                coroutine.close()
            raise PlanError(f"{block.id} runs a coroutine: give it a directive or a scenario")
        for text in plan.expect:
            assert text in ctx.output, f"{block.id} did not print {text!r}; got {ctx.output!r}"
        return
    if not coroutines:
        raise PlanError(f"{block.id} has mode {plan.mode!r} but runs no coroutine")

    async def program() -> None:
        pending = list(coroutines)
        try:
            while pending:
                await pending.pop(0)
        finally:
            for coroutine in pending:
                coroutine.close()

    task = asyncio.ensure_future(program())
    driver = asyncio.ensure_future(scenario.drive(ctx)) if scenario and scenario.drive else None

    def printed_all() -> bool:
        return all(text in ctx.output for text in plan.expect)

    def status() -> str:
        return f"{block.id} was expected to print {plan.expect!r}; it printed {ctx.output!r}"

    try:
        if plan.mode == "prints":
            await wait_until(lambda: task.done() or printed_all(), status)
            if task.done():
                task.result()  # raises the example's exception, if any
                raise AssertionError(f"{block.id} ended by itself; {status()}")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert task.cancelled(), f"{block.id} did not stop when cancelled"
        else:
            await wait_until(task.done, lambda: f"{block.id} did not end; {status()}")
            if plan.mode == "raises":
                raised = task.exception()
                assert raised is not None and type(raised).__name__ == plan.raises, (
                    f"{block.id} was expected to raise {plan.raises}, got {raised!r}"
                )
            else:
                task.result()
            assert printed_all(), status()
        if driver is not None:
            await asyncio.wait_for(driver, EXAMPLE_TIMEOUT)
    finally:
        for pending in (task, driver):
            if pending is not None and not pending.done():
                pending.cancel()
                await asyncio.gather(pending, return_exceptions=True)


@pytest.mark.parametrize("block", EXAMPLES, ids=[block.id for block in EXAMPLES])
async def test_example(
    block: Block,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    plan = plan_for(block, SCENARIOS)
    if plan.mode == "not-run":
        pytest.skip(f"not run: {plan.raises}")
    skip_unless_installed(block.code)
    scenario = plan.scenario
    if plan.mode == "doctest":
        run_doctest(block, scenario.doctest_replace if scenario else ())
        return

    monkeypatch.chdir(tmp_path)  # no ./apis.json ...
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)  # ... and no $PYBOTTERS_APIS
    caplog.set_level(logging.WARNING, logger="pybotters")
    printed: list[str] = []

    def read_output() -> str:
        printed.append(capsys.readouterr().out)
        return "".join(printed)

    plugins_before = {name for name, _ in host.pm.list_name_plugin()}
    namespace = scenario.namespace() if scenario and scenario.namespace else {}
    companions = _companions(block)
    for companion in companions:  # titled blocks it imports: files next to it
        assert companion.title is not None
        (tmp_path / companion.title).write_text(companion.code, encoding="utf-8")
        module = Path(companion.title).stem
        assert module not in sys.modules, f"{block.id}: a module named {module} exists already"
        request.addfinalizer(functools.partial(sys.modules.pop, module, None))
    if companions:
        monkeypatch.syspath_prepend(str(tmp_path))
    async with contextlib.AsyncExitStack() as fakes_running:
        fakes: dict[str, FakeExchange] = {}
        for name in sorted(installed_exchanges() - own_fakes(block.code)):
            fake = FakeExchange(name, apis=installed_apis())
            await fake.start()
            fakes_running.push_async_callback(fake.close)
            market.script(fake)
            fakes[name] = fake
        ctx = Context(fakes, tmp_path, read_output, namespace)
        if scenario and scenario.setup:
            await scenario.setup(ctx)
        await run_example(block, plan, ctx)
        if scenario and scenario.check:
            await scenario.check(ctx)
        if not (scenario and scenario.allow_rejected):
            refused = [r for fake in fakes.values() for r in fake.requests if r.rejected]
            assert not refused, f"{block.id}: the fake exchange refused {refused!r}"
        assert not app_tasks(), f"{block.id} left WebSocket tasks running"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, f"{block.id} logged errors: {[r.getMessage() for r in errors]}"
    assert {name for name, _ in host.pm.list_name_plugin()} == plugins_before, (
        f"{block.id} left a plugin registered"
    )


# -- titled files: the test files run by pytest -------------------------------------------------


def _imports(block: Block) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(block.code)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def _companions(block: Block) -> list[Block]:
    """The titled blocks of the same page that ``block`` imports (``from bot import ...``)."""
    titled = {Path(b.title).stem: b for b in BLOCKS if b.title and b.page == block.page}
    return [titled[name] for name in sorted(_imports(block)) if name in titled]


def _runnable_file(block: Block) -> bool:
    code = block.code + "".join(b.code for b in _companions(block))
    return not (exchanges_of(code) - installed_exchanges())


@pytest.fixture(scope="module")
def pytest_files_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run every runnable test file of the docs once, in a fresh pytest process."""
    directory = tmp_path_factory.mktemp("doc_test_files")
    files = [block for block in FILES if _runnable_file(block)]
    if not files:
        return ""
    written: dict[str, Block] = {}
    for block in [*files, *(c for b in files for c in _companions(b))]:
        assert block.title is not None
        other = written.get(block.title)
        assert other is None or other.code == block.code, (
            f"{block.id} and {other.id} are two different files named {block.title}"
        )
        written[block.title] = block
        (directory / block.title).write_text(block.code, encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "--rootdir",
            str(directory),
            *sorted({b.title for b in files if b.title}),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,
        timeout=120,
    )
    return out.stdout + out.stderr


def _test_names(block: Block) -> list[str]:
    tree = ast.parse(block.code)
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    ]


@pytest.mark.parametrize("block", FILES, ids=[block.id for block in FILES])
def test_file_example(block: Block, pytest_files_run: str) -> None:
    if not _runnable_file(block):
        skip_unless_installed(block.code + "".join(b.code for b in _companions(block)))
    names = _test_names(block)
    assert names, f"{block.id} ({block.title}) defines no test"
    for name in names:
        assert f"{block.title}::{name} PASSED" in pytest_files_run, pytest_files_run
