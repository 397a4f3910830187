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
holds ``AI`` or the display name says bot). A message's ``text`` (also an image's or file's
caption), else its ``textFallback`` (forms, form responses, templates), is the turn; media,
locations and the like without either are skipped and counted in ``extra``, as are unknown
author types. Times from ``received`` (ISO, or v1 epoch seconds). Id = ``conversation.id``,
else the file stem. The agent's ``displayName`` is the agent name; Sunshine gives no stable
agent id; ``author.user.externalId`` is the customer id.

A file may hold several pages (JSON Lines or back to back): pages with the same
``conversation.id``, or following a page that said ``meta.hasMore``, are one conversation.
API v1 (Smooch) messages (``role`` appUser/appMaker, ``name``, ``text``) are read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel, ChannelKind, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import count_skipped, json_values
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReadResult, register

NAME = "zendesk_sunco"


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Sunshine Conversations messages document."""
    if '"messages"' in head and '"author"' in head and ('"business"' in head or '"received"' in head):
        return 0.9 if '"content"' in head else 0.5
    if '"messages"' in head and ('"appUser"' in head or '"appMaker"' in head):  # API v1
        return 0.85
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
        listed = author.get("subtypes")
        subtypes = [str(s).lower() for s in listed] if isinstance(listed, list) else []
        return (
            Role.BOT
            if "ai" in subtypes or "bot" in str(author.get("displayName") or "").lower()
            else Role.AGENT
        )
    return None


def read(path: Path) -> Iterator[ReadResult]:
    """Yield each conversation of a Sunshine messages file (pages merged), or why it was quarantined."""
    for record, pages in _conversations(path):
        if isinstance(pages, Quarantined):
            yield pages
            continue
        yield conversation_of(path, record, pages)


def _conversations(path: Path) -> Iterator[tuple[str, list[dict[str, Any]] | Quarantined]]:
    """Pages grouped into conversations, each named by the record of its first page.

    By ``conversation.id``; a page without one continues the page before it when that page
    said ``meta.hasMore``, else starts its own conversation.
    """
    groups: list[tuple[str, str | None, list[dict[str, Any]]]] = []
    more = False
    for item in json_values(path):
        if isinstance(item, Quarantined):
            yield item.record, item
            continue
        record, page = item
        if isinstance(page, list):  # a bare list of messages
            page = {"messages": page}
        if not isinstance(page, dict) or not isinstance(page.get("messages"), list):
            message = f"{path} [{record}]: no messages list"
            yield record, Quarantined(str(path), record, ReasonCode.MISSING_FIELD, message)
            more = False
            continue
        conversation = page.get("conversation")
        key = (conversation.get("id") or conversation.get("_id")) if isinstance(conversation, dict) else None
        same = [g for g in groups if key is not None and g[1] == key]
        if same:
            same[0][2].append(page)
        elif key is None and more and groups:
            groups[-1][2].append(page)
        else:
            groups.append((record, key, [page]))
        meta = page.get("meta")
        more = isinstance(meta, dict) and meta.get("hasMore") is True
    for record, _, pages in groups:
        yield ("file" if len(groups) == 1 else record), pages


def content_text(content: Any) -> tuple[str, str | None]:
    """A message's text and, when it has none, why (``image without text``...).

    ``text`` (also the caption of an image or file), else ``textFallback`` (forms, form
    responses, templates), else nothing: media, locations and carousels are no turn.
    """
    if not isinstance(content, dict):
        return "", "message without content"
    for key in ("text", "textFallback"):
        value = content.get(key)
        if isinstance(value, str) and value.strip():
            return value, None
    return "", f"{content.get('type') or 'content'} without text"


V1_ROLES = {"appuser": "user", "appmaker": "business"}
"""API v1 (Smooch) ``role`` -> v2 ``author.type``; ``whisper`` messages are internal and skipped."""


def v2_message(message: Any) -> Any:
    """A v1 message (``role`` appUser/appMaker, ``authorId``, ``name``, ``text``) in the v2 shape."""
    if not isinstance(message, dict) or "author" in message or "role" not in message:
        return message
    kind = V1_ROLES.get(str(message.get("role")).lower(), str(message.get("role")))
    return {
        "id": message.get("_id"),
        "received": message.get("received"),
        "author": {"type": kind, "userId": message.get("authorId"), "displayName": message.get("name")},
        "content": {"type": message.get("type") or "text", "text": message.get("text")},
        "source": message.get("source"),
    }


def conversation_of(path: Path, record: str, pages: list[dict[str, Any]]) -> ReadResult:
    """The conversation of one or more message pages of one Sunshine conversation."""
    messages = [v2_message(m) for page in pages for m in page["messages"]]
    origin, starts = offsets_from(
        [parse_time(m.get("received")) if isinstance(m, dict) else None for m in messages]
    )
    segments = []
    skipped: dict[str, int] = {}
    seen: set[str] = set()
    for message, start in zip(messages, starts, strict=True):
        author = message.get("author") if isinstance(message, dict) else None
        if not isinstance(author, dict):
            count_skipped(skipped, "message without author")
            continue
        message_id = message.get("id")
        if isinstance(message_id, str) and message_id in seen:
            count_skipped(skipped, "repeated on another page")
            continue
        if isinstance(message_id, str):
            seen.add(message_id)
        role = _role(author)
        if role is None:
            count_skipped(skipped, f"author type {author.get('type')!r}")
            continue
        text, reason = content_text(message.get("content"))
        if reason is not None:
            count_skipped(skipped, reason)
            continue
        name = author.get("displayName")
        source = message.get("source")
        segments.append(
            Segment(
                label=str(author.get("userId") or name or author.get("type")),
                text=text,
                start_ms=start,
                role=role,
                name=name if isinstance(name, str) and name.strip() else None,
                extra={
                    NAME: {
                        "id": message_id,
                        "source": source.get("type") if isinstance(source, dict) else None,
                    }
                },
            )
        )
    conversation = next((p["conversation"] for p in pages if isinstance(p.get("conversation"), dict)), {})
    conversation_id = (
        conversation.get("id")
        or conversation.get("_id")
        or (path.stem if record == "file" else f"{path.stem}#{record}")
    )
    result = build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=str(conversation_id),
        channel=Channel.CHAT,
        channel_kind=_kind(messages),
        started_at=origin,
        customer_id=_customer(messages),
        extra={NAME: {"pages": len(pages), **({"skipped": skipped} if skipped else {})}},
        warnings=_more_pages(pages[-1]),
        record=record,
    )
    return result


def _more_pages(last: dict[str, Any]) -> list[str]:
    """A warning when the last page in the file says more follow (``meta.hasMore``)."""
    meta = last.get("meta")
    if isinstance(meta, dict) and meta.get("hasMore") is True:
        return ["the last page says meta.hasMore: later messages are not in the export"]
    return []


def _customer(messages: list[Any]) -> str | None:
    """The customer's ``externalId`` (the business's own id) when a message's author carries it."""
    for message in messages:
        author = message.get("author") if isinstance(message, dict) else None
        user = author.get("user") if isinstance(author, dict) else None
        if isinstance(user, dict) and isinstance(user.get("externalId"), str):
            return user["externalId"]
    return None


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
