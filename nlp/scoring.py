"""Run a rubric's scorers over annotated conversations.

::

    rubric = load_rubric()                      # rubrics/default.yaml
    annotated = Analyzer().annotate(conversations)
    results = score_conversations(annotated, rubric, journeys, encode=analyzer.encoder.encode)
    for result in results:
        print(result.conversation_id, [(s.criterion, s.value) for s in result.scores])

Cross-contact checks (re-explaining across contacts, ping-pong and chains across a journey)
use the other conversations of the same journey that are in ``annotated``. Patterns are
compiled and exemplars embedded once per rubric and encoder, then reused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.annotated import AnnotatedConversation
from nlp.attribution import EXPLAINS_WORSENING, TRAJECTORY_SCORER, fair_trajectory
from nlp.findings import ConversationScores, CriterionScore, Finding
from nlp.operations import operations_facts
from nlp.overall import agent_leg_scores
from nlp.rubric import Rubric, load_rubric_file
from nlp.scorers.base import JourneyContext, ScoringContext, TurnCache
from nlp.scorers.matching import Encode, PatternLibrary
from nlp.scorers.registry import ScorerRegistry, default_registry
from transcripts.model import Journey

if TYPE_CHECKING:  # spaCy and the encoder load slowly
    from nlp.analysis import Analyzer
    from transcripts.model import Conversation

log = logging.getLogger(__name__)
ANALYSIS_BATCH = 200

RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
DEFAULT_RUBRIC = RUBRICS_DIR / "default.yaml"


def load_rubric(path: str | Path | None = None, registry: ScorerRegistry | None = None) -> Rubric:
    """Load and validate a rubric (``rubrics/default.yaml`` when ``path`` is None).

    Raises :class:`nlp.rubric.RubricValidationError` listing every problem with file and line.
    """
    return load_rubric_file(Path(path) if path is not None else DEFAULT_RUBRIC, registry)


def default_encode() -> Encode:
    """The analyzer's configured encoder (weights shared with analysis, loaded once per process)."""
    from nlp.config import load_analysis_config
    from nlp.encoder import Encoder

    return Encoder.from_config(load_analysis_config().encoder).encode


def pattern_library(rubric: Rubric, encode: Encode | None) -> PatternLibrary:
    """The rubric's compiled patterns and exemplar embeddings for ``encode`` (built once, cached)."""
    cached = rubric.cache.get("library")
    if isinstance(cached, PatternLibrary) and cached.encode == encode:
        return cached
    library = PatternLibrary(encode)
    rubric.cache["library"] = library
    return library


def journey_contexts(
    annotated: Sequence[AnnotatedConversation], journeys: Sequence[Journey]
) -> dict[str, JourneyContext]:
    """For each conversation in a journey: its position and the earlier contacts being scored."""
    by_id = {a.id: a for a in annotated}
    contexts: dict[str, JourneyContext] = {}
    for journey in journeys:
        present = [cid for cid in journey.conversation_ids if cid in by_id]
        for position, conversation_id in enumerate(journey.conversation_ids):
            if conversation_id not in by_id or conversation_id in contexts:
                continue
            earlier = tuple(by_id[cid] for cid in journey.conversation_ids[:position] if cid in by_id)
            contexts[conversation_id] = JourneyContext(
                journey_id=journey.id,
                position=position,
                earlier=earlier,
                is_last=present[-1] == conversation_id,
            )
    return contexts


def score_conversations(
    annotated: Sequence[AnnotatedConversation],
    rubric: Rubric,
    journeys: Sequence[Journey] = (),
    *,
    encode: Encode | None = None,
    registry: ScorerRegistry | None = None,
) -> list[ConversationScores]:
    """Score every conversation against every criterion of ``rubric``, in input order.

    ``encode`` embeds rubric exemplar sentences; it should be the encoder that embedded the
    turns (``Analyzer().encoder.encode``); None loads the configured one. A scorer that fails
    on one conversation yields a None score with the error as its reason, and is logged.
    Each result also carries the agents' overall leg scores (:mod:`nlp.overall`) and the
    conversation's operations facts (:mod:`nlp.operations`), computed here once.
    """
    registry = registry or default_registry()
    library = pattern_library(rubric, encode if encode is not None else _cached_default_encode(rubric))
    contexts = journey_contexts(annotated, journeys)
    cache = TurnCache()  # one per call: a stock phrase repeated across the batch is matched once
    explains = next(
        (c.params.explained_by for c in rubric.criteria if c.scorer == TRAJECTORY_SCORER), EXPLAINS_WORSENING
    )
    weights = {c.id: c.weight for c in rubric.criteria}
    results = []
    for conversation in annotated:
        scores: list[CriterionScore] = []
        findings: list[Finding] = []
        for criterion in rubric.criteria:
            context = ScoringContext(
                criterion=criterion,
                rubric_version=rubric.version,
                library=library,
                journey=contexts.get(conversation.id),
                cache=cache,
            )
            try:
                criterion_scores, criterion_findings = registry.get(criterion.scorer).score(
                    conversation, context, criterion.params
                )
            except Exception as exc:  # one broken scorer must not sink the night's run
                log.exception("scorer %s failed on conversation %s", criterion.scorer, conversation.id)
                reason = f"scorer failed: {type(exc).__name__}: {exc}"
                criterion_scores = [context.criterion_score(conversation, None, None, reason)]
                criterion_findings = []
            scores.extend(criterion_scores)
            findings.extend(criterion_findings)
        scores, findings = fair_trajectory(scores, findings, explains)
        journey = contexts.get(conversation.id)
        facts = operations_facts(
            conversation.conversation,
            findings,
            scored_transfers=any(s.scorer.startswith("transfers.") for s in scores),
            journey_id=journey.journey_id if journey else None,
            earlier=[a.conversation for a in journey.earlier] if journey else (),
        )
        results.append(
            ConversationScores(
                conversation.id, rubric.version, scores, findings, agent_leg_scores(scores, weights), facts
            )
        )
    return results


def _cached_default_encode(rubric: Rubric) -> Encode:
    encode = rubric.cache.get("default_encode")
    if encode is None:
        encode = default_encode()
        rubric.cache["default_encode"] = encode
    return encode


def score_annotated(
    annotated: Sequence[AnnotatedConversation],
    journeys: Sequence[Journey],
    rubric: Rubric,
    analyzer: Analyzer,
) -> list[ConversationScores]:
    """Score with the encoder that embedded the turns: the one scoring step of every entry point."""
    return score_conversations(annotated, rubric, journeys, encode=analyzer.encoder.encode)


def analyse_and_score(
    conversations: Sequence[Conversation],
    journeys: Sequence[Journey],
    rubric: Rubric,
    analyzer: Analyzer,
    batch_size: int = ANALYSIS_BATCH,
) -> tuple[list[AnnotatedConversation], list[ConversationScores]]:
    """Annotate (``batch_size`` conversations per pass) and score: what `qareview score` and the flow run.

    The flow splits the two steps only to isolate a conversation that fails
    (``flows.batches.analyse_and_score_isolating``); both steps are these.
    """
    annotated: list[AnnotatedConversation] = []
    for start in range(0, len(conversations), batch_size):
        annotated.extend(analyzer.annotate(conversations[start : start + batch_size]))
    return annotated, score_annotated(annotated, journeys, rubric, analyzer)
