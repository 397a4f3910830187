"""Social customer-care threads (Twitter/X and the like), one post per JSON line.

The shape of public customer-care thread exports (e.g. the IBM customer-care set built from
Twitter threads)::

    {"thread": "LgwAXtbb", "turn": 0, "company": "TeamYouTube", "speaker": "CinVakas",
     "role": "customer", "at": "2020-04-01T17:31:32.000Z", "tweet_id": "1245...",
     "text": "@TeamYouTube Hello, my channel has been suspended..."}
    {"thread": "LgwAXtbb", "turn": 1, "company": "TeamYouTube", "speaker": "TeamYouTube",
     "role": "agent", "at": null, "text": "@CinVakas Thanks for the tag... ^JK"}

Each thread is one conversation of kind ``social``. ``role`` is optional: a post by the
``company`` account is the agent's, the rest the customer's. Agents' posts come from the
company account under their signatures ("^JK", "*SR", "-Maria"): the whole company side is
one team leg (``transcripts.legs.LegTracker``), each post keeping its signature as
``Turn.representative``. ``turn`` decides the order (else file order); ``at`` gives times.
Rows of a thread may be spread over the file: a first pass notes each thread's last line,
the second emits a thread once its last row is read. A bad row quarantines its thread with
the line number; a line that is not JSON, or names no thread, quarantines only that line.
Post text comes as the platforms serve it, with ``&``, ``<`` and ``>`` escaped ("AT&amp;T");
only those three are undone, since links in the same text keep raw ``&`` ("?a=1&copy=2"),
which a full HTML unescape would change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transcripts.legs import TurnOrderError, order_turns
from transcripts.model import Channel, ChannelKind, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import Segment, build_conversation, offsets_from, parse_time
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.roles import parse_role
from transcripts.textio import Line, excerpt, iter_lines, parse_json_text

NAME = "social_threads"
REQUIRED = ("thread", "speaker", "text")
_ESCAPED = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


def post_text(text: str) -> str:
    """A post's text with the platform's escapes of ``&``, ``<`` and ``>`` undone, once.

    >>> post_text("AT&amp;T &gt; Settings, see x.co/?a=1&copy=2 &amp;lt;3")
    'AT&T > Settings, see x.co/?a=1&copy=2 &lt;3'
    """
    return _ESCAPED.sub(lambda m: _UNESCAPED[m.group(1)], text)


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a social-thread JSONL file."""
    first = next((line for line in head.splitlines() if line.strip()), "").strip()
    if not first.startswith("{"):
        return 0.0
    try:
        row = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return 0.0
    if isinstance(row, dict) and all(k in row for k in REQUIRED) and "company" in row:
        return 0.95
    return 0.0


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]] | Quarantined]:
    for item in iter_lines(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        assert isinstance(item, Line)
        if not item.text.strip():
            continue
        record = f"line {item.number}"
        data = parse_json_text(item.text, path, record)
        if isinstance(data, Quarantined):
            yield data
        elif not isinstance(data, dict) or not isinstance(data.get("thread"), str | int):
            message = f"{path} {record}: a post needs a 'thread' id"
            yield Quarantined(str(path), record, ReasonCode.MISSING_FIELD, message, excerpt(item.text))
        else:
            yield item.number, data


def read(path: Path) -> Iterator[ReadResult]:
    """Yield one conversation per thread, or why a thread or line was quarantined."""
    last_line: dict[str, int] = {}
    for item in _rows(path):
        if not isinstance(item, Quarantined):
            last_line[str(item[1]["thread"])] = item[0]
    pending: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for item in _rows(path):
        if isinstance(item, Quarantined):
            yield item
            continue
        number, row = item
        thread = str(row["thread"])
        pending.setdefault(thread, []).append((number, row))
        if last_line.get(thread) == number:
            yield _thread(path, thread, pending.pop(thread))


def _role(row: dict[str, Any]) -> Role | None:
    if isinstance(row.get("role"), str):
        return parse_role(row["role"])
    company = row.get("company")
    return Role.AGENT if company is not None and row.get("speaker") == company else Role.CUSTOMER


def _thread(path: Path, thread: str, rows: list[tuple[int, dict[str, Any]]]) -> ReadResult:
    record = f"thread {thread}"

    def fail(line: int, reason: ReasonCode, what: str) -> Quarantined:
        return Quarantined(str(path), record, reason, f"{path} line {line} ({record}): {what}")

    for number, row in rows:
        missing = [key for key in REQUIRED if key not in row]
        if missing:
            return fail(number, ReasonCode.MISSING_FIELD, f"no {', '.join(repr(k) for k in missing)}")
        if not isinstance(row["text"], str) or not row["text"].strip():
            return fail(number, ReasonCode.EMPTY_TURN, "empty text")
        if _role(row) is None:
            return fail(number, ReasonCode.UNKNOWN_ROLE, f"unknown role {row.get('role')!r}")
    try:
        ordered = order_turns(rows, sequence=lambda item: item[1].get("turn")).items
    except TurnOrderError as exc:
        return fail(rows[0][0], ReasonCode.TURNS_OUT_OF_ORDER, str(exc))
    origin, starts = offsets_from([parse_time(row.get("at")) for _, row in ordered])
    segments = []
    for (number, row), start in zip(ordered, starts, strict=True):
        role = _role(row)
        assert role is not None
        speaker = str(row["speaker"])
        segments.append(
            Segment(
                label=speaker,
                text=post_text(row["text"]),
                start_ms=start,
                role=role,
                agent_id=speaker if role is Role.AGENT else None,
                extra={NAME: {k: row[k] for k in ("tweet_id",) if row.get(k) is not None} | {"line": number}},
            )
        )
    customer = next((s.label for s in segments if s.role is Role.CUSTOMER), None)
    company = next((str(row["company"]) for _, row in ordered if row.get("company")), None)
    return build_conversation(
        path,
        segments,
        source_format=NAME,
        conversation_id=thread,
        channel=Channel.CHAT,
        channel_kind=ChannelKind.SOCIAL,
        started_at=origin,
        customer_id=customer,
        team=company,
        record=record,
    )


READER = register(
    Reader(
        name=NAME,
        description="Social customer-care threads JSONL (thread, company, speaker, role, text; signatures)",
        sniff=sniff,
        read=read,
        extensions=(".jsonl",),
        tie_rank=1,
    )
)
