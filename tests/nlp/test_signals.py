"""The learned signal heads on the shared encoder pass, with the real encoder and the shipped heads.

The behaviour table holds sentences from real service conversations (the failure list of the
learned-signals issue and the real labelled set's guidelines): what the heads must get right
for a card to be trusted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.analysis import Analyzer
from nlp.config import ConfigError, load_analysis_config
from nlp.scorers.learned import cutoff
from nlp.signals import SignalHeads, model_text, turn_inputs, without_openers
from transcripts.model import Conversation

pytestmark = pytest.mark.models


def test_model_text_replaces_links_handles_and_entities() -> None:
    assert model_text("@AdobeCare see https://x.y/z &amp; more") == "@user see http & more"
    assert model_text("email me at a@b.com") == "email me at a@b.com"


def test_turn_inputs_pair_each_turn_with_the_customer_turn_it_answers() -> None:
    features = np.arange(10, dtype=np.float32).reshape(5, 2)
    roles = ["customer", "agent", "agent", "customer", "agent"]
    inputs = turn_inputs(features, roles, [3, 2])
    assert inputs.shape == (5, 4)
    assert inputs[0, 2:].tolist() == [0, 0]  # first turn: no context
    assert inputs[1, 2:].tolist() == features[0].tolist()
    assert inputs[2, 2:].tolist() == features[0].tolist()
    assert inputs[4, 2:].tolist() == features[3].tolist()  # second conversation starts afresh
    assert inputs[3, 2:].tolist() == [0, 0]


def test_cutoffs_rise_with_the_precision_asked_for() -> None:
    heads = SignalHeads.load()
    for name, head in heads.heads.items():
        for label in head.curves:
            cuts = [heads.cutoff(name, label, p) for p in (0.5, 0.7, 0.8, 0.9, 0.99)]
            assert all(0.0 < c <= 1.0 for c in cuts), (name, label, cuts)
    assert cutoff("empathic", "true", 0.8) < 1.0
    assert cutoff("distress", "true", 0.8) < 1.0
    assert cutoff("handoff", "channel_move", 0.8) < 1.0


CUSTOMER = "I was charged twice this month and nobody answers my emails."
AGENT_CASES = [
    ("Hi Justin, sorry for the trouble.", "empathic", "true", True),
    ("I'm so sorry to hear that, that sounds really frustrating.", "empathic", "true", True),
    ("Please DM us your email address and we'll take a look.", "handoff", "channel_move", True),
    ("Send us a DM with your account email and we'll look into it.", "handoff", "channel_move", True),
    ("Could you tell us which device you're using?", "handoff", "channel_move", False),
    ("Could you tell us which device you're using?", "empathic", "true", False),
]
CUSTOMER_CASES = [
    ("I've been on hold for forty minutes and I'm fed up.", True),
    ("This is unbelievable. I want to speak to a supervisor.", True),
    ("Now it worked out!! Thank you", False),
    ("How do I change the email address on my account?", False),
]


# Answers to an agent's question: the particle says nothing of the customer's mood (MODEL_CARD.md,
# "Answer particles"); the complaint after it still does.
ANSWER_CASES = [
    ("No, I bought it in November.", False),
    ("No", False),
    ("No, I'm using the app.", False),
    ("No, that's everything. Thanks!", False),
    ("No, it still doesn't work.", True),
]


@pytest.fixture(scope="module")
def annotate(analyzer: Analyzer):  # type: ignore[no-untyped-def]
    def run(turns: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
        conversation = Conversation.model_validate(
            {
                "id": "c",
                "channel": "chat",
                "turns": [{"index": i, "role": r, "text": t} for i, (r, t) in enumerate(turns)],
            }
        )
        return analyzer.annotate([conversation])[0].turns

    return run


@pytest.mark.parametrize(("text", "signal", "label", "expected"), AGENT_CASES)
def test_agent_turn_signals(annotate, text: str, signal: str, label: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    turn = annotate([("customer", CUSTOMER), ("agent", text)])[1]
    probability = turn.signal(signal, label)
    assert probability is not None
    assert (probability >= cutoff(signal, label, 0.8)) is expected, probability


@pytest.mark.parametrize(("text", "distressed"), CUSTOMER_CASES)
def test_customer_distress(annotate, text: str, distressed: bool) -> None:  # type: ignore[no-untyped-def]
    turn = annotate([("customer", text)])[0]
    probability = turn.signal("distress", "true")
    assert probability is not None
    assert (probability >= cutoff("distress", "true", 0.8)) is distressed, probability


@pytest.mark.parametrize(("text", "negative"), ANSWER_CASES)
def test_an_answer_particle_does_not_make_an_answer_negative(annotate, text: str, negative: bool) -> None:  # type: ignore[no-untyped-def]
    question = "Have you tried reinstalling the app since then?"
    turn = annotate([("customer", "My app keeps crashing."), ("agent", question), ("customer", text)])[2]
    assert (turn.sentiment.label.value == "negative") is negative, turn.sentiment


def test_signals_only_for_the_turns_role(annotate) -> None:  # type: ignore[no-untyped-def]
    customer, agent = annotate([("customer", CUSTOMER), ("agent", "Let me check that for you.")])
    assert set(customer.signals) == {"distress", "sentiment"}
    assert set(agent.signals) == {"empathic", "face_threat", "face_kind", "can_do", "handoff", "politeness"}
    assert sum(agent.signals["handoff"].values()) == pytest.approx(1.0, abs=1e-3)


def test_the_same_turn_gets_the_same_signals_alone_or_in_a_batch(annotate) -> None:  # type: ignore[no-untyped-def]
    alone = annotate([("customer", CUSTOMER), ("agent", "Sorry about that, I'll fix it now.")])[1]
    crowd = annotate(
        [("customer", "x " * 40), ("customer", CUSTOMER), ("agent", "Sorry about that, I'll fix it now.")]
    )[2]
    for name, values in alone.signals.items():
        for label, p in values.items():
            assert crowd.signals[name][label] == pytest.approx(p, abs=2e-3)


OPENED = ["Sorry, what was that?", "Sorry, can you repeat the last part?", "Nope. What next?"]


@pytest.mark.parametrize("text", OPENED)
def test_a_customers_no_or_sorry_does_not_make_the_turn_negative(annotate, text: str) -> None:  # type: ignore[no-untyped-def]
    turn = annotate([("agent", "Your order ships on Monday."), ("customer", text)])[1]
    assert turn.sentiment.label.value != "negative", turn.sentiment


def test_a_customers_opener_is_skipped_and_an_agents_sorry_is_read(annotate) -> None:  # type: ignore[no-untyped-def]
    opened, bare, agent = annotate(
        [
            ("customer", "No, sorry, the screen is still black."),
            ("customer", "the screen is still black."),
            ("agent", "No, sorry, the screen is still black."),
        ]
    )
    assert np.array_equal(opened.embedding, bare.embedding)
    assert opened.sentiment == bare.sentiment
    assert not np.allclose(agent.embedding, bare.embedding, atol=1e-3)


def test_openers_skip_only_whole_words_before_punctuation() -> None:
    openers = ("no", "nope", "sorry")
    assert without_openers("@user No, sorry, I bought it.", openers) == "@user I bought it."
    assert without_openers("Nope. What next?", openers) == "What next?"
    assert without_openers("No one called me back.", openers) == "No one called me back."
    assert without_openers("Nobody, really.", openers) == "Nobody, really."
    assert without_openers("Sorry?", openers) == "Sorry?"
    assert without_openers("No, sorry, I bought it.", ()) == "No, sorry, I bought it."


def test_openers_before_a_closing_word_need_no_punctuation() -> None:
    openers, followers = ("no", "nope"), ("thats", "that's", "im")
    assert without_openers("nope thats all", openers, followers) == "thats all"
    assert without_openers("No that's it, thanks", openers, followers) == "that's it, thanks"
    assert without_openers("no im good", openers, followers) == "im good"
    assert without_openers("no thats all", openers) == "no thats all"  # without followers: as before
    assert without_openers("No one called me back.", openers, followers) == "No one called me back."
    assert without_openers("nope thatsall", openers, followers) == "nope thatsall"  # whole words only


def test_a_closing_no_thats_all_reads_calm(analyzer: Analyzer) -> None:
    """The heads read "nope thats all" P(negative) 0.51 before its particle was skipped."""
    conversation = Conversation.model_validate(
        {
            "id": "closing",
            "channel": "chat",
            "turns": [
                {"index": 0, "role": "agent", "text": "Anything else I can help with today?"},
                {"index": 1, "role": "customer", "text": "nope thats all"},
            ],
        }
    )
    [annotated] = analyzer.annotate([conversation])
    assert annotated.turns[1].signal("sentiment", "negative") < 0.2


def test_an_unquoted_no_among_the_openers_names_the_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "analysis.yaml"
    path.write_text("spacy:\n  batch_size: 64\ncustomer_openers: [no, sorry]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"analysis\.yaml:3: customer_openers\[0\]"):
        load_analysis_config(path)
