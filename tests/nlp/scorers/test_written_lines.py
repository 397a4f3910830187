"""Our written service lines (``eval/written/``): the hard negatives stay clean.

260 agent replies written to look like face threats without being one (e-mail salutations, warm
recaps, refusals with an alternative, owned mistakes) once drew 16 false face threats; each of them
is a coaching point a supervisor would reject. The phrase lists raise none; the learned face-threat
head (rubric 1.8.15), which decides alone on open language, raises 2 (0.8 %), both on the held half
it never saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.findings import ConversationScores, Finding, Polarity
from tests.nlp.scorers.builders import Score
from transcripts.model import Conversation

pytestmark = pytest.mark.models

WRITTEN = Path(__file__).resolve().parents[3] / "eval" / "written"


def _face_threat(finding: Finding) -> bool:
    return finding.scorer == "self_worth.v1" and finding.polarity is Polarity.NEGATIVE


def _clean_replies() -> list[dict[str, str]]:
    lines = (WRITTEN / "agent-face-threats.jsonl").read_text(encoding="utf-8").splitlines()
    return [item for item in map(json.loads, lines) if not item["kinds"]]


@pytest.fixture(scope="module")
def clean_results(score: Score) -> list[tuple[str, ConversationScores]]:
    replies = _clean_replies()
    conversations = [
        Conversation.model_validate(
            {
                "id": f"clean-{n:03d}",
                "channel": "chat",
                "turns": [
                    {"index": 0, "role": "customer", "text": item["context"]},
                    {"index": 1, "role": "agent", "text": item["text"]},
                ],
            }
        )
        for n, item in enumerate(replies)
    ]
    return list(zip((item["text"] for item in replies), score(conversations), strict=True))


def test_the_set_holds_260_clean_replies() -> None:
    assert len(_clean_replies()) == 260


def test_no_phrase_raises_a_face_threat_on_a_clean_reply(
    clean_results: list[tuple[str, ConversationScores]],
) -> None:
    false = [
        (text, sorted({f.kind for f in result.findings if _face_threat(f)}))
        for text, result in clean_results
        if any(_face_threat(f) and not f.evidence.rule.startswith("model:") for f in result.findings)
    ]
    assert false == []


def test_the_head_alone_flags_few_clean_replies(clean_results: list[tuple[str, ConversationScores]]) -> None:
    flagged = [text for text, result in clean_results if any(_face_threat(f) for f in result.findings)]
    assert len(flagged) <= 0.03 * len(clean_results), flagged
