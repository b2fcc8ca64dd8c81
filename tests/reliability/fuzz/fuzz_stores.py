"""Coverage-guided fuzzing of the DataStoreCollections with atheris (not part of the test run).

Two targets, chosen by the first argument:

- ``sequences``: the fuzzer's bytes drive the Hypothesis strategies of
  :mod:`tests.reliability.messages` (realistic streams, then damaged), so the search starts
  from messages shaped like the exchange's;
- ``bytes``: the bytes themselves, decoded as JSON when they are, are one message.

Every input goes to all three collections; a failure is an exception out of ``onmessage`` or a
broken invariant (:mod:`tests.reliability.invariants`). Run from the repository root::

    pip install atheris
    python -m tests.reliability.fuzz.fuzz_stores sequences -max_total_time=300
    python -m tests.reliability.fuzz.fuzz_stores bytes -max_total_time=300 -dict=...
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

with atheris.instrument_imports():
    import orjson

    import pybotters
    import pybotters_bitflyer.store  # noqa: F401 - imported here to be instrumented
    import pybotters_bybit.store  # noqa: F401
    import pybotters_okx.store  # noqa: F401

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.invariants import check_collection
from tests.reliability.messages import broken_sequences

NAMES = {"bitflyer": "bitFlyerDataStore", "bybit": "BybitDataStore", "okx": "OKXDataStore"}


class _Ws:
    closed = False

    async def send_str(self, text: str) -> None:
        return None

    async def send_json(self, data: Any) -> None:
        return None


def feed(name: str, messages: list[Any]) -> None:
    store = getattr(pybotters, NAMES[name])()

    async def run() -> None:
        ws = _Ws()
        for message in messages:
            store.onmessage(orjson.loads(orjson.dumps(message)), ws)
            check_collection(store, name)
        await asyncio.sleep(0)

    asyncio.run(run())


@settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(NAMES)).flatmap(lambda n: st.tuples(st.just(n), broken_sequences(n))))
def sequences_target(case: tuple[str, list[Any]]) -> None:
    name, messages = case
    feed(name, messages)


def bytes_target(data: bytes) -> None:
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError:
        return
    for name in NAMES:
        feed(name, [message])


def main() -> None:
    logging.disable(logging.CRITICAL)
    target = sys.argv.pop(1) if len(sys.argv) > 1 else "sequences"
    if target == "sequences":
        atheris.Setup(sys.argv, sequences_target.hypothesis.fuzz_one_input)  # type: ignore[attr-defined]
    elif target == "bytes":
        atheris.Setup(sys.argv, bytes_target)
    else:
        raise SystemExit(f"unknown target {target!r}: use 'sequences' or 'bytes'")
    atheris.Fuzz()


if __name__ == "__main__":
    main()
