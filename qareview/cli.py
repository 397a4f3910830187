"""The `qareview` command. Each sub-command lives in ``qareview.commands`` and stays thin."""

from __future__ import annotations

import typer

from qareview.commands import calibrate, ingest, orchestrate, publish, score, sentiment

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
    """Entry point for the `qareview` console script."""
    app()
