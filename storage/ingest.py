"""Ingest export files into the store and account for every record read.

``ingest_paths`` reads each input file with ``transcripts.read.read_path`` and commits it in
one transaction: a file that fails part-way (an I/O error) leaves nothing half-stored and is
retried by the next run. Files whose path and content hash an earlier run already ingested
are skipped (the watermark) unless ``full=True``.

Every record read is exactly one of *stored* (a new or changed conversation), *quarantined*
or a *duplicate*: a redelivery the reader dropped, the same conversation id seen earlier in
this run (the later record wins), or a conversation already stored with the same content.
``RunSummary`` checks ``read == stored + quarantined + duplicates``. Afterwards the journeys
of the customers whose contacts changed (and of journeys still open) are rebuilt; so are those of
customers whose journeys an earlier, killed run left stale or missing (``--full``: all).
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privacy.conversations import redact_message, redact_results
from storage.admission import PlausibleDates, admit
from storage.dialect import database_errors
from storage.store import Store
from transcripts.journeys import build_journeys
from transcripts.model import Conversation, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import iter_input_files, read_path
from transcripts.readers.base import DuplicateRecord, get_reader
from transcripts.readers.csv_turns import load_columns
from transcripts.roles_infer import check_mapping
from transcripts.textio import storable

log = logging.getLogger(__name__)

BATCH_SIZE = 500
QUARANTINE_SAMPLE = 20
UNKNOWN_FORMAT = "unknown"


class OptionsError(ValueError):
    """The caller asked for something impossible: an unknown format, a broken CSV column file."""


class AccountingError(RuntimeError):
    """The run's counts do not add up: a bug in ingest, never a property of the input."""


@dataclass(frozen=True)
class FileProgress:
    """Where a run is: sent before each file (``status="reading"``) and after it.

    ``status`` after a file: ``ok``, ``skipped`` (unchanged since an earlier run) or
    ``failed`` (rolled back, quarantined as one record, retried next run).
    """

    path: Path
    done: int
    total: int
    status: str
    read: int = 0
    quarantined: int = 0


@dataclass
class RunSummary:
    """What one ingest run did. ``stored`` = ``new`` + ``changed``."""

    read: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicates: int = 0
    files: int = 0
    skipped_files: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    by_format: dict[str, int] = field(default_factory=dict)
    run_id: str = ""
    db_path: str = ""
    seconds: float = 0.0
    new: int = 0
    changed: int = 0
    failed_files: int = 0
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    journeys: int = 0
    quarantine_sample: list[Quarantined] = field(default_factory=list)
    stored_ids: list[str] = field(default_factory=list)  # new or changed: what to analyse next

    @property
    def invariant_holds(self) -> bool:
        """``read == stored + quarantined + duplicates``."""
        return self.read == self.stored + self.quarantined + self.duplicates

    def invariant_text(self) -> str:
        """The invariant with this run's numbers, e.g. ``read 10 = stored 7 + ...``."""
        sign = "=" if self.invariant_holds else "≠"
        return (
            f"read {self.read} {sign} stored {self.stored} + quarantined {self.quarantined} "
            f"+ duplicates {self.duplicates}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (kept in ``runs.details``), without ``stored_ids``."""
        data = asdict(self)
        del data["stored_ids"]  # can be long; the conversations table has updated_run
        data["quarantine_sample"] = [
            {"file": q.file, "record": q.record, "reason": q.reason.value, "message": q.message}
            for q in self.quarantine_sample
        ]
        data["invariant_holds"] = self.invariant_holds
        return data


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 of the file's bytes, read in chunks, and its size."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return digest, path.stat().st_size


@dataclass
class _Ledger:
    """Per-record accounting of a run, or of one file before it is merged into the run."""

    read: int = 0
    quarantined: int = 0
    reader_duplicates: int = 0
    in_run_duplicates: int = 0
    before: dict[str, str | None] = field(default_factory=dict)  # id -> hash before the run
    latest: dict[str, str] = field(default_factory=dict)  # id -> hash stored by this run
    customers: set[str] = field(default_factory=set)  # whose journeys may have changed
    by_reason: Counter[str] = field(default_factory=Counter)
    by_format: Counter[str] = field(default_factory=Counter)
    quarantine: list[Quarantined] = field(default_factory=list)

    def merge(self, other: _Ledger) -> None:
        """Add a committed file's accounting to the run's."""
        self.read += other.read
        self.quarantined += other.quarantined
        self.reader_duplicates += other.reader_duplicates
        self.in_run_duplicates += other.in_run_duplicates
        self.before.update(other.before)
        self.latest.update(other.latest)
        self.customers |= other.customers
        self.by_reason.update(other.by_reason)
        self.by_format.update(other.by_format)
        self.quarantine.extend(other.quarantine)

    def add_quarantined(self, entry: Quarantined) -> None:
        """Count one quarantined record."""
        self.read += 1
        self.quarantined += 1
        self.by_reason[entry.reason.value] += 1
        self.quarantine.append(entry)


class _FileFailedError(Exception):
    """A file could not be read to the end; its partial results are rolled back."""

    def __init__(self, entry: Quarantined) -> None:
        super().__init__(str(entry))
        self.entry = entry


class _FileIngest:
    """Reads one file into the store inside the caller's transaction."""

    def __init__(self, store: Store, run_id: str, run: _Ledger, batch_size: int) -> None:
        self.store = store
        self.run_id = run_id
        self.run = run
        self.batch_size = batch_size
        self.work = _Ledger()
        self.pending: dict[str, tuple[Conversation, str]] = {}
        self.formats: Counter[str] = Counter()

    def add(self, conversation: Conversation) -> None:
        """Queue a conversation; an id already seen in this run is a duplicate, the later wins."""
        self.work.read += 1
        content_hash = conversation.content_hash()
        if conversation.source_format:
            self.formats[conversation.source_format] += 1
        seen = self._latest_hash(conversation.id)
        if seen is not None:
            self.work.in_run_duplicates += 1
            if seen == content_hash:
                return
        self.pending[conversation.id] = (conversation, content_hash)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def _latest_hash(self, conversation_id: str) -> str | None:
        """Hash of the version of ``conversation_id`` this run holds so far, if any."""
        if conversation_id in self.pending:
            return self.pending[conversation_id][1]
        return self.work.latest.get(conversation_id, self.run.latest.get(conversation_id))

    def flush(self) -> None:
        """Upsert the queued conversations."""
        if not self.pending:
            return
        result = self.store.upsert_conversations((c for c, _ in self.pending.values()), self.run_id)
        for cid, (_, content_hash) in self.pending.items():
            if cid not in self.run.before and cid not in self.work.before:
                previous = result.previous.get(cid)
                self.work.before[cid] = previous.content_hash if previous else None
            self.work.latest[cid] = content_hash
        for cid in (*result.new_ids, *result.changed_ids):
            previous = result.previous.get(cid)
            customers = {self.pending[cid][0].customer_id, previous.customer_id if previous else None}
            self.work.customers |= {c for c in customers if c}
        self.pending.clear()


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    format: str | None = None,
    csv_columns: str | Path | None = None,
    full: bool = False,
    on_progress: Callable[[FileProgress], None] | None = None,
    batch_size: int = BATCH_SIZE,
    plausible: PlausibleDates | None = None,
    speakers: str | Path | None = None,
) -> RunSummary:
    """Ingest files and folders into ``store``; returns the run summary (also kept in ``runs``).

    ``format`` forces a reader instead of detection; ``csv_columns`` is a YAML file of CSV
    header aliases; ``speakers`` a YAML file mapping speaker labels to roles for the readers of
    sources without roles (``transcripts.roles_infer``; else a ``speakers.yaml`` beside a file);
    ``full`` re-reads files the watermark would skip; ``plausible`` is the range of
    contact times kept (default: ``storage/ingest.yaml`` from the run's start). Bad input never raises:
    it is quarantined and counted (a path that does not exist too). Bad options raise
    ``OptionsError`` before the run starts; ``AccountingError`` means the counts do not add up.
    """
    mapping = check_options(format, csv_columns, speakers)
    started = time.perf_counter()
    run_id = store.start_run("ingest")
    plausible = plausible or PlausibleDates.load()
    if plausible.now is None:
        plausible = plausible.at(datetime.now(UTC))
    run = _Ledger()
    summary = RunSummary(run_id=run_id, db_path=store.path)
    files = _without_store_files(iter_input_files(paths), store)
    summary.files = len(files)
    for done, path in enumerate(files):
        if on_progress:
            on_progress(FileProgress(path, done, len(files), "reading"))
        status, ledger = _ingest_one(
            path, store, run_id, run, format, csv_columns, full, batch_size, plausible, mapping
        )
        run.merge(ledger)
        summary.skipped_files += status == "skipped"
        summary.failed_files += status == "failed"
        if on_progress:
            on_progress(FileProgress(path, done + 1, len(files), status, ledger.read, ledger.quarantined))
    _tally(run, summary)
    summary.journeys = _rebuild_journeys(store, store.all_customers() if full else run.customers)
    summary.seconds = round(time.perf_counter() - started, 3)
    store.finish_run(run_id, summary)
    if not summary.invariant_holds:
        raise AccountingError(f"run {run_id}: {summary.invariant_text()}")
    return summary


def _without_store_files(files: list[Path], store: Store) -> list[Path]:
    """``files`` minus the store's own database and write-ahead log (a --db inside an input folder)."""
    if store.path == ":memory:" or store.dialect != "duckdb":
        return files
    database = Path(store.path).resolve()
    own = {database, database.with_name(database.name + ".wal")}
    return [f for f in files if f.resolve() not in own]


def check_options(
    format: str | None, csv_columns: str | Path | None, speakers: str | Path | None = None
) -> Mapping[str, dict[str, Role]] | None:
    """Raise ``OptionsError`` for an unknown ``format`` or an unusable ``csv_columns`` or ``speakers`` file.

    Returns the loaded speakers mapping (None without one).
    """
    if format is not None:
        try:
            get_reader(format)
        except KeyError as exc:
            raise OptionsError(exc.args[0]) from None
    if csv_columns is not None:
        try:
            load_columns(Path(csv_columns))
        except (OSError, ValueError) as exc:
            raise OptionsError(f"cannot use CSV column file {csv_columns}: {exc}") from None
    if speakers is None:
        return None
    try:
        return check_mapping(speakers)
    except ValueError as exc:
        raise OptionsError(str(exc)) from None  # names the file and what is wrong


def _ingest_one(
    path: Path,
    store: Store,
    run_id: str,
    run: _Ledger,
    format: str | None,
    csv_columns: str | Path | None,
    full: bool,
    batch_size: int,
    plausible: PlausibleDates,
    speakers: Mapping[str, dict[str, Role]] | None = None,
) -> tuple[str, _Ledger]:
    """Ingest one file in one transaction; returns its status and its accounting."""
    key = storable(str(path.resolve()))
    try:
        digest, size = file_digest(path)
    except OSError as exc:
        return "failed", _failed(store, run_id, path, key, None, None, f"cannot read file: {exc}")
    if not full and store.file_seen(key, digest):
        return "skipped", _Ledger()
    job = _FileIngest(store, run_id, run, batch_size)
    entries: list[Quarantined] = []
    try:
        with store.transaction():
            # Personal data is redacted here, before anything is stored (privacy/policy.yaml).
            results = read_path(path, format=format, csv_columns=csv_columns, speakers=speakers)
            for result in redact_results(results, store):
                if isinstance(result, Conversation):
                    problem = admit(result, plausible)
                    if problem is None:
                        job.add(result)
                    else:
                        entries.append(problem)
                elif isinstance(result, DuplicateRecord):
                    job.work.read += 1
                    job.work.reader_duplicates += 1
                elif result.reason is ReasonCode.IO_ERROR:
                    raise _FileFailedError(result)
                else:
                    entries.append(result)
            job.flush()
            file_format = format or _main_format(job.formats)
            for entry in entries:
                job.work.add_quarantined(entry)
            job.work.by_format[file_format] += job.work.read
            store.forget_quarantine(str(path), keep=entries)
            store.add_quarantine(entries, run_id)
            store.mark_file(key, digest, size, file_format, run_id, "ok")
    except _FileFailedError as failure:
        return "failed", _failed(store, run_id, path, key, digest, size, failure.entry.message)
    except OSError as exc:
        return "failed", _failed(store, run_id, path, key, digest, size, f"read failed part-way: {exc}")
    except database_errors():
        raise  # the store failing is not a property of the input
    except Exception as exc:  # a reader bug must not stop the run or half-commit the file
        # The exception's text may quote the record: only its redacted form is logged, and the
        # traceback's frames (code locations, no data) at debug level.
        log.error("reader failed on %s: %s: %s", path, type(exc).__name__, redact_message(str(exc)))
        log.debug("reader traceback:\n%s", "".join(traceback.format_tb(exc.__traceback__)))
        return "failed", _failed(
            store,
            run_id,
            path,
            key,
            digest,
            size,
            f"reader failed: {type(exc).__name__}: {exc}",
            ReasonCode.INVALID_RECORD,
        )
    return "ok", job.work


def _failed(
    store: Store,
    run_id: str,
    path: Path,
    key: str,
    digest: str | None,
    size: int | None,
    message: str,
    reason: ReasonCode = ReasonCode.IO_ERROR,
) -> _Ledger:
    """Quarantine a whole file as one record and mark it for retry; nothing else is kept."""
    entry = Quarantined(str(path), "file", reason, redact_message(message))
    ledger = _Ledger()
    ledger.add_quarantined(entry)
    ledger.by_format[UNKNOWN_FORMAT] += 1
    with store.transaction():
        store.add_quarantine([entry], run_id)
        if digest is not None:
            store.mark_file(key, digest, size, None, run_id, "error")
    return ledger


def _main_format(formats: Counter[str]) -> str:
    """The format most of a file's conversations came from."""
    return formats.most_common(1)[0][0] if formats else UNKNOWN_FORMAT


def _tally(run: _Ledger, summary: RunSummary) -> None:
    """Fill the summary's counts from the run's accounting."""
    new = [cid for cid in run.latest if run.before.get(cid) is None]
    changed = [cid for cid, h in run.latest.items() if run.before.get(cid) not in (None, h)]
    summary.new, summary.changed = len(new), len(changed)
    summary.stored_ids = sorted([*new, *changed])
    unchanged = len(run.latest) - summary.new - summary.changed
    summary.stored = summary.new + summary.changed
    summary.read = run.read
    summary.quarantined = run.quarantined
    summary.duplicates_by_kind = {
        "reader": run.reader_duplicates,
        "in_run": run.in_run_duplicates,
        "already_stored": unchanged,
    }
    summary.duplicates = sum(summary.duplicates_by_kind.values())
    summary.by_reason = dict(sorted(run.by_reason.items()))
    summary.by_format = dict(sorted(run.by_format.items()))
    summary.quarantine_sample = run.quarantine[:QUARANTINE_SAMPLE]


def _rebuild_journeys(store: Store, customers: set[str]) -> int:
    """Rebuild the journeys of ``customers`` and of every customer whose journeys are stale.

    Stale: missing or incomplete (an earlier run was killed before rebuilding them); when
    anything is rebuilt, every journey still open is rebuilt too.
    """
    touched = customers | store.customers_needing_journeys()
    if not touched:
        return 0
    touched |= store.censored_journey_customers()
    journeys = build_journeys(store.contact_spans(sorted(touched)), newest=store.newest_contact_time())
    return store.replace_journeys(journeys, customer_ids=touched)
