"""Run every workload on every side, interleaved, and write one combined table.

``python -m benchmarks [--reference-python PATH] [--repeat 5] [--only NAMES] [--sizes tiny]``

The runner starts the local server process and one worker process per side:

- ``ours``: this interpreter (this project and its plugins installed),
- ``pybotters``: ``--reference-python``, an interpreter whose environment holds pybotters 1.11.2,
- ``limit``: this interpreter again, running the hand-written raw code.

For each workload and each repetition, every side runs once (the order rotates between
repetitions so that no side always runs first or last). Medians of the repetitions are
reported, with ratios that read "how many times better ours is" (higher is better for every
ratio: ops/s divide one way, milliseconds and KiB the other).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import selectors
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from . import _data, workloads

__all__ = ["build_parser", "main", "markdown", "summarise"]

ROOT = workloads.ROOT
SIDES = ("ours", "pybotters", "limit")
LABELS = {"ours": "ours", "pybotters": "pybotters 1.11.2", "limit": "limit (raw)"}
COMMAND_TIMEOUT = 900.0


class _Process:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[str] = self.proc.stdin
        self.stdout: IO[str] = self.proc.stdout

    def readline(self, timeout: float) -> str:
        with selectors.DefaultSelector() as sel:
            sel.register(self.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise TimeoutError(f"{self.proc.args!r} gave no answer in {timeout:.0f} s")
        line = self.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.proc.args!r} exited with {self.proc.wait()}")
        return line

    def close(self) -> None:
        try:
            self.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Worker(_Process):
    def __init__(self, python: str, side: str, args: argparse.Namespace, ports: dict[str, int]):
        argv = [python, "-m", "benchmarks._worker", "--side", side, "--sizes", args.sizes]
        if args.budget is not None:
            argv += ["--budget", str(args.budget)]
        argv += ["--ws-port", str(ports["ws_port"]), "--http-port", str(ports["http_port"])]
        super().__init__(argv, env=os.environ.copy())

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        self.stdin.write(json.dumps(command) + "\n")
        self.stdin.flush()
        answer: dict[str, Any] = json.loads(self.readline(COMMAND_TIMEOUT))
        return answer


def _start_server() -> tuple[_Process, dict[str, int]]:
    server = _Process([sys.executable, "-m", "benchmarks._server"])
    ports: dict[str, int] = json.loads(server.readline(60))
    return server, ports


# -- numbers -----------------------------------------------------------------------------------


def _ratio(workload: workloads.Workload, ours: float | None, other: float | None) -> float | None:
    if not ours or not other:
        return None
    return ours / other if workload.higher_is_better else other / ours


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ops/s":
        if value >= 1e6:
            return f"{value / 1e6:.2f} M"
        if value >= 1e3:
            return f"{value / 1e3:.1f} k"
        return f"{value:.1f}"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:,.0f} KiB"


def _fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x"


def _verdict(ratio: float | None, target: float | None) -> str:
    if target is None:
        return ""
    if ratio is None:
        return f"(>= {target:g}x: n/a)"
    return f"(>= {target:g}x: {'met' if ratio >= target else 'MISSED'})"


def summarise(
    workload: workloads.Workload, answers: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """Medians, ratios, verdicts and the digest check of one workload."""
    sides: dict[str, Any] = {}
    for side, replies in answers.items():
        samples = [r["sample"] for r in replies if r.get("ok")]
        failure = next((r for r in replies if not r.get("ok")), None)
        if failure is not None or not samples:
            sides[side] = {
                "median": None,
                "error": failure.get("error") if failure else "no sample",
                "skipped": failure.get("skipped") if failure else None,
            }
            if failure and "traceback" in failure:
                sides[side]["traceback"] = failure["traceback"]
            continue
        values = [_result(s, workload.unit) for s in samples]
        sides[side] = {
            "median": statistics.median(values),
            "values": values,
            "ops": [s["ops"] for s in samples],
            "complete": all(s["complete"] for s in samples),
            "digest": samples[0]["digest"],
            "extra": samples[0]["extra"],
        }
    ours = sides.get("ours", {}).get("median")
    ratio_pb = _ratio(workload, ours, sides.get("pybotters", {}).get("median"))
    ratio_limit = _ratio(workload, ours, sides.get("limit", {}).get("median"))
    digests = {
        side: json.dumps(info["digest"], sort_keys=True)
        for side, info in sides.items()
        if info.get("median") is not None
        and info.get("complete")
        and info.get("digest") is not None
    }
    return {
        "name": workload.name,
        "title": workload.title,
        "unit": workload.unit,
        "ops": workload.ops,
        "sides": sides,
        "ratio_pybotters": ratio_pb,
        "ratio_limit": ratio_limit,
        "target_pybotters": workload.target,
        "target_limit": workload.target_limit,
        "met_pybotters": None if workload.target is None or ratio_pb is None
        else ratio_pb >= workload.target,
        "met_limit": None if workload.target_limit is None or ratio_limit is None
        else ratio_limit >= workload.target_limit,
        "digests_agree": None if len(digests) < 2 else len(set(digests.values())) == 1,
    }  # fmt: skip


def _result(sample: dict[str, Any], unit: str) -> float:
    if unit == "ops/s":
        return float(sample["ops"] / sample["seconds"]) if sample["seconds"] > 0 else 0.0
    return float(sample["value"])


def _cell(info: dict[str, Any] | None, unit: str) -> str:
    if not info:
        return "-"
    if info.get("median") is None:
        return "skipped" if info.get("skipped") else "error"
    text = _fmt_value(info["median"], unit)
    return text if info.get("complete", True) else text + " *"


def markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    load = meta.get("load_average") or {}
    busy = ""
    if load.get("before") is not None and load.get("after") is not None:
        busy = f" Load average {load['before']:.1f} before, {load['after']:.1f} after."
    lines = [
        f"Run {meta['date']} on {meta['machine']}, {meta['cpus']} CPUs; "
        f"{meta['repeat']} repetitions, medians; total {meta['total_seconds']:.0f} s.{busy}",
        "",
        "| workload | ours | pybotters 1.11.2 | limit (raw) | ours vs pybotters | ours vs limit |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for w in results["workloads"]:
        sides = w["sides"]
        vs_pb = _fmt_ratio(w["ratio_pybotters"])
        if w["target_pybotters"] is not None:
            vs_pb += f" (target {w['target_pybotters']:g}x: "
            vs_pb += {True: "met", False: "**missed**", None: "n/a"}[w["met_pybotters"]] + ")"
        vs_limit = _fmt_ratio(w["ratio_limit"])
        if w["target_limit"] is not None:
            vs_limit += f" (target {w['target_limit']:g}x: "
            vs_limit += {True: "met", False: "**missed**", None: "n/a"}[w["met_limit"]] + ")"
        unit = w["unit"] if w["unit"] != "ops/s" else f"{w['ops']}/s"
        lines.append(
            f"| `{w['name']}` ({unit}) | {_cell(sides.get('ours'), w['unit'])} | "
            f"{_cell(sides.get('pybotters'), w['unit'])} | {_cell(sides.get('limit'), w['unit'])}"
            f" | {vs_pb} | {vs_limit} |"
        )
    lines += [
        "",
        'Ratios read as "times better than": ops/s of ours divided by the other side\'s, or the '
        "other side's milliseconds / KiB divided by ours. `*`: that side was too slow for the "
        "whole input and was measured on a prefix of it within the time budget.",
    ]
    versions = meta.get("versions", {})
    if versions:
        lines += ["", "Versions: " + "; ".join(
            f"{LABELS[side]}: " + ", ".join(f"{k} {v}" for k, v in sorted(vers.items()))
            for side, vers in versions.items()
        ) + "."]  # fmt: skip
    return "\n".join(lines) + "\n"


def _print_table(results: dict[str, Any]) -> None:
    rows = [("workload", "unit", "ours", "pybotters", "limit", "vs pybotters", "vs limit")]
    for w in results["workloads"]:
        s = w["sides"]
        rows.append(
            (
                w["name"],
                w["unit"],
                _cell(s.get("ours"), w["unit"]),
                _cell(s.get("pybotters"), w["unit"]),
                _cell(s.get("limit"), w["unit"]),
                _fmt_ratio(w["ratio_pybotters"])
                + " "
                + _verdict(w["ratio_pybotters"], w["target_pybotters"]),
                _fmt_ratio(w["ratio_limit"]) + " " + _verdict(w["ratio_limit"], w["target_limit"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for w in results["workloads"]:
        if w["digests_agree"] is False:
            print(f"WARNING {w['name']}: the sides ended in different states:", file=sys.stderr)
            for side, info in w["sides"].items():
                print(f"  {side}: {info.get('digest')!r}", file=sys.stderr)
        for side, info in w["sides"].items():
            if info.get("median") is None and not info.get("skipped"):
                print(f"ERROR {w['name']} on {side}: {info.get('error')}", file=sys.stderr)
                if info.get("traceback"):
                    print(info["traceback"], file=sys.stderr)


def _load_average() -> float | None:
    """The 1-minute load average (other work on the machine skews the results), if known."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _select(only: str | None) -> list[workloads.Workload]:
    if not only:
        return list(workloads.WORKLOADS)
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    chosen = [w for w in workloads.WORKLOADS if any(part in w.name for part in wanted)]
    if not chosen:
        known = ", ".join(w.name for w in workloads.WORKLOADS)
        raise SystemExit(f"--only {only!r} matches no workload; known: {known}")
    return chosen


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="pybotters benchmarks: ours, 1.11.2, raw limit"
    )
    parser.add_argument(
        "--reference-python", help="a Python whose environment has pybotters 1.11.2"
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (medians reported)")
    parser.add_argument("--sizes", choices=("full", "tiny"), default="full")
    parser.add_argument("--budget", type=float, default=None, help="seconds per repetition cap")
    parser.add_argument("--only", help="comma-separated parts of workload names")
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="output folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    selected = _select(args.only)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ[_data.CACHE_ENV] = str(out / "cache")

    load_before = _load_average()
    started = time.perf_counter()
    server, ports = _start_server()
    pythons = {"ours": sys.executable, "limit": sys.executable}
    if args.reference_python:
        pythons["pybotters"] = args.reference_python
    else:
        print("no --reference-python: the pybotters 1.11.2 column stays empty", file=sys.stderr)
    sides = [s for s in SIDES if s in pythons]
    workers: dict[str, Worker] = {}
    versions: dict[str, dict[str, str]] = {}
    try:
        for side in sides:
            workers[side] = Worker(
                pythons[side], "limit" if side == "limit" else "api", args, ports
            )
        for side, worker in workers.items():
            hello = worker.ask({"cmd": "hello"})
            if hello["flavor"] != side:
                wanted = "this project" if side == "ours" else "pybotters==1.11.2"
                raise SystemExit(
                    f"the {side!r} interpreter {pythons[side]} imports the {hello['flavor']!r} "
                    f"pybotters; install {wanted} there"
                )
            versions[side] = hello["versions"]
        summaries = []
        for workload in selected:
            answers: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
            t0 = time.perf_counter()
            for rep in range(args.repeat):
                order = sides[rep % len(sides) :] + sides[: rep % len(sides)]
                for side in order:
                    if answers[side] and not answers[side][-1].get("ok"):
                        continue  # skipped or failed once: do not retry every repetition
                    answers[side].append(workers[side].ask({"cmd": "run", "name": workload.name}))
            summary = summarise(workload, answers)
            summaries.append(summary)
            cells = ", ".join(
                f"{side} {_cell(summary['sides'][side], workload.unit)}" for side in sides
            )
            print(f"{workload.name:<24} {cells}  [{time.perf_counter() - t0:.1f} s]", flush=True)
    finally:
        for worker in workers.values():
            worker.close()
        server.close()

    total = time.perf_counter() - started
    results = {
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "sizes": args.sizes,
            "budget_seconds": (
                args.budget if args.budget is not None
                else (workloads.FULL if args.sizes == "full" else workloads.TINY).budget
            ),
            "versions": versions,
            "total_seconds": total,
            "load_average": {"before": load_before, "after": _load_average()},
        },
        "workloads": summaries,
    }  # fmt: skip
    print()
    _print_table(results)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(markdown(results))
    print(f"\nwrote {out / 'results.json'} and {out / 'results.md'}; total {total:.0f} s")
    failed = [
        w["name"]
        for w in summaries
        for info in w["sides"].values()
        if info.get("median") is None and not info.get("skipped")
    ]
    mismatched = [w["name"] for w in summaries if w["digests_agree"] is False]
    if failed or mismatched:
        print(f"failed: {sorted(set(failed))}; different end states: {mismatched}", file=sys.stderr)
        return 1
    return 0
