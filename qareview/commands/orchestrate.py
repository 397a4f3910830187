"""`qareview run` (the nightly flow, once, now) and `qareview serve` (the same, on a schedule).

Both are thin: they turn options into ``flows.nightly.nightly_review`` parameters and a
task runner. Prefect and the models are imported only when a command runs, so
``qareview --help`` stays fast. `run` prints the ingest invariant, the absolute path of the
DuckDB store and, as its last line, where the index of cards and reports is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from flows.run_summary import NightlySummary

_BUNDLED_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Settings this machine needs whatever the shell says (Prefect's temporary server is slow to
# start on small machines; no analytics; never download a model at run time).
_ENV_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",  # Prefect's INFO lines and links stay in its UI
    "DO_NOT_TRACK": "1",  # no usage telemetry (and no notice about it): qareview runs offline
}

SourceArg = Annotated[
    str | None,
    typer.Argument(
        help="Folder or file of transcript exports, or an fsspec URL such as s3://bucket/exports "
        "(needs the 's3' extra). Default: the bundled examples/ folder.",
        show_default=False,
    ),
]
DbOpt = Annotated[
    Path, typer.Option("--db", help="DuckDB file (created if missing) or postgresql://user@host/dbname URL.")
]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for cards, reports and conversation pages.")]
FullOpt = Annotated[
    bool, typer.Option("--full", help="Re-read every file and re-analyse every stored conversation.")
]
RubricOpt = Annotated[
    Path | None, typer.Option("--rubric", help="Rubric YAML (default: rubrics/default.yaml).")
]
DaskAddressOpt = Annotated[
    str | None,
    typer.Option("--dask-address", help="Run batches on an existing Dask cluster (tcp://host:8786)."),
]
DaskWorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--dask-workers",
        min=1,
        help="Run batches on a local Dask cluster of N worker processes (each loads the models once).",
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="If another run is using the store, wait up to this long; default 0: exit 75 at once.",
    ),
]
SpeakersOpt = Annotated[
    Path | None,
    typer.Option(
        "--speakers",
        metavar="FILE",
        help="YAML file mapping speaker labels to roles for sources that name none (see qareview ingest).",
    ),
]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option("--batch-size", min=1, help="Conversations per batch (default: flows/nightly.yaml)."),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="run")(run)
    app.command(name="serve")(serve)


def _prepare_environment() -> None:
    for name, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)


def _default_source(source: str | None) -> str:
    if source:
        return source
    return str(_BUNDLED_EXAMPLES if _BUNDLED_EXAMPLES.is_dir() else Path("examples"))


def _check_inputs(
    source: str, rubric: Path | None, db: Path, out: Path, speakers: Path | None = None
) -> None:
    """Fail fast (one line, exit 2) before Prefect starts, and before a store is created.

    Refused: a missing local source, a broken rubric or ``--speakers`` mapping, an ``--out``
    that cannot be a folder, an unusable ``--db``.
    """
    from flows.sources import is_remote, local_path
    from nlp.rubric import RubricError
    from nlp.scoring import load_rubric
    from qareview.commands.errors import check_out_folder, fail, open_store

    if not is_remote(source) and not local_path(source).exists():
        fail(f"SOURCE {source} does not exist; check the path")
    try:
        load_rubric(rubric)
    except (RubricError, OSError) as exc:
        fail(f"--rubric: {exc}")
    if speakers is not None:
        from transcripts.roles_infer import check_mapping

        try:
            check_mapping(speakers)
        except ValueError as exc:
            fail(f"--speakers: {exc}")
    check_out_folder(out)
    open_store(db).close()


def run(
    source: SourceArg = None,
    db: DbOpt = Path("out/qareview.duckdb"),
    out: OutOpt = Path("out"),
    full: FullOpt = False,
    rubric: RubricOpt = None,
    dask_address: DaskAddressOpt = None,
    dask_workers: DaskWorkersOpt = None,
    batch_size: BatchSizeOpt = None,
    wait: WaitOpt = 0.0,
    speakers: SpeakersOpt = None,
) -> None:
    """Run the nightly review once, now: ingest new files, analyse, score, publish."""
    _prepare_environment()
    source = _default_source(source)
    _check_inputs(source, rubric, db, out, speakers)
    from flows.prefect_server import temporary_server
    from qareview.commands.errors import fail, holding_store

    # The server dies with this process, even on kill -9; it starts while the flow is imported.
    with holding_store(db, wait), temporary_server() as server:
        from flows.nightly import nightly_review
        from flows.runners import make_task_runner

        runner = make_task_runner(dask_address=dask_address, dask_workers=dask_workers)
        review = nightly_review.with_options(task_runner=runner)
        try:
            server.wait()
        except Exception as exc:  # e.g. no answer within PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS
            fail(f"the temporary Prefect server did not start: {type(exc).__name__}: {exc}", code=1)
        with server.ready():
            _run_review(review, source, db, out, full, rubric, batch_size, speakers)


def _run_review(
    review: Any,
    source: str,
    db: Path,
    out: Path,
    full: bool,
    rubric: Path | None,
    batch_size: int | None,
    speakers: Path | None = None,
) -> None:
    """Run the flow and print its summary; a failed flow exits 1."""
    from flows.nightly import BatchesFailedError

    try:
        with _progress_bars():
            summary = review(
                source=source, db=str(db), out=str(out), full=full,
                rubric=str(rubric) if rubric else None, batch_size=batch_size,
                speakers=str(speakers.resolve()) if speakers else None,
            )  # fmt: skip
    except BatchesFailedError as exc:
        if exc.summary is not None:
            _print_summary(exc.summary)
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    except Exception as exc:  # the flow run failed; Prefect has logged the traceback
        typer.echo(f"error: the nightly review failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(code=1) from None
    _print_summary(summary)


@contextmanager
def _progress_bars() -> Iterator[None]:
    """One bar per stage (ingest, analyse, publish) on stderr while the flow runs; none when piped."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from flows.progress import Step, listening

    err = Console(stderr=True, soft_wrap=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        bars: dict[str, TaskID] = {}

        def show(step: Step) -> None:
            if step.stage not in bars:
                bars[step.stage] = progress.add_task(step.stage, total=step.total)
            label = f"{step.stage}: {step.detail}" if step.detail else step.stage
            progress.update(bars[step.stage], total=step.total, completed=step.done, description=label)

        with listening(show):
            yield


def _print_summary(summary: NightlySummary) -> None:
    """A few lines for the terminal: the counts, the store's path and, last, where the index is."""
    sign = "=" if summary.read == summary.stored + summary.quarantined + summary.duplicates else "≠"
    typer.echo(
        f"read {summary.read} {sign} stored {summary.stored} + quarantined {summary.quarantined} "
        f"+ duplicates {summary.duplicates}  ({summary.files_found} files, "
        f"{summary.files_skipped} unchanged since an earlier run)"
    )
    if summary.unchanged:
        typer.echo("nothing new; outputs unchanged")
    else:
        failed = f", {len(summary.failed_batches)} failed" if summary.failed_batches else ""
        if summary.failed_conversations:
            failed += f"; {len(summary.failed_conversations)} conversation(s) failed and were quarantined"
        typer.echo(
            f"analysed and scored {summary.analysed} conversations in {summary.batches_stored} of "
            f"{summary.batches} batches{failed} on {summary.runner} (rubric {summary.rubric_version})"
        )
        if summary.index_path:
            typer.echo(f"published {summary.period}: {summary.reps_carded} coaching cards, routing report")
    if summary.run_pages:
        out = Path(summary.out)
        typer.echo(f"Run history: {out / 'runs.html'}; set-aside input: {out / 'quarantine.html'}")
    typer.echo(f"Store: {summary.db}")
    index = summary.index_path or "nothing published yet (the store has no conversations)"
    typer.echo(f"Cards and reports: {index}")


def serve(
    source: SourceArg = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help='Cron schedule (default "0 2 * * *": flows/nightly.yaml).')
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone of the schedule (default Europe/Berlin).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Deployment name (default: nightly).")] = None,
    db: DbOpt = Path("out/qareview.duckdb"),
    out: OutOpt = Path("out"),
    full: FullOpt = False,
    rubric: RubricOpt = None,
    dask_address: DaskAddressOpt = None,
    dask_workers: DaskWorkersOpt = None,
    batch_size: BatchSizeOpt = None,
) -> None:
    """Register the nightly review as a scheduled Prefect deployment and run it until stopped.

    Uses the Prefect server at PREFECT_API_URL; without it, starts a local one (UI at
    http://127.0.0.1:4200) and keeps it running while serving (docs/scheduling.md).
    """
    _prepare_environment()
    source = _default_source(source)
    _check_inputs(source, rubric, db, out)
    from flows.serving import (
        NightlyParameters,
        ServerUnavailableError,
        nightly_deployment,
        serve_deployment,
        use_dask_for_served_runs,
    )
    from storage.dialect import resolved

    use_dask_for_served_runs(dask_address, dask_workers)
    parameters = NightlyParameters(
        source=source if "://" in source else str(Path(source).resolve()),
        db=resolved(db), out=str(out.resolve()), full=full,
        rubric=str(rubric.resolve()) if rubric else None, batch_size=batch_size,
    )  # fmt: skip
    deployment = nightly_deployment(parameters, cron=cron, timezone=timezone, name=name)
    try:
        serve_deployment(deployment, announce=typer.echo)
    except ServerUnavailableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
