"""Runs one documentation example against the fake exchanges and checks what it did.

An example runs unchanged. It is compiled and executed in a fresh namespace with
``__name__ == "__main__"``; while it executes, ``asyncio.run`` only records the coroutine it is
given, and the harness runs that coroutine as a task on the test's event loop, next to the
fake exchanges. A block that defines ``async def main()`` without running it (the user guide's
style) has ``main()`` run the same way. A block without any ``import`` statement gets
``asyncio`` and ``pybotters`` in its namespace, as the guide's first sample imports them for
the rest; a block with imports must be complete.

Then, by its plan (a directive in the page, see ``blocks.py``, or a scenario):

- ``prints``: the example runs until everything expected was printed, then is cancelled (as
  Ctrl+C would), and must end by that cancellation;
- ``ends``: the example must end by itself, having printed what is expected;
- ``raises``: the example must raise the named exception;
- ``runs``: statements only; they must execute without an exception and print what is expected;
- ``doctest``: a ``>>>`` session, whose outputs must match (object addresses aside).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import doctest
import inspect
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pybotters

from .blocks import Block

__all__ = [
    "EXAMPLE_TIMEOUT",
    "Context",
    "Plan",
    "PlanError",
    "Scenario",
    "app_tasks",
    "compile_block",
    "exchanges_of",
    "execute",
    "own_fakes",
    "plan_for",
    "run_doctest",
    "wait_until",
]

EXAMPLE_TIMEOUT = 10.0
"""Seconds an example may take to print what is expected or to end (they take milliseconds)."""

_EXCHANGE_WORDS = {"bitflyer": "bitflyer", "bybit": "bybit", "okx": "okx"}
_OWN_FAKE = re.compile(r"""(?:FakeExchange|start_fake_exchange)\(\s*["'](?P<name>[\w-]+)["']""")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


class PlanError(AssertionError):
    """An example has no plan, or two, or a plan that does not fit it."""


@dataclass
class Context:
    """What a scenario's hooks get: the running fakes, the output so far, the namespace."""

    fakes: dict[str, Any]
    tmp_path: Path
    read_output: Callable[[], str]
    namespace: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.read_output()

    def lines(self) -> list[str]:
        return self.read_output().splitlines()


Hook = Callable[[Context], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """How to run one example of a page that carries no directive, or what else to check.

    :param page: the page, relative to docs/ (``"plugins/okx.md"``).
    :param marker: a piece of code that appears in exactly one Python block of the page;
        ``"^..."`` matches a block that starts with it.
    :param mode: ``prints``, ``ends``, ``raises`` or ``runs``; ``None`` when the page's
        directive gives it.
    :param expect: text that must appear in what the example prints.
    :param raises: the exception name for ``mode="raises"``.
    :param setup: awaited before the example starts (to script a fake).
    :param drive: run next to the example (to push messages when it is ready for them).
    :param check: awaited after the example, with the fakes still running.
    :param namespace: names the example's namespace starts with (for fragments that continue
        an earlier example).
    :param allow_rejected: a fake may refuse a request (an unsigned private request).
    :param doctest_replace: ``(old, new)`` pairs applied to a doctest's expected output,
        where this project deliberately prints something else; ``old`` must be there.
    """

    page: str
    marker: str
    mode: str | None = None
    expect: tuple[str, ...] = ()
    raises: str | None = None
    setup: Hook | None = None
    drive: Hook | None = None
    check: Hook | None = None
    namespace: Callable[[], dict[str, Any]] | None = None
    allow_rejected: bool = False
    doctest_replace: tuple[tuple[str, str], ...] = ()

    def matches(self, block: Block) -> bool:
        if block.page != self.page:
            return False
        if self.marker.startswith("^"):
            return block.code.startswith(self.marker[1:])
        return self.marker in block.code


@dataclass(frozen=True)
class Plan:
    mode: str
    expect: tuple[str, ...]
    raises: str | None
    scenario: Scenario | None


def _runs_a_coroutine(code: str) -> bool:
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "main":
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "asyncio"
        ):
            return True
    return False


def plan_for(block: Block, scenarios: list[Scenario]) -> Plan:
    """How ``block`` is run; :class:`PlanError` if that is not decided exactly once."""
    mine = [s for s in scenarios if s.matches(block)]
    if len(mine) > 1:
        raise PlanError(f"{block.id}: {len(mine)} scenarios match this block; keep one")
    scenario = mine[0] if mine else None
    directive = block.directive
    if directive is not None and scenario is not None and scenario.mode is not None:
        raise PlanError(
            f"{block.id}: the page's directive and the scenario both say how to run it; "
            "drop the scenario's mode"
        )
    expect = scenario.expect if scenario else ()
    if directive is not None:
        if directive.mode == "raises":
            return Plan("raises", expect, directive.text, scenario)
        if directive.mode == "not-run":
            return Plan("not-run", (), directive.text, scenario)
        texts = (directive.text, *expect) if directive.text else expect
        return Plan(directive.mode, texts, None, scenario)
    if scenario is not None and scenario.mode is not None:
        if scenario.mode == "raises" and not scenario.raises:
            raise PlanError(f"{block.id}: mode 'raises' needs the exception name")
        return Plan(scenario.mode, expect, scenario.raises, scenario)
    if block.is_doctest:
        return Plan("doctest", (), None, scenario)
    if _runs_a_coroutine(block.code):
        raise PlanError(
            f"{block.id} runs a coroutine but says neither how long it runs nor what it "
            'prints: put <!-- test: prints "TEXT" --> (or "ends after printing") on the line '
            "before its fence, or add a scenario in tests/docs/scenarios.py"
        )
    return Plan("runs", expect, None, scenario)


def exchanges_of(code: str) -> set[str]:
    """The shipped exchanges an example talks about (their plugin must be installed)."""
    lowered = code.lower()
    return {name for word, name in _EXCHANGE_WORDS.items() if word in lowered}


def own_fakes(code: str) -> set[str]:
    """The exchanges an example fakes itself (the harness must not serve them too)."""
    return {found["name"] for found in _OWN_FAKE.finditer(code)}


def _has_imports(code: str) -> bool:
    return any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(ast.parse(code)))


def compile_block(block: Block) -> Any:
    return compile(block.code, f"docs/{block.page}:{block.line}", "exec")


@contextlib.contextmanager
def _recording_asyncio_run(recorded: list[Coroutine[Any, Any, Any]]) -> Iterator[None]:
    real = asyncio.run

    def record(main: Coroutine[Any, Any, Any], **_: Any) -> None:
        if not inspect.iscoroutine(main):
            raise TypeError(f"asyncio.run() expects a coroutine, got {main!r}")
        recorded.append(main)

    asyncio.run = record  # type: ignore[assignment]
    try:
        yield
    finally:
        asyncio.run = real


def execute(block: Block, namespace: dict[str, Any]) -> list[Coroutine[Any, Any, Any]]:
    """Execute the block's statements; return the coroutines it asks to run.

    ``asyncio.run(main())`` calls are recorded, not run; a ``main`` coroutine function that
    nothing runs is called. Raises what the statements raise.
    """
    namespace.setdefault("__name__", "__main__")
    if not _has_imports(block.code):
        namespace.setdefault("asyncio", asyncio)
        namespace.setdefault("pybotters", pybotters)
    recorded: list[Coroutine[Any, Any, Any]] = []
    with _recording_asyncio_run(recorded):
        exec(compile_block(block), namespace)
    if not recorded:
        main = namespace.get("main")
        if inspect.iscoroutinefunction(main):
            recorded.append(main())
    return recorded


class _AddressFreeChecker(doctest.OutputChecker):
    """Object addresses (``at 0x7f...``) differ on every run; compare without them."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return super().check_output(
            _ADDRESS.sub(" at 0x...>", want), _ADDRESS.sub(" at 0x...>", got), optionflags
        )


def run_doctest(block: Block, replacements: tuple[tuple[str, str], ...] = ()) -> None:
    """Run a ``>>>`` block; fail with doctest's report if an output differs."""
    source = block.code
    for old, new in replacements:
        if old not in source:
            raise PlanError(f"{block.id}: {old!r} is not in the block; update the scenario")
        source = source.replace(old, new)
    globs: dict[str, Any] = {"__name__": "__main__"}
    if ">>> import" not in source and ">>> from" not in source:
        globs.update(asyncio=asyncio, pybotters=pybotters)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, globs, block.id, f"docs/{block.page}", block.line)
    runner = doctest.DocTestRunner(checker=_AddressFreeChecker(), optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=True)
    assert runner.tries == len(test.examples) > 0, f"{block.id}: no example ran"
    assert runner.failures == 0, "".join(report)


async def wait_until(
    predicate: Callable[[], bool], what: Callable[[], str], timeout: float = EXAMPLE_TIMEOUT
) -> None:
    """Poll ``predicate`` on the event loop until it holds; fail saying ``what()`` otherwise."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - an arbitrary condition, polled briefly
            await asyncio.sleep(0.002)

    try:
        await asyncio.wait_for(poll(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out after {timeout} s: {what()}") from None


def app_tasks() -> list[asyncio.Task[Any]]:
    """Tasks of WebSocketApps (their loops and heartbeats) that are still alive."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done()
        and getattr(task.get_coro(), "__qualname__", "").startswith(
            ("WebSocketApp.", "_send_heartbeats")
        )
    ]
