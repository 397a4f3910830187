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
``note`` parts are internal and skipped; they, other part types (assignment, close...),
comments with only attachments and unknown author types are counted in ``extra``. API 1.x
files open with ``conversation_message`` instead of ``source``; a ``conversation.list``
(``conversations: [...]``), a bare list or JSON Lines yield one result per conversation.
Author ``user``/``lead``/``contact`` is the customer, ``admin``/``teammate`` an agent (its
``id`` the agent id), ``bot`` a bot. Times are epoch seconds (or ISO). Tags become category
signals.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import ChannelKind, Role, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import count_skipped, json_values, records_of
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReadResult, register

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
ELEMENT_START = r'\{\s*"type"\s*:\s*"conversation"\s*,'
"""How a conversation of a ``conversation.list`` begins (found by it when the list's key is damaged)."""
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts an Intercom conversation object."""
    if '"conversation_parts"' in head or ('"type": "conversation"' in head and '"source"' in head):
        return 0.95
    if '"conversation_message"' in head and '"type": "conversation"' in head:
        return 0.9
    return 0.0


def plain(body: Any) -> str:
    """Intercom's HTML body as plain text."""
    if not isinstance(body, str):
        return ""
    return " ".join(html.unescape(_TAG.sub("", _BREAK.sub(" ", body))).split())


def read(path: Path) -> Iterator[ReadResult]:
    """Yield each conversation of an Intercom file, or why it was quarantined.

    One conversation object, a ``conversation.list`` (``conversations: [...]``), a bare list,
    or conversations written one after another (JSONL). A ``conversation.list`` that does not
    parse (or decode) is read conversation by conversation (``conversations[N]``).
    """
    for item in json_values(path, listed=("conversations",), element_start=ELEMENT_START):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, value = item
        listed = records_of(value, ("conversations",)) if not _is_conversation(value) else None
        if listed is None:
            yield conversation_of(path, record, value)
            continue
        if not listed:
            yield Quarantined(str(path), record, ReasonCode.NO_TURNS, f"{path} [{record}]: no conversations")
        for position, conversation in enumerate(listed):
            where = (
                f"conversations[{position}]" if record == "file" else f"{record} conversations[{position}]"
            )
            yield conversation_of(path, where, conversation)


def _is_conversation(value: Any) -> bool:
    return isinstance(value, dict) and ("conversation_parts" in value or _opening(value) is not None)


def _opening(document: dict[str, Any]) -> dict[str, Any] | None:
    """The first message: ``source`` (API 2.x), else ``conversation_message`` (API 1.x)."""
    for key in ("source", "conversation_message"):
        if isinstance(document.get(key), dict):
            return document[key]
    return None


def _missing_parts(parts_field: Any, parts_list: Any) -> list[str]:
    """A warning when ``total_count`` says the export holds fewer parts than the conversation has.

    Intercom returns at most 500 parts of a conversation; the rest are not in the file.
    """
    total = parts_field.get("total_count") if isinstance(parts_field, dict) else None
    listed = len(parts_list) if isinstance(parts_list, list) else 0
    if isinstance(total, int) and not isinstance(total, bool) and total > listed:
        return [f"conversation_parts lists {listed} of {total} parts; the rest are not in the export"]
    return []


def conversation_of(path: Path, record: str, document: Any) -> ReadResult:
    """The conversation of one Intercom conversation object, or why it was quarantined."""
    opening_message = _opening(document) if isinstance(document, dict) else None
    if opening_message is None:
        message = f"{path} [{record}]: no source (or conversation_message) opening the conversation"
        return Quarantined(str(path), record, ReasonCode.MISSING_FIELD, message)
    parts_field = document.get("conversation_parts")
    parts_list = parts_field.get("conversation_parts") if isinstance(parts_field, dict) else parts_field
    warnings = _missing_parts(parts_field, parts_list)
    if parts_list is not None and not isinstance(parts_list, list):
        found = type(parts_list).__name__
        warnings.append(f"conversation_parts is a {found}, not a list: no reply part was read")
        parts_list = []
    opening = {**opening_message, "part_type": "comment", "created_at": document.get("created_at")}
    parts = [opening, *[p for p in parts_list or [] if isinstance(p, dict)]]
    skipped: dict[str, int] = {}
    spoken = []
    for part in parts:
        kind = str(part.get("part_type") or "")
        if kind != "comment":
            count_skipped(skipped, "internal note" if kind == "note" else f"{kind or 'untyped'} part")
        elif not plain(part.get("body")):
            count_skipped(skipped, "attachment without text" if part.get("attachments") else "no body")
        else:
            spoken.append(part)
    origin, starts = offsets_from([parse_time(p.get("created_at")) for p in spoken])
    segments = []
    for part, start in zip(spoken, starts, strict=True):
        author = part.get("author") if isinstance(part.get("author"), dict) else {}
        role = AUTHORS.get(str(author.get("type") or "").lower())
        if role is None:
            count_skipped(skipped, f"author type {author.get('type')!r}")
            continue
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
    tags = document.get("tags")
    tag_list = tags.get("tags") if isinstance(tags, dict) else tags
    signals = [
        VendorSignal(source=NAME, kind=VendorSignalKind.CATEGORY, label=t["name"])
        for t in tag_list or []
        if isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"].strip()
    ]
    kind = SOURCE_KINDS.get(str(opening_message.get("type") or "").lower(), ChannelKind.LIVE_CHAT)
    return build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(document.get("id") or path.stem),
        channel=kind.channel,
        channel_kind=kind,
        started_at=origin,
        vendor_signals=signals,
        warnings=warnings,
        extra={
            NAME: {
                "state": document.get("state"),
                "internal_notes": skipped.get("internal note", 0),
                "team_assignee_id": document.get("team_assignee_id"),
                **({"skipped": skipped} if skipped else {}),
            }
        },
        record=record,
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
