"""The monitoring cycle, twinwatch against urlwatch, and how twinwatch's cycle scales.

Both tools watch the same pages on many loopback hosts (``bench.sites``) and run as
subprocesses, so both are measured the same way: wall time, CPU seconds and peak RSS come from
``os.wait4`` on the child. Each repeat starts from empty state and runs three passes:

* first     — nothing known yet: every page is downloaded (twinwatch also reads robots.txt);
* unchanged — nothing changed: conditional GETs answered 304;
* changed   — 5% of the pages were edited between the passes.

twinwatch runs ``pipeline.run_once`` (what ``twinwatch run --all`` calls) and extracts
partnership facts; urlwatch fetches, converts with its html2text filter and diffs. The server
counts the requests each pass made.

    python -m bench.bench_cycle [--sites 1000] [--repeats 3] [--scale 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import Corpus
from bench.sites import SiteServer

REPO = Path(__file__).resolve().parent.parent
SUMMARY_MARK = "BENCH-SUMMARY "
PASSES = ("first", "unchanged", "changed")
CHANGED_SHARE = 0.05
FOUND = "facts (twinwatch) / pages reported (urlwatch)"
CHILD_TIMEOUT = 1800.0  # seconds; a hung child must not hang the whole bench
Figures = dict[str, dict[str, object]]


# --- measuring a child process --------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child (and anything it waited for)
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def last_error(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1][:200] if lines else "no output"

    @property
    def failure(self) -> str | None:
        if self.returncode in (0, 1):  # 1 = "some sources failed" for twinwatch; still a finished cycle
            return None
        return f"exit {self.returncode}: {self.last_error}"


def run_child(
    argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = CHILD_TIMEOUT
) -> ChildRun:
    """Run ``argv`` and measure it with ``os.wait4``: that child's own rusage, not the whole family's."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        status, usage = _wait(proc.pid, started + timeout)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(wall, cpu, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr)  # Linux: KiB


def _wait(pid: int, deadline: float) -> tuple[int, resource.struct_rusage]:
    # Polling rather than a blocking wait4 so that a hung child can be killed at the deadline.
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        time.sleep(0.005)


def child_env(home: Path) -> dict[str, str]:
    """A clean environment: the repo importable, HOME and config in the work dir (urlwatch looks for
    hooks there). The cache dir stays the user's: twinwatch keeps its built gazetteer there, and a
    deployed monitor runs with a warm one."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TWINWATCH_", "URLWATCH"))}
    env.update(
        PYTHONPATH=str(REPO),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=cache,
        NO_PROXY="*",
        no_proxy="*",
    )
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(proxy, None)  # loopback only: a proxy would add a hop and a process we do not measure
    return env


# --- the two tools --------------------------------------------------------------------------------


def twinwatch_config(server: SiteServer, indexes: Sequence[int], concurrency: int) -> str:
    """sources.yaml for ``indexes``: one page source per page, no politeness delay on loopback."""
    lines = [
        "fetch:",
        f"  concurrency: {concurrency}",
        "  per_host: 2",
        "  min_delay: 0",
        "  jitter: 0",
        "  retries: 1",
        "  backoff: 0.1",
        "sources:",
    ]
    for index in indexes:
        lines.append(
            f"  - {{id: site-{index:06d}, kind: page, url: '{server.page_url(index)}', "
            f"lang: {server.corpus.lang(index)}, schedule: 1h}}"
        )
    return "\n".join(lines) + "\n"


def urlwatch_jobs(server: SiteServer, indexes: Sequence[int], method: str) -> str:
    """urls.yaml for ``indexes``: the same pages, each through urlwatch's html2text filter."""
    docs = [
        f"name: site-{index:06d}\nurl: '{server.page_url(index)}'\n"
        f"filter:\n  - html2text:\n      method: {method}\n"
        for index in indexes
    ]
    return "---\n".join(docs)


URLWATCH_CONFIG = """\
display: {new: true, error: true, unchanged: false, empty-diff: false}
report:
  stdout: {enabled: true, color: false}
  text: {details: true, footer: false, minimal: false}
"""


def urlwatch_binary() -> str | None:
    beside = Path(sys.executable).parent / "urlwatch"
    return str(beside) if beside.exists() else shutil.which("urlwatch")


@dataclass
class Tools:
    """Where each tool keeps its state for one repeat."""

    work: Path
    urlwatch: str | None

    def run_twinwatch(self) -> tuple[ChildRun, dict[str, object]]:
        argv = [
            sys.executable,
            "-m",
            "bench.bench_cycle",
            "twinwatch-child",
            str(self.work / "sources.yaml"),
            str(self.work / "twinwatch.duckdb"),
        ]
        run = run_child(argv, self.work, child_env(self.work))
        return run, _summary(run.stdout)

    def run_urlwatch(self) -> tuple[ChildRun, dict[str, object]]:
        if self.urlwatch is None:
            raise FileNotFoundError("urlwatch is not installed: pip install -e '.[bench]'")
        argv = [
            self.urlwatch,
            "--urls",
            str(self.work / "urls.yaml"),
            "--config",
            str(self.work / "urlwatch.yaml"),
            "--cache",
            str(self.work / "urlwatch-cache.db"),
        ]
        run = run_child(argv, self.work, child_env(self.work))
        return run, _urlwatch_report(run.stdout)


def _summary(stdout: str) -> dict[str, object]:
    for line in reversed(stdout.splitlines()):
        if line.startswith(SUMMARY_MARK):
            summary: dict[str, object] = json.loads(line[len(SUMMARY_MARK) :])
            return summary
    return {}


def _urlwatch_report(stdout: str) -> dict[str, object]:
    """Count urlwatch's report lines: "NEW: job", "CHANGED: job", "ERROR: job" in the summary block."""
    counts = {"new": 0, "changed": 0, "error": 0}
    for line in stdout.splitlines():
        head, _, rest = line.partition(". ")
        if head.isdigit():
            kind = rest.split(":", 1)[0].strip().lower()
            if kind in counts:
                counts[kind] += 1
    return dict(counts)


# --- one repeat of the comparison -----------------------------------------------------------------


@dataclass
class PassResult:
    tool: str
    name: str
    run: ChildRun | None
    requests: int
    found: int  # twinwatch: facts extracted; urlwatch: jobs reported changed or new
    failure: str | None = None
    traffic: dict[str, int] = field(default_factory=dict)
    failed_pages: int = 0  # twinwatch: sources failed; urlwatch: jobs reported as errors


def _requests(traffic: dict[str, int]) -> int:
    return sum(count for kind, count in traffic.items() if kind not in ("bytes", "connections"))


def _one_pass(
    tool: str, name: str, runner: Callable[[], tuple[ChildRun, dict[str, object]]], server: SiteServer
) -> PassResult:
    server.take_traffic()
    try:
        run, report = runner()
    except OSError as exc:
        return PassResult(tool, name, None, 0, 0, failure=str(exc))
    traffic = dict(server.take_traffic())
    failure = run.failure or (None if report else f"no summary (exit {run.returncode}): {run.last_error}")
    if tool == "twinwatch":
        found = int(str(report.get("facts", 0)))
    else:
        found = int(str(report.get("changed", 0))) + int(str(report.get("new", 0)))
    failed = report.get("sources_failed" if tool == "twinwatch" else "error", 0)
    return PassResult(tool, name, run, _requests(traffic), found, failure, traffic, int(str(failed)))


def cycle_repeat(
    server: SiteServer, work: Path, repeat: int, method: str, concurrency: int
) -> list[PassResult]:
    """One fresh run of the three passes for both tools, alternating which tool goes first."""
    server.reset()
    server.warm()
    indexes = range(server.corpus.size)
    (work / "sources.yaml").write_text(twinwatch_config(server, indexes, concurrency), encoding="utf-8")
    (work / "urls.yaml").write_text(urlwatch_jobs(server, indexes, method), encoding="utf-8")
    (work / "urlwatch.yaml").write_text(URLWATCH_CONFIG, encoding="utf-8")
    tools = Tools(work, urlwatch_binary())
    order = [("twinwatch", tools.run_twinwatch), ("urlwatch", tools.run_urlwatch)]
    if repeat % 2:
        order.reverse()  # neither tool always gets the warmer page cache
    results = []
    for name in PASSES:
        if name == "changed":
            server.mutate(CHANGED_SHARE, seed=repeat)
            server.warm()
        results.extend(_one_pass(tool, name, runner, server) for tool, runner in order)
    return results


# --- figures --------------------------------------------------------------------------------------


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _metric(
    results: Sequence[PassResult], tool: str, name: str, pick: Callable[[PassResult], float]
) -> float | None:
    return _median([pick(r) for r in results if r.tool == tool and r.name == name and r.failure is None])


def _failures(results: Sequence[PassResult], tool: str) -> str | None:
    """Each distinct reason once, with the passes it happened in."""
    passes: dict[str, list[str]] = {}
    for result in results:
        if result.tool != tool or not result.failure:
            continue
        names = passes.setdefault(result.failure, [])
        if result.name not in names:
            names.append(result.name)
    return "; ".join(f"{', '.join(names)}: {reason}" for reason, names in passes.items())[:400] or None


PASS_METRICS: list[tuple[str, str, str | None, Callable[[PassResult], float]]] = [
    ("wall time", "s", "lower", lambda r: r.run.wall if r.run else 0.0),
    ("CPU time", "s", "lower", lambda r: r.run.cpu if r.run else 0.0),
    ("peak RSS", "MB", "lower", lambda r: r.run.max_rss_mb if r.run else 0.0),
    ("requests to the sites", "", "lower", lambda r: float(r.requests)),
    ("pages failed", "", None, lambda r: float(r.failed_pages)),
]


def cycle_figures(results: Sequence[PassResult], sites: int, positives: int) -> Figures:
    figures: Figures = {}
    for name in PASSES:
        for label, unit, better, pick in PASS_METRICS:
            figures[f"cycle {sites} sites, {name} pass: {label}"] = {
                "twinwatch": _metric(results, "twinwatch", name, pick),
                "peer": _metric(results, "urlwatch", name, pick),
                "unit": unit,
                "better": better,
            }
        figures[f"cycle {sites} sites, {name} pass: {FOUND}"] = {
            "twinwatch": _metric(results, "twinwatch", name, lambda r: float(r.found)),
            "peer": _metric(results, "urlwatch", name, lambda r: float(r.found)),
            "unit": "",
            "better": None,
            "note": f"{positives} of {sites} pages report a partnership; {CHANGED_SHARE:.0%} edited before "
            "the changed pass",
        }
    for tool in ("twinwatch", "urlwatch"):
        reason = _failures(results, tool)
        if reason:
            column = "twinwatch" if tool == "twinwatch" else "peer"
            figures[f"cycle failures ({tool})"] = {column: f"failed: {reason}", "better": None}
    return figures


def run_cycle(
    sites: int = 1000, repeats: int = 3, seed: int = 8, method: str = "pyhtml2text", concurrency: int = 32
) -> tuple[Figures, str]:
    """Median of ``repeats`` fresh repeats of the three passes, both tools side by side; plus traffic."""
    corpus = Corpus(sites, seed)
    results: list[PassResult] = []
    warm_twinwatch()
    with SiteServer(corpus) as server, tempfile.TemporaryDirectory(prefix="bench-cycle-") as tmp:
        for repeat in range(repeats):
            work = Path(tmp) / f"repeat-{repeat}"
            work.mkdir()
            results.extend(cycle_repeat(server, work, repeat, method, concurrency))
            _progress(f"cycle repeat {repeat + 1}/{repeats} done")
    detail = traffic_table(results) + "\n\nWall time of each repeat (s):\n\n" + repeats_table(results)
    return cycle_figures(results, sites, len(corpus.positives())), detail


def bench_cycle(
    sites: int = 1000, repeats: int = 3, seed: int = 8, method: str = "pyhtml2text", concurrency: int = 32
) -> Figures:
    return run_cycle(sites, repeats, seed, method, concurrency)[0]


TRAFFIC_KINDS = ("robots", "page_200", "page_304", "not_found", "connections")


def traffic_table(results: Sequence[PassResult]) -> str:
    """What each pass cost the sites, by kind of request (median over the repeats)."""
    rows = [
        "| pass | tool | robots.txt | page 200 | page 304 | 404 | connections | MB sent |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in PASSES:
        for tool in ("twinwatch", "urlwatch"):
            runs = [r.traffic for r in results if r.tool == tool and r.name == name and r.traffic]
            if not runs:
                continue
            counts = [statistics.median(run.get(kind, 0) for run in runs) for kind in TRAFFIC_KINDS]
            megabytes = statistics.median(run.get("bytes", 0) for run in runs) / 1e6
            cells = " | ".join(f"{c:g}" for c in counts)
            rows.append(f"| {name} | {tool} | {cells} | {megabytes:.1f} |")
    return "\n".join(rows)


def repeats_table(results: Sequence[PassResult]) -> str:
    """Every repeat's wall time, so the spread behind each median is visible."""
    rows = ["| pass | tool | wall time per repeat (s) |", "| --- | --- | --- |"]
    for name in PASSES:
        for tool in ("twinwatch", "urlwatch"):
            walls = [f"{r.run.wall:.2f}" for r in results if r.tool == tool and r.name == name and r.run]
            rows.append(f"| {name} | {tool} | {', '.join(walls) or '–'} |")
    return "\n".join(rows)


def warm_twinwatch() -> None:
    """Build twinwatch's gazetteer cache once, unmeasured, as an installation has before its first cycle."""
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as tmp:
        code = "from etl.extract import load_gazetteer; load_gazetteer()"
        run_child([sys.executable, "-c", code], Path(tmp), child_env(Path(tmp)))


# --- scaling --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalePoint:
    pages: int
    first: ChildRun
    unchanged: ChildRun
    facts: int
    failed: int


def scale_point(pages: int, hosts: int, seed: int, concurrency: int) -> ScalePoint:
    corpus = Corpus(pages, seed)
    warm_twinwatch()
    with (
        SiteServer(corpus, hosts=min(hosts, pages), cache_bytes=0) as server,
        tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp,
    ):
        # Not warmed: rendering on demand (~1.5 ms a page) runs on the other core, small beside a
        # cycle's cost per page; caching 20k pages would hold ~1.8 GB in this process.
        work = Path(tmp)
        (work / "sources.yaml").write_text(
            twinwatch_config(server, range(pages), concurrency), encoding="utf-8"
        )
        tools = Tools(work, None)
        first, summary = tools.run_twinwatch()
        unchanged, again = tools.run_twinwatch()
    for run, report in ((first, summary), (unchanged, again)):
        if run.failure or not report:  # a cycle that crashed early would look fast: never report it
            raise RuntimeError(
                f"twinwatch at {pages} pages: {run.failure or 'no summary: ' + run.last_error}"
            )
    return ScalePoint(
        pages, first, unchanged, int(str(summary.get("facts", 0))), int(str(summary.get("sources_failed", 0)))
    )


def _slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ys over xs."""
    if len(xs) < 2:
        return float("nan")
    return statistics.linear_regression(xs, ys).slope


def scaling_figures(points: Sequence[ScalePoint]) -> Figures:
    figures: Figures = {}
    for point in points:
        n = point.pages
        figures[f"scaling {n} pages, first pass: wall time per page"] = _tw(point.first.wall / n * 1000, "ms")
        figures[f"scaling {n} pages, first pass: CPU per page"] = _tw(point.first.cpu / n * 1000, "ms")
        figures[f"scaling {n} pages, first pass: peak RSS"] = _tw(point.first.max_rss_mb, "MB")
        figures[f"scaling {n} pages, unchanged pass: wall time per page"] = _tw(
            point.unchanged.wall / n * 1000, "ms"
        )
        figures[f"scaling {n} pages, first pass: facts"] = _tw(point.facts, "")
        figures[f"scaling {n} pages, first pass: pages failed"] = _tw(point.failed, "")
    if len(points) >= 2:
        figures.update(slope_figures(points))
    return figures


def slope_figures(points: Sequence[ScalePoint]) -> Figures:
    """Flat cost per page = the marginal cost between sizes stays the same; fixed start-up cost aside."""
    figures: Figures = {}
    marginal = []
    for small, large in zip(points, points[1:], strict=False):
        ms = (large.first.wall - small.first.wall) / (large.pages - small.pages) * 1000
        marginal.append(ms)
        figures[f"scaling marginal wall time per page, {small.pages}→{large.pages}"] = _tw(ms, "ms")
    flatness = marginal[-1] / marginal[0]
    figures["scaling marginal ms/page, last interval ÷ first (flat = 1)"] = _tw(flatness, "×")
    pages = [float(p.pages) for p in points]
    figures["scaling fit: wall ms per page (slope of wall time over pages)"] = _tw(
        _slope(pages, [p.first.wall * 1000 for p in points]), "ms"
    )
    figures["scaling fit: peak RSS per page (slope of peak RSS over pages)"] = _tw(
        _slope(pages, [p.first.max_rss_mb * 1024 for p in points]), "KB"
    )
    return figures


def _tw(value: float, unit: str) -> dict[str, object]:
    return {"twinwatch": value, "peer": None, "unit": unit, "better": None}


def bench_scaling(
    sizes: Sequence[int] = (1000, 5000, 20000), hosts: int = 1000, seed: int = 8, concurrency: int = 32
) -> Figures:
    points, failures = [], {}
    for pages in sizes:
        try:
            points.append(scale_point(pages, hosts, seed, concurrency))
        except RuntimeError as exc:  # one size failing still leaves the trend of the others
            failures[f"scaling {pages} pages"] = {"twinwatch": f"failed: {exc}", "better": None}
            _progress(f"scaling {pages} pages: failed: {exc}")
            continue
        _progress(f"scaling {pages} pages: first pass {points[-1].first.wall:.1f} s")
    return {**failures, **scaling_figures(points)}


# --- output ---------------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def markdown(figures: Figures) -> str:
    rows = ["| figure | twinwatch | urlwatch |", "| --- | ---: | ---: |"]
    for name, figure in figures.items():
        unit = f" ({figure.get('unit')})" if figure.get("unit") else ""
        rows.append(f"| {name}{unit} | {_cell(figure.get('twinwatch'))} | {_cell(figure.get('peer'))} |")
    return "\n".join(rows)


# --- the twinwatch child --------------------------------------------------------------------------


def twinwatch_child(config_path: str, db: str) -> int:
    """One cycle, exactly as ``twinwatch run --all``; prints the RunSummary as one JSON line."""
    import logging
    from dataclasses import asdict

    from etl.config import load_config
    from etl.pipeline import run_once

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    summary = run_once(load_config(config_path), Path(db), all_sources=True)
    record = {key: value for key, value in asdict(summary).items() if key != "failures"}
    record["failures"] = list(summary.failures[:5])
    print(SUMMARY_MARK + json.dumps(record, default=str), flush=True)
    return 1 if summary.sources_failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["twinwatch-child"]:
        return twinwatch_child(args[1], args[2])
    parser = argparse.ArgumentParser(prog="python -m bench.bench_cycle", description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", default="", help="comma-separated page counts, e.g. 1000,5000,20000")
    parser.add_argument("--seed", type=int, default=8)
    options = parser.parse_args(args)
    figures = bench_cycle(options.sites, options.repeats, options.seed)
    if options.scale:
        figures.update(bench_scaling([int(n) for n in options.scale.split(",")], seed=options.seed))
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
