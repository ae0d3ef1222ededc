-- Chinese place names are written with or without their administrative suffix (南京 / 南京市,
-- 江苏 / 江苏省): a question in either form must find the place, whichever form the sources used.
CREATE OR REPLACE VIEW place_names AS
SELECT DISTINCT place_key, name_form, lower(name_form) AS name_form_lower
FROM (
    SELECT key AS place_key, unnest(list_prepend(name, aliases)) AS spelled FROM places
), LATERAL (
    SELECT unnest([spelled, regexp_replace(spelled, '(\p{Han}{2,})[市省县州区]$', '\1')]) AS name_form
);
