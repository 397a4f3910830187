"""Trajectory logic: a table of (role, score) sequences and the trajectory they must give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy

from nlp.annotated import AnnotatedTurn, Direction, Sentiment, SentimentLabel
from nlp.config import ConfigError, TrajectoryReading, load_analysis_config
from nlp.trajectory import (
    conversation_trajectories,
    customer_trajectory,
    direction_of,
    says_something,
    third,
    turn_scores,
)
from transcripts.model import Role, Turn

C, A, B = Role.CUSTOMER, Role.AGENT, Role.BOT


def _sentiment(score: float) -> Sentiment:
    return Sentiment(SentimentLabel.NEUTRAL, score, "test")


CASES = [
    # id, turns, (start, end, delta, direction, customer_turns, agent_tone)
    ("no turns", [], (None, None, None, None, 0, None)),
    ("agent only", [(A, 0.4), (A, 0.2)], (None, None, None, None, 0, 0.3)),
    ("one customer turn is flat", [(C, -0.9), (A, 0.5)], (-0.9, -0.9, 0.0, Direction.FLAT, 1, 0.5)),
    ("two turns improving", [(C, -0.8), (A, 0.0), (C, 0.6)], (-0.8, 0.6, 1.4, Direction.IMPROVING, 2, 0.0)),
    ("two turns worsening", [(C, 0.5), (C, -0.5)], (0.5, -0.5, -1.0, Direction.WORSENING, 2, None)),
    ("small change is flat", [(C, 0.10), (C, 0.20)], (0.10, 0.20, 0.10, Direction.FLAT, 2, None)),
    ("exactly threshold is not flat", [(C, 0.0), (C, 0.15)], (0.0, 0.15, 0.15, Direction.IMPROVING, 2, None)),
    (
        "three turns: first vs last",
        [(C, -1.0), (C, 1.0), (C, 0.0)],
        (-1.0, 0.0, 1.0, Direction.IMPROVING, 3, None),
    ),
    (
        "four turns: thirds of two",
        [(C, -1.0), (C, -0.5), (C, 0.5), (C, 1.0)],
        (-0.75, 0.75, 1.5, Direction.IMPROVING, 4, None),
    ),
    (
        "six turns: thirds of two, middle ignored",
        [(C, -0.2), (C, -0.4), (C, 1.0), (C, 1.0), (C, -0.6), (C, -0.8)],
        (-0.3, -0.7, -0.4, Direction.WORSENING, 6, None),
    ),
    (
        "bot turns are not agent tone",
        [(B, -1.0), (C, 0.2), (A, 0.8)],
        (0.2, 0.2, 0.0, Direction.FLAT, 1, 0.8),
    ),
]


@pytest.mark.parametrize(("turns", "expected"), [(t, e) for _, t, e in CASES], ids=[c[0] for c in CASES])
def test_customer_trajectory_table(turns: list[tuple[Role, float]], expected: tuple) -> None:
    result = customer_trajectory("c1", 0, turns, 0.15)
    start, end, delta, direction, customer_turns, agent_tone = expected
    assert result.conversation_id == "c1" and result.leg == 0
    for got, want in (
        (result.start, start),
        (result.end, end),
        (result.delta, delta),
        (result.agent_tone, agent_tone),
    ):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want)
    assert result.direction == direction
    assert result.customer_turns == customer_turns


@pytest.mark.parametrize(
    ("delta", "threshold", "expected"),
    [
        (0.0, 0.15, Direction.FLAT),
        (0.149, 0.15, Direction.FLAT),
        (-0.149, 0.15, Direction.FLAT),
        (0.15, 0.15, Direction.IMPROVING),
        (-0.15, 0.15, Direction.WORSENING),
        (0.3, 0.5, Direction.FLAT),
        (0.01, 0.0, Direction.IMPROVING),
    ],
)
def test_direction_threshold(delta: float, threshold: float, expected: Direction) -> None:
    assert direction_of(delta, threshold) == expected


@pytest.mark.parametrize(("n", "k"), [(1, 1), (2, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4)])
def test_third_rounds_up(n: int, k: int) -> None:
    assert third(n) == k


def test_conversation_trajectories_per_leg_then_whole(make_conversation) -> None:
    conversation = make_conversation(
        "c9",
        [
            (C, "my card was charged twice", 0),
            (A, "let me transfer you", 0),
            (C, "this is ridiculous", 1),
            (A, "I can fix that now", 1),
            (C, "thanks, that is great", 1),
        ],
        legs=3,
    )
    result = conversation_trajectories(conversation, [-0.2, 0.1, -0.9, 0.5, 0.8], 0.15)
    assert [t.leg for t in result] == [0, 1, 2, None]
    leg0, leg1, leg2, whole = result
    assert (leg0.customer_turns, leg0.direction, leg0.delta) == (1, Direction.FLAT, 0.0)
    assert leg1.start == pytest.approx(-0.9) and leg1.end == pytest.approx(0.8)
    assert leg1.direction == Direction.IMPROVING and leg1.agent_tone == pytest.approx(0.5)
    assert leg2.customer_turns == 0 and leg2.direction is None and leg2.agent_tone is None
    assert (
        whole.customer_turns == 3 and whole.start == pytest.approx(-0.2) and whole.end == pytest.approx(0.8)
    )
    assert whole.agent_tone == pytest.approx(0.3)


def test_conversation_trajectories_uses_configured_threshold(make_conversation) -> None:
    conversation = make_conversation("c2", [(C, "meh", 0), (C, "better", 0)])
    assert conversation_trajectories(conversation, [0.0, 0.3], 0.5)[-1].direction == Direction.FLAT
    assert conversation_trajectories(conversation, [0.0, 0.3], 0.15)[-1].direction == Direction.IMPROVING


def test_conversation_trajectories_rejects_misaligned_sentiments(make_conversation) -> None:
    conversation = make_conversation("c3", [(C, "hello", 0)])
    with pytest.raises(ValueError, match="1 turns"):
        conversation_trajectories(conversation, [], 0.15)


# --- what a turn's score is made of (trajectory.customer_turn in nlp/analysis.yaml) -------------


@pytest.mark.parametrize(
    ("weights", "sentiment", "negative", "distress", "expected"),
    [
        (
            {"sentiment": 1},
            0.9,
            None,
            None,
            0.9,
        ),  # the sentiment score alone: unused probabilities may be absent
        ({"negative": 1}, 0.9, 0.05, None, -0.05),  # a warm turn and a calm one read (nearly) the same
        ({"distress": 1}, -0.9, None, 0.7, -0.7),
        ({"negative": 0.8, "distress": 0.2}, 0.4, 0.1, 0.6, -0.2),
        ({"negative": 4, "distress": 1}, 0.4, 0.1, 0.6, -0.2),  # weights are normalised
        ({"sentiment": 1, "distress": 1}, 0.4, None, 0.8, -0.2),
    ],
)
def test_customer_score_table(
    weights: dict[str, float],
    sentiment: float,
    negative: float | None,
    distress: float | None,
    expected: float,
) -> None:
    reading = TrajectoryReading(**weights)
    assert reading.customer_score(sentiment, negative, distress) == pytest.approx(expected)


def test_customer_score_needs_the_probabilities_it_weighs() -> None:
    with pytest.raises(ValueError, match="no distress probability"):
        TrajectoryReading(negative=0.5, distress=0.5).customer_score(0.0, 0.2, None)


def test_turn_scores_read_customer_mood_and_agent_sentiment() -> None:
    blank = spacy.blank("en")

    def turn(i: int, role: Role, score: float, signals: dict) -> AnnotatedTurn:
        t = Turn(index=i, role=role, text=f"turn {i}")
        return AnnotatedTurn(t, blank(t.text), np.zeros(4, dtype=np.float32), _sentiment(score), signals)

    reading = TrajectoryReading(negative=0.8, distress=0.2)
    turns = [
        turn(0, C, 0.9, {"sentiment": {"negative": 0.05}, "distress": {"true": 0.1}}),
        turn(1, A, 0.7, {}),
        turn(2, C, -0.9, {"sentiment": {"negative": 0.9}, "distress": {"true": 0.8}}),
    ]
    assert turn_scores(turns, reading) == pytest.approx([-0.06, 0.7, -0.88])
    with pytest.raises(ValueError, match=r"turn 3 \('turn 3'\): no negative probability"):
        turn_scores([*turns, turn(3, C, 0.0, {})], reading)


def test_shipped_reading_loads() -> None:
    reading = load_analysis_config().trajectory.customer_turn
    assert reading.sentiment + reading.negative + reading.distress > 0
    assert reading == TrajectoryReading(negative=0.8, distress=0.2)  # the code default mirrors the file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "trajectory:\n  customer_turn:\n    sentiment: 0\n    distress: 0\n",
            r"analysis\.yaml:2: trajectory\.customer_turn: .*weight above 0",
        ),
        (
            "trajectory:\n  customer_turn:\n    sentiment: 1\n    mood: 2\n",
            r"analysis\.yaml:4: trajectory\.customer_turn\.mood",
        ),
        (
            "trajectory:\n  customer_turn:\n    distress: -1\n",
            r"analysis\.yaml:3: trajectory\.customer_turn\.distress",
        ),
    ],
)
def test_bad_reading_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "analysis.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_analysis_config(path)


def test_a_customer_turn_that_says_nothing_is_left_out(make_conversation) -> None:
    """'@sundarpichai @Google' after a plea for help is no improvement (a real calibration thread)."""
    blank = spacy.blank("en")
    texts = [
        (C, "I forgot my password and I can't recover my account, please help asap."),
        (A, "Sorry to hear that! Please follow these steps."),
        (C, "@sundarpichai @Google"),
    ]
    negatives = [0.9, None, 0.05]
    turns = [
        AnnotatedTurn(
            Turn(index=i, role=role, text=text),
            blank(text),
            np.zeros(4, dtype=np.float32),
            _sentiment(0.0),
            {} if p is None else {"sentiment": {"negative": p}, "distress": {"true": p}},
        )
        for i, ((role, text), p) in enumerate(zip(texts, negatives, strict=True))
    ]
    scores = turn_scores(turns, TrajectoryReading(negative=0.8, distress=0.2))
    assert scores[0] == pytest.approx(-0.9) and scores[2] is None
    conversation = make_conversation("c1", [(role, text, 0) for role, text in texts])
    whole = conversation_trajectories(conversation, scores, 0.15)[-1]
    assert (whole.customer_turns, whole.direction, whole.delta) == (1, Direction.FLAT, 0.0)
    assert turn_scores(turns[2:], TrajectoryReading(negative=1.0)) == [None]


@pytest.mark.parametrize(
    ("text", "as_mood", "as_report"),
    [
        ("@sundarpichai @Google https://t.co/x", False, False),
        ("[NAME]. [ACCOUNT].", True, False),  # a placeholder is a word of the trajectory, not a report
        ("[NAME]. I want to cancel.", True, True),
    ],
)
def test_says_something_and_placeholders(text: str, as_mood: bool, as_report: bool) -> None:
    blank = spacy.blank("en")
    turn = AnnotatedTurn(
        Turn(index=0, role=C, text=text), blank(text), np.zeros(4, dtype=np.float32), _sentiment(0.0), {}
    )
    assert (says_something(turn), says_something(turn, placeholders=False)) == (as_mood, as_report)
