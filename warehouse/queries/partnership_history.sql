-- The full history of one tie: every event with the claim that caused it.
SELECT e.created_at, e.kind, e.previous, e.current, f.document_url, f.evidence
FROM partnership_events e
LEFT JOIN facts f USING (fact_id)
JOIN partnerships_named p ON p.partnership_key = e.partnership_key
WHERE p.a_name IN ('Nanjing', 'St. Louis') AND p.b_name IN ('Nanjing', 'St. Louis')
ORDER BY e.created_at, e.event_id;
