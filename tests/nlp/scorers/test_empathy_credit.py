"""``empathy.v1`` credit tier: distress the model is less sure of counts only when the agent answered it.

Credit for an empathic reply needs less certainty than blame for a miss (rubric 1.6.0,
``credit_model``). The customer turn here is a plain problem report whose learned distress lies
between the two cut-offs: an apology after it is a ``responded`` moment; moving straight to a
question is no missed opportunity. With ``credit_reports`` (rubric 1.8.12) any customer turn that
says something is such a tentative moment, however calm ("I'd like to change my address.").
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


def _rubric(tmp_path: Path, params: str):
    """The default rubric with the empathy params overridden."""
    path = tmp_path / "override.yaml"
    path.write_text(
        f"rubric: {{id: override, version: '1', name: override}}\nextends: {DEFAULT}\n"
        f"criteria:\n  - id: empathy\n    params: {params}\n",
        encoding="utf-8",
    )
    return load_rubric(path)


def test_without_the_credit_tier_the_apology_answers_nothing(score: Score, tmp_path: Path) -> None:
    off = _rubric(tmp_path, "{credit_model: null, credit_reports: false}")
    results = score(conversation([("customer", REPORT), ("agent", APOLOGY)]), rubric_=off)
    assert empathy(results, "responded") == []


CALM = "Hi, I'd like to change the address on my account please."
SORRY = "Sorry for the trouble! I can update that for you now, what's the new address?"


def test_an_apology_after_a_calm_report_is_credited(score: Score, analyzer) -> None:
    params = load_rubric().criterion("empathy").params
    (annotated,) = analyzer.annotate([conversation([("customer", CALM), ("agent", SORRY)])])
    p = annotated.turns[0].signal("distress", "true")
    assert p < cutoff("distress", "true", params.credit_model.target_precision)  # below the credit tier
    results = score(conversation([("customer", CALM), ("agent", SORRY)]))
    (found,) = empathy(results)
    assert (found.kind, found.evidence.turn) == ("responded", 1)
    assert found.detail["opportunity_reason"] == "tentative:report"


def test_a_calm_report_is_credited_only_with_credit_reports(score: Score, tmp_path: Path) -> None:
    off = _rubric(tmp_path, "{credit_reports: false}")
    assert empathy(score(conversation([("customer", CALM), ("agent", SORRY)]), rubric_=off)) == []
    assert empathy(score(conversation([("customer", CALM), ("agent", QUESTION)]))) == []


@pytest.mark.parametrize(
    "customer",
    [
        "@QAreviewHelp @QAreviewHelp https://example.com/x",  # says nothing
        "[NAME]. [ACCOUNT].",  # a redacted name and number given on request
        "I'm not upset at all, I just want to know when it ships.",  # denies a feeling
    ],
)
def test_no_credit_without_a_report(score: Score, customer: str) -> None:
    results = score(conversation([("customer", customer), ("agent", SORRY)]))
    assert empathy(results, "responded") == []


def test_a_missed_moment_names_only_the_turns_that_showed_distress(score: Score) -> None:
    angry = "I've been waiting three weeks for a refund and nobody answers, this is a joke."
    results = score(conversation([("customer", CALM), ("customer", angry), ("agent", QUESTION)]))
    (missed,) = empathy(results)
    assert missed.kind == "missed_opportunity"
    assert missed.detail["opportunity_turns"] == [1]


def test_a_report_is_answered_by_the_next_agent_turn_only(score: Score) -> None:
    # The apology two turns on answers the cracked jug, not the e-mail address given before it.
    results = score(
        conversation(
            [
                ("customer", "sure, it's on the order confirmation"),
                ("agent", "Thanks. What's the order about?"),
                ("customer", "the blender arrived with a cracked jug"),
                ("agent", "Sorry about that. I'll send a replacement jug out today."),
            ]
        )
    )
    (found,) = empathy(results)
    assert (found.kind, found.evidence.turn, found.detail["opportunity_turns"]) == ("responded", 3, [2])


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        # thanks reports nothing
        ("Okay, that helps a lot, thanks!", "Sorry again for the hassle."),
        # regret that the customer leaves is no response
        (
            "I'd like to cancel my contract, I'm moving abroad.",
            "Sorry to hear you're leaving. I'll put the cancellation through now.",
        ),
        ("I'd like to cancel my contract, I'm moving abroad.", "We're sorry to see you go!"),
        # a fix 0.551 to "It sounds like you've had a really rough time getting this sorted." (1.8.12: 0.7)
        ("My parcel hasn't arrived.", "Let me get that sorted for you."),
    ],
)
def test_no_empathy_finding(score: Score, customer: str, reply: str) -> None:
    results = score(conversation([("customer", customer), ("agent", reply)]))
    assert empathy(results) == []


@pytest.mark.parametrize(
    ("reply", "responded"),
    [
        ("I'm sorry you feel that way. Please reach out if there's anything else.", False),  # a non-apology
        ("I'm sorry you feel that way and that we've let you down. What happened?", True),
    ],
)
def test_sorry_you_feel_that_way_is_no_apology(score: Score, reply: str, responded: bool) -> None:
    results = score(
        conversation([("customer", "Worst experience I've had with any company."), ("agent", reply)])
    )
    assert bool(empathy(results, "responded")) is responded
