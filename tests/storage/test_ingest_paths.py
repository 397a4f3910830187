"""Ingest: counting, idempotent re-runs, latest-wins, watermark, per-file commits, journeys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.ingest as ingest_module
from storage.admission import PlausibleDates
from storage.ingest import FileProgress, OptionsError, RunSummary, ingest_paths
from storage.store import Store
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import read_path
from transcripts.readers.base import ReadResult

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
RUN_IDENTITY = {"run_id", "started_at", "finished_at", "details", "host", "pid", "status"}

BAD_JSON = '{"id": "broken", "channel": chat, "turns": []}'
EMPTY_TURN = {"id": "empty", "channel": "chat", "turns": [{"role": "customer", "text": "   "}]}


@pytest.fixture
def exports(tmp_path: Path, conversation_factory, jsonl_writer) -> Path:
    """Two days of exports: 4 conversations, 2 bad records, 1 redelivery of identical content."""
    folder = tmp_path / "exports"
    c1, c2, c3, c4 = (
        conversation_factory(f"c{i}", customer=f"cust-{i % 2}", start=T0 + timedelta(days=i))
        for i in range(1, 5)
    )
    jsonl_writer(folder / "day1.jsonl", [c1, c2, BAD_JSON, c3])
    jsonl_writer(folder / "day2.jsonl", [c4, EMPTY_TURN, c1])
    return folder


def check(summary: RunSummary, read: int, stored: int, quarantined: int, duplicates: int) -> None:
    assert (summary.read, summary.stored, summary.quarantined, summary.duplicates) == (
        read,
        stored,
        quarantined,
        duplicates,
    )
    assert summary.invariant_holds
    assert summary.read == summary.stored + summary.quarantined + summary.duplicates


def test_first_ingest_counts_every_record(store: Store, exports: Path, db_path: Path) -> None:
    summary = ingest_paths([exports], store)
    check(summary, read=7, stored=4, quarantined=2, duplicates=1)
    assert summary.duplicates_by_kind == {"reader": 0, "in_run": 1, "already_stored": 0}
    assert (summary.new, summary.changed) == (4, 0)
    assert summary.stored_ids == ["c1", "c2", "c3", "c4"]
    assert summary.by_reason == {"empty_turn": 1, "invalid_json": 1}
    assert summary.by_format == {"json": 7}
    assert (summary.files, summary.skipped_files, summary.failed_files) == (2, 0, 0)
    assert summary.db_path == str(db_path)
    assert sorted(c.id for c in store.load_conversations()) == ["c1", "c2", "c3", "c4"]
    assert {(q.file, q.reason) for q in summary.quarantine_sample} == {
        (str(exports / "day1.jsonl"), ReasonCode.INVALID_JSON),
        (str(exports / "day2.jsonl"), ReasonCode.EMPTY_TURN),
    }
    run = store.connection.execute(
        "SELECT run_id, kind, read, stored, quarantined, duplicates, details->>'$.invariant_holds' FROM runs"
    ).fetchall()
    assert run == [(summary.run_id, "ingest", 7, 4, 2, 1, "true")]


def test_reingest_changes_no_table_contents(store: Store, exports: Path, dump_tables) -> None:
    ingest_paths([exports], store)
    before = dump_tables(store, skip={"runs": RUN_IDENTITY})
    again = ingest_paths([exports], store)
    check(again, read=0, stored=0, quarantined=0, duplicates=0)
    assert again.skipped_files == 2
    after = dump_tables(store, skip={"runs": RUN_IDENTITY})
    assert sorted(after.pop("runs")) == sorted([*before.pop("runs"), ("ingest", 0, 0, 0, 0)])
    assert after == before


def test_full_reingest_changes_no_table_contents(store: Store, exports: Path, dump_tables) -> None:
    ingest_paths([exports], store)
    skip = {
        "runs": {"run_id", "started_at", "finished_at", "details", "read", "duplicates"},
        "source_files": {"last_run"},
    }
    before = dump_tables(store, skip=skip)
    again = ingest_paths([exports], store, full=True)
    check(again, read=7, stored=0, quarantined=2, duplicates=5)
    assert again.duplicates_by_kind == {"reader": 0, "in_run": 1, "already_stored": 4}
    assert again.stored_ids == []
    after = dump_tables(store, skip=skip)
    assert len(after.pop("runs")) == len(before.pop("runs")) + 1
    assert after == before
    assert after["quarantine"] and after["journeys"]


def test_same_conversation_delivered_twice_the_later_wins(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    old = conversation_factory("c1", texts=("first version",))
    new = conversation_factory("c1", texts=("second version", "with a reply"))
    jsonl_writer(tmp_path / "in" / "a.jsonl", [old])
    jsonl_writer(tmp_path / "in" / "b.jsonl", [new])
    summary = ingest_paths([tmp_path / "in"], store)
    check(summary, read=2, stored=1, quarantined=0, duplicates=1)
    assert [c.turns[0].text for c in store.load_conversations()] == ["second version"]
    assert store.connection.execute("SELECT count(*) FROM turns").fetchall() == [(2,)]
    # and within one file
    jsonl_writer(tmp_path / "one" / "c.jsonl", [new, old])
    summary = ingest_paths([tmp_path / "one"], store)
    check(summary, read=2, stored=1, quarantined=0, duplicates=1)
    assert (summary.new, summary.changed) == (0, 1)
    assert [c.turns[0].text for c in store.load_conversations()] == ["first version"]


def test_changed_content_in_a_later_run_is_stored(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    path = jsonl_writer(tmp_path / "a.jsonl", [conversation_factory("c1"), conversation_factory("c2")])
    ingest_paths([path], store)
    jsonl_writer(path, [conversation_factory("c1"), conversation_factory("c2", texts=("edited",))])
    summary = ingest_paths([path], store)
    check(summary, read=2, stored=1, quarantined=0, duplicates=1)
    assert (summary.new, summary.changed, summary.skipped_files) == (0, 1, 0)
    assert summary.stored_ids == ["c2"]


def test_quarantine_not_duplicated_and_cleared_when_fixed(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    path = jsonl_writer(tmp_path / "a.jsonl", [conversation_factory("c1"), BAD_JSON, EMPTY_TURN])
    first = ingest_paths([path], store)
    ingest_paths([path], store, full=True)
    ingest_paths([path], store, full=True)
    entries = store.quarantine_entries()
    assert len(entries) == 2
    assert store.quarantine_entries(run_id=first.run_id) == entries
    jsonl_writer(path, [conversation_factory("c1"), EMPTY_TURN])  # the broken line was fixed
    ingest_paths([path], store)
    assert [q.reason for q in store.quarantine_entries()] == [ReasonCode.EMPTY_TURN]


def test_watermark_skips_unchanged_files_and_full_rereads(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    a = jsonl_writer(tmp_path / "in" / "a.jsonl", [conversation_factory("a")])
    jsonl_writer(tmp_path / "in" / "b.jsonl", [conversation_factory("b")])
    assert ingest_paths([tmp_path / "in"], store).skipped_files == 0
    assert ingest_paths([tmp_path / "in"], store).skipped_files == 2
    jsonl_writer(a, [conversation_factory("a"), conversation_factory("a2")])
    summary = ingest_paths([tmp_path / "in"], store)
    assert (summary.skipped_files, summary.read, summary.stored, summary.duplicates) == (1, 2, 1, 1)
    summary = ingest_paths([tmp_path / "in"], store, full=True)
    assert (summary.skipped_files, summary.read, summary.duplicates) == (0, 3, 3)
    rows = store.connection.execute("SELECT path, status FROM source_files ORDER BY path").fetchall()
    assert [(Path(p).name, s) for p, s in rows] == [("a.jsonl", "ok"), ("a.jsonl", "ok"), ("b.jsonl", "ok")]


def _failing_midway(fail_on: str, raise_error: bool):
    """The real ``read_path``, with an I/O failure injected after the second result of one file.

    Without ``raise_error`` it yields what ``read_path`` yields when the disk fails under it
    (an ``IO_ERROR`` entry); with it, it raises ``OSError`` straight through.
    """

    def read(path: Path, **options: object) -> Iterator[ReadResult]:
        for n, result in enumerate(read_path(path, **options), start=1):  # type: ignore[arg-type]
            yield result
            if Path(path).name == fail_on and n == 2:
                if raise_error:
                    raise OSError(5, "Input/output error")
                yield Quarantined(str(path), "after result 2", ReasonCode.IO_ERROR, "Input/output error")
                return

    return read


@pytest.mark.parametrize("raise_error", [False, True], ids=["io-error-entry", "os-error"])
def test_io_error_midway_rolls_back_the_file(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer, monkeypatch, raise_error: bool
) -> None:
    jsonl_writer(tmp_path / "in" / "a_good.jsonl", [conversation_factory("g1"), conversation_factory("g2")])
    jsonl_writer(tmp_path / "in" / "b_bad.jsonl", [conversation_factory(f"b{i}") for i in range(4)])
    monkeypatch.setattr(ingest_module, "read_path", _failing_midway("b_bad.jsonl", raise_error))
    summary = ingest_paths([tmp_path / "in"], store)
    check(summary, read=3, stored=2, quarantined=1, duplicates=0)
    assert summary.failed_files == 1
    assert sorted(c.id for c in store.load_conversations()) == ["g1", "g2"]
    assert [(Path(q.file).name, q.reason) for q in store.quarantine_entries()] == [
        ("b_bad.jsonl", ReasonCode.IO_ERROR)
    ]
    status = store.connection.execute("SELECT status FROM source_files ORDER BY path").fetchall()
    assert status == [("ok",), ("error",)]
    monkeypatch.undo()  # the disk is back: the failed file is retried, the good one skipped
    retry = ingest_paths([tmp_path / "in"], store)
    check(retry, read=4, stored=4, quarantined=0, duplicates=0)
    assert retry.skipped_files == 1
    assert len(list(store.load_conversations())) == 6


def test_missing_and_unreadable_inputs_are_quarantined(store: Store, tmp_path: Path) -> None:
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "notes.md").write_text("# not a transcript\n\n| a | b |\n")
    summary = ingest_paths([tmp_path / "missing.jsonl", tmp_path / "junk.bin", tmp_path / "notes.md"], store)
    assert summary.quarantined == summary.read == 3
    assert summary.invariant_holds
    reasons = {Path(q.file).name: q.reason for q in store.quarantine_entries()}
    assert reasons["missing.jsonl"] is ReasonCode.IO_ERROR
    assert reasons["junk.bin"] in (ReasonCode.BINARY, ReasonCode.BAD_ENCODING)
    assert reasons["notes.md"] is ReasonCode.UNKNOWN_FORMAT


def test_bad_options_are_refused_before_a_run(store: Store, tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="valid formats"):
        ingest_paths([tmp_path], store, format="no-such-format")
    broken = tmp_path / "columns.yaml"
    broken.write_text("columns:\n  no_such_field: [x]\n")
    with pytest.raises(OptionsError, match="no_such_field"):
        ingest_paths([tmp_path], store, csv_columns=broken)
    assert store.connection.execute("SELECT count(*) FROM runs").fetchall() == [(0,)]


def test_forced_format_and_csv_columns(store: Store, tmp_path: Path) -> None:
    columns = tmp_path / "columns.yaml"
    columns.write_text(
        "columns:\n  conversation_id: [ticket]\n  role: [who]\n  text: [said]\n  customer_id: [client]\n"
    )
    export = tmp_path / "export.txt"
    export.write_text(
        "ticket,who,said,client\nT1,customer,My order is late,k9\nT1,agent,Sorry about that,k9\n"
    )
    summary = ingest_paths([export], store, format="csv", csv_columns=columns)
    check(summary, read=1, stored=1, quarantined=0, duplicates=0)
    (conversation,) = store.load_conversations()
    assert (conversation.id, conversation.customer_id, len(conversation.turns)) == ("T1", "k9", 2)
    assert summary.by_format == {"csv": 1}


def test_progress_reports_each_file(store: Store, exports: Path) -> None:
    seen: list[FileProgress] = []
    ingest_paths([exports], store, on_progress=seen.append)
    assert [(p.path.name, p.done, p.total, p.status) for p in seen] == [
        ("day1.jsonl", 0, 2, "reading"),
        ("day1.jsonl", 1, 2, "ok"),
        ("day2.jsonl", 1, 2, "reading"),
        ("day2.jsonl", 2, 2, "ok"),
    ]
    assert (seen[1].read, seen[1].quarantined) == (4, 1)


def test_journeys_are_built_for_touched_customers(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    day = [
        conversation_factory("a1", "alice", start=T0),
        conversation_factory("a2", "alice", start=T0 + timedelta(minutes=20)),  # continuation of a1
        conversation_factory("a3", "alice", start=T0 + timedelta(days=2)),
        conversation_factory("b1", "bob", start=T0 + timedelta(days=1)),
        conversation_factory("n1", None),
    ]
    jsonl_writer(tmp_path / "in" / "day.jsonl", day)
    plausible = PlausibleDates(now=T0 + timedelta(days=30))  # the run happens after the data
    summary = ingest_paths([tmp_path / "in"], store, plausible=plausible)
    assert summary.journeys == 2
    alice, bob = store.load_journeys()
    assert (alice.conversation_ids, alice.contacts, alice.continuations, alice.right_censored) == (
        ["a1", "a2", "a3"],
        2,
        1,
        True,
    )
    assert alice.is_continuation == [False, True, False]
    assert (bob.conversation_ids, bob.right_censored) == (["b1"], True)
    # data from three weeks later settles both windows and starts a new journey for bob
    jsonl_writer(
        tmp_path / "in" / "later.jsonl", [conversation_factory("b2", "bob", start=T0 + timedelta(days=21))]
    )
    ingest_paths([tmp_path / "in"], store, plausible=plausible)
    assert [(j.conversation_ids, j.right_censored) for j in store.load_journeys()] == [
        (["a1", "a2", "a3"], False),
        (["b1"], False),
        (["b2"], True),
    ]


def test_thousand_conversations_ingest_in_seconds(
    store: Store, tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    convs = [
        conversation_factory(f"c{i:04d}", customer=f"cust-{i % 250}", start=T0 + timedelta(hours=i))
        for i in range(1000)
    ]
    jsonl_writer(tmp_path / "big.jsonl", convs)
    started = time.perf_counter()
    plausible = PlausibleDates(now=T0 + timedelta(days=60))
    summary = ingest_paths([tmp_path / "big.jsonl"], store, plausible=plausible)
    seconds = time.perf_counter() - started
    check(summary, read=1000, stored=1000, quarantined=0, duplicates=0)
    assert summary.journeys > 250
    assert seconds < 20, seconds


VENDOR_FIXTURES = Path(__file__).resolve().parents[1] / "readers" / "fixtures" / "vendor"


@pytest.mark.skipif(not VENDOR_FIXTURES.is_dir(), reason="reader fixtures not present")
def test_vendor_exports_reingest_idempotently(store: Store, dump_tables) -> None:
    first = ingest_paths([VENDOR_FIXTURES], store)
    assert first.invariant_holds and first.stored > 0 and first.quarantined > 0
    skip = {
        "runs": {
            "run_id",
            "started_at",
            "finished_at",
            "details",
            "read",
            "stored",
            "quarantined",
            "duplicates",
        },
        "source_files": {"last_run"},
    }
    before = dump_tables(store, skip=skip)
    again = ingest_paths([VENDOR_FIXTURES], store, full=True)
    assert (again.read, again.stored, again.quarantined) == (first.read, 0, first.quarantined)
    assert again.invariant_holds
    after = dump_tables(store, skip=skip)
    after.pop("runs"), before.pop("runs")
    assert after == before


def test_the_store_file_inside_an_input_folder_is_not_ingested(
    tmp_path: Path, conversation_factory, jsonl_writer
) -> None:
    jsonl_writer(tmp_path / "a.jsonl", [conversation_factory("a")])
    with Store(tmp_path / "qa.duckdb") as store:
        ingest_paths([tmp_path], store)
        summary = ingest_paths([tmp_path], store, full=True)
    assert (summary.files, summary.read, summary.quarantined) == (1, 1, 0)
