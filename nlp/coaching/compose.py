"""One card's content per representative, composed from a period's stored rows.

A card's numbers use agent-attributed scores only; system findings on the rep's contacts are
context ("Not your fault") and never enter a number. Each fact is decided in its own module of
this package; this one puts them together, once per card. Example::

    turns = load_turns(con, coached_conversations(rows.findings))
    cards = compose_cards(CardRows(rows, previous, history), buckets, turns, rubric, settings.cards,
                          settings.routing, merge_name_only_agents=True)

A period too large to hold is composed a representative at a time, the same cards::

    team = team_figures(CardRows(current_stream, previous_stream, history_stream), buckets, rubric)
    for agent_id in team.order:  # rows: whole conversations holding the rep's legs and findings
        mine = rows_by_agent(rows, team.aliases, settings.routing)[agent_id]
        card = compose_card(agent_id, mine, team, turns, rubric, settings.cards, settings.routing)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nlp.coaching.aliases import agent_aliases, aliased
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


@dataclass(frozen=True)
class TeamFigures:
    """What every card compares against: the team's figures over the period, and who gets a card.

    ``order`` lists the representatives with an agent leg in the period, by their first leg.
    """

    aliases: Mapping[str, str]
    order: tuple[str, ...]
    means: Mapping[str, Mapping[str, float | None]]
    criteria: tuple[str, ...]
    medians: Mapping[str, float | None]
    overall: Mapping[str, float | None]
    overall_median: float | None
    previous_overall: Mapping[str, float | None]
    trend: Callable[[str], list[BucketScore]]


def team_figures(
    rows: CardRows, buckets: Sequence[Bucket], labels: CriterionLabels, *, merge_name_only_agents: bool = True
) -> TeamFigures:
    """The team's figures, reading each of ``rows``' lists once and in order (the history's legs twice).

    None of the rows is kept, so streams of the stored rows will do: what is held grows with
    the team, not with the period's volume.
    """
    aliases = agent_aliases(rows.history.legs) if merge_name_only_agents else {}
    order: dict[str, None] = {}
    for leg in aliased(rows.current.legs, aliases):
        if leg.agent_id and (leg.participant_role or AGENT) == AGENT:
            order.setdefault(leg.agent_id)
    means = agent_means(aliased(rows.current.scores, aliases))
    overall = overall_by_agent(aliased(rows.current.agent_scores, aliases))
    criteria = card_criteria(means, labels)
    history = _AliasedHistory(rows.history, aliases)
    return TeamFigures(
        aliases=aliases,
        order=tuple(order),
        means=means,
        criteria=tuple(criteria),
        medians=team_medians(means, criteria),
        overall=overall,
        overall_median=median(overall.values()),
        previous_overall=overall_by_agent(aliased(rows.previous.agent_scores, aliases)),
        trend=bucket_scores(history, buckets),
    )


@dataclass(frozen=True)
class _AliasedHistory:
    """The history's rows the trend reads (``TrendRows``), name-only agent ids merged as they are read."""

    rows: PeriodRows
    aliases: Mapping[str, str]

    @property
    def conversations(self) -> Iterable[ConversationLike]:
        return self.rows.conversations

    @property
    def legs(self) -> Iterable[LegLike]:
        return aliased(self.rows.legs, self.aliases)

    @property
    def agent_scores(self) -> Iterable[AgentScoreLike]:
        return aliased(self.rows.agent_scores, self.aliases)


@dataclass
class AgentRows:
    """One representative's rows in the period (name-only ids merged): what their card is composed from.

    ``system_findings`` are the system findings of the rep's conversations, by conversation;
    ``leg_routes`` and ``long_holds`` may hold other legs' too (only the rep's are read).
    """

    legs: list[LegLike] = field(default_factory=list)
    scores: list[ScoreLike] = field(default_factory=list)
    findings: list[FindingLike] = field(default_factory=list)
    system_findings: dict[str, list[FindingLike]] = field(default_factory=dict)
    leg_routes: Sequence[LegRouteLike] = ()
    long_holds: set[tuple[str, int]] = field(default_factory=set)
    conversations: Mapping[str, ConversationLike] = field(default_factory=dict)


def rows_by_agent(
    current: PeriodRows, aliases: Mapping[str, str], routing: RoutingThresholds
) -> dict[str, AgentRows]:
    """Each representative's :class:`AgentRows` from the period's rows.

    Any part of the period's rows that holds whole conversations will do: a representative's
    rows are complete when all of their conversations are in it.
    """
    found: dict[str, AgentRows] = defaultdict(AgentRows)
    conversations = {c.id: c for c in current.conversations}
    leg_routes = list(current.leg_routes)
    long_holds = long_hold_legs(current.waits, routing.long_hold_seconds, routing.long_queue_wait_seconds)
    system: dict[str, list[FindingLike]] = defaultdict(list)
    for leg in aliased(current.legs, aliases):
        if leg.agent_id and (leg.participant_role or AGENT) == AGENT:
            found[leg.agent_id].legs.append(leg)
    for row in aliased(current.scores, aliases):
        if row.attribution == AGENT and row.agent_id:
            found[row.agent_id].scores.append(row)
    for finding in aliased(current.findings, aliases):
        if finding.attribution == AGENT and finding.agent_id:
            found[finding.agent_id].findings.append(finding)
        elif finding.attribution == SYSTEM:
            system[finding.conversation_id].append(finding)
    for rows in found.values():
        rows.system_findings = system
        rows.leg_routes = leg_routes
        rows.long_holds = long_holds
        rows.conversations = conversations
    return dict(found)


def compose_card(
    agent_id: str,
    mine: AgentRows,
    team: TeamFigures,
    turns: Mapping[str, Sequence[TurnLike]],
    labels: CriterionLabels,
    limits: CardLimits,
    routing: RoutingThresholds,
) -> CardContent:
    """One representative's card (``turns``: at least those of the rep's coached conversations)."""
    standing = standings(
        mine.scores, mine.findings, team.means.get(agent_id, {}), team.criteria, team.medians, labels
    )
    focus = choose_focus(standing, mine.findings, turns, limits)
    legs = mine.legs
    return CardContent(
        agent_id=agent_id,
        agent_name=next((leg.agent_name for leg in legs if leg.agent_name), None) or agent_id,
        departments=tuple(sorted({leg.department for leg in legs if leg.department})),
        teams=tuple(sorted({leg.team for leg in legs if leg.team})),
        contacts=len({leg.conversation_id for leg in legs}),
        legs=len(legs),
        overall=team.overall.get(agent_id),
        overall_team_median=team.overall_median,
        previous_overall=team.previous_overall.get(agent_id),
        criteria=tuple(standing),
        trend=tuple(team.trend(agent_id)),
        strengths=tuple(_area(c, turns) for c in focus.strengths),
        growth_areas=tuple(_area(c, turns) for c in focus.growth_areas),
        not_your_fault=not_your_fault(
            agent_id,
            legs,
            mine.system_findings,
            mine.leg_routes,
            mine.long_holds,
            mine.conversations,
            focus.owned,
            routing.reexplanation_criteria,
            labels,
        ),
    )


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

    ``turns``: the turns of :func:`coached_conversations` of the period, by conversation. For a
    period too large to hold, compose each card from its representative's rows alone
    (:func:`team_figures` over streams, :func:`rows_by_agent` and :func:`compose_card` per rep).
    """
    team = team_figures(rows, buckets, labels, merge_name_only_agents=merge_name_only_agents)
    grouped = rows_by_agent(rows.current, team.aliases, routing)
    return [
        compose_card(agent_id, grouped[agent_id], team, turns, labels, limits, routing)
        for agent_id in team.order
    ]
