"""Which failures are retried (transient I/O) and which are not (bad data, bugs, injected faults)."""

from __future__ import annotations

import duckdb
import pytest
from prefect.states import Completed, Failed

from flows.faults import FAULT_ENV, InjectedFaultError, check_fault
from flows.nightly import is_transient, retry_on_transient
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
