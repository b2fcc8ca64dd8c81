"""What docs/plugins/authoring.md promises about the plugin listing and its header lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pybotters import Client
from pybotters.cli import main
from pybotters.hookspecs import hookimpl


@hookimpl
def pybotters_report_header() -> list[str]:
    return ["example: first line", "example: second line"]


def test_report_header_lines_follow_the_listing(
    register_plugin: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    register_plugin(name="header_plugin", pybotters_report_header=pybotters_report_header)
    assert main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == ["example: first line", "example: second line"]
    assert any(line.startswith("header_plugin  [loaded]") for line in lines[:-2])


def test_report_header_lines_stay_out_of_the_json_listing(
    register_plugin: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    register_plugin(name="header_plugin", pybotters_report_header=pybotters_report_header)
    assert main(["plugins", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)  # nothing but the JSON document
    assert "header_plugin" in [record["name"] for record in records]


async def test_the_listing_never_shows_credentials(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Credentials in every place the Client reads them from: a dict, ./apis.json, $PYBOTTERS_APIS.
    secret = "listing-secret-5f1c"
    apis = {"bitflyer": ["listing-key-9a2e", secret]}
    (tmp_path / "apis.json").write_text(json.dumps(apis))
    (tmp_path / "apis.json").chmod(0o600)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYBOTTERS_APIS", str(tmp_path / "apis.json"))
    async with Client(apis=apis):
        assert main(["plugins"]) == 0
        assert main(["plugins", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.strip()  # the listing printed something
    assert secret not in out and "listing-key-9a2e" not in out
