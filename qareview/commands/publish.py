"""`qareview cards` and `qareview routing-report`: publish from the store for a date range.

The work is ``rendering.publish``; this module parses options and prints the paths written.
Dates are inclusive and default to the first and last day with data. Exit codes: 0 published,
2 bad options, an unreadable store, or nothing to publish (an empty store).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

DB_HELP = "DuckDB file of the store (opened read-only)."
FROM_HELP = "First day to publish, inclusive (YYYY-MM-DD); default: the first day with data."
TO_HELP = "Last day to publish, inclusive (YYYY-MM-DD); default: the last day with data."
RUBRIC_HELP = "Rubric version of the scores to use (e.g. default@1.0.0); default: the most used in the range."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="cards")(cards)
    app.command(name="routing-report")(routing_report)


DbOption = Annotated[Path, typer.Option("--db", metavar="FILE", help=DB_HELP)]
FromOption = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], metavar="DATE", help=FROM_HELP)
]
ToOption = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], metavar="DATE", help=TO_HELP)
]
OutOption = Annotated[
    Path, typer.Option("--out", metavar="DIR", help="Folder to write into (created if missing).")
]
RubricOption = Annotated[str | None, typer.Option("--rubric-version", metavar="VERSION", help=RUBRIC_HELP)]


def cards(
    db: DbOption,
    out: OutOption,
    date_from: FromOption = None,
    date_to: ToOption = None,
    rubric_version: RubricOption = None,
) -> None:
    """Write a coaching card per representative (HTML, Markdown, JSON), the index and linked conversations."""
    _run(db, out, date_from, date_to, rubric_version, cards=True, report=False)


def routing_report(
    db: DbOption,
    out: OutOption,
    date_from: FromOption = None,
    date_to: ToOption = None,
    rubric_version: RubricOption = None,
) -> None:
    """Write the routing-failure report (HTML and one CSV per table) and the conversations it links to."""
    _run(db, out, date_from, date_to, rubric_version, cards=False, report=True)


def _run(
    db: Path,
    out: Path,
    date_from: datetime | None,
    date_to: datetime | None,
    rubric_version: str | None,
    *,
    cards: bool,
    report: bool,
) -> None:
    import duckdb

    from rendering.publish import PublishError, publish
    from storage.store import Store, StoreError

    console = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    if not db.is_file():
        err.print(f"[red]error:[/red] no store at {escape(str(db))}: run `qareview ingest` first")
        raise typer.Exit(code=2)
    try:
        with Store(db, read_only=True) as store:
            result = publish(
                store,
                date_from.date() if date_from else None,
                date_to.date() if date_to else None,
                out,
                rubric_version,
                cards=cards,
                report=report,
            )
    except (PublishError, StoreError, duckdb.Error) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(code=2) from None
    version = result.rubric_version or "no scores"
    console.print(f"period {result.period.label} · rubric {escape(version)}")
    if result.index_path:
        console.print(f"index: {result.index_path}")
        console.print(f"cards: {len(result.card_paths)} representative(s) in {out / 'cards'}")
        for agent_id, path in sorted(result.card_paths.items()):
            console.print(f"  {escape(agent_id)}: {path}")
    if result.report_path:
        console.print(f"routing report: {result.report_path}")
        for path in result.csv_paths.values():
            console.print(f"  csv: {path}")
    console.print(f"conversation pages: {len(result.conversation_paths)} in {out / 'conversations'}")
