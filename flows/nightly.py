"""The ``nightly_review`` Prefect flow: discover → ingest → analyse+score in batches → store → publish.

Each stage is a plain library (``storage.ingest``, ``nlp.analysis``, ``nlp.scoring``,
``rendering.publish``); this module only wires them as Prefect tasks::

    from flows.nightly import nightly_review
    summary = nightly_review(source="examples", db="out/qareview.duckdb", out="out")
    summary.index_path            # out/index.html

Properties the wiring guarantees:

* **Incremental.** The watermark (path + content hash of every file ingested) lives in the
  store; a file seen before is skipped, so tomorrow's run only does tomorrow's files.
* **Retries only for transient I/O.** Discovery, copying, ingest, storing and publishing
  retry on ``OSError`` (and DuckDB I/O errors); bad data never raises, it is quarantined.
* **Batches are the unit of parallel work.** Each batch's analysis and scores are
  committed together as soon as it finishes; a failed batch loses nothing else, and the
  next run picks up exactly the conversations without stored analysis. Writes replace
  rows per conversation (and rubric version), so re-running gives the same store.
* **One bad conversation fails alone.** A batch that raises (other than transiently) is
  re-run one conversation at a time; the ones that still raise are quarantined as
  ``analysis_failed`` and retried by every run, their batch-mates are stored.
* **One writer.** Workers read batch snapshots and return results; only the flow's
  process opens the DuckDB store.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.futures import as_completed
from prefect.states import State

from flows.batches import BatchResult, BatchSpec, analyse_and_score_snapshot, process_rubric, quarantine_place
from flows.config import active_flow_config
from flows.failure_policy import describe, is_transient
from flows.faults import check_fault
from flows.heap import trim_heap
from flows.progress import report
from flows.run_summary import FailedBatch, NightlySummary
from flows.runners import describe_current_runner, runner_from_env
from flows.sources import discover_local, is_remote, local_path, mirror_name, mirror_remote
from flows.worklist import Worklist, build_worklist
from rendering.latest_period import PublishOutcome, publish_period
from rendering.page_ledger import publication_complete
from rendering.run_pages import write_run_pages
from storage.dialect import display, resolved
from storage.ingest import FileProgress, RunSummary, ingest_paths
from storage.store import Store
from transcripts.quarantine import ReasonCode

ARTIFACT_KEY = "qareview-nightly-review"
_CONFIG = active_flow_config()


def retry_on_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect ``retry_condition_fn``: retry only transient I/O failures, never bad data or bugs."""
    try:
        state.result()
    except BaseException as exc:  # the task's own exception, re-raised by result()
        return is_transient(exc)
    return False


_IO_TASK: dict[str, Any] = {
    "retries": _CONFIG.io_retries,
    "retry_delay_seconds": list(_CONFIG.io_retry_delay_seconds),
    "retry_condition_fn": retry_on_transient,
    "cache_policy": NO_CACHE,
}


@dataclass(frozen=True)
class Discovery:
    """Files found in the source; for a remote source, the local mirror and what was fetched."""

    source: str
    files: list[str]
    downloaded: int = 0


@task(name="discover-files", **_IO_TASK)
def discover_files(source: str, mirror_dir: str, out_dir: str | None = None) -> Discovery:
    """List transcript files in ``source`` (never under ``out_dir``); a remote source is mirrored first."""
    check_fault("discover")
    if is_remote(source):
        mirrored = mirror_remote(source, Path(mirror_dir))
        return Discovery(source, [str(p) for p in mirrored.files], len(mirrored.downloaded))
    exclude = [Path(out_dir)] if out_dir else []
    return Discovery(source, [str(p) for p in discover_local(local_path(source), exclude)])


@task(name="ingest", **_IO_TASK)
def ingest_files(files: list[str], db: str, full: bool, speakers: str | None = None) -> RunSummary:
    """Ingest the files into the store; the watermark skips files already ingested unless ``full``.

    ``speakers`` is a speaker-role mapping file for the readers (``qareview run --speakers``).
    """
    check_fault("ingest")
    with Store(db) as store:
        return ingest_paths(files, store, full=full, on_progress=_report_ingest, speakers=speakers)


def _report_ingest(step: FileProgress) -> None:
    report("ingest", step.done, step.total, step.path.name)


@task(name="plan-batches", **_IO_TASK)
def plan_batches_task(db: str, rubric_version: str, batch_dir: str, batch_size: int, full: bool) -> Worklist:
    """Choose the conversations to analyse and write one snapshot per batch."""
    with Store(db) as store:
        return build_worklist(store, rubric_version, Path(batch_dir), batch_size, full=full)


@task(name="analyse-and-score", cache_policy=NO_CACHE)
def analyse_and_score(spec: BatchSpec, rubric_path: str | None) -> BatchResult:
    """Analyse and score one batch (models loaded once per worker process). Never retried."""
    check_fault("batch", spec.number)
    return analyse_and_score_snapshot(spec, rubric_path)


@task(name="store-batch", **_IO_TASK)
def store_batch(db: str, result: BatchResult, run_id: str | None = None) -> int:
    """Commit one batch's analysis and scores in one transaction; returns conversations stored.

    Its failed conversations are quarantined as ``analysis_failed``; the entries of those
    that succeeded this time are removed.
    """
    check_fault("store", result.number)
    with Store(db) as store, store.transaction():
        store.save_analysis(result.annotated)
        store.save_scores(result.scores)
        done = [quarantine_place(a.conversation) for a in result.annotated]
        store.forget_quarantine_records(ReasonCode.ANALYSIS_FAILED, done)
        store.add_quarantine([failed.quarantined() for failed in result.failed], run_id)
    return len(result.conversation_ids)


@task(name="publish", **_IO_TASK)
def publish_outputs(
    db: str, out: str, period_days: int, rubric_path: str | None, full: bool = False
) -> PublishOutcome:
    """Publish coaching cards and the routing report for the period ending with the newest contact.

    Only files whose inputs changed since the last publish are written, unless ``full``.
    """
    check_fault("publish")
    report("publish", 0, None, "cards and routing report")

    def pages(done: int, total: int) -> None:
        report("publish", done, total, "conversation pages")
        check_fault("page", done)

    rubric = process_rubric(rubric_path)
    return publish_period(db, Path(out), period_days, rubric, on_page=pages, incremental=not full)


@task(name="publish-run-pages", **_IO_TASK)
def publish_run_pages(db: str, out: str) -> list[str]:
    """Write the run history and the quarantine page and CSV (after the run is recorded)."""
    with Store(db) as store:
        return [str(path) for path in write_run_pages(store, Path(out))]


def _run_batches(db: str, worklist: Worklist, rubric_path: str | None, summary: NightlySummary) -> None:
    """Submit every batch, store each as soon as it finishes, and record the ones that fail."""
    logger = get_run_logger()
    loads: dict[str, int] = {}
    total = sum(spec.size for spec in worklist.batches)
    report("analyse", 0, total, f"{len(worklist.batches)} batch(es)")
    futures = {analyse_and_score.submit(spec, rubric_path): spec for spec in worklist.batches}
    for future in as_completed(list(futures)):
        spec = futures[future]
        try:
            result = future.result()
        except Exception as exc:
            logger.error("batch %d (%d conversations) failed: %s", spec.number, spec.size, exc)
            summary.failed_batches.append(FailedBatch(spec.number, spec.size, describe(exc)))
            continue
        for failed in result.failed:
            logger.error("batch %d: %s failed: %s", spec.number, failed.conversation_id, failed.error)
        summary.failed_conversations.extend(result.failed)
        summary.analysed += store_batch(db, result, summary.run_id)
        result.release()  # Prefect keeps the result object until the run ends: keep it small
        trim_heap()
        summary.batches_stored += 1
        report("analyse", summary.analysed, total, f"batch {summary.batches_stored} of {summary.batches}")
        summary.batches_by_worker[result.worker] = summary.batches_by_worker.get(result.worker, 0) + 1
        loads[result.worker] = max(loads.get(result.worker, 0), result.model_loads)
        Path(spec.snapshot).unlink(missing_ok=True)
    summary.failed_batches.sort(key=lambda failed: failed.number)
    summary.failed_conversations.sort(key=lambda failed: failed.conversation_id)
    summary.model_loads = sum(loads.values())


class BatchesFailedError(RuntimeError):
    """Some batches or conversations could not be analysed or scored; the rest was stored and published.

    ``summary`` is the run's summary (also kept in the store's ``runs`` table).
    """

    def __init__(self, message: str, summary: NightlySummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.summary))


@flow(name="nightly-review", task_runner=runner_from_env(), log_prints=False)
def nightly_review(
    source: str = "examples",
    db: str = "out/qareview.duckdb",
    out: str = "out",
    full: bool = False,
    rubric: str | None = None,
    batch_size: int | None = None,
    period_days: int | None = None,
    speakers: str | None = None,
) -> NightlySummary:
    """Review new transcripts in ``source``: ingest, analyse, score, store, publish.

    ``source`` is a folder, a file or an fsspec URL; ``db`` the DuckDB store; ``out`` the
    folder for cards and reports. ``full`` re-reads every file and re-analyses every stored
    conversation. ``rubric`` is a rubric YAML (the shipped default when None); ``speakers`` a
    speaker-role mapping file for sources that name no roles. Raises
    :class:`BatchesFailedError` (after storing and publishing everything else) when any
    batch or conversation failed; the next run retries those conversations.
    """
    config = active_flow_config()
    out_dir = Path(out).resolve()
    db_path = resolved(db)
    rubric_path = str(Path(rubric).resolve()) if rubric else None
    rubric_version = process_rubric(rubric_path).version
    work_dir = config.work_path(out_dir)
    run_id = _start_run(db_path)
    summary = NightlySummary(
        run_id=run_id, source=source, db=display(db_path), out=str(out_dir), runner=describe_current_runner(),
        full=full, rubric_version=rubric_version,
    )  # fmt: skip
    clock = time.perf_counter()

    discovery = discover_files(source, str(work_dir / "mirror" / mirror_name(source)), str(out_dir))
    summary.files_found, summary.files_downloaded = len(discovery.files), discovery.downloaded
    ingested = ingest_files(discovery.files, db_path, full, speakers)
    _take_ingest(summary, ingested)
    clock = _lap(summary, "discover_and_ingest", clock)

    batch_dir = work_dir / "batches" / run_id
    shutil.rmtree(batch_dir.parent, ignore_errors=True)  # snapshots of earlier failed runs
    size = batch_size or config.batch_size
    worklist = plan_batches_task(db_path, rubric_version, str(batch_dir), size, full)
    summary.needing_work, summary.journey_context = worklist.needing_work, worklist.journey_context
    summary.batches = len(worklist.batches)
    _run_batches(db_path, worklist, rubric_path, summary)
    clock = _lap(summary, "analyse_and_score", clock)

    previous = _previous_publication(db_path, out_dir, run_id) if summary.nothing_new else None
    if previous is not None:
        summary.take_previous_publication(previous)
    else:
        days = period_days or config.period_days
        published = publish_outputs(db_path, str(out_dir), days, rubric_path, full)
        _take_published(summary, published)
    _lap(summary, "publish", clock)

    _finish_run(db_path, run_id, summary)
    summary.run_pages = publish_run_pages(db_path, str(out_dir))
    create_markdown_artifact(
        markdown=summary.to_markdown(),
        key=ARTIFACT_KEY,
        description=f"qareview nightly review {run_id}",
    )
    if summary.succeeded:
        shutil.rmtree(batch_dir, ignore_errors=True)
        _remove_if_empty(batch_dir.parent, work_dir)
    else:
        raise BatchesFailedError(_failure_message(summary), summary)
    return summary


def _failure_message(summary: NightlySummary) -> str:
    """What failed, for :class:`BatchesFailedError`."""
    parts = []
    if summary.failed_batches:
        numbers = ", ".join(str(b.number) for b in summary.failed_batches)
        parts.append(f"{len(summary.failed_batches)} of {summary.batches} batches failed (batch {numbers})")
    if summary.failed_conversations:
        ids = ", ".join(c.conversation_id for c in summary.failed_conversations)
        parts.append(f"{len(summary.failed_conversations)} conversation(s) failed ({ids}; quarantined)")
    parts.append("everything else was stored and published; the next run retries their conversations")
    return "; ".join(parts)


def _previous_publication(db: str, out_dir: Path, run_id: str) -> dict[str, Any] | None:
    """What the newest run that published wrote, if its index is still there and is current; else None.

    Not current: a nightly run since then was interrupted (it may have stored analysis it never
    published), or the last publish into ``out_dir`` did not finish (``page_ledger``).
    """
    if not publication_complete(out_dir):
        return None
    with Store(db) as store:
        found = store.connection.execute(
            "SELECT finished_at IS NOT NULL, details FROM runs WHERE kind = 'nightly' AND run_id <> ? "
            "ORDER BY started_at DESC, run_id DESC",
            [run_id],
        ).fetchall()
    for finished, details in found:
        if not finished:
            return None
        data = json.loads(details) if details else {}
        index = data.get("index_path")
        if index and Path(data.get("out", "")) == out_dir and Path(index).exists():
            return dict(data)
    return None


def _start_run(db: str) -> str:
    with Store(db) as store:
        return store.start_run("nightly")


def _finish_run(db: str, run_id: str, summary: NightlySummary) -> None:
    with Store(db) as store:
        store.finish_run(run_id, summary.to_dict())


def _take_ingest(summary: NightlySummary, ingested: RunSummary) -> None:
    summary.ingest_run_id = ingested.run_id
    summary.read, summary.stored, summary.new, summary.changed = (
        ingested.read, ingested.stored, ingested.new, ingested.changed,
    )  # fmt: skip
    summary.quarantined, summary.duplicates = ingested.quarantined, ingested.duplicates
    summary.quarantined_by_reason = dict(ingested.by_reason)
    summary.files_skipped, summary.files_failed = ingested.skipped_files, ingested.failed_files


def _take_published(summary: NightlySummary, published: PublishOutcome) -> None:
    summary.period = published.period
    summary.index_path = published.index_path
    summary.reps_carded = published.reps_carded
    summary.top_routing_failures = list(published.top_routing_failures)
    summary.outputs = list(published.outputs)
    summary.pages_written, summary.pages_kept = published.pages_written, published.pages_kept


def _remove_if_empty(*folders: Path) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (a failed run's snapshots, a remote mirror) or already gone
            return


def _lap(summary: NightlySummary, stage: str, since: float) -> float:
    now = time.perf_counter()
    summary.seconds[stage] = round(now - since, 2)
    return now
