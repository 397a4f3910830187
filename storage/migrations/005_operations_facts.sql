-- qareview store, migration 5: operations facts and agents' overall scores, computed once when a
-- conversation is scored (nlp/operations.py, nlp/overall.py) and replaced with its scores per
-- (conversation, rubric version). Reports and cards only query and format them.

-- One row per agent leg: the rubric-weighted mean of its agent criteria, with the criteria that
-- counted (criterion -> value) and the rubric's weights for them (criterion -> weight).
CREATE TABLE IF NOT EXISTS agent_scores (
    conversation_id  VARCHAR NOT NULL,
    leg              INTEGER NOT NULL,
    agent_id         VARCHAR,
    value            DOUBLE PRECISION,
    criteria         JSON NOT NULL,
    weights          JSON NOT NULL,
    rubric_version   VARCHAR NOT NULL
);

-- how: warm, cold, unknown (internal transfers), referral, channel_move.
CREATE TABLE IF NOT EXISTS handoffs (
    conversation_id  VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    how              VARCHAR NOT NULL,
    from_leg         INTEGER,
    to_leg           INTEGER,
    from_department  VARCHAR NOT NULL,
    to_department    VARCHAR NOT NULL,
    rubric_version   VARCHAR NOT NULL
);

-- entry_route: inbound, outbound, warm, cold, bot_handoff, callback. previous_*: the journey's
-- agent or bot stop before this leg (NULL: the first).
CREATE TABLE IF NOT EXISTS leg_routes (
    conversation_id           VARCHAR NOT NULL,
    leg                       INTEGER NOT NULL,
    journey_id                VARCHAR NOT NULL,
    participant_role          VARCHAR NOT NULL,
    department                VARCHAR NOT NULL,
    entry_route               VARCHAR NOT NULL,
    previous_department       VARCHAR,
    previous_conversation_id  VARCHAR,
    dropped                   BOOLEAN NOT NULL,
    rubric_version            VARCHAR NOT NULL
);

-- kind: hold or queue.
CREATE TABLE IF NOT EXISTS waits (
    conversation_id   VARCHAR NOT NULL,
    seq               INTEGER NOT NULL,
    leg               INTEGER,
    kind              VARCHAR NOT NULL,
    at_ms             BIGINT,
    duration_ms       BIGINT NOT NULL,
    callback_offered  BOOLEAN NOT NULL,
    rubric_version    VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS disconnects (
    conversation_id  VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    leg              INTEGER,
    ended_by         VARCHAR NOT NULL,
    department       VARCHAR NOT NULL,
    rubric_version   VARCHAR NOT NULL
);
