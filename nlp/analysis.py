"""Per-turn analysis of many conversations at once: parse, embed, classify, trajectories.

:meth:`Analyzer.annotate` gathers every turn of every conversation and makes exactly one
``nlp.pipe`` call and one encoder pass over them (the shipped sentiment head reads that same
pass; a replacement sentiment model adds its own). Models load once per process::

    analyzer = Analyzer()
    [annotated] = analyzer.annotate([conversation])
    annotated.turns[0].sentiment.label, annotated.trajectory().direction
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
from spacy.language import Language

from nlp.annotated import AnnotatedConversation, AnnotatedTurn, Sentiment
from nlp.config import AnalysisConfig, load_analysis_config
from nlp.encoder import Encoder
from nlp.models import load_spacy
from nlp.sentiment import HEAD_NAME, SentimentClassifier, ShippedSentiment, load_sentiment
from nlp.trajectory import conversation_trajectories
from transcripts.model import Conversation


class Analyzer:
    """spaCy + encoder + sentiment, loaded lazily and once, applied in batches.

    ``config`` None reads the shipped ``nlp/analysis.yaml``. spaCy loads on the first
    :meth:`annotate`; :meth:`classify_texts` needs only the encoder (and sentiment model).
    """

    def __init__(self, config: AnalysisConfig | None = None) -> None:
        self.config = config or load_analysis_config()

    @cached_property
    def nlp(self) -> Language:
        """The spaCy pipeline (NER and other unused components disabled)."""
        return load_spacy(self.config.spacy.models, self.config.spacy.disable)

    @cached_property
    def encoder(self) -> Encoder:
        """The sentence encoder shared by embeddings and the shipped sentiment head."""
        return Encoder.from_config(self.config.encoder)

    @cached_property
    def sentiment(self) -> SentimentClassifier:
        """The configured sentiment model."""
        shipped = self.config.sentiment.is_shipped
        return load_sentiment(self.config.sentiment, self.encoder if shipped else None)

    def load(self) -> Analyzer:
        """Load every model now (e.g. before timing or forking workers); returns self."""
        _ = self.nlp, self.encoder, self.sentiment
        return self

    def annotate(self, conversations: Sequence[Conversation]) -> list[AnnotatedConversation]:
        """Annotate every turn of every conversation, in one spaCy and one encoder pass.

        Results are in input order; a conversation without turns gets no annotated turns (its
        trajectories have None fields).
        """
        turns = [turn for conversation in conversations for turn in conversation.turns]
        texts = [turn.text for turn in turns]
        docs = list(self.nlp.pipe(texts, batch_size=self.config.spacy.batch_size))
        embeddings, sentiments = self._embed_and_classify(texts)
        result: list[AnnotatedConversation] = []
        position = 0
        for conversation in conversations:
            count = len(conversation.turns)
            span = range(position, position + count)
            annotated_turns = [
                AnnotatedTurn(turn=turns[i], doc=docs[i], embedding=embeddings[i], sentiment=sentiments[i])
                for i in span
            ]
            trajectories = conversation_trajectories(
                conversation, [sentiments[i] for i in span], self.config.trajectory.flat_threshold
            )
            result.append(AnnotatedConversation(conversation, annotated_turns, trajectories))
            position += count
        return result

    def classify_texts(self, texts: Sequence[str]) -> list[Sentiment]:
        """Sentiment of free texts (no spaCy), batched; one result per text, in order."""
        return self.sentiment.classify_texts(list(texts))

    def _embed_and_classify(self, texts: list[str]) -> tuple[np.ndarray, list[Sentiment]]:
        classifier = self.sentiment
        if isinstance(classifier, ShippedSentiment):
            result = self.encoder.run(texts, heads=[classifier.head])
            sentiments = classifier.from_pass(result.head_outputs[HEAD_NAME]) if texts else []
            return result.embeddings, sentiments
        return self.encoder.run(texts).embeddings, classifier.classify_texts(texts)
