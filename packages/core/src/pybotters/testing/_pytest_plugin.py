"""pytest plugin of pybotters (registered under ``pytest11``); inert unless its fixture is used.

It only defines the ``start_fake_exchange`` fixture: no option, no hook, no server and no import of
aiohttp or trustme happens until a test asks for the fixture.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from ._fake import FakeExchange
    from ._spec import FakeExchangeSpec

__all__ = ["FakeExchangeFactory", "start_fake_exchange"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(function: _F) -> _F:
    """``pytest_asyncio.fixture`` when installed, else ``pytest.fixture`` (for anyio & co)."""
    decorate: Any
    try:
        import pytest_asyncio

        decorate = pytest_asyncio.fixture
    except ImportError:
        decorate = pytest.fixture
    return cast(_F, decorate(function))


class FakeExchangeFactory(Protocol):
    """The ``start_fake_exchange`` fixture: starts a :class:`FakeExchange` and returns it."""

    async def __call__(
        self,
        name: str,
        *,
        apis: Mapping[str, Sequence[str]] | str | os.PathLike[str] | None = None,
        hosts: Iterable[str] = (),
        spec: FakeExchangeSpec | Literal["plugin"] | None = "plugin",
    ) -> FakeExchange: ...


@contextlib.asynccontextmanager
async def fake_exchange_starter() -> AsyncIterator[FakeExchangeFactory]:
    """Yield a function that starts fake exchanges; close them all on exit.

    Every fake is closed even if closing another one fails; the first failure (such as a
    :class:`FakeServerError`) is raised afterwards.
    """
    from ._fake import FakeExchange

    started: list[FakeExchange] = []

    async def start(name: str, **kwargs: Any) -> FakeExchange:
        fake = FakeExchange(name, **kwargs)
        await fake.start()
        started.append(fake)
        return fake

    try:
        yield start
    finally:
        errors: list[BaseException] = []
        for fake in reversed(started):
            try:
                await fake.close()
            except BaseException as exc:  # close every fake, then report the first failure
                errors.append(exc)
        if errors:
            raise errors[0]


@_async_fixture
async def start_fake_exchange() -> AsyncIterator[FakeExchangeFactory]:
    """Start fake exchanges for this test; each is closed (and its hosts unrouted) afterwards.

    ``fake = await start_fake_exchange("bitflyer", apis=apis)`` takes the arguments of
    :class:`pybotters.testing.FakeExchange`. Start the fakes before creating the Client. A
    failure inside a fake (a scripted handler that raised) fails the test at teardown.
    """
    async with fake_exchange_starter() as start:
        yield start
