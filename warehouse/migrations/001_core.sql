-- Core model: what was configured, fetched, read and claimed, and what we concluded from it.
-- All timestamps are UTC without a time zone; the Python layer converts at the edge.

CREATE TABLE sources (
    source_id     VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    host          VARCHAR NOT NULL,
    home          VARCHAR,
    lang          VARCHAR,
    schedule      VARCHAR,
    enabled       BOOLEAN NOT NULL,
    tags          VARCHAR[],
    stale_after_s BIGINT,              -- NULL: never flagged stale
    in_config     BOOLEAN NOT NULL,    -- false once removed from sources.yaml; history stays
    updated_at    TIMESTAMP NOT NULL
);

CREATE SEQUENCE runs_seq START 1;
CREATE TABLE runs (
    run_id           BIGINT PRIMARY KEY DEFAULT nextval('runs_seq'),
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    outcome          VARCHAR,          -- ok | partial | failed | interrupted (died mid-run); NULL while running
    sources_total    INTEGER,
    sources_failed   INTEGER,
    pages_fetched    INTEGER,
    pages_unchanged  INTEGER,
    pages_skipped    INTEGER,
    documents_parsed INTEGER,
    facts            INTEGER,
    events           INTEGER,
    failures         VARCHAR[]
);

-- One row per fetch outcome; the key makes reloading a run after a crash idempotent.
CREATE TABLE fetches (
    run_id        BIGINT NOT NULL,
    url           VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    is_primary    BOOLEAN NOT NULL,    -- the source's own configured URL (feed, listing, page)
    outcome       VARCHAR NOT NULL,
    fetched_at    TIMESTAMP NOT NULL,
    final_url     VARCHAR,
    status        INTEGER,
    content_type  VARCHAR,
    bytes_read    BIGINT,
    elapsed_ms    DOUBLE,
    etag          VARCHAR,
    last_modified VARCHAR,
    content_hash  VARCHAR,
    truncated     BOOLEAN,
    error_class   VARCHAR,
    error         VARCHAR,
    PRIMARY KEY (run_id, url)
);

CREATE TABLE documents (
    url           VARCHAR PRIMARY KEY,
    source_id     VARCHAR NOT NULL,
    site          VARCHAR NOT NULL,    -- host without www.: the unit of independent support
    content_type  VARCHAR,
    content_hash  VARCHAR,
    title         VARCHAR,
    published     DATE,
    language      VARCHAR,
    text          VARCHAR,             -- main text the fact offsets refer to; allows re-extraction
    n_facts       INTEGER NOT NULL,
    fetched_at    TIMESTAMP,
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    first_run_id  BIGINT,
    last_run_id   BIGINT
);

CREATE TABLE places (
    key        VARCHAR PRIMARY KEY,    -- gn:<geonameid> or iso:<ISO 3166-2>
    geonameid  BIGINT,
    name       VARCHAR NOT NULL,
    country    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    aliases    VARCHAR[] NOT NULL,     -- every form seen in documents ("Nanking", "南京")
    first_seen TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL      -- last change of name or aliases
);

-- One claim by one document. fact_id is a hash of (document_url, partnership_key, relation,
-- status, year), so the same claim re-extracted from a reordered page maps to the same row.
CREATE TABLE facts (
    fact_id         BIGINT PRIMARY KEY,
    document_url    VARCHAR NOT NULL,
    source_id       VARCHAR NOT NULL,
    site            VARCHAR NOT NULL,
    partnership_key VARCHAR NOT NULL,
    pair_key        VARCHAR NOT NULL,
    family          VARCHAR NOT NULL,
    a_key           VARCHAR NOT NULL,
    b_key           VARCHAR NOT NULL,
    a_mention       VARCHAR,
    b_mention       VARCHAR,
    relation        VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    year            INTEGER,
    evidence        VARCHAR,
    evidence_start  INTEGER,
    evidence_end    INTEGER,
    confidence      DOUBLE NOT NULL,
    claimed_on      DATE NOT NULL,     -- publication date, else fetch date: when the claim was made
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    first_run_id    BIGINT,
    last_run_id     BIGINT,
    retracted_at    TIMESTAMP          -- the document no longer states it; kept for history
);

-- The current conclusion per canonical pair of places and relation family.
CREATE TABLE partnerships (
    partnership_key VARCHAR PRIMARY KEY,
    pair_key        VARCHAR NOT NULL,
    family          VARCHAR NOT NULL,
    a_key           VARCHAR NOT NULL,
    b_key           VARCHAR NOT NULL,
    a_name          VARCHAR,           -- copied from places so `SELECT * FROM partnerships` reads well;
    a_country       VARCHAR,           -- refreshed whenever the partnership is recomputed
    b_name          VARCHAR,
    b_country       VARCHAR,
    relation        VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    year            INTEGER,           -- best-supported year the tie was established
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    n_sources       INTEGER NOT NULL,  -- distinct sites among supporting documents
    n_documents     INTEGER NOT NULL,  -- 0: every supporting claim was retracted
    confidence      DOUBLE NOT NULL,
    is_conflicted   BOOLEAN NOT NULL,
    conflicts       VARCHAR NOT NULL,  -- e.g. 'year:1995|1996;status:…' ('' if none); a new one raises
                                       -- one event. Text, not a list: DuckDB rewrites list columns slowly
    updated_at      TIMESTAMP NOT NULL,
    last_run_id     BIGINT
);

CREATE SEQUENCE partnership_events_seq START 1;
CREATE TABLE partnership_events (
    event_id        BIGINT PRIMARY KEY DEFAULT nextval('partnership_events_seq'),
    run_id          BIGINT,
    kind            VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    partnership_key VARCHAR NOT NULL,
    fact_id         BIGINT,            -- the claim that caused the event
    previous        VARCHAR,
    current         VARCHAR,
    relation        VARCHAR NOT NULL,  -- partnership state right after the event
    status          VARCHAR NOT NULL,
    year            INTEGER,
    confidence      DOUBLE NOT NULL,
    n_sources       INTEGER NOT NULL
);
