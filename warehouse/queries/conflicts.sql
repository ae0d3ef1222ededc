-- Where sources disagree on the year or the status; `shown` marks the value the partnership carries.
SELECT a_name, b_name, dimension, value, shown, n_sites, documents
FROM conflicts
ORDER BY a_name, b_name, dimension, n_sites DESC;
