"""How fast the warehouse absorbs a big run: 100k facts for 20k partnerships into 1M stored facts.

The warehouse is pre-populated with set-based SQL (1M facts over 200k partnerships, 100k
documents), then one run of 10k documents carrying 100k facts is loaded through the public
``load_run`` — half of its partnerships already known, half new — and the same run is loaded a
second time, which must create no event.

    python -m bench.bench_store [--existing 1000000] [--facts 100000] [--partnerships 20000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from etl.models import Document, ExtractedDocument, Fact, FetchResult, Place
from etl.store import Warehouse

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EXISTING_PARTNERSHIPS = 200_000
RELATIONS = ("sister_city", "friendship_city", "mou")

PREPOPULATE = """
INSERT INTO places SELECT 'gn:' || i, i, 'Place ' || i, 'XX', 'city', ['Place ' || i], $ts, $ts
FROM range($places) t(i);
INSERT INTO documents
SELECT 'https://site' || (i % 500) || '.example/old/' || i, 'src' || (i % 50),
       'site' || (i % 500) || '.example', 'text/html', NULL, 'old ' || i, DATE '2020-01-01', 'en', NULL, 10,
       $ts, $ts, $ts, 0, 0
FROM range($documents) t(i);
INSERT INTO facts
SELECT i, 'https://site' || (i // 10 % 500) || '.example/old/' || (i // 10), 'src' || (i // 10 % 50),
       'site' || (i // 10 % 500) || '.example', pk || '|twinning', pk, 'twinning', a, b, NULL, NULL,
       'sister_city', 'established', 1960 + p % 60, 'evidence ' || i, 0, 10, 0.7, DATE '2020-01-01',
       $ts, $ts, 0, 0, NULL
FROM (SELECT i, i % $partnerships AS p, 'gn:' || (2 * (i % $partnerships)) AS a,
             'gn:' || (2 * (i % $partnerships) + 1) AS b, a || '|' || b AS pk
      FROM range($facts) t(i));
INSERT INTO partnerships
SELECT partnership_key, any_value(pair_key), 'twinning', any_value(a_key), any_value(b_key),
       'Place ' || any_value(a_key), 'XX', 'Place ' || any_value(b_key), 'XX', 'sister_city',
       'established', any_value(year), $ts, $ts, count(DISTINCT site), count(*), 0.9, false, '', $ts, 0
FROM facts GROUP BY partnership_key;
"""


def prepopulate(wh: Warehouse, facts: int) -> None:
    partnerships = min(EXISTING_PARTNERSHIPS, facts)
    values = {"ts": datetime(2020, 1, 1), "places": 2 * partnerships, "documents": facts // 10 + 1,
              "facts": facts, "partnerships": partnerships}
    for statement in filter(str.strip, PREPOPULATE.split(";")):
        used = {name: value for name, value in values.items() if f"${name}" in statement}
        wh.con.execute(statement, used)


def place(index: int) -> Place:
    return Place(f"gn:{index}", index, f"Place {index}", "XX", "city")


def run_batch(facts: int, partnerships: int) -> tuple[list[FetchResult], list[ExtractedDocument]]:
    """10 facts per document; each partnership is claimed by facts // partnerships documents."""
    per_doc = 10
    places = [place(i) for i in range(2 * partnerships)]
    docs, results = [], []
    for d in range(facts // per_doc):
        url = f"https://news{d % 300}.example/2026/{d}"
        claims = []
        for k in range(per_doc):
            p = (d * per_doc + k) % partnerships
            # even partnerships exist already (keys of the pre-populated pairs), odd ones are new
            if p % 2 == 0:
                a, b = places[2 * p], places[2 * p + 1]
            else:
                a, b = places[p], places[(p * 7 + 3) % len(places)]
            relation: Any = RELATIONS[p % 3]
            claims.append(Fact(a, b, a.name, b.name, relation, "established", 1990 + p % 30,
                               f"evidence {d}/{k}", 0, 10, 0.5 + (d % 5) / 10))
        document = Document(url, f"news{d % 300}", "<html>", fetched_at=NOW - timedelta(hours=1))
        published = date(2026, 11, 20)
        docs.append(ExtractedDocument(document, "text", f"title {d}", published, "en", tuple(claims)))
        results.append(FetchResult(url, document.source_id, "ok", NOW, status=200))
    return results, docs


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(existing: int, facts: int, partnerships: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, Warehouse.open(Path(tmp) / "bench.duckdb") as wh:
        started = time.perf_counter()
        prepopulate(wh, existing)
        prepared = time.perf_counter() - started
        results, docs = run_batch(facts, partnerships)
        rss_before = _rss_mb()
        started = time.perf_counter()
        first = wh.load_run(wh.start_run(NOW), results, docs, NOW)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = wh.load_run(wh.start_run(NOW), results, docs, NOW + timedelta(hours=6))
        second_seconds = time.perf_counter() - started
        stored = wh.query("SELECT count(*) FROM facts")[1][0][0]
    return {
        "existing_facts": existing, "facts": first.facts, "partnerships": partnerships,
        "stored_facts": stored, "prepopulate_s": round(prepared, 2), "load_s": round(first_seconds, 3),
        "events": first.events, "events_by_kind": first.events_by_kind, "reload_s": round(second_seconds, 3),
        "reload_events": second.events, "rss_before_load_mb": round(rss_before),
        "peak_rss_mb": round(_rss_mb()),
    }


def table(result: dict[str, Any]) -> str:
    rows = [
        ("pre-populated facts", f"{result['existing_facts']:,}"),
        ("facts loaded / partnerships", f"{result['facts']:,} / {result['partnerships']:,}"),
        ("first load (s)", f"{result['load_s']:.2f}"),
        ("events from first load", f"{result['events']:,}"),
        ("identical reload (s)", f"{result['reload_s']:.2f}"),
        ("events from reload (must be 0)", str(result["reload_events"])),
        ("RSS before load / peak (MB)", f"{result['rss_before_load_mb']} / {result['peak_rss_mb']}"),
    ]
    lines = ["| measure | value |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--partnerships", type=int, default=20_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = bench(args.existing, args.facts, args.partnerships)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
