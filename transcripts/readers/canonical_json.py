"""Reader for our own canonical JSON: one object, an array of objects, or JSON Lines.

The smallest accepted record::

    {"id": "C-1", "channel": "chat", "customer_id": "cust-9",
     "turns": [{"role": "customer", "text": "Hi"},
               {"role": "agent", "speaker": "a17", "text": "Hello!"}]}

Everything else is optional, and the full model (legs, events, offsets, ``extra``) is
accepted, so ``Conversation.model_dump(mode="json")`` round-trips. Turn ``index`` is
optional (turns are numbered in order; given indexes must be distinct and decide the
order); ``speaker`` is an alias of ``speaker_id`` and ``name`` of ``speaker_name``; roles go
through ``transcripts.roles.parse_role``. Without legs, legs are inferred from who speaks
(``transcripts.legs.LegTracker``); a turn may carry ``department``/``queue`` hints for that.

Arrays are streamed with ``transcripts.json_stream.scan_values`` (an element that does not
parse is quarantined and reading resumes at the next) and JSONL with the bounded line
reader, so memory is bounded by the largest record; a single top-level object is read whole
(size-limited).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.json_stream import UnreadableError, scan_values, text_chunks
from transcripts.legs import LegTracker, TurnOrderError, order_turns
from transcripts.model import Channel, ChannelKind, Conversation, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.roles import parse_role
from transcripts.signatures import agent_signature
from transcripts.textio import (
    CHUNK_BYTES,
    Encoding,
    Line,
    excerpt,
    file_encoding,
    iter_lines,
    load_json_document,
    parse_json_text,
    sniff_text,
)

NAME = "json"
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_TURN_ALIASES = {"speaker": "speaker_id", "name": "speaker_name"}
_LEG_HINTS = ("department", "queue")


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a canonical JSON / JSONL file."""
    text = head.lstrip()
    if not text or text[0] not in "[{":
        return 0.0
    if '"turns"' in text and '"channel"' in text:
        return 0.9
    if '"turns"' in text:
        return 0.7
    if '"channel"' in text and '"id"' in text:
        return 0.5
    return 0.1


def _locate_error(exc: ValidationError) -> tuple[ReasonCode, str]:
    """Reason code and a message naming the first offending field."""
    first = exc.errors()[0]
    loc = ""
    for part in first["loc"]:
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    reason = ReasonCode.MISSING_FIELD if first["type"] == "missing" else ReasonCode.INVALID_RECORD
    what = "is missing" if first["type"] == "missing" else first["msg"].lower()
    if first["type"] == "extra_forbidden":
        what = "is not a field of the canonical model (put vendor data under 'extra')"
    where = f"field '{loc}'" if loc else "record"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return reason, f"{where} {what}{more}"


def _quarantine(path: Path, record: str, reason: ReasonCode, message: str, data: Any = None) -> Quarantined:
    snippet = excerpt(json.dumps(data, default=str, ensure_ascii=False)) if data is not None else ""
    return Quarantined(str(path), record, reason, f"{path} {record}: {message}", snippet)


def _prepare_turns(turns: list[Any], path: Path, record: str, data: dict) -> list[dict] | Quarantined:
    """Validate roles and text of raw turns and resolve aliases (not yet ordered or indexed)."""
    prepared: list[dict] = []
    for number, raw in enumerate(turns, start=1):
        if not isinstance(raw, dict):
            return _quarantine(
                path, record, ReasonCode.INVALID_RECORD, f"turn {number} is not an object", data
            )
        turn = dict(raw)
        for alias, canonical in _TURN_ALIASES.items():
            if alias in turn:
                if canonical in turn and turn[canonical] != turn[alias]:
                    message = f"turn {number} gives both '{alias}' and '{canonical}' with different values"
                    return _quarantine(path, record, ReasonCode.INVALID_RECORD, message, data)
                turn[canonical] = turn.pop(alias)
        if "role" not in turn:
            return _quarantine(path, record, ReasonCode.MISSING_FIELD, f"turn {number} has no 'role'", data)
        role = parse_role(turn["role"]) if isinstance(turn["role"], str) else None
        if role is None:
            message = f"turn {number} has unknown role {turn['role']!r}"
            return _quarantine(path, record, ReasonCode.UNKNOWN_ROLE, message, data)
        turn["role"] = role
        if "text" not in turn:
            return _quarantine(path, record, ReasonCode.MISSING_FIELD, f"turn {number} has no 'text'", data)
        if not isinstance(turn["text"], str):
            message = f"turn {number} 'text' is {type(turn['text']).__name__}, not a string"
            return _quarantine(path, record, ReasonCode.INVALID_RECORD, message, data)
        if not turn["text"].strip():
            return _quarantine(path, record, ReasonCode.EMPTY_TURN, f"turn {number} has empty text", data)
        for key in ("speaker_id", "speaker_name"):
            if isinstance(turn.get(key), int | float) and not isinstance(turn.get(key), bool):
                turn[key] = str(turn[key])
        prepared.append(turn)
    return prepared


def _offset(turn: dict) -> int | None:
    value = turn.get("start_ms")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _kind(data: dict) -> ChannelKind:
    """The record's channel kind: ``channel_kind``, a kind named as ``channel``, else the default."""
    for value in (data.get("channel_kind"), data.get("channel")):
        if isinstance(value, str) and value.strip().lower() in ChannelKind.__members__.values():
            return ChannelKind(value.strip().lower())
    channel = str(data.get("channel") or "").strip().lower()
    return ChannelKind.VOICE if channel == Channel.CALL.value else ChannelKind.LIVE_CHAT


def _infer_legs(turns: list[dict], data: dict) -> None:
    """Fill ``data['legs']`` and each turn's ``leg`` from who speaks, when the record has no legs."""
    explicit = {t["leg"] for t in turns if isinstance(t.get("leg"), int)}
    if explicit:
        for turn in turns:
            for hint in _LEG_HINTS:
                turn.pop(hint, None)
        legs: dict[int, dict] = {}
        for turn in turns:
            leg = legs.setdefault(turn.get("leg", 0), {"index": turn.get("leg", 0)})
            if turn["role"] in (Role.AGENT, Role.BOT, Role.IVR) and "agent_id" not in leg:
                leg.update(participant_role=turn["role"], agent_id=turn.get("speaker_id"))
                leg["agent_name"] = turn.get("speaker_name")
        for index, leg in legs.items():
            if index > 0:
                leg["started_via"] = "transfer"
        data["legs"] = [legs[i] for i in sorted(legs)]
        return
    asynchronous = _kind(data).asynchronous
    tracker = LegTracker(asynchronous=asynchronous)
    for turn in turns:
        if asynchronous and turn["role"] is Role.AGENT and not turn.get("representative"):
            turn["representative"] = agent_signature(turn["text"])
        turn["leg"] = tracker.assign(
            turn["role"],
            turn.get("speaker_id"),
            turn.get("speaker_name"),
            department=turn.pop("department", None),
            queue=turn.pop("queue", None),
            at_ms=_offset(turn),
            representative=turn.get("representative"),
        )
    legs_built, _ = tracker.finish()
    data["legs"] = [leg.model_dump() for leg in legs_built]


def conversation_from_record(data: Any, path: Path, record: str) -> Conversation | Quarantined:
    """Turn one decoded JSON record into a ``Conversation`` or a quarantine entry naming the problem."""
    if not isinstance(data, dict):
        message = f"expected a JSON object, got {type(data).__name__}"
        return _quarantine(path, record, ReasonCode.INVALID_RECORD, message, data)
    for required in ("id", "channel", "turns"):
        if required not in data:
            return _quarantine(path, record, ReasonCode.MISSING_FIELD, f"field '{required}' is missing", data)
    turns = data["turns"]
    if not isinstance(turns, list):
        message = f"field 'turns' is {type(turns).__name__}, not a list"
        return _quarantine(path, record, ReasonCode.INVALID_RECORD, message, data)
    if not turns and not data.get("legs") and not data.get("events"):
        return _quarantine(path, record, ReasonCode.NO_TURNS, "conversation has no turns", data)
    prepared = _prepare_turns(turns, path, record, data)
    if isinstance(prepared, Quarantined):
        return prepared
    try:
        order = order_turns(prepared, sequence=lambda t: t.get("index"), offset=_offset)
    except TurnOrderError as exc:
        return _quarantine(path, record, ReasonCode.TURNS_OUT_OF_ORDER, str(exc), data)
    ordered = order.items
    for index, turn in enumerate(ordered):
        turn["index"] = index
    fields = dict(data)
    if isinstance(fields["id"], int) and not isinstance(fields["id"], bool):
        fields["id"] = str(fields["id"])
    if isinstance(fields["channel"], str):
        fields["channel"] = fields["channel"].strip().lower()
    if order.reordered:
        fields["extra"] = {**(fields.get("extra") or {}), "reordered": True}
    fields.update(source_file=str(path), source_format=NAME, source_record=record)
    try:
        if fields.get("legs"):
            for turn in ordered:
                for hint in _LEG_HINTS:
                    turn.pop(hint, None)
        else:
            _infer_legs(ordered, fields)
        fields["turns"] = ordered
        return Conversation.model_validate(fields)
    except ValidationError as exc:
        reason, message = _locate_error(exc)
        return _quarantine(path, record, reason, message, data)
    except (TypeError, ValueError) as exc:
        return _quarantine(path, record, ReasonCode.INVALID_RECORD, str(exc), data)


def _first_line_edges(path: Path, encoding: Encoding) -> tuple[str, str]:
    """First and last non-blank characters of the first non-blank line, read in chunks (any length)."""
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors="replace")
    first = last = ""
    with path.open("rb") as handle:
        handle.seek(encoding.bom)
        while chunk := handle.read(CHUNK_BYTES):
            for position, part in enumerate(decoder.decode(chunk).split("\n")):
                if position and first:
                    return first, last
                content = part.strip()
                if content:
                    first, last = first or content[0], content[-1]
    return first, last


def _is_jsonl(path: Path, encoding: Encoding) -> bool:
    """JSON Lines if the suffix says so or the first non-blank line is one ``{...}`` object.

    A pretty-printed document starts with a line holding just ``{`` or ``[``; one object
    on one line reads the same either way (as JSON Lines, record ``line 1``).
    """
    if path.suffix.lower() in JSONL_SUFFIXES:
        return True
    try:
        first, last = _first_line_edges(path, encoding)
    except OSError:
        return False
    return first == "{" and last == "}"


def _read_jsonl(path: Path) -> Iterator[ReadResult]:
    seen_any = False
    for item in iter_lines(path):
        if isinstance(item, Quarantined):
            seen_any = True
            yield item
            continue
        assert isinstance(item, Line)
        if not item.text.strip():
            continue
        seen_any = True
        record = f"line {item.number}"
        data = parse_json_text(item.text, path, record)
        if isinstance(data, Quarantined):
            yield data
        else:
            yield from _from_value(data, path, record)
    if not seen_any:
        yield Quarantined(str(path), "file", ReasonCode.NO_TURNS, f"{path} has no records")


def _read_array(path: Path, encoding: Encoding) -> Iterator[ReadResult]:
    """Each element of the top-level array(s) of ``path``; a broken element costs only itself.

    ``scan_values`` resumes after an element that does not parse (at the next element of a
    pretty-printed array, the next line of a one-line-per-element one); an element holding
    bytes that do not decode is one ``BAD_ENCODING`` entry.
    """
    count = 0
    try:
        for item in scan_values(text_chunks(path, encoding, mark_bad_bytes=True), path):
            count += 1
            if isinstance(item, Quarantined):
                yield item
            else:
                yield conversation_from_record(item.value, path, item.locator)
    except UnreadableError as problem:
        yield problem.quarantined
        return
    if count == 0:
        yield Quarantined(str(path), "file", ReasonCode.NO_TURNS, f"{path} is an empty JSON array")


def _read_document(path: Path) -> Iterator[ReadResult]:
    data = load_json_document(path)
    if isinstance(data, Quarantined):
        yield data
        return
    yield from _from_value(data, path, "record 1")


def _from_value(data: Any, path: Path, record: str) -> Iterator[ReadResult]:
    """One record, or each conversation of a ``{"conversations": [...]}`` wrapper."""
    if isinstance(data, dict) and isinstance(data.get("conversations"), list) and "turns" not in data:
        prefix = "" if record == "record 1" else f"{record} "
        for number, item in enumerate(data["conversations"]):
            yield conversation_from_record(item, path, f"{prefix}conversations[{number}]")
        return
    yield conversation_from_record(data, path, record)


def read(path: Path) -> Iterator[ReadResult]:
    """Yield one conversation or quarantine entry per record of ``path``."""
    encoding = file_encoding(path)
    if isinstance(encoding, Quarantined):
        yield encoding
        return
    if _is_jsonl(path, encoding):
        yield from _read_jsonl(path)
    elif sniff_text(path).lstrip().startswith("["):
        yield from _read_array(path, encoding)
    else:
        yield from _read_document(path)


READER = register(
    Reader(
        name=NAME,
        description="Canonical JSON: one conversation object, an array of them, or JSON Lines.",
        sniff=sniff,
        read=read,
        extensions=(".json", ".jsonl", ".ndjson"),
        tie_rank=10,
    )
)
