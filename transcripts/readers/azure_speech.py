"""Azure AI Speech batch transcription results (one audio file per document).

Built from Microsoft's published schema (Speech service docs, "Batch transcription
results"; no public sample file is shipped)::

    {"source": "https://.../call-0042.wav", "timestamp": "2024-03-01T10:02:11Z",
     "durationInTicks": 412000000, "duration": "PT41.2S",
     "combinedRecognizedPhrases": [{"channel": 0, "display": "..."}],
     "recognizedPhrases": [{"recognitionStatus": "Success", "channel": 0, "speaker": 1,
                            "offsetInTicks": 700000.0, "durationInTicks": 15900000.0,
                            "locale": "en-US",
                            "nBest": [{"confidence": 0.9, "display": "Hello, how can I help?"}]}]}

Each successful phrase is a turn (text = best ``display``); ticks are 100 ns. Its label is
``speaker_N`` when diarisation ran, else ``channel_N``; Azure names no roles, so they come
from a ``speakers.yaml`` mapping or the speech (``transcripts.roles_infer``). ``timestamp``
is when the transcription ran, not the call: it is kept in ``extra``, the start stays
unknown. Id = the audio file name in ``source``, else the file stem; language from
``locale``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from transcripts.model import Channel
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, finite_ms, language_subtag
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles_infer import check_mapping
from transcripts.textio import load_json_document

NAME = "azure_speech"
TICKS_PER_MS = 10_000


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts an Azure batch transcription result."""
    if '"recognizedPhrases"' in head:
        return 0.95
    return 0.6 if '"combinedRecognizedPhrases"' in head else 0.0


def _ticks_ms(value: Any) -> int | None:
    return finite_ms(value, 1 / TICKS_PER_MS)


def segment_of(phrase: dict[str, Any]) -> Segment | None:
    """The turn of one recognised phrase, or None when recognition failed or it has no text."""
    if phrase.get("recognitionStatus", "Success") != "Success":
        return None
    best = (phrase.get("nBest") or [{}])[0]
    text = best.get("display") or best.get("itn") or best.get("lexical") if isinstance(best, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    start = _ticks_ms(phrase.get("offsetInTicks"))
    length = _ticks_ms(phrase.get("durationInTicks"))
    label = (
        f"speaker_{phrase['speaker']}"
        if phrase.get("speaker") is not None
        else f"channel_{phrase.get('channel', 0)}"
    )
    extra = (
        {NAME: {"confidence": best.get("confidence")}}
        if isinstance(best, dict) and "confidence" in best
        else {}
    )
    return Segment(
        label=label,
        text=text,
        start_ms=start,
        end_ms=start + length if start is not None and length is not None else None,
        extra=extra,
    )


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield the one conversation of an Azure transcription result, or why it was quarantined."""
    document = load_json_document(path)
    if isinstance(document, Quarantined):
        yield document
        return
    phrases = document.get("recognizedPhrases") if isinstance(document, dict) else None
    if not isinstance(phrases, list):
        yield Quarantined(
            str(path), "recognizedPhrases", ReasonCode.MISSING_FIELD, f"{path}: no recognizedPhrases list"
        )
        return
    segments = [s for s in (segment_of(p) for p in phrases if isinstance(p, dict)) if s is not None]
    source = document.get("source")
    audio = Path(urlparse(source).path).stem if isinstance(source, str) and source.strip() else None
    locale = next((p.get("locale") for p in phrases if isinstance(p, dict) and p.get("locale")), None)
    yield build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=audio or path.stem,
        channel=Channel.CALL,
        language=language_subtag(locale),
        speakers=speakers,
        extra={NAME: {k: document[k] for k in ("source", "timestamp", "duration") if k in document}},
    )


READER = register(
    Reader(
        name=NAME,
        description="Azure AI Speech batch transcription JSON (recognizedPhrases, speaker/channel)",
        sniff=sniff,
        read=read,
        extensions=(".json",),
        options=(ReaderOption("speakers", "speakers.yaml mapping labels to roles", check_mapping),),
        tie_rank=1,
    )
)
