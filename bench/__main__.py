"""``python -m bench``: every benchmark side by side, written to ``bench/results/latest.md``.

Sections: the monitoring cycle (twinwatch vs urlwatch, ``bench.bench_cycle``), the cycle's
scaling, and the stage benchmarks other modules own (``bench.bench_fetch``, ``bench_extract``,
``bench_store``, ``bench_digest``). Each stage benchmark runs in its own subprocess, so one that
is missing, broken, hung or exits early is reported as "failed: <reason>" and the rest still run.
Every figure is the median of ``--repeats`` (≥ 3) runs.

    python -m bench            # the full run, what `make bench` does (~10 minutes on 2 cores)
    python -m bench --quick    # small sizes, about 3 minutes
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import bench_cycle

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
FIGURES_MARK = "BENCH-FIGURES "
STAGES = ("fetch", "extract", "store", "digest")
SECTIONS = ("cycle", "scaling", *STAGES)
PEER_TIMEOUT = 600.0  # seconds per stage benchmark run
# Names a stage module's entry function may have, most specific first; ``main`` last because it
# may also parse the command line.
ENTRY_NAMES = ("run_bench", "bench", "benchmark", "measure", "run", "main")
# Smaller workloads for --quick, passed only to functions that take these parameters.
QUICK_KWARGS: dict[str, dict[str, Any]] = {
    "fetch": {"pages": 300},
    "extract": {"documents": 20, "pages": 20, "docs": 20, "quick": True},
    "store": {"rows": 10_000, "facts": 10_000, "quick": True},
    "digest": {"events": 300, "repeats": 5, "quick": True},
}
QUICK_ARGV: dict[str, dict[str, str]] = {
    "fetch": {"--pages": "300"},
    "extract": {"--documents": "20", "--pages": "20", "--docs": "20"},
    "store": {"--existing": "100000", "--facts": "20000", "--partnerships": "5000"},
    "digest": {"--events": "300", "--repeats": "5"},
}


@dataclass(frozen=True)
class Plan:
    sections: tuple[str, ...]
    sites: int
    scale: tuple[int, ...]
    repeats: int
    seed: int
    quick: bool
    method: str
    concurrency: int
    out: Path


@dataclass
class Section:
    name: str
    peer: str  # who twinwatch is compared with, or "" when nobody
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    failure: str | None = None
    detail: str = ""  # the section's own printed table
    seconds: float = 0.0


# --- stage benchmarks in a subprocess ---------------------------------------------------------------


def entry_point(module: Any) -> Callable[..., Any]:
    """The function a stage module exposes to return its figures."""
    for name in ENTRY_NAMES:
        candidate = getattr(module, name, None)
        if (
            callable(candidate)
            and getattr(candidate, "__module__", None) == module.__name__
            and _needs_no_arguments(candidate)
        ):
            return candidate  # type: ignore[no-any-return]
    raise LookupError(f"{module.__name__} has no argument-free function named {' / '.join(ENTRY_NAMES)}")


def _needs_no_arguments(function: Callable[..., Any]) -> bool:
    required = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )
    parameters = inspect.signature(function).parameters.values()
    return all(p.default is not inspect.Parameter.empty for p in parameters if p.kind in required)


def call_entry(function: Callable[..., Any], stage: str, quick: bool) -> Any:
    """Call with the quick workload when asked, and with our own argv when it parses one."""
    parameters = inspect.signature(function).parameters
    kwargs = {k: v for k, v in QUICK_KWARGS.get(stage, {}).items() if quick and k in parameters}
    if "argv" in parameters:
        kwargs["argv"] = quick_argv(stage, inspect.getsource(function)) if quick else []
    return function(**kwargs)


def quick_argv(stage: str, source: str) -> list[str]:
    """The quick options this entry point's parser declares (found in its source)."""
    argv: list[str] = []
    for option, value in QUICK_ARGV.get(stage, {}).items():
        if f'"{option}"' in source:
            argv += [option, value]
    return argv


def _json_in(text: str) -> Any:
    """The last JSON object printed, for entry points that print their figures instead of returning them."""
    start = text.rfind("\n{")
    start = start + 1 if start >= 0 else text.find("{")
    if start < 0:
        return None
    with contextlib.suppress(ValueError):
        return json.loads(text[start:])
    return None


def stage_child(stage: str, quick: bool) -> int:
    """Runs in the subprocess: import, call, print the detail table to stderr and figures as JSON."""
    module = importlib.import_module(f"bench.bench_{stage}")
    sys.argv = [f"bench.bench_{stage}"]  # an entry point that parses sys.argv must not see ours
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        figures = call_entry(entry_point(module), stage, quick)
    if not isinstance(figures, dict):
        figures = _json_in(printed.getvalue())
    sys.stderr.write(printed.getvalue())
    if not isinstance(figures, dict):
        raise TypeError(f"bench.bench_{stage} returned {type(figures).__name__}, not a dict of figures")
    print(FIGURES_MARK + json.dumps(figures, default=str))
    return 0


def run_stage_once(stage: str, quick: bool) -> tuple[dict[str, Any], str]:
    argv = [sys.executable, "-m", "bench", "--stage-child", stage] + (["--quick"] if quick else [])
    env = {**os.environ, "PYTHONPATH": str(bench_cycle.REPO)}
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=PEER_TIMEOUT,
            env=env,
            cwd=bench_cycle.REPO,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {PEER_TIMEOUT:.0f} s") from None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(FIGURES_MARK):
            return json.loads(line[len(FIGURES_MARK) :]), done.stderr
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    raise RuntimeError(f"exit {done.returncode}: {lines[-1][:300] if lines else 'no output'}")


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Nested figures → one row each. A dict holding ``twinwatch`` (or ``value``) is one row, not a group."""
    rows: dict[str, dict[str, Any]] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and ("twinwatch" in value or "value" in value):
            rows[name] = {**value, "twinwatch": value.get("twinwatch", value.get("value"))}
        elif isinstance(value, dict):
            rows.update(flatten(value, f"{name} / "))
        else:
            rows[name] = {"twinwatch": value if isinstance(value, int | float | str | None) else str(value)}
    return rows


def median_rows(runs: Sequence[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per figure, the median of the numeric twinwatch and peer values over the runs."""
    merged: dict[str, dict[str, Any]] = {}
    for name, first in runs[0].items():
        row = dict(first)
        for column in ("twinwatch", "peer"):
            values = [run[name].get(column) for run in runs if name in run]
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if numbers and len(numbers) == len(values):
                row[column] = statistics.median(numbers)
        merged[name] = row
    return merged


def stage_section(stage: str, plan: Plan) -> Section:
    section = Section(stage, peer="")
    runs, details = [], []
    for _ in range(plan.repeats):
        try:
            figures, detail = run_stage_once(stage, plan.quick)
        except Exception as exc:  # any failure of someone else's benchmark is a finding, not a crash
            section.failure = str(exc) or type(exc).__name__
            break
        runs.append(flatten(figures))
        details.append(detail)
    if runs:
        section.figures = median_rows(runs)
        section.detail = details[-1].strip()
        if section.failure:
            section.failure = f"after {len(runs)} of {plan.repeats} runs: {section.failure}"
    return section


# --- the cycle and its scaling ----------------------------------------------------------------------


def cycle_section(plan: Plan) -> Section:
    section = Section("cycle", peer=f"urlwatch {_version('urlwatch')}")
    try:
        section.figures, traffic = bench_cycle.run_cycle(
            plan.sites, plan.repeats, plan.seed, plan.method, plan.concurrency
        )
        section.detail = "Requests the sites received per pass (median):\n\n" + traffic
    except Exception as exc:  # the server could not start, the disk is full: report and go on
        section.failure = f"{type(exc).__name__}: {exc}"
    return section


def scaling_section(plan: Plan) -> Section:
    section = Section("scaling", peer="")
    try:
        section.figures = bench_cycle.bench_scaling(plan.scale, seed=plan.seed, concurrency=plan.concurrency)
    except Exception as exc:
        section.failure = f"{type(exc).__name__}: {exc}"
    return section


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "(not installed)"


# --- the report -------------------------------------------------------------------------------------

HIGHER_IS_BETTER = (
    "per_s",
    "/s",
    "per second",
    "throughput",
    "speedup",
    "recall",
    "precision",
    "f1",
    "accuracy",
    "capacity",
)


def better(name: str, row: dict[str, Any]) -> str | None:
    if "better" in row:
        return row["better"]  # type: ignore[no-any-return]
    lowered = name.lower()
    return "higher" if any(word in lowered for word in HIGHER_IS_BETTER) else "lower"


def ratio(name: str, row: dict[str, Any]) -> float | None:
    """How many times better twinwatch is than the peer (> 1: twinwatch better)."""
    ours, theirs, direction = row.get("twinwatch"), row.get("peer"), better(name, row)
    if direction is None or not all(isinstance(v, int | float) and v for v in (ours, theirs)):
        return None
    return float(theirs / ours if direction == "lower" else ours / theirs)  # type: ignore[operator]


def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(sections: Sequence[Section]) -> list[str]:
    lines = ["| figure | twinwatch | peer | ratio |", "| --- | ---: | ---: | ---: |"]
    for section in sections:
        peer = f" — peer: {section.peer}" if section.peer else ""
        lines.append(f"| **{section.name}**{peer} ({section.seconds:.0f} s) | | | |")
        if section.failure:
            lines.append(f"| {section.name} | failed: {cell(section.failure)} | | |")
        for name, row in section.figures.items():
            unit = f" ({row['unit']})" if row.get("unit") else ""
            factor = ratio(name, row)
            lines.append(
                f"| {cell(name)}{unit} | {cell(row.get('twinwatch'))} | {cell(row.get('peer'))} | "
                f"{f'{factor:.2f}×' if factor is not None else ''} |"
            )
    return lines


def _figure(sections: Sequence[Section], section: str, name: str) -> dict[str, Any]:
    for candidate in sections:
        if candidate.name == section:
            return candidate.figures.get(name, {})
    return {}


def cycle_notes(sections: Sequence[Section], plan: Plan) -> list[str]:
    prefix = f"cycle {plan.sites} sites"
    unchanged = _figure(sections, "cycle", f"{prefix}, unchanged pass: wall time")
    notes = []
    factor = ratio("wall time", unchanged) if unchanged else None
    if factor is not None:
        verdict = "met" if factor >= 3 else "NOT met"
        notes.append(f"Target, unchanged pass ≥ 3× faster than urlwatch: {factor:.2f}× — {verdict}.")
    for name in ("first", "unchanged", "changed"):
        found = _figure(sections, "cycle", f"{prefix}, {name} pass: {bench_cycle.FOUND}")
        requests = _figure(sections, "cycle", f"{prefix}, {name} pass: requests to the sites")
        if found or requests:
            ours, theirs = cell(found.get("twinwatch")), cell(found.get("peer"))
            notes.append(
                f"{name} pass: twinwatch extracted {ours} facts where urlwatch "
                f"reported {theirs} changed/new pages; requests to the sites "
                f"{cell(requests.get('twinwatch'))} vs {cell(requests.get('peer'))}."
            )
    return notes


STANDING_NOTES = [
    "ratio = how many times better twinwatch is (peer ÷ twinwatch for times, memory and requests; "
    "twinwatch ÷ peer for rates); > 1 means twinwatch is better. Blank when there is no peer figure.",
    "Every figure is the median of the repeats; the cycle's repeats each start from empty state "
    "(new warehouse, new urlwatch cache) and alternate which tool runs first.",
    "Cycle: one page per loopback host (127.0.X.Y, one asyncio server bound to all of them), "
    "HTTP/1.1 with ETag/Last-Modified; both tools run as subprocesses, measured with os.wait4 "
    "(wall, user+system CPU, peak RSS). twinwatch = pipeline.run_once as `twinwatch run --all` calls it, "
    "fetching robots.txt (remembered in the warehouse across runs) and extracting facts; urlwatch = "
    "fetch + html2text filter + diff, no robots.txt. urlwatch's requests to the sites include no robots.txt.",
    "HTTP/2 is not measured: the local sites speak HTTP/1.1 only (h2 would need TLS on loopback, "
    "which would measure the cipher rather than the monitors).",
    "Scaling: page sources spread over at most 1,000 hosts, each size run once on a fresh warehouse "
    "(a trend, not a comparison); slope = least-squares fit over the sizes.",
]


def figure_notes(sections: Sequence[Section]) -> list[str]:
    """The ``note`` a benchmark attached to its figures, each distinct one once."""
    notes: dict[str, None] = {}
    for section in sections:
        for row in section.figures.values():
            if row.get("note"):
                notes[f"{section.name}: {row['note']}"] = None
    return list(notes)


def report(sections: Sequence[Section], plan: Plan, started: datetime, seconds: float) -> str:
    mode = "quick" if plan.quick else "full"
    lines = [
        "# twinwatch benchmarks",
        "",
        f"{started:%Y-%m-%d %H:%M} UTC · {mode} run ({seconds / 60:.1f} min) · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {platform.system()} {platform.release()} · seed {plan.seed} · "
        f"median of {plan.repeats} · cycle over {plan.sites} sites · scaling at "
        f"{', '.join(str(n) for n in plan.scale)} pages · urlwatch {_version('urlwatch')} "
        f"(html2text method {plan.method})",
        "",
        *table(sections),
        "",
        "## Notes",
        "",
        *(f"- {note}" for note in cycle_notes(sections, plan) + figure_notes(sections) + STANDING_NOTES),
        *(f"- {s.name}: failed: {s.failure}" for s in sections if s.failure),
        "",
        "## Tables printed by each benchmark",
    ]
    for section in sections:
        if section.detail:
            lines += ["", f"### {section.name}", "", section.detail]
    return "\n".join(lines) + "\n"


# --- command line -----------------------------------------------------------------------------------


def parse_plan(argv: Sequence[str]) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run every benchmark side by side.")
    parser.add_argument("--quick", action="store_true", help="100 sites; scaling at 200,500,1000")
    parser.add_argument("--sites", type=int, help="sites in the cycle comparison (default 1000; quick 100)")
    parser.add_argument("--scale", help="page counts for scaling (default 1000,5000,20000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure, median reported (≥ 3)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--urlwatch-method", default="pyhtml2text", help="urlwatch html2text method (or: re)")
    parser.add_argument("--concurrency", type=int, default=32, help="twinwatch fetch.concurrency")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.repeats < 3:
        parser.error("--repeats must be at least 3: a median of fewer runs is not a median")
    chosen = tuple(args.only.split(",")) if args.only else SECTIONS
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    scale = args.scale or ("200,500,1000" if args.quick else "1000,5000,20000")
    return Plan(
        sections=tuple(s for s in chosen if s not in args.skip.split(",")),
        sites=args.sites or (100 if args.quick else 1000),
        scale=tuple(int(n) for n in scale.split(",")),
        repeats=args.repeats,
        seed=args.seed,
        quick=args.quick,
        method=args.urlwatch_method,
        concurrency=args.concurrency,
        out=args.out,
    )


def run_section(name: str, plan: Plan) -> Section:
    started = time.perf_counter()
    if name == "cycle":
        section = cycle_section(plan)
    elif name == "scaling":
        section = scaling_section(plan)
    else:
        section = stage_section(name, plan)
    section.seconds = time.perf_counter() - started
    status = f"failed: {section.failure}" if section.failure else "ok"
    print(f"[bench] {name}: {status} ({section.seconds:.0f} s)", file=sys.stderr, flush=True)
    return section


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--stage-child"]:
        return stage_child(args[1], "--quick" in args)
    plan = parse_plan(args)
    started, clock = datetime.now(UTC), time.perf_counter()
    sections = [run_section(name, plan) for name in plan.sections]
    text = report(sections, plan, started, time.perf_counter() - clock)
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    plan.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"[bench] written to {plan.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
