"""Conversation view pages: legs, turns with sentiment, events, and findings highlighted.

One page per conversation a card or the report links to, so every link resolves. Turn text is
redacted (the names of the agents who handled the contact are kept) and finding spans are
highlighted on the original offsets. Where the export carried the vendor's own analytics
(``Conversation.vendor_signals``: Contact Lens, CCAI, Genesys...), its per-turn sentiment is
shown beside ours and its contact-level sentiment, categories and issues in their own
section: evidence to compare, never replacing our analysis.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import duckdb
from pydantic import AfterValidator, RootModel

from configfile import ConfigValueError, load_yaml_config
from rendering.redact import Redactor
from rendering.rubric_info import RubricInfo
from rendering.store_queries import (
    ConversationRow,
    EventRow,
    FindingRow,
    LegRow,
    TrajectoryRow,
    TurnRow,
    load_conversations,
    load_events,
    load_findings,
    load_legs,
    load_trajectories,
    load_turns,
)
from rendering.turn_views import TurnView, build_turn_views, quote_policy


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


VENDOR_SOURCES_PATH = Path(__file__).with_name("vendor_sources.yaml")
_KIND_ORDER = ("sentiment", "category", "issue", "outcome", "action_item")
_KIND_LABELS = {
    "sentiment": "Sentiment",
    "category": "Categories",
    "issue": "Issues",
    "outcome": "Outcomes",
    "action_item": "Action items",
}


@dataclass(frozen=True)
class VendorSignalView:
    """One finding of the vendor's own analytics, as a page shows it (text redacted)."""

    source: str
    source_label: str
    kind: str
    label: str
    score: float | None
    turn: int | None
    role: str | None


@dataclass(frozen=True)
class VendorGroup:
    """The contact-level vendor signals of one kind (``Sentiment``, ``Categories``...)."""

    kind: str
    title: str
    signals: tuple[VendorSignalView, ...]


def _reader_name(name: str) -> str:
    from transcripts.readers.all import readers

    if name not in readers():
        raise ValueError(f"no reader is called {name!r}; readers: {', '.join(sorted(readers()))}")
    return name


class VendorSourcesFile(RootModel[dict[Annotated[str, AfterValidator(_reader_name)], str]]):
    """``vendor_sources.yaml``: reader name -> the name pages give its analytics."""


@cache
def vendor_source_labels(path: Path = VENDOR_SOURCES_PATH) -> dict[str, str]:
    """Reader name -> the name pages give its analytics (``vendor_sources.yaml``)."""
    return dict(
        load_yaml_config(path, VendorSourcesFile, what="vendor source names", error=ConfigValueError).root
    )


def _source_label(source: str) -> str:
    return vendor_source_labels().get(source) or source.replace("_", " ").capitalize()


def load_vendor_signals(
    con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str]
) -> dict[str, list[dict]]:
    """The stored ``vendor_signals`` of each conversation (from its canonical JSON), in source order.

    The store extracts the one field (DuckDB and PostgreSQL both read ``raw->'vendor_signals'``),
    so a page does not parse its whole conversation in Python for it.
    """
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    rows = con.execute(
        "SELECT id, raw->'vendor_signals' FROM conversations"
        " WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
        [ids],
    ).fetchall()
    found: dict[str, list[dict]] = {}
    for cid, raw in rows:
        signals = json.loads(raw) if isinstance(raw, str | bytes) else raw
        if isinstance(signals, list):
            found[cid] = [s for s in signals if isinstance(s, dict) and s.get("label")]
    return found


def vendor_views(
    signals: Sequence[dict], redactor: Redactor, keep_names: Sequence[str]
) -> tuple[dict[int, list[VendorSignalView]], list[VendorGroup]]:
    """Per-turn vendor sentiment by turn, and the contact-level signals grouped by kind.

    Labels are redacted like turn text (an issue or action item quotes the conversation).
    """
    labels = redactor.redact_many([str(s["label"]) for s in signals], keep_names)
    by_turn: dict[int, list[VendorSignalView]] = defaultdict(list)
    by_kind: dict[str, list[VendorSignalView]] = defaultdict(list)
    for signal, label in zip(signals, labels, strict=True):
        score = signal.get("score")
        view = VendorSignalView(
            source=str(signal.get("source") or ""),
            source_label=_source_label(str(signal.get("source") or "vendor")),
            kind=str(signal.get("kind") or "category"),
            label=label,
            score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
            turn=signal.get("turn") if isinstance(signal.get("turn"), int) else None,
            role=signal.get("role") if isinstance(signal.get("role"), str) else None,
        )
        if view.turn is not None and view.kind == "sentiment":
            by_turn[view.turn].append(view)
        else:
            by_kind[view.kind].append(view)
    order = {kind: i for i, kind in enumerate(_KIND_ORDER)}
    groups = [
        VendorGroup(kind, _KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()), tuple(views))
        for kind, views in sorted(by_kind.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    ]
    return dict(by_turn), groups


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
    vendor_by_turn: dict[int, list[VendorSignalView]] = field(default_factory=dict)
    vendor_groups: list[VendorGroup] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Conversation id."""
        return self.conversation.id


def _minutes(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _transfer_line(event: EventRow, legs: dict[int, LegRow]) -> str:
    warm = {True: "Warm transfer", False: "Cold transfer"}.get(event.warm, "Transfer")  # type: ignore[arg-type]
    source = event.from_department or (legs[event.from_leg].department if event.from_leg in legs else None)
    target = event.to_department or (legs[event.to_leg].department if event.to_leg in legs else None)
    route = " → ".join(x for x in (source, target) if x)
    return f"{warm} {route}".strip() + (f" ({event.reason})" if event.reason else "")


def _wait_line(name: str) -> Callable[[EventRow, dict[int, LegRow]], str]:
    def line(event: EventRow, legs: dict[int, LegRow]) -> str:
        return f"{name} {_minutes(event.duration_ms)}".strip() + (" min" if event.duration_ms else "")

    return line


def _disconnect_line(event: EventRow, legs: dict[int, LegRow]) -> str:
    return f"Disconnected by {event.by or 'unknown'}" + (f" ({event.reason})" if event.reason else "")


_EVENT_LINES: dict[str, Callable[[EventRow, dict[int, LegRow]], str]] = {
    "transfer": _transfer_line,
    "hold_start": _wait_line("On hold"),
    "hold_end": _wait_line("Back from hold"),
    "queue_wait": _wait_line("Waiting in queue"),
    "disconnect": _disconnect_line,
}
"""How the page words each recorded event type (others: the type's name)."""


def describe_event(event: EventRow, legs: dict[int, LegRow]) -> str:
    """One line for an event as the source recorded it, e.g. ``Cold transfer Billing → Technical Support``."""
    line = _EVENT_LINES.get(event.type)
    return line(event, legs) if line is not None else event.type.replace("_", " ")


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


@dataclass(frozen=True)
class PageInputs:
    """Every stored row one conversation page is built from (its fingerprint's main part)."""

    conversation: ConversationRow
    legs: tuple[LegRow, ...]
    events: tuple[EventRow, ...]
    turns: tuple[TurnRow, ...]
    findings: tuple[FindingRow, ...]
    trajectories: tuple[TrajectoryRow, ...]
    vendor_signals: tuple[dict, ...]

    @property
    def id(self) -> str:
        """Conversation id."""
        return self.conversation.id

    def other_texts(self) -> list[str]:
        """The texts the page redacts besides stored turns and quotes: suggestions, vendor labels."""
        suggestions = [f.suggestion for f in self.findings if f.suggestion]
        return suggestions + [str(s["label"]) for s in self.vendor_signals]


def quote_policies(findings: Sequence[FindingRow], turns: Sequence[TurnRow]) -> list[str | None]:
    """Per finding, the policy that redacted its quote at ingest (``turn_views.quote_policy``)."""
    by_turn = {t.turn: t for t in turns}
    return [quote_policy(f.quote, by_turn.get(f.turn) if f.turn is not None else None) for f in findings]


def load_page_inputs(
    con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str], rubric_version: str | None
) -> list[PageInputs]:
    """The stored rows of the given conversations' pages, in page order (unknown ids are skipped)."""
    conversations = load_conversations(con, conversation_ids)
    ids = [c.id for c in conversations]
    legs = load_legs(con, ids)
    events = load_events(con, ids)
    turns = load_turns(con, ids)
    findings = load_findings(con, ids, rubric_version)
    vendor = load_vendor_signals(con, ids)
    trajectories: dict[str, list[TrajectoryRow]] = defaultdict(list)
    for t in load_trajectories(con, ids):
        trajectories[t.conversation_id].append(t)
    return [
        PageInputs(
            c,
            tuple(legs.get(c.id, ())),
            tuple(events.get(c.id, ())),
            tuple(turns.get(c.id, ())),
            tuple(findings.get(c.id, ())),
            tuple(trajectories.get(c.id, ())),
            tuple(vendor.get(c.id, ())),
        )  # fmt: skip
        for c in conversations
    ]


def build_pages(
    inputs: Sequence[PageInputs], *, rubric: RubricInfo, redactor: Redactor
) -> list[ConversationPage]:
    """Pages from their loaded rows (all their texts redacted in one batch first)."""
    turns = [t for page in inputs for t in page.turns]
    redactor.prepare([t.text for t in turns], policies=[t.redacted_by for t in turns])
    redactor.prepare(
        [f.quote or "" for page in inputs for f in page.findings],
        policies=[p for page in inputs for p in quote_policies(page.findings, page.turns)],
    )
    redactor.prepare([text for page in inputs for text in page.other_texts()])
    pages = []
    for page in inputs:
        cid = page.id
        conv_legs = list(page.legs) or [
            LegRow(cid, 0, "agent", None, None, None, None, None, None, None, None)
        ]
        pages.append(
            _page(
                page.conversation, conv_legs, list(page.events), list(page.turns), list(page.findings),
                list(page.trajectories), rubric, redactor, page.vendor_signals,
            )
        )  # fmt: skip
    return pages


def build_conversation_pages(
    con: duckdb.DuckDBPyConnection,
    conversation_ids: Iterable[str],
    rubric_version: str | None,
    *,
    rubric: RubricInfo,
    redactor: Redactor,
) -> list[ConversationPage]:
    """Pages for the given conversations (unknown ids are skipped)."""
    return build_pages(
        load_page_inputs(con, conversation_ids, rubric_version), rubric=rubric, redactor=redactor
    )


def _page(
    conversation: ConversationRow,
    legs: list[LegRow],
    events: list[EventRow],
    turns: list[Any],
    findings: list[FindingRow],
    trajectories: list[TrajectoryRow],
    rubric: RubricInfo,
    redactor: Redactor,
    vendor_signals: Sequence[dict] = (),
) -> ConversationPage:
    keep = sorted({leg.agent_name for leg in legs if leg.agent_name})
    marks: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
    for f in findings:
        if f.turn is not None and f.char_start is not None:
            marks[f.turn].append((f.char_start, f.char_end))
    views = build_turn_views(turns, legs, redactor, keep_names=keep, marks=marks)
    quotes = redactor.redact_many([f.quote or "" for f in findings], keep, quote_policies(findings, turns))
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
    vendor_by_turn, vendor_groups = vendor_views(vendor_signals, redactor, keep)
    return ConversationPage(
        conversation, ordered, unplaced, whole, len(findings), vendor_by_turn, vendor_groups
    )
