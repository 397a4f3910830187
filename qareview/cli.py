"""The `qareview` command. Each sub-command lives in ``qareview.commands`` and stays thin."""

from __future__ import annotations

import sys

import typer
from typer._click import exceptions as click  # typer's own copy of click: the exceptions it raises

from flows.heap import limit_arenas
from qareview.commands import calibrate, ingest, orchestrate, publish, score, sentiment
from qareview.commands.errors import USAGE, one_line

app = typer.Typer(
    name="qareview",
    help=(
        "Review customer-service transcripts: ingest exports into a store, analyse and score "
        "them against YAML rubrics, publish coaching cards and routing-failure reports, and "
        "run the whole thing nightly with Prefect."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (ingest, sentiment, score, publish, orchestrate, calibrate):
    _module.register(app)


def main() -> None:
    """Entry point for the `qareview` console script: usage errors are one line, exit 2."""
    limit_arenas()  # before any thread starts: see flows/heap.py
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(USAGE)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "qareview"
        typer.echo(f"error: {one_line(exc.format_message())} (see `{command} --help`)", err=True)
        sys.exit(USAGE)
    except click.ClickException as exc:
        typer.echo(f"error: {one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
