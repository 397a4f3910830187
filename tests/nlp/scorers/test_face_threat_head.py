"""Face threats found by the learned head where no phrase list reaches (``self_worth.v1``).

The sentences are ours, written for these tests (no evaluation set holds them); the head and the
encoder are the shipped ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import Finding, Polarity
from nlp.scoring import Rubric, load_rubric
from tests.nlp.scorers.builders import Score
from transcripts.model import Conversation

pytestmark = pytest.mark.models

CUSTOMER = "My parcel never turned up and I was still charged for it."
RULES_ONLY = Path(__file__).resolve().parents[3] / "rubrics" / "rules-only.yaml"


def _reply(text: str) -> Conversation:
    return Conversation.model_validate(
        {
            "id": "reply",
            "channel": "chat",
            "turns": [
                {"index": 0, "role": "customer", "text": CUSTOMER},
                {"index": 1, "role": "agent", "text": text},
            ],
        }
    )


def _threats(score: Score, text: str, rubric: Rubric | None = None) -> list[Finding]:
    [result] = score(_reply(text), rubric_=rubric)
    return [f for f in result.findings if f.scorer == "self_worth.v1" and f.polarity is Polarity.NEGATIVE]


def test_a_threat_no_phrase_names_is_found_on_the_model_alone_with_its_kind(score: Score) -> None:
    text = "The night shift over there couldn't organise a queue, so no surprise they lost it."
    [finding] = _threats(score, text)
    assert finding.kind == "blame_colleague"
    assert finding.evidence.rule.startswith("model:face_threat=")
    assert "most likely blame_colleague" in finding.evidence.rule
    assert finding.evidence.turn == 1


def test_rules_only_finds_none_of_it(score: Score) -> None:
    text = "The night shift over there couldn't organise a queue, so no surprise they lost it."
    assert _threats(score, text, load_rubric(RULES_ONLY)) == []


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, I've found the order. The refund went through this morning and should show in three days.",
        "That one's on us: the label printed with the wrong postcode. I've sent a new one by courier.",
        "Could you read me the number on the back of the router?",
    ],
)
def test_plain_and_owning_replies_are_no_face_threat(score: Score, text: str) -> None:
    assert _threats(score, text) == []


def test_what_clears_a_kind_clears_the_models_finding_of_it(score: Score) -> None:
    text = "The tracking says it was handed to you at 2:14, so it arrived."
    [found] = _threats(score, text)
    assert found.kind == "contradict_customer" and found.evidence.rule.startswith("model:")
    assert _threats(score, text + " It's nothing you did wrong though.") == []


def test_phrase_hits_keep_their_rules_as_evidence(score: Score) -> None:
    findings = _threats(score, "Like I said, you should have read the terms before you signed.")
    assert {f.kind for f in findings} == {"condescension", "blame_customer"}
    assert not any(f.evidence.rule.startswith("model:") for f in findings)
