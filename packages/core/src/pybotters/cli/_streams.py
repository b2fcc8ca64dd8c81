"""Streaming commands: stream, record, replay, demo."""

from __future__ import annotations

from typing import Any

__all__ = ["add"]


def add(commands: Any) -> None:
    """Register the streaming sub-commands."""
