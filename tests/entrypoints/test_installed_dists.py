"""Plugin discovery through real installed distributions (tests/fixtures/dists).

Run by ``nox -s entrypoints``, which installs the fixture distributions into a fresh virtualenv
and sets ``PYBOTTERS_FIXTURE_STAGE`` to ``base`` (good, broken, incompatible installed) or
``conflict`` (the conflicting one added).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

STAGE = os.environ.get("PYBOTTERS_FIXTURE_STAGE")
pytestmark = pytest.mark.skipif(
    STAGE is None, reason="needs the fixture distributions: run `nox -s entrypoints`"
)


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(STAGE != "base", reason="stage base only")
def test_good_loaded_broken_and_incompatible_reported() -> None:
    proc = run(
        "import json, pybotters\n"
        "from pybotters._plugins import list_plugins\n"
        "print(pybotters.FixtureGoodDataStore.__name__)\n"
        "print(json.dumps(list_plugins()))\n"
    )
    assert proc.returncode == 0, proc.stderr
    name, listing = proc.stdout.splitlines()
    assert name == "FixtureGoodDataStore"
    records = {r["name"]: r for r in json.loads(listing)}
    assert records["fixture_good"]["status"] == "loaded"
    assert records["fixture_good"]["distribution"] == "pybotters-fixture-good"
    assert records["fixture_good"]["version"] == "0.1.0"
    assert records["fixture_broken"]["status"] == "failed"
    assert records["fixture_incompatible"]["status"] == "incompatible"
    # one warning per bad plugin, naming the distribution
    assert proc.stderr.count("PluginWarning") == 2
    assert "pybotters-fixture-broken 0.1.0 was skipped" in proc.stderr
    assert "pybotters-fixture-incompatible 0.1.0 was refused" in proc.stderr
    assert "upgrade pybotters-core" in proc.stderr


@pytest.mark.skipif(STAGE != "base", reason="stage base only")
def test_disable_switch() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import pybotters; pybotters.FixtureGoodDataStore"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYBOTTERS_DISABLE_PLUGINS": "fixture_good,fixture_broken"},
        check=False,
    )
    assert proc.returncode == 1
    assert "has no attribute 'FixtureGoodDataStore'" in proc.stderr


@pytest.mark.skipif(STAGE != "conflict", reason="stage conflict only")
def test_conflict_names_both_distributions() -> None:
    proc = run("import pybotters; pybotters.FixtureGoodDataStore")
    assert proc.returncode == 1
    assert "PluginConflictError" in proc.stderr
    assert "pybotters-fixture-good 0.1.0" in proc.stderr
    assert "pybotters-fixture-conflict 0.1.0" in proc.stderr
    assert "api.fixture-good.test" in proc.stderr
