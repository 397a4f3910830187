"""The store: conversations, analysis, scores, journeys, quarantine and runs.

Writes are idempotent. A conversation is stored once per content: re-storing it unchanged
writes nothing, re-storing it changed replaces its rows in every table in one transaction
(its analysis and scores are dropped with the old content, so stale scores never survive).
Analysis is replaced per conversation, scores per (conversation, rubric version), journeys
per customer, and quarantine entries are keyed on (file, record, reason)::

    >>> store = Store(":memory:")
    >>> run = store.start_run("ingest")
    >>> store.upsert_conversations([Conversation(id="c1", channel="chat")], run).new
    1
    >>> store.upsert_conversations([Conversation(id="c1", channel="chat")], run).unchanged
    1
    >>> [c.id for c in store.load_conversations()]
    ['c1']

The store is a DuckDB file by default, or a PostgreSQL database given as a
``postgresql://user@host/dbname`` URL (``storage.postgres``); the SQL is written once, and what
differs between the two lives in ``storage.dialect``. Opening a store for writing applies the
schema migrations it lacks (``storage.migrate``).

``Store`` is not thread-safe: give each thread its own (DuckDB allows one writing process).
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from storage import rows
from storage.bulk import insert_rows, quote, table_types
from storage.dialect import DUCKDB, POSTGRES, dialect_of, display, target
from storage.duckdb_settings import active_duckdb_settings, apply_duckdb_settings
from storage.migrate import LATEST, MigrationError, check_version, current_version, migrate
from transcripts.journeys import ContactSpan, JourneyWithContinuations
from transcripts.model import Conversation, Journey
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import storable

if TYPE_CHECKING:  # spaCy loads slowly; the store only needs these for type hints
    from nlp.annotated import AnnotatedConversation
    from nlp.findings import ConversationScores

SCHEMA_VERSION = LATEST
FETCH_BATCH = 500
# Tables holding rows derived from a conversation's content, all keyed on conversation_id.
_CONTENT_TABLES = ("legs", "turns", "events")
_DERIVED_TABLES = ("turn_sentiment", "trajectories", "scores", "findings", *rows.OPERATIONS_COLUMNS)

_NEEDS_WORK_SQL = """
SELECT c.id FROM conversations c
WHERE NOT EXISTS (SELECT 1 FROM trajectories t WHERE t.conversation_id = c.id AND t.leg IS NULL)
   OR (EXISTS (SELECT 1 FROM scores s WHERE s.conversation_id = c.id AND s.rubric_version <> ?)
       AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.conversation_id = c.id AND s.rubric_version = ?))
ORDER BY c.started_at NULLS LAST, c.id
"""

# Customers to rebuild: listed in journey_todo, with a dated contact in no journey of theirs,
# or with a journey that is empty, misses rows, or holds a contact that is gone, undated, or
# now another customer's.
_STALE_JOURNEYS_SQL = """
SELECT customer_id FROM journey_todo
UNION
SELECT c.customer_id FROM conversations c
WHERE c.customer_id IS NOT NULL AND c.started_at IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM journey_contacts jc JOIN journeys j USING (journey_id)
    WHERE jc.conversation_id = c.id AND j.customer_id = c.customer_id)
UNION
SELECT j.customer_id FROM journeys j
LEFT JOIN journey_contacts jc USING (journey_id)
LEFT JOIN conversations c ON c.id = jc.conversation_id
GROUP BY j.journey_id, j.customer_id, j.contacts, j.continuations, j.started_at
HAVING count(c.id) <> j.contacts + j.continuations
    OR count(jc.conversation_id) <> count(c.id)
    OR bool_or(c.customer_id IS DISTINCT FROM j.customer_id OR c.started_at IS NULL)
    OR min(c.started_at) IS DISTINCT FROM j.started_at
"""


class StoreError(RuntimeError):
    """The database cannot be used (newer schema, unreadable file)."""


@dataclass(frozen=True)
class StoredState:
    """What the store holds for a conversation id before a write."""

    content_hash: str
    customer_id: str | None
    ingested_run: str | None


@dataclass
class UpsertResult:
    """What ``upsert_conversations`` did, by conversation id.

    ``superseded`` counts records dropped because a later record in the same call had the
    same id (the later one wins).
    """

    new_ids: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    unchanged_ids: list[str] = field(default_factory=list)
    superseded: int = 0
    previous: dict[str, StoredState] = field(default_factory=dict)

    @property
    def new(self) -> int:
        """Conversations stored for the first time."""
        return len(self.new_ids)

    @property
    def changed(self) -> int:
        """Conversations whose content changed and were rewritten."""
        return len(self.changed_ids)

    @property
    def unchanged(self) -> int:
        """Conversations already stored with the same content hash (not rewritten)."""
        return len(self.unchanged_ids)

    @property
    def stored(self) -> int:
        """New plus changed."""
        return self.new + self.changed


def new_run_id(kind: str) -> str:
    """A sortable, unique run id such as ``ingest-20261116T020000Z-1a2b3c4d``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{kind}-{stamp}-{uuid.uuid4().hex[:8]}"


def _journey_from_row(
    journey_id: str,
    customer_id: str,
    started_at: datetime,
    ended_at: datetime,
    contacts: int,
    continuations: int,
    repeat_contacts: int,
    right_censored: bool,
    conversation_ids: list[str | None],
    flags: list[bool | None],
) -> JourneyWithContinuations:
    """A journey from a ``load_journeys`` row (continuation flags left empty when unknown)."""
    return JourneyWithContinuations(
        id=journey_id,
        customer_id=customer_id,
        started_at=rows.utc_time(started_at),
        ended_at=rows.utc_time(ended_at),
        contacts=contacts,
        continuations=continuations,
        repeat_contacts=repeat_contacts,
        right_censored=right_censored,
        conversation_ids=[c for c in conversation_ids if c is not None],
        is_continuation=[] if None in flags else [bool(f) for f in flags],
    )


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still runs (always True where that cannot be told)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _make_folder(path: Path) -> None:
    """Create the folder of the store file ``path``; ``StoreError`` saying why it cannot be."""
    for folder in (path, *path.parents):
        if folder.exists():
            if folder != path and not folder.is_dir():
                raise StoreError(f"{path}: {folder} is a file, not a folder; give a path inside a folder")
            break
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create its folder {path.parent} ({exc.strerror or exc}); "
            "give a path in a writable folder"
        ) from None
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give a file path such as {path / 'qareview.duckdb'}")


def _open_error(target: str, exc: duckdb.Error) -> str:
    """One line on why DuckDB cannot open ``target`` and what to do."""
    text = str(exc)
    if "lock" in text.lower():
        holder = re.search(r"PID (\d+)", text)
        who = f" (PID {holder.group(1)})" if holder else ""
        return f"{target} is in use by another process{who}; wait for it to finish or give another store file"
    if "not a valid DuckDB database" in text:
        return f"{target} exists but is not a DuckDB database; give a new file name or a qareview store"
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"cannot open DuckDB store {target}: {first}; give a writable file path"


def _connect_duckdb(target: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``target`` (folder created for writing), set up per ``storage/duckdb.yaml``."""
    if "://" in target:
        raise ValueError(
            f"unsupported store URL {target!r}: give a DuckDB file path, ':memory:' or a postgresql:// URL"
        )
    if target != ":memory:" and not read_only:
        _make_folder(Path(target))
    try:
        connection = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(_open_error(target, exc)) from None
    try:
        apply_duckdb_settings(connection, active_duckdb_settings())
    except BaseException:
        connection.close()
        raise
    return connection


def _connect_postgres(url: str, read_only: bool) -> Any:
    """A ``PgConnection`` to ``url``; ``StoreError`` saying why there is none."""
    from storage.postgres import connect

    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{display(url)}: a PostgreSQL store needs psycopg; pip install 'qareview[postgres]'"
        ) from None
    try:
        return connect(url, read_only=read_only)
    except psycopg.Error as exc:  # refused, unknown host or database, bad password, malformed URL
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(
            f"{display(url)}: cannot connect to PostgreSQL ({first}); check the URL and that the server runs"
        ) from None


def _now() -> datetime:
    """Now, naive UTC (the store's TIMESTAMP convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A qareview store: one DuckDB file (or ``":memory:"``), or a ``postgresql://`` URL.

    ``read_only=True`` opens an existing store for queries only (rendering, while no writer
    holds a DuckDB file); it applies no migrations.
    """

    def __init__(self, path_or_url: str | Path = ":memory:", read_only: bool = False) -> None:
        target_ = target(path_or_url)
        self.dialect = dialect_of(target_)
        self.path = display(target_)
        if self.dialect == POSTGRES:
            self._con: Any = _connect_postgres(target_, read_only)
        else:
            self._con = _connect_duckdb(target_, read_only)
        self._depth = 0
        try:
            if read_only:
                version = current_version(self._con)
                if version == 0:
                    raise StoreError(f"{self.path} holds no qareview store; run `qareview ingest` first")
                check_version(version, self.path)
            else:
                migrate(self._con, self.dialect, self.path)
        except MigrationError as exc:
            self._con.close()
            raise StoreError(str(exc)) from None
        except BaseException:
            self._con.close()
            raise
        self._types = table_types(self._con) if self.dialect == DUCKDB else {}

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def connection(self) -> Any:
        """The DuckDB connection or ``PgConnection``, for read-only SQL (rendering); write through methods."""
        return self._con

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around the block; nested blocks join the outermost one.

        On an exception everything since the outermost ``transaction()`` is rolled back.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._con.begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._con.rollback()
            raise
        self._depth = 0
        self._con.commit()

    def _scalar(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first column of the first row ``sql`` returns (None when it returns no row)."""
        found = self._con.execute(sql, list(args)).fetchall()
        return found[0][0] if found else None

    def _insert(
        self, table: str, columns: Sequence[str], data: Sequence[rows.Row], on_conflict: str = ""
    ) -> int:
        """Bulk-insert ``data`` into ``table`` (``on_conflict``: an ``ON CONFLICT`` clause)."""
        if self.dialect == POSTGRES:
            return self._con.insert(table, columns, data, on_conflict)
        return insert_rows(self._con, table, columns, data, self._types[table], on_conflict)

    def _delete_for(self, table: str, column: str, keys: Sequence[str], extra: str = "", *args: Any) -> None:
        """Delete rows of ``table`` whose ``column`` is one of ``keys`` (and ``extra`` holds)."""
        if keys:
            self._con.execute(
                f"DELETE FROM {quote(table)} WHERE {quote(column)} IN (SELECT unnest(?::VARCHAR[])){extra}",
                [list(keys), *args],
            )

    # -- runs and the watermark ---------------------------------------------------------------

    def start_run(self, kind: str) -> str:
        """Record the start of a run (``ingest``, ``nightly`` ...) and return its id."""
        run_id = new_run_id(kind)
        self.mark_abandoned_runs()
        self._con.execute(
            "INSERT INTO runs (run_id, started_at, kind, host, pid, status) "
            "VALUES (?, ?, ?, ?, ?, 'running')",
            [run_id, _now(), kind, socket.gethostname(), os.getpid()],
        )
        return run_id

    def mark_abandoned_runs(self) -> list[str]:
        """Mark unfinished runs whose process on this host is gone as ``abandoned``; their ids."""
        found = self._con.execute(
            "SELECT run_id, pid FROM runs WHERE finished_at IS NULL AND host = ? AND pid IS NOT NULL",
            [socket.gethostname()],
        ).fetchall()
        gone = [run_id for run_id, pid in found if not _process_alive(pid)]
        if gone:
            self._con.execute(
                "UPDATE runs SET status = 'abandoned', finished_at = ? "
                "WHERE run_id IN (SELECT unnest(?::VARCHAR[]))",
                [_now(), gone],
            )
        return gone

    def finish_run(self, run_id: str, summary: Mapping[str, Any] | Any) -> None:
        """Record the end of a run from a mapping or an object with ``to_dict()`` (``RunSummary``).

        ``read``/``stored``/``quarantined``/``duplicates`` get columns; everything is kept in
        ``details`` (JSON).
        """
        data = dict(summary.to_dict() if hasattr(summary, "to_dict") else summary)
        counts = [data.get(k) for k in ("read", "stored", "quarantined", "duplicates")]
        self._con.execute(
            "UPDATE runs SET finished_at = ?, read = ?, stored = ?, quarantined = ?, duplicates = ?, "
            "details = ?, status = 'finished' WHERE run_id = ?",
            [_now(), *counts, rows.to_json(data), run_id],
        )

    def file_seen(self, path: str | Path, content_hash: str) -> bool:
        """Whether this exact file content at this path was already ingested successfully."""
        found = self._scalar(
            "SELECT count(*) FROM source_files WHERE path = ? AND content_hash = ? AND status = 'ok'",
            [str(path), content_hash],
        )
        return bool(found)

    def mark_file(
        self,
        path: str | Path,
        content_hash: str,
        size: int | None,
        format: str | None,
        run_id: str,
        status: str,
    ) -> None:
        """Record that a run processed a file (``status``: ``ok``, or ``error`` to retry it)."""
        self._con.execute(
            "INSERT INTO source_files (path, content_hash, size_bytes, format, first_seen_run, last_run, "
            "status) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path, content_hash) DO UPDATE SET "
            "size_bytes = excluded.size_bytes, format = excluded.format, last_run = excluded.last_run, "
            "status = excluded.status",
            [str(path), content_hash, size, format, run_id, run_id, status],
        )

    # -- conversations ------------------------------------------------------------------------

    def existing(self, ids: Iterable[str]) -> dict[str, StoredState]:
        """What the store holds now for each of ``ids`` that it has."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        found = self._con.execute(
            "SELECT id, content_hash, customer_id, ingested_run FROM conversations "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [wanted],
        ).fetchall()
        return {cid: StoredState(h, customer, run) for cid, h, customer, run in found}

    def upsert_conversations(self, conversations: Iterable[Conversation], run_id: str) -> UpsertResult:
        """Store conversations by id, in one transaction; a later record with the same id wins.

        Unchanged content (same ``content_hash()``) is not rewritten. Changed content replaces
        the conversation's rows in ``legs``/``turns``/``events`` and drops its analysis and
        scores, which described the old content.
        """
        batch: dict[str, tuple[Conversation, str]] = {}
        result = UpsertResult()
        for conversation in conversations:
            if conversation.id in batch:
                result.superseded += 1
            batch[conversation.id] = (conversation, conversation.content_hash())
        result.previous = self.existing(batch)
        to_write: list[rows.Row] = []
        content: dict[str, list[rows.Row]] = {table: [] for table in _CONTENT_TABLES}
        for cid, (conversation, content_hash) in batch.items():
            before = result.previous.get(cid)
            if before is not None and before.content_hash == content_hash:
                result.unchanged_ids.append(cid)
                continue
            (result.changed_ids if before else result.new_ids).append(cid)
            first_run = before.ingested_run if before else run_id
            to_write.append(rows.conversation_row(conversation, content_hash, first_run, run_id))
            content["legs"] += rows.leg_rows(conversation)
            content["turns"] += rows.turn_rows(conversation)
            content["events"] += rows.event_rows(conversation)
        with self.transaction():
            for table in ("conversations", *_CONTENT_TABLES, *_DERIVED_TABLES):
                key = "id" if table == "conversations" else "conversation_id"
                self._delete_for(table, key, result.changed_ids)
            self._insert("conversations", rows.CONVERSATION_COLUMNS, to_write)
            self._insert("legs", rows.LEG_COLUMNS, content["legs"])
            self._insert("turns", rows.TURN_COLUMNS, content["turns"])
            self._insert("events", rows.EVENT_COLUMNS, content["events"])
            self._journeys_to_rebuild(batch, result)
        return result

    def _journeys_to_rebuild(
        self, batch: Mapping[str, tuple[Conversation, str]], result: UpsertResult
    ) -> None:
        """Note the customers of new and changed conversations (before and after) in ``journey_todo``."""
        customers: set[str] = set()
        for cid in (*result.new_ids, *result.changed_ids):
            previous = result.previous.get(cid)
            customers |= {batch[cid][0].customer_id or "", previous.customer_id or "" if previous else ""}
        customers.discard("")
        if customers:
            self._insert(
                "journey_todo",
                ("customer_id",),
                [(storable(c),) for c in sorted(customers)],
                on_conflict="ON CONFLICT DO NOTHING",
            )

    def load_conversations(
        self,
        ids: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[Conversation]:
        """Stored conversations rebuilt from their canonical JSON, by start time then id.

        ``since`` (inclusive) and ``until`` (exclusive) filter on ``started_at``; a
        conversation without a start time is left out when either is given. Streams in
        batches on its own cursor, so other store calls may run while iterating.
        """
        where, args = [], []
        if ids is not None:
            where.append("id IN (SELECT unnest(?::VARCHAR[]))")
            args.append(list(ids))
        if since is not None:
            where.append("started_at >= ?")
            args.append(rows.db_time(since))
        if until is not None:
            where.append("started_at < ?")
            args.append(rows.db_time(until))
        sql = "SELECT raw FROM conversations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at NULLS LAST, id"
        cursor = self._con.cursor()
        try:
            cursor.execute(sql, args)
            while chunk := cursor.fetchmany(FETCH_BATCH):
                for (raw,) in chunk:
                    yield Conversation.model_validate_json(raw)
        finally:
            cursor.close()

    def save_originals(self, originals: Mapping[str, str], privacy_policy: str) -> None:
        """Keep unredacted canonical JSON by conversation id (only when a policy opts in).

        A later original for the same id replaces the earlier one.
        """
        if originals:
            insert_rows(
                self._con,
                "conversation_originals",
                ("conversation_id", "privacy_policy", "raw"),
                [(cid, privacy_policy, raw) for cid, raw in originals.items()],
                self._types["conversation_originals"],
                on_conflict="ON CONFLICT (conversation_id) DO UPDATE SET "
                "privacy_policy = excluded.privacy_policy, raw = excluded.raw",
            )

    # -- quarantine ---------------------------------------------------------------------------

    def add_quarantine(self, entries: Iterable[Quarantined], run_id: str | None) -> int:
        """Store quarantine entries; returns how many were not stored before.

        Keyed on (file, record, reason): an entry seen again keeps the run that first
        quarantined it and takes the newer message and excerpt.
        """
        unique = {rows.quarantine_key(e): e for e in entries}
        if not unique:
            return 0
        count_sql = "SELECT count(*) FROM quarantine"
        with self.transaction():
            before = self._scalar(count_sql)
            self._insert(
                "quarantine",
                rows.QUARANTINE_COLUMNS,
                [rows.quarantine_row(e, run_id) for e in unique.values()],
                on_conflict="ON CONFLICT (file, record, reason) DO UPDATE SET "
                "message = excluded.message, excerpt = excluded.excerpt",
            )
            after = self._scalar(count_sql)
        return after - before

    def forget_quarantine(self, file: str, keep: Iterable[Quarantined] = ()) -> None:
        """Drop the entries of ``file`` except those in ``keep`` (a re-read file was fixed)."""
        kept = [rows.quarantine_key(e) for e in keep]
        self._con.execute(
            "DELETE FROM quarantine WHERE file = ? AND (file || chr(31) || record || chr(31) || reason) "
            "NOT IN (SELECT unnest(?::VARCHAR[]))",
            [rows.text(file), kept],
        )

    def forget_quarantine_records(self, reason: ReasonCode, records: Iterable[tuple[str, str]]) -> None:
        """Drop the entries with ``reason`` at these (file, record) places (their problem is gone)."""
        keys = list(dict.fromkeys(rows.text("\x1f".join(place)) for place in records))
        if keys:
            self._con.execute(
                "DELETE FROM quarantine WHERE reason = ? AND (file || chr(31) || record) "
                "IN (SELECT unnest(?::VARCHAR[]))",
                [reason.value, keys],
            )

    def quarantined_count(self, files: Iterable[str]) -> int:
        """Quarantine entries of ``files`` (input problems; analysis failures not counted)."""
        return self._scalar(
            "SELECT count(*) FROM quarantine WHERE file IN (SELECT unnest(?::VARCHAR[])) AND reason <> ?",
            [list(files), ReasonCode.ANALYSIS_FAILED.value],
        )

    def quarantine_entries(self, run_id: str | None = None, limit: int | None = None) -> list[Quarantined]:
        """Stored quarantine entries (first quarantined by ``run_id`` if given), by file and record."""
        sql = "SELECT file, record, reason, message, excerpt FROM quarantine"
        args: list[Any] = []
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args.append(run_id)
        sql += " ORDER BY file, record, reason"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            Quarantined(file, record, ReasonCode(reason), message or "", excerpt or "")
            for file, record, reason, message, excerpt in self._con.execute(sql, args).fetchall()
        ]

    # -- analysis and scores ------------------------------------------------------------------

    def save_analysis(self, annotated: Iterable[AnnotatedConversation]) -> None:
        """Replace ``turn_sentiment`` and ``trajectories`` of each annotated conversation."""
        items = {a.id: a for a in annotated}
        sentiment: list[rows.Row] = []
        trajectories: list[rows.Row] = []
        for item in items.values():
            turn_rows, trajectory_rows = rows.analysis_rows(item)
            sentiment += turn_rows
            trajectories += trajectory_rows
        with self.transaction():
            self._delete_for("turn_sentiment", "conversation_id", list(items))
            self._delete_for("trajectories", "conversation_id", list(items))
            self._insert("turn_sentiment", rows.TURN_SENTIMENT_COLUMNS, sentiment)
            self._insert("trajectories", rows.TRAJECTORY_COLUMNS, trajectories)

    def save_scores(self, results: Iterable[ConversationScores]) -> None:
        """Replace ``scores``, ``findings`` and operations facts of each (conversation, rubric version)."""
        items = {(r.conversation_id, r.rubric_version): r for r in results}
        by_version: dict[str, list[str]] = {}
        scores: list[rows.Row] = []
        findings: list[rows.Row] = []
        operations: dict[str, list[rows.Row]] = {table: [] for table in rows.OPERATIONS_COLUMNS}
        for (cid, version), result in items.items():
            by_version.setdefault(version, []).append(cid)
            score_rows, finding_rows = rows.score_rows(result)
            scores += score_rows
            findings += finding_rows
            for table, found in rows.operations_rows(result).items():
                operations[table] += found
        with self.transaction():
            for version, ids in by_version.items():
                for table in ("scores", "findings", *rows.OPERATIONS_COLUMNS):
                    self._delete_for(table, "conversation_id", ids, " AND rubric_version = ?", version)
            self._insert("scores", rows.SCORE_COLUMNS, scores)
            self._insert("findings", rows.FINDING_COLUMNS, findings)
            for table, columns in rows.OPERATIONS_COLUMNS.items():
                self._insert(table, columns, operations[table])

    # -- work left to do ----------------------------------------------------------------------

    def conversations_needing_work(self, rubric_version: str) -> list[str]:
        """Ids with no stored analysis, or scored only under rubric versions other than this one.

        Analysis and scores of a conversation are committed together, so "has analysis" means
        "done": ids of an interrupted run's unstored batches come back here. By start time, id.
        """
        found = self._con.execute(_NEEDS_WORK_SQL, [rubric_version, rubric_version]).fetchall()
        return [cid for (cid,) in found]

    def conversation_ids(self) -> list[str]:
        """Every stored conversation id, by start time then id."""
        found = self._con.execute("SELECT id FROM conversations ORDER BY started_at NULLS LAST, id")
        return [cid for (cid,) in found.fetchall()]

    # -- journeys -----------------------------------------------------------------------------

    def contact_spans(self, customer_ids: Iterable[str] | None = None) -> list[ContactSpan]:
        """Journey inputs for the given customers (all customers when None)."""
        sql = "SELECT id, customer_id, started_at, ended_at FROM conversations WHERE customer_id IS NOT NULL"
        args: list[Any] = []
        if customer_ids is not None:
            sql += " AND customer_id IN (SELECT unnest(?::VARCHAR[]))"
            args.append(list(customer_ids))
        return [
            ContactSpan(cid, customer, rows.utc_time(start), rows.utc_time(end))
            for cid, customer, start, end in self._con.execute(sql + " ORDER BY id", args).fetchall()
        ]

    def newest_contact_time(self) -> datetime | None:
        """The latest start or end time of any stored conversation (UTC), or None."""
        sql = "SELECT max(greatest(started_at, coalesce(ended_at, started_at))) FROM conversations"
        return rows.utc_time(self._scalar(sql))

    def customers_needing_journeys(self) -> set[str]:
        """Customers whose stored journeys are missing, stale or incomplete (``_STALE_JOURNEYS_SQL``).

        Includes ``journey_todo``: customers whose contacts changed since their journeys were
        built (a run killed before rebuilding them leaves them there).
        """
        return {customer for (customer,) in self._con.execute(_STALE_JOURNEYS_SQL).fetchall()}

    def all_customers(self) -> set[str]:
        """Every customer with a stored conversation or journey."""
        sql = (
            "SELECT customer_id FROM conversations WHERE customer_id IS NOT NULL "
            "UNION SELECT customer_id FROM journeys"
        )
        return {customer for (customer,) in self._con.execute(sql).fetchall()}

    def censored_journey_customers(self) -> set[str]:
        """Customers with a journey still open at the newest data (to rebuild as data arrives)."""
        found = self._con.execute("SELECT DISTINCT customer_id FROM journeys WHERE right_censored")
        return {customer for (customer,) in found.fetchall()}

    def replace_journeys(self, journeys: Iterable[Journey], customer_ids: Iterable[str] | None = None) -> int:
        """Replace all journeys of the customers in ``journeys`` and ``customer_ids``.

        Pass ``customer_ids`` to also clear customers who no longer have any journey.
        Returns the number of journeys stored.
        """
        items = list(journeys)
        customers = sorted({j.customer_id for j in items} | set(customer_ids or ()))
        heads, contacts = rows.journey_rows(items)
        with self.transaction():
            if customers:
                self._con.execute(
                    "DELETE FROM journey_contacts WHERE journey_id IN (SELECT journey_id FROM journeys "
                    "WHERE customer_id IN (SELECT unnest(?::VARCHAR[])))",
                    [customers],
                )
                self._delete_for("journeys", "customer_id", customers)
            self._insert("journeys", rows.JOURNEY_COLUMNS, heads)
            self._insert("journey_contacts", rows.JOURNEY_CONTACT_COLUMNS, contacts)
            self._delete_for("journey_todo", "customer_id", customers)
        return len(heads)

    def load_journeys(self, customer_ids: Iterable[str] | None = None) -> list[JourneyWithContinuations]:
        """Stored journeys (of the given customers), by customer then start."""
        sql = (
            "SELECT j.journey_id, j.customer_id, j.started_at, j.ended_at, j.contacts, j.continuations, "
            "j.repeat_contacts, j.right_censored, array_agg(c.conversation_id ORDER BY c.position), "
            "array_agg(c.is_continuation ORDER BY c.position) "
            "FROM journeys j LEFT JOIN journey_contacts c USING (journey_id)"
        )
        args: list[Any] = []
        if customer_ids is not None:
            sql += " WHERE j.customer_id IN (SELECT unnest(?::VARCHAR[]))"
            args.append(list(customer_ids))
        sql += (
            " GROUP BY j.journey_id, j.customer_id, j.started_at, j.ended_at, j.contacts, j.continuations, "
            "j.repeat_contacts, j.right_censored ORDER BY j.customer_id, j.started_at, j.journey_id"
        )
        return [_journey_from_row(*row) for row in self._con.execute(sql, args).fetchall()]

    def journeys_for(self, conversation_ids: Iterable[str]) -> list[JourneyWithContinuations]:
        """The stored journeys that contain any of ``conversation_ids``."""
        wanted = set(conversation_ids)
        found = self._con.execute(
            "SELECT DISTINCT j.customer_id FROM journeys j JOIN journey_contacts c USING (journey_id) "
            "WHERE c.conversation_id IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(wanted)],
        ).fetchall()
        return [
            j for j in self.load_journeys([c for (c,) in found]) if wanted.intersection(j.conversation_ids)
        ]
