"""`qareview sentiment`: one JSON line of sentiment per input line.

Reads texts from stdin, one per line, and writes ``{"label": "negative", "score": -0.82}`` per
line in the same order, classifying in batches. A blank line gets ``{"label": "neutral",
"score": 0.0}`` so output line N always answers input line N.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Annotated, TextIO

import typer

CHUNK_LINES = 512
BLANK = {"label": "neutral", "score": 0.0}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="sentiment")(sentiment)


def sentiment(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="'shipped', a Hugging Face text-classification model name or a local path "
            "(overrides sentiment.model in the analysis config).",
        ),
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", help="Analysis YAML (default: nlp/analysis.yaml).")
    ] = None,
) -> None:
    """Classify stdin, one text per line, into JSON lines {"label", "score"} (blank line -> neutral 0.0)."""
    from nlp.analysis import Analyzer
    from nlp.config import ConfigError, load_analysis_config
    from nlp.models import ModelLoadError

    try:
        settings = load_analysis_config(config)
        if model:
            settings = settings.with_sentiment_model(model)
        analyzer = Analyzer(settings)
        for chunk in _chunks(sys.stdin, CHUNK_LINES):
            _write(sys.stdout, chunk, analyzer)
    except (ConfigError, ModelLoadError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line.rstrip("\r\n"))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(out: TextIO, lines: list[str], analyzer: object) -> None:
    texts = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    results = analyzer.classify_texts([text for _, text in texts])  # type: ignore[attr-defined]
    rows: list[dict[str, object]] = [BLANK] * len(lines)
    for (i, _), result in zip(texts, results, strict=True):
        rows[i] = {"label": result.label.value, "score": round(result.score, 4)}
    out.write("".join(json.dumps(row) + "\n" for row in rows))
    out.flush()
