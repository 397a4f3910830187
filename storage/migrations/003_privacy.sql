-- qareview store, migration 3: personal-data redaction at ingest (privacy/policy.yaml).
-- The redaction policy (id@version) applied to each stored conversation (NULL: stored before redaction
-- at ingest existed), and the unredacted originals, written only when the policy sets
-- keep_originals: true (an explicit opt-in; empty by default). Nothing in qareview reads that table.
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS privacy_policy VARCHAR;

CREATE TABLE IF NOT EXISTS conversation_originals (
    conversation_id  VARCHAR PRIMARY KEY,
    privacy_policy   VARCHAR NOT NULL,
    raw              JSON NOT NULL
);
