-- Partnerships only one independent site supports: check before quoting them.
SELECT a_name, b_name, relation, status, year, round(confidence, 2) AS confidence, site, documents
FROM single_source_claims
ORDER BY confidence, a_name;
