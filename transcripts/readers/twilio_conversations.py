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
``index``; id = ``conversation_sid``; times from ``date_created``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel, ChannelKind, Role
from transcripts.quarantine import Quarantined, ReasonCode
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
    """Yield the one conversation of a Twilio messages file, or why it was quarantined."""
    from transcripts.textio import load_json_document

    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list):
        yield Quarantined(str(path), "messages", ReasonCode.MISSING_FIELD, f"{path}: no messages list")
        return
    messages = sorted(
        (m for m in messages if isinstance(m, dict)),
        key=lambda m: (m.get("index") is None, m.get("index") or 0),
    )
    origin, starts = offsets_from([parse_time(m.get("date_created")) for m in messages])
    declared: dict[str, Role] = {}
    segments = []
    for message, start in zip(messages, starts, strict=True):
        author = str(message.get("author") or message.get("participant_sid") or "unknown")
        role = _attribute_role(message.get("attributes"))
        if role is None and _ADDRESS.match(author):
            role = Role.CUSTOMER
        if role is not None:
            declared[normalise_label(author)] = role
        segments.append(
            Segment(
                label=author,
                text=str(message.get("body") or ""),
                start_ms=start,
                extra={NAME: {"sid": message.get("sid"), "index": message.get("index")}},
            )
        )
    conversation_sid = next((m.get("conversation_sid") for m in messages if m.get("conversation_sid")), None)
    result = build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(conversation_sid or path.stem),
        channel=Channel.CHAT,
        channel_kind=ChannelKind.MESSAGING if any(_ADDRESS.match(s.label) for s in segments) else None,
        started_at=origin,
        speakers=speakers,
        declared=declared,
    )
    if not isinstance(result, Quarantined):
        for leg in result.legs:  # a Twilio identity is stable across conversations: it is the agent id
            label = leg.extra.get(NAME, {}).get("speaker_label")
            if leg.participant_role is Role.AGENT and label:
                leg.agent_id = label
    yield result


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
