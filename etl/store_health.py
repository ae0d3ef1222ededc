"""Source health inside the load transaction: consecutive failures, failing / stale / recovered.

A source "ran" in a load when its own URL (feed, listing or page) was fetched; article fetches do
not count, so a dead article link never marks a whole source failing. State rules:

* ``failing`` after ``failing_after`` consecutive runs whose primary fetch failed;
* ``stale`` when, not failing, no new or changed document arrived for longer than the source's
  ``stale_after`` (a changed document counts, so a single-page source is stale only if it stops
  changing; the pipeline extracts a page again only when its content changed);
* back to ``ok`` (a ``recovered`` transition) when neither holds any more.

Each change is appended to ``health_transitions`` so the digest can say what changed in its week.
Expects the temporary tables ``batch_fetches`` and ``batch_primary`` from ``etl.store``.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

HEALTH_SQL = """
CREATE OR REPLACE TEMP TABLE health_new AS
WITH ran AS (
    SELECT p.source_id, p.url, any_value(coalesce(p.stale_after_s, s.stale_after_s)) AS stale_after_s,
           arg_max(f.outcome = 'error', f.fetched_at) AS failed, max(f.fetched_at) AS fetched_at,
           arg_max(concat_ws(': ', f.error_class, f.error), f.fetched_at) AS error
    FROM batch_primary p
    JOIN batch_fetches f ON f.source_id = p.source_id AND f.url = p.url
    LEFT JOIN sources s ON s.source_id = p.source_id
    GROUP BY p.source_id, p.url
), newest AS (
    SELECT source_id, max(last_seen) AS last_new_article FROM documents
    WHERE source_id IN (SELECT source_id FROM ran) GROUP BY source_id
), calc AS (
    SELECT r.source_id, r.url, coalesce(h.state, 'ok') AS old_state, h.state_since,
           CASE WHEN r.failed THEN coalesce(h.consecutive_failures, 0) + 1 ELSE 0 END AS failures,
           CASE WHEN r.failed THEN h.last_success ELSE r.fetched_at END AS last_success,
           CASE WHEN r.failed THEN r.fetched_at ELSE h.last_failure END AS last_failure,
           CASE WHEN r.failed THEN r.error ELSE h.last_error END AS last_error,
           n.last_new_article, coalesce(h.watched_since, $now) AS watched_since, r.stale_after_s
    FROM ran r LEFT JOIN source_health h USING (source_id) LEFT JOIN newest n USING (source_id)
)
SELECT *, CASE
    WHEN failures >= $failing_after THEN 'failing'
    WHEN stale_after_s IS NOT NULL
         AND coalesce(last_new_article, watched_since) < $now - to_seconds(stale_after_s) THEN 'stale'
    ELSE 'ok' END AS state
FROM calc
"""

TRANSITIONS_SQL = """
INSERT INTO health_transitions (source_id, run_id, changed_at, from_state, to_state, change, error)
SELECT source_id, $run_id, $now, old_state, state, CASE state WHEN 'ok' THEN 'recovered' ELSE state END,
       CASE WHEN state = 'failing' THEN last_error END
FROM health_new WHERE state <> old_state
"""

UPSERT_SQL = """
INSERT INTO source_health (source_id, url, state, consecutive_failures, last_success, last_failure,
                           last_error, last_new_article, watched_since, state_since, updated_at)
SELECT source_id, url, state, failures, last_success, last_failure, last_error, last_new_article,
       watched_since, CASE WHEN state <> old_state OR state_since IS NULL THEN $now ELSE state_since END, $now
FROM health_new
ON CONFLICT (source_id) DO UPDATE SET
    url = excluded.url, state = excluded.state, consecutive_failures = excluded.consecutive_failures,
    last_success = excluded.last_success, last_failure = excluded.last_failure,
    last_error = excluded.last_error, last_new_article = excluded.last_new_article,
    state_since = excluded.state_since, updated_at = excluded.updated_at
"""


def update_health(con: duckdb.DuckDBPyConnection, run_id: int, now: datetime, failing_after: int) -> None:
    con.execute(HEALTH_SQL, {"now": now, "failing_after": failing_after})
    con.execute(TRANSITIONS_SQL, {"run_id": run_id, "now": now})
    con.execute(UPSERT_SQL, {"now": now})
    con.execute("DROP TABLE IF EXISTS health_new")
