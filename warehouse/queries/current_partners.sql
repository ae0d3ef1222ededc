-- Current partners of a city, asked in any name form (English, Chinese, old spellings).
-- Replace the name; terminated ties are excluded by the view, suspended ones are shown as such.
SELECT partner_name, partner_country, relation, status, year, n_sources, round(confidence, 2) AS confidence
FROM current_partners
WHERE city_name_form_lower = lower('Nanjing')   -- or '南京', 'Nanking'
ORDER BY year NULLS LAST, partner_name;
