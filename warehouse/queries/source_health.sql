-- Health of every configured source: failing and stale ones first.
SELECT source_id, state, consecutive_failures, last_success, last_error, last_new_article, last_fetch, documents
FROM source_health_report
ORDER BY state = 'ok', source_id;
