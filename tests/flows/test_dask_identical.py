"""A real Dask ``LocalCluster`` of 2 worker processes gives the very same store and outputs as threads.

Byte for byte: every table's rows (ordered, run ids aside) compare equal with ``==``, floats
included, and every published file is identical once run ids, run times and the run's
own folder names are masked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from flows.nightly import nightly_review
from flows.runners import make_task_runner
from tests.flows.flow_helpers import copy_examples, dump_store

pytestmark = [pytest.mark.prefect, pytest.mark.models, pytest.mark.slow]

DAYS = ("2026-11-17", "2026-11-18")
BATCH_SIZE = 6  # several batches, so both workers get some
WORK_DIR = ".qareview-work"
_RUN_ID = re.compile(r"\b(?:nightly|ingest)-\d{8}T\d{6}Z-[0-9a-f]{8}\b")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?")
# A run's duration: the cell after its start time on the runs page.
_SECONDS = re.compile(r'(<td><TIME></td>\s*<td class="num">)[^<]*')


def published(out: Path, *names: str) -> dict[str, str]:
    """Every published file under ``out`` (not the work folder), with this run's specifics masked."""
    files: dict[str, str] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or WORK_DIR in path.relative_to(out).parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in names:
            text = text.replace(name, "<PATH>")
        text = _SECONDS.sub(r"\1<SECONDS>", _TIMESTAMP.sub("<TIME>", _RUN_ID.sub("<RUN>", text)))
        files[path.relative_to(out).as_posix()] = text
    return files


def test_local_cluster_of_two_workers_is_byte_identical_to_threads(flow_env: None, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    inbox = copy_examples(tmp_path / "inbox", *DAYS)
    threads_db, threads_out = tmp_path / "threads.duckdb", tmp_path / "threads-out"
    threads = nightly_review(
        source=str(inbox), db=str(threads_db), out=str(threads_out), batch_size=BATCH_SIZE
    )
    assert threads.succeeded and threads.runner.startswith("threads")

    dask_db, dask_out = tmp_path / "dask.duckdb", tmp_path / "dask-out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == 2
        review = nightly_review.with_options(
            task_runner=make_task_runner(dask_address=cluster.scheduler_address)
        )
        dask = review(source=str(inbox), db=str(dask_db), out=str(dask_out), batch_size=BATCH_SIZE)
    assert dask.succeeded and dask.runner == f"dask ({cluster.scheduler_address})"
    assert dask.batches == threads.batches > 2
    ran_on = {int(worker.rsplit(":", 1)[1]) for worker in dask.batches_by_worker}
    assert ran_on <= worker_pids and os.getpid() not in ran_on  # the batches ran in the worker processes

    thread_tables, dask_tables = dump_store(threads_db), dump_store(dask_db)
    assert thread_tables.keys() == dask_tables.keys()
    for table, rows in thread_tables.items():
        assert dask_tables[table] == rows, f"table {table} differs"
    assert thread_tables["turn_sentiment"] and thread_tables["findings"]

    thread_files = published(threads_out, str(threads_out.resolve()), str(threads_db.resolve()), "threads")
    dask_files = published(dask_out, str(dask_out.resolve()), str(dask_db.resolve()), "dask")
    assert thread_files.keys() == dask_files.keys()
    assert any(name.endswith(".html") for name in thread_files)
    for name, text in thread_files.items():
        assert dask_files[name] == text, f"{name} differs"
