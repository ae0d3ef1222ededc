-- Operational state: robots.txt cache, per-source health with its transitions, sent digests.

CREATE TABLE robots_cache (
    host       VARCHAR PRIMARY KEY,
    status     INTEGER NOT NULL,
    body       VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);

CREATE TABLE source_health (
    source_id            VARCHAR PRIMARY KEY,
    url                  VARCHAR NOT NULL,
    state                VARCHAR NOT NULL,   -- ok | failing | stale
    consecutive_failures INTEGER NOT NULL,
    last_success         TIMESTAMP,
    last_failure         TIMESTAMP,
    last_error           VARCHAR,
    last_new_article     TIMESTAMP,          -- last time a new or changed document of the source was read
    watched_since        TIMESTAMP NOT NULL, -- staleness baseline before the first article
    state_since          TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- Append-only log of state changes, so a digest can report what changed in its period.
CREATE TABLE health_transitions (
    source_id  VARCHAR NOT NULL,
    run_id     BIGINT,
    changed_at TIMESTAMP NOT NULL,
    from_state VARCHAR NOT NULL,
    to_state   VARCHAR NOT NULL,
    change     VARCHAR NOT NULL,             -- failing | recovered | stale
    error      VARCHAR
);

CREATE SEQUENCE digests_seq START 1;
CREATE TABLE digests (
    digest_id    BIGINT PRIMARY KEY DEFAULT nextval('digests_seq'),
    period_label VARCHAR NOT NULL,           -- e.g. 2026-W47
    period_start TIMESTAMP NOT NULL,
    period_end   TIMESTAMP NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    sent_at      TIMESTAMP,                  -- NULL unless status = 'sent'
    status       VARCHAR NOT NULL,           -- sent | failed | skipped | rendered
    recipients   VARCHAR[] NOT NULL,
    error        VARCHAR,
    paths        VARCHAR[] NOT NULL
);
