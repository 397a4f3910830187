"""One writing run per store at a time: a lock file next to the DuckDB file.

DuckDB itself lets one process write, but a run opens and closes the store many times, so a
second run could slip in between two steps. ``run_lock`` holds ``<db>.lock`` for the whole
run; a second run either waits (``wait`` seconds) or gets ``StoreBusyError`` saying so.
The operating system drops the lock when its holder dies, so a killed run never blocks the
next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


class StoreBusyError(RuntimeError):
    """Another run holds the store."""


def lock_path(db: str | Path) -> Path:
    """The lock file of the store ``db``."""
    path = Path(db)
    return path.with_name(path.name + ".lock")


@contextmanager
def run_lock(db: str | Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's run lock (``:memory:`` stores need none); ``StoreBusyError`` if taken."""
    if str(db) == ":memory:" or "://" in str(db):
        yield
        return
    lock = FileLock(lock_path(db), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise StoreBusyError(
            f"{db} is in use by another qareview run (lock {lock_path(db)}); "
            f"{'it did not finish within ' + format(wait, 'g') + ' s; ' if wait else ''}"
            "try again when it has finished, or pass --wait SECONDS"
        ) from None
    try:
        yield
    finally:
        lock.release()
