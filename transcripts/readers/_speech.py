"""Shared by readers of speaker-labelled sources: segments in, one conversation out.

Transcribe, Azure Speech, Genesys, captions, chat platforms: each reader turns its shape into
``Segment`` objects (label, text, offsets, and the role when the source names it) and calls
``build_conversation``. Segments without a role get one from a speakers mapping or from the
speech (``transcripts.roles_infer``); the result records how (``Conversation.roles``).
Start times before ``EARLIEST_PLAUSIBLE`` (a 1970 epoch default) are dropped with a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.legs import LegTracker, order_turns
from transcripts.model import Channel, ChannelKind, Conversation, Event, Role, Turn, VendorSignal
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.roles_infer import attribute_roles, mapping_for
from transcripts.signatures import agent_signature

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
"""A contact 'started' before this is an epoch default or a relative clock, not a real time."""


@dataclass
class Segment:
    """One utterance or message as a source gives it."""

    label: str
    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    role: Role | None = None
    name: str | None = None
    agent_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def plausible_start(value: datetime | None, what: str = "start time") -> tuple[datetime | None, list[str]]:
    """``value`` (made aware, UTC) unless it is before ``EARLIEST_PLAUSIBLE``; the warning if dropped."""
    if value is None:
        return None, []
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value < EARLIEST_PLAUSIBLE:
        return None, [
            f"{what} {value.isoformat()} is implausible (before {EARLIEST_PLAUSIBLE.year}); kept unknown"
        ]
    return value, []


def seconds_ms(value: Any) -> int | None:
    """Seconds (number or numeric string, e.g. Transcribe's ``"4.87"``) as non-negative milliseconds."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number * 1000) if 0 <= number < math.inf else None  # not NaN, not 1e400


def finite_ms(value: Any, unit_ms: float = 1) -> int | None:
    """A non-negative number of units of ``unit_ms`` milliseconds, in milliseconds.

    None for text, NaN, infinity and integers too large for a float (a damaged field).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = value * unit_ms
    except OverflowError:
        return None
    return round(number) if 0 <= number < math.inf else None


def build_conversation(
    path: Path,
    segments: Iterable[Segment],
    *,
    source_format: str,
    conversation_id: str,
    channel: Channel,
    channel_kind: ChannelKind | None = None,
    started_at: datetime | None = None,
    language: str | None = None,
    speakers: Any = None,
    declared: Mapping[str, Role] | None = None,
    customer_id: str | None = None,
    department: str | None = None,
    team: str | None = None,
    vendor_signals: Iterable[VendorSignal] = (),
    events: Iterable[Event] = (),
    extra: dict[str, Any] | None = None,
    warnings: Iterable[str] = (),
    record: str = "file",
) -> Conversation | Quarantined:
    """The conversation of ``segments`` (in source order), or a quarantine entry naming ``record``.

    ``speakers`` is the reader's ``speakers`` option (a mapping file); ``declared`` maps
    normalised labels to roles the file itself declares (a NOTE line) and wins over it.
    On an asynchronous ``channel_kind`` the company side is one team (``LegTracker``) and an
    agent turn's signature ("^JK") is its ``representative``.
    """
    kept = [s for s in segments if s.text.strip()]
    if not kept:
        return Quarantined(
            str(path), record, ReasonCode.NO_TURNS, f"{path} [{record}]: no utterance with text"
        )
    unroled = [s for s in kept if s.role is None]
    roles = None
    if unroled:
        mapping = {**mapping_for(path, speakers), **(declared or {})}
        roles = attribute_roles([(s.label, s.text) for s in unroled], mapping)
        for segment in unroled:
            segment.role = roles.speakers[segment.label]
    try:
        return _assemble(
            path, kept, roles, source_format=source_format, conversation_id=conversation_id,
            channel=channel, channel_kind=channel_kind, started_at=started_at, language=language,
            customer_id=customer_id,
            department=department, team=team, vendor_signals=vendor_signals, events=events,
            extra=extra, warnings=warnings, record=record,
        )  # fmt: skip
    except ValidationError as exc:
        return invalid_record(path, record, exc)
    except OverflowError as exc:  # an offset or time beyond the calendar
        message = f"{path} [{record}]: a time or offset is out of range ({exc})"
        return Quarantined(str(path), record, ReasonCode.OUT_OF_RANGE, message)


def invalid_record(path: Path, record: str, exc: ValidationError) -> Quarantined:
    """The quarantine entry for a record the model rejects; a lone surrogate is ``BAD_ENCODING``."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "conversation"
    if error["type"] == "string_unicode":
        message = (
            f"{path} [{record}]: {where} holds a lone surrogate (a \\udXXX escape without its pair), "
            "which is not text"
        )
        return Quarantined(str(path), record, ReasonCode.BAD_ENCODING, message)
    message = f"{path} [{record}]: {where}: {error['msg']}"
    return Quarantined(str(path), record, ReasonCode.INVALID_RECORD, message)


def _assemble(
    path: Path,
    kept: list[Segment],
    roles: Any,
    *,
    source_format: str,
    conversation_id: str,
    channel: Channel,
    channel_kind: ChannelKind | None,
    started_at: datetime | None,
    language: str | None,
    customer_id: str | None,
    department: str | None,
    team: str | None,
    vendor_signals: Iterable[VendorSignal],
    events: Iterable[Event],
    extra: dict[str, Any] | None,
    warnings: Iterable[str],
    record: str,
) -> Conversation:
    """The conversation of ``kept`` segments (roles already attributed); raises on invalid values."""
    ordered = order_turns(kept, offset=lambda s: s.start_ms)
    asynchronous = channel_kind is not None and channel_kind.asynchronous
    tracker = LegTracker(department, asynchronous=asynchronous)
    turns: list[Turn] = []
    labels: dict[int, str] = {}
    signed: set[str] = set()
    for segment in ordered.items:
        assert segment.role is not None
        signature = agent_signature(segment.text) if asynchronous and segment.role is Role.AGENT else None
        if signature is not None:
            signed.add(signature)
        leg = tracker.assign(
            segment.role,
            segment.agent_id,
            segment.name or segment.label,
            at_ms=segment.start_ms,
            end_ms=segment.end_ms,
            representative=signature,
        )
        labels.setdefault(leg, segment.label)
        end = segment.end_ms
        if end is not None and segment.start_ms is not None:
            end = max(end, segment.start_ms)
        turns.append(
            Turn(
                index=len(turns),
                role=segment.role,
                speaker_id=segment.agent_id or segment.label,
                speaker_name=segment.name,
                text=segment.text.strip(),
                start_ms=segment.start_ms,
                end_ms=end,
                leg=leg,
                representative=signature,
                extra=segment.extra,
            )
        )
    legs, tracked_events = tracker.finish()
    named = {s.name for s in kept if s.name} | signed
    for leg in legs:
        if leg.agent_name is not None and leg.agent_name not in named:
            leg.extra[source_format] = {"speaker_label": leg.agent_name}
            leg.agent_name = None  # a diarisation label is not a name
        leg.team = leg.team or team
    started, time_warnings = plausible_start(started_at)
    last = max((t.end_ms if t.end_ms is not None else t.start_ms or 0 for t in turns), default=None)
    all_extra = dict(extra or {})
    if ordered.reordered:
        all_extra["reordered"] = True
    return Conversation(
        id=conversation_id,
        channel=channel,
        channel_kind=channel_kind,
        customer_id=customer_id,
        started_at=started,
        ended_at=started + timedelta(milliseconds=last) if started is not None and last is not None else None,
        language=language,
        source_file=str(path),
        source_format=source_format,
        source_record=record,
        legs=legs,
        turns=turns,
        events=[*tracked_events, *events],
        roles=roles,
        vendor_signals=list(vendor_signals),
        warnings=[*warnings, *time_warnings],
        extra=all_extra,
    )


def language_subtag(code: Any) -> str | None:
    """``en-US`` -> ``en``; None when absent (unknown stays unknown)."""
    if isinstance(code, str) and code.strip():
        return code.strip().replace("_", "-").split("-")[0].lower()
    return None


_EPOCH_TEXT = re.compile(r"^\d{9,13}(?:\.\d+)?$")
"""Epoch seconds or milliseconds written as text (``"1709287200000"``), as exports often do."""
_RFC_2822 = re.compile(r"^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} ")
"""``Tue, 05 Mar 2024 08:01:00 +0000``: Twilio's older REST resources write dates this way."""


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text or epoch seconds / ms (number or digits); None if bad."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=UTC)
        if isinstance(value, str) and _EPOCH_TEXT.match(value.strip()):
            return parse_time(float(value))
        if isinstance(value, str) and _RFC_2822.match(value.strip()):
            return parsedate_to_datetime(value.strip()).astimezone(UTC)
        if isinstance(value, str) and value.strip():
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    return None


def offsets_from(moments: list[datetime | None]) -> tuple[datetime | None, list[int | None]]:
    """The earliest moment and each moment's offset from it in milliseconds."""
    known = [m for m in moments if m is not None]
    origin = min(known) if known else None
    if origin is None:
        return None, [None] * len(moments)
    return origin, [round((m - origin).total_seconds() * 1000) if m is not None else None for m in moments]
