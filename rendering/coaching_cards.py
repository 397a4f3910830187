"""Coaching cards: one per representative per period, formatted from what ``nlp.coaching`` decides.

This module queries the store, hands the rows to :mod:`nlp.coaching.compose` (which decides
every number, area and moment on a card), then redacts everything quoted and shapes it for the
page and the JSON file, a representative at a time.

    cards = build_cards(con, period, "default-1", rubric=RubricInfo.from_scores(...),
                        settings=load_settings(), redactor=Redactor())
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import duckdb

from nlp.coaching.compose import (
    CardArea,
    CardContent,
    CardRows,
    coached_conversations,
    compose_card,
    rows_by_agent,
    team_figures,
)
from nlp.coaching.moments import QuotedMoment
from nlp.coaching.standings import CriterionStanding
from nlp.coaching.system_notes import NotYourFault, SystemNote
from rendering.periods import Period, bucket_unit, trend_buckets
from rendering.redact import Redactor
from rendering.rubric_info import RubricInfo
from rendering.settings import Settings
from rendering.site_paths import card_path, conversation_href, slug
from rendering.store_queries import (
    PeriodStream,
    Snapshot,
    TurnRow,
    agent_conversations,
    load_snapshot,
    load_turns,
)
from rendering.turn_views import TurnView, build_turn_views, quote_policy

AGENT = "agent"


@dataclass(frozen=True)
class Moment:
    """A quoted moment: the turn in context (customer and agent, in order) and the better phrasing.

    ``said`` is what the box on the card quotes (``said_by`` tells whose words), redacted.
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
class TrendPoint:
    """The rep's overall score in one bucket (day or week)."""

    label: str
    start: str
    end: str
    value: float | None
    contacts: int


@dataclass
class CoachingCard:
    """Everything on one representative's card, redacted and ready to format."""

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
            "criteria": [standing_dict(c) for c in self.criteria],
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
            "not_your_fault": not_your_fault_dict(self.not_your_fault),
            "files": {"html": card_path(self.agent_id), "markdown": card_path(self.agent_id, "md")},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def standing_dict(c: CriterionStanding) -> dict[str, Any]:
    """A criterion standing as the card's JSON gives it."""
    return {
        "criterion": c.criterion,
        "label": c.label,
        "value": _round(c.value),
        "team_median": _round(c.team_median),
        "vs_median": _round(c.vs_median),
        "threshold": _round(c.threshold),
        "scored_legs": c.scored_legs,
        "passed_legs": c.passed_legs,
        "positive_findings": c.positive_findings,
        "negative_findings": c.negative_findings,
    }


def note_dict(n: SystemNote, from_dir: str = "cards") -> dict[str, Any]:
    """A "not your fault" note as the card's JSON gives it, with a link to the conversation page."""
    return {
        "conversation_id": n.conversation_id,
        "leg": n.leg,
        "turn": n.turn,
        "criterion": n.criterion,
        "kind": n.kind,
        "label": n.label,
        "quote": n.quote,
        "department": n.department,
        "link": conversation_href(n.conversation_id, n.turn, from_dir=from_dir),
    }


def not_your_fault_dict(fault: NotYourFault) -> dict[str, Any]:
    """The card's "not your fault" section as JSON."""
    return {
        "excluded_from_score": True,
        "counts": {
            "transfers_in": fault.transfers_in,
            "reexplanations": fault.reexplanations,
            "long_holds": fault.long_holds,
            "drops": fault.drops,
            "system_findings": fault.total,
        },
        "by_kind": [{"kind": k, "count": n} for k, n in fault.by_kind],
        "findings": [note_dict(n) for n in fault.notes],
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
    """One card per representative with an agent leg in the period, sorted by name.

    Each card is composed (:func:`compose_by_representative`), redacted and shaped from its
    representative's conversations alone, so what is held at once grows with one
    representative's contacts, not with the period's.
    """
    unit = bucket_unit(period, settings.periods.daily_up_to_days)
    buckets = trend_buckets(period, unit, settings.periods.trend_buckets)
    cards = []
    for content, snapshot in compose_by_representative(con, period, rubric_version, rubric, settings):
        _prepare_redaction([content], redactor)
        cards.append(_card(content, period, rubric_version, unit, buckets, snapshot, redactor))
    return sorted(cards, key=lambda c: (c.display_name.lower(), c.agent_id))


def compose_by_representative(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    rubric_version: str | None,
    labels: RubricInfo,
    settings: Settings,
) -> Iterator[tuple[CardContent, Snapshot]]:
    """Each representative's card content and the rows of their conversations, one at a time.

    The same contents :func:`nlp.coaching.compose.compose_cards` gives on the whole period's
    rows: the team's figures are read from the store as streams (``PeriodStream``), then each
    card from its representative's conversations (``agent_conversations``).
    """
    unit = bucket_unit(period, settings.periods.daily_up_to_days)
    buckets = trend_buckets(period, unit, settings.periods.trend_buckets)
    streams = CardRows(
        PeriodStream(con, period, rubric_version),
        PeriodStream(con, period.previous(), rubric_version),
        PeriodStream(con, history_period(period, settings), rubric_version),
    )
    merge = settings.cards.merge_name_only_agents
    team = team_figures(streams, buckets, labels, merge_name_only_agents=merge)
    for agent_id in team.order:
        known_as = [agent_id, *sorted(a for a, real in team.aliases.items() if real == agent_id)]
        snapshot = load_snapshot(con, period, rubric_version, agent_conversations(con, period, known_as))
        mine = rows_by_agent(snapshot, team.aliases, settings.routing)[agent_id]
        turns = load_turns(con, coached_conversations(mine.findings))
        yield compose_card(agent_id, mine, team, turns, labels, settings.cards, settings.routing), snapshot


def history_period(period: Period, settings: Settings) -> Period:
    """The days the cards read: the trend's buckets, the period before and the period."""
    unit = bucket_unit(period, settings.periods.daily_up_to_days)
    buckets = trend_buckets(period, unit, settings.periods.trend_buckets)
    return Period(min(buckets[0].start, period.previous().start), period.end)


def _prepare_redaction(contents: Sequence[CardContent], redactor: Redactor) -> None:
    """Redact every text the cards quote in one batch."""
    moments = [m for c in contents for area in c.strengths + c.growth_areas for m in area.moments]
    notes = [n.quote for c in contents for n in c.not_your_fault.notes if n.quote]
    shown: list[TurnRow] = [t for m in moments for t in m.context]
    redactor.prepare([t.text for t in shown], policies=[t.redacted_by for t in shown])
    redactor.prepare([m.said for m in moments], policies=[_said_policy(m) for m in moments])
    redactor.prepare([m.better for m in moments if m.better] + notes)


def _said_policy(quoted: QuotedMoment) -> str | None:
    """The policy that redacted a moment's quoted words at ingest, when cut from a turn it shows."""
    return next((p for t in quoted.context if (p := quote_policy(quoted.said, t)) is not None), None)


def _card(
    content: CardContent,
    period: Period,
    rubric_version: str | None,
    unit: str,
    buckets: Sequence[Period],
    snapshot: Snapshot,
    redactor: Redactor,
) -> CoachingCard:
    keep = [content.agent_name] if content.agent_name != content.agent_id else []
    fault = content.not_your_fault
    quotes = redactor.redact_many([n.quote for n in fault.notes], keep)
    card = CoachingCard(
        agent_id=content.agent_id,
        agent_name=content.agent_name,
        departments=content.departments,
        teams=content.teams,
        period=period,
        rubric_version=rubric_version,
        contacts=content.contacts,
        legs=content.legs,
        overall=content.overall,
        overall_team_median=content.overall_team_median,
        previous_overall=content.previous_overall,
        criteria=list(content.criteria),
        trend_unit=unit,
        trend=[
            TrendPoint(
                label=bucket.start.strftime("%b %d")
                if unit == "day"
                else f"wk {bucket.start.strftime('%b %d')}",
                start=bucket.start.isoformat(),
                end=bucket.end.isoformat(),
                value=score.value,
                contacts=score.contacts,
            )
            for bucket, score in zip(buckets, content.trend, strict=True)
        ],
        strengths=[_area(a, False, snapshot, redactor, keep) for a in content.strengths],
        growth_areas=[_area(a, True, snapshot, redactor, keep) for a in content.growth_areas],
        not_your_fault=replace(
            fault, notes=tuple(replace(n, quote=q) for n, q in zip(fault.notes, quotes, strict=True))
        ),
    )
    card.conversation_ids.update(n.conversation_id for n in fault.notes)
    for area in card.strengths + card.growth_areas:
        card.conversation_ids.update(m.conversation_id for m in area.moments)
    return card


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


def _area(
    area: CardArea, growth: bool, snapshot: Snapshot, redactor: Redactor, keep: Sequence[str]
) -> FocusArea:
    moments = tuple(_moment(m, snapshot, redactor, keep) for m in area.moments)
    return FocusArea(area.standing, _summary(area.standing, growth), moments)


def _moment(quoted: QuotedMoment, snapshot: Snapshot, redactor: Redactor, keep: Sequence[str]) -> Moment:
    """A quoted moment redacted, its turns shown as the page shows them."""
    f = quoted.finding
    assert f.turn is not None
    marks = {f.turn: [(f.char_start, f.char_end)]} if f.char_start is not None else {}
    views = build_turn_views(
        quoted.context,
        snapshot.legs_by_conversation.get(f.conversation_id, []),
        redactor,
        keep_names=keep,
        marks=marks,
    )
    conversation = snapshot.by_id.get(f.conversation_id)
    return Moment(
        conversation_id=f.conversation_id,
        started_at=conversation.started_at if conversation else None,
        leg=f.leg,
        turn=f.turn,
        kind=f.kind,
        rule=f.rule,
        said=redactor.redact_many([quoted.said], keep, [_said_policy(quoted)])[0],
        said_by=quoted.said_by,
        better=redactor.redact(quoted.better, keep) if quoted.better else None,
        context=tuple(views),
    )
