-- Ties currently suspended or terminated, most recently recorded first.
SELECT recorded_at, a_name, a_country, b_name, b_country, relation, status, year, n_sources
FROM suspensions_terminations
ORDER BY recorded_at DESC NULLS LAST;
