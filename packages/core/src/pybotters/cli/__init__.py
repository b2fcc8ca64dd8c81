"""The ``pybotters`` command line.

Every command reports bad arguments, unknown stores, missing credentials and unreachable hosts
as one clear line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .._exceptions import PybottersError

__all__ = ["CommandError", "main"]


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


Command = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    from . import _commands

    parser = argparse.ArgumentParser(
        prog="pybotters",
        description="pybotters: inspect plugins, call exchange APIs with automatic signing, "
        "watch, record and replay streams.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _commands.add_all(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except CommandError as exc:
        print(f"pybotters {args.command}: {exc}", file=sys.stderr)
        return exc.status
    except PybottersError as exc:
        print(f"pybotters {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
