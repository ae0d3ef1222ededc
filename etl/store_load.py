"""Load one run's claims: fetch log, documents, places and facts, set-based and de-duplicated.

Runs inside the transaction ``Warehouse.load_run`` opens, on the Arrow tables it registered
(``batch_fetches``, ``batch_docs``, ``batch_places``, ``batch_facts``). Leaves the temporary tables
``etl.reconcile`` works from: ``stage_docs``, ``stage_facts``, ``new_fact_ids``, ``retracted`` and
``affected`` (every partnership whose support may have changed).
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from etl.models import RELATION_FAMILY

FETCHES_SQL = """
INSERT INTO fetches SELECT * FROM batch_fetches
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
ON CONFLICT (run_id, url) DO NOTHING
"""

# A document is stored only from a successful fetch; a URL whose fetch failed this run keeps its
# previous version. Of two copies of one URL in a batch, the newest fetch wins.
STAGE_DOCS_SQL = """
CREATE OR REPLACE TEMP TABLE stage_docs AS
SELECT * FROM batch_docs
WHERE url NOT IN (SELECT url FROM batch_fetches WHERE outcome <> 'ok'
                  EXCEPT SELECT url FROM batch_fetches WHERE outcome = 'ok')
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC NULLS LAST, n_facts DESC) = 1
"""

DOCS_SQL = """
INSERT INTO documents (url, source_id, site, content_type, content_hash, title, published, language, text,
                       n_facts, fetched_at, first_seen, last_seen, first_run_id, last_run_id)
SELECT url, source_id, site, content_type, content_hash, title, published, language, text, n_facts,
       fetched_at, $now, $now, $run_id, $run_id
FROM stage_docs
ON CONFLICT (url) DO UPDATE SET source_id = excluded.source_id, site = excluded.site,
    content_type = excluded.content_type, content_hash = excluded.content_hash, title = excluded.title,
    published = excluded.published, language = excluded.language, text = excluded.text,
    n_facts = excluded.n_facts, fetched_at = excluded.fetched_at, last_seen = excluded.last_seen,
    last_run_id = excluded.last_run_id
"""

STAGE_PLACES_SQL = """
CREATE OR REPLACE TEMP TABLE stage_places AS
SELECT key, any_value(geonameid) AS geonameid, any_value(name) AS name, any_value(country) AS country,
       any_value(kind) AS kind,
       coalesce(list_sort(list_distinct(list(mention) FILTER (WHERE mention <> ''))), []) AS aliases
FROM batch_places GROUP BY key
"""

NEW_PLACES_SQL = """
INSERT INTO places (key, geonameid, name, country, kind, aliases, first_seen, updated_at)
SELECT key, geonameid, name, country, kind, aliases, $now, $now FROM stage_places
WHERE key NOT IN (SELECT key FROM places)
"""

# Only places whose gazetteer entry changed or that gained a spelling are rewritten.
CHANGED_PLACES_SQL = """
UPDATE places SET geonameid = s.geonameid, name = s.name, country = s.country, kind = s.kind,
    aliases = list_sort(list_distinct(list_concat(places.aliases, s.aliases))), updated_at = $now
FROM stage_places s
WHERE places.key = s.key AND (NOT list_has_all(places.aliases, s.aliases) OR places.name <> s.name
    OR places.country <> s.country OR places.kind <> s.kind
    OR places.geonameid IS DISTINCT FROM s.geonameid)
"""

_FAMILY = " ".join(f"WHEN '{relation}' THEN '{family}'" for relation, family in RELATION_FAMILY.items())

# The fact id (``store_rows.fact_ids``) hashes the claim's identity, so a reordered or re-extracted
# page maps to the same rows. In-batch duplicates of one claim: keep the most confident, then the
# fullest evidence.
STAGE_FACTS_SQL = f"""
CREATE OR REPLACE TEMP TABLE stage_facts AS
WITH keyed AS (
    SELECT d.url AS document_url, d.source_id, d.site, d.claimed_on, d.published IS NOT NULL AS dated, b.*,
           a_key || '|' || b_key AS pair_key, CASE b.relation {_FAMILY} ELSE b.relation END AS family
    FROM batch_facts b JOIN stage_docs d ON d.idx = b.doc
), identified AS (
    SELECT *, pair_key || '|' || family AS partnership_key FROM keyed
)
SELECT fact_id, document_url, source_id, site, partnership_key, pair_key, family, a_key, b_key,
       a_mention, b_mention, relation, status, year, evidence, evidence_start, evidence_end, confidence,
       claimed_on, dated
FROM identified
QUALIFY row_number() OVER (PARTITION BY fact_id ORDER BY confidence DESC,
    length(coalesce(evidence, '')) DESC, evidence_start NULLS LAST) = 1;
CREATE OR REPLACE TEMP TABLE new_fact_ids AS
SELECT fact_id FROM stage_facts WHERE fact_id NOT IN (SELECT fact_id FROM facts);
"""

# Claims a re-extracted document no longer makes; kept, but no longer support anything. A page
# that now states no claim at all (an error page served with 200, a redesign the extractor does
# not read yet) is no evidence that its ties ended: it retracts nothing.
RETRACT_SQL = """
CREATE OR REPLACE TEMP TABLE retracted AS
SELECT fact_id, partnership_key FROM facts
WHERE retracted_at IS NULL AND document_url IN (SELECT url FROM stage_docs)
  AND document_url IN (SELECT document_url FROM stage_facts)
  AND fact_id NOT IN (SELECT fact_id FROM stage_facts);
CREATE OR REPLACE TEMP TABLE affected AS
SELECT partnership_key FROM stage_facts UNION SELECT partnership_key FROM retracted;
"""

NEW_FACTS_SQL = """
INSERT INTO facts (fact_id, document_url, source_id, site, partnership_key, pair_key, family, a_key, b_key,
                   a_mention, b_mention, relation, status, year, evidence, evidence_start, evidence_end,
                   confidence, claimed_on, first_seen, last_seen, first_run_id, last_run_id, retracted_at)
SELECT * EXCLUDE (dated), $now, $now, $run_id, $run_id, NULL FROM stage_facts
WHERE fact_id IN (SELECT fact_id FROM new_fact_ids)
"""

# Known claims: rewrite the details only where the extraction changed them (DuckDB's cost grows with
# the columns updated), then mark every one seen in this run and standing again. A page without a
# publication date (a municipal list) keeps the date its claim was first read: refetching the list
# must not make "X is our partner" newer than last month's news of a suspension.
CHANGED_FACTS_SQL = """
UPDATE facts SET source_id = s.source_id, site = s.site, a_mention = s.a_mention, b_mention = s.b_mention,
    evidence = s.evidence, evidence_start = s.evidence_start, evidence_end = s.evidence_end,
    confidence = s.confidence, claimed_on = CASE WHEN s.dated THEN s.claimed_on ELSE facts.claimed_on END
FROM stage_facts s
WHERE facts.fact_id = s.fact_id AND (facts.evidence IS DISTINCT FROM s.evidence
    OR facts.confidence <> s.confidence OR (s.dated AND facts.claimed_on <> s.claimed_on)
    OR facts.site <> s.site
    OR facts.source_id <> s.source_id OR facts.evidence_start IS DISTINCT FROM s.evidence_start
    OR facts.evidence_end IS DISTINCT FROM s.evidence_end OR facts.a_mention IS DISTINCT FROM s.a_mention
    OR facts.b_mention IS DISTINCT FROM s.b_mention)
"""

SEEN_FACTS_SQL = """
UPDATE facts SET last_seen = $now, last_run_id = $run_id, retracted_at = NULL
WHERE fact_id IN (SELECT fact_id FROM stage_facts EXCEPT SELECT fact_id FROM new_fact_ids)
"""

TEMP_TABLES = ("stage_docs", "stage_places", "stage_facts", "new_fact_ids", "retracted", "affected")


def load_claims(con: duckdb.DuckDBPyConnection, run_id: int, now: datetime) -> None:
    params = {"run_id": run_id, "now": now}
    con.execute(FETCHES_SQL)
    con.execute(STAGE_DOCS_SQL)
    con.execute(DOCS_SQL, params)
    con.execute(STAGE_PLACES_SQL)
    con.execute(NEW_PLACES_SQL, {"now": now})
    con.execute(CHANGED_PLACES_SQL, {"now": now})
    con.execute(STAGE_FACTS_SQL)
    con.execute(RETRACT_SQL)
    con.execute("UPDATE facts SET retracted_at = $now WHERE fact_id IN (SELECT fact_id FROM retracted)",
                {"now": now})
    con.execute(NEW_FACTS_SQL, params)
    con.execute(CHANGED_FACTS_SQL)
    con.execute(SEEN_FACTS_SQL, params)
