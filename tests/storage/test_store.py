"""The DuckDB store: round trips, idempotent writes, replace-not-append, watermark, journeys."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import numpy as np
import pytest
import spacy

from nlp.annotated import (
    AnnotatedConversation,
    AnnotatedTurn,
    Direction,
    Sentiment,
    SentimentLabel,
    Trajectory,
)
from nlp.findings import Attribution, ConversationScores, CriterionScore, Evidence, Finding, Polarity
from storage.store import SCHEMA_VERSION, Store, StoreError
from transcripts.journeys import ContactSpan, build_journeys
from transcripts.model import Channel, Conversation, Journey
from transcripts.quarantine import Quarantined, ReasonCode

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
NLP = spacy.blank("en")


def count(store: Store, table: str, where: str = "true", *args: object) -> int:
    return store.connection.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', list(args)).fetchall()[
        0
    ][0]


# -- conversations --------------------------------------------------------------------------


def test_round_trip_gives_back_the_same_conversation(store: Store, conversation_factory) -> None:
    original = conversation_factory()
    run = store.start_run("test")
    assert store.upsert_conversations([original], run).new == 1
    (loaded,) = store.load_conversations()
    assert loaded == original
    assert loaded.content_hash() == original.content_hash()


def test_round_trip_keeps_naive_and_offset_times(store: Store, conversation_factory) -> None:
    berlin = timezone(timedelta(hours=1))
    naive = conversation_factory("naive", start=datetime(2026, 11, 16, 9, 0))
    offset = conversation_factory("offset", start=datetime(2026, 11, 16, 11, 0, tzinfo=berlin))
    store.upsert_conversations([naive, offset], store.start_run("test"))
    assert {c.id: c for c in store.load_conversations()} == {"naive": naive, "offset": offset}
    # the started_at column is UTC: 11:00+01:00 is 10:00 UTC
    rows = store.connection.execute("SELECT id, started_at FROM conversations ORDER BY id").fetchall()
    assert rows == [("naive", datetime(2026, 11, 16, 9, 0)), ("offset", datetime(2026, 11, 16, 10, 0))]


def test_tables_hold_legs_turns_and_events(store: Store, conversation_factory) -> None:
    store.upsert_conversations([conversation_factory()], store.start_run("test"))
    con = store.connection
    assert con.execute(
        "SELECT leg, department, started_via, ended_via FROM legs ORDER BY leg"
    ).fetchall() == [
        (0, "billing", "inbound", "transferred"),
        (1, "fraud", "transfer", "resolved"),
    ]
    assert con.execute("SELECT turn, leg, role, speaker_id FROM turns ORDER BY turn").fetchall() == [
        (0, 0, "customer", None),
        (1, 0, "agent", "agent-7"),
    ]
    assert con.execute('SELECT seq, type, warm, "by", duration_ms FROM events ORDER BY seq').fetchall() == [
        (0, "hold_start", None, None, None),
        (1, "hold_end", None, None, 31000),
        (2, "transfer", True, None, None),
        (3, "disconnect", None, "customer", None),
    ]


def test_unchanged_conversation_is_not_rewritten(store: Store, conversation_factory) -> None:
    first_run = store.start_run("test")
    store.upsert_conversations([conversation_factory()], first_run)
    moved = conversation_factory().model_copy(update={"source_file": "/elsewhere.jsonl"})
    second_run = store.start_run("test")
    result = store.upsert_conversations([moved], second_run)
    assert (result.new, result.changed, result.unchanged) == (0, 0, 1)
    row = store.connection.execute(
        "SELECT source_file, ingested_run, updated_run FROM conversations"
    ).fetchall()
    assert row == [("/exports/day1.jsonl", first_run, first_run)]


def test_changed_conversation_replaces_its_rows_and_drops_stale_analysis(
    store: Store, conversation_factory
) -> None:
    first_run = store.start_run("test")
    store.upsert_conversations([conversation_factory(texts=("a", "b", "c", "d"))], first_run)
    store.save_analysis([annotate(conversation_factory(texts=("a", "b", "c", "d")), [0.1, 0.2, 0.3, 0.4])])
    store.save_scores([scores_for("c1", "v1", 0.5)])
    second_run = store.start_run("test")
    result = store.upsert_conversations([conversation_factory(texts=("a", "b"))], second_run)
    assert (result.new, result.changed, result.unchanged) == (0, 1, 0)
    assert count(store, "turns") == 2
    assert count(store, "legs") == 2
    assert count(store, "events") == 4
    for table in ("turn_sentiment", "trajectories", "scores", "findings"):
        assert count(store, table) == 0, table
    row = store.connection.execute("SELECT ingested_run, updated_run FROM conversations").fetchall()
    assert row == [(first_run, second_run)]


def test_same_id_twice_in_a_batch_the_later_wins(store: Store, conversation_factory) -> None:
    early = conversation_factory(texts=("early",))
    late = conversation_factory(texts=("late", "reply"))
    result = store.upsert_conversations([early, late], store.start_run("test"))
    assert (result.new, result.superseded) == (1, 1)
    assert list(store.load_conversations()) == [late]
    assert count(store, "turns") == 2


def test_load_filters_by_ids_and_time(store: Store, conversation_factory) -> None:
    convs = [
        conversation_factory("d1", start=T0),
        conversation_factory("d2", start=T0 + timedelta(days=1)),
        conversation_factory("d3", start=T0 + timedelta(days=2)),
        conversation_factory("none", start=None),
    ]
    store.upsert_conversations(convs, store.start_run("test"))
    assert [c.id for c in store.load_conversations()] == ["d1", "d2", "d3", "none"]
    assert [c.id for c in store.load_conversations(ids=["d3", "none", "missing"])] == ["d3", "none"]
    window = store.load_conversations(since=T0 + timedelta(hours=1), until=T0 + timedelta(days=2))
    assert [c.id for c in window] == ["d2"]
    assert [c.id for c in store.load_conversations(since=T0 + timedelta(days=2))] == ["d3"]


def test_iterating_while_writing_on_the_same_store(store: Store, conversation_factory) -> None:
    store.upsert_conversations([conversation_factory(f"c{i}") for i in range(3)], store.start_run("test"))
    run = store.start_run("test")
    for conversation in store.load_conversations():
        store.save_analysis([annotate(conversation, [0.0, 0.0])])
        store.add_quarantine([Quarantined("f", conversation.id, ReasonCode.EMPTY_TURN, "x")], run)
    assert count(store, "turn_sentiment") == 6


def test_thousand_conversations_upsert_in_seconds(store: Store, conversation_factory) -> None:
    convs = [conversation_factory(f"c{i:04d}", customer=f"cust-{i % 300}") for i in range(1000)]
    started = time.perf_counter()
    result = store.upsert_conversations(convs, store.start_run("test"))
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = store.upsert_conversations(convs, store.start_run("test"))
    second = time.perf_counter() - started
    assert (result.new, again.unchanged) == (1000, 1000)
    assert count(store, "turns") == 2000
    assert first < 10 and second < 10, (first, second)


# -- quarantine, runs and the watermark -----------------------------------------------------


def test_quarantine_is_keyed_on_file_record_reason(store: Store) -> None:
    first, second = store.start_run("test"), store.start_run("test")
    entries = [
        Quarantined("a.jsonl", "line 3", ReasonCode.INVALID_JSON, "unexpected end", '{"id": '),
        Quarantined("a.jsonl", "line 3", ReasonCode.EMPTY_TURN, "turn 2 is empty"),
    ]
    assert store.add_quarantine(entries, first) == 2
    assert store.add_quarantine([*entries, entries[0]], second) == 0
    assert count(store, "quarantine") == 2
    assert {q.reason for q in store.quarantine_entries(run_id=first)} == {
        ReasonCode.INVALID_JSON,
        ReasonCode.EMPTY_TURN,
    }
    assert store.quarantine_entries(run_id=second) == []
    store.forget_quarantine("a.jsonl", keep=entries[:1])
    assert store.quarantine_entries() == entries[:1]


def test_runs_record_counts_and_details(store: Store) -> None:
    run = store.start_run("ingest")
    store.finish_run(run, {"read": 5, "stored": 3, "quarantined": 1, "duplicates": 1, "by_reason": {"x": 1}})
    row = store.connection.execute(
        "SELECT kind, read, stored, quarantined, duplicates, details->>'$.by_reason.x', "
        "finished_at IS NOT NULL FROM runs"
    ).fetchall()
    assert row == [("ingest", 5, 3, 1, 1, "1", True)]


def test_watermark(store: Store) -> None:
    run = store.start_run("ingest")
    assert not store.file_seen("/in/a.csv", "h1")
    store.mark_file("/in/a.csv", "h1", 10, "csv_turns", run, "error")
    assert not store.file_seen("/in/a.csv", "h1"), "a failed file is retried"
    store.mark_file("/in/a.csv", "h1", 10, "csv_turns", run, "ok")
    assert store.file_seen("/in/a.csv", "h1")
    assert not store.file_seen("/in/a.csv", "h2"), "new content at the same path is read again"
    assert count(store, "source_files") == 1


# -- analysis and scores ----------------------------------------------------------------------


def annotate(conversation: Conversation, scores: list[float]) -> AnnotatedConversation:
    """An annotated conversation with blank-spaCy docs, tiny embeddings and given sentiment scores."""
    turns = [
        AnnotatedTurn(
            turn=turn,
            doc=NLP(turn.text),
            embedding=np.array([1.0, 0.0, 0.0], dtype=np.float32),
            sentiment=Sentiment(
                SentimentLabel.NEGATIVE if s < 0 else SentimentLabel.NEUTRAL, s, "test-model"
            ),
        )
        for turn, s in zip(conversation.turns, scores, strict=True)
    ]
    trajectories = [
        Trajectory(conversation.id, 0, -0.5, np.float32(0.25), 0.75, Direction.IMPROVING, 1, None),
        Trajectory(conversation.id, None, scores[0], scores[-1], scores[-1] - scores[0], None, 1, 0.1),
    ]
    return AnnotatedConversation(conversation, turns, trajectories)


def scores_for(cid: str, version: str, value: float | None, findings: int = 2) -> ConversationScores:
    score = CriterionScore(
        cid,
        0,
        "agent-7",
        "empathy",
        "empathy.v1",
        value,
        0.6,
        None if value is None else value >= 0.6,
        "1 of 2 opportunities acknowledged",
        version,
    )
    found = [
        Finding(
            "empathy.v1",
            "empathy",
            "missed_opportunity",
            Attribution.AGENT,
            Polarity.NEGATIVE,
            Evidence(cid, 0, 1, 0, 5, "Calm down", "cue:dismissive"),
            "agent-7",
            "billing",
            "I can hear how frustrating this is.",
            {"cue": "calm down", "n": i},
        )
        for i in range(findings)
    ]
    return ConversationScores(cid, version, [score], found)


def test_save_analysis_replaces_rather_than_appends(store: Store, conversation_factory) -> None:
    conversation = conversation_factory()
    store.save_analysis([annotate(conversation, [-0.8, 0.1])])
    store.save_analysis([annotate(conversation, [0.3, 0.4])])
    rows = store.connection.execute(
        "SELECT turn, label, score, model FROM turn_sentiment ORDER BY turn"
    ).fetchall()
    assert rows == [
        (0, "neutral", pytest.approx(0.3), "test-model"),
        (1, "neutral", pytest.approx(0.4), "test-model"),
    ]
    trajectories = store.connection.execute(
        'SELECT leg, "start", "end", delta, direction, customer_turns, agent_tone FROM trajectories '
        "ORDER BY leg NULLS LAST"
    ).fetchall()
    assert trajectories == [
        (0, -0.5, 0.25, 0.75, "improving", 1, None),
        (None, pytest.approx(0.3), pytest.approx(0.4), pytest.approx(0.1), None, 1, pytest.approx(0.1)),
    ]


def test_save_analysis_leaves_other_conversations_alone(store: Store, conversation_factory) -> None:
    store.save_analysis(
        [annotate(conversation_factory("a"), [0.1, 0.2]), annotate(conversation_factory("b"), [0.1, 0.2])]
    )
    store.save_analysis([annotate(conversation_factory("a"), [0.5, 0.5])])
    assert count(store, "turn_sentiment", "conversation_id = 'b'") == 2
    assert count(store, "turn_sentiment", "conversation_id = 'a' AND score = 0.5") == 2


def test_save_scores_replaces_per_conversation_and_rubric_version(store: Store) -> None:
    store.save_scores([scores_for("c1", "v1", 0.5, findings=3), scores_for("c2", "v1", 0.9)])
    store.save_scores([scores_for("c1", "v1", 0.7, findings=1)])
    store.save_scores([scores_for("c1", "v2", None, findings=0)])
    con = store.connection
    assert con.execute(
        "SELECT conversation_id, rubric_version, value, passed FROM scores ORDER BY ALL"
    ).fetchall() == [("c1", "v1", 0.7, True), ("c1", "v2", None, None), ("c2", "v1", 0.9, True)]
    assert count(store, "findings", "conversation_id = 'c1' AND rubric_version = 'v1'") == 1
    assert count(store, "findings", "conversation_id = 'c2'") == 2
    finding = con.execute(
        "SELECT turn, char_start, char_end, quote, rule, attribution, polarity, detail->>'$.cue', suggestion "
        "FROM findings WHERE conversation_id = 'c1'"
    ).fetchall()
    assert finding == [
        (
            1,
            0,
            5,
            "Calm down",
            "cue:dismissive",
            "agent",
            "negative",
            "calm down",
            "I can hear how frustrating this is.",
        )
    ]


# -- journeys -------------------------------------------------------------------------------


def test_journeys_round_trip_and_replace_per_customer(store: Store) -> None:
    spans = [
        ContactSpan("a1", "alice", T0, T0 + timedelta(minutes=5)),
        ContactSpan("a2", "alice", T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)),
        ContactSpan("b1", "bob", T0, None),
    ]
    journeys = build_journeys(spans, newest=T0 + timedelta(days=30))
    assert store.replace_journeys(journeys) == 2
    assert store.load_journeys() == journeys
    assert store.journeys_for(["a2"]) == journeys[:1]
    # alice's contacts now fall apart; bob is untouched
    store.replace_journeys(build_journeys(spans[:1], newest=T0 + timedelta(days=30)))
    assert [j.conversation_ids for j in store.load_journeys()] == [["a1"], ["b1"]]
    assert count(store, "journey_contacts") == 2
    store.replace_journeys([], customer_ids=["alice"])
    assert [j.customer_id for j in store.load_journeys()] == ["bob"]


def test_plain_journey_is_stored_with_unknown_continuations(store: Store) -> None:
    plain = Journey(
        id="j1",
        customer_id="c",
        conversation_ids=["x", "y"],
        started_at=T0,
        ended_at=T0,
        contacts=2,
        continuations=0,
        repeat_contacts=1,
    )
    store.replace_journeys([plain])
    (loaded,) = store.load_journeys()
    assert (loaded.conversation_ids, loaded.is_continuation) == (["x", "y"], [])
    assert count(store, "journey_contacts", "is_continuation IS NULL") == 2


def test_contact_spans_and_newest_time(store: Store, conversation_factory) -> None:
    convs = [
        conversation_factory("a", "alice"),
        conversation_factory("b", None),
        conversation_factory("c", "carl", start=T0 + timedelta(days=1)),
    ]
    store.upsert_conversations(convs, store.start_run("test"))
    assert store.contact_spans(["alice"]) == [ContactSpan("a", "alice", T0, T0 + timedelta(minutes=12))]
    assert [s.conversation_id for s in store.contact_spans()] == ["a", "c"]
    assert store.newest_contact_time() == T0 + timedelta(days=1, minutes=12)


# -- opening --------------------------------------------------------------------------------


def test_reopening_keeps_data_and_schema_version(db_path: Path, conversation_factory) -> None:
    with Store(db_path) as first:
        first.upsert_conversations([conversation_factory()], first.start_run("test"))
    with Store(db_path) as again:
        assert [c.id for c in again.load_conversations()] == ["c1"]
        assert again.connection.execute("SELECT version FROM schema_version ORDER BY 1").fetchall() == [
            (v,) for v in range(1, SCHEMA_VERSION + 1)
        ]
    with Store(db_path, read_only=True) as reader:
        assert [c.id for c in reader.load_conversations()] == ["c1"]
        with pytest.raises(duckdb.Error):
            reader.connection.execute("DELETE FROM conversations")


def test_newer_schema_is_refused(db_path: Path) -> None:
    with Store(db_path) as store:
        store.connection.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 1])
    with pytest.raises(StoreError, match="upgrade qareview"):
        Store(db_path)


def test_memory_store() -> None:
    with Store(":memory:") as store:
        store.upsert_conversations([Conversation(id="m", channel=Channel.CHAT)], store.start_run("test"))
        assert [c.id for c in store.load_conversations()] == ["m"]


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_unreachable_postgres_is_one_clear_error_without_the_password(scheme: str) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError) as caught:
        Store(f"{scheme}://qa:secret@127.0.0.1:1/qareview?connect_timeout=5")
    message = str(caught.value)
    assert message.startswith(f"{scheme}://qa:***@127.0.0.1:1/qareview") and "cannot connect" in message
    assert "secret" not in message
