"""The customer's trajectory per leg and per conversation, as pure functions.

Each turn gets one score in [-1, 1] (:func:`turn_scores`). A customer turn's is its *mood*: a
weighted mean of its sentiment score and minus its calibrated P(negative) and P(distress) from the
signal heads (``nlp/models/signals``), with the weights of ``trajectory.customer_turn`` in
``nlp/analysis.yaml`` (:class:`~nlp.config.TrajectoryReading`); an agent turn's is its sentiment
score (``agent_tone``).

``start`` is the mean score of the first third of the customer's turns (at least one turn),
``end`` of the last third, ``delta = end - start``; ``|delta| < flat_threshold`` is flat.
One customer turn: start = end = its score, delta 0, flat. No customer turns: start, end,
delta and direction are None. ``agent_tone`` is the mean score of agent turns (None without any).

>>> from transcripts.model import Role
>>> C, A = Role.CUSTOMER, Role.AGENT
>>> t = customer_trajectory("c1", None, [(C, -0.8), (A, 0.3), (C, 0.4)], flat_threshold=0.15)
>>> (t.start, t.end, t.direction.value, t.agent_tone)
(-0.8, 0.4, 'improving', 0.3)
>>> TrajectoryReading(negative=0.8, distress=0.2).customer_score(0.4, negative=0.1, distress=0.6)
-0.2
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from spacy.tokens import Token

from nlp.annotated import AnnotatedTurn, Direction, Trajectory
from nlp.config import TrajectoryReading
from transcripts.model import Conversation, Role

NEGATIVE_SIGNAL = ("sentiment", "negative")  # signal head and class of a customer turn's P(negative)
DISTRESS_SIGNAL = ("distress", "true")  # and of its P(distress)


def says_something(turn: AnnotatedTurn, placeholders: bool = True) -> bool:
    """False for a turn of nothing but @mentions, links and punctuation ("@sundarpichai @Google").

    Such a turn tells nothing of the customer's mood, so it has no place in their trajectory. With
    ``placeholders=False`` a redaction placeholder says nothing either ("[NAME].", "[ACCOUNT].": a
    name or number given on request reports no problem).
    """
    return any(
        not (t.is_punct or t.is_space or t.like_url or t.text.startswith("@"))
        and (placeholders or not _placeholder(t))
        for t in turn.doc
    )


def _placeholder(token: Token) -> bool:
    """True for the word of a redaction placeholder: "NAME" in "[NAME]"."""
    doc = token.doc
    return 0 < token.i < len(doc) - 1 and doc[token.i - 1].text == "[" and doc[token.i + 1].text == "]"


def turn_scores(
    turns: Sequence[AnnotatedTurn], reading: TrajectoryReading, cue_confidence: float = 0.0
) -> list[float | None]:
    """Each turn's trajectory score: a customer turn's mood, any other turn's sentiment score.

    A customer turn whose sentiment a negative cue set (``Sentiment.cue``) reads its P(negative)
    as at least ``cue_confidence``. A customer turn that says nothing (:func:`says_something`)
    gets None and is left out of the trajectory.
    """
    scores: list[float | None] = []
    for turn in turns:
        if turn.role == Role.CUSTOMER and not says_something(turn):
            scores.append(None)
        elif turn.role == Role.CUSTOMER:
            negative = turn.signal(*NEGATIVE_SIGNAL)
            if turn.sentiment.cue is not None and negative is not None:
                negative = max(negative, cue_confidence)
            try:
                scores.append(
                    reading.customer_score(turn.sentiment.score, negative, turn.signal(*DISTRESS_SIGNAL))
                )
            except ValueError as error:
                raise ValueError(f"turn {turn.index} ({turn.turn.text[:40]!r}): {error}") from None
        else:
            scores.append(turn.sentiment.score)
    return scores


def direction_of(delta: float, flat_threshold: float) -> Direction:
    """Improving, worsening, or flat when ``|delta| < flat_threshold``."""
    if abs(delta) < flat_threshold:
        return Direction.FLAT
    return Direction.IMPROVING if delta > 0 else Direction.WORSENING


def third(n: int) -> int:
    """How many turns make up a third of ``n`` (rounded up, at least one)."""
    return max(1, math.ceil(n / 3))


def start_turns(turns: Sequence[AnnotatedTurn]) -> list[AnnotatedTurn]:
    """The customer turns a trajectory's start reads: the first third of those that say something."""
    said = [t for t in turns if t.role == Role.CUSTOMER and says_something(t)]
    return said[: third(len(said))]


def customer_trajectory(
    conversation_id: str,
    leg: int | None,
    scored_turns: Sequence[tuple[Role, float | None]],
    flat_threshold: float,
) -> Trajectory:
    """The trajectory of ``(role, score)`` pairs in speaking order (None scores are left out)."""
    customer = [score for role, score in scored_turns if role == Role.CUSTOMER and score is not None]
    agent = [score for role, score in scored_turns if role == Role.AGENT and score is not None]
    agent_tone = _mean(agent) if agent else None
    if not customer:
        return Trajectory(conversation_id, leg, None, None, None, None, 0, agent_tone)
    k = third(len(customer))
    start = _mean(customer[:k])
    end = _mean(customer[-k:])
    delta = 0.0 if len(customer) == 1 else end - start
    return Trajectory(
        conversation_id=conversation_id,
        leg=leg,
        start=start,
        end=end,
        delta=delta,
        direction=direction_of(delta, flat_threshold),
        customer_turns=len(customer),
        agent_tone=agent_tone,
    )


def conversation_trajectories(
    conversation: Conversation,
    scores: Sequence[float | None],
    flat_threshold: float,
) -> list[Trajectory]:
    """One trajectory per leg (in leg order), then the whole conversation (``leg=None``).

    ``scores[i]`` is the score of ``conversation.turns[i]`` (:func:`turn_scores`).
    """
    if len(scores) != len(conversation.turns):
        raise ValueError(f"{len(scores)} scores for {len(conversation.turns)} turns")
    pairs = [(turn.leg, turn.role, score) for turn, score in zip(conversation.turns, scores, strict=True)]
    result = [
        customer_trajectory(
            conversation.id,
            leg.index,
            [(role, score) for leg_index, role, score in pairs if leg_index == leg.index],
            flat_threshold,
        )
        for leg in sorted(conversation.legs, key=lambda leg: leg.index)
    ]
    whole = [(role, score) for _, role, score in pairs]
    result.append(customer_trajectory(conversation.id, None, whole, flat_threshold))
    return result


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values))
