"""``empathy.v1`` credit tier: distress the model is less sure of counts only when the agent answered it.

Credit for an empathic reply needs less certainty than blame for a miss (rubric 1.6.0,
``credit_model``). The customer turn here is a plain problem report whose learned distress lies
between the two cut-offs: an apology after it is a ``responded`` moment; moving straight to a
question is no missed opportunity.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.scorers.learned import cutoff
from nlp.scoring import load_rubric
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

DEFAULT = Path(__file__).resolve().parents[3] / "rubrics" / "default.yaml"
REPORT = "I can't log in to my account, it keeps saying my password is wrong."
APOLOGY = "I'm sorry you're having trouble signing in. Let's reset your password together."
QUESTION = "Which browser are you using?"


def empathy(results: list, kind: str | None = None) -> list:
    """The empathy findings of one scored conversation (of ``kind`` if given)."""
    return [f for f in results[0].findings if f.scorer == "empathy.v1" and kind in (None, f.kind)]


def test_the_report_sits_between_the_credit_and_the_blame_cut_offs(score: Score, analyzer) -> None:
    rubric = load_rubric()
    params = rubric.criterion("empathy").params
    blame = cutoff("distress", "true", params.distress_model.target_precision)
    credit = cutoff("distress", "true", params.credit_model.target_precision)
    (annotated,) = analyzer.annotate([conversation([("customer", REPORT), ("agent", QUESTION)])])
    p = annotated.turns[0].signal("distress", "true")
    assert credit <= p < blame, (credit, p, blame)  # else pick another report for the tests below


def test_an_apology_after_a_tentative_moment_is_credited(score: Score) -> None:
    results = score(conversation([("customer", REPORT), ("agent", APOLOGY)]))
    (found,) = empathy(results)
    assert (found.kind, found.evidence.turn) == ("responded", 1)
    assert found.detail["opportunity_reason"].startswith("tentative:model:distress=")
    (leg_score,) = [s for s in results[0].scores if s.criterion == "empathy"]
    assert leg_score.value == 1.0


def test_moving_on_after_a_tentative_moment_is_no_miss(score: Score) -> None:
    results = score(conversation([("customer", REPORT), ("agent", QUESTION)]))
    assert empathy(results) == []
    (leg_score,) = [s for s in results[0].scores if s.criterion == "empathy"]
    assert leg_score.value is None


def test_without_the_credit_tier_the_apology_answers_nothing(score: Score, tmp_path: Path) -> None:
    off = tmp_path / "no-credit.yaml"
    off.write_text(
        f"rubric: {{id: no-credit, version: '1', name: no credit}}\nextends: {DEFAULT}\n"
        "criteria:\n  - id: empathy\n    params: {credit_model: null}\n",
        encoding="utf-8",
    )
    results = score(conversation([("customer", REPORT), ("agent", APOLOGY)]), rubric_=load_rubric(off))
    assert empathy(results, "responded") == []
