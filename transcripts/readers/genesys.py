"""Genesys Cloud recording transcripts (speech and text analytics), one communication per file.

Built from Genesys's published schema (no public sample file): the document the
``GET /api/v2/speechandtextanalytics/conversations/{conversationId}/communications/
{communicationId}/transcripturl`` URL returns::

    {"organizationId": "...", "conversationId": "...", "communicationId": "...",
     "mediaType": "call", "conversationStartTime": 1700000000000, "startTime": 1700000002000,
     "participants": [{"participantPurpose": "internal", "userId": "...", "queueId": "...",
                       "divisionName": "Support", "queueName": "Billing"}],
     "transcripts": [{"language": "en-US",
                      "phrases": [{"text": "...", "startTimeMs": 1700000003000,
                                   "duration": {"milliseconds": 2100},
                                   "participantPurpose": "internal"}],
                      "analytics": {"sentiment": [{"participant": "external", "phraseIndex": 1,
                                                   "sentiment": -0.4}],
                                    "topics": [{"topicName": "Billing", "participant": "external"}]}}]}

Roles from ``participantPurpose`` (``internal``/``agent``/``user`` agent, ``external``/
``customer`` customer, ``ivr``, ``bot``, ``acd``/``workflow`` system); a purpose Genesys does
not document gets a role inferred from the speech and a warning, never a lost file. A
phrase's text is ``text``, else ``decoratedText``, else its ``words``; phrases without any
are counted in ``extra``. A phrase without ``startTimeMs`` is placed by its
``offset.milliseconds`` from the transcript's (else the communication's) ``startTime``;
epoch times may be numbers or digits. Phrase times are epoch milliseconds:
offsets count from ``conversationStartTime`` (else the first phrase). A single internal
participant's ``userId`` is the agent id; ``divisionName`` becomes the department and
``queueName`` the team. Phrase sentiment and topics become vendor signals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.model import ChannelKind, Conversation, Role, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import count_skipped, json_values
from transcripts.readers._speech import (
    Segment,
    build_conversation,
    finite_ms,
    invalid_record,
    language_subtag,
    parse_time,
)
from transcripts.readers.base import Reader, ReadResult, register

NAME = "genesys"
PURPOSES = {
    "internal": Role.AGENT,
    "agent": Role.AGENT,
    "user": Role.AGENT,
    "external": Role.CUSTOMER,
    "customer": Role.CUSTOMER,
    "ivr": Role.IVR,
    "bot": Role.BOT,
    "acd": Role.SYSTEM,
    "workflow": Role.SYSTEM,
}
"""``participantPurpose`` -> role."""
_KINDS = {
    "call": ChannelKind.VOICE,
    "voice": ChannelKind.VOICE,
    "callback": ChannelKind.VOICE,
    "chat": ChannelKind.LIVE_CHAT,
    "message": ChannelKind.MESSAGING,
    "email": ChannelKind.EMAIL,
}
"""``mediaType`` -> channel kind (unknown media: voice)."""


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Genesys Cloud transcript document."""
    if '"phrases"' in head and '"participantPurpose"' in head:
        return 0.95
    return 0.5 if '"transcripts"' in head and '"communicationId"' in head else 0.0


def _field(item: dict[str, Any], key: str) -> dict[str, Any]:
    """``item[key]`` when it is an object, else ``{}``."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _list(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects in the list ``item[key]`` (``[]`` when absent or not a list)."""
    value = item.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _index(item: dict[str, Any]) -> int | None:
    """The phrase a sentiment entry is about: ``phraseIndex``, else ``phrase`` (a number as text)."""
    for key in ("phraseIndex", "phrase"):
        value = item.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
    return None


def phrase_text(phrase: dict[str, Any]) -> str:
    """``text``, else ``decoratedText``, else the phrase's ``words`` joined (all may be absent)."""
    for key in ("text", "decoratedText"):
        value = phrase.get(key)
        if isinstance(value, str) and value.strip():
            return value
    words = [w.get("word") for w in _list(phrase, "words")]
    return " ".join(w for w in words if isinstance(w, str) and w.strip())


def _ms(value: Any) -> int | None:
    """A duration or offset: ``{"milliseconds": n}`` or a bare number of milliseconds."""
    if isinstance(value, dict):
        value = value.get("milliseconds")
    return finite_ms(value)


def _signals(transcript: dict[str, Any], first_turn: int, phrases: int) -> list[VendorSignal]:
    """Phrase sentiment and topics of one transcript whose phrases start at turn ``first_turn``."""
    analytics = _field(transcript, "analytics")
    signals = []
    for item in _list(analytics, "sentiment"):
        score, index = item.get("sentiment"), _index(item)
        if isinstance(score, int | float) and isinstance(index, int) and 0 <= index < phrases:
            label = "POSITIVE" if score > 0 else "NEGATIVE" if score < 0 else "NEUTRAL"
            signals.append(
                VendorSignal(
                    source=NAME,
                    kind=VendorSignalKind.SENTIMENT,
                    label=label,
                    score=float(score),
                    turn=first_turn + index,
                )
            )
    for topic in _list(analytics, "topics"):
        name = topic.get("topicName")
        if isinstance(name, str) and name.strip():
            signals.append(
                VendorSignal(
                    source=NAME,
                    kind=VendorSignalKind.CATEGORY,
                    label=name,
                    role=PURPOSES.get(str(topic.get("participant")).lower()),
                )
            )
    return signals


def read(path: Path) -> Iterator[ReadResult]:
    """Yield each communication's conversation in a Genesys file, or why it was quarantined.

    One transcript document per file, or several: a JSON list or one per line.
    """
    for item in json_values(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, value = item
        if isinstance(value, list):
            for position, document in enumerate(value):
                where = f"[{position}]" if record == "file" else f"{record} [{position}]"
                yield from conversation_of(path, document, where)
            if not value:
                yield Quarantined(str(path), record, ReasonCode.NO_TURNS, f"{path} [{record}]: empty list")
            continue
        yield from conversation_of(path, value, record)


def conversation_of(path: Path, document: Any, record: str) -> Iterator[ReadResult]:
    """The conversation of one transcript document (one result), or why it was quarantined."""
    transcripts = document.get("transcripts") if isinstance(document, dict) else None
    if not isinstance(transcripts, list):
        where = "transcripts" if record == "file" else f"{record} transcripts"
        yield Quarantined(
            str(path), where, ReasonCode.MISSING_FIELD, f"{path} [{record}]: no transcripts list"
        )
        return
    participants = _list(document, "participants")
    internal = [
        p for p in participants if PURPOSES.get(str(p.get("participantPurpose")).lower()) is Role.AGENT
    ]
    agent_ids = {p.get("userId") for p in internal if p.get("userId")}
    agent_id = next(iter(agent_ids)) if len(agent_ids) == 1 else None
    phrases: list[tuple[dict[str, Any], int]] = []
    signals: list[VendorSignal] = []
    for number, transcript in enumerate(transcripts):
        if isinstance(transcript, dict):
            own = _list(transcript, "phrases")
            try:
                signals.extend(_signals(transcript, len(phrases), len(own)))
            except ValidationError as exc:
                where = f"transcripts[{number}].analytics"
                yield invalid_record(path, where if record == "file" else f"{record} {where}", exc)
                return
            phrases.extend((phrase, number) for phrase in own)
    origin = parse_time(document.get("conversationStartTime")) or min(
        (t for t in (parse_time(p.get("startTimeMs")) for p, _ in phrases) if t), default=None
    )
    segments = []
    skipped: dict[str, int] = {}
    unknown: set[str] = set()
    for position, (phrase, number) in enumerate(phrases):
        purpose = str(phrase.get("participantPurpose") or "").strip().lower()
        role = PURPOSES.get(purpose)
        if role is None:
            unknown.add(purpose or "(none)")
        text = phrase_text(phrase)
        if not text.strip():
            count_skipped(skipped, "phrase without text")
            continue
        start = _phrase_start(phrase, transcripts[number], document, origin)
        length = _ms(phrase.get("duration"))
        end = start + length if start is not None and length is not None else None
        segments.append(
            Segment(
                label=purpose or "unknown",
                text=text,
                start_ms=start,
                end_ms=end,
                role=role,
                agent_id=agent_id if role is Role.AGENT else None,
                extra={NAME: {"phrase": position}},
            )
        )
    warnings = [
        f"participantPurpose {purpose!r} is not one Genesys documents; its role was inferred from the speech"
        for purpose in sorted(unknown)
    ]
    division = next((p.get("divisionName") for p in internal if p.get("divisionName")), None)
    queue = next((p.get("queueName") for p in internal if p.get("queueName")), None)
    language = next(
        (t.get("language") for t in transcripts if isinstance(t, dict) and t.get("language")), None
    )
    kind = _KINDS.get(str(document.get("mediaType") or "call").lower(), ChannelKind.VOICE)
    result = build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(
            document.get("conversationId") or (path.stem if record == "file" else f"{path.stem}#{record}")
        ),
        record=record,
        channel=kind.channel,
        channel_kind=kind,
        started_at=origin,
        language=language_subtag(language),
        department=division,
        team=queue,
        vendor_signals=signals,
        warnings=warnings,
        extra={
            NAME: {
                **{
                    k: document[k]
                    for k in ("communicationId", "recordingId", "organizationId")
                    if k in document
                },
                **({"skipped": skipped} if skipped else {}),
            }
        },
    )
    if not isinstance(result, Quarantined):
        result.vendor_signals = _on_turns(result, result.vendor_signals)
        for leg in result.legs:  # a purpose ("internal") is no agent id (e-mail legs take the label)
            if leg.agent_id in PURPOSES or leg.agent_id == "unknown":
                leg.agent_id = None
    yield result


def _on_turns(conversation: Conversation, signals: list[VendorSignal]) -> list[VendorSignal]:
    """Signals about a phrase moved to that phrase's turn (phrases without text are no turn)."""
    turns = {t.extra[NAME]["phrase"]: t.index for t in conversation.turns if NAME in t.extra}
    kept = []
    for signal in signals:
        if signal.turn is None:
            kept.append(signal)
        elif signal.turn in turns:
            kept.append(signal.model_copy(update={"turn": turns[signal.turn]}))
    return kept


def _phrase_start(
    phrase: dict[str, Any], transcript: Any, document: dict[str, Any], origin: datetime | None
) -> int | None:
    """A phrase's offset from ``origin`` in ms; None when unknown or before the conversation began.

    From its ``startTimeMs`` (epoch ms), else its ``offset`` counted from the transcript's
    (else the communication's) ``startTime``.
    """
    if origin is None:
        return None
    moment = parse_time(phrase.get("startTimeMs"))
    if moment is None:
        offset = _ms(phrase.get("offset"))
        base = parse_time(transcript.get("startTime") if isinstance(transcript, dict) else None)
        base = base or parse_time(document.get("startTime")) or origin
        moment = base + timedelta(milliseconds=offset) if offset is not None else None
    if moment is None:
        return None
    start = round((moment - origin) / timedelta(milliseconds=1))
    return start if start >= 0 else None


READER = register(
    Reader(
        name=NAME,
        description="Genesys Cloud recording transcript JSON (transcripts[].phrases[])",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=1,
    )
)
