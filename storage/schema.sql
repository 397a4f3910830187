-- qareview store, schema version 2 (see docs/ARCHITECTURE.md "Store tables").
-- Every statement is idempotent: the store runs this file each time it opens a database.
-- Timestamps are UTC (naive TIMESTAMP; inputs without a zone are taken as UTC).
-- Column names follow the architecture doc; "start", "end" and "by" must be quoted in SQL. No secondary
-- indexes: DuckDB zone maps serve these table sizes, and ART indexes slow bulk replaces.

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
    updated_run    VARCHAR,
    privacy_policy VARCHAR  -- id@version of the redaction policy applied at ingest (NULL: not redacted)
);
-- Version 2 added privacy_policy; stores created by version 1 get the column here.
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS privacy_policy VARCHAR;

-- Unredacted originals, written only when the redaction policy sets keep_originals: true
-- (an explicit opt-in; empty by default). Nothing in qareview reads this table.
CREATE TABLE IF NOT EXISTS conversation_originals (
    conversation_id  VARCHAR PRIMARY KEY,
    privacy_policy   VARCHAR NOT NULL,
    raw              JSON NOT NULL
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
    score            DOUBLE,
    model            VARCHAR
);

-- leg NULL: the whole conversation.
CREATE TABLE IF NOT EXISTS trajectories (
    conversation_id  VARCHAR NOT NULL,
    leg              INTEGER,
    "start"          DOUBLE,
    "end"            DOUBLE,
    delta            DOUBLE,
    direction        VARCHAR,
    customer_turns   INTEGER NOT NULL,
    agent_tone       DOUBLE
);

CREATE TABLE IF NOT EXISTS scores (
    conversation_id  VARCHAR NOT NULL,
    leg              INTEGER,
    agent_id         VARCHAR,
    criterion        VARCHAR NOT NULL,
    scorer           VARCHAR NOT NULL,
    value            DOUBLE,
    threshold        DOUBLE,
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
