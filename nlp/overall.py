"""The agent's overall score: one definition, computed once per agent leg when scoring.

The overall score of one or more agent legs is the mean of each agent-attributed criterion's
values over those legs, weighted by the rubric's criteria weights (criteria without a value,
or with weight 0, left out). Each leg's is computed when scoring and stored with the criteria
that counted and their weights (table ``agent_scores``); a period's (a card) is
:func:`overall_of` those stored legs, never recomputed from raw scores. Example::

    >>> overall_score({"empathy": 1.0, "self_worth": 0.5}, {"empathy": 1.0, "self_worth": 3.0})
    0.625
    >>> overall_of([({"empathy": 1.0}, {"empathy": 1.0}), ({"empathy": 0.0, "self_worth": 1.0},
    ...             {"empathy": 1.0, "self_worth": 3.0})])
    0.875
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nlp.findings import AgentLegScore, Attribution, CriterionScore

__all__ = [
    "AgentLegScore",
    "OverallOf",
    "RunningMean",
    "agent_leg_scores",
    "overall_of",
    "overall_score",
    "weighted_mean",
]


class RunningMean:
    """The mean of the values added so far (None values skipped), summed in the order they come.

    Every mean a card shows is one of these, so a period's rows can be read once as a stream
    and give the same figure as a list of them.
    """

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0

    def add(self, value: float | None) -> None:
        """Count ``value`` unless it is None."""
        if value is not None:
            self.total += value
            self.count += 1

    @property
    def value(self) -> float | None:
        """The mean, or None when no value was added."""
        return self.total / self.count if self.count else None


def weighted_mean(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """The ``weights``-weighted mean of ``values`` (None values and weightless criteria skipped)."""
    counted = {c: v for c, v in values.items() if v is not None and weights.get(c, 0) > 0}
    total = sum(weights[c] for c in counted)
    return sum(weights[c] * v for c, v in counted.items()) / total if total else None


def overall_score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """One leg's overall score: :func:`weighted_mean`, rounded to 4 places as it is stored."""
    value = weighted_mean(values, weights)
    return None if value is None else round(value, 4)


def overall_of(legs: Iterable[tuple[Mapping[str, float], Mapping[str, float]]]) -> float | None:
    """The overall score of several agent legs, each given as (criterion values, their weights).

    Each criterion's mean over the legs that have it, weighted as the rubric weighs it; criteria
    are summed in name order, so the result does not depend on the order of the legs.
    """
    overall = OverallOf()
    for criteria, leg_weights in legs:
        overall.add(criteria, leg_weights)
    return overall.value


class OverallOf:
    """:func:`overall_of` the legs added so far, one leg at a time (for rows read as a stream)."""

    __slots__ = ("_means", "_weights")

    def __init__(self) -> None:
        self._means: dict[str, RunningMean] = {}
        self._weights: dict[str, float] = {}

    def add(self, criteria: Mapping[str, float], weights: Mapping[str, float]) -> None:
        """One leg's stored criterion values and their weights."""
        for criterion, value in criteria.items():
            self._means.setdefault(criterion, RunningMean()).add(value)
            self._weights[criterion] = weights.get(criterion, 0.0)

    @property
    def value(self) -> float | None:
        """The overall score of the legs added (None: none with a weighted value)."""
        return weighted_mean({c: self._means[c].value for c in sorted(self._means)}, self._weights)


def agent_leg_scores(scores: Iterable[CriterionScore], weights: Mapping[str, float]) -> list[AgentLegScore]:
    """Overall score per (conversation, leg) from agent-attributed criterion scores.

    System-attributed scores, scores without a leg, None values and criteria ``weights`` (the
    rubric's criterion id -> weight) does not know are left out.
    """
    grouped: dict[tuple[str, int], list[CriterionScore]] = {}
    for score in scores:
        if score.attribution is Attribution.AGENT and score.leg is not None:
            grouped.setdefault((score.conversation_id, score.leg), []).append(score)
    result = []
    for (conversation_id, leg), items in grouped.items():
        counted = {
            s.criterion: s.value for s in items if s.value is not None and weights.get(s.criterion, 0) > 0
        }
        result.append(
            AgentLegScore(
                conversation_id=conversation_id,
                leg=leg,
                agent_id=next((s.agent_id for s in items if s.agent_id), None),
                value=overall_score(counted, weights),
                rubric_version=items[0].rubric_version,
                criteria=counted,
                weights={c: float(weights[c]) for c in counted},
            )
        )
    return sorted(result, key=lambda s: (s.conversation_id, s.leg))
