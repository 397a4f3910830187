"""Google Contact Center AI (CCAI) Insights conversations, in both JSON shapes.

* The **conversation resource** (what the API returns and exports): ``name``,
  ``startTime``, ``duration``, ``medium`` (PHONE_CALL/CHAT), ``agentId``, ``languageCode``,
  ``labels`` and ``transcript.transcriptSegments[]`` (``text``, ``words`` with
  ``startOffset``/``endOffset``, ``channelTag``, ``segmentParticipant.role``,
  ``confidence``, ``sentiment``, chat ``messageTime``). A segment without a role
  (or ``ROLE_UNSPECIFIED``) is assigned by its ``channelTag`` through
  ``callMetadata.customerChannel``/``agentChannel``; a tag nobody owns quarantines the
  conversation as ``UNKNOWN_SPEAKER`` naming the segment. A ``{"conversations": [...]}``
  list page yields one result per conversation, also when the page is damaged (a broken
  conversation costs only itself; ``transcripts.readers._documents.json_values``).
* The **ingest format** for chat transcripts: ``entries[]`` with ``text``, ``role``
  (AGENT, AUTOMATED_AGENT, CUSTOMER, END_USER...), ``user_id`` and
  ``start_timestamp_usec``.

``AUTOMATED_AGENT`` turns form bot legs; a human agent after a bot opens a leg with
``started_via=bot_handoff`` (``transcripts.legs.LegTracker``). Insights' own analysis
(``latestAnalysis.analysisResult.callAnalysisMetadata``: sentiments, entities, intents,
issue model result...) is kept as-is under ``conversation.extra["ccai_insights"]``;
per-segment ``sentiment``/``confidence`` under ``turn.extra["ccai_insights"]``.

Example::

    [conversation] = read(Path("insights/conversations/8243107719.json"))
    conversation.legs[1].started_via  # LegStart.BOT_HANDOFF
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.legs import LegTracker, order_turns
from transcripts.model import Channel, Conversation, Role, Turn, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import json_values, list_under
from transcripts.readers._speech import plausible_start
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.roles import parse_role
from transcripts.textio import excerpt

NAME = "ccai_insights"

MEDIA = {"PHONE_CALL": Channel.CALL, "CHAT": Channel.CHAT}
"""``medium`` -> canonical channel (MEDIUM_UNSPECIFIED: chat if segments carry ``messageTime``)."""

ELEMENT_START = r'\{\s*"name"\s*:\s*"projects/[^"\n]*/conversations/'
"""How a conversation of a list page begins (found by it when the page's list key is damaged)."""
UNSPECIFIED_ROLES = frozenset({"", "ROLE_UNSPECIFIED"})
"""Role values that mean "ask the channel tag"."""

CONVERSATION_FIELDS = (
    "name",
    "createTime",
    "updateTime",
    "startTime",
    "duration",
    "medium",
    "agentId",
    "labels",
    "languageCode",
    "turnCount",
    "callMetadata",
    "dataSource",
    "qualityMetadata",
    "obfuscatedUserId",
    "latestAnalysis",
    "latestSummary",
    "runtimeAnnotations",
    "dialogflowIntents",
    "conversation_info",
)
"""Document-level vendor fields kept in ``conversation.extra``."""

SEGMENT_FIELDS = (
    "confidence",
    "sentiment",
    "channelTag",
    "languageCode",
    "segmentParticipant",
    "messageTime",
)
"""Per-segment vendor fields kept in ``turn.extra`` (``words`` only give the offsets)."""

ENTRY_FIELDS = ("user_id", "start_timestamp_usec")
"""Per-entry vendor fields of the ingest format kept in ``turn.extra``."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class InsightsError(ValueError):
    """A conversation that cannot be read; carries the quarantine details."""

    def __init__(self, record: str, reason: ReasonCode, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.record = record
        self.reason = reason
        self.message = message
        self.data = data


@dataclass
class RawTurn:
    """A segment or entry resolved to a role, before ordering and leg assignment."""

    position: int
    role: Role
    text: str
    speaker_id: str | None
    start_ms: int | None = None
    end_ms: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a CCAI Insights conversation (resource or ingest format)."""
    if '"transcriptSegments"' in head or '"segmentParticipant"' in head:
        return 0.95
    if '"entries"' in head and ('"start_timestamp_usec"' in head or '"user_id"' in head):
        return 0.9
    if re.search(r'\{\s*"entries"\s*:\s*\[', head) and '"role"' in head and '"text"' in head:
        return 0.6
    if re.search(r'"name"\s*:\s*"projects/[^"]+/conversations/', head) and '"medium"' in head:
        return 0.8
    return 0.0


def read(path: Path) -> Iterator[ReadResult]:
    """Yield each conversation of an Insights file.

    One conversation, a list page (``{"conversations": [...]}``), or either written one per
    line (JSONL exports) or back to back. A list page that does not parse (or decode) is read
    conversation by conversation: a damaged one is quarantined as ``conversations[N]``.
    """
    for item in json_values(path, listed=("conversations",), element_start=ELEMENT_START):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, document = item
        page = list_under(document, "conversations") if isinstance(document, dict) else None
        if page is not None:
            for position, listed in enumerate(page):
                where = f"conversations[{position}]"
                yield conversation_from_document(
                    listed, path, where if record == "file" else f"{record} {where}"
                )
            continue
        yield conversation_from_document(document, path, record)


def conversation_from_document(document: Any, path: Path, record: str = "file") -> Conversation | Quarantined:
    """The conversation in one parsed Insights document (resource or ingest), or a quarantine entry."""
    try:
        return _build(document, path, record)
    except InsightsError as problem:
        where = problem.record if record == "file" else f"{record}.{problem.record}"
        message = problem.message if record == "file" else f"{record}: {problem.message}"
        snippet = excerpt(json.dumps(problem.data, default=str)) if problem.data is not None else ""
        return Quarantined(str(path), where, problem.reason, message, snippet)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
        text = str(exc).strip()
        detail = text.splitlines()[0] if text else type(exc).__name__
        message = f"not a valid Insights conversation: {detail}"
        return Quarantined(str(path), record, ReasonCode.INVALID_RECORD, message)


def parse_duration_ms(value: Any) -> int | None:
    """Milliseconds in a protobuf JSON duration (``"12.500s"``), else None."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    return round(float(match.group(1)) * 1000) if match else None


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (``2026-11-21T09:30:00.120Z``), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def role_of(value: Any) -> Role | None:
    """An Insights role (``HUMAN_AGENT``, ``END_USER``, ``AUTOMATED_AGENT``...) as a canonical role."""
    if not isinstance(value, str):
        return None
    return parse_role(value)


def _language(code: Any) -> str | None:
    return code.strip().split("-")[0].lower() if isinstance(code, str) and code.strip() else None


def vendor_signals(document: dict[str, Any], turns: list[Turn]) -> list[VendorSignal]:
    """CCAI's own findings as evidence beside ours.

    Segment sentiment scores, ingest-format categories and the issue model's issues
    (``latestAnalysis.analysisResult.callAnalysisMetadata``).
    """
    signals: list[VendorSignal] = []
    for turn in turns:
        sentiment = turn.extra.get(NAME, {}).get("sentiment")
        score = sentiment.get("score") if isinstance(sentiment, dict) else None
        if isinstance(score, int | float) and not isinstance(score, bool):
            label = "POSITIVE" if score > 0.25 else "NEGATIVE" if score < -0.25 else "NEUTRAL"
            signals.append(
                VendorSignal(
                    source=NAME, kind=VendorSignalKind.SENTIMENT, label=label, score=score, turn=turn.index
                )
            )
    for category in _section(document, "conversation_info").get("categories") or []:
        name = category.get("display_name") if isinstance(category, dict) else None
        if isinstance(name, str) and name.strip():
            signals.append(VendorSignal(source=NAME, kind=VendorSignalKind.CATEGORY, label=name))
    metadata = _section(
        _section(_section(document, "latestAnalysis"), "analysisResult"), "callAnalysisMetadata"
    )
    for issue in _section(metadata, "issueModelResult").get("issues") or []:
        name = issue.get("displayName") if isinstance(issue, dict) else None
        if isinstance(name, str) and name.strip():
            score = issue.get("score")
            value = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
            signals.append(VendorSignal(source=NAME, kind=VendorSignalKind.ISSUE, label=name, score=value))
    return signals


def _section(source: dict[str, Any], key: str) -> dict[str, Any]:
    value = source.get(key)
    return value if isinstance(value, dict) else {}


def _segment_role(segment: dict[str, Any], position: int, call_metadata: dict[str, Any]) -> Role:
    where = f"transcriptSegments[{position}]"
    raw = _section(segment, "segmentParticipant").get("role")
    if raw is not None and str(raw).upper() not in UNSPECIFIED_ROLES:
        role = role_of(raw)
        if role is None:
            raise InsightsError(where, ReasonCode.UNKNOWN_ROLE, f"{where} has unknown role {raw!r}", segment)
        return role
    tag = segment.get("channelTag")
    channels = {
        call_metadata.get("customerChannel"): Role.CUSTOMER,
        call_metadata.get("agentChannel"): Role.AGENT,
    }
    channels.pop(None, None)
    if tag is not None and tag in channels:
        return channels[tag]
    assigned = ", ".join(f"{key}={call_metadata[key]}" for key in sorted(call_metadata)) or "none"
    message = f"{where} has no role and channelTag {tag!r} is not assigned by callMetadata ({assigned})"
    shown = {key: value for key, value in segment.items() if key != "words"}
    raise InsightsError(where, ReasonCode.UNKNOWN_SPEAKER, message, shown)


def _segment_speaker(segment: dict[str, Any]) -> str | None:
    participant = _section(segment, "segmentParticipant")
    for key in ("userId", "obfuscatedExternalUserId", "dialogflowParticipantName", "dialogflowParticipant"):
        value = participant.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value)
    return None


def _segment_turns(document: dict[str, Any], origin: datetime | None) -> list[RawTurn]:
    transcript = document.get("transcript")
    segments = transcript.get("transcriptSegments") if isinstance(transcript, dict) else None
    if not isinstance(segments, list):
        message = "no transcript.transcriptSegments in the conversation"
        raise InsightsError("transcript", ReasonCode.NO_TURNS, message)
    call_metadata = _section(document, "callMetadata")
    turns: list[RawTurn] = []
    for position, segment in enumerate(segments):
        if not isinstance(segment, dict):
            where = f"transcriptSegments[{position}]"
            raise InsightsError(where, ReasonCode.INVALID_RECORD, f"{where} is not an object", segment)
        role = _segment_role(segment, position, call_metadata)
        words = [w for w in segment.get("words") or [] if isinstance(w, dict)]
        start = parse_duration_ms(words[0].get("startOffset")) if words else None
        end = parse_duration_ms(words[-1].get("endOffset")) if words else None
        sent = parse_time(segment.get("messageTime"))
        if start is None and sent is not None and origin is not None:
            start = max(0, round((sent - origin).total_seconds() * 1000))
        text = segment.get("text")
        kept = {key: segment[key] for key in SEGMENT_FIELDS if key in segment}
        turns.append(
            RawTurn(
                position,
                role,
                text if isinstance(text, str) else "",
                _segment_speaker(segment),
                start,
                end,
                {NAME: kept} if kept else {},
            )
        )
    return turns


def _entry_turns(entries: list[Any]) -> tuple[list[RawTurn], datetime | None]:
    """Ingest-format entries; offsets count from the first ``start_timestamp_usec``."""
    stamps = [_int64(e.get("start_timestamp_usec")) if isinstance(e, dict) else None for e in entries]
    numeric = [s for s in stamps if s is not None]
    first = min(numeric, default=None)
    turns: list[RawTurn] = []
    for position, (entry, stamp) in enumerate(zip(entries, stamps, strict=True)):
        where = f"entries[{position}]"
        if not isinstance(entry, dict):
            raise InsightsError(where, ReasonCode.INVALID_RECORD, f"{where} is not an object", entry)
        if "role" not in entry:
            raise InsightsError(where, ReasonCode.MISSING_FIELD, f"{where} has no role", entry)
        role = role_of(entry["role"])
        if role is None:
            message = f"{where} has unknown role {entry['role']!r}"
            raise InsightsError(where, ReasonCode.UNKNOWN_ROLE, message, entry)
        user = entry.get("user_id")
        text = entry.get("text")
        timed = stamp is not None and first is not None
        start = (stamp - first) // 1000 if timed else None
        turns.append(
            RawTurn(
                position,
                role,
                text if isinstance(text, str) else "",
                str(user) if isinstance(user, str | int) and not isinstance(user, bool) else None,
                start,
                extra={NAME: {key: entry[key] for key in ENTRY_FIELDS if key in entry}},
            )
        )
    origin = _from_micros(first)
    return turns, origin


def _int64(value: Any) -> int | None:
    """An integer, or one written as digits: protobuf's JSON mapping writes int64 as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _from_micros(value: int | float | None) -> datetime | None:
    """Microseconds since the epoch as a UTC time; None when absent or beyond the calendar (a huge number)."""
    try:
        return datetime.fromtimestamp(value / 1_000_000, tz=UTC) if value is not None else None
    except (OverflowError, ValueError, OSError):
        return None


def _plus_ms(origin: datetime | None, duration: Any) -> datetime | None:
    """``origin`` plus ``duration`` ms; None when either is missing or the sum leaves the calendar."""
    if origin is None or not duration:
        return None
    try:
        return origin + timedelta(milliseconds=duration)
    except (OverflowError, TypeError, ValueError):
        return None


def _build(document: Any, path: Path, record: str) -> Conversation:
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise InsightsError("file", ReasonCode.INVALID_RECORD, f"document is a JSON {kind}, not an object")
    ingest = isinstance(document.get("entries"), list)
    origin = parse_time(document.get("startTime"))
    if ingest:
        raw_turns, origin = _entry_turns(document["entries"])
        channel = Channel.CHAT
    else:
        origin = origin or _first_message_time(document)
        raw_turns = _segment_turns(document, origin)
        channel = _channel(document)
    ordered = order_turns(raw_turns, offset=lambda t: t.start_ms)
    tracker = LegTracker()
    turns: list[Turn] = []
    skipped: list[str] = []
    list_key = "entries" if ingest else "transcriptSegments"
    for raw in ordered.items:
        if not raw.text.strip():
            skipped.append(f"{list_key}[{raw.position}]")
            continue
        leg = tracker.assign(raw.role, raw.speaker_id, at_ms=raw.start_ms)
        end = raw.end_ms
        if end is not None and raw.start_ms is not None:
            end = max(end, raw.start_ms)
        turns.append(
            Turn(
                index=len(turns),
                role=raw.role,
                speaker_id=raw.speaker_id,
                text=raw.text,
                start_ms=raw.start_ms,
                end_ms=end,
                leg=leg,
                extra=raw.extra,
            )
        )
    if not turns:
        raise InsightsError(list_key, ReasonCode.NO_TURNS, f"no {list_key} with text")
    legs, events = tracker.finish()
    _stable_agent_ids(legs, document, ingest)
    kept = {key: document[key] for key in CONVERSATION_FIELDS if key in document}
    if skipped:
        kept["skipped_items"] = skipped
    extra: dict[str, Any] = {NAME: kept}
    if ordered.reordered:
        extra["reordered"] = True
    duration = parse_duration_ms(document.get("duration"))
    if duration is None and origin is not None:
        last = max((t.end_ms or t.start_ms or 0 for t in turns), default=0)
        duration = last if last else None
    name = document.get("name")
    conversation_id = name.rstrip("/").rsplit("/", 1)[-1] if isinstance(name, str) and name.strip() else None
    if conversation_id is None:
        conversation_id = path.stem if record == "file" else f"{path.stem}-{record}"
    origin, warnings = plausible_start(origin)
    return Conversation(
        id=conversation_id,
        channel=channel,
        customer_id=_customer_id(document),
        started_at=origin,
        ended_at=_plus_ms(origin, duration),
        language=_language(document.get("languageCode")),
        vendor_signals=vendor_signals(document, turns),
        warnings=warnings,
        source_file=str(path),
        source_format=NAME,
        source_record=record,
        legs=legs,
        turns=turns,
        events=events,
        extra=extra,
    )


def _first_message_time(document: dict[str, Any]) -> datetime | None:
    transcript = _section(document, "transcript")
    segments = transcript.get("transcriptSegments")
    times = [parse_time(s.get("messageTime")) for s in segments or [] if isinstance(s, dict)]
    return min((t for t in times if t is not None), default=None)


def _channel(document: dict[str, Any]) -> Channel:
    medium = document.get("medium")
    channel = MEDIA.get(str(medium).upper()) if medium is not None else None
    if channel is not None:
        return channel
    segments = _section(document, "transcript").get("transcriptSegments") or []
    chat = any(isinstance(s, dict) and "messageTime" in s for s in segments)
    return Channel.CHAT if chat else Channel.CALL


def _stable_agent_ids(legs: list[Any], document: dict[str, Any], ingest: bool) -> None:
    """Keep only agent ids that identify an agent across conversations.

    Ingest ``user_id`` values number the participants of one chat, so they stay on the
    turns only. A resource's ``agentId`` names the human agent: it fills the human leg's
    id when there is exactly one human leg that has no ``userId`` of its own.
    """
    humans = [leg for leg in legs if leg.participant_role is Role.AGENT]
    for leg in legs:
        if ingest and leg.agent_id is not None:
            leg.extra[NAME] = {"user_id": leg.agent_id}
            leg.agent_id = None
    agent_id = document.get("agentId")
    if not ingest and isinstance(agent_id, str) and agent_id.strip() and len(humans) == 1:
        if humans[0].agent_id is None:
            humans[0].agent_id = agent_id.strip()


def _customer_id(document: dict[str, Any]) -> str | None:
    labels = _section(document, "labels")
    for key in ("customer_id", "customerId", "customer"):
        value = labels.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    value = document.get("obfuscatedUserId")
    return value.strip() if isinstance(value, str) and value.strip() else None


READER = register(
    Reader(
        name=NAME,
        description="Google CCAI Insights conversation (resource JSON or the chat ingest format)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=3,
    )
)
