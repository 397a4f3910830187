"""Per-turn analysis of many conversations at once: parse, embed, classify, trajectories.

:meth:`Analyzer.annotate` gathers every turn of every conversation and makes exactly one
``nlp.pipe`` call and one encoder pass over them (the shipped sentiment and signal heads read
that same pass; a replacement sentiment model adds its own). Models load once per process::

    analyzer = Analyzer()
    [annotated] = analyzer.annotate([conversation])
    annotated.turns[0].sentiment.label, annotated.trajectory().direction
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotated import AnnotatedConversation, AnnotatedTurn, Sentiment, SentimentLabel
from nlp.config import AnalysisConfig, NegativeCues, TrajectoryReading, load_analysis_config
from nlp.encoder import Encoder
from nlp.face_threats import FACE_HEAD, FaceThreatHead
from nlp.models import load_spacy, memory_zone, present
from nlp.politeness import STRATEGIES_PATH, PolitenessStrategies, strategy_rows
from nlp.scorers.matching import CompiledPatterns
from nlp.sentiment import HEAD_NAME, SentimentClassifier, ShippedSentiment, load_sentiment
from nlp.signals import (
    FEATURES_HEAD,
    SENTIMENT_SIGNAL,
    SignalHeads,
    TurnFeatureHead,
    model_text,
    turn_inputs,
    without_openers,
)
from nlp.trajectory import conversation_trajectories, turn_scores
from transcripts.model import Conversation, Role, Turn


class Analyzer:
    """spaCy + encoder + sentiment, loaded lazily and once, applied in batches.

    ``config`` None reads the shipped ``nlp/analysis.yaml``; ``trajectory`` None reads the
    config's ``trajectory.customer_turn``. spaCy loads on the first :meth:`annotate`; :meth:`classify_texts`
    needs only the encoder (and sentiment model).
    """

    def __init__(
        self, config: AnalysisConfig | None = None, trajectory: TrajectoryReading | None = None
    ) -> None:
        self.config = config or load_analysis_config()
        self.trajectory_reading = trajectory or self.config.trajectory.customer_turn

    @cached_property
    def nlp(self) -> Language:
        """The spaCy pipeline (NER and other unused components disabled)."""
        return load_spacy(self.config.spacy.models)

    @cached_property
    def encoder(self) -> Encoder:
        """The sentence encoder shared by embeddings and the shipped sentiment head."""
        return Encoder.from_config(self.config.encoder)

    @cached_property
    def sentiment(self) -> SentimentClassifier:
        """The configured sentiment model."""
        shipped = self.config.sentiment.is_shipped
        return load_sentiment(self.config.sentiment, self.encoder if shipped else None)

    @property
    def sentiment_name(self) -> str:
        """The model every turn's sentiment comes from (``Sentiment.model``)."""
        if self.sentiment is self._shipped_sentiment and SENTIMENT_SIGNAL in self.signals.heads:
            return self.signals.sentiment_model
        return self.sentiment.name

    @cached_property
    def signals(self) -> SignalHeads:
        """The learned, calibrated turn signals (distress, empathic response, face threat, …)."""
        return SignalHeads.load()

    @cached_property
    def face_threats(self) -> FaceThreatHead:
        """The face-threat head on the shared pass (``nlp/models/face_threat``)."""
        return FaceThreatHead.load(self.encoder)

    def load(self) -> Analyzer:
        """Load every model now (e.g. before timing or forking workers); returns self."""
        _ = self.nlp, self.encoder, self.sentiment, self.signals, self.face_threats
        return self

    @contextmanager
    def memory_zone(self) -> Iterator[None]:
        """:func:`nlp.models.memory_zone` on the analyzer's pipeline (``spacy.memory_zones`` in the config).

        The flow analyses and scores each batch in one, so a night's new words do not pile up.
        """
        with memory_zone(self.nlp, self.config.spacy.memory_zones):
            yield

    def annotate(self, conversations: Sequence[Conversation]) -> list[AnnotatedConversation]:
        """Annotate every turn of every conversation, in one spaCy and one encoder pass.

        Results are in input order; a conversation without turns gets no annotated turns (its
        trajectories have None fields).
        """
        turns = [turn for conversation in conversations for turn in conversation.turns]
        texts = [turn.text for turn in turns]
        _ = self.nlp  # loaded here, not on the parsing thread
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qareview-spacy") as parser:
            parsing = parser.submit(self._parse, texts)
            embeddings, sentiments, features, faces = self._embed_and_classify(texts, [t.role for t in turns])
            docs = parsing.result()
        sentiments = self._with_cues(sentiments, turns, docs)
        signals = self._signals(
            features, [t.role.value for t in turns], [len(c.turns) for c in conversations], docs, faces
        )
        result: list[AnnotatedConversation] = []
        position = 0
        for conversation in conversations:
            count = len(conversation.turns)
            span = range(position, position + count)
            annotated_turns = [
                AnnotatedTurn(
                    turn=turns[i],
                    doc=docs[i],
                    embedding=embeddings[i],
                    sentiment=sentiments[i],
                    signals=signals[i],
                )
                for i in span
            ]
            trajectories = conversation_trajectories(
                conversation,
                turn_scores(annotated_turns, self.trajectory_reading, self._cue_confidence),
                self.config.trajectory.flat_threshold,
            )
            result.append(AnnotatedConversation(conversation, annotated_turns, trajectories))
            position += count
        return result

    @property
    def _cue_confidence(self) -> float:
        """P(negative) a customer turn with a negative cue reads as at least (0 without cues)."""
        cues = self.config.negative_cues
        return 0.0 if cues is None else cues.confidence

    @cached_property
    def _cue_patterns(self) -> CompiledPatterns:
        """The ``negative_cues`` pattern file compiled for the pipeline's vocab (read only with cues)."""
        cues = self.config.negative_cues
        assert cues is not None
        unknown = sorted(cues.unless_strategies - set(self.strategies.names))
        if unknown:
            raise ValueError(
                f"negative_cues.unless_strategies {unknown} are not strategies of {STRATEGIES_PATH}"
            )
        return CompiledPatterns(cues.patterns, self.nlp.vocab)

    def _with_cues(
        self, sentiments: list[Sentiment], turns: Sequence[Turn], docs: list[Doc]
    ) -> list[Sentiment]:
        """Each customer turn with a negative cue reads negative, naming the cue (``negative_cues``).

        Its score is at most ``1 - 2 * confidence`` (P(negative) at least ``confidence``, so
        P(positive) at most ``1 - confidence``). Other turns keep the model's sentiment. A parse
        shared by several turns is matched once.
        """
        cues = self.config.negative_cues
        if cues is None:
            return sentiments
        ceiling = round(1.0 - 2.0 * cues.confidence, 4)
        rules: dict[int, str | None] = {}
        result = list(sentiments)
        for i, turn in enumerate(turns):
            if turn.role is not Role.CUSTOMER:
                continue
            doc = docs[i]
            if id(doc) not in rules:
                rules[id(doc)] = self._cue_rule(doc, cues)
            rule = rules[id(doc)]
            if rule is not None:
                model = sentiments[i]
                result[i] = Sentiment(
                    SentimentLabel.NEGATIVE, min(model.score, ceiling), f"{model.model}+cue:{rule}", cue=rule
                )
        return result

    def _cue_rule(self, doc: Doc, cues: NegativeCues) -> str | None:
        """The turn's first negative cue; None without one or with an ``unless_strategies`` hit outside it."""
        hits = [h for h in self._cue_patterns.find(doc) if h.label in cues.labels]
        if not hits:
            return None
        if cues.unless_strategies:
            found = self.strategies.found(doc)
            for name in cues.unless_strategies & found.keys():
                if any(not any(c.start <= s.start and s.end <= c.end for c in hits) for s in found[name]):
                    return None
        return hits[0].rule

    def _parse(self, texts: list[str]) -> list[Doc]:
        """One spaCy parse per distinct text, shared by the turns that repeat it (in input order).

        spaCy's annotations of a text do not depend on its batch-mates (checked on 2,854 load
        texts in shuffled order), and scorers only read docs, so repeats (agents' stock
        phrases, ~30% of turns) reuse one parse. Runs on its own thread beside the encoder
        pass: both spend most of their time in native code that releases the GIL.
        """
        off = present(self.nlp, self.config.spacy.disable)
        unique = list(dict.fromkeys(texts))
        docs = self.nlp.pipe(unique, batch_size=self.config.spacy.batch_size, disable=off)
        parsed = dict(zip(unique, docs, strict=True))
        return [parsed[text] for text in texts]

    def classify_texts(self, texts: Sequence[str]) -> list[Sentiment]:
        """Sentiment of free texts (no spaCy) as :meth:`annotate` gives it, batched, in order.

        No role is known, so a leading ``customer_openers`` word is read, as in an agent turn, and
        there is no parse, so no ``negative_cues`` apply: this is the model's reading.
        """
        if self.sentiment is self._shipped_sentiment:
            return self._embed_and_classify(list(texts))[1]
        return self.sentiment.classify_texts(list(texts))

    @cached_property
    def _shipped_sentiment(self) -> ShippedSentiment:
        """The shipped sentiment head: its probabilities feed the signals whatever model labels sentiment."""
        classifier = self.sentiment
        return classifier if isinstance(classifier, ShippedSentiment) else ShippedSentiment.load(self.encoder)

    def _embed_and_classify(
        self, texts: list[str], roles: Sequence[Role] | None = None
    ) -> tuple[np.ndarray, list[Sentiment], np.ndarray, np.ndarray]:
        """Embeddings, sentiments, signal features and face-threat rows from one encoder pass.

        Each distinct model text is encoded once and its rows are shared by the turns that repeat
        it (agents' stock phrases): what a text gets depends only on the set of texts encoded
        together, never on how often it occurs. A customer turn's model text skips the
        ``customer_openers`` it starts with ("No, I bought it in November."). The face-threat head
        reads the agent turns' texts only (every text when no roles are given).
        """
        shipped = self._shipped_sentiment
        openers, followers = self.config.customer_openers, self.config.customer_opener_followers
        model_texts = [
            without_openers(model_text(t), openers, followers)
            if roles and roles[i] is Role.CUSTOMER
            else model_text(t)
            for i, t in enumerate(texts)
        ]
        position = {t: i for i, t in enumerate(dict.fromkeys(model_texts))}
        distinct = list(position)
        rows = np.array([position[t] for t in model_texts], dtype=np.int64)
        agent_texts = {t for i, t in enumerate(model_texts) if roles is None or roles[i] is Role.AGENT}
        result = self.encoder.run(
            distinct,
            heads=[shipped.head, TurnFeatureHead(), self.face_threats.head],
            only={FACE_HEAD: [t in agent_texts for t in distinct]},
        )
        if not texts:
            return (
                result.embeddings,
                [],
                np.zeros((0, 0), dtype=np.float32),
                np.zeros((0, 0), dtype=np.float32),
            )
        probabilities = result.head_outputs[HEAD_NAME][rows]
        features = np.concatenate([result.head_outputs[FEATURES_HEAD][rows], probabilities], axis=1)
        if shipped is not self.sentiment:
            sentiments = self.sentiment.classify_texts(texts)
        elif SENTIMENT_SIGNAL in self.signals.heads:
            sentiments = self.signals.sentiments(features)
        else:
            sentiments = shipped.from_pass(probabilities)
        return result.embeddings[rows], sentiments, features, result.head_outputs[FACE_HEAD][rows]

    @cached_property
    def strategies(self) -> PolitenessStrategies:
        """The politeness strategy patterns the signal heads were trained with."""
        return PolitenessStrategies.load()

    def _signals(
        self, features: np.ndarray, roles: list[str], sizes: list[int], docs: list[Doc], faces: np.ndarray
    ) -> list[dict[str, dict[str, float]]]:
        """Per turn: calibrated probabilities of every signal head for the turn's role.

        Agent turns also get the face-threat head's ``face_threat`` and ``face_kind`` (``faces``:
        its rows of the encoder pass).
        """
        if not roles:
            return []
        heads = self.signals
        strategies = None
        if heads.strategy_names:
            if heads.strategy_names != self.strategies.names:
                raise ValueError(
                    f"the signal heads were trained with strategies {heads.strategy_names}, but "
                    f"{STRATEGIES_PATH} defines {self.strategies.names}: retrain (scripts/train_signals.py)"
                )
            readers = {head.role for head in heads.heads.values() if head.strategies}
            strategies = strategy_rows(self.strategies, docs, [role in readers for role in roles])
        predicted = heads.predict(turn_inputs(features, roles, sizes), roles, strategies)
        result: list[dict[str, dict[str, float]]] = [{} for _ in roles]
        for name, rows in predicted.items():
            classes = heads.heads[name].classes
            read = np.flatnonzero(~np.isnan(rows[:, 0]))
            for i, row in zip(read.tolist(), rows[read].tolist(), strict=True):
                result[i][name] = {c: round(v, 4) for c, v in zip(classes, row, strict=True)}
        for i, role in enumerate(roles):
            if role == Role.AGENT.value:
                result[i].update(self.face_threats.signals(faces[i]))
        return result
