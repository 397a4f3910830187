"""Which failures are worth retrying: transient I/O is, bad data and bugs are not.

Prefect tasks retry only transient failures (``flows.nightly.retry_on_transient``), and a
batch that raises anything else is re-run one conversation at a time so that one
conversation's bug fails only that conversation (``flows.batches``).
"""

from __future__ import annotations


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry may fix (anywhere in the cause chain).

    ``OSError``, DuckDB I/O errors and a lost PostgreSQL connection are.
    """
    from storage.dialect import transient_errors

    transient = (OSError, *transient_errors())
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, transient):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """``"ExceptionType: message"``, as failed batches and conversations are reported."""
    return f"{type(exc).__name__}: {exc}"
