"""SubRip (``.srt``) captions: numbered cues with ``hh:mm:ss,mmm --> hh:mm:ss,mmm`` timings.

Source: the SubRip format as caption tools and speech services (Azure, Transcribe subtitle
output, Zoom) write it. SRT has no speaker field: a ``Name:`` or ``[Name]`` prefix on a cue
is its speaker, and captioners name speakers only when they change, so a cue without one
continues the previous cue's speaker (after a ``>>``/``-`` change marker, or before any
prefix, it is ``unlabelled``). Roles come from the prefix
when it is a role word (``Agent:``, ``Customer:``), else from a ``speakers.yaml`` mapping,
else from the speech (``transcripts.roles_infer``); a file whose roles stay a guess is
kept with ``roles.uncertain`` and the reason. Id = file stem; channel call; no start time.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.model import Channel, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.readers.webvtt import UNLABELLED, parse_cue_time
from transcripts.roles import parse_role
from transcripts.roles_infer import check_mapping
from transcripts.textio import read_text_document

NAME = "srt"
_TIMING = re.compile(r"^\s*(?P<start>\d+:\d{2}:\d{2}[,.]\d{1,3})\s*-->\s*(?P<end>\d+:\d{2}:\d{2}[,.]\d{1,3})")
_PREFIX = re.compile(
    r"^\s*(?:\[(?P<bracket>[^\]]{1,40})\]|(?P<name>[A-Za-z][\w.' -]{0,40}?)\s*:)\s+(?P<text>.+)$", re.DOTALL
)
_CHANGE = re.compile(r"^\s*(?:>>|-)\s+")
"""A speaker-change marker at the start of a caption (``>> ``, ``- ``)."""
_TAG = re.compile(r"</?[^>]*>|\{\\[^}]*\}")


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` is SubRip: a cue number, then a comma-millisecond timing line."""
    lines = [line.strip() for line in head.lstrip("\ufeff").splitlines()[:6]]
    for position, line in enumerate(lines[:-1]):
        if line.isdigit() and _TIMING.match(lines[position + 1]):
            return 0.9
    first = next((line for line in lines if line), "")
    return 0.8 if _TIMING.match(first) and "," in first.split("-->")[0] else 0.0  # cues without numbers


def _cue_time(value: str) -> int:
    hours, minutes, rest = value.replace(".", ",").split(":")
    seconds, _, millis = rest.partition(",")
    return parse_cue_time(f"{int(hours):02d}:{minutes}:{seconds}.{millis.ljust(3, '0')}")


def segments_of(text: str) -> Iterator[Segment | str]:
    """Segments of the cues in ``text``; a string names a block that is not a cue.

    Captioners name a speaker when the speaker changes: a cue without a prefix continues the
    speaker of the cue before it, unless it opens with a change marker (``>>`` or ``-``).
    """
    previous: tuple[str, Role | None] | None = None
    for number, block in enumerate(re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip("\ufeff\n ")), 1):
        lines = [line for line in block.split("\n") if line.strip()]
        timing_at = next((i for i, line in enumerate(lines[:2]) if _TIMING.match(line)), None)
        if timing_at is None:
            if lines:
                yield f"block {number} has no 'start --> end' timing line"
            continue
        timing = _TIMING.match(lines[timing_at])
        assert timing is not None
        body = html.unescape(_TAG.sub("", " ".join(lines[timing_at + 1 :]))).strip()
        if not body:
            yield Segment(label=UNLABELLED, text="", extra={NAME: {"cue": number}})  # counted, not a turn
            continue
        changed = _CHANGE.match(body)
        body = body[changed.end() :] if changed else body
        prefix = _PREFIX.match(body)
        if prefix:
            name, spoken = (prefix["bracket"] or prefix["name"]).strip(), prefix["text"].strip()
            role = parse_role(name)
            previous = (role.value if role is not None else name, role)  # "AGENT:"/"Agent:": one speaker
        elif changed or previous is None:
            spoken, previous = body, (UNLABELLED, None)
        else:
            spoken = body
        label, role = previous
        yield Segment(
            label=label,
            text=spoken,
            start_ms=_cue_time(timing["start"]),
            end_ms=_cue_time(timing["end"]),
            role=role,
            extra={NAME: {"cue": number}},
        )


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield the one conversation of the SRT file ``path``, or why it was quarantined."""
    text = read_text_document(path)
    if isinstance(text, Quarantined):
        yield text
        return
    segments: list[Segment] = []
    empty = 0
    for item in segments_of(text):
        if isinstance(item, str):
            yield Quarantined(str(path), item.split(" has")[0], ReasonCode.INVALID_RECORD, f"{path}: {item}")
        elif item.text:
            segments.append(item)
        else:
            empty += 1
    yield build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=path.stem,
        channel=Channel.CALL,
        speakers=speakers,
        extra={NAME: {"skipped": {"cue without text": empty}}} if empty else None,
    )


READER = register(
    Reader(
        name=NAME,
        description="SubRip captions (.srt), speakers from Name: prefixes or inferred",
        sniff=sniff,
        read=read,
        extensions=(".srt",),
        options=(ReaderOption("speakers", "speakers.yaml mapping labels to roles", check_mapping),),
    )
)
