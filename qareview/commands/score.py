"""`qareview score`: score transcripts against a rubric and print one JSON line per conversation.

Reads every file under the given paths in any supported format, analyses the conversations
(spaCy, encoder, sentiment), groups them into customer journeys, scores them with the rubric
and prints, per conversation::

    {"conversation_id": "C-1105", "rubric_version": "default@1.0.0",
     "scores": {"empathy": 1.0, "self_worth": 0.0, ...},
     "leg_scores": [{"leg": 0, "agent_id": "a-kevin", "criterion": "self_worth", ...}],
     "agent_scores": [{"leg": 0, "agent_id": "a-kevin", "value": 0.42, "criteria": {...}, "weights": {...}}],
     "findings": [{"scorer": "self_worth.v1", "criterion": "self_worth", "kind": "contradict_customer",
                   "attribution": "agent", "leg": 0, "turn": 4, "quote": "You're wrong about that.",
                   "suggestion": "...", ...}]}

``scores`` holds one value per criterion: the conversation-level (system) value when there is
one, else the mean over the agent legs (None when nothing could be computed); ``leg_scores``
has every per-leg value (the shape is ``nlp.findings.ConversationScores.to_dict``; annotation and
scoring are ``nlp.scoring.analyse_and_score``, as in the nightly flow). Quarantined records go
to stderr as JSON lines. Nothing is stored unless ``--db`` names a DuckDB file. Exit codes: 0 done
(quarantine is reported, not fatal), 1 nothing could be scored (every record quarantined), 2 invalid
rubric, unknown format, missing input path, unusable ``--db`` or missing model.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from nlp.findings import ConversationScores
    from nlp.rubric import Rubric
    from transcripts.model import Conversation


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(name="score")(score)


def score(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Transcript files or folders (any supported format).", metavar="PATH"),
    ],
    rubric: Annotated[
        Path | None,
        typer.Option("--rubric", metavar="FILE", help="Rubric YAML (default: rubrics/default.yaml)."),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", metavar="NAME", help="Read every file with this reader instead of detecting it."
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="FILE",
            help="Also store scores and findings in this store (DuckDB file or postgresql:// URL).",
        ),
    ] = None,
) -> None:
    """Score transcripts against a rubric: one JSON line of scores and findings per conversation."""
    from nlp.models import ModelLoadError
    from nlp.rubric import RubricError
    from nlp.scoring import load_rubric
    from qareview.commands.errors import existing_paths, fail, open_store

    existing_paths(paths)
    store = open_store(db) if db is not None else None  # an unusable --db fails before the models load
    try:
        loaded = load_rubric(rubric)
        conversations = _read(paths, format)
    except RubricError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    except KeyError as exc:  # unknown --format: the message lists the valid ones
        typer.echo(f"error: {exc.args[0] if exc.args else exc}", err=True)
        raise typer.Exit(code=2) from None
    try:
        results = _score(conversations, loaded)
    except ModelLoadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    for result in results:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
    if store is not None:
        with store:
            store.save_scores(results)
        typer.echo(f"stored {len(results)} scored conversation(s) in {db}", err=True)
    if not results:
        fail("nothing was scored: no input record is a readable conversation (see the lines above)", code=1)


def _read(paths: Sequence[Path], format: str | None) -> list[Conversation]:
    """Every conversation under ``paths``, redacted (first copy of an id wins); the rest goes to stderr."""
    from privacy.conversations import redact_results
    from transcripts.model import Conversation
    from transcripts.quarantine import Quarantined
    from transcripts.read import read_path
    from transcripts.readers.base import DuplicateRecord

    conversations: dict[str, Conversation] = {}
    for path in paths:
        for item in redact_results(read_path(path, format)):  # personal data never reaches the output
            if isinstance(item, Conversation):
                if item.id in conversations:
                    _stderr({"duplicate": item.id, "file": item.source_file, "record": item.source_record})
                else:
                    conversations[item.id] = item
            elif isinstance(item, Quarantined):
                _stderr(
                    {
                        "quarantined": item.file,
                        "record": item.record,
                        "reason": item.reason.value,
                        "message": item.message,
                    }
                )
            elif isinstance(item, DuplicateRecord):
                _stderr({"duplicate": item.duplicate_of, "file": item.file, "record": item.record})
    return list(conversations.values())


def _score(conversations: list[Conversation], rubric: Rubric) -> list[ConversationScores]:
    from nlp.analysis import Analyzer
    from nlp.scoring import analyse_and_score
    from transcripts.journeys import ContactSpan, build_journeys

    if not conversations:
        return []
    journeys = build_journeys(ContactSpan.of(c) for c in conversations)
    return analyse_and_score(conversations, journeys, rubric, Analyzer())[1]


def _stderr(payload: dict[str, Any]) -> None:
    sys.stderr.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
