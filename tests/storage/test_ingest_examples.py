"""The bundled examples through ingest into a DuckDB file: what `make demo` stores first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storage.ingest import RunSummary, ingest_paths
from storage.store import Store
from transcripts.journeys import DEFAULTS
from transcripts.model import Conversation
from transcripts.read import read_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUN_COLUMNS = {"run_id", "started_at", "finished_at", "details", "read", "duplicates"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    db = tmp_path_factory.mktemp("examples") / "qareview.duckdb"
    with Store(db) as store:
        summary = ingest_paths([EXAMPLES], store)
    return db, summary


def test_every_example_record_is_stored_or_quarantined(ingested) -> None:
    db, summary = ingested
    conversations = {r.id for r in read_path(EXAMPLES) if isinstance(r, Conversation)}
    bad_files = [p for p in (EXAMPLES / "bad").iterdir() if p.is_file() and p.suffix != ".md"]
    assert summary.invariant_holds and summary.duplicates == 0
    assert summary.stored == summary.new == len(conversations)
    assert summary.quarantined == len(bad_files)
    assert summary.stored >= 60
    with Store(db, read_only=True) as store:
        assert {c.id for c in store.load_conversations()} == conversations
        files = {row[0] for row in store.connection.execute("SELECT file FROM quarantine").fetchall()}
    assert {Path(f).name for f in files} == {p.name for p in bad_files}


def test_journeys_mark_continuations_repeats_and_right_censoring(ingested) -> None:
    db, _ = ingested
    with Store(db, read_only=True) as store:
        journeys = {j.customer_id: j for j in store.load_journeys()}
        newest = store.newest_contact_time()
    bounced = journeys["cust-1007"]  # dropped mid-transfer, called back within minutes, then kept calling
    assert bounced.conversation_ids == ["C-1101", "C-1102", "C-1103", "C-1201", "C-1202", "C-1301"]
    assert bounced.is_continuation == [False, True, False, False, False, False]
    assert (bounced.contacts, bounced.continuations, bounced.repeat_contacts) == (5, 1, 4)
    dropped = journeys["cust-2054"]
    assert (dropped.conversation_ids, dropped.contacts, dropped.continuations) == (["C-1404", "C-1412"], 1, 1)
    assert newest is not None
    window = timedelta(days=DEFAULTS.window_days)
    for journey in journeys.values():  # a week of data: every window still open is flagged
        assert journey.right_censored == (journey.started_at + window > newest), journey.id
    assert bounced.right_censored


def test_reingesting_the_examples_changes_nothing(ingested, tmp_path: Path, dump_tables) -> None:
    db, first = ingested
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    skip = {"runs": RUN_COLUMNS, "source_files": {"last_run"}}
    with Store(copy) as store:
        before = dump_tables(store, skip=skip)
        skipped = ingest_paths([EXAMPLES], store)
        assert (skipped.read, skipped.stored, skipped.skipped_files) == (0, 0, skipped.files)
        again = ingest_paths([EXAMPLES], store, full=True)
        after = dump_tables(store, skip=skip)
    assert (again.read, again.stored, again.quarantined) == (first.read, 0, first.quarantined)
    assert again.duplicates == first.stored and again.invariant_holds
    assert len(after.pop("runs")) == len(before.pop("runs")) + 2
    assert after == before
