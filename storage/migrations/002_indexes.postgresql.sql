-- qareview store, migration 2 (PostgreSQL only; DuckDB records it and does nothing): the indexes
-- PostgreSQL needs to replace a conversation's rows without scanning whole tables.
CREATE INDEX IF NOT EXISTS conversations_started ON conversations (started_at, id);
CREATE INDEX IF NOT EXISTS conversations_customer ON conversations (customer_id);
CREATE INDEX IF NOT EXISTS legs_conversation ON legs (conversation_id);
CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation_id);
CREATE INDEX IF NOT EXISTS events_conversation ON events (conversation_id);
CREATE INDEX IF NOT EXISTS journeys_customer ON journeys (customer_id);
CREATE INDEX IF NOT EXISTS journey_contacts_journey ON journey_contacts (journey_id);
CREATE INDEX IF NOT EXISTS journey_contacts_conversation ON journey_contacts (conversation_id);
CREATE INDEX IF NOT EXISTS turn_sentiment_conversation ON turn_sentiment (conversation_id);
CREATE INDEX IF NOT EXISTS trajectories_conversation ON trajectories (conversation_id);
CREATE INDEX IF NOT EXISTS scores_conversation ON scores (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS findings_conversation ON findings (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS quarantine_run ON quarantine (run_id);
