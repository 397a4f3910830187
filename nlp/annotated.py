"""One annotated-conversation object, computed once and shared by every scorer.

Analysis (``nlp.analysis``) parses every turn with spaCy, embeds every turn once with the
encoder and classifies sentiment from those embeddings; scorers only read this object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from spacy.tokens import Doc

from transcripts.model import Conversation, Role, Turn


class SentimentLabel(StrEnum):
    """Three-way sentiment, the TweetEval convention."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@dataclass(frozen=True)
class Sentiment:
    """Label plus a signed score in [-1, 1] (P(positive) - P(negative)).

    ``cue`` names the negative cue (``negative_cues`` in ``nlp/analysis.yaml``) that made a
    customer turn negative over the model; ``model`` then ends in ``+cue:<rule>``.
    """

    label: SentimentLabel
    score: float
    model: str
    cue: str | None = None


class Direction(StrEnum):
    """Where the customer's mood went."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    FLAT = "flat"


@dataclass(frozen=True)
class Trajectory:
    """The customer's sentiment over a leg or a whole conversation.

    ``start`` is the mean score of the first third of customer turns, ``end`` of the last
    third; ``delta = end - start``. ``agent_tone`` is the mean score of agent turns.
    Fields are None when there are no customer (or agent) turns to measure.
    """

    conversation_id: str
    leg: int | None  # None: the whole conversation
    start: float | None
    end: float | None
    delta: float | None
    direction: Direction | None
    customer_turns: int
    agent_tone: float | None


@dataclass
class AnnotatedTurn:
    """A turn with its parse, embedding and sentiment."""

    turn: Turn
    doc: Doc
    embedding: np.ndarray  # L2-normalised sentence embedding from the one encoder pass
    sentiment: Sentiment
    # Calibrated probabilities of the learned signal heads (nlp.signals) for this turn's role:
    # signal -> class -> probability, e.g. {"distress": {"false": 0.2, "true": 0.8}}.
    signals: dict[str, dict[str, float]] = field(default_factory=dict)

    def signal(self, name: str, label: str) -> float | None:
        """The calibrated probability of ``label`` for signal ``name``; None when not computed."""
        values = self.signals.get(name)
        return None if values is None else values.get(label)

    @property
    def index(self) -> int:
        """Turn index in the conversation."""
        return self.turn.index

    @property
    def role(self) -> Role:
        """Who spoke."""
        return self.turn.role

    @property
    def text(self) -> str:
        """What was said."""
        return self.turn.text


@dataclass
class AnnotatedConversation:
    """A conversation with every turn annotated, plus customer trajectories."""

    conversation: Conversation
    turns: list[AnnotatedTurn]
    trajectories: list[Trajectory] = field(default_factory=list)  # per leg, then whole (leg=None)

    @property
    def id(self) -> str:
        """Conversation id."""
        return self.conversation.id

    def leg_turns(self, leg: int) -> list[AnnotatedTurn]:
        """Annotated turns of one leg, in order."""
        return [t for t in self.turns if t.turn.leg == leg]

    def trajectory(self, leg: int | None = None) -> Trajectory | None:
        """The trajectory of one leg, or of the whole conversation when ``leg`` is None."""
        return next((t for t in self.trajectories if t.leg == leg), None)
