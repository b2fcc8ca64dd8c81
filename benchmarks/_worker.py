"""One side of the benchmark, as a long-lived process driven by the runner.

``python -m benchmarks._worker --side api|limit --sizes full|tiny --ws-port N --http-port N``

Reads one JSON command per line on standard input and answers one JSON line on the original
standard output (``sys.stdout`` is pointed at standard error, so a stray ``print`` in the code
under test cannot corrupt the protocol):

- ``{"cmd": "hello"}`` -> ``{"flavor": "ours"|"pybotters"|"limit", "versions": {...}}``
- ``{"cmd": "run", "name": "keyed.get"}`` -> one repetition: ``{"ok": true, "sample": {...}}``,
  ``{"ok": false, "skipped": "why"}`` or ``{"ok": false, "error": "..."}``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import traceback
from typing import Any, TextIO

from . import workloads

__all__ = ["main", "serve"]


_DISTRIBUTIONS = (
    "pybotters",
    "pybotters-core",
    "pybotters-bitflyer",
    "pybotters-bybit",
    "pybotters-okx",
    "aiohttp",
    "orjson",
)


def _versions(side: str) -> dict[str, str]:
    """Python and the installed versions of the distributions that matter to this side."""
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in _DISTRIBUTIONS:
        if side == "limit" and name.startswith("pybotters"):
            continue
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def handle(command: dict[str, Any], side: str, env: workloads.Env) -> dict[str, Any]:
    """Answer one command (also used in-process by the smoke test)."""
    if command["cmd"] == "hello":
        flavor = "limit" if side == "limit" else env.api.flavor
        return {"ok": True, "flavor": flavor, "versions": _versions(side)}
    if command["cmd"] == "run":
        workload = workloads.by_name(command["name"])
        if side == "api":
            why = env.has(workload.needs)
            if why is not None:
                return {"ok": False, "skipped": why}
        elif ("ws" in workload.needs and env.ws_port is None) or (
            "http" in workload.needs and env.http_port is None
        ):
            return {"ok": False, "skipped": "no benchmark server"}
        runner = workload.api if side == "api" else workload.limit
        try:
            sample = runner(env)
        except Exception as exc:
            return {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            }
        return {"ok": True, "sample": dataclasses.asdict(sample)}
    return {"ok": False, "error": f"unknown command {command['cmd']!r}"}


def serve(side: str, env: workloads.Env, commands: TextIO, answers: TextIO) -> None:
    for line in commands:
        if not line.strip():
            continue
        answer = handle(json.loads(line), side, env)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._worker")
    parser.add_argument("--side", choices=("api", "limit"), required=True)
    parser.add_argument("--sizes", choices=("full", "tiny"), default="full")
    parser.add_argument("--budget", type=float, default=None)
    parser.add_argument("--ws-port", type=int, default=None)
    parser.add_argument("--http-port", type=int, default=None)
    args = parser.parse_args(argv)
    sizes = workloads.FULL if args.sizes == "full" else workloads.TINY
    if args.budget is not None:
        sizes = dataclasses.replace(sizes, budget=args.budget)
    env = workloads.Env(sizes, ws_port=args.ws_port, http_port=args.http_port)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(args.side, env, sys.stdin, answers)


if __name__ == "__main__":
    main()
