"""Zendesk Sunshine Conversations (Smooch) messages of one conversation.

Built from the Sunshine Conversations API v2 schema (``GET /v2/apps/{appId}/conversations/
{conversationId}/messages``; no public sample file)::

    {"conversation": {"id": "c-1"},            # present in webhook payloads and our exports
     "messages": [{"id": "m-1", "received": "2024-03-01T10:00:00.000Z",
                   "author": {"type": "user", "userId": "u-1", "displayName": "Steve"},
                   "content": {"type": "text", "text": "Hi, my order never arrived"}},
                  {"author": {"type": "business", "displayName": "Ann", "subtypes": ["AI"]}, ...}],
     "meta": {"hasMore": false}}

``author.type`` ``user`` is the customer, ``business`` an agent (a bot when ``subtypes``
holds ``AI`` or the display name says bot). Only ``text`` content (and the ``text`` of
other types) becomes turns; times from ``received``. Id = ``conversation.id``, else the file
stem. The agent's ``displayName`` is the agent name; Sunshine gives no stable agent id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel, ChannelKind, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.textio import load_json_document

NAME = "zendesk_sunco"


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Sunshine Conversations messages document."""
    if '"messages"' in head and '"author"' in head and ('"business"' in head or '"received"' in head):
        return 0.9 if '"content"' in head else 0.5
    return 0.0


SOURCE_KINDS = {
    "whatsapp": ChannelKind.MESSAGING,
    "messenger": ChannelKind.MESSAGING,
    "line": ChannelKind.MESSAGING,
    "telegram": ChannelKind.MESSAGING,
    "viber": ChannelKind.MESSAGING,
    "wechat": ChannelKind.MESSAGING,
    "kakao": ChannelKind.MESSAGING,
    "twilio": ChannelKind.MESSAGING,
    "messagebird": ChannelKind.MESSAGING,
    "apple": ChannelKind.MESSAGING,
    "twitter": ChannelKind.SOCIAL,
    "instagram": ChannelKind.SOCIAL,
    "mail": ChannelKind.EMAIL,
}
"""The customer's ``source.type`` -> channel kind; the web and mobile SDKs are live chat."""


def _kind(messages: list[Any]) -> ChannelKind | None:
    """The kind of the first customer message's source (None: the reader does not know)."""
    for message in messages:
        author = message.get("author") if isinstance(message, dict) else None
        if isinstance(author, dict) and author.get("type") == "user":
            source = message.get("source")
            kind = str(source.get("type") or "").lower() if isinstance(source, dict) else ""
            return SOURCE_KINDS.get(kind, ChannelKind.LIVE_CHAT if kind else None)
    return None


def _role(author: dict[str, Any]) -> Role | None:
    kind = str(author.get("type") or "").lower()
    if kind == "user":
        return Role.CUSTOMER
    if kind == "business":
        subtypes = [str(s).lower() for s in author.get("subtypes") or []]
        return (
            Role.BOT
            if "ai" in subtypes or "bot" in str(author.get("displayName") or "").lower()
            else Role.AGENT
        )
    return None


def read(path: Path) -> Iterator[ReadResult]:
    """Yield the one conversation of a Sunshine messages file, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list):
        yield Quarantined(str(path), "messages", ReasonCode.MISSING_FIELD, f"{path}: no messages list")
        return
    origin, starts = offsets_from(
        [parse_time(m.get("received")) if isinstance(m, dict) else None for m in messages]
    )
    segments = []
    for position, (message, start) in enumerate(zip(messages, starts, strict=True)):
        author = message.get("author") if isinstance(message, dict) else None
        if not isinstance(author, dict):
            continue
        role = _role(author)
        if role is None:
            where = f"messages[{position}]"
            message_text = f"{path} [{where}]: unknown author type {author.get('type')!r} (user or business)"
            yield Quarantined(str(path), where, ReasonCode.UNKNOWN_ROLE, message_text)
            return
        content = message.get("content") or {}
        name = author.get("displayName")
        segments.append(
            Segment(
                label=str(author.get("userId") or name or author.get("type")),
                text=str(content.get("text") or ""),
                start_ms=start,
                role=role,
                name=name if isinstance(name, str) and name.strip() else None,
                extra={NAME: {"id": message.get("id"), "source": (message.get("source") or {}).get("type")}},
            )
        )
    conversation = document.get("conversation") or {}
    yield build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(conversation.get("id") or path.stem),
        channel=Channel.CHAT,
        channel_kind=_kind(messages),
        started_at=origin,
    )


READER = register(
    Reader(
        name=NAME,
        description="Zendesk Sunshine Conversations messages JSON",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=1,
    )
)
