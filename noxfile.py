"""Every development task of the monorepo.

nox                      the default sessions (what CI runs): tests, lint, typing, ...
nox -s tests             the test matrix (Python 3.10-3.13 x package subsets)
nox -s demo              the offline demo (fake exchange + live order book)
nox -s bench             benchmarks against pybotters 1.11.2 and raw aiohttp (not default)
nox -l                   list everything
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"
nox.options.error_on_missing_interpreters = bool(os.environ.get("CI"))
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
CORE = ROOT / "packages" / "core"
PLUGINS = {
    path.name.removeprefix("exchange-"): path
    for path in sorted((ROOT / "packages").glob("exchange-*"))
    if (path / "pyproject.toml").is_file()
}
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
MAIN_PYTHON = "3.12"
TEST_DEPS = [
    "pytest>=8",
    "pytest-asyncio>=0.24",
    "pytest-timeout>=2.2",
    "hypothesis>=6",
    "trustme>=1.0",
]


def _use_pyenv_interpreters() -> None:
    """Let nox find every pyenv-installed CPython 3.10-3.13 (pyenv shims hide the others).

    Running under a pyenv shim sets PYENV_VERSION to that one Python; extend it, don't replace.
    """
    if shutil.which("pyenv") is None:
        return
    try:
        bare = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return
    wanted = [v for v in bare if any(v.startswith(p + ".") for p in PYTHONS)]
    current = (
        os.environ.get("PYENV_VERSION")
        or subprocess.run(
            ["pyenv", "version-name"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    versions = [v for v in current.split(":") if v]
    if wanted:
        os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([*versions, *wanted]))


_use_pyenv_interpreters()


def _subset_packages(subset: str) -> list[str]:
    if subset == "core":
        return []
    if subset == "all":
        return list(PLUGINS)
    return [subset.removeprefix("core+")]


def _install(session: nox.Session, plugins: list[str], *extra: str) -> None:
    targets = [str(CORE)] + [str(PLUGINS[name]) for name in plugins]
    session.install(*targets, *TEST_DEPS, *extra)
    # A reused virtualenv keeps same-version builds: reinstall the working tree's code.
    session.install("--no-deps", "--force-reinstall", "--quiet", *targets)


def _run_tests(session: nox.Session, plugins: list[str]) -> None:
    folders = [
        "tests/core",
        *[f"tests/{name}" for name in plugins if (ROOT / "tests" / name).is_dir()],
    ]
    if len(plugins) == len(PLUGINS):
        folders += [
            f"tests/{f}" for f in ("integration", "reliability") if (ROOT / "tests" / f).is_dir()
        ]
    session.run("pytest", *folders, *session.posargs)
    # The installed plugins are exactly the subset: nothing more, nothing less.
    listing = session.run(
        "python", "-m", "pybotters", "plugins", "--json", silent=True, external=False
    )
    loaded = sorted(
        record["name"] for record in json.loads(str(listing)) if record["status"] == "loaded"
    )
    if loaded != sorted(plugins):
        session.error(f"installed plugins {loaded} differ from the subset {sorted(plugins)}")


SUBSETS = ["core", *[f"core+{name}" for name in PLUGINS], "all"]


@nox.session(python=PYTHONS, tags=["ci"])
def tests(session: nox.Session) -> None:
    """All packages and all tests on every Python."""
    _install(session, list(PLUGINS))
    _run_tests(session, list(PLUGINS))


@nox.session(python=MAIN_PYTHON, tags=["ci"])
@nox.parametrize("subset", [s for s in SUBSETS if s != "all"])
def subset(session: nox.Session, subset: str) -> None:
    """Each package subset alone: core works with no plugin, each plugin works by itself."""
    plugins = _subset_packages(subset)
    _install(session, plugins)
    _run_tests(session, plugins)


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def entrypoints(session: nox.Session) -> None:
    """Real plugin distributions from tests/fixtures/dists: discovery, skip, refuse, conflict."""
    dists = ROOT / "tests" / "fixtures" / "dists"
    session.install(str(CORE), *TEST_DEPS)
    session.install("--no-deps", "--force-reinstall", "--quiet", str(CORE))
    session.run("pip", "uninstall", "--yes", "--quiet", "pybotters-fixture-conflict")
    session.install(*(str(dists / name) for name in ("good", "broken", "incompatible")))
    session.run("pytest", "tests/entrypoints", env={"PYBOTTERS_FIXTURE_STAGE": "base"})
    session.install(str(dists / "conflict"))
    session.run("pytest", "tests/entrypoints", env={"PYBOTTERS_FIXTURE_STAGE": "conflict"})


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def typing(session: nox.Session) -> None:
    """mypy (strict) over every package."""
    session.install("-e", str(CORE), *(f"-e{path}" for path in PLUGINS.values()))
    session.install("mypy>=1.10", "trustme", "pytest", "pytest-asyncio")
    for path in [CORE, *PLUGINS.values()]:
        session.run("mypy", str(path / "src"))


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def build(session: nox.Session) -> None:
    """Build every package into one wheelhouse, then prove extras install only what they name."""
    wheelhouse = ROOT / "dist"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    session.install("hatch>=1.9")
    for path in [CORE, *PLUGINS.values()]:
        with session.chdir(path):
            session.run("hatch", "build", str(wheelhouse))
    if "bitflyer" not in PLUGINS:
        return
    venv = Path(session.create_tmp()) / "install-check"
    shutil.rmtree(venv, ignore_errors=True)
    session.run(sys.executable, "-m", "venv", str(venv), external=True)
    py = venv / "bin" / "python"
    session.run(
        str(py),
        "-m",
        "pip",
        "install",
        "-q",
        "--find-links",
        str(wheelhouse),
        "pybotters-core[bitflyer]",
        external=True,
    )
    out = session.run(str(py), "-m", "pybotters", "plugins", "--json", external=True, silent=True)
    names = sorted(r["name"] for r in json.loads(str(out)) if r["status"] == "loaded")
    if names != ["bitflyer"]:
        session.error(f"pybotters-core[bitflyer] installed plugins {names}, expected ['bitflyer']")
    session.log("pybotters-core[bitflyer] installs exactly the bitflyer plugin")


@nox.session(python=MAIN_PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: this project vs pybotters 1.11.2 vs raw aiohttp + orjson, in one table.

    This session's virtualenv gets core and every plugin from packages/; a second virtualenv
    next to it (.nox/bench-pybotters-1-11-2) gets pybotters==1.11.2 from the package index.
    The runner drives both (and the raw "limit" side) and writes bench-results/results.json
    and bench-results/results.md. Runner options go after ``--``, e.g.
    ``nox -s bench -- --repeat 3 --only ws,http``.
    """
    session.install(str(CORE), *(str(path) for path in PLUGINS.values()))
    reference = Path(session.virtualenv.location).parent / "bench-pybotters-1-11-2"
    python = reference / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    if not python.exists():
        session.run("python", "-m", "venv", str(reference))
    session.run(str(python), "-m", "pip", "install", "--quiet", "pybotters==1.11.2", external=True)
    session.run("python", "-m", "benchmarks", "--reference-python", str(python), *session.posargs)


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def docs(session: nox.Session) -> None:
    """The documentation site: every example run, every hook documented and tested, then
    ``mkdocs build --strict`` into site/ (warnings, broken links and anchors are errors)."""
    _install(
        session,
        list(PLUGINS),
        "mkdocs>=1.6,<2",
        "mkdocstrings[python]>=0.26",
        "pymdown-extensions>=10",
        "pygments>=2.16",
    )
    # tests/docs: runs every Python example of docs/ against the fake exchanges, checks that
    # each hook of pybotters.hookspecs is documented in docs/plugins/authoring.md and named by
    # a test, that the changelog pages are current copies, and that the nav is complete.
    session.run("pytest", "tests/docs", *session.posargs)
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))


@nox.session(python=MAIN_PYTHON, tags=["ci"])
def thirdparty(session: nox.Session) -> None:
    """A plugin published by someone else: tests/fixtures/thirdparty, installed from a copy
    outside the repository, found through its entry point and passing the conformance suite."""
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="pybotters-thirdparty-")).resolve()
    try:
        if workdir.is_relative_to(ROOT.resolve()):
            session.error(f"the temporary directory {workdir} is inside the repository; set TMPDIR")
        plugin = workdir / "pybotters-nimbus"
        shutil.copytree(
            ROOT / "tests" / "fixtures" / "thirdparty",
            plugin,
            ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__"),
        )
        session.install(f"{CORE}[testing]")
        # Non-editable, from the copy (pip always reinstalls a local directory): what
        # `pip install pybotters-nimbus` gives a user; its pybotters-core requirement must be
        # met by the core just installed.
        session.install(str(plugin))
        with session.chdir(plugin):
            location = session.run(
                "python",
                "-c",
                "import pybotters_nimbus; print(pybotters_nimbus.__file__)",
                silent=True,
            )
            if str(location).strip().startswith(str(workdir)):
                session.error(f"pybotters_nimbus was imported from the copy: {location}")
            session.run("pytest", *session.posargs)
            listing = session.run("python", "-m", "pybotters", "plugins", "--json", silent=True)
        records = {record["name"]: record for record in json.loads(str(listing))}
        nimbus = records.get("nimbus")
        if nimbus is None or nimbus["status"] != "loaded":
            session.error(f"`pybotters plugins --json` does not list nimbus as loaded: {records}")
        if nimbus["distribution"] != "pybotters-nimbus":
            session.error(f"nimbus comes from {nimbus['distribution']!r}, not pybotters-nimbus")
        session.log("pybotters-nimbus is discovered through its entry point and conforms")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@nox.session(python=MAIN_PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """The offline demo: a live bitFlyer order book from a local fake exchange.

    A fake bitFlyer on 127.0.0.1 plays a bundled synthetic recording through the real Client,
    WebSocketApp and bitFlyerDataStore; the session ends by itself after 15 seconds and prints
    the final book. Demo options go after ``--``, e.g. ``nox -s demo -- --speed 4 --depth 5``.
    """
    session.install(f"{CORE}[testing]", str(PLUGINS["bitflyer"]))
    session.run("python", "-m", "pybotters", "demo", "--duration", "15", *session.posargs)
