"""The one error style of every command: a user mistake is one line on stderr, exit 2.

The line names the argument or file and says what to do::

    error: --db out/x.duckdb: out is a file, not a folder; give a path inside a folder

``fail`` prints it and exits; ``open_store`` opens a store or fails that way;
``existing_paths`` refuses input paths that do not exist; ``holding_store`` keeps a second run
off a store in use (exit 75, one line).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from storage.store import Store

USAGE = 2
"""Exit status of a user mistake (bad option, missing file, unusable store)."""
BUSY = 75
"""Exit status when another run holds the store (EX_TEMPFAIL: a scheduler retries later)."""


def one_line(text: str) -> str:
    """``text`` with its lines joined, so an error is always a single line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def fail(message: str, code: int = USAGE) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code=code)


def open_store(db: str | Path, option: str = "--db", read_only: bool = False) -> Store:
    """The store at ``db``, or exit 2 naming ``option`` and why it cannot be used."""
    from storage.dialect import display, is_postgres
    from storage.store import Store, StoreError

    if read_only and not is_postgres(db) and not Path(db).is_file():
        fail(f"{option} {db}: no store there; run `qareview ingest --db {db} ...` first")
    try:
        return Store(db, read_only=read_only)
    except (StoreError, NotImplementedError, ValueError) as exc:
        fail(f"{option} {exc}" if str(exc).startswith((str(db), display(db))) else f"{option}: {exc}")


def existing_paths(paths: Sequence[Path], what: str = "PATH") -> None:
    """Exit 2 naming the first of ``paths`` that does not exist."""
    for path in paths:
        if not path.exists():
            fail(f"{what} {path} does not exist; check the path (nothing was read)")


def check_out_folder(out: Path, option: str = "--out") -> None:
    """Exit 2 if ``out`` cannot be a folder to write into (it, or a folder above it, is a file)."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "is a file" if folder == out else f"lies under the file {folder}"
                fail(f"{option} {out} {where}; give a folder to write into")
            return


@contextmanager
def holding_store(db: str | Path, wait: float) -> Iterator[None]:
    """Hold the store's run lock for the block, or exit ``BUSY`` saying another run has it."""
    from storage.run_lock import StoreBusyError, run_lock

    try:
        lock = run_lock(db, wait)
        lock.__enter__()
    except StoreBusyError as exc:
        fail(f"--db {exc}", code=BUSY)
    try:
        yield
    finally:
        lock.__exit__(None, None, None)
