"""An interrupted run, re-run, equals an uninterrupted one; so does a run where single
conversations crash their analysis, once re-run; Dask on 2 workers equals threads;
models load once per process; ``full`` re-does everything and changes nothing.

All runs read the same inbox (so stored paths match) into their own store; store contents
are compared table by table, without run ids.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.faults import FAULT_ENV
from flows.nightly import ARTIFACT_KEY, BatchesFailedError, nightly_review
from flows.run_summary import NightlySummary
from flows.runners import make_task_runner
from rendering.page_ledger import publication_complete, read_records
from tests.flows.flow_helpers import (
    assert_same_store,
    copy_examples,
    dump_store,
    published_site,
    run_artifacts,
    scalar,
)

pytestmark = [pytest.mark.prefect, pytest.mark.models, pytest.mark.slow]

DAYS = ("2026-11-15", "2026-11-16")
BATCH_SIZE = 5  # several batches out of a couple of days
# A lone contact (batch 1) and the middle of cust-1007's three-contact journey (batch 2).
POISONED = ("C-1003", "C-1102")


@dataclass
class Baseline:
    root: Path
    inbox: Path
    db: Path
    summary: NightlySummary


@pytest.fixture(scope="module")
def baseline(flow_env: None, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """One uninterrupted run on the default (thread) runner."""
    root = tmp_path_factory.mktemp("recovery")
    inbox = copy_examples(root / "inbox", *DAYS)
    db = root / "baseline.duckdb"
    out = root / "baseline-out"
    summary = nightly_review(source=str(inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE)
    assert summary.batches >= 3, "too few batches to interrupt one in the middle"
    return Baseline(root, inbox, db, summary)


def test_interrupted_run_then_rerun_equals_uninterrupted(
    baseline: Baseline, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, out = baseline.root / "interrupted.duckdb", baseline.root / "interrupted-out"
    monkeypatch.setenv(FAULT_ENV, "batch:2")
    state = nightly_review(
        source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE, return_state=True
    )
    assert state.is_failed()
    with pytest.raises(BatchesFailedError) as failure:
        state.result()
    broken = failure.value.summary
    assert [b.number for b in broken.failed_batches] == [2]
    assert broken.batches_stored == broken.batches - 1  # the other batches were committed
    failed_size = broken.failed_batches[0].conversations
    assert broken.analysed == baseline.summary.analysed - failed_size
    assert scalar(db, "SELECT count(*) FROM trajectories WHERE leg IS NULL") == broken.analysed
    assert broken.index_path and Path(broken.index_path).is_file()  # the rest was still published
    [artifact] = run_artifacts(state.state_details.flow_run_id, ARTIFACT_KEY)
    assert "1 batch(es) failed" in artifact.data
    assert "Their conversations are picked up by the next run" in artifact.data
    assert dump_store(db) != dump_store(baseline.db)

    monkeypatch.delenv(FAULT_ENV)
    rerun = nightly_review(source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE)
    assert rerun.succeeded
    assert rerun.read == 0  # every file was already ingested: only the missing batch is redone
    assert rerun.analysed == failed_size and rerun.batches == 1
    assert dump_store(db) == dump_store(baseline.db)


def test_publish_interrupted_midway_is_finished_by_the_next_run(
    baseline: Baseline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing dies after three conversation pages; the next run, with nothing new, writes the rest."""
    db, out = baseline.root / "publish-killed.duckdb", baseline.root / "publish-killed-out"
    monkeypatch.setenv(FAULT_ENV, "page:3")
    state = nightly_review(
        source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE, return_state=True
    )
    assert state.is_failed()
    assert not publication_complete(out)
    recorded = read_records(out)
    assert len([k for k in recorded if k.startswith("conversations/")]) == 3
    monkeypatch.delenv(FAULT_ENV)
    rerun = nightly_review(source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE)
    assert rerun.nothing_new and not rerun.unchanged  # published, not taken over from an earlier run
    assert rerun.pages_kept == len(recorded) and rerun.pages_written > 0
    assert publication_complete(out)
    assert published_site(out) == published_site(baseline.root / "baseline-out")


def test_poisoned_conversations_fail_alone_then_rerun_equals_uninterrupted(
    baseline: Baseline, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, out = baseline.root / "poisoned.duckdb", baseline.root / "poisoned-out"
    monkeypatch.setenv(FAULT_ENV, ",".join(f"conversation:{cid}" for cid in POISONED))
    state = nightly_review(
        source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE, return_state=True
    )
    assert state.is_failed()
    with pytest.raises(BatchesFailedError, match=r"2 conversation\(s\) failed \(C-1003, C-1102") as failure:
        state.result()
    broken = failure.value.summary
    assert broken.failed_batches == [] and broken.batches_stored == broken.batches
    assert [c.conversation_id for c in broken.failed_conversations] == list(POISONED)
    assert all(c.error.startswith("InjectedFaultError: ") for c in broken.failed_conversations)
    assert broken.quarantined == baseline.summary.quarantined  # the ingest invariant is untouched
    # Every batch-mate of the poisoned conversations was analysed, scored and stored.
    assert broken.analysed == baseline.summary.analysed - len(POISONED)
    survivors = set(_ids(baseline.db, "SELECT id FROM conversations")) - set(POISONED)
    assert set(_ids(db, "SELECT conversation_id FROM trajectories WHERE leg IS NULL")) == survivors
    assert set(_ids(db, "SELECT DISTINCT conversation_id FROM scores")) == survivors
    entries = _analysis_failures(db)
    assert [(Path(file).name, record) for file, record, _ in entries] == [
        ("conversations.json", "record 3"),
        ("calls.jsonl", "line 2"),
    ]
    for cid, (file, _, message) in zip(POISONED, entries, strict=True):
        assert cid in message and "InjectedFaultError" in message
        assert file == scalar(db, "SELECT source_file FROM conversations WHERE id = ?", cid)
    assert broken.index_path and Path(broken.index_path).is_file()  # the rest was still published
    [artifact] = run_artifacts(state.state_details.flow_run_id, ARTIFACT_KEY)
    assert "2 conversation(s) failed" in artifact.data and "batch(es) failed" not in artifact.data
    assert "`C-1003`" in artifact.data and "`C-1102`" in artifact.data and "analysis_failed" in artifact.data

    monkeypatch.delenv(FAULT_ENV)
    rerun = nightly_review(source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE)
    assert rerun.succeeded and rerun.failed_conversations == []
    assert rerun.read == 0  # only the two conversations, and C-1102's journey mates, are redone
    assert (rerun.needing_work, rerun.journey_context, rerun.analysed) == (2, 2, 4)
    assert _analysis_failures(db) == []
    # The re-done batch holds other conversations than the baseline's, so the encoder pads
    # them differently: floats may differ in the last digits, ids, labels and findings not at all.
    assert_same_store(dump_store(db), dump_store(baseline.db), abs_tol=1e-5)


def _ids(db: Path, sql: str) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [cid for (cid,) in con.execute(sql).fetchall()]
    finally:
        con.close()


def _analysis_failures(db: Path) -> list[tuple[str, str, str]]:
    """(file, record, message) of the ``analysis_failed`` quarantine entries, by conversation start."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT q.file, q.record, q.message FROM quarantine q "
            "JOIN conversations c ON c.source_file = q.file AND coalesce(c.source_record, c.id) = q.record "
            "WHERE q.reason = 'analysis_failed' ORDER BY c.started_at"
        ).fetchall()
    finally:
        con.close()


def test_dask_on_two_workers_equals_threads(baseline: Baseline) -> None:
    db = baseline.root / "dask.duckdb"
    review = nightly_review.with_options(task_runner=make_task_runner(dask_workers=2))
    out = baseline.root / "dask-out"
    summary = review(source=str(baseline.inbox), db=str(db), out=str(out), batch_size=BATCH_SIZE)
    assert summary.succeeded and summary.runner == "dask (local, 2 workers)"
    assert summary.batches == baseline.summary.batches
    # Models load once per worker process, not once per batch.
    assert 1 <= len(summary.batches_by_worker) <= 2
    assert summary.model_loads == len(summary.batches_by_worker) < summary.batches
    # Threads give torch 2 threads, each Dask worker 1: sums reduce in another order, so floats
    # may differ in the last digits; ids, labels, findings and quotes must not differ at all.
    assert_same_store(dump_store(db), dump_store(baseline.db), abs_tol=1e-5)


def test_threads_load_the_models_once_for_every_batch(baseline: Baseline) -> None:
    s = baseline.summary
    assert s.runner.startswith("threads")
    [(worker, batches)] = s.batches_by_worker.items()  # every batch ran in this one process
    assert worker.endswith(f":{os.getpid()}") and batches == s.batches
    assert s.model_loads == 1 < s.batches


def test_full_rerun_rereads_and_rescores_everything_and_changes_nothing(baseline: Baseline) -> None:
    db, out = baseline.root / "full.duckdb", baseline.root / "full-out"
    shutil.copy2(baseline.db, db)
    b = baseline.summary
    summary = nightly_review(
        source=str(baseline.inbox), db=str(db), out=str(out), full=True, batch_size=BATCH_SIZE
    )
    assert summary.full and summary.succeeded
    assert (summary.files_found, summary.files_skipped) == (b.files_found, 0)  # watermark ignored
    assert (summary.read, summary.stored, summary.quarantined) == (b.read, 0, b.quarantined)
    assert summary.duplicates == b.stored + b.duplicates  # every record already stored, unchanged
    assert (summary.analysed, summary.batches) == (b.analysed, b.batches)  # everything re-scored
    assert dump_store(db) == dump_store(baseline.db)  # writes replace: same store
