"""Read-only queries against the store for one period: the only SQL rendering runs.

Everything is selected by the conversation's ``started_at`` falling in the period. Rows come
back as small frozen dataclasses named after the store tables (columns as in
``storage/migrations/``); later modules work on those, never on raw tuples::

    snapshot = load_snapshot(connection_of(store), period, rubric_version="default-1")
    snapshot.legs[0].department
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

if TYPE_CHECKING:
    from rendering.settings import PeriodSettings

from rendering.periods import Period, settled_range

T = TypeVar("T")
SHARED_STRING = 64
"""Equal strings up to this length in one query's rows (ids, names, labels) share one object."""
_FINDING_SHARED = frozenset({"suggestion"})  # the rubric's phrasings, repeated across findings
_SCORE_SHARED = frozenset({"threshold"})  # the rubric's few pass marks


def _is_connection(value: Any) -> bool:
    """A DuckDB connection or a ``storage.postgres.PgConnection`` (the same calls, the same SQL)."""
    from storage.postgres import PgConnection

    return isinstance(value, duckdb.DuckDBPyConnection | PgConnection)


def connection_of(store: Any) -> duckdb.DuckDBPyConnection:
    """The connection behind a ``storage.Store`` (or the connection itself): DuckDB, or PostgreSQL."""
    if _is_connection(store):
        return store
    connection = getattr(store, "connection", None)
    if callable(connection) and not _is_connection(connection):
        connection = connection()
    if not _is_connection(connection):
        raise TypeError(f"expected a storage.Store or a store connection, got {type(store).__name__}")
    return connection


STREAM_BATCH = 20_000
"""Rows a stream fetches at a time (``PeriodStream``)."""


def _rows(
    con: duckdb.DuckDBPyConnection,
    cls: type[T],
    sql: str,
    params: Sequence[Any] = (),
    *,
    share: frozenset[str] = frozenset(),
) -> list[T]:
    """``cls`` rows of a query: equal short strings share one object.

    So do equal values of the ``share`` columns (few distinct values however long: suggestions,
    thresholds), except zeros, which compare equal across signs.
    """
    return list(_iter_rows(con, cls, sql, params, share=share, batch=None))


def _iter_rows(
    con: duckdb.DuckDBPyConnection,
    cls: type[T],
    sql: str,
    params: Sequence[Any] = (),
    *,
    share: frozenset[str] = frozenset(),
    batch: int | None = STREAM_BATCH,
) -> Iterator[T]:
    """:func:`_rows`, ``batch`` rows fetched at a time (None: all at once).

    Strings are shared within a batch, so a stream holds no more than one batch's.
    """
    cursor = con.cursor()
    try:
        result = cursor.execute(sql, list(params))
        names = [d[0] for d in result.description]
        wanted = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        missing = wanted - set(names)
        if missing:
            raise ValueError(f"query for {cls.__name__} lacks columns {sorted(missing)}")
        keep = [k in wanted for k in names]
        always = [k in share for k in names]
        while True:
            found = result.fetchall() if batch is None else result.fetchmany(batch)
            shared: dict[Any, Any] = {}
            for row in found:
                yield cls(
                    **{
                        k: shared.setdefault(v, v)
                        if (type(v) is str and (all_ or len(v) <= SHARED_STRING)) or (all_ and v)
                        else v
                        for k, v, use, all_ in zip(names, row, keep, always, strict=True)
                        if use
                    }
                )
            if batch is None or len(found) < batch:
                return
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A contact in the period."""

    id: str
    channel: str
    customer_id: str | None
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class LegRow:
    """One leg: who handled which stretch, in which department, and how it began and ended."""

    conversation_id: str
    leg: int
    participant_role: str | None
    agent_id: str | None
    agent_name: str | None
    department: str | None
    queue: str | None
    started_via: str | None
    ended_via: str | None
    start_ms: int | None
    end_ms: int | None
    team: str | None = None  # within the department (migration 004)


@dataclass(frozen=True, slots=True)
class EventRow:
    """A hold, queue wait, transfer or disconnect."""

    conversation_id: str
    seq: int
    type: str
    at_ms: int | None
    duration_ms: int | None
    leg: int | None
    from_leg: int | None
    to_leg: int | None
    from_department: str | None
    to_department: str | None
    from_agent: str | None
    to_agent: str | None
    warm: bool | None
    by: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class TurnRow:
    """One utterance with its sentiment (label/score None when not analysed)."""

    conversation_id: str
    turn: int
    leg: int
    role: str
    speaker_id: str | None
    speaker_name: str | None
    text: str
    start_ms: int | None
    end_ms: int | None
    sentiment_label: str | None = None
    sentiment_score: float | None = None
    redacted_by: str | None = None  # the policy ``id@version`` that redacted the text at ingest


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One criterion score for one leg (agent) or conversation (system)."""

    conversation_id: str
    leg: int | None
    agent_id: str | None
    criterion: str
    scorer: str
    value: float | None
    threshold: float | None
    passed: bool | None
    reason: str | None
    rubric_version: str
    attribution: str


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One finding with its evidence."""

    conversation_id: str
    seq: int
    leg: int | None
    turn: int | None
    agent_id: str | None
    department: str | None
    scorer: str
    criterion: str
    kind: str
    attribution: str
    polarity: str
    char_start: int | None
    char_end: int | None
    quote: str | None
    rule: str | None
    suggestion: str | None
    detail: Mapping[str, Any]  # StoredDetail when loaded from the store
    rubric_version: str


@dataclass(frozen=True, slots=True)
class JourneyRow:
    """A customer's journey and its contacts (conversation ids in order, continuations flagged)."""

    journey_id: str
    customer_id: str
    started_at: datetime
    ended_at: datetime
    contacts: int
    continuations: int
    repeat_contacts: int
    right_censored: bool
    conversation_ids: tuple[str, ...] = ()
    continuation_flags: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class TrajectoryRow:
    """The customer's sentiment over a leg (or the whole conversation when ``leg`` is None)."""

    conversation_id: str
    leg: int | None
    start: float | None
    end: float | None
    delta: float | None
    direction: str | None
    customer_turns: int
    agent_tone: float | None


@dataclass(frozen=True, slots=True)
class AgentScoreRow:
    """An agent's overall score on one leg (``nlp.overall``), with the criteria and weights behind it."""

    conversation_id: str
    leg: int
    agent_id: str | None
    value: float | None
    criteria: Any
    weights: Any
    rubric_version: str


@dataclass(frozen=True, slots=True)
class HandoffRow:
    """One hand-off (``nlp.operations``): ``how`` is warm, cold, unknown, referral or channel_move."""

    conversation_id: str
    seq: int
    how: str
    from_leg: int | None
    to_leg: int | None
    from_department: str
    to_department: str
    rubric_version: str

    @property
    def internal(self) -> bool:
        """A transfer inside the company (not a referral or a channel move)."""
        return self.how in ("warm", "cold", "unknown")

    @property
    def route(self) -> str:
        """``Billing → Technical Support``; referrals and channel moves go outside the matrix."""
        target = {"referral": "referred elsewhere", "channel_move": "another channel"}.get(
            self.how, self.to_department
        )
        return f"{self.from_department} → {target}"


@dataclass(frozen=True, slots=True)
class LegRouteRow:
    """How a leg was reached and the journey stop before it (``nlp.operations``)."""

    conversation_id: str
    leg: int
    journey_id: str
    participant_role: str
    department: str
    entry_route: str
    previous_department: str | None
    previous_conversation_id: str | None
    dropped: bool
    rubric_version: str


@dataclass(frozen=True, slots=True)
class WaitRow:
    """A hold or queue wait and whether a callback was offered (``nlp.operations``)."""

    conversation_id: str
    seq: int
    leg: int | None
    kind: str
    at_ms: int | None
    duration_ms: int
    callback_offered: bool
    rubric_version: str


@dataclass(frozen=True, slots=True)
class DisconnectRow:
    """Who ended a contact, in which department (``nlp.operations``)."""

    conversation_id: str
    seq: int
    leg: int | None
    ended_by: str
    department: str
    rubric_version: str


@dataclass
class Snapshot:
    """Everything about the conversations that started in one period."""

    period: Period
    rubric_version: str | None
    conversations: list[ConversationRow]
    legs: list[LegRow]
    events: list[EventRow]
    scores: list[ScoreRow]
    findings: list[FindingRow]
    agent_scores: list[AgentScoreRow] = field(default_factory=list)
    handoffs: list[HandoffRow] = field(default_factory=list)
    leg_routes: list[LegRouteRow] = field(default_factory=list)
    waits: list[WaitRow] = field(default_factory=list)
    disconnects: list[DisconnectRow] = field(default_factory=list)
    by_id: dict[str, ConversationRow] = field(init=False)
    legs_by_conversation: dict[str, list[LegRow]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.conversations}
        grouped: dict[str, list[LegRow]] = defaultdict(list)
        for leg in self.legs:
            grouped[leg.conversation_id].append(leg)
        self.legs_by_conversation = {k: sorted(v, key=lambda r: r.leg) for k, v in grouped.items()}

    def within(self, period: Period) -> Snapshot:
        """The rows of the conversations that started in ``period``, a part of this snapshot's period.

        Equal to ``load_snapshot`` of that period (the same rows in the same order, since every
        list is sorted on unique keys), without querying again or copying a row.
        """
        if period.start < self.period.start or period.end > self.period.end:
            raise ValueError(f"{period.label} is not within the snapshot's {self.period.label}")
        if period == self.period:
            return self
        start, end = period.bounds()
        conversations = [
            c for c in self.conversations if c.started_at is not None and start <= c.started_at < end
        ]
        ids = {c.id for c in conversations}

        def rows(found: list[T]) -> list[T]:
            return [r for r in found if r.conversation_id in ids]  # type: ignore[attr-defined]

        return Snapshot(
            period,
            self.rubric_version,
            conversations,
            rows(self.legs),
            rows(self.events),
            rows(self.scores),
            rows(self.findings),
            rows(self.agent_scores),
            rows(self.handoffs),
            rows(self.leg_routes),
            rows(self.waits),
            rows(self.disconnects),
        )

    def leg(self, conversation_id: str, leg: int | None) -> LegRow | None:
        """The leg row, or None."""
        if leg is None:
            return None
        return next((r for r in self.legs_by_conversation.get(conversation_id, []) if r.leg == leg), None)


_IN_PERIOD = "c.started_at >= ? AND c.started_at < ?"


def data_range(con: duckdb.DuckDBPyConnection, periods: PeriodSettings | None = None) -> Period | None:
    """The days from the first to the last conversation start, less outlier dates; None when empty.

    Outliers (a stray 2062 or 2003 among this month's contacts) are left out as
    ``rendering.periods.settled_range`` decides, with ``periods``' (default: the settings
    file's) ``outlier_gap_days`` and ``outlier_share``.
    """
    from rendering.settings import load_settings

    periods = periods or load_settings().periods
    days = con.execute(
        "SELECT CAST(started_at AS DATE) AS day, count(*) FROM conversations "
        "WHERE started_at IS NOT NULL GROUP BY day"
    ).fetchall()
    return settled_range(days, periods.outlier_gap_days, periods.outlier_share)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def rubric_versions(con: duckdb.DuckDBPyConnection, period: Period) -> list[str]:
    """Rubric versions with scores for conversations in the period, most used first."""
    rows = con.execute(
        "SELECT s.rubric_version, count(*) AS n FROM scores s "
        "JOIN conversations c ON c.id = s.conversation_id "
        f"WHERE {_IN_PERIOD} GROUP BY 1 ORDER BY n DESC, 1 DESC",
        list(period.bounds()),
    ).fetchall()
    return [r[0] for r in rows]


_SNAPSHOT_SQL: dict[str, tuple[type, str, str]] = {
    # table: (row class, SELECT ... FROM ... (alias x, joined to conversations c), ORDER BY)
    "conversations": (
        ConversationRow,
        "SELECT c.id, c.channel, c.customer_id, c.started_at, c.ended_at FROM conversations c",
        "c.started_at, c.id",
    ),
    "legs": (
        LegRow,
        "SELECT x.* FROM legs x JOIN conversations c ON c.id = x.conversation_id",
        "x.conversation_id, x.leg",
    ),
    "events": (
        EventRow,
        "SELECT x.conversation_id, x.seq, x.type, x.at_ms, x.duration_ms, x.leg, x.from_leg, x.to_leg, "
        'x.from_department, x.to_department, x.from_agent, x.to_agent, x.warm, x."by" AS by, x.reason '
        "FROM events x JOIN conversations c ON c.id = x.conversation_id",
        "x.conversation_id, x.seq",
    ),
}
_VERSIONED_SQL: dict[str, tuple[type, str]] = {
    # table: (row class, ORDER BY); only the rubric version's rows
    "scores": (ScoreRow, "x.conversation_id, x.leg, x.criterion"),
    "findings": (FindingRow, "c.started_at, x.conversation_id, x.seq"),
    "agent_scores": (AgentScoreRow, "c.started_at, x.conversation_id, x.leg"),
    "handoffs": (HandoffRow, "c.started_at, x.conversation_id, x.seq"),
    "leg_routes": (LegRouteRow, "c.started_at, x.conversation_id, x.leg"),
    "waits": (WaitRow, "c.started_at, x.conversation_id, x.seq"),
    "disconnects": (DisconnectRow, "c.started_at, x.conversation_id, x.seq"),
}
_SHARE = {"scores": _SCORE_SHARED, "findings": _FINDING_SHARED}


def _snapshot_query(
    table: str,
    period: Period,
    rubric_version: str | None,
    ids: Sequence[str] | None,
    attribution: str | None = None,
) -> tuple[type, str, list[Any]]:
    """The row class, SQL and parameters reading one table's rows of the period's conversations.

    ``ids``: only these conversations (of those that started in the period); ``attribution``:
    only the findings so attributed.
    """
    params: list[Any] = list(period.bounds())
    where = _IN_PERIOD
    if ids is not None:
        where += " AND c.id IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(ids))
    if table in _SNAPSHOT_SQL:
        cls, select, order = _SNAPSHOT_SQL[table]
    else:
        cls, order = _VERSIONED_SQL[table]
        select = f"SELECT x.* FROM {table} x JOIN conversations c ON c.id = x.conversation_id"
        where += " AND x.rubric_version = ?"
        params.append(rubric_version)
    if table == "findings" and attribution is not None:
        where += " AND x.attribution = ?"
        params.append(attribution)
    return cls, f"{select} WHERE {where} ORDER BY {order}", params


def _finish(table: str) -> Callable[[Any], Any]:
    """What a stored row needs once read: findings' details wrapped, agent scores' JSON parsed."""
    if table == "findings":
        return _parse_detail
    if table == "agent_scores":
        parse = _json_parser()
        return lambda r: replace(r, criteria=parse(r.criteria), weights=parse(r.weights))
    return lambda r: r


def _table_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    period: Period,
    rubric_version: str | None,
    ids: Sequence[str] | None = None,
    batch: int | None = None,
    attribution: str | None = None,
) -> Iterator[Any]:
    """One table's rows of the period's conversations in ``Snapshot`` order, ``batch`` at a time."""
    if rubric_version is None and table in _VERSIONED_SQL:
        return
    cls, sql, params = _snapshot_query(table, period, rubric_version, ids, attribution)
    finish = _finish(table)
    for row in _iter_rows(con, cls, sql, params, share=_SHARE.get(table, frozenset()), batch=batch):
        yield finish(row)


def load_snapshot(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    rubric_version: str | None,
    ids: Iterable[str] | None = None,
    *,
    scores: bool = True,
    finding_attribution: str | None = None,
) -> Snapshot:
    """Conversations, legs, events, scores and findings of the period (scores of one rubric version).

    ``ids``: only these conversations (those of them that started in the period). The routing
    report reads no criterion scores (``scores=False``) and only the system's findings
    (``finding_attribution="system"``): together most of the rows.
    """
    wanted = None if ids is None else sorted(set(ids))
    tables = {
        table: list(_table_rows(con, table, period, rubric_version, wanted, attribution=finding_attribution))
        if scores or table != "scores"
        else []
        for table in (*_SNAPSHOT_SQL, *_VERSIONED_SQL)
    }
    return Snapshot(period, rubric_version, **tables)


class PeriodStream:
    """A period's stored rows as :class:`Snapshot` holds them, read as streams and never held.

    Each attribute runs its query when read and yields rows a batch at a time, in the order
    ``load_snapshot`` gives them, so a period too large to hold can be read once per table::

        overall = overall_by_agent(PeriodStream(con, period, "default-1").agent_scores)
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        period: Period,
        rubric_version: str | None,
        batch: int = STREAM_BATCH,
    ) -> None:
        self._con = con
        self.period = period
        self.rubric_version = rubric_version
        self.batch = batch

    def _stream(self, table: str) -> Iterator[Any]:
        return _table_rows(self._con, table, self.period, self.rubric_version, batch=self.batch)

    @property
    def conversations(self) -> Iterator[ConversationRow]:
        """The period's conversations."""
        return self._stream("conversations")

    @property
    def legs(self) -> Iterator[LegRow]:
        """Their legs."""
        return self._stream("legs")

    @property
    def scores(self) -> Iterator[ScoreRow]:
        """Their criterion scores."""
        return self._stream("scores")

    @property
    def findings(self) -> Iterator[FindingRow]:
        """Their findings."""
        return self._stream("findings")

    @property
    def agent_scores(self) -> Iterator[AgentScoreRow]:
        """Their agent legs' overall scores."""
        return self._stream("agent_scores")

    @property
    def leg_routes(self) -> Iterator[LegRouteRow]:
        """How their legs were reached."""
        return self._stream("leg_routes")

    @property
    def waits(self) -> Iterator[WaitRow]:
        """Their holds and queue waits."""
        return self._stream("waits")


def _json_parser() -> Callable[[Any], Any]:
    """JSON text to values; equal texts (every leg's rubric weights) share one parsed value."""
    parsed: dict[str, Any] = {}

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value not in parsed:
            parsed[value] = json.loads(value)
        return parsed[value]

    return parse


class StoredDetail(Mapping[str, Any]):
    """A finding's ``detail`` as stored (JSON text), parsed each time it is read.

    A period's findings are loaded whole for cards and the report, but only a few details are
    ever read (quoted moments, chains); the text is about half the size of the parsed dict.
    Equal to, and with the ``repr`` of, the parsed dict: text that is not JSON reads as
    ``{"raw": text}``, a JSON value that is not an object as ``{"value": value}``.
    """

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def _parsed(self) -> dict[str, Any]:
        try:
            value = json.loads(self._text)
        except json.JSONDecodeError:
            return {"raw": self._text}
        if isinstance(value, dict):
            return value
        return {} if value is None else {"value": value}

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, else ``default`` (one parse, not Mapping's two)."""
        return self._parsed().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())

    def __repr__(self) -> str:
        return repr(self._parsed())


_NO_DETAIL: Mapping[str, Any] = StoredDetail("{}")


def _parse_detail(row: FindingRow) -> FindingRow:
    detail: Any = row.detail
    if detail is None:
        return replace(row, detail=_NO_DETAIL)
    if isinstance(detail, str):
        return replace(row, detail=_NO_DETAIL if detail == "{}" else StoredDetail(detail))
    return replace(row, detail=detail if isinstance(detail, dict) else {"value": detail})


def load_turns(con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str]) -> dict[str, list[TurnRow]]:
    """Turns (with sentiment when analysed) of the given conversations, in order."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    rows = _rows(
        con,
        TurnRow,
        "SELECT t.*, s.label AS sentiment_label, s.score AS sentiment_score, "
        "       c.privacy_policy AS redacted_by FROM turns t "
        "LEFT JOIN conversations c ON c.id = t.conversation_id "
        "LEFT JOIN (SELECT DISTINCT ON (conversation_id, turn) conversation_id, turn, label, score "
        "           FROM turn_sentiment WHERE conversation_id IN (SELECT unnest(?::VARCHAR[])) "
        "           ORDER BY conversation_id, turn, label, score) s "  # filtered here: not the whole table
        "  ON s.conversation_id = t.conversation_id AND s.turn = t.turn "
        "WHERE t.conversation_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY t.conversation_id, t.turn",
        [ids, ids],
    )
    grouped: dict[str, list[TurnRow]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(row)
    return dict(grouped)


def load_trajectories(con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str]) -> list[TrajectoryRow]:
    """Customer sentiment trajectories of the given conversations."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return []
    return _rows(
        con,
        TrajectoryRow,
        'SELECT conversation_id, leg, "start" AS start, "end" AS "end", delta, direction, customer_turns, '
        "agent_tone FROM trajectories WHERE conversation_id IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY conversation_id, leg NULLS LAST",
        [ids],
    )


def load_conversations(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> list[ConversationRow]:
    """Conversation rows by id (any date)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return _rows(
        con,
        ConversationRow,
        "SELECT id, channel, customer_id, started_at, ended_at FROM conversations "
        "WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY started_at, id",
        [wanted],
    )


def load_journeys(con: duckdb.DuckDBPyConnection, period: Period) -> list[JourneyRow]:
    """Journeys with at least one contact starting in the period, with their ordered contacts."""
    rows = con.execute(
        "SELECT j.journey_id, j.customer_id, j.started_at, j.ended_at, j.contacts, j.continuations, "
        "       j.repeat_contacts, j.right_censored, "
        "       array_agg(jc.conversation_id ORDER BY jc.position) AS ids, "
        "       array_agg(coalesce(jc.is_continuation, false) ORDER BY jc.position) AS flags "
        "FROM journeys j JOIN journey_contacts jc ON jc.journey_id = j.journey_id "
        "WHERE j.journey_id IN (SELECT jc2.journey_id FROM journey_contacts jc2 "
        f"     JOIN conversations c ON c.id = jc2.conversation_id WHERE {_IN_PERIOD}) "
        "GROUP BY j.journey_id, j.customer_id, j.started_at, j.ended_at, j.contacts, j.continuations, "
        "       j.repeat_contacts, j.right_censored "
        "ORDER BY j.started_at, j.journey_id",
        list(period.bounds()),
    ).fetchall()
    return [
        JourneyRow(
            journey_id=r[0],
            customer_id=r[1],
            started_at=r[2],
            ended_at=r[3],
            contacts=r[4],
            continuations=r[5],
            repeat_contacts=r[6],
            right_censored=bool(r[7]),
            conversation_ids=tuple(r[8]),
            continuation_flags=tuple(bool(x) for x in r[9]),
        )
        for r in rows
    ]


def load_legs(con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str]) -> dict[str, list[LegRow]]:
    """Legs of the given conversations (any date), grouped and in order."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    rows = _rows(
        con,
        LegRow,
        "SELECT * FROM legs WHERE conversation_id IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY conversation_id, leg",
        [ids],
    )
    grouped: dict[str, list[LegRow]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(row)
    return dict(grouped)


def load_events(con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str]) -> dict[str, list[EventRow]]:
    """Events of the given conversations (any date), grouped and in order."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    rows = _rows(
        con,
        EventRow,
        "SELECT conversation_id, seq, type, at_ms, duration_ms, leg, from_leg, to_leg, from_department, "
        'to_department, from_agent, to_agent, warm, "by" AS by, reason FROM events '
        "WHERE conversation_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY conversation_id, seq",
        [ids],
    )
    grouped: dict[str, list[EventRow]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(row)
    return dict(grouped)


def load_findings(
    con: duckdb.DuckDBPyConnection, conversation_ids: Iterable[str], rubric_version: str | None
) -> dict[str, list[FindingRow]]:
    """Findings of the given conversations under one rubric version, grouped and in order."""
    ids = sorted(set(conversation_ids))
    if not ids or rubric_version is None:
        return {}
    rows = _rows(
        con,
        FindingRow,
        "SELECT * FROM findings WHERE conversation_id IN (SELECT unnest(?::VARCHAR[])) "
        "AND rubric_version = ? "
        "ORDER BY conversation_id, seq",
        [ids, rubric_version],
        share=_FINDING_SHARED,
    )
    grouped: dict[str, list[FindingRow]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(_parse_detail(row))
    return dict(grouped)


@dataclass(frozen=True, slots=True)
class OpeningTurns:
    """A conversation's first few customer turns, for contact-reason analysis."""

    conversation_id: str
    customer_id: str | None
    started_at: datetime
    texts: tuple[str, ...]
    redacted_by: str | None = None  # the policy ``id@version`` that redacted the texts at ingest


def customer_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every name an export gave a customer speaker (for redaction where NER misses it)."""
    rows = con.execute(
        "SELECT DISTINCT speaker_name FROM turns WHERE role = 'customer' AND trim(speaker_name) <> '' "
        "ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def representative_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every name the store gives an agent (legs and agent speakers), kept out of contact reasons."""
    rows = con.execute(
        "SELECT name FROM (SELECT agent_name AS name FROM legs "
        "  UNION SELECT speaker_name FROM turns WHERE role = 'agent') AS names "
        "WHERE trim(name) <> '' ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def load_first_customer_turns(
    con: duckdb.DuckDBPyConnection, period: Period, max_turns: int = 4
) -> list[OpeningTurns]:
    """For each conversation in the period: its first few customer turns, in order."""
    rows = con.execute(
        "SELECT c.id, c.customer_id, c.started_at, "
        "       array_agg(t.text ORDER BY t.turn) FILTER (WHERE t.rn <= ?), c.privacy_policy "
        "FROM conversations c JOIN (SELECT conversation_id, turn, text, "
        "      row_number() OVER (PARTITION BY conversation_id ORDER BY turn) AS rn "
        "      FROM turns WHERE role = 'customer') t ON t.conversation_id = c.id "
        f"WHERE {_IN_PERIOD} GROUP BY c.id, c.customer_id, c.started_at, c.privacy_policy "
        "ORDER BY c.started_at, c.id",
        [max_turns, *period.bounds()],
    ).fetchall()
    return [OpeningTurns(r[0], r[1], r[2], tuple(r[3] or ()), r[4]) for r in rows if r[2] is not None]


def agent_conversations(
    con: duckdb.DuckDBPyConnection, period: Period, agent_ids: Sequence[str]
) -> list[str]:
    """The period's conversations with a leg, score or finding of any of ``agent_ids``, in id order.

    A representative's card is composed from these conversations' rows alone (with
    ``load_snapshot``'s ``ids``); ``agent_ids`` are the ids the store knows the rep by.
    """
    rows = con.execute(
        "SELECT c.id FROM conversations c "
        f"WHERE {_IN_PERIOD} AND c.id IN ("
        "  SELECT conversation_id FROM legs WHERE agent_id IN (SELECT unnest(?::VARCHAR[])) "
        "  UNION SELECT conversation_id FROM scores WHERE agent_id IN (SELECT unnest(?::VARCHAR[])) "
        "  UNION SELECT conversation_id FROM findings WHERE agent_id IN (SELECT unnest(?::VARCHAR[]))"
        ") ORDER BY c.id",
        [*period.bounds(), list(agent_ids), list(agent_ids), list(agent_ids)],
    ).fetchall()
    return [conversation_id for (conversation_id,) in rows]
