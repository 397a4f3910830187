"""Reader for WebVTT call captions with ``<v Speaker>`` voice tags: one call per file.

::

    WEBVTT

    NOTE conversation=C-7 customer=cust-3 channel=call department=Billing
    agents="Maria:agent:Billing:a-maria,Lee:agent:Tech Support,Menu:ivr" started=2026-11-17T09:14:00

    1
    00:00:01.000 --> 00:00:04.200
    <v Maria>Thanks for calling, this is Maria.</v>

    00:00:05.000 --> 00:00:07.500
    <v Customer>Hi, I was charged twice.

    NOTE Transferred to Tech Support (warm)

The first ``NOTE`` block may carry ``key=value`` metadata (values with spaces in quotes):
``conversation``/``id``, ``customer``, ``channel``, ``department``, ``queue``, ``language``,
``started`` and ``agents`` (``Name:role[:Department[:id]]`` entries, comma-separated; leave
the department empty to give only an id, ``Lee:agent::a-lee``). A speaker is resolved
through ``agents``, else by its own name (``Customer``, ``Caller``, ``IVR``, ``Agent``,
``Agent Maria``). An agent, bot or IVR speaker's ``speaker_id`` (and leg ``agent_id``) is
its declared id, else its name. Voices the file does not map (Teams, Zoom and Microsoft
Graph transcripts name people, not roles; cues without any voice are ``unlabelled``) get
roles from a ``speakers.yaml`` mapping, else from the speech (``transcripts.roles_infer``);
``Conversation.roles`` says how, and marks weak guesses ``uncertain``. Later ``NOTE`` lines
describing a transfer, hold or disconnect become events (as in the plain-text reader). Cue
times give start/end offsets.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from transcripts.legs import LegTracker
from transcripts.model import Channel, Conversation, EventType, Role, RoleAttribution, Turn
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import language_subtag
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.readers.plain_text import parse_system_event
from transcripts.roles import normalise_label, parse_role
from transcripts.roles_infer import attribute_roles, check_mapping, mapping_for
from transcripts.textio import Line, excerpt, iter_lines

NAME = "webvtt"
_TIMING = re.compile(
    r"^(?P<start>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})\s+-->\s+(?P<end>(?:\d+:)?\d{2}:\d{2}[.,]\d{3})(?:\s+.*)?$"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|(?=<v[\s.])|$)", re.DOTALL)
_TAG = re.compile(r"</?[^>]*>")
_PREFIX_SPEAKER = re.compile(r"^(?P<name>[A-Za-z][\w.' -]{0,40}?)\s*:\s+(?P<text>.+)$", re.DOTALL)
_META_KEYS = {
    "conversation": "id",
    "id": "id",
    "customer": "customer_id",
    "customerid": "customer_id",
    "channel": "channel",
    "department": "department",
    "queue": "queue",
    "language": "language",
    "started": "started_at",
    "startedat": "started_at",
    "date": "started_at",
    "agents": "agents",
    "roles": "agents",
    "speakers": "agents",
}


def parse_cue_time(value: str) -> int:
    """``hh:mm:ss.ttt`` or ``mm:ss.ttt`` to milliseconds."""
    parts = value.replace(",", ".").split(":")
    seconds = float(parts[-1]) + int(parts[-2]) * 60 + (int(parts[-3]) * 3600 if len(parts) == 3 else 0)
    return int(round(seconds * 1000))


@dataclass
class _Cue:
    number: int
    line: int
    start_ms: int
    end_ms: int
    text_lines: list[str] = field(default_factory=list)


@dataclass
class _Note:
    line: int
    text_lines: list[str] = field(default_factory=list)


@dataclass
class _Header:
    """Lines after ``WEBVTT`` in the header block (``Kind: captions``, ``Language: en``)."""

    text_lines: list[str] = field(default_factory=list)


def _blocks(path: Path) -> Iterator[_Cue | _Note | _Header | Quarantined | str]:
    """Cues and NOTE blocks of the file; a string is a problem message about the header."""
    block: list[Line] = []
    seen_header = False
    cue_number = 0
    for item in chain(iter_lines(path), [None]):
        if isinstance(item, Quarantined):
            yield item
            if item.reason in (ReasonCode.BINARY, ReasonCode.IO_ERROR):
                return
            continue
        if item is not None and item.text.strip():
            block.append(item)
            continue
        if not block:
            continue
        lines, block = block, []
        if not seen_header:
            seen_header = True
            if not lines[0].text.lstrip("\ufeff").startswith("WEBVTT"):
                yield "file does not start with WEBVTT"
                return
            yield _Header([line.text.strip() for line in lines[1:]])
            continue
        first = lines[0].text.strip()
        if first == "NOTE" or first.startswith(("NOTE ", "NOTE\t")):
            yield _Note(lines[0].number, [first[4:].strip()] + [line.text.strip() for line in lines[1:]])
            continue
        if first.startswith(("STYLE", "REGION")):
            continue
        timing_at = 1 if len(lines) > 1 and _TIMING.match(lines[1].text.strip()) else 0
        timing = _TIMING.match(lines[timing_at].text.strip())
        if timing is None:
            message = f"block at line {lines[0].number} is not a cue (no 'start --> end' timing line)"
            yield Quarantined(str(path), f"line {lines[0].number}", ReasonCode.INVALID_RECORD, message)
            continue
        cue_number += 1
        yield _Cue(
            cue_number,
            lines[timing_at].number,
            parse_cue_time(timing.group("start")),
            parse_cue_time(timing.group("end")),
            [line.text for line in lines[timing_at + 1 :]],
        )
    if not seen_header:
        yield "file is empty"


def parse_note_metadata(text: str) -> dict[str, str]:
    """``key=value`` pairs of a metadata NOTE (shell-style quoting); unknown keys are ignored."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    meta: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        target = _META_KEYS.get(normalise_label(key))
        if sep and target:
            meta[target] = value
    return meta


class DeclaredSpeaker(NamedTuple):
    """A voice named in the NOTE ``agents=`` list."""

    role: Role
    department: str | None = None
    speaker_id: str | None = None


def parse_agents(value: str) -> dict[str, DeclaredSpeaker]:
    """Normalised voice name -> declared speaker, from ``Name:role[:Department[:id]]`` entries.

    >>> parse_agents("Maria:agent:Billing:a-maria")["maria"]
    DeclaredSpeaker(role=<Role.AGENT: 'agent'>, department='Billing', speaker_id='a-maria')
    """
    agents: dict[str, DeclaredSpeaker] = {}
    for entry in value.split(","):
        parts = [part.strip() for part in entry.split(":")] + ["", ""]
        role = parse_role(parts[1]) if parts[0] else None
        if role is not None:
            agents[normalise_label(parts[0])] = DeclaredSpeaker(role, parts[2] or None, parts[3] or None)
    return agents


def _speaker(
    name: str, agents: dict[str, DeclaredSpeaker]
) -> tuple[Role, str | None, str | None, str | None] | None:
    """(role, speaker id, speaker name, department) for a voice name, or None when unmapped.

    Customers get no speaker id here; agents, bots and IVRs get their declared id, else their name.
    """
    declared = agents.get(normalise_label(name))
    if declared is not None:
        return (
            declared.role,
            _speaker_id(declared.role, declared.speaker_id or name),
            name,
            declared.department,
        )
    role = parse_role(name)
    if role is not None:
        return role, None, None, None
    first, _, rest = name.partition(" ")
    role = parse_role(first)
    if role is not None and rest.strip():
        return role, _speaker_id(role, rest.strip()), rest.strip(), None
    return None


def _speaker_id(role: Role, candidate: str) -> str | None:
    return candidate if role in (Role.AGENT, Role.BOT, Role.IVR) else None


def _cue_turns(cue: _Cue) -> list[tuple[str | None, str]]:
    """(voice name or None, plain text) pieces of a cue."""
    body = "\n".join(cue.text_lines)
    voices = list(_VOICE.finditer(body))
    if voices:
        pieces = [(m.group("name").strip(), m.group("text")) for m in voices]
    else:
        prefixed = _PREFIX_SPEAKER.match(_TAG.sub("", body).strip())
        pieces = [(prefixed.group("name"), prefixed.group("text"))] if prefixed else [(None, body)]
    return [(name, html.unescape(_TAG.sub("", text)).strip()) for name, text in pieces]


UNLABELLED = "unlabelled"
"""The speaker label of cues without a voice tag or a ``Name:`` prefix."""


def _attribution(path: Path, speakers: Any) -> tuple[RoleAttribution | None, dict[str, DeclaredSpeaker]]:
    """Roles for voices neither the NOTE ``agents=`` nor their own name resolve, and the NOTE's.

    A pre-pass over the cues: unresolved voices (and cues without one, as ``UNLABELLED``)
    get roles from a ``speakers.yaml`` mapping, else from the speech (``roles_infer``).
    """
    agents: dict[str, DeclaredSpeaker] = {}
    pieces: list[tuple[str, str]] = []
    seen_turn = False
    for block in _blocks(path):
        if isinstance(block, _Note) and not seen_turn:
            text = " ".join(block.text_lines)
            if "=" in text:
                agents.update(parse_agents(parse_note_metadata(text).get("agents", "")))
        elif isinstance(block, _Cue):
            seen_turn = True
            pieces.extend((name or UNLABELLED, text) for name, text in _cue_turns(block) if text)
    resolved = {normalise_label(name): _speaker(name, agents) for name, _ in pieces if name != UNLABELLED}
    if all(found is not None for found in resolved.values()) and all(n != UNLABELLED for n, _ in pieces):
        return None, agents
    mapping = {label: found[0] for label, found in resolved.items() if found is not None}
    roles = attribute_roles(pieces, {**mapping_for(path, speakers), **mapping})
    for name, role in roles.speakers.items():
        if normalise_label(name) not in agents and resolved.get(normalise_label(name)) is None:
            agents[normalise_label(name)] = DeclaredSpeaker(role)
    return roles, agents


def read(path: Path, speakers: Any = None) -> Iterator[ReadResult]:
    """Yield the one conversation of the WebVTT file ``path``, or why it was quarantined.

    ``speakers`` is a speakers mapping (file or loaded) for voices the file does not declare.
    """
    meta: dict[str, str] = {}
    roles, inferred = _attribution(path, speakers)
    agents: dict[str, DeclaredSpeaker] = {}
    tracker: LegTracker | None = None
    turns: list[Turn] = []
    problem: Quarantined | None = None
    last_ms: int | None = None

    def fail(record: str, reason: ReasonCode, message: str, text: str = "") -> None:
        nonlocal problem
        if problem is None:
            problem = Quarantined(str(path), record, reason, f"{path} {record}: {message}", excerpt(text))

    skipped: dict[str, int] = {}
    for block in _blocks(path):
        if isinstance(block, str):
            yield Quarantined(str(path), "file", ReasonCode.INVALID_RECORD, f"{path}: {block}, not WebVTT")
            return
        if isinstance(block, _Header):
            meta.update(header_metadata(block.text_lines))
            continue
        if isinstance(block, Quarantined):
            if block.reason in (ReasonCode.BINARY, ReasonCode.IO_ERROR):
                yield block
                return
            fail(block.record, block.reason, block.message.removeprefix(f"{path} "), block.excerpt)
            continue
        if isinstance(block, _Note):
            text = " ".join(block.text_lines)
            if tracker is None and not turns and "=" in text:
                meta.update(parse_note_metadata(text))
                agents.update(parse_agents(meta.get("agents", "")))
                continue
            event = parse_system_event(text)
            if event is not None:
                if tracker is None:
                    tracker = LegTracker(meta.get("department"), meta.get("queue"))
                if event.type is EventType.TRANSFER:
                    tracker.transfer(
                        at_ms=last_ms, to_department=event.to_department, warm=event.warm, reason=text
                    )
                else:
                    tracker.event(
                        event.type, at_ms=last_ms, duration_ms=event.duration_ms, by=event.by, reason=text
                    )
            continue
        if tracker is None:
            tracker = LegTracker(meta.get("department"), meta.get("queue"))
        record = f"cue {block.number} (line {block.line})"
        for name, text in _cue_turns(block):
            if name is None and UNLABELLED not in inferred:
                fail(record, ReasonCode.UNKNOWN_SPEAKER, "cue has no <v Speaker> voice tag", text)
                continue
            name = name or UNLABELLED
            resolved = _speaker(name, {**inferred, **agents})
            if resolved is None:
                fail(
                    record,
                    ReasonCode.UNKNOWN_SPEAKER,
                    f"unknown speaker {name!r} (map it in the NOTE agents=)",
                    text,
                )
                continue
            if not text:  # meeting services write empty cues (<v Name></v>): nothing was said
                skipped["cue without text"] = skipped.get("cue without text", 0) + 1
                continue
            role, speaker_id, speaker_name, department = resolved
            leg = tracker.assign(
                role,
                speaker_id,
                speaker_name,
                department=department,
                at_ms=block.start_ms,
                end_ms=block.end_ms,
            )
            if problem is None:
                try:
                    turns.append(
                        Turn(
                            index=len(turns),
                            role=role,
                            speaker_id=speaker_id,
                            speaker_name=speaker_name,
                            text=text,
                            start_ms=block.start_ms,
                            end_ms=max(block.end_ms, block.start_ms),
                            leg=leg,
                        )
                    )
                except ValidationError as exc:
                    fail(record, ReasonCode.INVALID_RECORD, exc.errors()[0]["msg"], text)
        last_ms = block.end_ms
    if problem is not None:
        yield problem
        return
    if not turns:
        yield Quarantined(str(path), "file", ReasonCode.NO_TURNS, f"{path} has no cues with speech")
        return
    assert tracker is not None
    result = _conversation(path, meta, tracker, turns, roles)
    if skipped and isinstance(result, Conversation):
        result.extra[NAME] = {"skipped": skipped}
    yield result


def header_metadata(lines: list[str]) -> dict[str, str]:
    """``Language: en-GB`` in the header block (as YouTube and ffmpeg write it) as the language."""
    meta: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "language" and value.strip():
            meta["language"] = value.strip()
    return meta


def _conversation(
    path: Path, meta: dict[str, str], tracker: LegTracker, turns: list[Turn], roles: RoleAttribution | None
) -> ReadResult:
    record = "file"
    try:
        channel = Channel(meta.get("channel", "call").strip().lower())
    except ValueError:
        return Quarantined(
            str(path), "NOTE", ReasonCode.INVALID_RECORD, f"{path} NOTE: unknown channel {meta['channel']!r}"
        )
    started_at = None
    if meta.get("started_at"):
        try:
            started_at = datetime.fromisoformat(meta["started_at"].replace("Z", "+00:00"))
        except ValueError:
            message = f"{path} NOTE: started={meta['started_at']!r} is not an ISO date-time"
            return Quarantined(str(path), "NOTE", ReasonCode.INVALID_RECORD, message)
    legs, events = tracker.finish()
    try:
        return Conversation(
            id=meta.get("id") or path.stem,
            channel=channel,
            customer_id=meta.get("customer_id") or None,
            started_at=started_at,
            language=language_subtag(meta.get("language")),
            source_file=str(path),
            source_format=NAME,
            source_record=record,
            legs=legs,
            turns=turns,
            events=events,
            roles=roles,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "conversation"
        return Quarantined(str(path), record, ReasonCode.INVALID_RECORD, f"{path}: {where}: {error['msg']}")


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` is WebVTT: the mandatory ``WEBVTT`` signature."""
    text = head.lstrip("\ufeff")
    if text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\r\n"):
        return 0.95
    return 0.0


READER = register(
    Reader(
        name=NAME,
        description="WebVTT call captions with <v Speaker> voice tags and an optional metadata NOTE.",
        sniff=sniff,
        read=read,
        extensions=(".vtt",),
        options=(ReaderOption("speakers", "speakers.yaml mapping voices to roles", check_mapping),),
    )
)
