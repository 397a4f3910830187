"""The run history and the quarantine list, as pages in the output folder.

    out/runs.html          every nightly run, newest first: when, read / stored / set aside,
                           analysed, what was published, and whether it succeeded
    out/quarantine.html    every input record set aside, with its reason code and location
    out/quarantine.csv     the same list for a spreadsheet

The nightly flow writes them after recording its run, so the newest run is on the page::

    paths = write_run_pages(store, Path("out"))
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import RootModel

from configfile import ConfigValueError, load_yaml_config
from rendering.redact import Redactor, redactor_for
from rendering.site_writer import csv_text, environment, render, write_text
from storage.store import Store
from transcripts.quarantine import Quarantined, ReasonCode

RUNS_PAGE = "runs.html"
QUARANTINE_PAGE = "quarantine.html"
QUARANTINE_CSV = "quarantine.csv"
REASONS_PATH = Path(__file__).with_name("quarantine_reasons.yaml")
MAX_RUNS = 200


@dataclass(frozen=True)
class RunRow:
    """One nightly run as the runs page shows it."""

    run_id: str
    started: datetime
    seconds: float | None
    read: int | None
    stored: int | None
    quarantined: int | None
    duplicates: int | None
    analysed: int | None
    published: str
    outcome: str  # "ok", "nothing new", "failed: ...", "did not finish"


def run_rows(store: Store, limit: int = MAX_RUNS) -> list[RunRow]:
    """The newest ``limit`` nightly runs, newest first."""
    found = store.connection.execute(
        "SELECT run_id, started_at, finished_at, read, stored, quarantined, duplicates, details "
        "FROM runs WHERE kind = 'nightly' ORDER BY started_at DESC, run_id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [_row(*record) for record in found]


def _row(
    run_id: str, started: datetime, finished: datetime | None, read: int | None, stored: int | None,
    quarantined: int | None, duplicates: int | None, details: str | None,
) -> RunRow:  # fmt: skip
    data: dict[str, Any] = json.loads(details) if details else {}
    seconds = (finished - started).total_seconds() if finished else None
    if finished is None:
        outcome = "did not finish"
    elif not data.get("succeeded", True):
        failed = len(data.get("failed_batches", [])) + len(data.get("failed_conversations", []))
        outcome = f"failed: {failed} batch(es) or conversation(s), retried next run"
    elif data.get("unchanged"):
        outcome = "nothing new"
    else:
        outcome = "ok"
    if data.get("unchanged"):
        published = "unchanged"
    elif data.get("index_path"):
        published = f"{data.get('period')}: {data.get('reps_carded', 0)} cards, routing report"
    else:
        published = "nothing"
    return RunRow(run_id, started, seconds, read, stored, quarantined, duplicates, data.get("analysed"),
                  published, outcome)  # fmt: skip


class ReasonsFile(RootModel[dict[ReasonCode, str]]):
    """``quarantine_reasons.yaml``: quarantine reason code -> what it means and what to do."""


@cache
def reason_explanations(path: Path = REASONS_PATH) -> dict[str, str]:
    """What each quarantine reason code means (``rendering/quarantine_reasons.yaml``)."""
    data = load_yaml_config(path, ReasonsFile, what="quarantine reasons", error=ConfigValueError)
    return {code.value: text for code, text in data.root.items()}


def redacted(entries: list[Quarantined], redactor: Redactor) -> list[Quarantined]:
    """The entries with card numbers, phone numbers, addresses and names removed from message and excerpt."""
    texts = redactor.redact_many([text for e in entries for text in (e.message, e.excerpt)])
    return [
        Quarantined(e.file, e.record, e.reason, texts[2 * i], texts[2 * i + 1]) for i, e in enumerate(entries)
    ]


def quarantine_csv(entries: list[Quarantined]) -> str:
    """One row per quarantined record: file, record, reason code, message, excerpt."""
    rows = [[e.file, e.record, e.reason.value, e.message, e.excerpt] for e in entries]
    return csv_text(["file", "record", "reason", "message", "excerpt"], rows)


def write_run_pages(store: Store, out_dir: Path, redactor: Redactor | None = None) -> list[Path]:
    """Write ``runs.html``, ``quarantine.html`` and ``quarantine.csv``; return their paths."""
    env = environment()
    entries = redacted(store.quarantine_entries(), redactor or redactor_for(store.connection))
    common = {"period": None, "rubric_version": None, "root": "", "has_run_pages": True,
              "has_index": (out_dir / "index.html").exists(),
              "has_report": (out_dir / "routing" / "report.html").exists()}  # fmt: skip
    by_reason = sorted(Counter(e.reason.value for e in entries).items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        write_text(out_dir / RUNS_PAGE, render(env, "runs.html.j2", runs=run_rows(store), **common)),
        write_text(
            out_dir / QUARANTINE_PAGE,
            render(
                env,
                "quarantine.html.j2",
                entries=entries,
                by_reason=by_reason,
                explanations=reason_explanations(),
                csv_name=QUARANTINE_CSV,
                **common,
            ),
        ),  # fmt: skip
        write_text(out_dir / QUARANTINE_CSV, quarantine_csv(entries)),
    ]
