"""`twinwatch demo`: the whole job end to end, offline, on bundled pages.

A local HTTP server on 127.0.0.1 serves the bundled site. A first cycle records the baseline
(the week of 2026-11-09); the site then moves to "a week later" (a new agreement, an MoU upgraded
to sister city, a suspension, a reprinted story, one source failing) and a second cycle runs;
last, the digest for that week is rendered into ``reports/``. The clock is simulated so that the
two cycles are a week apart and the output is the same on every run.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from etl.config import Config, parse_config
from etl.demo_site import DemoSite
from etl.extract import load_gazetteer
from etl.models import RunSummary
from etl.pipeline import run_once
from etl.report import DigestOutcome, digest_once
from etl.store import Warehouse

DEMO_DB = Path("warehouse/demo.duckdb")
DEMO_REPORTS = Path("reports")
TEMPLATE = Path(__file__).parent / "demo_site" / "sources.yaml"

BASELINE_AT = datetime(2026, 11, 14, 8, 0, tzinfo=UTC)  # end of the first week
WEEK_LATER_AT = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)  # end of the second week
DIGEST_AT = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 08:00 in Asia/Shanghai


def demo_config(base_url: str) -> Config:
    """The bundled demo configuration, pointed at the local server."""
    return parse_config(TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url), TEMPLATE)


def _fresh(db: Path) -> None:
    """Running the demo twice starts from the same empty warehouse."""
    db.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _print_cycle(title: str, summary: RunSummary) -> None:
    print(
        f"{title}: {summary.sources_total} sources ({summary.sources_failed} failed), "
        f"{summary.pages_fetched} pages fetched, {summary.pages_unchanged} unchanged, "
        f"{summary.documents_parsed} documents parsed, {summary.facts} facts, {summary.events} events"
    )
    for line in summary.failures:
        print(f"  failed source: {line}")


def _print_changes(db: Path, outcome: DigestOutcome) -> None:
    with Warehouse.open(db, read_only=True) as warehouse:
        events = warehouse.events_between(outcome.since, outcome.until)
    counts = Counter(event.kind for event in events)
    print(
        f"changes in {outcome.period_label}: "
        + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none")
    )
    for event in events:
        change = f" ({event.previous} -> {event.current})" if event.previous else ""
        print(
            f"  {event.kind:<18} {event.a.name} ({event.a.country}) - {event.b.name} ({event.b.country}): "
            f"{event.relation}, {event.status}, {event.year or 'year unknown'}{change}"
        )


def run_demo(db: Path | None = None, out_dir: Path = DEMO_REPORTS) -> int:
    db = db or DEMO_DB
    _fresh(db)
    gazetteer = load_gazetteer()
    with DemoSite() as site:
        config = demo_config(site.start())
        print(f"demo site on {site.base_url} serving {len(config.sources)} sources")
        _print_cycle(
            "week 1 (baseline)", run_once(config, db, all_sources=True, now=BASELINE_AT, gazetteer=gazetteer)
        )
        site.set_state("week2")
        _print_cycle("week 2", run_once(config, db, all_sources=True, now=WEEK_LATER_AT, gazetteer=gazetteer))
    outcome = digest_once(config, db, until=DIGEST_AT, out_dir=out_dir)
    _print_changes(db, outcome)
    print(f"digest: {outcome.subject}")
    for path in outcome.paths.all():
        print(f"  {path}")
    print(f'warehouse: {db}  (try: twinwatch query --db {db} "select * from partnerships")')
    return 0
