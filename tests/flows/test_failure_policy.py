"""Which failures are retried (transient I/O) and which are not (bad data, bugs, injected faults)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from prefect import flow
from prefect.states import Completed, Failed

from flows.config import active_flow_config
from flows.faults import FAULT_ENV, InjectedFaultError, check_fault
from flows.nightly import (
    analyse_and_score,
    discover_files,
    ingest_files,
    is_transient,
    plan_batches_task,
    publish_outputs,
    retry_on_transient,
    store_batch,
)
from storage.store import StoreError


def _wrapped(outer: type[Exception], inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer("wrapped") from exc
    except Exception as exc:  # noqa: BLE001 - we want the chained exception itself
        return exc
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (OSError("disk gone"), True),
        (FileNotFoundError("no inbox"), True),
        (TimeoutError("s3 timeout"), True),  # a subclass of OSError
        (duckdb.IOException("Could not set lock on file"), True),
        (_wrapped(StoreError, duckdb.IOException("lock")), True),
        (_wrapped(StoreError, ValueError("newer schema")), False),
        (ValueError("bad record"), False),
        (KeyError("bug"), False),
        (InjectedFaultError("asked to fail"), False),
    ],
)
def test_is_transient(exc: BaseException, transient: bool) -> None:
    assert is_transient(exc) is transient


def test_retry_condition_reads_the_failed_state() -> None:
    assert retry_on_transient(None, None, Failed(data=OSError("share unmounted"))) is True  # type: ignore[arg-type]
    assert retry_on_transient(None, None, Failed(data=ValueError("bad data"))) is False  # type: ignore[arg-type]
    assert retry_on_transient(None, None, Completed(data=1)) is False  # type: ignore[arg-type]


def test_faults_fire_only_where_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAULT_ENV, raising=False)
    check_fault("batch", 2)
    monkeypatch.setenv(FAULT_ENV, "batch:2, publish")
    check_fault("batch", 1)
    check_fault("ingest")
    with pytest.raises(InjectedFaultError, match="batch 2"):
        check_fault("batch", 2)
    with pytest.raises(InjectedFaultError, match="publish"):
        check_fault("publish")


def test_unknown_fault_stage_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="valid stages"):
        check_fault("analyse")


def test_only_io_stages_have_retries() -> None:
    retries = active_flow_config().io_retries
    for io_task in (discover_files, ingest_files, plan_batches_task, store_batch, publish_outputs):
        assert io_task.retries == retries and io_task.retry_condition_fn is retry_on_transient
    assert analyse_and_score.retries == 0  # a batch that fails stays failed until the next run


def _attempts(source: str, mirror: Path) -> int:
    """Run ``discover-files`` (no retry delay) in a flow; how often the task ran."""
    from prefect.client.orchestration import get_client

    fast = discover_files.with_options(retry_delay_seconds=0)

    @flow(name="attempt-discovery")
    def attempt() -> UUID:
        state = fast(source, str(mirror), return_state=True)
        assert state.is_failed()
        return state.state_details.task_run_id

    task_run_id = attempt()
    with get_client(sync_client=True) as client:
        return client.read_task_run(task_run_id).run_count


@pytest.mark.prefect
def test_transient_failures_are_retried_and_others_are_not(
    flow_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "not-mounted")  # FileNotFoundError: an unmounted share
    assert _attempts(missing, tmp_path / "mirror") == 1 + active_flow_config().io_retries
    monkeypatch.setenv(FAULT_ENV, "discover")  # not an I/O error: fails at once
    assert _attempts(str(tmp_path), tmp_path / "mirror") == 1
