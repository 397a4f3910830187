"""Fixtures for scorer tests: the default rubric and a ``score`` helper that annotates with the
real models (the session ``analyzer`` of ``tests/nlp/conftest.py``) and scores in one call."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from nlp.analysis import Analyzer
from nlp.findings import ConversationScores
from nlp.rubric import Rubric
from nlp.scoring import load_rubric, score_conversations
from tests.nlp.scorers.builders import Score
from transcripts.model import Conversation, Journey


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    """The shipped default rubric."""
    return load_rubric()


@pytest.fixture(scope="session")
def score(analyzer: Analyzer, rubric: Rubric) -> Score:
    """``score(conversations, journeys=(), rubric_=None)``: annotate with the real models and score."""

    def _score(
        conversations: Sequence[Conversation] | Conversation,
        journeys: Sequence[Journey] = (),
        rubric_: Rubric | None = None,
    ) -> list[ConversationScores]:
        items = [conversations] if isinstance(conversations, Conversation) else list(conversations)
        annotated = analyzer.annotate(items)
        return score_conversations(annotated, rubric_ or rubric, journeys, encode=analyzer.encoder.encode)

    return _score
