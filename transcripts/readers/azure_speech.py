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

Also read: Speech SDK results (``{"RecognitionStatus": "Success", "DisplayText": "...",
"Offset": ticks, "Duration": ticks, "SpeakerId": "Guest-1", "NBest": [...]}``), as a list or
one per line, all of a file being one conversation; the fast transcription API's result
(``{"durationMilliseconds": ..., "phrases":
[{"speaker": 1, "offsetMilliseconds": 400, "durationMilliseconds": 4100, "text": "...",
"locale": "en-US"}]}``), tick values written as text, and phrases that give only the ISO
``offset``/``duration`` (``"PT6.5S"``).

Each successful phrase is a turn (text = best ``display``, else ``itn``/``lexical`` when
``display`` is blank); ticks are 100 ns. Phrases that failed recognition (``NoMatch``,
``InitialSilenceTimeout``) or carry no text are counted in ``extra["azure_speech"]["skipped"]``. Its label is
``speaker_N`` when diarisation ran, else ``channel_N``; Azure names no roles, so they come
from a ``speakers.yaml`` mapping or the speech (``transcripts.roles_infer``). ``timestamp``
is when the transcription ran, not the call: it is kept in ``extra``, the start stays
unknown. Id = the audio file name in ``source``, else the file stem; language from
``locale``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from transcripts.model import Channel
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._documents import count_skipped, json_values
from transcripts.readers._speech import Segment, build_conversation, finite_ms, language_subtag
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles_infer import check_mapping

NAME = "azure_speech"
KEPT_FIELDS = ("source", "timestamp", "duration", "durationMilliseconds")
_TEXT_KEYS = ("display", "text", "itn", "maskedITN", "lexical")
"""Where a phrase's text is, best first (``text``: fast transcription; ``display`` may be blank)."""
TICKS_PER_MS = 10_000


_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts an Azure batch or fast transcription result."""
    if '"recognizedPhrases"' in head:
        return 0.95
    if '"RecognitionStatus"' in head and ('"DisplayText"' in head or '"NBest"' in head):
        return 0.85  # Speech SDK results
    if '"phrases"' in head and '"offsetMilliseconds"' in head:
        return 0.9
    return 0.6 if '"combinedRecognizedPhrases"' in head or '"combinedPhrases"' in head else 0.0


def _number(value: Any) -> Any:
    """A number written as text (``"3000000"``) as a float; anything else as it is."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def iso_duration_ms(value: Any) -> int | None:
    """``PT1M2.5S`` (ISO 8601, as Azure writes ``offset``/``duration``) in milliseconds; None if not one."""
    match = _ISO_DURATION.match(value.strip()) if isinstance(value, str) and value.strip() != "P" else None
    if match is None:
        return None
    units = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1000}
    return round(sum(float(match[k]) * ms for k, ms in units.items() if match[k]))


def _time_ms(phrase: dict[str, Any], name: str) -> int | None:
    """``<name>InTicks`` (100 ns), else ``<name>Milliseconds`` (fast transcription), else ISO ``<name>``."""
    ticks = finite_ms(_number(phrase.get(f"{name}InTicks")), 1 / TICKS_PER_MS)
    if ticks is not None:
        return ticks
    millis = finite_ms(_number(phrase.get(f"{name}Milliseconds")))
    return millis if millis is not None else iso_duration_ms(phrase.get(name))


def segment_of(phrase: dict[str, Any]) -> Segment | None:
    """The turn of one recognised phrase, or None when recognition failed or it has no text."""
    if phrase.get("recognitionStatus", "Success") != "Success":
        return None
    listed = phrase.get("nBest")
    best = listed[0] if isinstance(listed, list) and listed else phrase  # fast: text on the phrase
    text = None
    if isinstance(best, dict):
        text = next((best[k] for k in _TEXT_KEYS if isinstance(best.get(k), str) and best[k].strip()), None)
    if text is None:
        return None
    start = _time_ms(phrase, "offset")
    length = _time_ms(phrase, "duration")
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


def _phrases(document: Any) -> list[Any] | None:
    """The phrase list: ``recognizedPhrases`` (batch) or ``phrases`` (fast transcription)."""
    if not isinstance(document, dict):
        return None
    for key in ("recognizedPhrases", "phrases"):
        if isinstance(document.get(key), list):
            return document[key]
    return None


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield each conversation of an Azure result file, or why it was quarantined.

    A batch or fast transcription result is one conversation (several written one per line
    are one each); Speech SDK results (one recognised phrase per object, a list or JSON
    Lines) are together the one conversation of the file.
    """
    sdk: list[dict[str, Any]] = []
    documents = 0
    for item in json_values(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        record, value = item
        phrases = _phrases(value)
        if phrases is not None:
            documents += 1
            yield conversation_of(path, value, phrases, speakers, record)
            continue
        results = value if isinstance(value, list) else [value]
        found = [sdk_phrase(r) for r in results if isinstance(r, dict) and _SDK_KEYS & r.keys()]
        if not found:
            message = f"{path} [{record}]: no recognizedPhrases (batch), phrases (fast) or Speech SDK results"
            yield Quarantined(str(path), record, ReasonCode.MISSING_FIELD, message)
        sdk.extend(found)
    if sdk:
        yield conversation_of(path, {}, sdk, speakers, "file" if not documents else "Speech SDK results")


_SDK_NBEST = {
    "Display": "display",
    "ITN": "itn",
    "MaskedITN": "maskedITN",
    "Lexical": "lexical",
    "Confidence": "confidence",
}
_SDK_KEYS = frozenset({"RecognitionStatus", "DisplayText", "NBest"})
"""Keys of a Speech SDK recognition result (``result.json``), PascalCase unlike the batch API."""


def sdk_phrase(result: dict[str, Any]) -> dict[str, Any]:
    """A Speech SDK result in the batch phrase shape.

    ``DisplayText``, ``Offset``/``Duration`` in ticks, ``SpeakerId`` (``Unknown`` when the
    transcriber could not tell), ``Channel`` and ``NBest[]`` (``Display``, ``ITN``...).
    """
    listed = result.get("NBest")
    best = [
        {_SDK_NBEST.get(k, k): v for k, v in n.items()}
        for n in (listed if isinstance(listed, list) else [])
        if isinstance(n, dict)
    ]
    if isinstance(result.get("DisplayText"), str):
        best = [{**(best[0] if best else {}), "display": result["DisplayText"]}]
    speaker = result.get("SpeakerId")
    return {
        "recognitionStatus": result.get("RecognitionStatus", "Success"),
        "offsetInTicks": result.get("Offset"),
        "durationInTicks": result.get("Duration"),
        "channel": result.get("Channel", 0),
        **({"speaker": speaker} if speaker not in (None, "", "Unknown") else {}),
        "nBest": best,
    }


def conversation_of(
    path: Path, document: dict[str, Any], phrases: list[Any], speakers: Any, record: str
) -> ReadResult:
    """The conversation of one result's phrases (``document`` holds its file-level fields)."""
    segments = []
    skipped: dict[str, int] = {}
    for phrase in phrases:
        segment = segment_of(phrase) if isinstance(phrase, dict) else None
        if segment is None:
            status = phrase.get("recognitionStatus", "Success") if isinstance(phrase, dict) else "?"
            count_skipped(skipped, f"recognitionStatus {status}" if status != "Success" else "no text")
            continue
        segments.append(segment)
    source = document.get("source")
    audio = Path(urlparse(source).path).stem if isinstance(source, str) and source.strip() else None
    locale = next((p.get("locale") for p in phrases if isinstance(p, dict) and p.get("locale")), None)
    return build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=audio or (path.stem if record == "file" else f"{path.stem}#{record}"),
        channel=Channel.CALL,
        language=language_subtag(locale),
        speakers=speakers,
        extra={
            NAME: {
                **{k: document[k] for k in KEPT_FIELDS if k in document},
                **({"skipped": skipped} if skipped else {}),
            }
        },
        record=record,
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
