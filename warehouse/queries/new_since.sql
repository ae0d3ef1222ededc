-- Partnerships newly signed or announced since a date (first sightings of old ties are excluded).
SELECT created_at::DATE AS recorded, a_name, a_country, b_name, b_country, relation, status, year,
       n_sources, document_url
FROM new_partnerships
WHERE created_at >= DATE '2026-01-01'
ORDER BY created_at DESC;
