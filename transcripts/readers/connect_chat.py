"""Amazon Connect chat transcripts: the S3 ``ChatTranscripts/`` files and GetTranscript items.

Source: Amazon Connect Administrator Guide, "Chat transcripts" (S3 file, ``Version``
``2019-08-26``) and the Amazon Connect Participant Service ``GetTranscript`` API
(``{"InitialContactId": ..., "Transcript": [Item, ...]}``; pipelines often store just the
items under ``Transcript``). Both list chat items (``AbsoluteTime``, ``Content``,
``ContentType``, ``Type`` MESSAGE/EVENT, ``ParticipantId``, ``DisplayName``,
``ParticipantRole``) and name each item's role; neither carries Contact Lens analytics.

Turns and events are built as for Contact Lens chat (``contact_lens.analytics_conversation``):
roles per item, offsets from the first ``AbsoluteTime``, transfers and the final
``participant.left`` / ``chat.ended`` as events, attachments skipped. Id = ``ContactId``,
else ``InitialContactId``, else the file stem. Language is unknown (the files do not say).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.readers.contact_lens import (
    AnalyticsError,
    analytics_conversation,
    analytics_document,
    first_line,
    participants,
)
from transcripts.textio import load_json_document

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
    """Yield the one chat of the file, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    yield conversation_from_chat(document, path)


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
