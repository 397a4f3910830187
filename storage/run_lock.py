"""One writing run per store at a time: a lock file next to a DuckDB file, an advisory lock in PostgreSQL.

DuckDB itself lets one process write, but a run opens and closes the store many times, so a
second run could slip in between two steps. ``run_lock`` holds ``<db>.lock`` (DuckDB) or a
session-level ``pg_advisory_lock`` on the database (PostgreSQL, on a connection of its own) for
the whole run; a second run either waits (``wait`` seconds) or gets ``StoreBusyError`` saying
so. The operating system drops the file lock, and PostgreSQL the advisory lock, when the
holder dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from storage.dialect import display, is_postgres, target

# pg_advisory_lock key of the run lock (any bigint; "qareview" in ASCII).
RUN_LOCK_KEY = 0x7161726576696577
_POLL_SECONDS = 0.5


class StoreBusyError(RuntimeError):
    """Another run holds the store."""


def lock_path(db: str | Path) -> Path:
    """The lock file of the DuckDB store ``db``."""
    path = Path(db)
    return path.with_name(path.name + ".lock")


def _busy(db: str | Path, where: str, wait: float) -> StoreBusyError:
    return StoreBusyError(
        f"{display(db)} is in use by another qareview run ({where}); "
        f"{'it did not finish within ' + format(wait, 'g') + ' s; ' if wait else ''}"
        "try again when it has finished, or pass --wait SECONDS"
    )


@contextmanager
def run_lock(db: str | Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's run lock (``:memory:`` stores need none); ``StoreBusyError`` if taken."""
    if is_postgres(db):
        with _advisory_lock(target(db), wait):
            yield
        return
    if str(db) == ":memory:" or "://" in str(db):
        yield
        return
    lock = FileLock(lock_path(db), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise _busy(db, f"lock {lock_path(db)}", wait) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _advisory_lock(url: str, wait: float) -> Iterator[None]:
    """Hold the database's run lock on a connection of its own, polling up to ``wait`` seconds."""
    from storage.store import StoreError, _connect_postgres

    try:
        con = _connect_postgres(url, read_only=False)
    except StoreError as exc:
        raise StoreBusyError(str(exc)) from None  # a scheduler retries (exit 75) as for a busy store
    try:
        deadline = time.monotonic() + wait
        while not con.execute("SELECT pg_try_advisory_lock(?)", [RUN_LOCK_KEY]).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise _busy(url, f"PostgreSQL advisory lock {RUN_LOCK_KEY}", wait)
            time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        try:
            yield
        finally:
            con.execute("SELECT pg_advisory_unlock(?)", [RUN_LOCK_KEY])
    finally:
        con.close()
