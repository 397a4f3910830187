"""Amazon Connect Contact Lens analysis output (voice and chat, raw and redacted).

One JSON document per contact: ``Participants`` says who is who, ``Transcript`` holds the
utterances (voice: ``BeginOffsetMillis``/``EndOffsetMillis``) or the chat messages and
events (``AbsoluteTime``, ``Type`` MESSAGE/EVENT, ``ContentType``). A transcript item's
``ParticipantId`` is only an id: it is always mapped through ``Participants`` (in real
output it is often the literal role, but it may be opaque); an id that is not listed there
quarantines the file as ``UNKNOWN_SPEAKER`` naming the item. Redacted output passes through
as it is (``[PII]`` stays in the text, the redaction spans stay in ``extra``).

Vendor analytics are kept, never interpreted: each turn's ``Sentiment``, ``IssuesDetected``,
loudness and redaction under ``turn.extra["contact_lens"]``; ``Categories``,
``ConversationCharacteristics``, ``CustomerMetadata`` and the job fields under
``conversation.extra["contact_lens"]``. Conversation id is ``CustomerMetadata.ContactId``,
else the contact id in the file name, else the file stem.

Voice output carries no absolute time. Connect names its output files
``<ContactId>_analysis_<yyyy-mm-ddThh:mm:ssZ>.json`` (``_analysis_redacted_`` for redacted
output); when the name follows that pattern its time is the conversation's ``started_at``
(``extra["contact_lens"]["started_at_from"] == "file_name"``). The time may also be written
with ``-`` or ``%3A`` for ``:`` (copies on file systems that refuse colons). Chat output
takes its start from the first ``AbsoluteTime``.

The shared pieces (turn extras, conversation extras, channel) are also used by
``transcripts.readers.transcribe_call_analytics``: Transcribe Call Analytics writes the same
shape.

Example::

    [conversation] = read(Path("Analysis/Voice/2026/11/21/6a1f0c52_analysis_2026-11-21T09:14:03Z.json"))
    conversation.started_at  # datetime(2026, 11, 21, 9, 14, 3, tzinfo=UTC)
    conversation.turns[0].extra["contact_lens"]["Sentiment"]  # 'NEUTRAL'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.legs import LegTracker, order_turns
from transcripts.model import Channel, Conversation, EventType, Role, Turn, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import plausible_start
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.roles import parse_role
from transcripts.textio import excerpt, load_json_document

NAME = "contact_lens"

CHANNELS = {"VOICE": Channel.CALL, "CHAT": Channel.CHAT}
"""The analytics ``Channel`` field -> canonical channel."""

TURN_FIELDS = (
    "Id",
    "Sentiment",
    "IssuesDetected",
    "OutcomesDetected",
    "ActionItemsDetected",
    "LoudnessScore",
    "LoudnessScores",
    "Redaction",
    "ContentType",
)
"""Per-item vendor fields kept in ``turn.extra``."""

CONVERSATION_FIELDS = (
    "Version",
    "AccountId",
    "JobName",
    "JobStatus",
    "JobDetails",
    "LanguageCode",
    "Channel",
    "ContentMetadata",
    "Categories",
    "ConversationCharacteristics",
    "CustomModels",
    "CustomerMetadata",
    "Participants",
)
"""Document-level vendor fields kept in ``conversation.extra``."""

_EVENT_PREFIX = "application/vnd.amazonaws.connect.event."
_SPOKEN_TYPES = frozenset({"MESSAGE", "ATTACHMENT"})
"""Chat item ``Type`` values that can be a turn; every other type is an event."""
_KEPT_EVENTS = frozenset(
    {"participant.joined", "participant.left", "transfer.succeeded", "transfer.failed", "chat.ended"}
)
_REDACTION_MASK = re.compile(r"^\[[A-Z_]+\]$")  # what redacted output puts in place of PII
_EVENT_FIELDS = ("Id", "AbsoluteTime", "ContentType", "ParticipantId", "ParticipantRole", "DisplayName")
_OUTPUT_NAME = re.compile(
    r"^(?P<contact>.+?)_analysis_(?:redacted_)?"
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2})(?::|-|%3A)(?P<minute>\d{2})(?::|-|%3A)(?P<second>\d{2})"
    r"(?:\.\d+)?Z\.json$",
    re.IGNORECASE,
)


_RECORDING_TIME = re.compile(
    r"_(?P<date>\d{8})T(?P<hour>\d{2})(?::|%3A|-)?(?P<minute>\d{2})(?:(?::|%3A|-)?(?P<second>\d{2}))?_UTC",
    re.IGNORECASE,
)
"""The time in a Connect recording or chat transcript name: ``<ContactId>_20230102T03:04_UTC.wav``."""


class AnalyticsError(ValueError):
    """A document that cannot become a conversation; carries the quarantine details."""

    def __init__(self, record: str, reason: ReasonCode, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.record = record
        self.reason = reason
        self.message = message
        self.data = data

    def quarantined(self, path: Path) -> Quarantined:
        """The quarantine entry for this problem in ``path``."""
        snippet = ""
        if self.data is not None:
            snippet = excerpt(json.dumps(self.data, default=str, ensure_ascii=False))
        return Quarantined(str(path), self.record, self.reason, self.message, snippet)


@dataclass
class Speaker:
    """A participant as the transcript refers to it."""

    participant_id: str | None
    role: Role | None
    name: str | None = None


@dataclass
class Entry:
    """A transcript item in time order: a turn to add, or a chat event (``event`` set)."""

    position: int
    start_ms: int | None
    end_ms: int | None = None
    speaker: Speaker | None = None
    text: str = ""
    event: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Contact Lens analysis output file."""
    if '"Transcript"' not in head and '"ConversationCharacteristics"' not in head:
        return 0.5 if '"CustomerMetadata"' in head and '"JobStatus"' in head else 0.0
    score = 0.3
    if '"ParticipantId"' in head:
        score += 0.4
    if '"CustomerMetadata"' in head or '"Participants"' in head:
        score += 0.2
    if '"ContactId"' in head and '"InstanceId"' in head:
        score += 0.05
    return round(min(score, 0.95), 2)


def read(path: Path) -> Iterator[ReadResult]:
    """Yield the one conversation of a Contact Lens output file, or its quarantine entry."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    yield conversation_from_analysis(document, path)


def conversation_from_analysis(document: Any, path: Path) -> Conversation | Quarantined:
    """The conversation in a parsed Contact Lens document, or a quarantine entry for ``path``."""
    try:
        return _build(document, path)
    except AnalyticsError as problem:
        return problem.quarantined(path)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
        message = f"not a valid Contact Lens document: {first_line(exc)}"
        return AnalyticsError("file", ReasonCode.INVALID_RECORD, message).quarantined(path)


def _ended_at(origin: datetime | None, last_ms: int | float | None) -> datetime | None:
    """``origin`` plus the last offset; an offset beyond the calendar is ``OUT_OF_RANGE``."""
    if origin is None or last_ms is None:
        return None
    try:
        return origin + timedelta(milliseconds=last_ms)
    except OverflowError:
        message = f"Transcript: an offset of {last_ms} ms ends beyond the calendar"
        raise AnalyticsError("Transcript", ReasonCode.OUT_OF_RANGE, message) from None


def first_line(exc: Exception) -> str:
    """The first line of an exception's message (pydantic errors run to many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def analytics_document(document: Any) -> dict[str, Any]:
    """``document`` as a dict with a ``Transcript`` list, else an ``AnalyticsError``."""
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise AnalyticsError("file", ReasonCode.INVALID_RECORD, f"document is a JSON {kind}, not an object")
    transcript = document.get("Transcript")
    if transcript is None:
        status = document.get("JobStatus")
        detail = f" (JobStatus {status})" if status and status != "COMPLETED" else ""
        raise AnalyticsError("file", ReasonCode.NO_TURNS, f"no Transcript in the analysis output{detail}")
    if not isinstance(transcript, list):
        kind = type(transcript).__name__
        raise AnalyticsError("Transcript", ReasonCode.INVALID_RECORD, f"Transcript is a {kind}, not a list")
    return document


def analytics_channel(document: dict[str, Any], default: Channel) -> Channel:
    """The channel from ``Channel`` (VOICE/CHAT); ``default`` when absent."""
    value = document.get("Channel")
    if value is None:
        return default
    channel = CHANNELS.get(str(value).upper())
    if channel is None:
        message = f"Channel {value!r} is not VOICE or CHAT"
        raise AnalyticsError("Channel", ReasonCode.INVALID_RECORD, message)
    return channel


def analytics_language(document: dict[str, Any]) -> str | None:
    """The primary language subtag of ``LanguageCode`` (``en-US`` -> ``en``); None if absent."""
    code = document.get("LanguageCode")
    if isinstance(code, str) and code.strip():
        return code.strip().split("-")[0].lower()
    return None


def vendor_fields(source: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``source`` named in ``names`` that are present, as they are."""
    return {name: source[name] for name in names if name in source}


def item_locator(position: int, item: Any, key: str = "Transcript") -> str:
    """``Transcript[3] (Id=...)``: where a person finds the item in the file."""
    item_id = item.get("Id") if isinstance(item, dict) else None
    return f"{key}[{position}]" + (f" (Id={item_id})" if item_id else "")


def millis(value: Any) -> int | None:
    """A non-negative integer millisecond offset from a finite int/float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        return None  # NaN and 1e400 (infinity) too
    return round(value)


def role_of(value: Any) -> Role | None:
    """A Connect participant role (``AGENT``, ``CUSTOM_BOT``...) as a canonical role."""
    if not isinstance(value, str):
        return None
    return parse_role(value)


def participants(document: dict[str, Any]) -> dict[str, Speaker]:
    """``Participants`` by ``ParticipantId`` (the role stands in for a missing id)."""
    listed = document.get("Participants") or []
    if not isinstance(listed, list):
        raise AnalyticsError("Participants", ReasonCode.INVALID_RECORD, "Participants is not a list")
    speakers: dict[str, Speaker] = {}
    for position, participant in enumerate(listed):
        where = f"Participants[{position}]"
        if not isinstance(participant, dict):
            raise AnalyticsError(where, ReasonCode.INVALID_RECORD, f"{where} is not an object", participant)
        raw_role = participant.get("ParticipantRole")
        role = role_of(raw_role)
        if role is None and raw_role is not None:
            message = f"{where} has unknown ParticipantRole {raw_role!r}"
            raise AnalyticsError(where, ReasonCode.UNKNOWN_ROLE, message, participant)
        participant_id = participant.get("ParticipantId") or raw_role
        if participant_id is None:
            message = f"{where} has neither ParticipantId nor ParticipantRole"
            raise AnalyticsError(where, ReasonCode.MISSING_FIELD, message, participant)
        speakers[str(participant_id)] = Speaker(str(participant_id), role, _display_name(participant))
    return speakers


def _display_name(entry: dict[str, Any]) -> str | None:
    """``DisplayName``, or None when blank or masked by redaction (``[PII]``)."""
    name = entry.get("DisplayName")
    if not isinstance(name, str) or not name.strip() or _REDACTION_MASK.match(name.strip()):
        return None
    return name


def _speaker(item: dict[str, Any], position: int, speakers: dict[str, Speaker]) -> Speaker:
    """Who spoke an item: its own ``ParticipantRole`` wins, else what ``Participants`` says.

    Redacted chat and GetTranscript items carry the role on each item only.
    """
    where = item_locator(position, item)
    participant_id = item.get("ParticipantId")
    listed = speakers.get(str(participant_id)) if participant_id is not None else None
    own_role = item.get("ParticipantRole")
    if own_role is not None:
        role = role_of(own_role)
        if role is None:
            message = f"{where} has unknown ParticipantRole {own_role!r}"
            raise AnalyticsError(where, ReasonCode.UNKNOWN_ROLE, message, item)
        name = (listed.name if listed else None) or _display_name(item)
        return Speaker(str(participant_id) if participant_id is not None else None, role, name)
    if participant_id is None:
        message = f"{where} has neither ParticipantId nor ParticipantRole"
        raise AnalyticsError(where, ReasonCode.MISSING_FIELD, message, item)
    if listed is None:
        known = ", ".join(sorted(speakers)) or "none"
        message = f"{where} is spoken by ParticipantId {participant_id!r}, not in Participants ({known})"
        raise AnalyticsError(where, ReasonCode.UNKNOWN_SPEAKER, message, item)
    if listed.role is None:
        message = f"{where}: neither the item nor Participants give ParticipantId {participant_id!r} a role"
        raise AnalyticsError(where, ReasonCode.UNKNOWN_ROLE, message, item)
    return listed


def _absolute(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def turn_extra(item: dict[str, Any], key: str = NAME) -> dict[str, Any]:
    """The vendor per-item fields of a transcript item, under ``key``."""
    kept = vendor_fields(item, TURN_FIELDS)
    return {key: kept} if kept else {}


def transcript_entries(
    document: dict[str, Any], speakers: dict[str, Speaker], key: str
) -> tuple[list[Entry], datetime | None]:
    """Transcript items as entries with offsets; chat offsets count from the first ``AbsoluteTime``.

    Returns the entries and that first ``AbsoluteTime`` (None for voice). Vendor per-item
    fields go under ``key`` in each turn's extra.
    """
    items = document["Transcript"]
    moments = [_absolute(item.get("AbsoluteTime")) if isinstance(item, dict) else None for item in items]
    origin = min((m for m in moments if m is not None), default=None)
    entries: list[Entry] = []
    for position, (item, moment) in enumerate(zip(items, moments, strict=True)):
        if not isinstance(item, dict):
            where = item_locator(position, item)
            raise AnalyticsError(where, ReasonCode.INVALID_RECORD, f"{where} is not an object", item)
        start, end = millis(item.get("BeginOffsetMillis")), millis(item.get("EndOffsetMillis"))
        if start is None and moment is not None and origin is not None:
            start = round((moment - origin).total_seconds() * 1000)
        content_type = str(item.get("ContentType") or "")
        kind = str(item.get("Type") or "MESSAGE").upper()
        if kind not in _SPOKEN_TYPES or content_type.startswith(_EVENT_PREFIX):
            # EVENT, and the Participant Service's other item types (TYPING, MESSAGEMETADATA
            # receipts, CONNECTION_ACK...): never a turn, and never a reason to lose the file
            speaker = _event_speaker(item, position, speakers)
            event = content_type.removeprefix(_EVENT_PREFIX) or kind.lower()
            entries.append(Entry(position, start, speaker=speaker, event=event, extra=dict(item)))
            continue
        speaker = _speaker(item, position, speakers)
        text, skip_reason = message_text(item)
        entries.append(
            Entry(
                position,
                start,
                end,
                speaker,
                text,
                extra=turn_extra(item, key),
                skip_reason=skip_reason,
            )
        )
    return entries, origin


def _event_speaker(item: dict[str, Any], position: int, speakers: dict[str, Speaker]) -> Speaker | None:
    """Who an event is about, when it names someone the reader can place; else None."""
    if not _names_speaker(item):
        return None
    try:
        return _speaker(item, position, speakers)
    except AnalyticsError:
        return None  # an event about an unlisted participant is still an event


def message_text(item: dict[str, Any]) -> tuple[str, str | None]:
    """The text of a chat item and, when it has none, why (``attachment``, ``interactive``...).

    Interactive messages (Lex list pickers, time pickers, and the customer's choice) carry
    JSON: their ``title`` (and the options offered) is the text. Attachments have no text.
    """
    content = item.get("Content")
    content_type = str(item.get("ContentType") or "").lower()
    if str(item.get("Type") or "").upper() == "ATTACHMENT" or item.get("Attachments"):
        if not (isinstance(content, str) and content.strip()):
            return "", "attachment"
    if not isinstance(content, str):
        return "", "no text"
    if "interactive" in content_type or content_type == "application/json":
        text = interactive_text(content)
        return (text, None) if text else ("", "interactive message without a title")
    return content, (None if content.strip() else "no text")


def interactive_text(content: str) -> str:
    """``title`` of an interactive message's JSON, with the options it offers; '' when none."""
    try:
        data = json.loads(content)
    except ValueError:
        return ""
    body = data.get("data") if isinstance(data, dict) else None
    body = body.get("content") if isinstance(body, dict) else None
    if not isinstance(body, dict):
        return ""
    title = body.get("title") if isinstance(body.get("title"), str) else ""
    elements = body.get("elements") if isinstance(body.get("elements"), list) else []
    options = [e["title"] for e in elements if isinstance(e, dict) and isinstance(e.get("title"), str)]
    if options:
        return f"{title} ({' / '.join(options)})".strip()
    return title.strip()


def _names_speaker(item: dict[str, Any]) -> bool:
    return item.get("ParticipantId") is not None or item.get("ParticipantRole") is not None


def _leaver(entries: list[Entry]) -> Entry | None:
    """The event that ended a chat: who left first after the last message, else ``chat.ended``."""
    last_message = max((e.position for e in entries if e.event is None), default=-1)
    closing = [e for e in entries if e.event is not None and e.position > last_message]
    for entry in closing:
        if (
            entry.event == "participant.left"
            and entry.speaker
            and entry.speaker.role
            in (
                Role.CUSTOMER,
                Role.AGENT,
            )
        ):
            return entry
    return next((e for e in closing if e.event == "chat.ended"), None)


@dataclass
class Assembled:
    """Turns, legs and events walked out of ordered entries, plus what was skipped."""

    turns: list[Turn]
    tracker: LegTracker
    skipped: list[str]
    chat_events: list[dict[str, Any]]
    skipped_reasons: dict[str, int] = field(default_factory=dict)


def assemble(entries: list[Entry], key: str) -> Assembled:
    """Walk entries in order: turns get leg indexes, transfers and the final disconnect become events.

    Items without text (attachments, blank utterances) are skipped and listed by position.
    """
    tracker = LegTracker()
    turns: list[Turn] = []
    skipped: list[str] = []
    chat_events: list[dict[str, Any]] = []
    skipped_reasons: dict[str, int] = {}
    leaver = _leaver(entries)
    for entry in entries:
        if entry.event is not None:
            chat_events.append(vendor_fields(entry.extra, _EVENT_FIELDS))
            if entry.event == "transfer.succeeded":
                tracker.transfer(at_ms=entry.start_ms, reason=entry.event)
            if entry is leaver:
                by = entry.speaker.role if entry.speaker and entry.speaker.role else Role.SYSTEM
                tracker.event(EventType.DISCONNECT, at_ms=entry.start_ms, by=by, reason=entry.event)
            continue
        assert entry.speaker is not None
        if not entry.text.strip():
            skipped.append(str(entry.extra.get(key, {}).get("Id") or f"Transcript[{entry.position}]"))
            reason = entry.skip_reason or "no text"
            skipped_reasons[reason] = skipped_reasons.get(reason, 0) + 1
            continue
        speaker = entry.speaker
        assert speaker.role is not None
        leg = tracker.assign(speaker.role, speaker.participant_id, speaker.name, at_ms=entry.start_ms)
        end = entry.end_ms
        if end is not None and entry.start_ms is not None:
            end = max(end, entry.start_ms)
        turns.append(
            Turn(
                index=len(turns),
                role=speaker.role,
                speaker_id=speaker.participant_id,
                speaker_name=speaker.name,
                text=entry.text,
                start_ms=entry.start_ms,
                end_ms=end,
                leg=leg,
                extra=entry.extra,
            )
        )
    return Assembled(turns, tracker, skipped, chat_events, skipped_reasons)


@dataclass(frozen=True)
class OutputName:
    """What a Contact Lens output file name says: the contact id and a UTC time."""

    contact_id: str
    started_at: datetime


def parse_output_name(name: str) -> OutputName | None:
    """The contact id and time in a ``<ContactId>_analysis_[redacted_]<time>Z.json`` file name.

    >>> parse_output_name("6a1f_analysis_redacted_2026-11-21T09:14:03Z.json").started_at.isoformat()
    '2026-11-21T09:14:03+00:00'
    """
    match = _OUTPUT_NAME.match(name)
    if match is None:
        return None
    try:
        started_at = datetime.fromisoformat(
            f"{match['date']}T{match['hour']}:{match['minute']}:{match['second']}"
        ).replace(tzinfo=UTC)
    except ValueError:
        return None  # e.g. month 13: the name only looks like the pattern
    return OutputName(match["contact"], started_at)


def recording_time(uri: Any) -> datetime | None:
    """The UTC time in a Connect recording (or chat transcript) name inside ``uri``, if any.

    >>> recording_time("s3://b/connect/i/CallRecordings/2023/01/02/abc_20230102T03:04_UTC.wav").isoformat()
    '2023-01-02T03:04:00+00:00'
    """
    if not isinstance(uri, str):
        return None
    match = _RECORDING_TIME.search(uri)
    if match is None:
        return None
    try:
        day = datetime.strptime(match["date"], "%Y%m%d")
        return day.replace(
            hour=int(match["hour"]), minute=int(match["minute"]), second=int(match["second"] or 0), tzinfo=UTC
        )
    except ValueError:
        return None


def _build(document: Any, path: Path) -> Conversation:
    document = analytics_document(document)
    metadata = document.get("CustomerMetadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    contact_id = metadata.get("ContactId")
    named = parse_output_name(path.name)
    if not (isinstance(contact_id, str) and contact_id.strip()):
        contact_id = named.contact_id if named else path.stem
    started_at, started_from = (named.started_at, "file_name") if named else (None, None)
    if started_at is None:
        started_at = recording_time(metadata.get("InputS3Uri"))
        started_from = "CustomerMetadata.InputS3Uri" if started_at else None
    conversation = analytics_conversation(
        document,
        path,
        source_format=NAME,
        conversation_id=contact_id,
        speakers=participants(document),
        started_at=started_at,
    )
    if started_from is not None and conversation.started_at == started_at:
        conversation.extra[NAME]["started_at_from"] = started_from
    return conversation


def analytics_conversation(
    document: dict[str, Any],
    path: Path,
    *,
    source_format: str,
    conversation_id: str,
    speakers: dict[str, Speaker],
    started_at: datetime | None = None,
) -> Conversation:
    """The conversation in an AWS analytics document (Contact Lens or Transcribe Call Analytics).

    Offsets count from the first ``AbsoluteTime`` when items carry one (chat), else from
    ``started_at`` (known from elsewhere, e.g. the file name). Vendor fields go under
    ``extra[source_format]``; raises ``AnalyticsError`` for input that must be quarantined.
    """
    entries, absolute_origin = transcript_entries(document, speakers, source_format)
    is_chat = absolute_origin is not None or any(e.event for e in entries)
    origin = absolute_origin or started_at
    channel = analytics_channel(document, Channel.CHAT if is_chat else Channel.CALL)
    ordered = order_turns(entries, offset=lambda e: e.start_ms)
    assembled = assemble(ordered.items, source_format)
    if not assembled.turns:
        raise AnalyticsError("Transcript", ReasonCode.NO_TURNS, "Transcript has no item with text")
    legs, events = assembled.tracker.finish()
    for leg in legs:
        # Participant ids identify a participant within one contact, not an agent across contacts.
        if leg.agent_id is not None:
            leg.extra[source_format] = {"ParticipantId": leg.agent_id}
        leg.agent_id = None
    last = max(
        (e.end_ms if e.end_ms is not None else e.start_ms for e in entries if e.start_ms is not None),
        default=None,
    )
    kept = vendor_fields(document, CONVERSATION_FIELDS)
    if assembled.skipped:
        kept["skipped_items"] = assembled.skipped
        kept["skipped"] = assembled.skipped_reasons
    if assembled.chat_events:
        kept["chat_events"] = [e for e in assembled.chat_events if _is_kept_event(e)]
    extra: dict[str, Any] = {source_format: kept}
    if ordered.reordered:
        extra["reordered"] = True
    origin, warnings = plausible_start(origin)
    return Conversation(
        id=conversation_id,
        channel=channel,
        started_at=origin,
        ended_at=_ended_at(origin, last),
        language=analytics_language(document),
        vendor_signals=analytics_signals(document, assembled.turns, source_format),
        warnings=warnings,
        source_file=str(path),
        source_format=source_format,
        source_record="file",
        legs=legs,
        turns=assembled.turns,
        events=events,
        extra=extra,
    )


def analytics_signals(document: dict[str, Any], turns: list[Turn], source: str) -> list[VendorSignal]:
    """The vendor's sentiment, categories and issues as evidence: per turn, per role, per contact.

    Per-turn ``Sentiment`` and ``IssuesDetected`` (the issue's text from its character
    offsets), ``ConversationCharacteristics.Sentiment.OverallSentiment`` per role (score on
    AWS's -5..5 scale) and ``Categories.MatchedCategories``.
    """
    signals: list[VendorSignal] = []
    for turn in turns:
        fields = turn.extra.get(source, {})
        sentiment = fields.get("Sentiment")
        if isinstance(sentiment, str) and sentiment.strip():
            signals.append(
                VendorSignal(source=source, kind=VendorSignalKind.SENTIMENT, label=sentiment, turn=turn.index)
            )
        for issue in fields.get("IssuesDetected") or []:
            offsets = issue.get("CharacterOffsets") if isinstance(issue, dict) else None
            if isinstance(offsets, dict):
                begin = offsets.get("Begin", offsets.get("BeginOffsetChar"))
                end = offsets.get("End", offsets.get("EndOffsetChar"))
                if isinstance(begin, int) and isinstance(end, int) and turn.text[begin:end].strip():
                    text = turn.text[begin:end].strip()
                    signals.append(
                        VendorSignal(source=source, kind=VendorSignalKind.ISSUE, label=text, turn=turn.index)
                    )
    characteristics = document.get("ConversationCharacteristics")
    overall = (
        ((characteristics or {}).get("Sentiment") or {}).get("OverallSentiment")
        if isinstance(characteristics, dict)
        else None
    )
    for role_name, score in sorted((overall or {}).items()):
        role = role_of(role_name)
        if role is not None and isinstance(score, int | float) and not isinstance(score, bool):
            signals.append(
                VendorSignal(
                    source=source,
                    kind=VendorSignalKind.SENTIMENT,
                    label="overall",
                    score=float(score),
                    role=role,
                )
            )
    categories = document.get("Categories")
    for name in (categories.get("MatchedCategories") or []) if isinstance(categories, dict) else []:
        if isinstance(name, str) and name.strip():
            signals.append(VendorSignal(source=source, kind=VendorSignalKind.CATEGORY, label=name))
    return signals


def _is_kept_event(event: dict[str, Any]) -> bool:
    return str(event.get("ContentType", "")).removeprefix(_EVENT_PREFIX) in _KEPT_EVENTS


READER = register(
    Reader(
        name=NAME,
        description="Amazon Connect Contact Lens analysis output (voice and chat, raw or redacted)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=5,
    )
)
