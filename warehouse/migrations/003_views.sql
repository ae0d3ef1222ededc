-- Views for the questions analysts ask; examples of their use are in warehouse/queries/.

-- Every name form of a place: canonical name plus every spelling seen in documents.
CREATE OR REPLACE VIEW place_names AS
SELECT key AS place_key, name_form, lower(name_form) AS name_form_lower
FROM (SELECT key, unnest(list_distinct(list_prepend(name, aliases))) AS name_form FROM places);

-- Partnerships with current place names; active = at least one claim still stands.
CREATE OR REPLACE VIEW partnerships_named AS
SELECT p.* REPLACE (pa.name AS a_name, pa.country AS a_country, pb.name AS b_name, pb.country AS b_country),
       p.n_documents > 0 AS active
FROM partnerships p
JOIN places pa ON pa.key = p.a_key
JOIN places pb ON pb.key = p.b_key;

-- Both directions of every live tie, once per name form of the city asked about.
CREATE OR REPLACE VIEW current_partners AS
WITH sides AS (
    SELECT a_key AS city_key, b_key AS partner_key, * EXCLUDE (a_key, b_key) FROM partnerships_named
    UNION ALL
    SELECT b_key, a_key, * EXCLUDE (a_key, b_key) FROM partnerships_named
)
SELECT n.name_form AS city_name_form, n.name_form_lower AS city_name_form_lower, s.city_key,
       c.name AS city_name, s.partner_key, pp.name AS partner_name, pp.country AS partner_country,
       s.relation, s.status, s.year, s.n_sources, s.confidence, s.is_conflicted, s.partnership_key
FROM sides s
JOIN place_names n ON n.place_key = s.city_key
JOIN places c ON c.key = s.city_key
JOIN places pp ON pp.key = s.partner_key
WHERE s.active AND s.status <> 'terminated';

-- Newly signed or announced ties, by the time twinwatch learned of them.
CREATE OR REPLACE VIEW new_partnerships AS
SELECT e.created_at, e.event_id, p.a_name, p.a_country, p.b_name, p.b_country, e.relation, e.status,
       e.year, e.confidence, e.n_sources, f.document_url, f.evidence, p.partnership_key
FROM partnership_events e
JOIN partnerships_named p USING (partnership_key)
LEFT JOIN facts f USING (fact_id)
WHERE e.kind = 'new';

-- Ties currently suspended or terminated, with when the change was recorded.
CREATE OR REPLACE VIEW suspensions_terminations AS
SELECT p.partnership_key, p.a_name, p.a_country, p.b_name, p.b_country, p.relation, p.status, p.year,
       p.n_sources, p.confidence,
       (SELECT max(e.created_at) FROM partnership_events e
        WHERE e.partnership_key = p.partnership_key AND e.current = p.status) AS recorded_at
FROM partnerships_named p
WHERE p.active AND p.status IN ('suspended', 'terminated');

-- Ties only one independent site supports: worth a second look before quoting.
CREATE OR REPLACE VIEW single_source_claims AS
SELECT p.partnership_key, p.a_name, p.b_name, p.relation, p.status, p.year, p.confidence,
       list(DISTINCT f.document_url) AS documents, any_value(f.site) AS site
FROM partnerships_named p
JOIN facts f ON f.partnership_key = p.partnership_key AND f.retracted_at IS NULL
WHERE p.active AND p.n_sources = 1
GROUP BY ALL;

-- Conflicting claims side by side: one row per competing value, with its support.
CREATE OR REPLACE VIEW conflicts AS
WITH claims AS (
    SELECT partnership_key, 'year' AS dimension, CAST(year AS VARCHAR) AS value, site, document_url
    FROM facts
    WHERE retracted_at IS NULL AND year IS NOT NULL AND status NOT IN ('suspended', 'terminated')
    UNION ALL
    SELECT partnership_key, 'status', CASE WHEN status = 'anniversary' THEN 'established' ELSE status END,
           site, document_url
    FROM facts
    WHERE retracted_at IS NULL AND status <> 'mentioned'
)
SELECT p.partnership_key, p.a_name, p.b_name, c.dimension, c.value,
       c.value = CASE c.dimension WHEN 'year' THEN CAST(p.year AS VARCHAR) ELSE p.status END AS shown,
       count(DISTINCT c.site) AS n_sites, list(DISTINCT c.document_url) AS documents
FROM partnerships_named p
JOIN claims c ON c.partnership_key = p.partnership_key
WHERE p.is_conflicted
  AND list_contains(list_transform(string_split(p.conflicts, ';'), lambda x: split_part(x, ':', 1)), c.dimension)
GROUP BY ALL;

-- How many ties link each pair of countries (order-insensitive).
CREATE OR REPLACE VIEW partnerships_by_country_pair AS
SELECT least(a_country, b_country) AS country_1, greatest(a_country, b_country) AS country_2,
       count(*) AS partnerships,
       count(*) FILTER (WHERE relation IN ('sister_city', 'friendship_city')) AS formal,
       count(*) FILTER (WHERE status IN ('suspended', 'terminated')) AS suspended_or_terminated
FROM partnerships_named
WHERE active
GROUP BY ALL;

-- One line per configured source: health, last fetch of its own URL, newest article.
CREATE OR REPLACE VIEW source_health_report AS
SELECT s.source_id, s.kind, s.url, s.enabled, s.in_config,
       coalesce(h.state, 'ok') AS state, coalesce(h.consecutive_failures, 0) AS consecutive_failures,
       h.last_success, h.last_failure, h.last_error, h.last_new_article, h.state_since,
       (SELECT max(f.fetched_at) FROM fetches f WHERE f.source_id = s.source_id AND f.is_primary) AS last_fetch,
       (SELECT count(*) FROM documents d WHERE d.source_id = s.source_id) AS documents
FROM sources s
LEFT JOIN source_health h USING (source_id);
