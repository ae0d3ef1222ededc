"""From claims to conclusions: recompute partnerships from their facts and derive events.

Everything here is set-based SQL over temporary tables that ``etl.store`` fills inside the load's
transaction: ``affected`` (partnership keys touched by the batch) and ``new_fact_ids`` (claims
never stored before). The rules, in the order the digest relies on them:

* relation: the highest rank (``models.RELATION_RANK``) any standing claim supports; a relation
  only ever proposed ("an MoU towards becoming sister cities") loses to one that was concluded;
* status: the latest claims win (a suspension reported after the signing replaces it); claims made
  within ``STATUS_WINDOW_DAYS`` of the latest one compete, and the best-supported wins — if
  several independent sites disagree there, that is a conflict;
* year: among claims for the current relation, the year most independent sites support;
* an event is the difference between the state before and after the batch, so reloading the same
  documents yields no event by construction.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from etl.models import RELATION_RANK

# Claims made this close to the latest one are simultaneous: they compete rather than supersede.
STATUS_WINDOW_DAYS = 30
# A first sighting is `new` only if a claim this recent reports a signing in its own or previous year.
NEW_WITHIN_DAYS = 180
# Later stages of a tie's life win a tie in support (a history page states both signing and suspension).
LIFECYCLE = {"proposed": 1, "established": 2, "suspended": 3, "terminated": 4}


def _case(column: str, mapping: dict[str, int]) -> str:
    arms = " ".join(f"WHEN '{key}' THEN {value}" for key, value in mapping.items())
    return f"CASE {column} {arms} ELSE 0 END"


ACTIVE_SQL = f"""
CREATE OR REPLACE TEMP TABLE active AS
SELECT f.fact_id, f.partnership_key, f.pair_key, f.family, f.a_key, f.b_key, f.document_url, f.site,
       f.relation, f.status, f.year, f.confidence, f.claimed_on, f.first_seen, f.last_seen,
       CASE f.status WHEN 'anniversary' THEN 'established' ELSE f.status END AS state,
       {_case("f.relation", RELATION_RANK)} AS rank,
       f.fact_id IN (SELECT fact_id FROM new_fact_ids) AS is_new,
       -- grouping on 64-bit hashes of the text keys costs half as much as grouping on the text
       hash(f.partnership_key) AS pid, hash(f.site) AS sid
FROM facts f
WHERE f.retracted_at IS NULL AND f.partnership_key IN (SELECT partnership_key FROM affected)
"""

OLD_SQL = """
CREATE OR REPLACE TEMP TABLE old_p AS
SELECT * FROM partnerships WHERE partnership_key IN (SELECT partnership_key FROM affected)
"""

NEW_SQL = f"""
CREATE OR REPLACE TEMP TABLE new_p AS
WITH rel AS (
    SELECT pid, relation, max(rank) AS rank FROM active GROUP BY pid, relation
    QUALIFY row_number() OVER (PARTITION BY pid ORDER BY bool_and(state = 'proposed'), max(rank) DESC,
        count(DISTINCT sid) DESC, max(confidence) DESC, relation) = 1
), states AS (
    SELECT pid, state, max(claimed_on) AS last_claim, count(DISTINCT sid) AS n_sites, min(sid) AS lo,
           max(sid) AS hi, sum(confidence) AS weight, {_case("state", LIFECYCLE)} AS lifecycle
    FROM active WHERE state <> 'mentioned' GROUP BY pid, state
), state_cand AS (
    SELECT * FROM states
    QUALIFY last_claim >= max(last_claim) OVER (PARTITION BY pid) - INTERVAL {STATUS_WINDOW_DAYS} DAY
), state_pick AS (
    -- a disagreement is a conflict only when more than one site takes part in it
    SELECT pid, arg_max(state, n_sites * 100 + lifecycle * 10 + least(weight, 9.99)) AS status,
           CASE WHEN count(*) > 1 AND min(lo) <> max(hi)
                THEN 'status:' || string_agg(state, '|' ORDER BY state) END AS conflict
    FROM state_cand GROUP BY pid
), year_facts AS (
    -- the year of the current relation; a proposal's year only when no signing states one
    SELECT a.pid, a.year, a.sid, a.document_url, a.confidence FROM active a JOIN rel r USING (pid)
    WHERE a.rank = r.rank AND a.year IS NOT NULL AND a.state NOT IN ('suspended', 'terminated')
    QUALIFY (a.state = 'proposed') = min(a.state = 'proposed') OVER (PARTITION BY a.pid)
), years AS (
    SELECT pid, year, count(DISTINCT sid) AS n_sites, count(DISTINCT document_url) AS n_docs,
           sum(confidence) AS weight, min(sid) AS lo, max(sid) AS hi
    FROM year_facts GROUP BY pid, year
), year_pick AS (
    SELECT pid, arg_max(year, n_sites * 1e9 + n_docs * 1e4 + least(weight, 999) * 10 - year / 10000) AS year,
           CASE WHEN count(*) > 1 AND min(lo) <> max(hi)
                THEN 'year:' || string_agg(CAST(year AS VARCHAR), '|' ORDER BY year) END AS conflict
    FROM years GROUP BY pid
), per_site AS (
    SELECT pid, sid, max(confidence) AS c FROM active GROUP BY pid, sid
), support AS (
    -- independent sites: 1 - prod(1 - c); a reprint on the same site adds nothing
    SELECT pid, count(*) AS n_sources, round(1 - exp(sum(ln(greatest(1 - c, 1e-9)))), 6) AS confidence
    FROM per_site GROUP BY pid
), totals AS (
    SELECT pid, any_value(partnership_key) AS partnership_key, any_value(pair_key) AS pair_key,
           any_value(family) AS family, any_value(a_key) AS a_key, any_value(b_key) AS b_key,
           count(DISTINCT document_url) AS n_documents, min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM active GROUP BY pid
)
SELECT t.partnership_key, t.pair_key, t.family, t.a_key, t.b_key, pa.name AS a_name, pa.country AS a_country,
       pb.name AS b_name, pb.country AS b_country, r.relation,
       coalesce(sp.status, 'mentioned') AS status, yp.year, t.first_seen, t.last_seen, s.n_sources,
       t.n_documents, s.confidence, coalesce(sp.conflict, yp.conflict) IS NOT NULL AS is_conflicted,
       concat_ws(';', sp.conflict, yp.conflict) AS conflicts
FROM totals t JOIN rel r USING (pid) JOIN support s USING (pid)
LEFT JOIN state_pick sp USING (pid) LEFT JOIN year_pick yp USING (pid)
LEFT JOIN places pa ON pa.key = t.a_key LEFT JOIN places pb ON pb.key = t.b_key
"""

# Every standing claim was retracted: keep the last conclusion, with no support left.
RETIRED_SQL = """
INSERT INTO new_p
SELECT partnership_key, pair_key, family, a_key, b_key, a_name, a_country, b_name, b_country, relation,
       status, year, first_seen, last_seen, 0, 0, 0.0, false, ''
FROM old_p WHERE partnership_key NOT IN (SELECT partnership_key FROM new_p)
"""

# The claim that best explains an event: this batch's claims first, then the most confident.
_PICK = "arg_max(a.fact_id, a.is_new::INT * 2 + a.confidence)"

EVENTS_SQL = f"""
INSERT INTO partnership_events (run_id, kind, created_at, partnership_key, fact_id, previous, current,
                                relation, status, year, confidence, n_sources)
WITH cmp AS (
    SELECT n.*, o.partnership_key IS NULL OR o.n_documents = 0 AS first_sighting, o.relation AS o_relation,
           o.status AS o_status, o.year AS o_year, o.n_sources AS o_n_sources,
           string_split(coalesce(o.conflicts, ''), ';') AS o_conflicts,
           {_case("n.relation", RELATION_RANK)} AS n_rank, {_case("o.relation", RELATION_RANK)} AS o_rank
    FROM new_p n LEFT JOIN old_p o USING (partnership_key)
    WHERE n.n_documents > 0
), fresh AS (
    SELECT a.partnership_key, {_PICK} AS fact_id FROM active a
    WHERE a.status IN ('established', 'proposed') AND a.year >= year(a.claimed_on) - 1
      AND a.claimed_on >= CAST($now AS DATE) - INTERVAL {NEW_WITHIN_DAYS} DAY
    GROUP BY a.partnership_key
), best AS (
    SELECT a.partnership_key, arg_max(a.fact_id, a.rank * 10 + a.is_new::INT * 2 + a.confidence) AS fact_id
    FROM active a GROUP BY a.partnership_key
), conflict_rows AS (
    SELECT c.partnership_key, c.year, c.status, split_part(x.conflict, ':', 1) AS dim,
           string_split(split_part(x.conflict, ':', 2), '|') AS vals
    FROM cmp c, unnest(list_filter(string_split(c.conflicts, ';'),
                                   lambda k: k <> '' AND NOT list_contains(c.o_conflicts, k))) AS x(conflict)
), raised AS (
    SELECT CASE WHEN fr.fact_id IS NULL THEN 'first_seen' ELSE 'new' END AS kind, c.partnership_key,
           coalesce(fr.fact_id, b.fact_id) AS fact_id, NULL AS previous, c.relation AS current
    FROM cmp c JOIN best b USING (partnership_key) LEFT JOIN fresh fr USING (partnership_key)
    WHERE c.first_sighting
    UNION ALL
    SELECT 'upgraded', c.partnership_key,
           (SELECT {_PICK} FROM active a
            WHERE a.partnership_key = c.partnership_key AND a.relation = c.relation),
           c.o_relation, c.relation
    FROM cmp c WHERE NOT c.first_sighting AND c.n_rank > c.o_rank
    UNION ALL
    SELECT 'status_changed', c.partnership_key,
           (SELECT {_PICK} FROM active a WHERE a.partnership_key = c.partnership_key AND a.state = c.status),
           c.o_status, c.status
    FROM cmp c
    WHERE NOT c.first_sighting AND c.status <> c.o_status AND 'mentioned' NOT IN (c.status, c.o_status)
    UNION ALL
    SELECT 'year_changed', c.partnership_key,
           (SELECT {_PICK} FROM active a WHERE a.partnership_key = c.partnership_key AND a.year = c.year),
           CAST(c.o_year AS VARCHAR), CAST(c.year AS VARCHAR)
    FROM cmp c WHERE NOT c.first_sighting AND c.n_rank = c.o_rank AND c.year <> c.o_year
    UNION ALL
    SELECT 'corroborated', c.partnership_key,
           (SELECT arg_max(a.fact_id, a.is_new::INT * 2 + a.confidence) FROM active a
            WHERE a.partnership_key = c.partnership_key),
           CAST(c.o_n_sources AS VARCHAR), CAST(c.n_sources AS VARCHAR)
    FROM cmp c WHERE NOT c.first_sighting AND c.n_sources > c.o_n_sources AND c.n_sources > 1
    UNION ALL
    SELECT 'conflicting_claim', r.partnership_key,
           (SELECT {_PICK} FROM active a WHERE a.partnership_key = r.partnership_key AND CASE r.dim
                WHEN 'year' THEN a.year IS DISTINCT FROM r.year
                                 AND list_contains(r.vals, CAST(a.year AS VARCHAR))
                ELSE a.state <> r.status AND list_contains(r.vals, a.state) END),
           shown, array_to_string(list_filter(r.vals, lambda v: v IS DISTINCT FROM shown), '|')
    FROM (SELECT *, CASE dim WHEN 'year' THEN CAST(year AS VARCHAR) ELSE status END AS shown
          FROM conflict_rows) r
    UNION ALL
    SELECT 'anniversary', a.partnership_key, {_PICK}, NULL, CAST(max(a.year) AS VARCHAR)
    FROM active a
    WHERE a.is_new AND a.status = 'anniversary' AND NOT EXISTS (
        SELECT 1 FROM partnership_events e WHERE e.partnership_key = a.partnership_key
        AND e.kind = 'anniversary' AND year(e.created_at) = year(CAST($now AS TIMESTAMP)))
    GROUP BY a.partnership_key
)
SELECT $run_id, r.kind, $now, r.partnership_key, r.fact_id, r.previous, r.current, c.relation, c.status,
       c.year, c.confidence, c.n_sources
FROM raised r JOIN cmp c USING (partnership_key)
ORDER BY r.partnership_key, r.kind
"""

UPSERT_SQL = """
INSERT INTO partnerships (partnership_key, pair_key, family, a_key, b_key, a_name, a_country, b_name,
                          b_country, relation, status, year, first_seen, last_seen, n_sources, n_documents,
                          confidence, is_conflicted, conflicts, updated_at, last_run_id)
SELECT *, $now, $run_id FROM new_p
ON CONFLICT (partnership_key) DO UPDATE SET
    a_name = excluded.a_name, a_country = excluded.a_country, b_name = excluded.b_name,
    b_country = excluded.b_country, relation = excluded.relation, status = excluded.status,
    year = excluded.year,
    first_seen = excluded.first_seen, last_seen = excluded.last_seen, n_sources = excluded.n_sources,
    n_documents = excluded.n_documents, confidence = excluded.confidence,
    is_conflicted = excluded.is_conflicted, conflicts = excluded.conflicts,
    updated_at = excluded.updated_at, last_run_id = excluded.last_run_id
"""


def reconcile(con: duckdb.DuckDBPyConnection, run_id: int, now: datetime) -> None:
    """Recompute the affected partnerships and append the events their change implies."""
    params = {"run_id": run_id, "now": now}
    con.execute(ACTIVE_SQL)
    con.execute(OLD_SQL)
    con.execute(NEW_SQL)
    con.execute(RETIRED_SQL)
    con.execute(EVENTS_SQL, params)
    con.execute(UPSERT_SQL, params)
    for table in ("active", "old_p", "new_p"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
