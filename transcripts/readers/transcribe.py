"""Amazon Transcribe standard (batch) output: ``results.items`` words, diarised or per channel.

Source: Amazon Transcribe Developer Guide, "Diarization output (batch)" and "Channel
identification output (batch)". The shape::

    {"jobName": "...", "accountId": "...", "status": "COMPLETED",
     "results": {"transcripts": [{"transcript": "..."}],
                 "speaker_labels": {"segments": [...]}      # diarised: items carry speaker_label
                 "channel_labels": {"channels": [{"channel_label": "ch_0", "items": [...]}]},
                 "items": [{"start_time": "4.87", "end_time": "5.02", "speaker_label": "spk_0",
                            "alternatives": [{"confidence": "1.0", "content": "I've"}],
                            "type": "pronunciation"}, {"type": "punctuation", ...}]}}

Words are grouped into turns: a new turn when the speaker (``speaker_label``, else
``channel_label``) changes or after a pause longer than ``PAUSE_MS``; punctuation joins the
word before it. Older output without ``speaker_label`` on items is labelled from
``speaker_labels.segments``. Transcribe names no roles: they come from a ``speakers.yaml``
mapping, else from the speech (``transcripts.roles_infer``). Id = ``jobName``; language from
``results.language_code``, else the best of ``language_identification`` or the longest of
``language_codes`` (multi-language), else unknown; no start time. Output of silence (no
items) is detected and quarantined ``no_turns``; damaged fields read as absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, language_subtag, seconds_ms
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles_infer import check_mapping
from transcripts.textio import load_json_document

NAME = "transcribe"
PAUSE_MS = 1500
"""A silence longer than this within one speaker starts a new turn."""


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a Transcribe standard output document."""
    if '"results"' not in head:
        return 0.0
    if '"alternatives"' not in head:  # an empty transcript (silence) has no items at all
        return 0.6 if '"jobName"' in head and '"transcripts"' in head and '"items"' in head else 0.0
    score = 0.6
    if '"jobName"' in head:
        score += 0.2
    if '"speaker_labels"' in head or '"channel_labels"' in head or '"speaker_label"' in head:
        score += 0.15
    return round(score, 2)


def _words(
    items: list[dict[str, Any]], default_label: str | None, by_start: dict[str, str]
) -> list[list[Any]]:
    """[start_ms, end_ms, label, text] per word, punctuation joined to the word before it."""
    words: list[list[Any]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        alternatives = _objects(item.get("alternatives")) or [{}]
        content = alternatives[0].get("content")
        content = content.strip() if isinstance(content, str) else ""
        if not content:
            continue
        if item.get("type") == "punctuation":
            if words:
                words[-1][3] += content
            continue
        label = _text(item.get("speaker_label")) or _text(item.get("channel_label"))
        words.append(
            [
                seconds_ms(item.get("start_time")),
                seconds_ms(item.get("end_time")),
                label or by_start.get(str(item.get("start_time"))) or default_label,
                content,
            ]
        )
    return words


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects in ``value`` when it is a list (a damaged field reads as empty)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def turns_from_words(words: list[list[Any]], pause_ms: int = PAUSE_MS) -> list[Segment]:
    """Consecutive words of one speaker, split at pauses over ``pause_ms``, as segments."""
    ordered = sorted(words, key=lambda w: w[0] if w[0] is not None else -1)
    segments: list[Segment] = []
    for start, end, label, text in ordered:
        last = segments[-1] if segments else None
        gap = start - last.end_ms if last and start is not None and last.end_ms is not None else 0
        if last is not None and last.label == label and gap <= pause_ms:
            last.text += " " + text
            last.end_ms = end if end is not None else last.end_ms
            continue
        segments.append(Segment(label=str(label), text=text, start_ms=start, end_ms=end))
    return segments


def segments_of(results: dict[str, Any]) -> list[Segment]:
    """The turns of a Transcribe ``results`` object (channels read per channel, then interleaved)."""
    channels = _objects(_object(results.get("channel_labels")).get("channels"))
    speaker_labels = _object(results.get("speaker_labels"))
    by_start: dict[str, str] = {}
    for segment in _objects(speaker_labels.get("segments")):
        for item in _objects(segment.get("items")):
            label = _text(item.get("speaker_label")) or _text(segment.get("speaker_label"))
            if label:
                by_start[str(item.get("start_time"))] = label
    words: list[list[Any]] = []
    if channels and not speaker_labels:
        for channel in channels:
            words.extend(_words(_objects(channel.get("items")), _text(channel.get("channel_label")), {}))
    else:
        words = _words(_objects(results.get("items")), "spk_0", by_start)
    return turns_from_words(words)


def identified_language(results: dict[str, Any]) -> str | None:
    """The language the output names; None when it does not say (unknown stays unknown).

    ``language_code``; else, after language identification, the best-scored ``code`` of
    ``language_identification`` or the longest-spoken of ``language_codes`` (multi-language).
    """
    code = results.get("language_code")
    if isinstance(code, str) and code.strip():
        return code
    candidates: list[tuple[float, str]] = []
    for entry in _objects(results.get("language_identification")):
        if isinstance(entry, dict) and isinstance(entry.get("code"), str):
            candidates.append((seconds_ms(entry.get("score")) or 0, entry["code"]))
    for entry in _objects(results.get("language_codes")):
        if isinstance(entry, dict) and isinstance(entry.get("language_code"), str):
            candidates.append((seconds_ms(entry.get("duration_in_seconds")) or 0, entry["language_code"]))
    return max(candidates)[1] if candidates else None


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield the one conversation of a Transcribe output file, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict) or not isinstance(results.get("items"), list):
        yield Quarantined(str(path), "results", ReasonCode.MISSING_FIELD, f"{path}: no results.items list")
        return
    job = document.get("jobName")
    status = document.get("status")
    yield build_conversation(
        path,
        segments_of(results),
        source_format=NAME,
        conversation_id=job if isinstance(job, str) and job.strip() else path.stem,
        channel=Channel.CALL,
        language=language_subtag(identified_language(results)),
        speakers=speakers,
        extra={NAME: {"jobName": job, "accountId": document.get("accountId"), "status": status}},
    )


READER = register(
    Reader(
        name=NAME,
        description="Amazon Transcribe standard output (results.items; speaker_labels or channel_labels)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        options=(ReaderOption("speakers", "speakers.yaml mapping labels to roles", check_mapping),),
        tie_rank=1,
    )
)
