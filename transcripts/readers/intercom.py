"""Intercom conversations (``GET /conversations/{id}``), one conversation per file.

Built from Intercom's REST API schema (API version 2.x; no public sample file)::

    {"type": "conversation", "id": "1911149811", "created_at": 1709287200,
     "source": {"type": "conversation", "body": "<p>Hi, I was charged twice</p>",
                "author": {"type": "user", "id": "5f...", "name": "Sam"}},
     "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
        {"part_type": "comment", "body": "<p>Sorry about that!</p>", "created_at": 1709287260,
         "author": {"type": "admin", "id": "814860", "name": "Ann"}}]},
     "team_assignee_id": "...", "tags": {"tags": [{"name": "billing"}]}}

The opening ``source`` message and every ``comment`` part become turns (HTML stripped);
``note`` parts are internal and skipped (counted in ``extra``). Author ``user``/``lead``/
``contact`` is the customer, ``admin``/``teammate`` an agent (its ``id`` the agent id),
``bot`` a bot. Times are epoch seconds. Tags become category signals.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import ChannelKind, Role, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.textio import load_json_document

NAME = "intercom"
AUTHORS = {
    "user": Role.CUSTOMER,
    "lead": Role.CUSTOMER,
    "contact": Role.CUSTOMER,
    "admin": Role.AGENT,
    "teammate": Role.AGENT,
    "bot": Role.BOT,
}
SOURCE_KINDS = {
    "email": ChannelKind.EMAIL,
    "twitter": ChannelKind.SOCIAL,
    "facebook": ChannelKind.SOCIAL,
    "instagram": ChannelKind.SOCIAL,
    "whatsapp": ChannelKind.MESSAGING,
    "sms": ChannelKind.MESSAGING,
    "phone_call": ChannelKind.VOICE,
}
"""``source.type`` -> channel kind; the Messenger (``conversation``) and the rest are live chat."""
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts an Intercom conversation object."""
    if '"conversation_parts"' in head or ('"type": "conversation"' in head and '"source"' in head):
        return 0.95
    return 0.0


def plain(body: Any) -> str:
    """Intercom's HTML body as plain text."""
    if not isinstance(body, str):
        return ""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", body))).split())


def read(path: Path) -> Iterator[ReadResult]:
    """Yield the one conversation of an Intercom conversation file, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    if not isinstance(document, dict) or not isinstance(document.get("source"), dict):
        yield Quarantined(str(path), "source", ReasonCode.MISSING_FIELD, f"{path}: no source message")
        return
    parts_list = (document.get("conversation_parts") or {}).get("conversation_parts") or []
    opening = {**document["source"], "part_type": "comment", "created_at": document.get("created_at")}
    parts = [opening, *[p for p in parts_list if isinstance(p, dict)]]
    spoken = [p for p in parts if p.get("part_type") == "comment" and plain(p.get("body"))]
    origin, starts = offsets_from([parse_time(p.get("created_at")) for p in spoken])
    segments = []
    for position, (part, start) in enumerate(zip(spoken, starts, strict=True)):
        author = part.get("author") or {}
        role = AUTHORS.get(str(author.get("type") or "").lower())
        if role is None:
            where = "source" if position == 0 else f"conversation_parts (id={part.get('id')})"
            yield Quarantined(
                str(path),
                where,
                ReasonCode.UNKNOWN_ROLE,
                f"{path} [{where}]: unknown author type {author.get('type')!r}",
            )
            return
        author_id = str(author["id"]) if author.get("id") is not None else None
        segments.append(
            Segment(
                label=author_id or str(author.get("type")),
                text=plain(part.get("body")),
                start_ms=start,
                role=role,
                name=author.get("name") or None,
                agent_id=author_id if role in (Role.AGENT, Role.BOT) else None,
                extra={NAME: {"id": part.get("id")}} if part.get("id") else {},
            )
        )
    tags = [t.get("name") for t in (document.get("tags") or {}).get("tags") or [] if isinstance(t, dict)]
    signals = [
        VendorSignal(source=NAME, kind=VendorSignalKind.CATEGORY, label=t)
        for t in tags
        if isinstance(t, str) and t.strip()
    ]
    notes = sum(1 for p in parts if p.get("part_type") == "note")
    kind = SOURCE_KINDS.get(str(document["source"].get("type") or "").lower(), ChannelKind.LIVE_CHAT)
    yield build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(document.get("id") or path.stem),
        channel=kind.channel,
        channel_kind=kind,
        started_at=origin,
        vendor_signals=signals,
        extra={
            NAME: {
                "state": document.get("state"),
                "internal_notes": notes,
                "team_assignee_id": document.get("team_assignee_id"),
            }
        },
    )


READER = register(
    Reader(
        name=NAME,
        description="Intercom conversation JSON (source + conversation_parts)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=1,
    )
)
