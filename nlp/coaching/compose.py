"""One card's content per representative, composed from a period's stored rows.

A card's numbers use agent-attributed scores only; system findings on the rep's contacts are
context ("Not your fault") and never enter a number. Each fact is decided in its own module of
this package; this one puts them together, once per card. Example::

    turns = load_turns(con, coached_conversations(rows.findings))
    cards = compose_cards(CardRows(rows, previous, history), buckets, turns, rubric, settings.cards,
                          settings.routing, merge_name_only_agents=True)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from nlp.coaching.aliases import agent_aliases, with_aliases
from nlp.coaching.focus import CardLimits, FocusChoice, choose_focus
from nlp.coaching.moments import QuotedMoment, quote_moment
from nlp.coaching.rows import (
    AGENT,
    SYSTEM,
    AgentScoreLike,
    ConversationLike,
    FindingLike,
    LegLike,
    LegRouteLike,
    PeriodRows,
    ScoreLike,
    TurnLike,
    WaitLike,
)
from nlp.coaching.standings import (
    CriterionLabels,
    CriterionStanding,
    agent_means,
    card_criteria,
    median,
    overall_by_agent,
    standings,
    team_medians,
)
from nlp.coaching.system_notes import NotYourFault, long_hold_legs, not_your_fault
from nlp.coaching.trend import Bucket, BucketScore, bucket_scores


class RoutingThresholds(Protocol):
    """The routing settings cards share with the report (``rendering.settings.RoutingSettings``)."""

    long_hold_seconds: float
    long_queue_wait_seconds: float
    reexplanation_criteria: tuple[str, ...]


@dataclass(frozen=True)
class AliasedRows:
    """A period's rows with name-only agent ids merged (:mod:`nlp.coaching.aliases`)."""

    conversations: Sequence[ConversationLike]
    legs: Sequence[LegLike]
    scores: Sequence[ScoreLike]
    findings: Sequence[FindingLike]
    agent_scores: Sequence[AgentScoreLike]
    leg_routes: Sequence[LegRouteLike]
    waits: Sequence[WaitLike]

    @classmethod
    def of(cls, rows: PeriodRows, aliases: Mapping[str, str]) -> AliasedRows:
        """``rows`` with ``aliases`` applied to legs, scores, findings and agent scores."""
        return cls(
            rows.conversations,
            with_aliases(rows.legs, aliases),
            with_aliases(rows.scores, aliases),
            with_aliases(rows.findings, aliases),
            with_aliases(rows.agent_scores, aliases),
            rows.leg_routes,
            rows.waits,
        )


@dataclass(frozen=True)
class CardRows:
    """What cards are composed from: the period, the period before, and the trend's whole range."""

    current: PeriodRows
    previous: PeriodRows
    history: PeriodRows


@dataclass(frozen=True)
class CardArea:
    """A strength or growth area, the findings chosen for it and how each is quoted."""

    standing: CriterionStanding
    findings: tuple[FindingLike, ...]
    moments: tuple[QuotedMoment, ...]


@dataclass(frozen=True)
class CardContent:
    """Everything a representative's card says, before redaction and formatting."""

    agent_id: str
    agent_name: str
    departments: tuple[str, ...]
    teams: tuple[str, ...]
    contacts: int
    legs: int
    overall: float | None
    overall_team_median: float | None
    previous_overall: float | None
    criteria: tuple[CriterionStanding, ...]
    trend: tuple[BucketScore, ...]
    strengths: tuple[CardArea, ...]
    growth_areas: tuple[CardArea, ...]
    not_your_fault: NotYourFault


def coached_conversations(findings: Iterable[FindingLike]) -> set[str]:
    """The conversations whose turns cards need: those with a finding attributed to an agent."""
    return {f.conversation_id for f in findings if f.attribution == AGENT and f.agent_id}


def _rep_legs(legs: Iterable[LegLike]) -> dict[str, list[LegLike]]:
    found: dict[str, list[LegLike]] = defaultdict(list)
    for leg in legs:
        if leg.agent_id and (leg.participant_role or AGENT) == AGENT:
            found[leg.agent_id].append(leg)
    return found


def _area(choice: FocusChoice[FindingLike], turns: Mapping[str, Sequence[TurnLike]]) -> CardArea:
    quoted = (quote_moment(f, turns.get(f.conversation_id, [])) for f in choice.findings)
    return CardArea(choice.standing, choice.findings, tuple(m for m in quoted if m is not None))


def compose_cards(
    rows: CardRows,
    buckets: Sequence[Bucket],
    turns: Mapping[str, Sequence[TurnLike]],
    labels: CriterionLabels,
    limits: CardLimits,
    routing: RoutingThresholds,
    *,
    merge_name_only_agents: bool = True,
) -> list[CardContent]:
    """One card per representative with an agent leg in the period, in the order of their first leg.

    ``turns``: the turns of :func:`coached_conversations` of the period, by conversation.
    """
    aliases = agent_aliases(rows.history.legs) if merge_name_only_agents else {}
    current = AliasedRows.of(rows.current, aliases)
    history = AliasedRows.of(rows.history, aliases)
    previous = AliasedRows.of(rows.previous, aliases)

    means = agent_means(current.scores)
    overall = overall_by_agent(current.agent_scores)
    criteria = card_criteria(means, labels)
    medians = team_medians(means, criteria)
    overall_median = median(overall.values())
    previous_overall = overall_by_agent(previous.agent_scores)
    long_holds = long_hold_legs(current.waits, routing.long_hold_seconds, routing.long_queue_wait_seconds)
    conversations = {c.id: c for c in current.conversations}
    scores_by_agent: dict[str, list[ScoreLike]] = defaultdict(list)
    for row in current.scores:
        if row.attribution == AGENT and row.agent_id:
            scores_by_agent[row.agent_id].append(row)
    findings_by_agent: dict[str, list[FindingLike]] = defaultdict(list)
    system_by_conversation: dict[str, list[FindingLike]] = defaultdict(list)
    for finding in current.findings:
        if finding.attribution == AGENT and finding.agent_id:
            findings_by_agent[finding.agent_id].append(finding)
        elif finding.attribution == SYSTEM:
            system_by_conversation[finding.conversation_id].append(finding)
    trend = bucket_scores(history, buckets)

    cards = []
    for agent_id, legs in _rep_legs(current.legs).items():
        standing = standings(
            scores_by_agent[agent_id],
            findings_by_agent[agent_id],
            means.get(agent_id, {}),
            criteria,
            medians,
            labels,
        )
        focus = choose_focus(standing, findings_by_agent[agent_id], turns, limits)
        cards.append(
            CardContent(
                agent_id=agent_id,
                agent_name=next((leg.agent_name for leg in legs if leg.agent_name), None) or agent_id,
                departments=tuple(sorted({leg.department for leg in legs if leg.department})),
                teams=tuple(sorted({leg.team for leg in legs if leg.team})),
                contacts=len({leg.conversation_id for leg in legs}),
                legs=len(legs),
                overall=overall.get(agent_id),
                overall_team_median=overall_median,
                previous_overall=previous_overall.get(agent_id),
                criteria=tuple(standing),
                trend=tuple(trend(agent_id)),
                strengths=tuple(_area(c, turns) for c in focus.strengths),
                growth_areas=tuple(_area(c, turns) for c in focus.growth_areas),
                not_your_fault=not_your_fault(
                    agent_id,
                    legs,
                    system_by_conversation,
                    current.leg_routes,
                    long_holds,
                    conversations,
                    focus.owned,
                    routing.reexplanation_criteria,
                    labels,
                ),
            )
        )
    return cards
