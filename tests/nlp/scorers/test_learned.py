"""``decide``: calibrated model decisions with phrase lists as evidence and team overrides."""

from __future__ import annotations

import numpy as np
import pytest
import spacy

from nlp.annotated import AnnotatedTurn, Sentiment, SentimentLabel
from nlp.scorers.learned import LearnedParams, cutoff, decide
from nlp.scorers.matching import Hit
from transcripts.model import Role, Turn

NLP = spacy.blank("en")
HIT = Hit(
    label="distress", rule="so_frustrated", slot=None, start=0, end=2, char_start=0, char_end=5, sentence=0
)
NEUTRAL = Sentiment(SentimentLabel.NEUTRAL, 0.0, "test")


def turn(p: float | None) -> AnnotatedTurn:
    signals = {} if p is None else {"distress": {"true": p, "false": 1 - p}}
    t = Turn(index=0, role=Role.CUSTOMER, text="I'm so frustrated")
    return AnnotatedTurn(t, NLP(t.text), np.zeros(4, dtype=np.float32), NEUTRAL, signals)


CUT = cutoff("distress", "true", 0.8)
CASES = [
    # probability, hits, params, decided, reason starts with
    (min(CUT + 0.05, 1.0), [], LearnedParams(), True, "model:distress"),
    (CUT / 2, [], LearnedParams(), False, "model:distress"),
    (0.3, [HIT], LearnedParams(veto_below=0.2), True, "cue:so_frustrated"),
    (0.1, [HIT], LearnedParams(veto_below=0.2), False, "model:distress"),
    (0.01, [HIT], LearnedParams(force=("so_frustrated",)), True, "cue:so_frustrated (forced"),
    (0.99, [HIT], LearnedParams(forbid=("so_frustrated",)), True, "model:distress"),
    (0.3, [HIT], LearnedParams(forbid=("so_frustrated",)), False, "model:distress"),
    (None, [HIT], LearnedParams(), True, "cue:so_frustrated"),
    (None, [], LearnedParams(), False, ""),
    (0.01, [HIT], LearnedParams(target_precision=None), True, "cue:so_frustrated"),
]


@pytest.mark.parametrize(("p", "hits", "params", "decided", "reason"), CASES)
def test_decide(p: float | None, hits: list[Hit], params: LearnedParams, decided: bool, reason: str) -> None:
    verdict = decide(turn(p), "distress", "true", hits, params)
    assert verdict.decided is decided
    assert verdict.reason.startswith(reason)
    if verdict.decided and hits and "forbid" not in repr(params.forbid) and params.forbid == ():
        assert verdict.hit == HIT


def test_rubric_rejects_unknown_keys_and_bad_precisions() -> None:
    with pytest.raises(ValueError):
        LearnedParams.model_validate({"target_precision": 0.3})
    with pytest.raises(ValueError):
        LearnedParams.model_validate({"precision": 0.8})
