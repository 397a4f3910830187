"""Reader for CSV exports with one turn per row, grouped into conversations by an id column.

Header names are matched through ``csv_columns.yaml`` (canonical field -> accepted aliases,
case/space/underscore-insensitive); a different mapping file can be passed with
``read_path(..., csv_columns=PATH)``. The delimiter (comma, tab, semicolon, pipe) is chosen
from the header. Required columns: conversation id, role, text.

Files are expected grouped (all rows of a conversation together), but rows of one
conversation may also be spread over the file: a first pass notes the last line of each
conversation id (ids only), the second emits each conversation as soon as its last row is
read. Memory is bounded by the conversations in flight, not the file.

A bad row (unknown role, empty text, bad timestamp, undecodable bytes) quarantines its
whole conversation with the line number, so no conversation is stored half-read.

Example::

    conversation_id,role,speaker_id,text
    C-1,customer,,My card was declined
    C-1,agent,a17,I'm sorry to hear that - let me check.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from configfile import ConfigValueError, load_yaml_config
from transcripts.legs import LegTracker, TurnOrderError, order_turns
from transcripts.model import Conversation, Role, Turn, parse_channel
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import Reader, ReaderOption, ReadResult, register
from transcripts.roles import normalise_label, parse_role
from transcripts.signatures import agent_signature
from transcripts.textio import MAX_RECORD_BYTES, Line, excerpt, file_encoding, iter_lines

NAME = "csv"
COLUMNS_FILE = Path(__file__).with_name("csv_columns.yaml")
FIELDS = (
    "conversation_id",
    "role",
    "text",
    "sequence",
    "timestamp",
    "end_timestamp",
    "speaker_id",
    "speaker_name",
    "department",
    "queue",
    "channel",
    "customer_id",
    "started_at",
    "language",
)
DELIMITERS = (",", "\t", ";", "|")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")

csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


@dataclass(frozen=True)
class ColumnMap:
    """Canonical field -> accepted normalised header names, required fields and defaults."""

    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    defaults: dict[str, str]
    source: str = str(COLUMNS_FILE)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # as written, for messages

    def resolve(self, header: list[str]) -> dict[str, int]:
        """Column index of each canonical field found in ``header`` (first matching column wins)."""
        found: dict[str, int] = {}
        normalised = [normalise_label(cell) for cell in header]
        for canonical, names in self.aliases.items():
            for index, cell in enumerate(normalised):
                if cell in names and index not in found.values():
                    found[canonical] = index
                    break
        return found


def _known_field(name: str) -> str:
    if name not in FIELDS:
        raise ValueError(f"unknown field {name!r}; valid fields: {', '.join(FIELDS)}")
    return name


FieldName = Annotated[str, AfterValidator(_known_field)]


class ColumnsFile(BaseModel):
    """A column mapping file (``csv_columns.yaml``): canonical field -> header aliases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    columns: dict[FieldName, list[str] | None] = Field(default_factory=dict)
    required: tuple[str, ...] = Field(("conversation_id", "role", "text"), validate_default=True)
    defaults: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _one_field_per_alias(cls, columns: dict[str, list[str] | None]) -> dict[str, list[str] | None]:
        owner: dict[str, str] = {}
        for canonical, names in columns.items():
            for name in (normalise_label(n) for n in [canonical, *(names or [])]):
                if owner.setdefault(name, canonical) != canonical:
                    raise ValueError(f"header alias {name!r} is given to both {owner[name]} and {canonical}")
        return columns

    @field_validator("required")
    @classmethod
    def _required_have_aliases(cls, required: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        missing = [name for name in required if name not in (info.data.get("columns") or {})]
        if missing:
            raise ValueError(f"required field(s) {', '.join(missing)} have no column aliases")
        return required


@cache
def load_columns(path: Path = COLUMNS_FILE) -> ColumnMap:
    """Load a column mapping file; an unknown field or an alias given twice raises ``ConfigValueError``."""
    data = load_yaml_config(path, ColumnsFile, what="CSV column mapping", error=ConfigValueError)
    written = {
        canonical: tuple(dict.fromkeys([canonical, *(names or [])]))
        for canonical, names in data.columns.items()
    }
    aliases = {canonical: tuple(normalise_label(n) for n in names) for canonical, names in written.items()}
    return ColumnMap(aliases, data.required, dict(data.defaults), str(path), written)


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _choose_delimiter(header_line: str, columns: ColumnMap) -> tuple[str, dict[str, int]]:
    best = (",", columns.resolve(_split(header_line, ",")))
    for delimiter in DELIMITERS[1:]:
        found = columns.resolve(_split(header_line, delimiter))
        if len(found) > len(best[1]):
            best = (delimiter, found)
    return best


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` is a turns CSV: how many required columns its header names."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not first or first.lstrip()[:1] in ("{", "["):
        return 0.0
    columns = load_columns()
    _, found = _choose_delimiter(first, columns)
    hits = sum(1 for name in columns.required if name in found)
    return {3: 0.9, 2: 0.4}.get(hits, 0.0)


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Pending:
    conversation_id: str
    first_line: int
    rows: list[_Row] = field(default_factory=list)
    problem: Quarantined | None = None


class _RowReader:
    """CSV rows of a file with their first line numbers; bad lines come out as quarantine entries."""

    def __init__(self, path: Path, columns: ColumnMap) -> None:
        self.path = path
        self.columns = columns
        self.delimiter = ","
        self.index: dict[str, int] = {}
        self.milliseconds: dict[str, bool] = {"timestamp": False, "end_timestamp": False}
        self._fed: list[int] = []
        self._problems: list[tuple[int, Quarantined]] = []

    def _feed(self, lines: Iterator[Line | Quarantined]) -> Iterator[str]:
        for item in lines:
            if isinstance(item, Quarantined):
                number = int(item.record.split()[-1]) if item.record.startswith("line ") else 0
                self._problems.append((number, item))
                continue
            self._fed.append(item.number)
            yield item.text + "\n"

    def conversation_of(self, text: str) -> str | None:
        """The conversation id in a raw line (used for lines that failed to decode or parse)."""
        cells = _split(text, self.delimiter)
        position = self.index.get("conversation_id")
        if position is None or position >= len(cells):
            return None
        return cells[position].strip() or None

    def _read_header(self, lines: Iterator[Line | Quarantined]) -> Iterator[tuple[int, Quarantined]]:
        for item in lines:
            if isinstance(item, Quarantined):
                yield (0, item)
                if item.reason in (ReasonCode.BINARY, ReasonCode.IO_ERROR):
                    return
                continue
            if not item.text.strip():
                continue
            text = item.text.lstrip("\ufeff")
            self.delimiter, self.index = _choose_delimiter(text, self.columns)
            header = [normalise_label(cell) for cell in _split(text, self.delimiter)]
            for name in self.milliseconds:
                position = self.index.get(name)
                self.milliseconds[name] = position is not None and header[position].endswith("ms")
            missing = [name for name in self.columns.required if name not in self.index]
            if missing:
                accepted = "; ".join(f"{m}: {', '.join(self.columns.names.get(m, ()))}" for m in missing)
                message = f"{self.path} header has no column for {', '.join(missing)} (accepted: {accepted})"
                problem = Quarantined(
                    str(self.path), f"line {item.number}", ReasonCode.MISSING_FIELD, message, excerpt(text)
                )
                yield (item.number, problem)
            return
        yield (
            0,
            Quarantined(
                str(self.path), "file", ReasonCode.NO_TURNS, f"{self.path} has no header and no rows"
            ),
        )

    def rows(self) -> Iterator[tuple[int, dict[str, str] | Quarantined, str | None]]:
        """Yield ``(line, values or problem, conversation id if known)``, header consumed first."""
        path = self.path
        lines = iter_lines(path)
        header_problems = list(self._read_header(lines))
        if header_problems:
            for line, problem in header_problems:
                yield (line, problem, None)
            if not self.index or any(p.reason is not ReasonCode.BAD_ENCODING for _, p in header_problems):
                return
        reader = csv.reader(self._feed(lines), delimiter=self.delimiter)
        while True:
            self._fed.clear()
            error: csv.Error | None = None
            try:
                cells: list[str] | None = next(reader)
            except StopIteration:
                cells = None
            except csv.Error as exc:
                cells, error = [], exc
            for number, problem in self._problems:
                yield (number, problem, self.conversation_of(problem.excerpt))
            self._problems.clear()
            if cells is None:
                break
            start = self._fed[0] if self._fed else 0
            if error is not None:
                problem = Quarantined(
                    str(path),
                    f"line {start}",
                    ReasonCode.INVALID_RECORD,
                    f"{path} line {start}: not a valid CSV row ({error})",
                )
                yield (start, problem, None)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                name: cells[position].strip()
                for name, position in self.index.items()
                if position < len(cells)
            }
            yield (start, values, values.get("conversation_id") or None)


def _parse_instant(value: str, *, milliseconds: bool) -> int | datetime | None:
    """An offset in ms (number, ``[h:]mm:ss``) or an absolute datetime; ValueError if neither."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if number < 0:
            raise ValueError(f"negative time {value!r}")
        return int(round(number if milliseconds else number * 1000))
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(round(((int(hours or 0) * 60 + int(minutes)) * 60 + float(seconds)) * 1000))
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class _BadRowError(ValueError):
    def __init__(self, reason: ReasonCode, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _check_row(row: _Row) -> None:
    values = row.values
    if parse_role(values.get("role", "")) is None:
        raise _BadRowError(ReasonCode.UNKNOWN_ROLE, f"unknown role {values.get('role', '')!r}")
    if not values.get("text", "").strip():
        raise _BadRowError(ReasonCode.EMPTY_TURN, "empty text")


def _build(pending: _Pending, path: Path, columns: ColumnMap, header_ms: dict[str, bool]) -> ReadResult:
    record = f"conversation {pending.conversation_id} (line {pending.first_line})"
    rows = pending.rows
    current = rows[0].line

    def fail(reason: ReasonCode, message: str) -> Quarantined:
        return Quarantined(
            str(path),
            f"line {current}",
            reason,
            f"{path} line {current} (conversation {pending.conversation_id}): {message}",
        )

    try:
        times: list[tuple[int | datetime | None, int | datetime | None]] = []
        for row in rows:
            current = row.line
            start = _parse_instant(row.values.get("timestamp", ""), milliseconds=header_ms["timestamp"])
            end = _parse_instant(row.values.get("end_timestamp", ""), milliseconds=header_ms["end_timestamp"])
            times.append((start, end))
        sequence = None
        if any(row.values.get("sequence") for row in rows):
            sequence = {}
            for row in rows:
                current = row.line
                raw = row.values.get("sequence", "")
                sequence[row.line] = int(raw) if raw else None
    except ValueError as exc:
        return fail(ReasonCode.INVALID_RECORD, f"bad time or sequence value ({exc})")

    first = {
        name: next((r.values[name] for r in rows if r.values.get(name)), None) for name in columns.aliases
    }
    started_at: datetime | None = None
    try:
        if first.get("started_at"):
            started_at = datetime.fromisoformat(first["started_at"].replace("Z", "+00:00"))  # type: ignore[union-attr]
        absolute = [t for pair in times for t in pair if isinstance(t, datetime)]
        if absolute:
            base = min(absolute)
            started_at = started_at if started_at is not None and started_at <= base else base

        def offset(value: int | datetime | None) -> int | None:
            if isinstance(value, datetime):
                assert started_at is not None
                return int((value - started_at).total_seconds() * 1000)
            return value

        offsets = [(offset(s), offset(e)) for s, e in times]
    except (TypeError, ValueError) as exc:
        current = rows[0].line
        return fail(ReasonCode.INVALID_RECORD, f"inconsistent dates ({exc})")

    indexed = list(zip(rows, offsets, strict=True))
    try:
        order = order_turns(
            indexed,
            sequence=(lambda item: sequence[item[0].line]) if sequence is not None else None,
            offset=lambda item: item[1][0],
        )
    except TurnOrderError as exc:
        current = rows[0].line
        return fail(ReasonCode.TURNS_OUT_OF_ORDER, str(exc))

    channel_value = (first.get("channel") or columns.defaults.get("channel", "chat")).lower()
    try:
        channel, kind = parse_channel(channel_value)
    except ValueError as exc:
        current = next((r.line for r in rows if r.values.get("channel")), rows[0].line)
        return fail(ReasonCode.INVALID_RECORD, str(exc))

    asynchronous = kind is not None and kind.asynchronous
    tracker = LegTracker(asynchronous=asynchronous)
    turns: list[Turn] = []
    try:
        for index, (row, (start_ms, end_ms)) in enumerate(order.items):
            current = row.line
            role = parse_role(row.values["role"])
            assert role is not None
            signature = agent_signature(row.values["text"]) if asynchronous and role is Role.AGENT else None
            leg = tracker.assign(
                role,
                row.values.get("speaker_id") or None,
                row.values.get("speaker_name") or None,
                department=row.values.get("department") or None,
                queue=row.values.get("queue") or None,
                at_ms=start_ms,
                end_ms=end_ms,
                representative=signature,
            )
            turns.append(
                Turn(
                    index=index,
                    role=role,
                    speaker_id=row.values.get("speaker_id") or None,
                    speaker_name=row.values.get("speaker_name") or None,
                    text=row.values["text"],
                    start_ms=start_ms,
                    end_ms=end_ms,
                    leg=leg,
                    representative=signature,
                )
            )
        legs, events = tracker.finish()
        current = rows[0].line
        return Conversation(
            id=pending.conversation_id,
            channel=channel,
            channel_kind=kind,
            customer_id=first.get("customer_id"),
            started_at=started_at,
            language=first.get("language") or None,
            source_file=str(path),
            source_format=NAME,
            source_record=record,
            legs=legs,
            turns=turns,
            events=events,
            extra={"reordered": True} if order.reordered else {},
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "row"
        return fail(ReasonCode.INVALID_RECORD, f"{where}: {error['msg']}")


def _last_lines(path: Path, columns: ColumnMap) -> dict[str, int]:
    """First pass: the last line on which each conversation id appears."""
    last: dict[str, int] = {}
    for line, _, conversation_id in _RowReader(path, columns).rows():
        if conversation_id is not None:
            last[conversation_id] = max(line, last.get(conversation_id, 0))
    return last


def read_csv(path: Path, columns: Path | ColumnMap | None = None) -> Iterator[ReadResult]:
    """Read a turns CSV with the default or a given column mapping (file path or ``ColumnMap``)."""
    mapping = (
        columns
        if isinstance(columns, ColumnMap)
        else load_columns(Path(columns) if columns else COLUMNS_FILE)
    )
    encoding = file_encoding(path)
    if isinstance(encoding, Quarantined):
        yield encoding
        return
    last = _last_lines(path, mapping)
    reader = _RowReader(path, mapping)
    open_conversations: dict[str, _Pending] = {}
    for line, values, conversation_id in reader.rows():
        if isinstance(values, Quarantined):
            if conversation_id is None:
                yield values
                continue
            pending = open_conversations.setdefault(conversation_id, _Pending(conversation_id, line))
            if pending.problem is None:
                message = f"{values.message} (conversation {conversation_id} quarantined whole)"
                pending.problem = replace(values, message=message)
                pending.rows.clear()
        elif conversation_id is None:
            yield Quarantined(
                str(path),
                f"line {line}",
                ReasonCode.MISSING_FIELD,
                f"{path} line {line}: row has no conversation id",
                excerpt(",".join(values.values())),
            )
            continue
        else:
            pending = open_conversations.setdefault(conversation_id, _Pending(conversation_id, line))
            row = _Row(line, values)
            if pending.problem is None:
                try:
                    _check_row(row)
                    pending.rows.append(row)
                except _BadRowError as exc:
                    pending.problem = Quarantined(
                        str(path),
                        f"line {line}",
                        exc.reason,
                        f"{path} line {line} (conversation {conversation_id}): {exc}",
                        excerpt(row.values.get("text", "")),
                    )
                    pending.rows.clear()
        if last.get(conversation_id, line) <= line:
            done = open_conversations.pop(conversation_id)
            if done.problem is not None:
                yield done.problem
            elif done.rows:
                yield _build(done, path, mapping, reader.milliseconds)
    for pending in open_conversations.values():  # only if the file changed between the passes
        yield pending.problem or _build(pending, path, mapping, reader.milliseconds)


def read(path: Path, csv_columns: Path | ColumnMap | None = None) -> Iterator[ReadResult]:
    """Yield one conversation or quarantine entry per conversation in the CSV ``path``.

    ``csv_columns`` is a column mapping file (or a loaded ``ColumnMap``) instead of the shipped one.
    """
    yield from read_csv(path, csv_columns)


def _check_columns(value: Path | str | ColumnMap) -> ColumnMap:
    """Load a mapping file once, before any file is read (a broken one raises ``ValueError``)."""
    return value if isinstance(value, ColumnMap) else load_columns(Path(value))


READER = register(
    Reader(
        name=NAME,
        description="CSV with one turn per row, grouped by a conversation id column (see csv_columns.yaml).",
        sniff=sniff,
        read=read,
        extensions=(".csv", ".tsv"),
        options=(ReaderOption("csv_columns", "YAML column mapping file", _check_columns),),
    )
)
