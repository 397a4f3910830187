"""A stored batch's analysis and scores are let go: memory does not grow with the batches of a night.

Runs the flow's own batch loop (``flows.nightly._run_batches``) in a real Prefect flow on the
thread runner, with the real models, over the 2026-11-16 examples in batches of two. Each
time a batch is stored the flow reports progress; at that moment at most the batches not yet
stored may still hold annotations or scores in memory. Prefect keeps every task's return
value until the flow run ends, so without ``BatchResult.release`` all of them stay.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.batches import BatchResult, process_rubric
from flows.nightly import _run_batches
from flows.progress import Step, listening
from flows.run_summary import NightlySummary
from flows.worklist import Worklist, build_worklist
from storage.ingest import ingest_paths
from storage.store import Store
from tests.flows.flow_helpers import copy_examples

pytestmark = [pytest.mark.models, pytest.mark.usefixtures("flow_env")]


def _results_holding_data() -> list[int]:
    """Numbers of the batch results in memory that still hold annotations or scores."""
    gc.collect()
    return sorted(o.number for o in gc.get_objects() if type(o) is BatchResult and (o.annotated or o.scores))


@flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
def batches_flow(db: str, worklist: Worklist) -> NightlySummary:
    summary = NightlySummary(
        run_id="memory-test", source="examples", db=db, out="", runner="threads (2)", full=False,
        rubric_version=process_rubric(None).version, batches=len(worklist.batches),
    )  # fmt: skip
    _run_batches(db, worklist, None, summary)
    return summary


def test_stored_batches_are_not_kept_in_memory(tmp_path: Path) -> None:
    db = str(tmp_path / "store.duckdb")
    with Store(db) as store:
        ingest_paths([copy_examples(tmp_path / "inbox", "2026-11-16")], store)
        worklist = build_worklist(store, process_rubric(None).version, tmp_path / "batches", batch_size=2)
    batches = len(worklist.batches)
    assert batches >= 4
    seen: list[tuple[int, list[int]]] = []

    def check(step: Step) -> None:
        if step.stage == "analyse" and step.done:
            seen.append((step.done, _results_holding_data()))

    with listening(check):
        summary = batches_flow(db, worklist)
    assert summary.batches_stored == batches and not summary.failed_conversations
    assert len(seen) == batches
    for stored, (_, holding) in enumerate(seen, start=1):
        assert len(holding) <= batches - stored, (stored, holding)
    assert seen[-1][1] == []
