-- How many ties link each pair of countries, e.g. China with Germany.
SELECT country_1, country_2, partnerships, formal, suspended_or_terminated
FROM partnerships_by_country_pair
ORDER BY partnerships DESC, country_1, country_2;
