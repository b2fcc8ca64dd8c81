"""Loading and validating the ``apis`` credentials.

This module is registered as a plugin itself: its :func:`pybotters_load_apis` is the default
(last-resort) implementation of the hook, so another plugin can supply credentials first.
"""

from __future__ import annotations

import logging
import os
import stat
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from ._exceptions import CredentialsError
from .hookspecs import Credential, hookimpl

__all__ = ["Credentials", "load_credentials"]

logger = logging.getLogger("pybotters")

APIS_ENV = "PYBOTTERS_APIS"
DEFAULT_APIS_FILE = "apis.json"


def _read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise CredentialsError(
            f"could not read the apis file {str(file)!r}: {exc.strerror or exc}; "
            "pass an existing JSON file path or a dict"
        ) from None
    try:
        mode = file.stat().st_mode
    except OSError:  # pragma: no cover - the file was just read
        mode = 0
    if os.name == "posix" and mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.warn(
            f"the apis file {str(file)!r} is readable by other users of this machine; "
            f"restrict it with: chmod 600 {file}",
            UserWarning,
            stacklevel=6,
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # The decoder's message names a position, never the content.
        raise CredentialsError(
            f"the apis file {str(file)!r} is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}); it must hold an object such as "
            '{"bitflyer": ["KEY", "SECRET"]}'
        ) from None
    if not isinstance(data, dict):
        raise CredentialsError(
            f"the apis file {str(file)!r} holds a JSON {type(data).__name__}, not an object; "
            'it must look like {"bitflyer": ["KEY", "SECRET"]}'
        )
    return data


@hookimpl(trylast=True)
def pybotters_load_apis(apis: Any) -> Mapping[str, Sequence[str]] | None:
    """Default credential loading: a dict, a JSON file path, ./apis.json or $PYBOTTERS_APIS."""
    if isinstance(apis, Mapping):
        return apis
    if isinstance(apis, (str, os.PathLike)):
        return _read_file(apis)
    if apis is None:
        if Path(DEFAULT_APIS_FILE).is_file():
            return _read_file(DEFAULT_APIS_FILE)
        env_path = os.environ.get(APIS_ENV)
        if env_path:
            return _read_file(env_path)
        return {}
    raise CredentialsError(
        f"apis must be a dict, a path to a JSON file or None, not {type(apis).__name__}"
    )


class Credentials:
    """Validated credentials by API name. Malformed entries are kept with the reason they fail.

    A malformed entry warns once when loaded, and raises :class:`CredentialsError` when a
    request needs it, so that nothing goes out unsigned by mistake.
    """

    __slots__ = ("_errors", "_valid")

    def __init__(self, valid: dict[str, Credential], errors: dict[str, str]) -> None:
        self._valid = valid
        self._errors = errors

    def __repr__(self) -> str:
        return f"Credentials(api_names={sorted(self._valid)!r})"

    def __contains__(self, api_name: object) -> bool:
        return api_name in self._valid or api_name in self._errors

    def names(self) -> list[str]:
        return sorted(self._valid)

    def get(self, api_name: str) -> Credential | None:
        """The credential of ``api_name``; None if absent; raises if present but malformed."""
        credential = self._valid.get(api_name)
        if credential is None and api_name in self._errors:
            raise CredentialsError(
                f"the credential for {api_name!r} is unusable: {self._errors[api_name]}; "
                "the request was not sent"
            )
        return credential


def _expected(items: int) -> str:
    return {
        1: "[KEY]",
        2: "[KEY, SECRET]",
        3: "[KEY, SECRET, PASSPHRASE]",
    }.get(items, f"{items} items")


def validate(raw: Mapping[Any, Any], required_items: Mapping[str, int]) -> Credentials:
    """Turn the raw ``apis`` mapping into :class:`Credentials`, warning about bad entries.

    ``required_items`` maps each API name known to an installed plugin to the number of items
    its credential must have; unknown API names need 2 or 3 items.
    """
    valid: dict[str, Credential] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(name, str):
            continue
        need = required_items.get(name)
        reason: str | None = None
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            reason = f"it is a {type(value).__name__}, not a list"
        elif not all(isinstance(item, str) for item in value):
            reason = "every item must be a string"
        elif need is not None and len(value) != need:
            what = _expected(need)
            reason = f"it has {len(value)} item(s) but {name} needs {what}"
            if need == 3 and len(value) == 2:
                reason += " (the passphrase is missing)"
        elif need is None and len(value) not in (1, 2, 3):
            reason = f"it has {len(value)} item(s); expected [KEY, SECRET] or with a PASSPHRASE"
        elif any(not item for item in value):
            reason = "an item is empty"
        if reason is not None:
            errors[name] = reason
            warnings.warn(
                f"apis[{name!r}] is malformed: {reason}; requests needing it will fail",
                UserWarning,
                stacklevel=4,
            )
            continue
        items = list(value)
        valid[name] = Credential(
            api_name=name,
            key=items[0],
            secret=items[1] if len(items) > 1 else "",
            passphrase=items[2] if len(items) > 2 else None,
        )
    return Credentials(valid, errors)


def load_credentials(apis: Any) -> Credentials:
    """Load credentials through the ``pybotters_load_apis`` hook and validate them."""
    from ._plugins import host

    registry = host.registry
    raw = host.pm.hook.pybotters_load_apis(apis=apis)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise CredentialsError(
            f"a pybotters_load_apis hook returned {type(raw).__name__}; expected a mapping"
        )
    required = {name: exchange.items_for(name) for name, exchange in registry.api_names.items()}
    return validate(raw, required)
