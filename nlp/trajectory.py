"""The customer's sentiment trajectory per leg and per conversation, as pure functions.

``start`` is the mean sentiment score of the first third of the customer's turns (at least one
turn), ``end`` of the last third, ``delta = end - start``; ``|delta| < flat_threshold`` is flat.
One customer turn: start = end = its score, delta 0, flat. No customer turns: start, end,
delta and direction are None. ``agent_tone`` is the mean score of agent turns (None without any).

>>> from transcripts.model import Role
>>> t = customer_trajectory("c1", None, [(Role.CUSTOMER, -0.8), (Role.AGENT, 0.3), (Role.CUSTOMER, 0.4)])
>>> (t.start, t.end, t.direction.value, t.agent_tone)
(-0.8, 0.4, 'improving', 0.3)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nlp.annotated import Direction, Sentiment, Trajectory
from transcripts.model import Conversation, Role

DEFAULT_FLAT_THRESHOLD = 0.15


def direction_of(delta: float, flat_threshold: float = DEFAULT_FLAT_THRESHOLD) -> Direction:
    """Improving, worsening, or flat when ``|delta| < flat_threshold``."""
    if abs(delta) < flat_threshold:
        return Direction.FLAT
    return Direction.IMPROVING if delta > 0 else Direction.WORSENING


def third(n: int) -> int:
    """How many turns make up a third of ``n`` (rounded up, at least one)."""
    return max(1, math.ceil(n / 3))


def customer_trajectory(
    conversation_id: str,
    leg: int | None,
    scored_turns: Sequence[tuple[Role, float]],
    flat_threshold: float = DEFAULT_FLAT_THRESHOLD,
) -> Trajectory:
    """The trajectory of ``(role, score)`` pairs in speaking order."""
    customer = [score for role, score in scored_turns if role == Role.CUSTOMER]
    agent = [score for role, score in scored_turns if role == Role.AGENT]
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
    sentiments: Sequence[Sentiment],
    flat_threshold: float = DEFAULT_FLAT_THRESHOLD,
) -> list[Trajectory]:
    """One trajectory per leg (in leg order), then the whole conversation (``leg=None``).

    ``sentiments[i]`` belongs to ``conversation.turns[i]``.
    """
    if len(sentiments) != len(conversation.turns):
        raise ValueError(f"{len(sentiments)} sentiments for {len(conversation.turns)} turns")
    pairs = [(turn.leg, turn.role, s.score) for turn, s in zip(conversation.turns, sentiments, strict=True)]
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
