-- qareview store, migration 6 (PostgreSQL only; DuckDB records it and does nothing): indexes for
-- replacing a conversation's operations facts (migration 5) without scanning whole tables.
CREATE INDEX IF NOT EXISTS agent_scores_conversation ON agent_scores (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS handoffs_conversation ON handoffs (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS leg_routes_conversation ON leg_routes (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS waits_conversation ON waits (conversation_id, rubric_version);
CREATE INDEX IF NOT EXISTS disconnects_conversation ON disconnects (conversation_id, rubric_version);
