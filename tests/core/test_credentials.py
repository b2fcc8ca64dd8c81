"""Loading `apis`: dict, JSON file, implicit ./apis.json and $PYBOTTERS_APIS, validation, hook."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import pybotters
from pybotters._credentials import load_credentials, validate
from pybotters.hookspecs import hookimpl
from tests.conftest import make_exchange

SECRET = "super-secret-value"


def write(path: Path, data: Any, mode: int = 0o600) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    os.chmod(path, mode)
    return path


def test_dict() -> None:
    creds = load_credentials({"someex": ["k", SECRET]})
    credential = creds.get("someex")
    assert credential is not None
    assert (credential.key, credential.secret, credential.passphrase) == ("k", SECRET, None)


def test_file_path(tmp_path: Path) -> None:
    path = write(tmp_path / "apis.json", {"someex": ["k", SECRET, "pass"]})
    credential = load_credentials(str(path)).get("someex")
    assert credential is not None and credential.passphrase == "pass"


def test_implicit_cwd_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env_file = write(tmp_path / "env.json", {"fromenv": ["k", SECRET]})
    monkeypatch.setenv("PYBOTTERS_APIS", str(env_file))
    assert load_credentials(None).names() == ["fromenv"]
    write(tmp_path / "apis.json", {"fromcwd": ["k", SECRET]})
    assert load_credentials(None).names() == ["fromcwd"]


def test_nothing_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYBOTTERS_APIS", raising=False)
    assert load_credentials(None).names() == []


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(pybotters.CredentialsError, match="could not read the apis file"):
        load_credentials(str(tmp_path / "nope.json"))


def test_invalid_json_does_not_echo_content(tmp_path: Path) -> None:
    path = write(tmp_path / "apis.json", '{"bitflyer": ["k", "' + SECRET + '"')
    with pytest.raises(pybotters.CredentialsError, match="not valid JSON") as err:
        load_credentials(str(path))
    assert SECRET not in str(err.value)


def test_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "apis.json", ["k", SECRET])
    with pytest.raises(pybotters.CredentialsError, match="not an object"):
        load_credentials(str(path))


def test_world_readable_file_warns(tmp_path: Path) -> None:
    path = write(tmp_path / "apis.json", {"someex": ["k", SECRET]}, mode=0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        load_credentials(str(path))


def test_bad_type() -> None:
    with pytest.raises(pybotters.CredentialsError, match="not int"):
        load_credentials(42)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("k:" + SECRET, "not a list"),
        (["k"], "needs \\[KEY, SECRET\\]"),
        (["k", SECRET, "p", "x"], "needs"),
        (["k", 5], "must be a string"),
        (["k", ""], "empty"),
    ],
)
def test_malformed_entries(value: Any, reason: str, register_plugin: Any) -> None:
    register_plugin(make_exchange())
    with pytest.warns(UserWarning, match=reason) as rec:
        creds = load_credentials({"fakex": value})
    with pytest.raises(pybotters.CredentialsError, match="unusable") as err:
        creds.get("fakex")
    assert all(SECRET not in str(w.message) for w in rec)
    assert SECRET not in str(err.value)


def test_item_counts_by_exchange() -> None:
    creds = validate({"one": ["k"], "three": ["k", "s", "p"]}, {"one": 1, "three": 3})
    assert creds.names() == ["one", "three"]
    with pytest.warns(UserWarning, match="passphrase is missing"):
        validate({"three": ["k", "s"]}, {"three": 3})


def test_plugin_can_supply_credentials(register_plugin: Any) -> None:
    @hookimpl(tryfirst=True)
    def pybotters_load_apis(apis: Any) -> dict[str, list[str]] | None:
        return {"fromkeyring": ["k", SECRET]} if apis is None else None

    register_plugin(pybotters_load_apis=pybotters_load_apis)
    assert load_credentials(None).names() == ["fromkeyring"]
    assert load_credentials({"given": ["k", SECRET]}).names() == ["given"]


def test_credential_repr_masks() -> None:
    credential = load_credentials({"x": ["ABCDEFGHIJKL", SECRET, "pass-phrase"]}).get("x")
    text = repr(credential) + str(credential)
    assert SECRET not in text and "pass-phrase" not in text and "ABCDEFGHIJKL" not in text
