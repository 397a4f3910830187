"""Conversation view pages: legs, turns with sentiment, events, and findings highlighted.

One page per conversation a card or the report links to, so every link resolves. Turn text is
redacted (the names of the agents who handled the contact are kept) and finding spans are
highlighted on the original offsets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from rendering.redact import Redactor
from rendering.rubric_info import RubricInfo
from rendering.store_queries import (
    ConversationRow,
    EventRow,
    FindingRow,
    LegRow,
    TrajectoryRow,
    load_conversations,
    load_events,
    load_findings,
    load_legs,
    load_trajectories,
    load_turns,
)
from rendering.turn_views import TurnView, build_turn_views


@dataclass(frozen=True)
class FindingView:
    """A finding as the conversation page lists it next to its turn."""

    criterion: str
    criterion_label: str
    kind: str
    kind_label: str
    attribution: str
    polarity: str
    quote: str
    suggestion: str | None
    rule: str | None


@dataclass(frozen=True)
class EventView:
    """An event line between turns."""

    type: str
    text: str
    at_ms: int | None


@dataclass
class LegSection:
    """A leg's header and its timeline of turns and events, in order."""

    leg: LegRow
    items: list[tuple[str, Any]] = field(default_factory=list)  # ("turn", TurnView) | ("event", EventView)
    findings_by_turn: dict[int, list[FindingView]] = field(default_factory=dict)
    leg_findings: list[FindingView] = field(default_factory=list)  # about the leg, not one turn
    trajectory: TrajectoryRow | None = None


@dataclass
class ConversationPage:
    """Everything on one conversation page."""

    conversation: ConversationRow
    sections: list[LegSection]
    unplaced_findings: list[FindingView]
    trajectory: TrajectoryRow | None
    finding_count: int

    @property
    def id(self) -> str:
        """Conversation id."""
        return self.conversation.id


def _minutes(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def describe_event(event: EventRow, legs: dict[int, LegRow]) -> str:
    """One line for an event, e.g. ``Cold transfer Billing → Technical Support``."""
    if event.type == "transfer":
        warm = {True: "Warm transfer", False: "Cold transfer"}.get(event.warm, "Transfer")  # type: ignore[arg-type]
        source = event.from_department or (
            legs[event.from_leg].department if event.from_leg in legs else None
        )
        target = event.to_department or (legs[event.to_leg].department if event.to_leg in legs else None)
        route = " → ".join(x for x in (source, target) if x)
        return f"{warm} {route}".strip() + (f" ({event.reason})" if event.reason else "")
    if event.type in ("hold_start", "hold_end", "queue_wait"):
        name = {"hold_start": "On hold", "hold_end": "Back from hold", "queue_wait": "Waiting in queue"}[
            event.type
        ]
        return f"{name} {_minutes(event.duration_ms)}".strip() + (" min" if event.duration_ms else "")
    if event.type == "disconnect":
        return f"Disconnected by {event.by or 'unknown'}" + (f" ({event.reason})" if event.reason else "")
    return event.type.replace("_", " ")


def _event_leg(event: EventRow, legs: Sequence[LegRow]) -> int | None:
    if event.leg is not None:
        return event.leg
    if event.from_leg is not None:
        return event.from_leg
    if event.at_ms is not None:
        for leg in legs:
            if (
                leg.start_ms is not None
                and leg.end_ms is not None
                and leg.start_ms <= event.at_ms <= leg.end_ms
            ):
                return leg.leg
    return legs[-1].leg if legs else None


def _timeline(turns: Sequence[TurnView], events: Sequence[EventView]) -> list[tuple[str, Any]]:
    """Turns and events of one leg in time order; untimed events go after the turns."""
    timed = all(t.start_ms is not None for t in turns)
    items: list[tuple[tuple[int, float, int], tuple[str, Any]]] = []
    for i, t in enumerate(turns):
        items.append(
            ((0, float(t.start_ms) if timed and t.start_ms is not None else float(i), 1), ("turn", t))
        )
    for j, e in enumerate(events):
        if timed and e.at_ms is not None:
            items.append(((0, float(e.at_ms), 0), ("event", e)))
        else:
            items.append(((1, float(j), 0), ("event", e)))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def build_conversation_pages(
    con: duckdb.DuckDBPyConnection,
    conversation_ids: Iterable[str],
    rubric_version: str | None,
    *,
    rubric: RubricInfo,
    redactor: Redactor,
) -> list[ConversationPage]:
    """Pages for the given conversations (unknown ids are skipped)."""
    conversations = load_conversations(con, conversation_ids)
    ids = [c.id for c in conversations]
    legs = load_legs(con, ids)
    events = load_events(con, ids)
    turns = load_turns(con, ids)
    findings = load_findings(con, ids, rubric_version)
    redactor.prepare(
        [t.text for rows in turns.values() for t in rows]
        + [x for rows in findings.values() for f in rows for x in (f.quote, f.suggestion) if x]
    )
    trajectories: dict[str, list[TrajectoryRow]] = defaultdict(list)
    for t in load_trajectories(con, ids):
        trajectories[t.conversation_id].append(t)
    pages = []
    for conversation in conversations:
        cid = conversation.id
        conv_legs = legs.get(cid) or [LegRow(cid, 0, "agent", None, None, None, None, None, None, None, None)]
        pages.append(
            _page(
                conversation, conv_legs, events.get(cid, []), turns.get(cid, []), findings.get(cid, []),
                trajectories.get(cid, []), rubric, redactor,
            )
        )  # fmt: skip
    return pages


def _page(
    conversation: ConversationRow,
    legs: list[LegRow],
    events: list[EventRow],
    turns: list[Any],
    findings: list[FindingRow],
    trajectories: list[TrajectoryRow],
    rubric: RubricInfo,
    redactor: Redactor,
) -> ConversationPage:
    keep = sorted({leg.agent_name for leg in legs if leg.agent_name})
    marks: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
    for f in findings:
        if f.turn is not None and f.char_start is not None:
            marks[f.turn].append((f.char_start, f.char_end))
    views = build_turn_views(turns, legs, redactor, keep_names=keep, marks=marks)
    quotes = redactor.redact_many([f.quote or "" for f in findings], keep)
    suggestions = redactor.redact_many([f.suggestion or "" for f in findings], keep)
    by_leg = {leg.leg: leg for leg in legs}
    sections = {leg.leg: LegSection(leg) for leg in legs}
    for t in trajectories:
        if t.leg in sections:
            sections[t.leg].trajectory = t
    unplaced = []
    for f, quote, suggestion in zip(findings, quotes, suggestions, strict=True):
        view = FindingView(
            criterion=f.criterion,
            criterion_label=rubric.label(f.criterion),
            kind=f.kind,
            kind_label=rubric.kind_label(f.kind),
            attribution=f.attribution,
            polarity=f.polarity,
            quote=quote,
            suggestion=suggestion or None,
            rule=f.rule,
        )
        turn_leg = next((v.leg for v in views if v.turn == f.turn), None) if f.turn is not None else None
        if turn_leg is not None and turn_leg in sections and f.turn is not None:
            sections[turn_leg].findings_by_turn.setdefault(f.turn, []).append(view)
        elif f.turn is None and f.leg in sections:
            sections[f.leg].leg_findings.append(view)
        else:
            unplaced.append(view)
    events_by_leg: dict[int | None, list[EventView]] = defaultdict(list)
    for e in events:
        events_by_leg[_event_leg(e, legs)].append(EventView(e.type, describe_event(e, by_leg), e.at_ms))
    for leg_index, section in sections.items():
        leg_turns = [v for v in views if v.leg == leg_index]
        section.items = _timeline(leg_turns, events_by_leg.get(leg_index, []))
    orphan_events = [e for k, evs in events_by_leg.items() if k not in sections for e in evs]
    ordered = [sections[k] for k in sorted(sections)]
    if orphan_events and ordered:
        ordered[-1].items.extend(("event", e) for e in orphan_events)
    whole = next((t for t in trajectories if t.leg is None), None)
    return ConversationPage(conversation, ordered, unplaced, whole, len(findings))
