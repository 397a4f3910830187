-- qareview store, migration 1: the tables (see docs/ARCHITECTURE.md "Store tables").
-- Written once for DuckDB and PostgreSQL (storage/dialect.py adapts the types); every statement is
-- idempotent, so a store made before migrations were numbered takes it unchanged.
-- Timestamps are UTC (naive TIMESTAMP; inputs without a zone are taken as UTC).
-- Column names follow the architecture doc; "start", "end" and "by" must be quoted in SQL. No secondary
-- indexes in DuckDB: zone maps serve these table sizes, and ART indexes slow bulk replaces
-- (PostgreSQL gets its own in 002_indexes.postgresql.sql).

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id       VARCHAR PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    kind         VARCHAR NOT NULL,
    read         INTEGER,
    stored       INTEGER,
    quarantined  INTEGER,
    duplicates   INTEGER,
    details      JSON
);

-- Who runs it: a run left unfinished by a process that is gone is marked 'abandoned' by the next.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS host VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS pid INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS status VARCHAR;

-- The watermark for incremental runs: a file whose (path, content_hash) was processed with
-- status 'ok' is skipped next time.
CREATE TABLE IF NOT EXISTS source_files (
    path            VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,
    size_bytes      BIGINT,
    format          VARCHAR,
    first_seen_run  VARCHAR,
    last_run        VARCHAR,
    status          VARCHAR NOT NULL,
    PRIMARY KEY (path, content_hash)
);

CREATE TABLE IF NOT EXISTS conversations (
    id             VARCHAR PRIMARY KEY,
    channel        VARCHAR NOT NULL,
    customer_id    VARCHAR,
    started_at     TIMESTAMP,
    ended_at       TIMESTAMP,
    language       VARCHAR,
    source_file    VARCHAR,
    source_format  VARCHAR,
    source_record  VARCHAR,
    content_hash   VARCHAR NOT NULL,
    raw            JSON NOT NULL,
    ingested_run   VARCHAR,
    updated_run    VARCHAR
);

CREATE TABLE IF NOT EXISTS legs (
    conversation_id   VARCHAR NOT NULL,
    leg               INTEGER NOT NULL,
    participant_role  VARCHAR,
    agent_id          VARCHAR,
    agent_name        VARCHAR,
    department        VARCHAR,
    queue             VARCHAR,
    started_via       VARCHAR,
    ended_via         VARCHAR,
    start_ms          BIGINT,
    end_ms            BIGINT
);

CREATE TABLE IF NOT EXISTS turns (
    conversation_id  VARCHAR NOT NULL,
    turn             INTEGER NOT NULL,
    leg              INTEGER NOT NULL,
    role             VARCHAR NOT NULL,
    speaker_id       VARCHAR,
    speaker_name     VARCHAR,
    text             VARCHAR NOT NULL,
    start_ms         BIGINT,
    end_ms           BIGINT
);

CREATE TABLE IF NOT EXISTS events (
    conversation_id  VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    type             VARCHAR NOT NULL,
    at_ms            BIGINT,
    duration_ms      BIGINT,
    leg              INTEGER,
    from_leg         INTEGER,
    to_leg           INTEGER,
    from_department  VARCHAR,
    to_department    VARCHAR,
    from_agent       VARCHAR,
    to_agent         VARCHAR,
    warm             BOOLEAN,
    "by"             VARCHAR,
    reason           VARCHAR
);

CREATE TABLE IF NOT EXISTS journeys (
    journey_id       VARCHAR PRIMARY KEY,
    customer_id      VARCHAR NOT NULL,
    started_at       TIMESTAMP NOT NULL,
    ended_at         TIMESTAMP NOT NULL,
    contacts         INTEGER NOT NULL,
    continuations    INTEGER NOT NULL,
    repeat_contacts  INTEGER NOT NULL,
    right_censored   BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS journey_contacts (
    journey_id       VARCHAR NOT NULL,
    conversation_id  VARCHAR NOT NULL,
    position         INTEGER NOT NULL,
    is_continuation  BOOLEAN
);

-- Customers whose journeys must be rebuilt: written with the conversations that changed them,
-- cleared with the rebuild, so a run killed in between leaves the work for the next one.
CREATE TABLE IF NOT EXISTS journey_todo (
    customer_id  VARCHAR PRIMARY KEY
);

-- run_id is the run that first quarantined the record; later runs do not duplicate it.
CREATE TABLE IF NOT EXISTS quarantine (
    run_id   VARCHAR,
    file     VARCHAR NOT NULL,
    record   VARCHAR NOT NULL,
    reason   VARCHAR NOT NULL,
    message  VARCHAR,
    excerpt  VARCHAR,
    PRIMARY KEY (file, record, reason)
);

CREATE TABLE IF NOT EXISTS turn_sentiment (
    conversation_id  VARCHAR NOT NULL,
    turn             INTEGER NOT NULL,
    label            VARCHAR NOT NULL,
    score            DOUBLE PRECISION,
    model            VARCHAR
);

-- leg NULL: the whole conversation.
CREATE TABLE IF NOT EXISTS trajectories (
    conversation_id  VARCHAR NOT NULL,
    leg              INTEGER,
    "start"          DOUBLE PRECISION,
    "end"            DOUBLE PRECISION,
    delta            DOUBLE PRECISION,
    direction        VARCHAR,
    customer_turns   INTEGER NOT NULL,
    agent_tone       DOUBLE PRECISION
);

CREATE TABLE IF NOT EXISTS scores (
    conversation_id  VARCHAR NOT NULL,
    leg              INTEGER,
    agent_id         VARCHAR,
    criterion        VARCHAR NOT NULL,
    scorer           VARCHAR NOT NULL,
    value            DOUBLE PRECISION,
    threshold        DOUBLE PRECISION,
    passed           BOOLEAN,
    reason           VARCHAR,
    rubric_version   VARCHAR NOT NULL,
    attribution      VARCHAR NOT NULL
);

-- seq keeps the order in which the scorers reported the findings of a conversation.
CREATE TABLE IF NOT EXISTS findings (
    conversation_id  VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    leg              INTEGER,
    turn             INTEGER,
    agent_id         VARCHAR,
    department       VARCHAR,
    scorer           VARCHAR NOT NULL,
    criterion        VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    attribution      VARCHAR NOT NULL,
    polarity         VARCHAR NOT NULL,
    char_start       INTEGER,
    char_end         INTEGER,
    quote            VARCHAR,
    rule             VARCHAR,
    suggestion       VARCHAR,
    detail           JSON,
    rubric_version   VARCHAR NOT NULL
);
