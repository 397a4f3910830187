"""Amazon Transcribe Call Analytics output (post-call, batch).

The document has the Contact Lens shape (``Transcript`` items with ``Content``,
``BeginOffsetMillis``/``EndOffsetMillis``, ``Sentiment``, ``LoudnessScores``,
``IssuesDetected``; ``ConversationCharacteristics``; ``Categories``) but names the speaker
of each item directly with ``ParticipantRole`` (AGENT/CUSTOMER) instead of a participant id.
An unknown role quarantines the file as ``UNKNOWN_ROLE`` naming the item. Conversation id
is ``JobName``, else the file stem; vendor fields go under ``extra["transcribe_call_analytics"]``.

Also accepted: the output with the ``GetCallAnalyticsJob`` response merged in under
``CallAnalyticsJob`` (as pipelines archive them together): its ``CallAnalyticsJobName``
stands in for ``JobName`` and ``LanguageCode`` for a missing language. A document that is
only the job response carries no transcript; it is quarantined as ``MISSING_FIELD`` naming
the ``TranscriptFileUri`` to read instead.

Example::

    [conversation] = read(Path("analytics/redacted/my-call-analytics-job.json"))
    conversation.id  # 'my-call-analytics-job'
"""

from __future__ import annotations

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

NAME = "transcribe_call_analytics"
_JOB = "CallAnalyticsJob"


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Transcribe Call Analytics output file."""
    if f'"{_JOB}"' in head and '"CallAnalyticsJobName"' in head:
        return 0.9
    if '"Transcript"' not in head and '"ConversationCharacteristics"' not in head:
        return 0.0
    if '"ParticipantId"' in head or '"CustomerMetadata"' in head:
        return 0.1  # Contact Lens, which has the same shape
    score = 0.4
    if '"ParticipantRole"' in head:
        score += 0.3
    if '"JobName"' in head:
        score += 0.2
    return round(score, 2)


def read(path: Path) -> Iterator[ReadResult]:
    """Yield the one conversation of a Call Analytics output file, or its quarantine entry."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    yield conversation_from_output(document, path)


def conversation_from_output(document: Any, path: Path) -> Conversation | Quarantined:
    """The conversation in a parsed Call Analytics document, or a quarantine entry for ``path``."""
    try:
        return _build(document, path)
    except AnalyticsError as problem:
        return problem.quarantined(path)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
        message = f"not a valid Call Analytics output: {first_line(exc)}"
        return AnalyticsError("file", ReasonCode.INVALID_RECORD, message).quarantined(path)


def _unwrap(document: Any) -> dict[str, Any]:
    """The output with the fields of a merged ``CallAnalyticsJob`` filled in."""
    if not isinstance(document, dict) or not isinstance(document.get(_JOB), dict):
        return document
    job = document[_JOB]
    if "Transcript" not in document:
        uris = job.get("Transcript") if isinstance(job.get("Transcript"), dict) else {}
        uri = uris.get("RedactedTranscriptFileUri") or uris.get("TranscriptFileUri") or "its output location"
        message = (
            f"a {_JOB} job description without a transcript (status {job.get('CallAnalyticsJobStatus')}); "
            f"read the output at {uri}"
        )
        raise AnalyticsError(_JOB, ReasonCode.MISSING_FIELD, message, job)
    merged = {key: value for key, value in document.items() if key != _JOB}
    merged.setdefault("JobName", job.get("CallAnalyticsJobName"))
    merged.setdefault("LanguageCode", job.get("LanguageCode"))
    merged[_JOB] = {key: value for key, value in job.items() if key != "Settings"}
    return merged


def _build(document: Any, path: Path) -> Conversation:
    document = analytics_document(_unwrap(document))
    job_name = document.get("JobName")
    conversation = analytics_conversation(
        document,
        path,
        source_format=NAME,
        conversation_id=job_name if isinstance(job_name, str) and job_name.strip() else path.stem,
        speakers=participants(document),
    )
    if _JOB in document:
        conversation.extra[NAME][_JOB] = document[_JOB]
    return conversation


READER = register(
    Reader(
        name=NAME,
        description="Amazon Transcribe Call Analytics output (post-call, raw or redacted)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        tie_rank=4,
    )
)
