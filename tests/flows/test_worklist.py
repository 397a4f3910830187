"""Choosing what a run analyses: unanalysed contacts, stale rubric versions, journey context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import spacy

from flows.batches import read_snapshot
from flows.worklist import build_worklist
from nlp.annotated import AnnotatedConversation, AnnotatedTurn, Sentiment, SentimentLabel
from nlp.findings import Attribution, ConversationScores, CriterionScore
from nlp.trajectory import conversation_trajectories
from storage.store import Store
from transcripts.journeys import build_journeys
from transcripts.model import Channel, Conversation, Role, Turn

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
BLANK = spacy.blank("en")


def _conversation(cid: str, customer: str, start: datetime) -> Conversation:
    return Conversation(
        id=cid, channel=Channel.CHAT, customer_id=customer, started_at=start,
        ended_at=start + timedelta(minutes=5),
        turns=[Turn(index=0, role=Role.CUSTOMER, text="My order never came."),
               Turn(index=1, role=Role.AGENT, speaker_id="a-1", text="Sorry, let me check.")],
    )  # fmt: skip


def _annotated(conversation: Conversation) -> AnnotatedConversation:
    """Tiny stand-in analysis (blank tokenizer, zero embedding): enough for the store's rows."""
    sentiments = [Sentiment(SentimentLabel.NEUTRAL, 0.0, "test") for _ in conversation.turns]
    turns = [
        AnnotatedTurn(turn, BLANK(turn.text), np.zeros(4, dtype=np.float32), sentiment)
        for turn, sentiment in zip(conversation.turns, sentiments, strict=True)
    ]
    trajectories = conversation_trajectories(conversation, [s.score for s in sentiments], 0.15)
    return AnnotatedConversation(conversation, turns, trajectories)


def _scores(cid: str, version: str) -> ConversationScores:
    score = CriterionScore(
        cid, 0, "a-1", "empathy", "empathy.v1", 1.0, 0.5, True, "ok", version, Attribution.AGENT
    )
    return ConversationScores(cid, version, [score], [])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """c1, c2: one customer's journey (two contacts a day apart); c3, c4: other customers."""
    conversations = [
        _conversation("c1", "cust-1", T0),
        _conversation("c2", "cust-1", T0 + timedelta(days=1)),
        _conversation("c3", "cust-2", T0),
        _conversation("c4", "cust-3", T0 + timedelta(hours=1)),
    ]
    db = Store(tmp_path / "store.duckdb")
    run = db.start_run("test")
    db.upsert_conversations(conversations, run)
    db.replace_journeys(build_journeys(db.contact_spans()))
    return db


def _done(store: Store, ids: list[str], version: str) -> None:
    conversations = list(store.load_conversations(ids))
    store.save_analysis([_annotated(c) for c in conversations])
    store.save_scores([_scores(c.id, version) for c in conversations])


def test_new_conversations_need_work(store: Store) -> None:
    assert store.conversations_needing_work("default@1") == ["c1", "c3", "c4", "c2"]


def test_analysed_and_scored_conversations_do_not(store: Store) -> None:
    _done(store, ["c1", "c3"], "default@1")
    assert store.conversations_needing_work("default@1") == ["c4", "c2"]


def test_a_new_rubric_version_rescoring_what_was_scored(store: Store) -> None:
    _done(store, ["c1", "c2", "c3", "c4"], "default@1")
    assert store.conversations_needing_work("default@1") == []
    assert store.conversations_needing_work("default@2") == ["c1", "c3", "c4", "c2"]


def test_changed_content_needs_work_again(store: Store) -> None:
    _done(store, ["c1", "c2", "c3", "c4"], "default@1")
    changed = _conversation("c3", "cust-2", T0).model_copy(update={"language": "de"})
    store.upsert_conversations([changed], store.start_run("test"))
    assert store.conversations_needing_work("default@1") == ["c3"]


def test_worklist_adds_journey_context_and_writes_snapshots(store: Store, tmp_path: Path) -> None:
    _done(store, ["c1", "c3", "c4"], "default@1")
    worklist = build_worklist(store, "default@1", tmp_path / "batches", batch_size=1)
    assert (worklist.needing_work, worklist.journey_context) == (1, 1)  # c2 needs work, c1 is its context
    [batch] = worklist.batches  # one journey never splits, even past batch_size
    assert batch.conversation_ids == ("c1", "c2")
    snapshot = read_snapshot(batch.snapshot)
    assert [c.id for c in snapshot.conversations] == ["c1", "c2"]
    assert [j.conversation_ids for j in snapshot.journeys] == [["c1", "c2"]]


def test_full_worklist_takes_everything(store: Store, tmp_path: Path) -> None:
    _done(store, ["c1", "c2", "c3", "c4"], "default@1")
    assert build_worklist(store, "default@1", tmp_path / "b", batch_size=200).conversations == 0
    full = build_worklist(store, "default@1", tmp_path / "b", batch_size=2, full=True)
    assert full.conversations == 4
    assert [b.conversation_ids for b in full.batches] == [("c1", "c2"), ("c3", "c4")]
