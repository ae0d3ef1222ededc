"""Read models over the warehouse for the digest and the daemon: plain dataclasses out.

All bounds are half-open ``[since, until)`` in naive UTC (the warehouse's convention); datetimes
handed back are timezone-aware UTC.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import duckdb

from etl.models import PartnershipEvent, Place, SourceHealth, SourceRef
from etl.store_rows import aware_utc

EVENTS_SQL = """
SELECT e.event_id, e.kind, e.created_at, e.partnership_key, e.relation, e.status, e.year, e.previous,
       e.current, f.evidence, e.confidence, p.n_sources,
       pa.key, pa.geonameid, pa.name, pa.country, pa.kind, pb.key, pb.geonameid, pb.name, pb.country, pb.kind
FROM partnership_events e
JOIN partnerships p USING (partnership_key)
JOIN places pa ON pa.key = p.a_key
JOIN places pb ON pb.key = p.b_key
LEFT JOIN facts f ON f.fact_id = e.fact_id
WHERE e.created_at >= $since AND e.created_at < $until
ORDER BY e.created_at, e.event_id
"""

SOURCES_SQL = """
SELECT DISTINCT f.partnership_key, d.url, d.source_id, d.title, d.published
FROM facts f JOIN documents d ON d.url = f.document_url
WHERE f.retracted_at IS NULL AND f.partnership_key IN (
    SELECT partnership_key FROM partnership_events WHERE created_at >= $since AND created_at < $until)
ORDER BY f.partnership_key, d.published DESC NULLS LAST, d.url
"""

# Every configured source (a source never fetched is healthy) plus any with recorded health that
# was not removed from the configuration; `changed` is the latest transition inside the period.
HEALTH_SQL = """
WITH changes AS (
    SELECT source_id, arg_max(change, changed_at) AS changed FROM health_transitions
    WHERE changed_at >= $since AND changed_at < $until GROUP BY source_id
)
SELECT source_id, coalesce(h.url, s.url), coalesce(h.state, 'ok'), coalesce(h.consecutive_failures, 0),
       h.last_success, h.last_error, c.changed
FROM source_health h FULL JOIN (SELECT * FROM sources WHERE in_config) s USING (source_id)
LEFT JOIN changes c USING (source_id)
WHERE source_id NOT IN (SELECT source_id FROM sources WHERE NOT in_config)
ORDER BY source_id
"""

STATS_SQL = """
SELECT
    (SELECT count(*) FROM runs WHERE started_at >= $since AND started_at < $until),
    (SELECT count(*) FROM fetches WHERE fetched_at >= $since AND fetched_at < $until),
    (SELECT count(*) FROM fetches WHERE fetched_at >= $since AND fetched_at < $until AND outcome = 'ok'),
    (SELECT count(*) FROM fetches WHERE fetched_at >= $since AND fetched_at < $until AND outcome = 'error'),
    (SELECT count(*) FROM documents WHERE first_seen >= $since AND first_seen < $until),
    (SELECT count(*) FROM facts WHERE first_seen >= $since AND first_seen < $until),
    (SELECT count(*) FROM partnerships WHERE n_documents > 0)
"""
STATS_KEYS = ("runs", "fetches", "pages_ok", "failures", "documents", "facts", "partnerships_total")

WEEKLY_SQL = """
SELECT printf('%d-W%02d', isoyear(created_at), week(created_at)) AS label, count(*)
FROM partnership_events
WHERE kind = 'new' AND created_at >= $since AND created_at < $until
GROUP BY label
"""


def _place(row: tuple[Any, ...]) -> Place:
    key, geonameid, name, country, kind = row
    return Place(key=key, geonameid=geonameid, name=name, country=country, kind=kind)


def _sources(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime) -> dict[str, list[SourceRef]]:
    refs: dict[str, list[SourceRef]] = defaultdict(list)
    for key, url, source_id, title, published in con.execute(SOURCES_SQL, {"since": since, "until": until}
                                                              ).fetchall():
        refs[key].append(SourceRef(url=url, source_id=source_id, title=title, published=published))
    return refs


def events_between(
    con: duckdb.DuckDBPyConnection, since: datetime, until: datetime
) -> list[PartnershipEvent]:
    """Events with both places, the causing claim's evidence and every document still supporting the tie."""
    refs = _sources(con, since, until)
    events = []
    for row in con.execute(EVENTS_SQL, {"since": since, "until": until}).fetchall():
        event_id, kind, created, key, relation, status, year, previous, current, evidence, conf, n = row[:12]
        events.append(PartnershipEvent(
            event_id=event_id, kind=kind, created_at=aware_utc(created) or created, partnership_key=key,
            a=_place(row[12:17]), b=_place(row[17:22]), relation=relation, status=status, year=year,
            previous=previous, current=current, evidence=evidence, confidence=conf, source_count=n,
            sources=tuple(refs.get(key, ()))))
    return events


def health_between(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime) -> list[SourceHealth]:
    rows = con.execute(HEALTH_SQL, {"since": since, "until": until}).fetchall()
    return [SourceHealth(source_id=sid, url=url, state=state, consecutive_failures=failures,
                         last_success=aware_utc(success), last_error=error, changed=changed)
            for sid, url, state, failures, success, error, changed in rows]


def run_stats(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime) -> dict[str, int]:
    [row] = con.execute(STATS_SQL, {"since": since, "until": until}).fetchall()
    return {key: int(value) for key, value in zip(STATS_KEYS, row, strict=True)}


def week_label(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_counts(con: duckdb.DuckDBPyConnection, until: datetime, weeks: int) -> list[tuple[str, int]]:
    """`new` events per ISO week, the ``weeks`` weeks up to the one holding ``until``, oldest first."""
    first_monday = (until - timedelta(weeks=weeks - 1, days=until.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0)
    counts = dict(con.execute(WEEKLY_SQL, {"since": first_monday, "until": until}).fetchall())
    labels = [week_label(first_monday + timedelta(weeks=i)) for i in range(weeks)]
    return [(label, int(counts.get(label, 0))) for label in labels]
