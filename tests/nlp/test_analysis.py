"""Analyzer.annotate: one batched pass, same results as one conversation at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from spacy.tokens import Doc

from nlp.analysis import Analyzer
from nlp.annotated import Direction, Sentiment, SentimentLabel
from nlp.encoder import BatchHead, Encoder, EncoderPass
from transcripts.model import Conversation, Role

pytestmark = pytest.mark.models

C, A = Role.CUSTOMER, Role.AGENT


@pytest.fixture
def conversations(make_conversation: Callable[..., Conversation]) -> list[Conversation]:
    return [
        make_conversation(
            "billing",
            [
                (C, "I was charged twice for the same order and nobody has fixed it.", 0),
                (A, "Let me transfer you to billing.", 0),
                (C, "Fine.", 1),
                (A, "I can see both charges, I've refunded the duplicate just now.", 1),
                (C, "Thank you so much, that's perfect!", 1),
            ],
            legs=2,
        ),
        make_conversation("empty", []),
        make_conversation("short", [(C, "hi", 0), (A, "Let me transfer you to billing.", 0)]),
        make_conversation(
            "angry",
            [
                (C, "This is the worst service I have ever had, I'm furious.", 0),
                (A, "Please calm down, that's our policy.", 0),
                (C, "Unbelievable. I'm cancelling my account, you are useless.", 0),
            ],
        ),
    ]


def test_annotate_shapes_and_alignment(analyzer: Analyzer, conversations: list[Conversation]) -> None:
    result = analyzer.annotate(conversations)
    assert [a.id for a in result] == [c.id for c in conversations]
    for annotated, conversation in zip(result, conversations, strict=True):
        assert [t.turn for t in annotated.turns] == conversation.turns
        for turn in annotated.turns:
            assert turn.doc.text == turn.text and turn.doc.has_annotation("DEP")
            assert turn.embedding.shape == (384,)
            assert np.isclose(np.linalg.norm(turn.embedding), 1.0, atol=1e-5)
            assert -1.0 <= turn.sentiment.score <= 1.0
            assert turn.sentiment.model == analyzer.sentiment_name + _cue_suffix(turn.sentiment)
        legs = [t.leg for t in annotated.trajectories]
        assert legs == [leg.index for leg in conversation.legs] + [None]
    empty = result[1]
    assert empty.turns == [] and empty.trajectory().customer_turns == 0 and empty.trajectory().start is None
    assert result[2].trajectory().direction == Direction.FLAT and result[2].trajectory().delta == 0.0


def test_batched_equals_one_conversation_at_a_time(
    analyzer: Analyzer, conversations: list[Conversation]
) -> None:
    together = analyzer.annotate(conversations)
    for batched, conversation in zip(together, conversations, strict=True):
        (alone,) = analyzer.annotate([conversation])
        for x, y in zip(batched.turns, alone.turns, strict=True):
            assert x.sentiment.label == y.sentiment.label
            assert x.sentiment.score == pytest.approx(y.sentiment.score, abs=1e-4)
            assert np.allclose(x.embedding, y.embedding, atol=1e-4)
            assert [t.dep_ for t in x.doc] == [t.dep_ for t in y.doc]
        for tx, ty in zip(batched.trajectories, alone.trajectories, strict=True):
            assert tx.direction == ty.direction and tx.customer_turns == ty.customer_turns


def test_embeddings_and_sentiment_match_direct_calls(
    analyzer: Analyzer, conversations: list[Conversation]
) -> None:
    annotated = analyzer.annotate(conversations)[0]
    texts = [t.text for t in annotated.turns]
    assert np.allclose(
        np.stack([t.embedding for t in annotated.turns]), analyzer.encoder.encode(texts), atol=1e-4
    )
    direct = analyzer.classify_texts(texts)  # no parse, so no negative cues
    assert any(t.sentiment.cue for t in annotated.turns)
    _assert_model_reading(direct, [t.sentiment for t in annotated.turns], analyzer)


def test_one_spacy_pipe_and_one_encoder_pass(
    analyzer: Analyzer, conversations: list[Conversation], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, list[int]] = {"pipe": [], "run": []}
    real_pipe, real_run = analyzer.nlp.pipe, Encoder.run

    def counting_pipe(texts: Iterable[str], **kwargs: Any) -> Iterator[Doc]:
        texts = list(texts)
        calls["pipe"].append(len(texts))
        return real_pipe(texts, **kwargs)

    def counting_run(
        self: Encoder, texts: Sequence[str], heads: Sequence[BatchHead] = (), only: Any = None
    ) -> EncoderPass:
        calls["run"].append(len(texts))
        return real_run(self, texts, heads, only)

    monkeypatch.setattr(analyzer.nlp, "pipe", counting_pipe)
    monkeypatch.setattr(Encoder, "run", counting_run)
    analyzer.annotate(conversations)
    total = sum(len(c.turns) for c in conversations)
    distinct = len({t.text for c in conversations for t in c.turns})
    assert distinct < total  # the fixture repeats a turn text: parsed once, encoded once
    assert calls == {"pipe": [distinct], "run": [distinct]}


def test_repeated_texts_share_one_parse_equal_to_a_lone_parse(
    analyzer: Analyzer, conversations: list[Conversation]
) -> None:
    annotated = analyzer.annotate(conversations)
    by_text: dict[str, list[Doc]] = {}
    for turn in (t for a in annotated for t in a.turns):
        by_text.setdefault(turn.text, []).append(turn.doc)
    repeated = [docs for docs in by_text.values() if len(docs) > 1]
    assert repeated and all(all(d is docs[0] for d in docs) for docs in repeated)
    attrs = ["ORTH", "TAG", "POS", "DEP", "HEAD", "LEMMA", "SENT_START", "MORPH"]
    for text, (doc, *_) in by_text.items():
        alone = analyzer.nlp(text)
        assert np.array_equal(doc.to_array(attrs), alone.to_array(attrs)), text


def test_trajectory_follows_the_customer(analyzer: Analyzer, conversations: list[Conversation]) -> None:
    billing, _, _, angry = analyzer.annotate(conversations)
    whole = billing.trajectory()
    assert whole.customer_turns == 3 and whole.direction == Direction.IMPROVING
    assert billing.turns[-1].sentiment.label == SentimentLabel.POSITIVE
    assert angry.trajectory(0).start < 0 and angry.trajectory(0).end < 0
    assert billing.trajectory(1).customer_turns == 2


def test_annotate_nothing(analyzer: Analyzer) -> None:
    assert analyzer.annotate([]) == []
    assert analyzer.classify_texts([]) == []


def test_replacement_sentiment_model_runs_its_own_pass(
    analyzer: Analyzer,
    conversations: list[Conversation],
    tiny_classifier: Callable[[Path, dict[int, str]], Path],
    tmp_path: Path,
) -> None:
    path = tiny_classifier(tmp_path / "tiny", {0: "neg", 1: "neu", 2: "pos"})
    labels = {"neg": "negative", "neu": "neutral", "pos": "positive"}
    other = Analyzer(analyzer.config.with_sentiment_model(str(path), labels))
    assert other.encoder.model is analyzer.encoder.model  # encoder weights shared per process
    replaced = other.annotate(conversations)
    shipped = analyzer.annotate(conversations)
    for mine, theirs in zip(replaced, shipped, strict=True):
        for x, y in zip(mine.turns, theirs.turns, strict=True):
            assert x.sentiment.model == str(path) + _cue_suffix(x.sentiment)
            assert x.sentiment.cue == y.sentiment.cue  # the cues hold whatever model reads sentiment
            assert np.allclose(x.embedding, y.embedding, atol=1e-5)  # embeddings do not depend on it
    texts = [t.text for t in replaced[0].turns]
    _assert_model_reading(other.classify_texts(texts), [t.sentiment for t in replaced[0].turns], other)


def _cue_suffix(sentiment: Sentiment) -> str:
    """What a negative cue adds to the model name of a turn's sentiment."""
    return "" if sentiment.cue is None else f"+cue:{sentiment.cue}"


def _assert_model_reading(direct: list[Sentiment], annotated: list[Sentiment], analyzer: Analyzer) -> None:
    """``annotated`` is the model's ``direct`` reading, except that a cued turn is negative at most
    ``1 - 2 * confidence``."""
    cues = analyzer.config.negative_cues
    assert cues is not None
    for model, turn in zip(direct, annotated, strict=True):
        if turn.cue is None:
            assert (turn.label, turn.model) == (model.label, model.model)
            assert turn.score == pytest.approx(model.score, abs=1e-4)
        else:
            assert turn.label is SentimentLabel.NEGATIVE and turn.model == model.model + _cue_suffix(turn)
            assert turn.score == pytest.approx(min(model.score, 1 - 2 * cues.confidence), abs=1e-4)
