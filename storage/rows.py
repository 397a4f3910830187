"""How each domain object becomes rows of the store tables (see ``storage/migrations/``).

Each ``*_COLUMNS`` tuple names the columns a ``*_rows`` function fills, in order. Times are
stored as naive UTC; a time without a zone is taken to be UTC already.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from transcripts.journeys import JourneyWithContinuations
from transcripts.model import Conversation, Journey
from transcripts.quarantine import Quarantined
from transcripts.textio import storable

if TYPE_CHECKING:  # spaCy loads slowly; rows only need these for type hints
    from nlp.annotated import AnnotatedConversation
    from nlp.findings import ConversationScores

Row = tuple[Any, ...]

CONVERSATION_COLUMNS = (
    "id",
    "channel",
    "customer_id",
    "started_at",
    "ended_at",
    "language",
    "source_file",
    "source_format",
    "source_record",
    "content_hash",
    "raw",
    "ingested_run",
    "updated_run",
    "privacy_policy",
)
LEG_COLUMNS = (
    "conversation_id",
    "leg",
    "participant_role",
    "agent_id",
    "agent_name",
    "department",
    "queue",
    "started_via",
    "ended_via",
    "start_ms",
    "end_ms",
    "team",
)
TURN_COLUMNS = (
    "conversation_id",
    "turn",
    "leg",
    "role",
    "speaker_id",
    "speaker_name",
    "text",
    "start_ms",
    "end_ms",
)
EVENT_COLUMNS = (
    "conversation_id",
    "seq",
    "type",
    "at_ms",
    "duration_ms",
    "leg",
    "from_leg",
    "to_leg",
    "from_department",
    "to_department",
    "from_agent",
    "to_agent",
    "warm",
    "by",
    "reason",
)
QUARANTINE_COLUMNS = ("run_id", "file", "record", "reason", "message", "excerpt")
TURN_SENTIMENT_COLUMNS = ("conversation_id", "turn", "label", "score", "model")
TRAJECTORY_COLUMNS = (
    "conversation_id",
    "leg",
    "start",
    "end",
    "delta",
    "direction",
    "customer_turns",
    "agent_tone",
)
SCORE_COLUMNS = (
    "conversation_id",
    "leg",
    "agent_id",
    "criterion",
    "scorer",
    "value",
    "threshold",
    "passed",
    "reason",
    "rubric_version",
    "attribution",
)
FINDING_COLUMNS = (
    "conversation_id",
    "seq",
    "leg",
    "turn",
    "agent_id",
    "department",
    "scorer",
    "criterion",
    "kind",
    "attribution",
    "polarity",
    "char_start",
    "char_end",
    "quote",
    "rule",
    "suggestion",
    "detail",
    "rubric_version",
)
JOURNEY_COLUMNS = (
    "journey_id",
    "customer_id",
    "started_at",
    "ended_at",
    "contacts",
    "continuations",
    "repeat_contacts",
    "right_censored",
)
JOURNEY_CONTACT_COLUMNS = ("journey_id", "conversation_id", "position", "is_continuation")


def db_time(value: datetime | None) -> datetime | None:
    """``value`` as a naive UTC datetime for a TIMESTAMP column."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def utc_time(value: datetime | None) -> datetime | None:
    """A TIMESTAMP column value (naive UTC) as an aware UTC datetime."""
    return None if value is None else value.replace(tzinfo=UTC)


def to_json(value: Any) -> str:
    """Compact, key-sorted JSON for a JSON column."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _value(member: Enum | None) -> Any:
    """The value of an enum member (None stays None)."""
    return None if member is None else member.value


def conversation_row(
    conversation: Conversation, content_hash: str, ingested_run: str | None, updated_run: str | None
) -> Row:
    """The ``conversations`` row; ``raw`` is the canonical JSON every other table derives from."""
    c = conversation
    return (
        c.id,
        c.channel.value,
        c.customer_id,
        db_time(c.started_at),
        db_time(c.ended_at),
        c.language,
        c.source_file,
        c.source_format,
        c.source_record,
        content_hash,
        c.model_dump_json(),
        ingested_run,
        updated_run,
        privacy_policy(c),
    )


def privacy_policy(conversation: Conversation) -> str | None:
    """The ``id@version`` of the redaction policy that redacted ``conversation`` (see ``privacy``)."""
    stamp = conversation.extra.get("redaction")
    return stamp.get("policy") if isinstance(stamp, dict) else None


def leg_rows(conversation: Conversation) -> list[Row]:
    """One ``legs`` row per leg."""
    return [
        (
            conversation.id,
            leg.index,
            leg.participant_role.value,
            leg.agent_id,
            leg.agent_name,
            leg.department,
            leg.queue,
            leg.started_via.value,
            leg.ended_via.value,
            leg.start_ms,
            leg.end_ms,
            leg.team,
        )
        for leg in conversation.legs
    ]


def turn_rows(conversation: Conversation) -> list[Row]:
    """One ``turns`` row per turn."""
    return [
        (
            conversation.id,
            turn.index,
            turn.leg,
            turn.role.value,
            turn.speaker_id,
            turn.speaker_name,
            turn.text,
            turn.start_ms,
            turn.end_ms,
        )
        for turn in conversation.turns
    ]


def event_rows(conversation: Conversation) -> list[Row]:
    """One ``events`` row per event; ``seq`` is its position in the conversation."""
    return [
        (
            conversation.id,
            seq,
            event.type.value,
            event.at_ms,
            event.duration_ms,
            event.leg,
            event.from_leg,
            event.to_leg,
            event.from_department,
            event.to_department,
            event.from_agent,
            event.to_agent,
            event.warm,
            _value(event.by),
            event.reason,
        )
        for seq, event in enumerate(conversation.events)
    ]


def text(value: str) -> str:
    r"""``value`` as every store can hold it: lone surrogates and NUL characters written as escapes."""
    return storable(value).replace("\x00", "\\x00")


def quarantine_key(entry: Quarantined) -> str:
    """The stored (file, record, reason) of an entry, joined by ``chr(31)``."""
    return text("\x1f".join((entry.file, entry.record, entry.reason.value)))


def quarantine_row(entry: Quarantined, run_id: str | None) -> Row:
    """The ``quarantine`` row of one entry (its texts made storable: a bad record's excerpt may hold NUL)."""
    texts = (entry.file, entry.record, entry.reason.value, entry.message, entry.excerpt)
    return (run_id, *(text(t) for t in texts))


def analysis_rows(annotated: AnnotatedConversation) -> tuple[list[Row], list[Row]]:
    """``turn_sentiment`` and ``trajectories`` rows of one annotated conversation."""
    cid = annotated.id
    sentiment = [
        (cid, t.index, t.sentiment.label.value, float(t.sentiment.score), t.sentiment.model)
        for t in annotated.turns
    ]
    trajectories = [
        (
            cid,
            t.leg,
            _float(t.start),
            _float(t.end),
            _float(t.delta),
            _value(t.direction),
            t.customer_turns,
            _float(t.agent_tone),
        )
        for t in annotated.trajectories
    ]
    return sentiment, trajectories


def score_rows(result: ConversationScores) -> tuple[list[Row], list[Row]]:
    """``scores`` and ``findings`` rows of one conversation's scoring result."""
    scores = [
        (
            s.conversation_id,
            s.leg,
            s.agent_id,
            s.criterion,
            s.scorer,
            _float(s.value),
            _float(s.threshold),
            s.passed,
            s.reason,
            s.rubric_version,
            s.attribution.value,
        )
        for s in result.scores
    ]
    findings = []
    for seq, f in enumerate(result.findings):
        e = f.evidence
        findings.append(
            (
                result.conversation_id,
                seq,
                e.leg,
                e.turn,
                f.agent_id,
                f.department,
                f.scorer,
                f.criterion,
                f.kind,
                f.attribution.value,
                f.polarity.value,
                e.char_start,
                e.char_end,
                e.quote,
                e.rule,
                f.suggestion,
                to_json(f.detail),
                result.rubric_version,
            )
        )
    return scores, findings


OPERATIONS_COLUMNS: dict[str, tuple[str, ...]] = {
    "agent_scores": ("conversation_id", "leg", "agent_id", "value", "criteria", "weights", "rubric_version"),
    "handoffs": (
        "conversation_id",
        "seq",
        "how",
        "from_leg",
        "to_leg",
        "from_department",
        "to_department",
        "rubric_version",
    ),
    "leg_routes": (
        "conversation_id",
        "leg",
        "journey_id",
        "participant_role",
        "department",
        "entry_route",
        "previous_department",
        "previous_conversation_id",
        "dropped",
        "rubric_version",
    ),
    "waits": (
        "conversation_id",
        "seq",
        "leg",
        "kind",
        "at_ms",
        "duration_ms",
        "callback_offered",
        "rubric_version",
    ),
    "disconnects": ("conversation_id", "seq", "leg", "ended_by", "department", "rubric_version"),
}
"""Tables of :mod:`nlp.overall` and :mod:`nlp.operations` results, replaced with the scores."""


def operations_rows(result: ConversationScores) -> dict[str, list[Row]]:
    """Rows of :data:`OPERATIONS_COLUMNS` for one conversation's scoring result."""
    cid, version = result.conversation_id, result.rubric_version
    found: dict[str, list[Row]] = {
        "agent_scores": [
            (cid, a.leg, a.agent_id, _float(a.value), to_json(a.criteria), to_json(a.weights), version)
            for a in result.agent_scores
        ]
    }
    facts = result.operations
    if facts is None:
        return {**{table: [] for table in OPERATIONS_COLUMNS}, **found}
    found["handoffs"] = [
        (cid, seq, h.how, h.from_leg, h.to_leg, h.from_department, h.to_department, version)
        for seq, h in enumerate(facts.handoffs)
    ]
    found["leg_routes"] = [
        (
            cid,
            g.leg,
            g.journey_id,
            g.participant_role,
            g.department,
            g.entry_route,
            g.previous_department,
            g.previous_conversation_id,
            g.dropped,
            version,
        )
        for g in facts.legs
    ]
    found["waits"] = [
        (cid, seq, w.leg, w.kind, w.at_ms, w.duration_ms, w.callback_offered, version)
        for seq, w in enumerate(facts.waits)
    ]
    found["disconnects"] = [
        (cid, seq, d.leg, d.ended_by, d.department, version) for seq, d in enumerate(facts.disconnects)
    ]
    return found


def journey_rows(journeys: Iterable[Journey]) -> tuple[list[Row], list[Row]]:
    """``journeys`` and ``journey_contacts`` rows.

    ``is_continuation`` is known for a ``JourneyWithContinuations`` and NULL otherwise.
    """
    heads: list[Row] = []
    contacts: list[Row] = []
    for j in journeys:
        heads.append(
            (
                j.id,
                j.customer_id,
                db_time(j.started_at),
                db_time(j.ended_at),
                j.contacts,
                j.continuations,
                j.repeat_contacts,
                j.right_censored,
            )
        )
        flags: list[bool | None] = list(j.is_continuation) if isinstance(j, JourneyWithContinuations) else []
        flags += [None] * (len(j.conversation_ids) - len(flags))
        contacts.extend(
            (j.id, cid, position, flags[position]) for position, cid in enumerate(j.conversation_ids)
        )
    return heads, contacts


def _float(value: float | None) -> float | None:
    """A plain float (numpy scalars included), or None."""
    return None if value is None else float(value)
