"""Amazon Connect chat transcripts: the S3 ``ChatTranscripts/`` files and GetTranscript items.

Source: Amazon Connect Administrator Guide, "Chat transcripts" (S3 file, ``Version``
``2019-08-26``) and the Amazon Connect Participant Service ``GetTranscript`` API
(``{"InitialContactId": ..., "Transcript": [Item, ...]}``; pipelines often store just the
items under ``Transcript``). Both list chat items (``AbsoluteTime``, ``Content``,
``ContentType``, ``Type`` MESSAGE/EVENT, ``ParticipantId``, ``DisplayName``,
``ParticipantRole``) and name each item's role; neither carries Contact Lens analytics.

Turns and events are built as for Contact Lens chat (``contact_lens.analytics_conversation``):
roles per item, offsets from the first ``AbsoluteTime``, transfers and the final
``participant.left`` / ``chat.ended`` as events, attachments skipped and counted, items of
other ``Type`` (``MESSAGEMETADATA`` receipts, ``TYPING``) kept as events, interactive
messages read by their title and options. GetTranscript pages written into one file (JSON
Lines or back to back) are merged per contact, an item repeated on two pages read once. Id = ``ContactId``,
else ``InitialContactId``, else the file stem. Language is unknown (the files do not say).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import json_values
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.readers.contact_lens import (
    AnalyticsError,
    analytics_conversation,
    analytics_document,
    first_line,
    participants,
)

NAME = "connect_chat"
KEPT_FIELDS = ("Version", "AWSAccountId", "InstanceId", "InitialContactId", "ContactId", "NextToken")
_VERSION = re.compile(r'"Version"\s*:\s*"2019-08-26"')
_ANALYTICS_KEYS = ('"JobStatus"', '"ConversationCharacteristics"', '"CustomerMetadata"', '"JobName"')


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Connect chat transcript or GetTranscript items."""
    if '"Transcript"' not in head or any(key in head for key in _ANALYTICS_KEYS):
        return 0.0
    if _VERSION.search(head):
        return 0.98
    if '"ParticipantRole"' in head and '"AbsoluteTime"' in head and '"ContentType"' in head:
        return 0.9
    return 0.0


def read(path: Path) -> Iterator[ReadResult]:
    """Yield each chat of the file (pages of one contact merged), or why it was quarantined."""
    contacts: dict[str, list[tuple[str, Any]]] = {}
    for item in json_values(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, document = item
        key = _contact_key(document) or f"record:{record}"
        contacts.setdefault(key, []).append((record, document))
    for pages in contacts.values():
        record, document = pages[0] if len(pages) == 1 else _merged(pages)
        result = conversation_from_chat(document, path)
        token = pages[-1][1].get("NextToken") if isinstance(pages[-1][1], dict) else None
        if isinstance(result, Conversation) and isinstance(token, str) and token.strip():
            result.warnings.append(
                "the last GetTranscript page has a NextToken: later items are not in the export"
            )
        if record != "file":
            if isinstance(result, Quarantined):
                result = replace(result, record=f"{record} {result.record}")
            else:
                result.source_record = record
        yield result


def _contact_key(document: Any) -> str | None:
    """The contact a page belongs to (``ContactId``, else ``InitialContactId``)."""
    if not isinstance(document, dict):
        return None
    return next(
        (document[k] for k in ("ContactId", "InitialContactId") if isinstance(document.get(k), str)), None
    )


def _merged(pages: list[tuple[str, Any]]) -> tuple[str, dict[str, Any]]:
    """GetTranscript pages of one contact as one document: items in page order, repeats dropped by ``Id``."""
    seen: set[str] = set()
    items: list[Any] = []
    for _, page in pages:
        for item in page.get("Transcript") or [] if isinstance(page.get("Transcript"), list) else []:
            item_id = item.get("Id") if isinstance(item, dict) else None
            if isinstance(item_id, str) and item_id in seen:
                continue
            if isinstance(item_id, str):
                seen.add(item_id)
            items.append(item)
    first_record, first = pages[0]
    record = f"{first_record} + {len(pages) - 1} more page(s)"
    return record, {**{k: v for k, v in first.items() if k != "NextToken"}, "Transcript": items}


def conversation_from_chat(document: Any, path: Path) -> Conversation | Quarantined:
    """The chat in a parsed transcript document, or a quarantine entry for ``path``."""
    try:
        document = analytics_document(document)
        contact_id = next(
            (
                document[key]
                for key in ("ContactId", "InitialContactId")
                if isinstance(document.get(key), str)
            ),
            path.stem,
        )
        conversation = analytics_conversation(
            {**document, "Channel": "CHAT"},
            path,
            source_format=NAME,
            conversation_id=contact_id,
            speakers=participants(document),
        )
    except AnalyticsError as problem:
        return problem.quarantined(path)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
        message = f"not a valid Connect chat transcript: {first_line(exc)}"
        return AnalyticsError("file", ReasonCode.INVALID_RECORD, message).quarantined(path)
    kept = conversation.extra[NAME]
    for key in ("Channel", "Participants"):
        kept.pop(key, None)
    kept.update({key: document[key] for key in KEPT_FIELDS if key in document})
    return conversation


READER = register(
    Reader(
        name=NAME,
        description="Amazon Connect chat transcripts (S3 Version 2019-08-26) and GetTranscript items",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=6,
    )
)
