"""``customer_trajectory.v1`` and the agent's overall score: arriving angry never counts against the agent."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.annotated import (
    AnnotatedConversation,
    AnnotatedTurn,
    Direction,
    Sentiment,
    SentimentLabel,
    Trajectory,
)
from nlp.attribution import agent_leg_scores
from nlp.config import load_analysis_config
from nlp.findings import Attribution, CriterionScore
from nlp.models import load_spacy
from nlp.scoring import DEFAULT_RUBRIC, load_rubric, score_conversations
from tests.nlp.scorers.builders import Score, conversation


@pytest.fixture(scope="module")
def trajectory_only(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("rubric") / "trajectory.yaml"
    path.write_text(
        f"rubric: {{id: trajectory-only, version: '1', name: Trajectory only}}\n"
        f"extends: {DEFAULT_RUBRIC}\n"
        "disable: [empathy, self_worth, transfers, repeats]\n"
    )
    return load_rubric(path)


def annotated(
    turns: list[tuple[str, str]], start: float | None, end: float | None, closing_positive: float = 0.9
) -> AnnotatedConversation:
    """Turns parsed by the real spaCy model, fixed sentiment; the leg trajectory is given, not computed.

    The customer's last turn reads P(positive) ``closing_positive`` (the sentiment head's signal).
    """
    nlp = load_spacy(tuple(load_analysis_config().spacy.models))
    conv = conversation(turns, id="t")
    neutral = Sentiment(SentimentLabel.NEUTRAL, 0.0, "fixed")
    items = [AnnotatedTurn(t, nlp(t.text), np.zeros(384, dtype=np.float32), neutral) for t in conv.turns]
    last = [item for item in items if item.role.value == "customer"][-1]
    rest = (1.0 - closing_positive) / 2
    last.signals["sentiment"] = {"negative": rest, "neutral": rest, "positive": closing_positive}
    customer = sum(1 for role, _ in turns if role == "customer")
    delta = None if start is None or end is None else end - start
    direction = None if delta is None else (Direction.IMPROVING if delta > 0 else Direction.WORSENING)
    trajectory = Trajectory("t", 0, start, end, delta, direction, customer, 0.3)
    return AnnotatedConversation(conv, items, [trajectory])


ANGRY_THEN_FINE = [
    ("customer", "This is the third time, I'm furious."),
    ("agent", "I'm sorry, let's fix it."),
    ("customer", "Okay."),
    ("agent", "Done."),
    ("customer", "Thanks, that's great."),
]


@pytest.mark.parametrize(
    ("start", "end", "value", "kind"),
    [
        (-0.8, 0.4, 1.0, "recovered"),  # arrived angry, left happy: full marks, not a penalty
        (-0.8, -0.7, 0.55, None),  # arrived angry and stayed so: neutral, not the agent's fault
        (0.2, -0.6, 0.1, "worsened"),  # worse during the leg, but no agent moment explains it: the system's
        (0.1, 0.5, 0.7, "improved"),
    ],
)
def test_value_comes_from_the_change_during_the_leg(trajectory_only, start, end, value, kind) -> None:
    [result] = score_conversations([annotated(ANGRY_THEN_FINE, start, end)], trajectory_only, encode=None)
    [leg_score] = result.scores
    expected = (
        Attribution.SYSTEM if kind == "worsened" else Attribution.AGENT
    )  # nlp.attribution.fair_trajectory
    assert leg_score.value == pytest.approx(value) and leg_score.attribution is expected
    assert [f.kind for f in result.findings] == ([kind] if kind else [])
    if start <= -0.3:
        assert "arrived upset, which does not count against the agent" in leg_score.reason


@pytest.mark.parametrize(
    ("closing", "kinds"),
    [
        ("Great. Thanks for nothing.", []),  # a distress cue: never quoted as leaving better
        ("thank you for absolutely nothing", []),
        ("Thanks for absolutely everything!", ["recovered"]),
    ],
)
def test_a_closing_the_distress_cues_read_is_no_recovery(trajectory_only, closing, kinds) -> None:
    turns = [*ANGRY_THEN_FINE[:-1], ("customer", closing)]
    [result] = score_conversations([annotated(turns, -0.8, 0.4)], trajectory_only, encode=None)
    [leg_score] = result.scores
    assert leg_score.value == pytest.approx(1.0)  # the score still reads the sentiment heads
    assert [f.kind for f in result.findings] == kinds


@pytest.mark.parametrize(
    ("start", "closing_positive", "kinds"),
    [
        (-0.4, 0.01, []),  # a calm problem report, then a plain answer ("PS4"): no better mood
        (-0.4, 0.6, ["improved"]),  # from a calm start, a pleased closing
        (-0.8, 0.01, ["recovered"]),  # from an upset start, calming down is enough
    ],
)
def test_from_a_calm_start_improved_needs_a_pleased_closing(
    trajectory_only, start: float, closing_positive: float, kinds: list[str]
) -> None:
    turns = [*ANGRY_THEN_FINE[:-1], ("customer", "PS4")]
    [result] = score_conversations(
        [annotated(turns, start, 0.0, closing_positive)], trajectory_only, encode=None
    )
    assert [f.kind for f in result.findings] == kinds


def test_too_few_customer_turns_gives_none(trajectory_only) -> None:
    turns = [("customer", "Hi."), ("agent", "Hello.")]
    [result] = score_conversations([annotated(turns, 0.0, 0.0)], trajectory_only, encode=None)
    assert [(s.value, s.passed) for s in result.scores] == [(None, None)]


def test_agent_overall_is_weighted_mean_of_agent_criteria_only() -> None:
    rubric = load_rubric()

    def cs(
        criterion: str, value: float | None, attribution: Attribution, leg: int | None = 0
    ) -> CriterionScore:
        return CriterionScore(
            "c", leg, "a-1", criterion, "x.v1", value, None, None, "", rubric.version, attribution
        )

    scores = [
        cs("self_worth", 0.5, Attribution.AGENT),  # weight 1.5
        cs("empathy", 1.0, Attribution.AGENT),  # weight 1.0
        cs("customer_trajectory", None, Attribution.AGENT),  # not computable: left out
        cs("repeats", 0.0, Attribution.SYSTEM, None),  # the system's: left out
        cs("transfers", 0.0, Attribution.SYSTEM, 0),  # a system score on a leg: still left out
        cs("unknown_criterion", 0.0, Attribution.AGENT),  # not in the rubric: left out
    ]
    [overall] = agent_leg_scores(scores, rubric)
    assert overall.value == pytest.approx((1.5 * 0.5 + 1.0 * 1.0) / 2.5)
    assert overall.criteria == {"self_worth": 0.5, "empathy": 1.0}
    assert overall.agent_id == "a-1" and overall.rubric_version == "default@1.8.15"


@pytest.mark.models
def test_customer_who_arrives_angry_and_is_calmed_scores_the_agent_well(score: Score) -> None:
    [result] = score(
        conversation(
            [
                ("agent", "Accounts, Sofia speaking."),
                (
                    "customer",
                    "This is a disgrace. Two missed installations and nobody called. I'm furious.",
                ),
                (
                    "agent",
                    "I'd be furious too, and you have every right to be. I'm really sorry.",
                ),
                ("customer", "It really is."),
                (
                    "agent",
                    "Here's what I can do: an engineer tomorrow morning and a credit for the missed days.",
                ),
                ("customer", "Okay, that's better. Thank you."),
                ("agent", "It's booked."),
                ("customer", "Thank you so much, you've been brilliant."),
            ],
            id="recovery",
            legs=[{"index": 0, "agent_id": "a-sofia", "department": "Accounts & Retention"}],
        )
    )
    values = {s.criterion: s.value for s in result.scores if s.leg == 0}
    assert values["customer_trajectory"] > 0.7
    assert values["empathy"] == 1.0 and values["self_worth"] == 1.0
    assert {"responded", "can_do", "acknowledge_view"} <= {f.kind for f in result.findings}
    assert any(
        f.kind in ("recovered", "improved") and f.polarity.value == "positive" for f in result.findings
    )
