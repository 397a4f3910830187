"""`qareview calibrate HUMAN.csv`: agreement between the machine's scores and human reviewers.

The work is ``rendering.calibration`` (matching, kappa) and ``rendering.calibration_page``
(the page); this module parses options and prints one line per criterion and the page's
path. Exit codes: 0 published, 2 a bad CSV (every problem listed, with its line) or store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add this module's command to the app."""
    app.command(name="calibrate")(calibrate)


def calibrate(
    human: Annotated[
        Path, typer.Argument(help="CSV of human scores: conversation_id,agent_id,criterion,human[,notes].")
    ],
    db: Annotated[Path, typer.Option("--db", help="DuckDB store with the machine's scores.")] = Path(
        "out/qareview.duckdb"
    ),
    out: Annotated[Path, typer.Option("--out", help="Folder for calibration.html and .csv.")] = Path("out"),
    rubric_version: Annotated[
        str | None,
        typer.Option("--rubric-version", help="Scores of this rubric version (default: the most used)."),
    ] = None,
) -> None:
    """Compare human reviewers' scores with the machine's and publish the agreement page."""
    import duckdb

    from rendering.calibration import CalibrationError, compare, read_human_csv
    from rendering.calibration_page import write_calibration_page

    if not db.exists():
        typer.echo(f"error: store {db} does not exist (run `qareview run` first)", err=True)
        raise typer.Exit(code=2)
    try:
        rows = read_human_csv(human)
        con = duckdb.connect(str(db), read_only=True)
        try:
            report = compare(rows, con, str(human), rubric_version)
        finally:
            con.close()
    except CalibrationError as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(code=2) from None
    except duckdb.Error as exc:
        typer.echo(f"error: the store {db} cannot be read: {exc}", err=True)
        raise typer.Exit(code=2) from None
    page, _ = write_calibration_page(report, out)
    for c in report.criteria:
        kappa = f"{c.kappa:.2f}" if c.kappa is not None else "—"
        exact = f"{c.exact:.0%}" if c.exact is not None else "—"
        typer.echo(f"{c.criterion}: {c.compared} compared, exact {exact}, {c.kappa_name} {kappa} ({c.band})")
    typer.echo(f"Agreement page: {page.resolve()}")
