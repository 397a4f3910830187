"""Batches of conversations: the unit of parallel analyse+score work.

The flow plans batches (contacts of one customer journey always share a batch, so
cross-contact repeats are scored with their context), writes each batch's conversations
and journeys to a snapshot file, and hands workers only the snapshot's path. A worker
(a thread, or a Dask worker process) reads the snapshot, analyses and scores it with
models loaded once per process, and returns the results; only the flow writes the store
(DuckDB allows one writing process, and a writer locks readers out of the file).

A batch that raises anything but a transient I/O error is re-run one conversation at a
time: one conversation that trips a bug fails alone (it is reported and quarantined by the
flow), and its batch-mates are stored as usual. Transient errors still fail the batch.

    plan_batches(["c1", "c2", "c3"], {"c1": "j1", "c2": "j1"}, batch_size=2)
    # [['c1', 'c2'], ['c3']]
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from flows.failure_policy import describe, is_transient
from flows.faults import check_conversation_fault, faulty_conversations
from flows.heap import trim_heap
from flows.run_summary import FailedConversation
from transcripts.journeys import JourneyWithContinuations
from transcripts.model import Conversation

if TYPE_CHECKING:
    from nlp.analysis import Analyzer
    from nlp.annotated import AnnotatedConversation
    from nlp.findings import ConversationScores
    from nlp.rubric import Rubric

    Annotate = Callable[[Sequence[Conversation]], list[AnnotatedConversation]]
    Score = Callable[
        [Sequence[AnnotatedConversation], Sequence[JourneyWithContinuations]], list[ConversationScores]
    ]

log = logging.getLogger(__name__)


def plan_batches(
    conversation_ids: Iterable[str], journey_of: Mapping[str, str], batch_size: int
) -> list[list[str]]:
    """Split ids into batches of about ``batch_size``, never splitting a journey.

    ``journey_of`` maps a conversation id to its journey id (ids without one travel alone).
    Journeys keep the order of their first id in ``conversation_ids``; a batch is closed
    when the next journey would overflow it, and a journey larger than ``batch_size``
    gets a batch of its own. The result depends only on the inputs (deterministic).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    groups: dict[str, list[str]] = {}
    for cid in dict.fromkeys(conversation_ids):
        groups.setdefault(journey_of.get(cid, f"\x00{cid}"), []).append(cid)
    batches: list[list[str]] = []
    current: list[str] = []
    for members in groups.values():
        if current and len(current) + len(members) > batch_size:
            batches.append(current)
            current = []
        current = current + members
    if current:
        batches.append(current)
    return batches


class BatchSnapshot(BaseModel):
    """What a worker needs to analyse and score one batch, as written to disk."""

    model_config = ConfigDict(extra="forbid")

    number: int
    conversations: list[Conversation]
    journeys: list[JourneyWithContinuations]


@dataclass(frozen=True)
class BatchSpec:
    """A planned batch: its 1-based number, its conversation ids and its snapshot file."""

    number: int
    conversation_ids: tuple[str, ...]
    snapshot: str

    @property
    def size(self) -> int:
        """Conversations in the batch."""
        return len(self.conversation_ids)


class BatchResult:
    """What one worker returns: analysis and scores of its batch's conversations.

    ``conversation_ids`` are those analysed and scored; ``failed`` those whose analysis or
    scoring raised on their own (a batch-wide transient error raises instead). ``annotated``
    holds what the store keeps (per-turn sentiment, trajectories): parses and embeddings are
    dropped by :func:`for_storage` before the result travels back, which makes a Dask result
    ~30x smaller (0.4 MB instead of 13 MB for the 70 example conversations).

    A plain class on purpose, not a dataclass: Prefect walks every dataclass, list and model
    in a task's parameters looking for futures, and walking a batch's annotations and
    findings on their way into ``store-batch`` cost ~20 s of the flow's thread per 1,000
    conversations. Prefect leaves objects of plain classes alone.
    """

    __slots__ = (
        "number",
        "conversation_ids",
        "annotated",
        "scores",
        "failed",
        "seconds",
        "worker",
        "model_loads",
    )

    def __init__(
        self,
        number: int,
        conversation_ids: list[str],
        annotated: list[AnnotatedConversation] | None = None,
        scores: list[ConversationScores] | None = None,
        failed: list[FailedConversation] | None = None,
        seconds: float = 0.0,
        worker: str = "",  # host:pid of the process that ran it
        model_loads: int = 0,  # times that process has loaded the analyzer so far (1 once warm)
    ) -> None:
        self.number = number
        self.conversation_ids = conversation_ids
        self.annotated = annotated if annotated is not None else []
        self.scores = scores if scores is not None else []
        self.failed = failed if failed is not None else []
        self.seconds = seconds
        self.worker = worker
        self.model_loads = model_loads

    def release(self) -> None:
        """Drop the annotations and scores (once stored); ids, failures and timings stay.

        Prefect keeps every finished task's return value (and the parameters of the task that
        stored it) until the flow run ends, so a result that kept its contents after storing
        held every batch of the night in memory: peak RSS grew with the number of conversations.
        """
        self.annotated = []
        self.scores = []

    def __repr__(self) -> str:
        return (
            f"BatchResult(number={self.number}, conversations={len(self.conversation_ids)}, "
            f"failed={len(self.failed)}, worker={self.worker!r})"
        )


def for_storage(annotated: Sequence[AnnotatedConversation]) -> list[AnnotatedConversation]:
    """The annotations without spaCy parses and embeddings (the store keeps neither).

    Every turn shares one empty ``Doc`` and one empty embedding, so pickling a batch for
    the trip back from a Dask worker costs next to nothing beyond the sentiment itself.
    """
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from nlp.annotated import AnnotatedConversation, AnnotatedTurn

    empty_doc = Doc(Vocab(), words=[])
    no_embedding = np.zeros(0, dtype=np.float32)
    return [
        AnnotatedConversation(
            a.conversation,
            [AnnotatedTurn(t.turn, empty_doc, no_embedding, t.sentiment) for t in a.turns],
            list(a.trajectories),
        )
        for a in annotated
    ]


def write_snapshot(
    path: Path,
    number: int,
    conversations: Sequence[Conversation],
    journeys: Sequence[JourneyWithContinuations],
) -> BatchSpec:
    """Write one batch's snapshot (written whole, then renamed into place)."""
    snapshot = BatchSnapshot(number=number, conversations=list(conversations), journeys=list(journeys))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(snapshot.model_dump_json(), encoding="utf-8")
    partial.replace(path)
    return BatchSpec(number, tuple(c.id for c in conversations), str(path))


def read_snapshot(path: str | Path) -> BatchSnapshot:
    """Read a snapshot written by :func:`write_snapshot`."""
    return BatchSnapshot.model_validate_json(Path(path).read_text(encoding="utf-8"))


# -- per-process models -----------------------------------------------------------------------
# One Analyzer (spaCy + encoder + sentiment) and one compiled rubric per process: a Dask
# worker loads them on its first batch and reuses them for every later one. Threads of
# one process share them; the lock keeps two threads from driving spaCy and the encoder
# at the same time (neither promises thread safety, and torch already uses every core).

_MODEL_LOCK = threading.Lock()


@cache
def process_analyzer() -> Analyzer:
    """The process-wide analyzer, loaded on first use.

    In a Dask worker the encoder gets as many torch threads as the worker has task
    threads (1 by default), so N workers on N cores do not oversubscribe the CPU.
    """
    from nlp.analysis import Analyzer
    from nlp.config import load_analysis_config

    config = load_analysis_config()
    threads = dask_worker_threads()
    if threads is not None and config.encoder.num_threads is None:
        encoder = config.encoder.model_copy(update={"num_threads": threads})
        config = config.model_copy(update={"encoder": encoder})
    return Analyzer(config).load()


def dask_worker_threads() -> int | None:
    """Task threads of the Dask worker running this code (None outside a Dask worker)."""
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        return int(get_worker().state.nthreads)
    except ValueError:  # not inside a worker
        return None


@cache
def process_rubric(path: str | None) -> Rubric:
    """The rubric at ``path`` (the shipped default when None), loaded once per process."""
    from nlp.scoring import load_rubric

    return load_rubric(path)


def analyse_and_score_snapshot(spec: BatchSpec, rubric_path: str | None) -> BatchResult:
    """Analyse and score one batch snapshot with this process's models.

    A non-transient failure of the batch is narrowed down to the conversations that cause
    it (:func:`analyse_and_score_isolating`); they come back in ``failed``.
    """
    from nlp.scoring import score_annotated

    started = time.perf_counter()
    trim_heap()  # what the previous batch of this process freed
    snapshot = read_snapshot(spec.snapshot)
    faulty = faulty_conversations()
    with _MODEL_LOCK:
        analyzer = process_analyzer()
        rubric = process_rubric(rubric_path)

        def annotate(conversations: Sequence[Conversation]) -> list[AnnotatedConversation]:
            return annotate_checked(analyzer, conversations, faulty)

        def score(
            annotated: Sequence[AnnotatedConversation], journeys: Sequence[JourneyWithContinuations]
        ) -> list[ConversationScores]:
            return score_annotated(annotated, journeys, rubric, analyzer)

        with analyzer.memory_zone():  # the batch's parses and new words are freed with it
            annotated, scores, failed = analyse_and_score_isolating(
                snapshot.conversations, snapshot.journeys, annotate, score
            )
            conversation_ids, stored = [a.id for a in annotated], for_storage(annotated)
            del annotated  # its parses must not outlive the zone
    return BatchResult(
        number=spec.number,
        conversation_ids=conversation_ids,
        annotated=stored,
        scores=scores,
        failed=failed,
        seconds=round(time.perf_counter() - started, 3),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        model_loads=process_analyzer.cache_info().misses,
    )


def annotate_checked(
    analyzer: Analyzer, conversations: Sequence[Conversation], faulty: Collection[str] = ()
) -> list[AnnotatedConversation]:
    """``analyzer.annotate``, raising first for conversations named by a ``conversation:<id>`` fault."""
    if faulty:
        for conversation in conversations:
            check_conversation_fault(conversation.id, faulty)
    return analyzer.annotate(conversations)


def analyse_and_score_isolating(
    conversations: Sequence[Conversation],
    journeys: Sequence[JourneyWithContinuations],
    annotate: Annotate,
    score: Score,
) -> tuple[list[AnnotatedConversation], list[ConversationScores], list[FailedConversation]]:
    """Annotate and score a batch; if either raises (not transiently), retry per conversation.

    Returns the conversations that came through (annotations and scores, in batch order)
    and the ones that failed on their own. Annotation falls back to one conversation at a
    time; the survivors are then scored together, and if that raises, each is scored alone
    to find the culprits, and the others again with their journey mates (so repeat contacts
    keep their context, less the culprits, as with failed annotations). A transient
    error (:func:`is_transient`) is re-raised: the whole batch waits for the next run.
    """
    failed: list[FailedConversation] = []
    try:
        annotated = annotate(conversations)
    except Exception as exc:
        _reraise_if_transient(exc)
        log.warning("annotating %d conversations failed (%s); retrying one by one", len(conversations), exc)
        annotated, failed = _annotate_one_by_one(conversations, annotate)
    try:
        scores = score(annotated, journeys)
    except Exception as exc:
        _reraise_if_transient(exc)
        log.warning("scoring %d conversations failed (%s); retrying one by one", len(annotated), exc)
        annotated, scores, more = _score_one_by_one(annotated, journeys, score)
        order = {c.id: i for i, c in enumerate(conversations)}
        failed = sorted(failed + more, key=lambda f: order[f.conversation_id])
    return annotated, scores, failed


def _annotate_one_by_one(
    conversations: Sequence[Conversation], annotate: Annotate
) -> tuple[list[AnnotatedConversation], list[FailedConversation]]:
    annotated: list[AnnotatedConversation] = []
    failed: list[FailedConversation] = []
    for conversation in conversations:
        try:
            annotated.extend(annotate([conversation]))
        except Exception as exc:
            _reraise_if_transient(exc)
            failed.append(failed_conversation(conversation, exc))
    return annotated, failed


def _score_one_by_one(
    annotated: Sequence[AnnotatedConversation], journeys: Sequence[JourneyWithContinuations], score: Score
) -> tuple[list[AnnotatedConversation], list[ConversationScores], list[FailedConversation]]:
    """Score each conversation alone to find the ones that raise, then the rest with their journey mates."""
    alone: dict[str, ConversationScores] = {}
    failed: list[FailedConversation] = []
    for item in annotated:
        try:
            [alone[item.id]] = score([item], journeys)
        except Exception as exc:
            _reraise_if_transient(exc)
            failed.append(failed_conversation(item.conversation, exc))
    rest = [a for a in annotated if a.id in alone]
    mates = journey_mates(journeys)
    kept: list[AnnotatedConversation] = []
    scores: list[ConversationScores] = []
    for item in rest:
        group = [a for a in rest if a.id == item.id or a.id in mates.get(item.id, ())]
        try:
            result = alone[item.id] if len(group) == 1 else _scores_of(item.id, score(group, journeys))
        except Exception as exc:
            _reraise_if_transient(exc)
            failed.append(failed_conversation(item.conversation, exc))
            continue
        kept.append(item)
        scores.append(result)
    return kept, scores, failed


def _scores_of(conversation_id: str, results: Iterable[ConversationScores]) -> ConversationScores:
    [found] = [r for r in results if r.conversation_id == conversation_id]
    return found


def journey_mates(journeys: Iterable[JourneyWithContinuations]) -> dict[str, set[str]]:
    """For each conversation of a journey: the ids of every journey it belongs to (itself included)."""
    mates: dict[str, set[str]] = {}
    for journey in journeys:
        for cid in journey.conversation_ids:
            mates.setdefault(cid, set()).update(journey.conversation_ids)
    return mates


def quarantine_place(conversation: Conversation) -> tuple[str, str]:
    """The (file, record) of a conversation's quarantine entry: where it was read from."""
    return conversation.source_file or "", conversation.source_record or conversation.id


def failed_conversation(conversation: Conversation, exc: BaseException) -> FailedConversation:
    """The report of one conversation whose analysis or scoring raised ``exc``."""
    file, record = quarantine_place(conversation)
    return FailedConversation(conversation.id, describe(exc), file, record)


def _reraise_if_transient(exc: Exception) -> None:
    if is_transient(exc):
        raise exc
