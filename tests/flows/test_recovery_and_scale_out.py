"""An interrupted run, re-run, equals an uninterrupted one; Dask on 2 workers equals threads.

All runs read the same inbox (so stored paths match) into their own store; store contents
are compared table by table, without run ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.faults import FAULT_ENV
from flows.nightly import ARTIFACT_KEY, BatchesFailedError, nightly_review
from flows.run_summary import NightlySummary
from flows.runners import make_task_runner
from tests.flows.flow_helpers import assert_same_store, copy_examples, dump_store, run_artifacts, scalar

pytestmark = [pytest.mark.prefect, pytest.mark.models, pytest.mark.slow]

DAYS = ("2026-11-15", "2026-11-16")
BATCH_SIZE = 5  # several batches out of a couple of days


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
