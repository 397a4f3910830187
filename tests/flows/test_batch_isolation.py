"""One conversation that crashes analysis or scoring fails alone; its batch-mates come through.

Calls ``analyse_and_score_snapshot`` / ``analyse_and_score_isolating`` directly (no Prefect),
with the real models on a batch of the 2026-11-16 examples: ten conversations, three of
them one customer's journey (C-1101, C-1102, C-1103).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.batches import (
    BatchSpec,
    analyse_and_score_isolating,
    analyse_and_score_snapshot,
    process_analyzer,
    process_rubric,
    read_snapshot,
    write_snapshot,
)
from flows.faults import FAULT_ENV
from flows.worklist import build_worklist
from nlp.annotated import AnnotatedConversation
from nlp.findings import ConversationScores
from nlp.scoring import score_conversations
from storage.ingest import ingest_paths
from storage.store import Store
from tests.flows.flow_helpers import copy_examples
from transcripts.journeys import JourneyWithContinuations
from transcripts.model import Conversation
from transcripts.quarantine import ReasonCode

DAY = "2026-11-16"
JOURNEY = ("C-1101", "C-1102", "C-1103")


@dataclass
class Batch:
    spec: BatchSpec
    conversations: list[Conversation]
    journeys: list[JourneyWithContinuations]

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.conversations]

    def without(self, path: Path, *ids: str) -> BatchSpec:
        """The same batch less ``ids``, as its own snapshot."""
        kept = [c for c in self.conversations if c.id not in ids]
        return write_snapshot(path, self.spec.number, kept, self.journeys)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """The day's conversations as one planned batch (snapshot and journeys from the store)."""
    root = tmp_path_factory.mktemp("isolation")
    inbox = copy_examples(root / "inbox", DAY)
    with Store(root / "store.duckdb") as store:
        ingest_paths([inbox], store)
        worklist = build_worklist(store, process_rubric(None).version, root / "batches", batch_size=200)
    [spec] = worklist.batches
    snapshot = read_snapshot(spec.snapshot)
    assert any(tuple(j.conversation_ids) == JOURNEY for j in snapshot.journeys)
    return Batch(spec, snapshot.conversations, snapshot.journeys)


def _assert_same_scores(got: Sequence[ConversationScores], want: Sequence[ConversationScores]) -> None:
    """Same conversations, criteria, outcomes and findings; values up to batch-padding noise."""
    assert [s.conversation_id for s in got] == [s.conversation_id for s in want]
    for mine, theirs in zip(got, want, strict=True):
        outcomes = [(c.criterion, c.leg, c.passed) for c in mine.scores]
        assert outcomes == [(c.criterion, c.leg, c.passed) for c in theirs.scores], mine.conversation_id
        values = [c.value for c in mine.scores]
        assert values == pytest.approx([c.value for c in theirs.scores], abs=1e-5), mine.conversation_id
        spans = [(f.criterion, f.kind, f.evidence.turn, f.evidence.quote) for f in mine.findings]
        assert spans == [(f.criterion, f.kind, f.evidence.turn, f.evidence.quote) for f in theirs.findings]


@pytest.mark.models
def test_a_crashing_conversation_fails_alone(
    batch: Batch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "conversation:C-1102")
    result = analyse_and_score_snapshot(batch.spec, None)
    [failed] = result.failed
    assert failed.conversation_id == "C-1102"
    assert failed.error == f"InjectedFaultError: {FAULT_ENV} asked conversation C-1102 to fail"
    assert (Path(failed.file).name, failed.record) == ("calls.jsonl", "line 2")
    entry = failed.quarantined()
    assert entry.reason is ReasonCode.ANALYSIS_FAILED
    assert "C-1102" in entry.message and failed.error in entry.message
    survivors = [cid for cid in batch.ids if cid != "C-1102"]
    assert result.conversation_ids == survivors == [a.id for a in result.annotated]
    # Scored as if C-1102 had never been in the batch: C-1103 keeps C-1101 as its journey context.
    monkeypatch.delenv(FAULT_ENV)
    clean = analyse_and_score_snapshot(batch.without(tmp_path / "clean.json", "C-1102"), None)
    assert clean.failed == [] and clean.conversation_ids == survivors
    _assert_same_scores(result.scores, clean.scores)


@pytest.mark.models
def test_a_crashing_scorer_fails_only_its_conversation(batch: Batch) -> None:
    analyzer, rubric = process_analyzer(), process_rubric(None)

    def score(
        annotated: Sequence[AnnotatedConversation], journeys: Sequence[JourneyWithContinuations]
    ) -> list[ConversationScores]:
        if any(a.id == "C-1103" for a in annotated):
            raise ValueError("odd data in C-1103")
        return score_conversations(annotated, rubric, journeys, encode=analyzer.encoder.encode)

    annotated, scores, failed = analyse_and_score_isolating(
        batch.conversations, batch.journeys, analyzer.annotate, score
    )
    assert [(f.conversation_id, f.error) for f in failed] == [("C-1103", "ValueError: odd data in C-1103")]
    survivors = [a for a in analyzer.annotate(batch.conversations) if a.id != "C-1103"]
    assert [a.id for a in annotated] == [a.id for a in survivors]
    # Its journey mates are scored together, as a batch without C-1103 would score them.
    _assert_same_scores(scores, score(survivors, batch.journeys))


@pytest.mark.parametrize("batch_error", [ValueError("batch-wide bug"), OSError("model share unmounted")])
def test_a_transient_error_still_fails_the_whole_batch(batch: Batch, batch_error: Exception) -> None:
    """Transient at batch level, or while narrowing a bug down: the batch fails, to be retried."""

    def annotate(conversations: Sequence[Conversation]) -> list[AnnotatedConversation]:
        raise batch_error if len(conversations) > 1 else TimeoutError("model share unmounted")

    def score(
        annotated: Sequence[AnnotatedConversation], journeys: Sequence[JourneyWithContinuations]
    ) -> list[ConversationScores]:
        raise AssertionError("never scored")

    with pytest.raises(OSError):
        analyse_and_score_isolating(batch.conversations, batch.journeys, annotate, score)
