"""``negative_cues``: a customer turn with a distress cue of the rubric reads negative, naming the cue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy

from nlp.analysis import Analyzer
from nlp.annotated import AnnotatedTurn, Sentiment, SentimentLabel
from nlp.config import ConfigError, load_analysis_config
from nlp.trajectory import TrajectoryReading, turn_scores
from transcripts.model import Role, Turn

SHIPPED = Path(__file__).resolve().parents[2] / "nlp" / "analysis.yaml"

# Lines the sentiment head reads as praise or calm (measured before the cues: +1.00, +0.95, +0.83,
# +0.76, +0.22, +0.10), each with the cue that now decides.
CUED = [
    ("Great, another dropped call. Just great.", "great_another_failure"),
    ("It dropped again. Just great.", "broke_again"),
    ("Just great.", "just_great"),
    ("Thanks for nothing.", "thanks_for_nothing"),
    ("I'm so glad I waited two hours for this.", "waited_for_ages"),
    ("This is unbelievable. I want to speak to a supervisor.", "this_is_ridiculous"),
    ("Wonderful, the app crashed again.", "broke_again"),
    ("I've been on hold for forty minutes.", "on_hold_for_ages"),
    ("Oh great, another update that breaks everything.", "great_another_failure"),
]


def _customer_turns(analyzer: Analyzer, make_conversation, texts: list[str], role: Role = Role.CUSTOMER):
    conversation = make_conversation("cues", [(role, text, 0) for text in texts])
    return analyzer.annotate([conversation])[0].turns


@pytest.mark.models
def test_a_cue_makes_a_customer_turn_negative_and_names_itself(analyzer: Analyzer, make_conversation) -> None:
    cues = analyzer.config.negative_cues
    assert cues is not None
    turns = _customer_turns(analyzer, make_conversation, [text for text, _ in CUED])
    for turn, (_, rule) in zip(turns, CUED, strict=True):
        assert turn.sentiment.label is SentimentLabel.NEGATIVE, turn.text
        assert turn.sentiment.cue == rule
        assert turn.sentiment.model.endswith(f"+cue:{rule}")
        assert turn.sentiment.score <= 1 - 2 * cues.confidence + 1e-9


@pytest.mark.models
def test_without_cues_the_model_alone_reads_most_of_them_as_not_negative(make_conversation) -> None:
    config = load_analysis_config()
    plain = Analyzer(config.model_copy(update={"negative_cues": None}))
    turns = _customer_turns(plain, make_conversation, [text for text, _ in CUED])
    assert all(t.sentiment.cue is None for t in turns)
    assert sum(t.sentiment.label is not SentimentLabel.NEGATIVE for t in turns) >= 4


@pytest.mark.models
def test_negated_cues_agent_turns_and_plain_turns_keep_the_models_sentiment(
    analyzer: Analyzer, make_conversation
) -> None:
    calm = [
        "I'm not frustrated at all, just curious how the plan works.",
        "Thank you so much, that fixed it!",
        "Great, another question: can I change the date?",
    ]
    for turn in _customer_turns(analyzer, make_conversation, calm):
        assert turn.sentiment.cue is None
        assert "+cue:" not in turn.sentiment.model
    (agent,) = _customer_turns(analyzer, make_conversation, ["Thanks for nothing."], role=Role.AGENT)
    assert agent.sentiment.cue is None


@pytest.mark.models
def test_a_way_to_do_something_is_no_hardship(analyzer: Analyzer, make_conversation) -> None:
    texts = [
        "Is there any way to get the old version back?",
        "I have no way to transfer the ebook to my reader.",
        "I have no money left until Friday.",
    ]
    cues = [t.sentiment.cue for t in _customer_turns(analyzer, make_conversation, texts)]
    assert cues == [None, None, "no_money"]


def test_a_cue_turn_reads_its_negative_probability_as_at_least_the_confidence() -> None:
    blank = spacy.blank("en")

    def turn(i: int, cue: str | None, negative: float) -> AnnotatedTurn:
        t = Turn(index=i, role=Role.CUSTOMER, text=f"turn {i}")
        sentiment = Sentiment(SentimentLabel.NEGATIVE, -0.8, "m", cue=cue)
        signals = {"sentiment": {"negative": negative}, "distress": {"true": 0.5}}
        return AnnotatedTurn(t, blank(t.text), np.zeros(4, dtype=np.float32), sentiment, signals)

    reading = TrajectoryReading(negative=0.8, distress=0.2)
    turns = [turn(0, "just_great", 0.05), turn(1, None, 0.05), turn(2, "just_great", 0.95)]
    assert turn_scores(turns, reading, cue_confidence=0.9) == pytest.approx([-0.82, -0.14, -0.86])
    assert turn_scores(turns, reading) == pytest.approx([-0.14, -0.14, -0.86])


def test_cue_labels_must_be_in_the_file(tmp_path: Path) -> None:
    cue_file = SHIPPED.parent.parent / "rubrics" / "patterns" / "distress.jsonl"
    text = SHIPPED.read_text().replace("labels: [distress]", "labels: [distress, misery]")
    text = text.replace("../rubrics/patterns/distress.jsonl", str(cue_file))
    bad = tmp_path / "analysis.yaml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match=r"misery"):
        load_analysis_config(bad)


def test_the_cue_file_is_read_relative_to_the_config(tmp_path: Path) -> None:
    moved = tmp_path / "analysis.yaml"
    moved.write_text(SHIPPED.read_text())
    with pytest.raises(ConfigError, match=r"pattern file not found"):
        load_analysis_config(moved)
    assert load_analysis_config(SHIPPED).negative_cues is not None


@pytest.mark.models
def test_thanks_outside_the_cue_keeps_the_models_reading(analyzer: Analyzer, make_conversation) -> None:
    texts = [
        "Yes, that's me. Thanks for calling back, that's much better than sitting on hold for forty minutes.",
        "Great. Thanks for nothing.",
    ]
    turns = _customer_turns(analyzer, make_conversation, texts)
    assert [t.sentiment.cue for t in turns] == [None, "thanks_for_nothing"]
    assert turns[0].sentiment.label is SentimentLabel.POSITIVE


@pytest.mark.models
def test_an_unknown_strategy_is_refused(make_conversation) -> None:
    config = load_analysis_config()
    assert config.negative_cues is not None
    cues = config.negative_cues.model_copy(update={"unless_strategies": frozenset({"flattery"})})
    analyzer = Analyzer(config.model_copy(update={"negative_cues": cues}))
    with pytest.raises(ValueError, match=r"flattery.*politeness_strategies"):
        analyzer.annotate([make_conversation("x", [(Role.CUSTOMER, "Thanks for nothing.", 0)])])
