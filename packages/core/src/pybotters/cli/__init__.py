"""The ``pybotters`` command line.

Every command reports bad arguments, unknown stores, missing credentials and unreachable hosts
as one clear line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from .._exceptions import PybottersError

__all__ = ["CommandError", "check_url", "main"]


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1 (or ``status``)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


Command = Callable[[argparse.Namespace], int]


def check_url(url: str, schemes: tuple[str, ...], example: str) -> str:
    """Return ``url`` if it is absolute with one of ``schemes``; else a one-line CommandError."""
    from yarl import URL

    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in schemes or not parsed.host:
        kind = "an absolute http(s) URL" if "http" in schemes else "a WebSocket URL"
        raise CommandError(f"URL must be {kind} such as {example}, got {url!r}", status=2)
    return url


class _UsageError(Exception):
    """A bad command line, reported by :class:`_Parser` as one line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (no usage block)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message} (see: {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    from . import _commands

    parser = _Parser(
        prog="pybotters",
        description="pybotters: inspect plugins, call exchange APIs with automatic signing, "
        "watch, record and replay streams.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _commands.add_all(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
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
    except BrokenPipeError:  # the reader of stdout went away (`| head`): end quietly
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Send what is left of stdout to /dev/null, so that exiting does not fail to flush it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
