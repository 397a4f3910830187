"""Twilio Conversations messages (``GET /v1/Conversations/{sid}/Messages``), one conversation per file.

Built from Twilio's REST API schema (no public sample file)::

    {"messages": [{"sid": "IM...", "conversation_sid": "CH...", "index": 0,
                   "author": "whatsapp:+15551230000", "body": "Hi, my card was declined",
                   "attributes": "{}", "participant_sid": "MB...",
                   "date_created": "2024-03-01T10:00:00Z"}],
     "meta": {"key": "messages", "page": 0}}

Twilio names authors, not roles. A message's ``attributes`` JSON ``role`` wins; an author
that is a phone or channel address (``whatsapp:``, ``sms:``, ``messenger:``, ``+1555...``)
is the customer; the rest (chat SDK identities, usually agents) get roles from a
``speakers.yaml`` mapping, else from the speech (``transcripts.roles_infer``). Turn order is
``index``; id = ``conversation_sid``; times from ``date_created`` (ISO, or RFC 2822 as
older Twilio resources write it). A file may hold one page, a bare list of messages, or pages
one per line: messages are grouped by ``conversation_sid`` and a repeated ``sid`` counts once.
Media messages without a ``body`` are skipped and counted in ``extra``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel, ChannelKind, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import count_skipped, json_values, records_of
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles import normalise_label, parse_role
from transcripts.roles_infer import check_mapping

NAME = "twilio_conversations"
_ADDRESS = re.compile(r"^(?:whatsapp|sms|messenger|fb|rcs|gbm):|^\+?\d[\d\s-]{6,}$", re.IGNORECASE)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Twilio Conversations messages page."""
    if '"conversation_sid"' in head and '"author"' in head:
        return 0.95
    return 0.0


def _attribute_role(value: Any) -> Role | None:
    try:
        attributes = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    role = attributes.get("role") if isinstance(attributes, dict) else None
    return parse_role(role) if isinstance(role, str) else None


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield each conversation of a Twilio messages file, or why it was quarantined.

    The file may hold one page (``{"messages": [...]}``), a bare list of messages, or pages
    written one after another (JSONL): messages are grouped by ``conversation_sid``.
    """
    conversations: dict[str, list[dict[str, Any]]] = {}
    for item in json_values(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, page = item
        messages = records_of(page, ("messages",))
        if messages is None:
            yield Quarantined(
                str(path), record, ReasonCode.MISSING_FIELD, f"{path} [{record}]: no messages list"
            )
            continue
        for message in messages:
            if isinstance(message, dict):
                key = message.get("conversation_sid")
                conversations.setdefault(key if isinstance(key, str) else "", []).append(message)
    if not conversations:
        yield Quarantined(str(path), "file", ReasonCode.NO_TURNS, f"{path}: no messages")
    for sid, messages in conversations.items():
        record = "file" if len(conversations) == 1 else f"conversation_sid={sid or '(none)'}"
        yield conversation_of(path, sid or path.stem, messages, speakers, record)


def _index(message: dict[str, Any]) -> int | None:
    """The message's ``index`` (its place in the conversation) when it is an integer."""
    index = message.get("index")
    return index if isinstance(index, int) and not isinstance(index, bool) else None


def message_text(message: dict[str, Any]) -> tuple[str, str | None]:
    """A message's ``body`` and, when it has none, why (media without a caption...)."""
    body = message.get("body")
    if isinstance(body, str) and body.strip():
        return body, None
    return "", "media without text" if message.get("media") else "no body"


def conversation_of(
    path: Path, sid: str, messages: list[dict[str, Any]], speakers: Any, record: str
) -> ReadResult:
    """The conversation of the messages of one ``conversation_sid`` (in ``index`` order)."""
    unique: dict[Any, dict[str, Any]] = {}
    for position, message in enumerate(messages):  # a message repeated on two pages counts once
        message_sid = message.get("sid")
        unique.setdefault(message_sid if isinstance(message_sid, str) else position, message)
    ordered = sorted(unique.values(), key=lambda m: (_index(m) is None, _index(m) or 0))
    origin, starts = offsets_from([parse_time(m.get("date_created")) for m in ordered])
    declared: dict[str, Role] = {}
    segments = []
    skipped: dict[str, int] = {}
    for message, start in zip(ordered, starts, strict=True):
        text, reason = message_text(message)
        if reason is not None:
            count_skipped(skipped, reason)
            continue
        author = str(message.get("author") or message.get("participant_sid") or "unknown")
        role = _attribute_role(message.get("attributes"))
        if role is None and _ADDRESS.match(author):
            role = Role.CUSTOMER
        if role is not None:
            declared[normalise_label(author)] = role
        segments.append(
            Segment(
                label=author,
                text=text,
                start_ms=start,
                extra={NAME: {"sid": message.get("sid"), "index": message.get("index")}},
            )
        )
    result = build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=sid,
        channel=Channel.CHAT,
        channel_kind=ChannelKind.MESSAGING if any(_ADDRESS.match(s.label) for s in segments) else None,
        started_at=origin,
        speakers=speakers,
        declared=declared,
        extra={NAME: {"skipped": skipped}} if skipped else None,
        record=record,
    )
    if not isinstance(result, Quarantined):
        for leg in result.legs:  # a Twilio identity is stable across conversations: it is the agent id
            label = leg.extra.get(NAME, {}).get("speaker_label")
            if leg.participant_role is Role.AGENT and label:
                leg.agent_id = label
    return result


READER = register(
    Reader(
        name=NAME,
        description="Twilio Conversations messages JSON (author identities; roles inferred)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        options=(ReaderOption("speakers", "speakers.yaml mapping authors to roles", check_mapping),),
        tie_rank=1,
    )
)
