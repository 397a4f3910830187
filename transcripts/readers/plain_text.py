"""Reader for plain-text transcripts as agents and QA teams paste them.

::

    Conversation: C-1042
    Customer-ID: cust-88
    Channel: call
    Date: 2026-11-17 09:14
    Department: Billing
    Agents: Maria (a-maria)=Billing, Lee (a-lee)=Tech Support

    [00:00:03] Agent (Maria): Thanks for calling, this is Maria.
    [00:00:09] Customer: Hi, I was charged twice.
    [00:04:10] --- Transferred to Technical Support (warm) ---
    [00:04:30] Lee: Hi, Lee from tech support.

Header lines (``Key: value`` before the first turn) are optional. Speaker labels are a role
word (``Agent``, ``Rep``, ``Customer``, ``Bot``, ``IVR``, ``System``... see ``roles.yaml``)
with an optional ``(Name)``, or a bare name declared in the ``Agents`` header. A
``[hh:mm:ss]`` / ``[mm:ss]`` prefix gives the offset. Lines framed by ``---``/``***``/``===``
are system lines: transfers, holds, queue waits and disconnects become events (a transfer
starts a new leg at the next agent turn); other system lines become system turns. Lines
without a speaker continue the previous turn. Conversations are separated by a ``---`` or
``===`` line, by a new ``Conversation:`` header (or any header after a blank line), and,
between conversations without headers, by a blank line before the next speaker's turn (a
conversation with headers may have blank lines between its turns).

A customer header must look like an id (``Customer-ID: cust-88`` is always a header;
``Customer: cust-88`` is one only when the value is a single token with a digit), so
``Customer: Hi`` stays a turn. An agent declared with an id in the ``Agents`` header
(``Maria (a-maria)=Billing``; the id and the department are optional) gets that id as
``speaker_id`` and leg ``agent_id``, so the same rep matches across formats; an agent
without a declared id gets its name, the only identity the transcript then carries.
Channel defaults to ``call``; a channel kind (``email``, ``social``, ``messaging``...) is accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from transcripts.legs import LegTracker
from transcripts.model import Channel, Conversation, EventType, Role, Turn, parse_channel
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import Reader, ReadResult, register
from transcripts.roles import normalise_label, parse_role
from transcripts.signatures import agent_signature
from transcripts.textio import Line, excerpt, iter_lines

NAME = "text"
DEFAULT_CHANNEL = Channel.CALL
HEADER_FIELDS = {
    "conversation": "id",
    "conversationid": "id",
    "id": "id",
    "contactid": "id",
    "callid": "id",
    "chatid": "id",
    "customer": "customer_id",
    "customerid": "customer_id",
    "channel": "channel",
    "date": "started_at",
    "started": "started_at",
    "startedat": "started_at",
    "department": "department",
    "queue": "queue",
    "language": "language",
    "agents": "agents",
}
"""Normalised header key -> field it sets."""

_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(?P<value>.*?)\s*$")
_TIMESTAMP = re.compile(r"^\[(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d{1,3})?)\]\s*(?P<rest>.*)$")
_SPEAKER = re.compile(
    r"^(?P<label>[A-Za-z][\w.'\- ]{0,40}?)\s*(?:\((?P<name>[^()]{1,60})\))?\s*:(?:\s+(?P<text>.*)|$)"
)
_NAME_LIKE = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}$")
_ID_LIKE = re.compile(r"^(?=.*\d)[\w.@+#:/-]+$")
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|={3,})\s*$")
_FRAMED = re.compile(r"^(?:-{2,}|\*{2,}|={2,}|#{2,})\s*(?P<body>.*?\S)\s*(?:-{2,}|\*{2,}|={2,}|#{2,})$")
_WARMTH = re.compile(r"\b(?P<kind>warm|cold|blind)\b", re.IGNORECASE)
_TRANSFER = re.compile(r"\btransfer", re.IGNORECASE)
_TRANSFER_TARGET = re.compile(
    r"\bto\s+(?P<target>.+?)\s*(?:\((?:warm|cold|blind)[^)]*\))?\s*$", re.IGNORECASE
)
_HOLD_END = re.compile(
    r"\b(?:off hold|hold end(?:ed|s)?|resumed|back from hold|hold released)\b", re.IGNORECASE
)
_HOLD_START = re.compile(r"\b(?:on hold|hold start(?:ed|s)?|placed .*hold|holding)\b", re.IGNORECASE)
_DISCONNECT = re.compile(
    r"\b(?:disconnect(?:ed|s)?|hung up|hangs up|hang up|call ended|chat ended|dropped"
    r"|left the (?:chat|call))\b",
    re.IGNORECASE,
)
_QUEUE = re.compile(r"\b(?:queue|queued|waiting for an? (?:agent|representative))\b", re.IGNORECASE)
_BY = re.compile(r"\bby (?:the )?(?P<who>\w+)", re.IGNORECASE)
_DURATION_CLOCK = re.compile(r"\((?:(\d+):)?(\d{1,2}):(\d{2})\)")
_DURATION_UNITS = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds|m|min|mins|minutes)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SystemEvent:
    """What a system line such as ``--- Transferred to Billing (warm) ---`` says happened."""

    type: EventType
    to_department: str | None = None
    warm: bool | None = None
    by: Role | None = None
    duration_ms: int | None = None
    reason: str | None = None


def parse_offset(value: str) -> int:
    """``hh:mm:ss[.fff]`` or ``mm:ss`` to milliseconds."""
    parts = value.split(":")
    seconds = float(parts[-1]) + int(parts[-2]) * 60 + (int(parts[-3]) * 3600 if len(parts) == 3 else 0)
    return int(round(seconds * 1000))


def _duration(body: str) -> int | None:
    clock = _DURATION_CLOCK.search(body)
    if clock:
        hours, minutes, seconds = clock.groups()
        return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
    units = _DURATION_UNITS.search(body)
    if units:
        amount, unit = float(units.group(1)), units.group(2).lower()
        return int(amount * (60_000 if unit.startswith("m") else 1000))
    return None


def _who(body: str) -> Role | None:
    by = _BY.search(body)
    if by:
        return parse_role(by.group("who"))
    first = body.split()[0] if body.split() else ""
    return parse_role(first)


def parse_system_event(body: str) -> SystemEvent | None:
    """The event a system line describes, or None when it is just a note (kept as a system turn).

    >>> parse_system_event("Transferred to Technical Support (warm)").to_department
    'Technical Support'
    """
    if _TRANSFER.search(body):
        target = _TRANSFER_TARGET.search(body)
        warmth = _WARMTH.search(body)
        warm = None if warmth is None else warmth.group("kind").lower() == "warm"
        return SystemEvent(
            EventType.TRANSFER,
            to_department=target.group("target") if target else None,
            warm=warm,
            reason=body,
        )
    if _HOLD_END.search(body):
        return SystemEvent(EventType.HOLD_END, duration_ms=_duration(body), reason=body)
    if _HOLD_START.search(body):
        return SystemEvent(EventType.HOLD_START, duration_ms=_duration(body), reason=body)
    if _DISCONNECT.search(body):
        by = _who(body)
        if by is None and re.search(r"\bdropped\b", body, re.IGNORECASE):
            by = Role.SYSTEM
        return SystemEvent(EventType.DISCONNECT, by=by, reason=body)
    if _QUEUE.search(body):
        return SystemEvent(EventType.QUEUE_WAIT, duration_ms=_duration(body), reason=body)
    return None


class DeclaredAgent(NamedTuple):
    """An agent named in the ``Agents`` header."""

    name: str
    department: str | None = None
    agent_id: str | None = None


_AGENT_ENTRY = re.compile(r"^(?P<name>[^()]*?)\s*(?:\((?P<id>[^()]*)\))?\s*$")


def parse_agents(value: str) -> dict[str, DeclaredAgent]:
    """Normalised name -> declared agent, from the ``Agents`` header value.

    >>> parse_agents("Maria (a-maria)=Billing, Lee=Tech Support")["maria"]
    DeclaredAgent(name='Maria', department='Billing', agent_id='a-maria')
    """
    agents: dict[str, DeclaredAgent] = {}
    for entry in value.split(","):
        label, _, department = entry.partition("=")
        name, agent_id = label.strip(), None
        match = _AGENT_ENTRY.match(name)
        if match:
            name, agent_id = match.group("name"), (match.group("id") or "").strip() or None
        if name.strip():
            agents[normalise_label(name)] = DeclaredAgent(name.strip(), department.strip() or None, agent_id)
    return agents


@dataclass
class _Draft:
    """A conversation being read."""

    number: int
    first_line: int
    headers: dict[str, tuple[str, int]] = field(default_factory=dict)
    agents: dict[str, DeclaredAgent] = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)  # turns and events, in file order
    problem: Quarantined | None = None
    after_blank: bool = False

    @property
    def has_turns(self) -> bool:
        return any(item["kind"] == "turn" for item in self.items)

    @property
    def last_turn(self) -> dict | None:
        return next((item for item in reversed(self.items) if item["kind"] == "turn"), None)

    @property
    def empty(self) -> bool:
        return not self.headers and not self.items and self.problem is None


def _header(text: str) -> tuple[str, str] | None:
    """(field, value) if ``text`` is a known ``Key: value`` header line."""
    match = _HEADER.match(text)
    if not match:
        return None
    key = normalise_label(match.group("key"))
    target = HEADER_FIELDS.get(key)
    if target is None:
        return None
    value = match.group("value")
    if key == "customer" and not _ID_LIKE.match(value):
        return None  # "Customer: Hi there" is a turn
    return target, value


def _resolve(label: str, name: str | None, agents: dict[str, DeclaredAgent]) -> dict | None:
    """Role, speaker and department for a speaker label, or None when it is not a known speaker."""
    role = parse_role(label)
    if role is not None:
        name = name.strip() if name else None
        declared = agents.get(normalise_label(name)) if name else None
        speaker_id = None
        if role in (Role.AGENT, Role.BOT, Role.IVR):
            speaker_id = (declared.agent_id if declared else None) or name
        department = declared.department if declared else None
        return {"role": role, "speaker_id": speaker_id, "speaker_name": name, "department": department}
    first, _, rest = label.partition(" ")
    role = parse_role(first) if rest.strip() and not name else None
    if role is not None and _NAME_LIKE.match(rest.strip()):
        return _resolve(first, rest, agents)  # "Agent Maria"
    declared = agents.get(normalise_label(label))
    if declared is not None and not name:
        return {
            "role": Role.AGENT,
            "speaker_id": declared.agent_id or declared.name,
            "speaker_name": declared.name,
            "department": declared.department,
        }
    return None


def _headerless_break(draft: _Draft, text: str) -> bool:
    """True when ``text``, after a blank line, opens the next of several headerless conversations.

    Pasted transcripts without headers are separated by blank lines; a conversation that has
    headers keeps blank lines between its turns (the next one needs a header or a separator).
    """
    if draft.headers or draft.agents or not draft.has_turns:
        return False
    stamped = _TIMESTAMP.match(text)
    speaker = _SPEAKER.match(stamped.group("rest") if stamped else text)
    if speaker is None:
        return False
    return _resolve(speaker.group("label").strip(), speaker.group("name"), {}) is not None


def _problem(
    path: Path, draft: _Draft, line: int, reason: ReasonCode, message: str, text: str = ""
) -> Quarantined:
    return Quarantined(
        str(path),
        f"line {line}",
        reason,
        f"{path} line {line} (conversation {draft.number}): {message}",
        excerpt(text),
    )


class _Parser:
    """Line-by-line state machine producing conversations."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.draft: _Draft | None = None
        self.count = 0
        self.emitted = 0  # conversations and entries yielded (a draft with only empty headers yields none)

    def _new(self, line: int) -> _Draft:
        self.count += 1
        self.draft = _Draft(self.count, line)
        return self.draft

    def _close(self) -> Iterator[ReadResult]:
        draft, self.draft = self.draft, None
        if draft is not None and not draft.empty:
            self.emitted += 1
            yield self._build(draft)

    def _fail(self, draft: _Draft, line: int, reason: ReasonCode, message: str, text: str = "") -> None:
        if draft.problem is None:
            draft.problem = _problem(self.path, draft, line, reason, message, text)

    def feed(self, item: Line | Quarantined) -> Iterator[ReadResult]:
        """Consume one line; yields finished conversations."""
        if isinstance(item, Quarantined):
            draft = self.draft or self._new(0)
            if draft.problem is None:
                draft.problem = replace(
                    item, message=f"{item.message} (conversation {draft.number} quarantined)"
                )
            return
        text = item.text.strip().lstrip("\ufeff")
        if _SEPARATOR.match(text):
            yield from self._close()
            return
        if not text:
            if self.draft is not None:
                self.draft.after_blank = True
            return
        header = _header(text)
        draft = self.draft
        if header is not None and draft is not None and draft.has_turns:
            if header[0] == "id" or (draft.after_blank and header[0] != "customer_id"):
                yield from self._close()
                draft = None
            else:
                header = None  # e.g. "Queue: ..." inside a conversation: ordinary text
        elif header is None and draft is not None and draft.after_blank and _headerless_break(draft, text):
            yield from self._close()
            draft = None
        if draft is None:
            draft = self._new(item.number)
        after_blank, draft.after_blank = draft.after_blank, False
        if header is not None:
            self._set_header(draft, header, item.number)
            return
        self._line(draft, item.number, text, after_blank)

    def _set_header(self, draft: _Draft, header: tuple[str, str], number: int) -> None:
        key, value = header
        if key == "agents":
            draft.agents.update(parse_agents(value))
        elif value:
            draft.headers[key] = (value, number)

    def _line(self, draft: _Draft, number: int, text: str, after_blank: bool) -> None:
        at_ms = None
        stamped = _TIMESTAMP.match(text)
        if stamped:
            at_ms = parse_offset(stamped.group("ts"))
            text = stamped.group("rest")
        framed = _FRAMED.match(text)
        if framed:
            body = framed.group("body")
            event = parse_system_event(body)
            if event is not None:
                draft.items.append({"kind": "event", "event": event, "at_ms": at_ms, "line": number})
            else:
                draft.items.append(
                    {"kind": "turn", "role": Role.SYSTEM, "text": body, "start_ms": at_ms, "line": number}
                )
            return
        speaker = _SPEAKER.match(text)
        if speaker:
            label, name = speaker.group("label").strip(), speaker.group("name")
            resolved = _resolve(label, name, draft.agents)
            if resolved is not None:
                turn = {
                    "kind": "turn",
                    "text": speaker.group("text") or "",
                    "start_ms": at_ms,
                    "line": number,
                }
                draft.items.append({**turn, **resolved})
                return
            looks_like_speaker = (
                stamped is not None or name is not None or _NAME_LIKE.match(label) is not None
            )
            if looks_like_speaker and normalise_label(label) not in HEADER_FIELDS:
                self._fail(draft, number, ReasonCode.UNKNOWN_SPEAKER, f"unknown speaker {label!r}", text)
                return
        previous = draft.last_turn
        if previous is None or stamped is not None:
            self._fail(draft, number, ReasonCode.UNKNOWN_SPEAKER, "text without a speaker label", text)
            return
        previous["text"] = f"{previous['text']}\n{text}" if previous["text"] else text

    def _build(self, draft: _Draft) -> ReadResult:
        path = self.path
        if draft.problem is not None:
            return draft.problem
        if not draft.has_turns:
            line = draft.first_line
            return _problem(path, draft, line, ReasonCode.NO_TURNS, "conversation has headers but no turns")
        headers = {key: value for key, (value, _) in draft.headers.items()}
        channel_text = headers.get("channel", DEFAULT_CHANNEL.value).strip().lower()
        try:
            channel, kind = parse_channel(channel_text)
        except ValueError as exc:
            line = draft.headers["channel"][1]
            return _problem(path, draft, line, ReasonCode.INVALID_RECORD, str(exc))
        asynchronous = kind is not None and kind.asynchronous
        started_at = None
        if "started_at" in headers:
            try:
                started_at = datetime.fromisoformat(headers["started_at"].replace("Z", "+00:00"))
            except ValueError:
                line = draft.headers["started_at"][1]
                message = f"date {headers['started_at']!r} is not YYYY-MM-DD[ HH:MM[:SS]]"
                return _problem(path, draft, line, ReasonCode.INVALID_RECORD, message)
        tracker = LegTracker(
            default_department=headers.get("department"),
            default_queue=headers.get("queue"),
            asynchronous=asynchronous,
        )
        turns: list[Turn] = []
        try:
            for item in draft.items:
                if item["kind"] == "event":
                    self._apply_event(tracker, item)
                    continue
                if not item["text"].strip():
                    return _problem(path, draft, item["line"], ReasonCode.EMPTY_TURN, "turn has no text")
                signed = asynchronous and item["role"] is Role.AGENT
                signature = agent_signature(item["text"]) if signed else None
                leg = tracker.assign(
                    item["role"],
                    item.get("speaker_id"),
                    item.get("speaker_name"),
                    department=item.get("department"),
                    at_ms=item["start_ms"],
                    representative=signature,
                )
                turns.append(
                    Turn(
                        index=len(turns),
                        role=item["role"],
                        speaker_id=item.get("speaker_id"),
                        speaker_name=item.get("speaker_name"),
                        text=item["text"].strip(),
                        start_ms=item["start_ms"],
                        leg=leg,
                        representative=signature,
                    )
                )
            legs, events = tracker.finish()
            return Conversation(
                id=headers.get("id") or f"{path.stem}#{draft.number}",
                channel=channel,
                channel_kind=kind,
                customer_id=headers.get("customer_id"),
                started_at=started_at,
                language=headers.get("language") or None,
                source_file=str(path),
                source_format=NAME,
                source_record=f"conversation {draft.number} (line {draft.first_line})",
                legs=legs,
                turns=turns,
                events=events,
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "conversation"
            line = draft.first_line
            return _problem(path, draft, line, ReasonCode.INVALID_RECORD, f"{where}: {error['msg']}")

    @staticmethod
    def _apply_event(tracker: LegTracker, item: dict) -> None:
        event: SystemEvent = item["event"]
        if event.type is EventType.TRANSFER:
            tracker.transfer(
                at_ms=item["at_ms"], to_department=event.to_department, warm=event.warm, reason=event.reason
            )
        else:
            tracker.event(
                event.type,
                at_ms=item["at_ms"],
                duration_ms=event.duration_ms,
                by=event.by,
                reason=event.reason,
            )

    def finish(self) -> Iterator[ReadResult]:
        """Flush the last conversation; a file with none gives one ``NO_TURNS`` entry."""
        yield from self._close()
        if self.emitted == 0:
            yield Quarantined(
                str(self.path), "file", ReasonCode.NO_TURNS, f"{self.path} has no conversations"
            )


def read(path: Path) -> Iterator[ReadResult]:
    """Yield one conversation or quarantine entry per conversation in the text file ``path``."""
    parser = _Parser(path)
    for item in iter_lines(path):
        if isinstance(item, Quarantined) and item.reason in (ReasonCode.BINARY, ReasonCode.IO_ERROR):
            yield item
            return
        yield from parser.feed(item)
    yield from parser.finish()


_ID_HEADERS = frozenset(field for field, target in HEADER_FIELDS.items() if target == "id")
HEADERS_ONLY_SCORE = 0.4
"""Confidence for a head of only known headers with a conversation id (a file cut before its turns)."""


def _line_kind(line: str) -> str:
    """``speaker``, ``id`` (conversation id header), ``structured`` (header, separator) or ``other``."""
    text = _TIMESTAMP.match(line).group("rest") if _TIMESTAMP.match(line) else line
    header = _header(text)
    if header is not None:
        return "id" if header[0] == "id" else "structured"
    if _SEPARATOR.match(text) or _FRAMED.match(text):
        return "structured"
    match = _SPEAKER.match(text)
    return "speaker" if match and parse_role(match.group("label")) is not None else "other"


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` is a plain-text transcript: share of lines that are speakers/headers.

    The head may end inside a line (a file cut short, or the sniff limit): that line counts
    only when what is left of it is still a speaker or a header. A head of nothing but known
    headers naming a conversation (a file cut before its first turn) is plain text too, with
    ``HEADERS_ONLY_SCORE``.
    """
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped or stripped[0] in "{[" or stripped.startswith("WEBVTT"):
        return 0.0
    lines = [line.strip() for line in stripped.splitlines() if line.strip()][:61]
    kinds = [_line_kind(line) for line in lines]
    if len(kinds) > 1 and not head.endswith(("\n", "\r")) and kinds[-1] == "other":
        kinds.pop()  # the head ends in the middle of a line that no longer says what it is
    kinds = kinds[:60]
    speakers = kinds.count("speaker")
    if speakers == 0:
        only_headers = bool(kinds) and "id" in kinds and set(kinds) <= {"id", "structured"}
        return HEADERS_ONLY_SCORE if only_headers else 0.0
    share = (len(kinds) - kinds.count("other")) / len(kinds)
    return round(min(0.85, 0.3 + 0.6 * share), 3) if share >= 0.3 else 0.1


READER = register(
    Reader(
        name=NAME,
        description="Plain-text transcripts: 'Key: value' headers, '[hh:mm:ss] Speaker (Name): text' lines.",
        sniff=sniff,
        read=read,
        extensions=(".txt", ".log"),
    )
)
