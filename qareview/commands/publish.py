"""`qareview cards` and `qareview routing-report`: publish from the store for a date range.

The work is ``rendering.publish``; this module parses options and prints the paths written.
Dates are inclusive and default to the first and last day with data. Exit codes: 0 published,
2 bad options, an unreadable store, or nothing to publish (an empty store).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

DB_HELP = "DuckDB file of the store (opened read-only), or a postgresql://user@host/dbname URL."
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
    from qareview.commands.errors import check_out_folder, fail, open_store
    from rendering.publish import PublishError, publish
    from storage.dialect import database_errors
    from storage.store import StoreError

    console = Console(soft_wrap=True, highlight=False)
    _check_dates(date_from.date() if date_from else None, date_to.date() if date_to else None)
    check_out_folder(out)
    try:
        with open_store(db, read_only=True) as store:
            result = publish(
                store,
                date_from.date() if date_from else None,
                date_to.date() if date_to else None,
                out,
                rubric_version,
                cards=cards,
                report=report,
            )
    except (PublishError, StoreError, *database_errors()) as exc:
        fail(str(exc))
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


def _check_dates(date_from: date | None, date_to: date | None) -> None:
    """Exit 2 on a ``--from``/``--to`` outside the plausible range or in the wrong order."""
    from datetime import UTC

    from qareview.commands.errors import fail
    from storage.admission import PlausibleDates

    plausible = PlausibleDates.load().at(datetime.now(UTC))
    first, last = plausible.earliest.date(), plausible.latest.date()
    for option, value in (("--from", date_from), ("--to", date_to)):
        if value is not None and not first <= value <= last:
            fail(
                f"{option} {value.isoformat()} is outside the plausible range; give a date from "
                f"{first.isoformat()} to {last.isoformat()} (storage/ingest.yaml)"
            )
    if date_from is not None and date_to is not None and date_from > date_to:
        fail(f"--from {date_from.isoformat()} is after --to {date_to.isoformat()}; swap them")
