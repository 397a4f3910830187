"""AWS Post-Call Analytics (PCA) parsed results: ``ConversationAnalytics`` + ``SpeechSegments``.

Source: aws-samples/amazon-transcribe-post-call-analytics, the parsed-results JSON its UI
reads (``pca-ui/src/lambda/testfile.json``). ``SpeechSegments[]`` hold the turns
(``SegmentStartTime``/``SegmentEndTime`` in seconds, ``SegmentSpeaker`` ``spk_N``,
``DisplayText``); ``ConversationAnalytics.SpeakerLabels`` maps ``spk_N`` to Agent/Customer.

PCA writes those labels from its configuration (which audio channel is the agent), not from
the call, and they are sometimes the wrong way round (the sample labels the speaker who
says "Thank you for calling ... technical support" Customer). So the speech decides when it
is confident and disagrees (with a warning naming both); otherwise the labels stand. A
``speakers.yaml`` mapping overrides both. Start = ``ConversationTime`` in
``ConversationLocation``'s time zone; language from ``LanguageCode``; id = ``GUID`` unless
it is ``"None"``, else the transcription job name, else the file stem. Per-segment sentiment,
categories and issues, and each speaker's overall ``SentimentTrends`` score, become vendor
signals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transcripts.model import Channel, Role, VendorSignal, VendorSignalKind
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, language_subtag, seconds_ms
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles import normalise_label, parse_role
from transcripts.roles_infer import attribute_roles, check_mapping, mapping_for
from transcripts.textio import load_json_document

NAME = "pca_parsed"
_MISSING = {"", "none", "null", "n/a"}


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a PCA parsed-results file."""
    if '"SpeechSegments"' in head or '"ConversationAnalytics"' in head:
        return 0.95 if '"SegmentSpeaker"' in head or '"SpeakerLabels"' in head else 0.7
    return 0.0


def _present(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip().lower() not in _MISSING else None


def _started_at(analytics: dict[str, Any]) -> datetime | None:
    raw = _present(analytics.get("ConversationTime"))
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(_present(analytics.get("ConversationLocation")) or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return moment


def _signals(
    segments: list[dict[str, Any]], analytics: dict[str, Any], labels: dict[str, Role]
) -> list[VendorSignal]:
    signals: list[VendorSignal] = []
    for position, segment in enumerate(segments):
        mood = (
            "POSITIVE"
            if segment.get("SentimentIsPositive")
            else "NEGATIVE"
            if segment.get("SentimentIsNegative")
            else None
        )
        score = segment.get("SentimentScore")
        if mood is not None:
            value = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
            signals.append(
                VendorSignal(
                    source=NAME, kind=VendorSignalKind.SENTIMENT, label=mood, score=value, turn=position
                )
            )
        for name in segment.get("CategoriesDetected") or []:
            if isinstance(name, str) and name.strip():
                signals.append(
                    VendorSignal(source=NAME, kind=VendorSignalKind.CATEGORY, label=name, turn=position)
                )
        for issue in segment.get("IssuesDetected") or []:
            text = issue.get("Text") if isinstance(issue, dict) else None
            if isinstance(text, str) and text.strip():
                signals.append(
                    VendorSignal(source=NAME, kind=VendorSignalKind.ISSUE, label=text, turn=position)
                )
    for label, trend in sorted((analytics.get("SentimentTrends") or {}).items()):
        score = trend.get("SentimentScore") if isinstance(trend, dict) else None
        if isinstance(score, int | float) and label in labels:
            signals.append(
                VendorSignal(
                    source=NAME,
                    kind=VendorSignalKind.SENTIMENT,
                    label="overall",
                    score=float(score),
                    role=labels[label],
                )
            )
    return signals


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield the one conversation of a PCA parsed-results file, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    raw_segments = document.get("SpeechSegments") if isinstance(document, dict) else None
    if not isinstance(raw_segments, list):
        yield Quarantined(
            str(path), "SpeechSegments", ReasonCode.MISSING_FIELD, f"{path}: no SpeechSegments list"
        )
        return
    analytics = document.get("ConversationAnalytics") or {}
    segments = [s for s in raw_segments if isinstance(s, dict)]
    pieces = [
        (str(s.get("SegmentSpeaker")), str(s.get("DisplayText") or s.get("OriginalText") or ""))
        for s in segments
    ]
    labelled = {
        str(entry.get("Speaker")): parse_role(str(entry.get("DisplayText")))
        for entry in analytics.get("SpeakerLabels") or []
        if isinstance(entry, dict)
    }
    labels = {key: role for key, role in labelled.items() if role is not None}
    mapping = mapping_for(path, speakers)
    warnings: list[str] = []
    inferred = attribute_roles(pieces, mapping)
    if mapping or not labels or set(labels) != {label for label, _ in pieces}:
        roles: dict[str, Role] = dict(inferred.speakers)
    elif not inferred.uncertain and inferred.speakers != labels:
        roles = dict(inferred.speakers)
        warnings.append(
            "PCA SpeakerLabels ("
            + ", ".join(f"{k}={v.value}" for k, v in sorted(labels.items()))
            + f") contradict the speech; used {inferred.reason}"
        )
    else:
        roles, inferred = labels, None
    turns = [
        Segment(
            label=label,
            text=text,
            start_ms=seconds_ms(segment.get("SegmentStartTime")),
            end_ms=seconds_ms(segment.get("SegmentEndTime")),
            role=roles.get(label) or roles.get(normalise_label(label)),
        )
        for (label, text), segment in zip(pieces, segments, strict=True)
    ]
    job = next(
        (
            info.get("TranscribeJobInfo", {}).get("TranscriptionJobName")
            for info in analytics.get("SourceInformation") or []
            if isinstance(info, dict)
        ),
        None,
    )
    conversation = build_conversation(
        path,
        turns,
        source_format=NAME,
        conversation_id=_present(analytics.get("GUID")) or _present(job) or path.stem,
        channel=Channel.CALL,
        started_at=_started_at(analytics),
        language=language_subtag(analytics.get("LanguageCode")),
        vendor_signals=_signals(segments, analytics, roles),
        warnings=warnings,
        extra={
            NAME: {
                k: analytics[k]
                for k in ("Agent", "Duration", "SpeakerLabels", "CustomEntities")
                if k in analytics
            }
        },
    )
    if not isinstance(conversation, Quarantined):
        conversation.roles = inferred if inferred is not None and inferred.speakers == roles else None
        agent = _present(analytics.get("Agent"))
        for leg in conversation.legs:
            if leg.participant_role is Role.AGENT and agent:
                leg.agent_id = agent
    yield conversation


READER = register(
    Reader(
        name=NAME,
        description="AWS Post-Call Analytics parsed results (ConversationAnalytics + SpeechSegments)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        options=(ReaderOption("speakers", "speakers.yaml mapping labels to roles", check_mapping),),
        tie_rank=1,
    )
)
