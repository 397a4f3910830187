"""Analysis inside spaCy memory zones: the flow analyses each batch in one, so words it met are freed.

Real spaCy pipeline, encoder and shipped rubric. The zone must free what a batch added, and
nothing scored inside zones may differ from scoring outside them, including pattern files
first compiled inside an earlier zone.
"""

from __future__ import annotations

import pytest
import spacy

from nlp.analysis import Analyzer
from nlp.findings import ConversationScores
from nlp.patterns import read_pattern_file
from nlp.politeness import STRATEGIES_PATH
from nlp.scorers.matching import CompiledPatterns
from nlp.scoring import load_rubric, score_annotated
from tests.nlp.conftest import MakeConversation
from transcripts.model import Conversation, Role

NEW_WORD = "glorbsnatchery"  # in no model vocabulary


def _conversation(make: MakeConversation) -> Conversation:
    return make(
        "zone-1",
        [
            (Role.CUSTOMER, f"My {NEW_WORD} order has been stuck for two weeks and I'm furious.", 0),
            (Role.AGENT, "That's not my problem, you should have read the terms.", 0),
            (Role.CUSTOMER, f"I already explained the {NEW_WORD} order twice to your colleague!", 0),
            (Role.AGENT, "I'm so sorry about that. I can fix it now: please DM us your order number.", 0),
        ],
    )


def _findings(scores: list[ConversationScores]) -> list[tuple[object, ...]]:
    return [
        (s.conversation_id, c.criterion, c.leg, c.passed, round(c.value, 6)) for s in scores for c in s.scores
    ] + [
        (f.criterion, f.kind, f.evidence.turn, f.evidence.quote, f.evidence.rule)
        for s in scores
        for f in s.findings
    ]


def _score(analyzer: Analyzer, conversation: Conversation) -> list[tuple[object, ...]]:
    rubric = load_rubric(None)  # a fresh rubric: its pattern files compile on this call
    annotated = analyzer.annotate([conversation])
    return _findings(score_annotated(annotated, [], rubric, analyzer))


@pytest.mark.models
def test_a_zone_frees_the_words_a_batch_brought_and_scores_the_same(
    analyzer: Analyzer, make_conversation: MakeConversation
) -> None:
    strings = analyzer.nlp.vocab.strings
    conversation = _conversation(make_conversation)
    assert NEW_WORD not in strings
    before = len(strings)
    with analyzer.memory_zone():
        first = _score(analyzer, conversation)
        assert NEW_WORD in strings  # the parse brought it in
    assert NEW_WORD not in strings and len(strings) == before
    assert first, "the conversation should have scores and findings to compare"
    with analyzer.memory_zone():  # matchers compiled in the first zone, used in the second
        second = _score(analyzer, conversation)
    outside = _score(analyzer, conversation)
    assert first == second == outside


@pytest.mark.models
def test_a_zone_inside_a_zone_adds_none(analyzer: Analyzer) -> None:
    with analyzer.memory_zone():
        with analyzer.memory_zone():
            analyzer.nlp(f"one more {NEW_WORD}s")
        assert f"{NEW_WORD}s" in analyzer.nlp.vocab.strings  # the inner block did not end the zone
    assert f"{NEW_WORD}s" not in analyzer.nlp.vocab.strings


def test_patterns_compiled_inside_a_zone_match_after_it() -> None:
    """A blank pipeline knows few numbers: most matcher keys ("13", "14", ...) are the zone's own strings."""
    nlp = spacy.blank("en")
    patterns = read_pattern_file(STRATEGIES_PATH)
    text = "Could you please check? Thanks! By the way, I think you may be right, actually. Sorry!"
    with nlp.memory_zone():
        compiled = CompiledPatterns(patterns, nlp.vocab)
        inside = [(h.label, h.rule, h.start, h.end) for h in compiled.find(nlp(text))]
    dropped = {e.rule for n, e in enumerate(compiled.entries) if str(n) not in nlp.vocab.strings}
    assert dropped & {rule for _, rule, _, _ in inside}, "no match whose key the zone dropped"
    with nlp.memory_zone():
        after = [(h.label, h.rule, h.start, h.end) for h in compiled.find(nlp(text))]
    assert inside == after


@pytest.mark.models
def test_memory_zones_can_be_turned_off(analyzer: Analyzer) -> None:
    spacy_config = analyzer.config.spacy.model_copy(update={"memory_zones": False})
    plain = Analyzer(analyzer.config.model_copy(update={"spacy": spacy_config}))  # same loaded pipeline
    assert plain.nlp is analyzer.nlp
    with plain.memory_zone():
        plain.nlp("a snorfwiddle")
    assert "snorfwiddle" in plain.nlp.vocab.strings
