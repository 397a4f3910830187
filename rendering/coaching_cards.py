"""Coaching cards: one per representative per period, built from stored scores and findings.

A card's score uses agent-attributed criteria only; system findings on the rep's contacts
(transfers in, re-explanations caused upstream, long holds, drops) are listed under "Not your
fault" for context and never enter a number. Everything quoted is redacted first.

    cards = build_cards(con, period, "default-1", rubric=RubricInfo.from_scores(...),
                        settings=load_settings(), redactor=Redactor())
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import duckdb

from nlp.overall import overall_of
from rendering.moment_ownership import MomentKey, flagged_turns, moment_turns, quoted_turn, really_good
from rendering.periods import Period, bucket_unit, trend_buckets
from rendering.redact import Redactor
from rendering.rubric_info import RubricInfo
from rendering.settings import Settings
from rendering.site_paths import card_path, conversation_href, slug
from rendering.store_queries import (
    AgentScoreRow,
    FindingRow,
    LegRow,
    ScoreRow,
    Snapshot,
    TurnRow,
    load_snapshot,
    load_turns,
)
from rendering.turn_views import TurnView, build_turn_views

AGENT = "agent"
SYSTEM = "system"
TRANSFERRED_IN = ("warm", "cold", "bot_handoff")  # nlp.operations entry routes


@dataclass(frozen=True)
class Moment:
    """A quoted moment: the turn in context (customer and agent, in order) and the better phrasing.

    ``said`` is what the box on the card quotes: the agent's words for agent turns and for
    customer cues the agent answered (``response_turn`` in the finding's detail), otherwise the
    customer's words (``said_by`` tells which).
    """

    conversation_id: str
    started_at: datetime | None
    leg: int | None
    turn: int
    kind: str
    rule: str | None
    said: str
    said_by: str
    better: str | None
    context: tuple[TurnView, ...]

    @property
    def customer(self) -> TurnView | None:
        """The customer turn of the moment, if any."""
        return next((t for t in self.context if t.role == "customer"), None)

    @property
    def agent(self) -> TurnView | None:
        """The agent (or bot) turn of the moment, if any."""
        return next((t for t in self.context if t.role != "customer"), None)

    def to_dict(self, from_dir: str = "cards") -> dict[str, Any]:
        """JSON-ready dict with a link to the conversation page."""
        return {
            "conversation_id": self.conversation_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "leg": self.leg,
            "turn": self.turn,
            "kind": self.kind,
            "rule": self.rule,
            "said": self.said,
            "said_by": self.said_by,
            "better": self.better,
            "context": [t.to_dict() for t in self.context],
            "link": conversation_href(self.conversation_id, self.turn, from_dir=from_dir),
        }


@dataclass(frozen=True)
class CriterionStanding:
    """The rep's mean on one agent criterion against the team median."""

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "criterion": self.criterion,
            "label": self.label,
            "value": _round(self.value),
            "team_median": _round(self.team_median),
            "vs_median": _round(self.vs_median),
            "threshold": _round(self.threshold),
            "scored_legs": self.scored_legs,
            "passed_legs": self.passed_legs,
            "positive_findings": self.positive_findings,
            "negative_findings": self.negative_findings,
        }


@dataclass(frozen=True)
class FocusArea:
    """A strength or a growth area with its quoted moments."""

    standing: CriterionStanding
    summary: str
    moments: tuple[Moment, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "criterion": self.standing.criterion,
            "label": self.standing.label,
            "value": _round(self.standing.value),
            "team_median": _round(self.standing.team_median),
            "summary": self.summary,
            "moments": [m.to_dict() for m in self.moments],
        }


@dataclass(frozen=True)
class SystemNote:
    """A system finding on one of the rep's contacts: context, not score."""

    conversation_id: str
    started_at: datetime | None
    leg: int | None
    turn: int | None
    criterion: str
    kind: str
    label: str
    quote: str
    department: str | None

    def to_dict(self, from_dir: str = "cards") -> dict[str, Any]:
        """JSON-ready dict with a link to the conversation page."""
        return {
            "conversation_id": self.conversation_id,
            "leg": self.leg,
            "turn": self.turn,
            "criterion": self.criterion,
            "kind": self.kind,
            "label": self.label,
            "quote": self.quote,
            "department": self.department,
            "link": conversation_href(self.conversation_id, self.turn, from_dir=from_dir),
        }


@dataclass(frozen=True)
class NotYourFault:
    """System problems on the rep's contacts, excluded from every score on the card."""

    transfers_in: int
    reexplanations: int
    long_holds: int
    drops: int
    by_kind: tuple[tuple[str, int], ...]
    notes: tuple[SystemNote, ...]

    @property
    def total(self) -> int:
        """How many system findings there were."""
        return sum(n for _, n in self.by_kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "excluded_from_score": True,
            "counts": {
                "transfers_in": self.transfers_in,
                "reexplanations": self.reexplanations,
                "long_holds": self.long_holds,
                "drops": self.drops,
                "system_findings": self.total,
            },
            "by_kind": [{"kind": k, "count": n} for k, n in self.by_kind],
            "findings": [n.to_dict() for n in self.notes],
        }


@dataclass(frozen=True)
class TrendPoint:
    """The rep's overall score in one bucket (day or week)."""

    label: str
    start: str
    end: str
    value: float | None
    contacts: int


@dataclass
class CoachingCard:
    """Everything on one representative's card."""

    agent_id: str
    agent_name: str
    departments: tuple[str, ...]
    period: Period
    rubric_version: str | None
    contacts: int
    legs: int
    overall: float | None
    overall_team_median: float | None
    previous_overall: float | None
    criteria: list[CriterionStanding]
    trend_unit: str
    trend: list[TrendPoint]
    strengths: list[FocusArea]
    growth_areas: list[FocusArea]
    not_your_fault: NotYourFault
    conversation_ids: set[str] = field(default_factory=set)
    teams: tuple[str, ...] = ()  # where the source names the team within the department

    @property
    def slug(self) -> str:
        """File-name stem of the card."""
        return slug(self.agent_id)

    @property
    def display_name(self) -> str:
        """The rep's name, or their id when the store has no name."""
        return self.agent_name or self.agent_id

    @property
    def criteria_by_id(self) -> dict[str, CriterionStanding]:
        """Criterion standings keyed by criterion id."""
        return {c.criterion: c for c in self.criteria}

    @property
    def trend_delta(self) -> float | None:
        """Overall now minus the previous period's overall."""
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall

    def to_dict(self) -> dict[str, Any]:
        """The card as JSON (schema ``qareview.card.v1``); all quotes redacted."""
        return {
            "schema": "qareview.card.v1",
            "agent": {"id": self.agent_id, "name": self.display_name, "departments": list(self.departments)},
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "rubric_version": self.rubric_version,
            "contacts": self.contacts,
            "legs": self.legs,
            "overall": {
                "value": _round(self.overall),
                "team_median": _round(self.overall_team_median),
                "previous_period": _round(self.previous_overall),
                "change": _round(self.trend_delta),
                "attribution": AGENT,
            },
            "criteria": [c.to_dict() for c in self.criteria],
            "trend": {
                "unit": self.trend_unit,
                "points": [
                    {
                        "label": p.label,
                        "from": p.start,
                        "to": p.end,
                        "value": _round(p.value),
                        "contacts": p.contacts,
                    }
                    for p in self.trend
                ],
            },
            "strengths": [a.to_dict() for a in self.strengths],
            "growth_areas": [a.to_dict() for a in self.growth_areas],
            "not_your_fault": self.not_your_fault.to_dict(),
            "files": {"html": card_path(self.agent_id), "markdown": card_path(self.agent_id, "md")},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def overall_by_agent(rows: Iterable[AgentScoreRow]) -> dict[str, float | None]:
    """Each agent's overall score over their stored leg scores (``nlp.overall.overall_of``)."""
    legs: dict[str, list[tuple[dict[str, float], dict[str, float]]]] = defaultdict(list)
    for row in rows:
        if row.agent_id:
            legs[row.agent_id].append((row.criteria or {}, row.weights or {}))
    return {agent: overall_of(items) for agent, items in legs.items()}


def _agent_means(scores: Iterable[ScoreRow]) -> dict[str, dict[str, float | None]]:
    """{agent_id: {criterion: mean value}} over agent-attributed scores."""
    values: dict[str, dict[str, list[float | None]]] = defaultdict(lambda: defaultdict(list))
    for s in scores:
        if s.attribution == AGENT and s.agent_id:
            values[s.agent_id][s.criterion].append(s.value)
    return {a: {c: _mean(v) for c, v in crit.items()} for a, crit in values.items()}


def _rep_legs(snapshot: Snapshot) -> dict[str, list[LegRow]]:
    legs: dict[str, list[LegRow]] = defaultdict(list)
    for leg in snapshot.legs:
        if leg.agent_id and (leg.participant_role or AGENT) == AGENT:
            legs[leg.agent_id].append(leg)
    return legs


def agent_aliases(legs: Iterable[LegRow]) -> dict[str, str]:
    """Name-only agent ids mapped to the one real id with the same name and department.

    Some export formats know agents only by first name, and their readers use that name as
    the id (``Kevin``); the canonical exports give the same person a real id (``a-kevin``).
    A name-only id is merged into a real id only when exactly one matches.

    >>> legs = [LegRow("c1", 0, "agent", "a-kevin", "Kevin", "Billing", None, None, None, None, None),
    ...         LegRow("c2", 0, "agent", "Kevin", "Kevin", "Billing", None, None, None, None, None)]
    >>> agent_aliases(legs)
    {'Kevin': 'a-kevin'}
    """
    seen: dict[str, tuple[str, set[str]]] = {}
    for leg in legs:
        if not leg.agent_id or (leg.participant_role or AGENT) != AGENT:
            continue
        name, departments = seen.setdefault(leg.agent_id, ((leg.agent_name or "").strip().lower(), set()))
        if leg.department:
            departments.add(leg.department)
    aliases = {}
    for agent_id, (name, departments) in seen.items():
        if not name or agent_id.strip().lower() != name:
            continue
        matches = [
            other
            for other, (other_name, other_departments) in seen.items()
            if other != agent_id
            and other_name == name
            and other.strip().lower() != other_name
            and (not departments or not other_departments or departments & other_departments)
        ]
        if len(matches) == 1:
            aliases[agent_id] = matches[0]
    return aliases


def with_aliases(snapshot: Snapshot, aliases: Mapping[str, str]) -> Snapshot:
    """The snapshot with aliased agent ids replaced in legs, scores and findings."""
    if not aliases:
        return snapshot

    def fix(row: Any) -> Any:
        return replace(row, agent_id=aliases[row.agent_id]) if row.agent_id in aliases else row

    return Snapshot(
        snapshot.period,
        snapshot.rubric_version,
        snapshot.conversations,
        [fix(r) for r in snapshot.legs],
        snapshot.events,
        [fix(r) for r in snapshot.scores],
        [fix(r) for r in snapshot.findings],
        [fix(r) for r in snapshot.agent_scores],
        snapshot.handoffs,
        snapshot.leg_routes,
        snapshot.waits,
        snapshot.disconnects,
    )


def _long_hold_legs(snapshot: Snapshot, threshold_s: float) -> set[tuple[str, int]]:
    return {
        (w.conversation_id, w.leg)
        for w in snapshot.waits
        if w.kind == "hold" and w.leg is not None and w.duration_ms >= threshold_s * 1000
    }


def build_cards(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    rubric_version: str | None,
    *,
    rubric: RubricInfo,
    settings: Settings,
    redactor: Redactor,
) -> list[CoachingCard]:
    """One card per representative with an agent leg in the period, sorted by name."""
    unit = bucket_unit(period, settings.periods.daily_up_to_days)
    buckets = trend_buckets(period, unit, settings.periods.trend_buckets)
    history = load_snapshot(
        con, Period(min(buckets[0].start, period.previous().start), period.end), rubric_version
    )
    aliases = agent_aliases(history.legs) if settings.cards.merge_name_only_agents else {}
    history = with_aliases(history, aliases)
    snapshot = with_aliases(load_snapshot(con, period, rubric_version), aliases)
    previous = with_aliases(load_snapshot(con, period.previous(), rubric_version), aliases)

    means = _agent_means(snapshot.scores)
    overall = overall_by_agent(snapshot.agent_scores)
    criteria = sorted(
        {c for m in means.values() for c in m},
        key=lambda c: (rubric.order(c), c),
    )
    medians = {c: _median(m.get(c) for m in means.values()) for c in criteria}
    overall_median = _median(overall.values())
    previous_overall = overall_by_agent(previous.agent_scores)

    legs_by_agent = _rep_legs(snapshot)
    long_holds = _long_hold_legs(snapshot, settings.routing.long_hold_seconds)
    scores_by_agent: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in snapshot.scores:
        if row.attribution == AGENT and row.agent_id:
            scores_by_agent[row.agent_id].append(row)
    findings_by_agent: dict[str, list[FindingRow]] = defaultdict(list)
    system_by_conversation: dict[str, list[FindingRow]] = defaultdict(list)
    for finding in snapshot.findings:
        if finding.attribution == AGENT and finding.agent_id:
            findings_by_agent[finding.agent_id].append(finding)
        elif finding.attribution == SYSTEM:
            system_by_conversation[finding.conversation_id].append(finding)
    trends = _trends(history, buckets, unit)
    turns = load_turns(con, {f.conversation_id for rows in findings_by_agent.values() for f in rows})
    cards = []
    choices: dict[str, tuple[list[Area], list[Area]]] = {}
    for agent_id, legs in legs_by_agent.items():
        standings = _standings(
            scores_by_agent[agent_id],
            findings_by_agent[agent_id],
            means.get(agent_id, {}),
            criteria,
            medians,
            rubric,
        )
        card = CoachingCard(
            agent_id=agent_id,
            agent_name=next((leg.agent_name for leg in legs if leg.agent_name), None) or agent_id,
            departments=tuple(sorted({leg.department for leg in legs if leg.department})),
            teams=tuple(sorted({leg.team for leg in legs if leg.team})),
            period=period,
            rubric_version=rubric_version,
            contacts=len({leg.conversation_id for leg in legs}),
            legs=len(legs),
            overall=overall.get(agent_id),
            overall_team_median=overall_median,
            previous_overall=previous_overall.get(agent_id),
            criteria=standings,
            trend_unit=unit,
            trend=trends(agent_id),
            strengths=[],
            growth_areas=[],
            not_your_fault=NotYourFault(0, 0, 0, 0, (), ()),
        )
        strengths, growth, owned = _select_areas(card, findings_by_agent[agent_id], turns, settings)
        choices[agent_id] = (strengths, growth)
        card.not_your_fault = _not_your_fault(
            agent_id, legs, snapshot, system_by_conversation, long_holds, rubric, settings, owned
        )
        cards.append(card)
    _attach_moments(cards, choices, turns, snapshot, redactor)
    return sorted(cards, key=lambda c: (c.display_name.lower(), c.agent_id))


def _standings(
    scores: Sequence[ScoreRow],
    findings: Sequence[FindingRow],
    means: Mapping[str, float | None],
    criteria: Sequence[str],
    medians: Mapping[str, float | None],
    rubric: RubricInfo,
) -> list[CriterionStanding]:
    by_criterion: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in scores:
        by_criterion[row.criterion].append(row)
    polarity = Counter((f.criterion, f.polarity) for f in findings)
    return [
        CriterionStanding(
            criterion=criterion,
            label=rubric.label(criterion),
            description=rubric.description(criterion),
            value=means.get(criterion),
            team_median=medians.get(criterion),
            threshold=_mean(s.threshold for s in by_criterion[criterion]),
            scored_legs=sum(1 for s in by_criterion[criterion] if s.value is not None),
            passed_legs=sum(1 for s in by_criterion[criterion] if s.passed),
            positive_findings=polarity[(criterion, "positive")],
            negative_findings=polarity[(criterion, "negative")],
        )
        for criterion in criteria
    ]


def _trends(history: Snapshot, buckets: Sequence[Period], unit: str) -> Callable[[str], list[TrendPoint]]:
    """A function giving an agent's overall score per bucket (one pass over the history)."""
    bucket_of_conversation: dict[str, int] = {}
    for conversation in history.conversations:
        if conversation.started_at is None:
            continue
        for i, bucket in enumerate(buckets):
            lo, hi = bucket.bounds()
            if lo <= conversation.started_at < hi:
                bucket_of_conversation[conversation.id] = i
                break
    contacts: dict[tuple[str, int], set[str]] = defaultdict(set)
    for leg in history.legs:
        i = bucket_of_conversation.get(leg.conversation_id)
        if leg.agent_id and i is not None:
            contacts[(leg.agent_id, i)].add(leg.conversation_id)
    scores: dict[tuple[str, int], list[AgentScoreRow]] = defaultdict(list)
    for row in history.agent_scores:
        i = bucket_of_conversation.get(row.conversation_id)
        if row.agent_id and i is not None:
            scores[(row.agent_id, i)].append(row)

    def trend(agent_id: str) -> list[TrendPoint]:
        return [
            TrendPoint(
                label=bucket.start.strftime("%b %d")
                if unit == "day"
                else f"wk {bucket.start.strftime('%b %d')}",
                start=bucket.start.isoformat(),
                end=bucket.end.isoformat(),
                value=overall_by_agent(scores[(agent_id, i)]).get(agent_id),
                contacts=len(contacts[(agent_id, i)]),
            )
            for i, bucket in enumerate(buckets)
        ]

    return trend


def _not_your_fault(
    agent_id: str,
    legs: list[LegRow],
    snapshot: Snapshot,
    system_by_conversation: Mapping[str, list[FindingRow]],
    long_holds: set[tuple[str, int]],
    rubric: RubricInfo,
    settings: Settings,
    owned: set[MomentKey],
) -> NotYourFault:
    """System findings on the rep's legs, except on moments the card shows as the rep's own."""
    my_legs = {(leg.conversation_id, leg.leg) for leg in legs}
    routes = {
        (r.conversation_id, r.leg): r for r in snapshot.leg_routes if (r.conversation_id, r.leg) in my_legs
    }
    my_conversations = sorted({leg.conversation_id for leg in legs})
    system = [
        f
        for conversation_id in my_conversations
        for f in system_by_conversation.get(conversation_id, [])
        if f.polarity == "negative"
        and (f.agent_id == agent_id or (f.conversation_id, f.leg) in my_legs or f.leg is None)
        and (f.turn is None or (f.conversation_id, f.turn) not in owned)
    ]
    reexplain = set(settings.routing.reexplanation_criteria)
    notes = [
        SystemNote(
            conversation_id=f.conversation_id,
            started_at=snapshot.by_id[f.conversation_id].started_at
            if f.conversation_id in snapshot.by_id
            else None,
            leg=f.leg,
            turn=f.turn,
            criterion=f.criterion,
            kind=f.kind,
            label=rubric.kind_label(f.kind),
            quote=f.quote or "",
            department=f.department,
        )
        for f in system
    ]
    return NotYourFault(
        transfers_in=sum(1 for r in routes.values() if r.entry_route in TRANSFERRED_IN),
        reexplanations=sum(1 for f in system if f.criterion in reexplain),
        long_holds=len(my_legs & long_holds),
        drops=sum(1 for r in routes.values() if r.dropped),
        by_kind=tuple(Counter(rubric.kind_label(f.kind) for f in system).most_common()),
        notes=tuple(notes),
    )


def _moment_rank(f: FindingRow) -> tuple[int, int, int]:
    return (0 if f.suggestion else 1, 0 if f.quote else 1, 0 if f.turn is not None else 1)


def _pick_findings(
    findings: Iterable[FindingRow],
    limit: int,
    turns: Mapping[str, Sequence[TurnRow]],
    seen_turns: set[MomentKey],
) -> list[FindingRow]:
    """Up to ``limit`` quotable findings, spread over kinds and conversations.

    Each pick prefers a kind and a conversation not shown yet, then findings with a better
    phrasing and a quote. A moment whose turns the card already shows (``seen_turns``, updated)
    is skipped, so no card lists one moment twice.
    """
    pool = sorted((f for f in findings if f.turn is not None), key=_moment_rank)
    picked: list[FindingRow] = []
    while pool and len(picked) < limit:
        kinds = {f.kind for f in picked}
        conversations = {f.conversation_id for f in picked}
        best = min(
            pool,
            key=lambda f: (f.kind in kinds, f.conversation_id in conversations, _moment_rank(f)),
        )
        pool.remove(best)
        covered = moment_turns(best, turns)
        if covered & seen_turns:
            continue
        seen_turns |= covered
        picked.append(best)
    return picked


Area = tuple[CriterionStanding, list[FindingRow]]


def _select_areas(
    card: CoachingCard,
    findings: Sequence[FindingRow],
    turns: Mapping[str, Sequence[TurnRow]],
    settings: Settings,
) -> tuple[list[Area], list[Area], set[MomentKey]]:
    """Growth areas, strengths and the moments the rep owns on this card.

    Growth areas are picked first; a strength's moments must be really good (touch no flagged
    turn) and not shown already. The owned set is every flagged turn and every shown moment.
    """
    limits = settings.cards
    scored = [c for c in card.criteria if c.value is not None and c.scored_legs >= limits.min_scored_legs]
    flagged = flagged_turns(findings, turns)
    negative = defaultdict(list)
    positive = defaultdict(list)
    for f in findings:
        if f.polarity == "negative":
            negative[f.criterion].append(f)
    for f in really_good(findings, flagged, turns):
        positive[f.criterion].append(f)

    def below(c: CriterionStanding) -> bool:
        assert c.value is not None
        return (
            (c.threshold is not None and c.value < c.threshold)
            or (c.vs_median or 0.0) < 0
            or c.passed_legs < c.scored_legs
        )

    growth_candidates = [c for c in scored if negative[c.criterion] and below(c)]
    growth_candidates.sort(
        key=lambda c: (
            0 if c.threshold is not None and c.value is not None and c.value < c.threshold else 1,
            c.vs_median if c.vs_median is not None else 0.0,
            -len(negative[c.criterion]),
        )
    )
    shown: set[MomentKey] = set()
    growth = []
    for c in growth_candidates:
        if len(growth) == limits.max_growth_areas:
            break
        picked = _pick_findings(negative[c.criterion], limits.max_moments, turns, shown)
        if picked:
            growth.append((c, picked))
    chosen = {c.criterion for c, _ in growth}
    strengths = []
    for c in _strengths([c for c in scored if c.criterion not in chosen], positive, negative):
        if len(strengths) == limits.max_strengths:
            break
        picked = _pick_findings(positive[c.criterion], limits.max_moments, turns, shown)
        if picked:
            strengths.append((c, picked))
    return strengths, growth, flagged | shown


def _strengths(
    candidates: Sequence[CriterionStanding],
    positive: Mapping[str, Sequence[FindingRow]],
    negative: Mapping[str, Sequence[FindingRow]],
) -> list[CriterionStanding]:
    """Criteria at or above both the rubric's pass mark and the team median, best first.

    Each needs a really good moment to quote, and more of them than flagged ones.
    """

    def earned(c: CriterionStanding) -> bool:
        if c.value is None:
            return False
        at_pass = c.threshold is None or c.value >= c.threshold
        at_median = c.team_median is None or c.value >= c.team_median - 1e-9
        return at_pass and at_median

    def rank(c: CriterionStanding) -> tuple[float, int, float]:
        return (-(c.vs_median or 0.0), -len(positive.get(c.criterion, ())), -(c.value or 0.0))

    quotable = [
        c
        for c in candidates
        if earned(c) and len(positive.get(c.criterion, ())) > len(negative.get(c.criterion, ()))
    ]
    return sorted(quotable, key=rank)


def _summary(c: CriterionStanding, growth: bool) -> str:
    parts = []
    if c.value is not None and c.team_median is not None:
        relation = "above" if c.value > c.team_median else "below" if c.value < c.team_median else "at"
        parts.append(f"{c.value:.0%} — {relation} the team median of {c.team_median:.0%}")
    elif c.value is not None:
        parts.append(f"{c.value:.0%}")
    if growth and c.value is not None and c.threshold is not None and c.value < c.threshold:
        parts.append(f"below the rubric's pass mark of {c.threshold:.0%}")
    parts.append(f"passed on {c.passed_legs} of {c.scored_legs} scored contacts")
    if growth and c.negative_findings:
        parts.append(f"{c.negative_findings} moment{'s' if c.negative_findings != 1 else ''} flagged")
    if not growth and c.positive_findings:
        parts.append(f"{c.positive_findings} good moment{'s' if c.positive_findings != 1 else ''} noted")
    return "; ".join(parts) + "."


def _attach_moments(
    cards: list[CoachingCard],
    choices: Mapping[str, tuple[list[Area], list[Area]]],
    turns: Mapping[str, list[TurnRow]],
    snapshot: Snapshot,
    redactor: Redactor,
) -> None:
    """Turn the chosen strengths and growth areas into redacted moments (one redaction batch)."""
    for card in cards:
        card.conversation_ids.update(n.conversation_id for n in card.not_your_fault.notes)
    quoted = [f for choice in choices.values() for _, picked in choice[0] + choice[1] for f in picked]
    notes = [n.quote for card in cards for n in card.not_your_fault.notes if n.quote]
    needed = {f.conversation_id for f in quoted}
    redactor.prepare(
        [t.text for conversation_id in sorted(needed) for t in turns.get(conversation_id, [])]
        + [x for f in quoted for x in (f.quote, f.suggestion) if x]
        + notes
    )
    for card in cards:
        strengths, growth = choices[card.agent_id]
        keep = [card.agent_name] if card.agent_name != card.agent_id else []
        card.strengths = [
            FocusArea(c, _summary(c, False), _moments(p, turns, snapshot, redactor, keep))
            for c, p in strengths
        ]
        card.growth_areas = [
            FocusArea(c, _summary(c, True), _moments(p, turns, snapshot, redactor, keep)) for c, p in growth
        ]
        notes = card.not_your_fault.notes
        quotes = redactor.redact_many([n.quote for n in notes], keep)
        card.not_your_fault = NotYourFault(
            **{
                **card.not_your_fault.__dict__,
                "notes": tuple(
                    SystemNote(**{**n.__dict__, "quote": q}) for n, q in zip(notes, quotes, strict=True)
                ),
            }
        )
        for area in card.strengths + card.growth_areas:
            card.conversation_ids.update(m.conversation_id for m in area.moments)


def _context_rows(f: FindingRow, conv_turns: Sequence[TurnRow]) -> tuple[list[TurnRow], TurnRow | None]:
    """The turns to show around a finding, in order, and the one whose words the card quotes."""
    quoted = quoted_turn(f, conv_turns)
    if quoted is None:
        return [], None
    if quoted.turn != f.turn:  # the agent's reply to the customer's cue
        focus = next(t for t in conv_turns if t.turn == f.turn)
        return [focus, quoted], quoted
    wanted = "customer" if quoted.role != "customer" else None
    before = next(
        (
            t
            for t in reversed(conv_turns)
            if t.turn < quoted.turn and ((t.role == "customer") if wanted else (t.role != "customer"))
        ),
        None,
    )
    return [t for t in (before, quoted) if t is not None], quoted


def _moments(
    findings: Sequence[FindingRow],
    turns: Mapping[str, list[TurnRow]],
    snapshot: Snapshot,
    redactor: Redactor,
    keep: Sequence[str],
) -> tuple[Moment, ...]:
    moments = []
    for f in findings:
        rows, quoted = _context_rows(f, turns.get(f.conversation_id, []))
        if quoted is None or f.turn is None:
            continue
        marks = {f.turn: [(f.char_start, f.char_end)]} if f.char_start is not None else {}
        views = build_turn_views(
            rows,
            snapshot.legs_by_conversation.get(f.conversation_id, []),
            redactor,
            keep_names=keep,
            marks=marks,
        )
        if quoted.turn == f.turn:
            said = f.quote or quoted.text
        else:
            said = str(f.detail.get("response_quote") or quoted.text)
        conversation = snapshot.by_id.get(f.conversation_id)
        moments.append(
            Moment(
                conversation_id=f.conversation_id,
                started_at=conversation.started_at if conversation else None,
                leg=f.leg,
                turn=f.turn,
                kind=f.kind,
                rule=f.rule,
                said=redactor.redact(said, keep),
                said_by="customer" if quoted.role == "customer" else "agent",
                # a better phrasing answers a flagged moment; a good moment needs none
                better=redactor.redact(f.suggestion, keep)
                if f.suggestion and f.polarity == "negative"
                else None,
                context=tuple(views),
            )
        )
    return tuple(moments)
