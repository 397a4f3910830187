"""A representative against the team: mean per agent criterion, team medians, overall scores.

Only agent-attributed scores count; the overall score is :func:`nlp.overall.overall_of` the
stored agent leg scores, never recomputed from raw scores. Example::

    means = agent_means(rows.scores)
    medians = team_medians(means, criteria)
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from nlp.coaching.rows import AGENT, AgentScoreLike, FindingLike, ScoreLike
from nlp.overall import OverallOf, RunningMean


class CriterionLabels(Protocol):
    """The rubric's names for criteria and finding kinds (``rendering.rubric_info.RubricInfo``)."""

    def label(self, criterion: str) -> str: ...  # noqa: D102

    def description(self, criterion: str) -> str: ...  # noqa: D102

    def order(self, criterion: str) -> int: ...  # noqa: D102

    def kind_label(self, kind: str) -> str: ...  # noqa: D102


@dataclass(frozen=True)
class CriterionStanding:
    """The rep's mean on one agent criterion against the team median and the rubric's pass mark."""

    criterion: str
    label: str
    description: str
    value: float | None
    team_median: float | None
    threshold: float | None
    scored_legs: int
    passed_legs: int
    positive_findings: int
    negative_findings: int

    @property
    def vs_median(self) -> float | None:
        """Value - team median (None when either is missing)."""
        if self.value is None or self.team_median is None:
            return None
        return self.value - self.team_median


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values present; None when there are none (:class:`nlp.overall.RunningMean`)."""
    found = RunningMean()
    for value in values:
        found.add(value)
    return found.value


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values present; None when there are none."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def overall_by_agent(rows: Iterable[AgentScoreLike]) -> dict[str, float | None]:
    """Each agent's overall score over their stored leg scores (``nlp.overall.overall_of``).

    ``rows`` is read once, in order, and not kept (a stream of the period's rows will do).
    """
    found: dict[str, OverallOf] = defaultdict(OverallOf)
    for row in rows:
        if row.agent_id:
            found[row.agent_id].add(row.criteria or {}, row.weights or {})
    return {agent: overall.value for agent, overall in found.items()}


def agent_means(scores: Iterable[ScoreLike]) -> dict[str, dict[str, float | None]]:
    """{agent_id: {criterion: mean value}} over agent-attributed scores (read once, not kept)."""
    found: dict[str, dict[str, RunningMean]] = defaultdict(lambda: defaultdict(RunningMean))
    for s in scores:
        if s.attribution == AGENT and s.agent_id:
            found[s.agent_id][s.criterion].add(s.value)
    return {a: {c: m.value for c, m in crit.items()} for a, crit in found.items()}


def card_criteria(means: Mapping[str, Mapping[str, float | None]], labels: CriterionLabels) -> list[str]:
    """Every criterion any rep has a mean on, in rubric order."""
    return sorted({c for m in means.values() for c in m}, key=lambda c: (labels.order(c), c))


def team_medians(
    means: Mapping[str, Mapping[str, float | None]], criteria: Iterable[str]
) -> dict[str, float | None]:
    """Per criterion, the median of the reps' means."""
    return {c: median(m.get(c) for m in means.values()) for c in criteria}


def standings(
    scores: Sequence[ScoreLike],
    findings: Sequence[FindingLike],
    means: Mapping[str, float | None],
    criteria: Sequence[str],
    medians: Mapping[str, float | None],
    labels: CriterionLabels,
) -> list[CriterionStanding]:
    """One rep's standing on each of ``criteria`` (``scores`` and ``findings``: the rep's own)."""
    by_criterion: dict[str, list[ScoreLike]] = defaultdict(list)
    for row in scores:
        by_criterion[row.criterion].append(row)
    polarity = Counter((f.criterion, f.polarity) for f in findings)
    return [
        CriterionStanding(
            criterion=criterion,
            label=labels.label(criterion),
            description=labels.description(criterion),
            value=means.get(criterion),
            team_median=medians.get(criterion),
            threshold=mean(s.threshold for s in by_criterion[criterion]),
            scored_legs=sum(1 for s in by_criterion[criterion] if s.value is not None),
            passed_legs=sum(1 for s in by_criterion[criterion] if s.passed),
            positive_findings=polarity[(criterion, "positive")],
            negative_findings=polarity[(criterion, "negative")],
        )
        for criterion in criteria
    ]
