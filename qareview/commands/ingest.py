"""`qareview ingest`: read export files into the store and print the run summary.

The work is ``storage.ingest.ingest_paths``; this module parses options, draws the progress
bar and prints the summary: records read / stored / quarantined / duplicates, quarantine by
reason, the invariant ``read = stored + quarantined + duplicates`` and the first quarantined
records. Exit codes: 0 the run completed (quarantine is counted, not fatal), 1 ``--strict``
and the store holds quarantine entries for these inputs (also on a re-run that skipped them),
2 bad options, a missing input path or an unusable database (one line, see ``errors``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from storage.ingest import FileProgress, RunSummary
    from storage.store import Store

QUARANTINE_LINES = 10
WAIT_HELP = (
    "If another run is using the store, wait up to this long for it to finish; "
    "default 0: exit at once with status 75 saying so."
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="ingest")(ingest)


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Export files or folders to read; folders are walked recursively (hidden entries skipped), "
            "each file's format is detected from its content.",
            show_default=False,
            metavar="PATH",
        ),
    ],
    db: Annotated[
        str,
        typer.Option(
            "--db",
            metavar="FILE",
            help="DuckDB file of the store, created with its folder if missing, or a "
            "postgresql://user@host/dbname URL. Re-running on the same "
            "file is safe: unchanged conversations and quarantine entries are not duplicated.",
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="NAME",
            help="Read every file with this reader instead of detecting each file's format, e.g. json, "
            "csv, connect_ctr; an unknown name is refused with the list of valid ones.",
        ),
    ] = None,
    csv_columns: Annotated[
        Path | None,
        typer.Option(
            "--csv-columns",
            metavar="FILE",
            help="YAML file mapping your CSV header names to canonical fields, used by the CSV reader "
            "instead of the shipped transcripts/readers/csv_columns.yaml.",
        ),
    ] = None,
    speakers: Annotated[
        Path | None,
        typer.Option(
            "--speakers",
            metavar="FILE",
            help="YAML file mapping speaker labels to roles (file name or '*' -> label: agent, customer...) "
            "for sources that name no roles (Transcribe, Azure, captions); by default a speakers.yaml "
            "beside an export is used, else roles are inferred from the speech. After changing the "
            "mapping, re-read with --full.",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Re-read every file, including those an earlier run already ingested with the same "
            "content (by default they are skipped).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit with status 1 if the store holds quarantine entries for these inputs, also when a "
            "re-run skipped them as unchanged (default: 0).",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", metavar="SECONDS", min=0, help=WAIT_HELP),
    ] = 0.0,
) -> None:
    """Read transcript exports into the store, quarantining bad records, and print the run summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qareview.commands.errors import existing_paths, fail, holding_store, open_store
    from storage.dialect import database_errors
    from storage.ingest import OptionsError, check_options, ingest_paths

    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    try:
        check_options(format, csv_columns, speakers)
    except OptionsError as exc:
        fail(str(exc))
    existing_paths(paths)
    store = open_store(db)

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        holding_store(db, wait),
        store,
        Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress,
    ):
        task = progress.add_task("ingest", total=None)

        def show(step: FileProgress) -> None:
            label = f"{step.status} {step.path.name}"
            progress.update(task, total=step.total, completed=step.done, description=label)

        try:
            summary = ingest_paths(
                paths, store, format=format, csv_columns=csv_columns, full=full, on_progress=show,
                speakers=speakers,
            )  # fmt: skip
        except database_errors() as exc:
            fail(f"--db {store.path}: the store failed: {exc}")
        held = _quarantined_inputs(store, paths) if strict else 0
    print_summary(out, summary)
    if strict and held:
        fail(f"--strict: {held} record(s) of these inputs are in quarantine (see the summary)", code=1)


def _quarantined_inputs(store: Store, paths: list[Path]) -> int:
    """Quarantine entries the store holds for the input files, this run's or an earlier one's."""
    from transcripts.read import iter_input_files
    from transcripts.textio import storable

    files = [storable(str(f)) for f in iter_input_files(paths)]
    return store.quarantined_count(files)


def print_summary(console: Console, summary: RunSummary) -> None:
    """The run summary tables, the invariant, where the store is and the first quarantined records."""
    counts = Table(title=f"ingest run {summary.run_id}", title_justify="left")
    counts.add_column("records")
    counts.add_column("count", justify="right")
    counts.add_column("detail")
    files = f"{summary.files} file(s): {summary.skipped_files} skipped as unchanged, "
    files += f"{summary.failed_files} failed"
    counts.add_row("read", str(summary.read), files)
    counts.add_row("stored", str(summary.stored), f"{summary.new} new, {summary.changed} changed")
    counts.add_row("quarantined", str(summary.quarantined), "")
    kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in summary.duplicates_by_kind.items() if n)
    counts.add_row("duplicates", str(summary.duplicates), kinds)
    console.print(counts)
    if summary.by_reason:
        reasons = Table(title="quarantined by reason", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("records", justify="right")
        for reason, n in summary.by_reason.items():
            reasons.add_row(reason, str(n))
        console.print(reasons)
    if summary.by_format:
        formats = ", ".join(f"{name} {n}" for name, n in summary.by_format.items())
        console.print(f"records by format: {formats}", highlight=False)
    mark = "ok" if summary.invariant_holds else "VIOLATED"
    console.print(f"invariant {mark}: {summary.invariant_text()}", highlight=False)
    console.print(f"journeys rebuilt: {summary.journeys}", highlight=False)
    console.print(f"store: {_where(summary.db_path)}  ({summary.seconds:.2f} s)", highlight=False)
    if summary.quarantine_sample:
        shown = summary.quarantine_sample[:QUARANTINE_LINES]
        console.print(f"first {len(shown)} of {summary.quarantined} quarantined record(s):", highlight=False)
        for entry in shown:
            console.print(f"  {entry}", markup=False, highlight=False)


def _where(db_path: str) -> str:
    """The store's absolute path (``:memory:`` and URLs as they are), so it can be opened from anywhere."""
    from storage.dialect import display, resolved

    return display(resolved(db_path))
