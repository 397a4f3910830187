"""End to end: the nightly flow over the bundled examples, then again with one new file, then idle.

One module-scoped sequence of real runs (real Prefect, DuckDB, spaCy, encoder, rubric,
publishing) shared by the assertions below.
"""

from __future__ import annotations

import csv
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.nightly import ARTIFACT_KEY, nightly_review
from flows.progress import Step, listening
from flows.run_summary import NightlySummary
from qareview.cli import app
from tests.flows.flow_helpers import (
    EXAMPLES,
    conversation_ids,
    copy_examples,
    published_site,
    run_artifacts,
    scalar,
)

pytestmark = [pytest.mark.prefect, pytest.mark.models, pytest.mark.slow]

# The first night reads the bundled week (examples/, broken files included) except NEW_FILE;
# the second night that file arrives: chats of customers who also called on other days.
NEW_FILE = "2026-11-17/chats.jsonl"


@dataclass
class Night:
    summary: NightlySummary
    flow_run_id: Any


@dataclass
class Nights:
    inbox: Path
    db: Path
    out: Path
    first_ids: set[str]  # conversations the readers find in the first night's files
    first_files: int
    first: Night
    second: Night
    idle: Night
    before_idle: dict[str, int]  # published file -> mtime (ns) after the second night
    second_steps: list[Step]  # the progress the second night reported


def _run(inbox: Path, db: Path, out: Path) -> Night:
    state = nightly_review(source=str(inbox), db=str(db), out=str(out), return_state=True)
    assert state.is_completed(), state.message
    return Night(state.result(), state.state_details.flow_run_id)


@pytest.fixture(scope="module")
def nights(flow_env: None, tmp_path_factory: pytest.TempPathFactory) -> Nights:
    root = tmp_path_factory.mktemp("nightly")
    inbox = copy_examples(root / "inbox", *(p.name for p in sorted(EXAMPLES.iterdir()) if p.is_dir()))
    (inbox / NEW_FILE).unlink()
    db, out = root / "store.duckdb", root / "out"
    first_ids, first_files = conversation_ids(inbox), len([p for p in inbox.rglob("*") if p.is_file()])
    first = _run(inbox, db, out)
    copy_examples(inbox, NEW_FILE)
    steps: list[Step] = []
    with listening(steps.append):
        second = _run(inbox, db, out)
    before_idle = _published_files(out)
    idle = _run(inbox, db, out)
    return Nights(inbox, db, out, first_ids, first_files, first, second, idle, before_idle, steps)


def _published_files(out: Path) -> dict[str, int]:
    """Cards, reports and conversation pages (not the run pages, which every run updates)."""
    run_pages = {"runs.html", "quarantine.html", "quarantine.csv"}
    return {str(p): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name not in run_pages}


def test_first_night_accounts_for_every_record(nights: Nights) -> None:
    s = nights.first.summary
    assert s.read == s.stored + s.quarantined + s.duplicates
    assert s.stored == len(nights.first_ids)
    assert s.quarantined >= 6 and s.quarantined_by_reason
    assert s.files_found == nights.first_files
    assert s.analysed == s.stored and s.failed_batches == [] and s.succeeded
    ingested = "SELECT count(*) FROM conversations WHERE ingested_run = ?"
    assert scalar(nights.db, ingested, s.ingest_run_id) == s.stored


def test_every_stored_conversation_is_analysed_and_scored(nights: Nights) -> None:
    version = nights.first.summary.rubric_version
    assert (
        scalar(
            nights.db,
            "SELECT count(*) FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM scores s "
            "WHERE s.conversation_id = c.id AND s.rubric_version = ?) OR NOT EXISTS "
            "(SELECT 1 FROM trajectories t WHERE t.conversation_id = c.id AND t.leg IS NULL)",
            version,
        )
        == 0
    )
    turns = scalar(nights.db, "SELECT count(*) FROM turns")
    assert scalar(nights.db, "SELECT count(*) FROM turn_sentiment") == turns


def test_first_night_publishes_cards_and_report(nights: Nights) -> None:
    s = nights.first.summary
    assert s.index_path == str(nights.out.resolve() / "index.html")
    assert Path(s.index_path).is_file()
    assert s.reps_carded > 0
    assert (nights.out / "routing" / "report.html").is_file()
    assert s.period == "2026-11-16" or s.period.startswith("2026-11-")
    assert not (nights.out / ".qareview-work").exists()  # batch snapshots cleaned up


def test_second_night_does_only_the_new_file(nights: Nights) -> None:
    first, second = nights.first.summary, nights.second.summary
    assert second.files_found == first.files_found + 1
    assert second.files_skipped == first.files_found  # the watermark
    new_ids = conversation_ids(nights.inbox / NEW_FILE)
    n = len(new_ids)
    assert (second.read, second.stored, second.new, second.quarantined) == (n, n, n, 0)
    # Earlier contacts of the returning customers' journeys join them, to score repeats in context.
    earlier = scalar(
        nights.db,
        "SELECT count(DISTINCT b.conversation_id) FROM journey_contacts a JOIN journey_contacts b "
        "USING (journey_id) WHERE list_contains(?, a.conversation_id) "
        "AND NOT list_contains(?, b.conversation_id)",
        sorted(new_ids), sorted(new_ids),
    )  # fmt: skip
    assert earlier >= 1
    assert (second.needing_work, second.journey_context) == (n, earlier)
    assert second.analysed == n + earlier
    new_file = str((nights.inbox / NEW_FILE).resolve())
    run = second.ingest_run_id
    assert scalar(nights.db, "SELECT last_run FROM source_files WHERE path = ?", new_file) == run
    assert scalar(nights.db, "SELECT count(*) FROM conversations WHERE updated_run = ?", run) == n
    assert scalar(nights.db, "SELECT count(*) FROM conversations") == first.stored + n


def test_idle_night_touches_nothing(nights: Nights) -> None:
    s = nights.idle.summary
    assert (s.read, s.stored, s.analysed, s.batches) == (0, 0, 0, 0)
    assert s.files_skipped == s.files_found
    assert s.unchanged and not nights.second.summary.unchanged
    assert _published_files(nights.out) == nights.before_idle  # nothing republished, not even rewritten
    second = nights.second.summary
    assert (s.index_path, s.period, s.reps_carded) == (second.index_path, second.period, second.reps_carded)


def test_second_night_rewrites_only_what_changed_and_equals_a_full_publish(
    nights: Nights, tmp_path: Path
) -> None:
    from flows.batches import process_rubric
    from rendering.latest_period import publish_period

    first, second = nights.first.summary, nights.second.summary
    assert first.pages_written > 0 and first.pages_kept == 0
    assert second.pages_written > 0 and second.pages_kept > 0  # unchanged pages left alone
    fresh = publish_period(str(nights.db), tmp_path, 7, process_rubric(None), incremental=False)
    assert fresh.pages_written == second.pages_written + second.pages_kept
    assert published_site(nights.out) == published_site(tmp_path)


def test_progress_reaches_the_end_of_each_stage(nights: Nights) -> None:
    s = nights.second.summary
    last = {step.stage: step for step in nights.second_steps}
    assert list(last) == ["ingest", "analyse", "publish"]
    assert last["ingest"].done == last["ingest"].total == s.files_found
    assert (last["analyse"].done, last["analyse"].total) == (s.analysed, s.analysed)
    assert last["publish"].done == last["publish"].total and last["publish"].total
    assert [step.done for step in nights.second_steps if step.stage == "analyse"] == sorted(
        step.done for step in nights.second_steps if step.stage == "analyse"
    )


def test_run_history_page_lists_every_run(nights: Nights) -> None:
    page = (nights.out / "runs.html").read_text(encoding="utf-8")
    assert page.count('<tr title="') == 3
    rows = page.split('<tr title="')[1:]  # newest first: idle, second, first
    assert [row.split('"')[0] for row in rows] == [
        n.summary.run_id for n in (nights.idle, nights.second, nights.first)
    ]
    assert ">nothing new<" in rows[0] and ">unchanged<" in rows[0]
    first = nights.first.summary
    assert f">{first.period}: {first.reps_carded} cards, routing report<" in rows[2] and ">ok<" in rows[2]


def test_quarantine_page_and_csv_list_every_entry(nights: Nights) -> None:
    with (nights.out / "quarantine.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    stored = scalar(nights.db, "SELECT count(*) FROM quarantine")
    assert len(rows) == stored == nights.first.summary.quarantined
    assert {r["reason"] for r in rows} == set(nights.first.summary.quarantined_by_reason)
    assert all(r["file"].startswith(str(nights.inbox)) and r["record"] for r in rows)
    page = (nights.out / "quarantine.html").read_text(encoding="utf-8")
    for row in rows:
        assert f"<code>{row['reason']}</code>" in page and html.escape(row["record"]) in page
    index = (nights.out / "index.html").read_text(encoding="utf-8")
    assert 'href="runs.html"' in index and 'href="quarantine.html"' in index


def test_each_run_is_recorded_in_the_store(nights: Nights) -> None:
    runs = [n.summary.run_id for n in (nights.first, nights.second, nights.idle)]
    finished = "SELECT count(*) FROM runs WHERE kind = 'nightly' AND finished_at IS NOT NULL"
    assert scalar(nights.db, finished) == 3
    details = scalar(nights.db, "SELECT details->>'analysed' FROM runs WHERE run_id = ?", runs[1])
    assert int(details) == nights.second.summary.analysed


def test_run_summary_artifact(nights: Nights) -> None:
    [artifact] = run_artifacts(nights.second.flow_run_id, ARTIFACT_KEY)
    assert artifact.key == ARTIFACT_KEY and artifact.type == "markdown"
    s = nights.second.summary
    text = artifact.data
    assert s.run_id in text
    assert f"| {s.read} | {s.stored} ({s.new} + {s.changed}) | {s.quarantined} | {s.duplicates} |" in text
    assert f"Reps carded: {s.reps_carded}." in text and s.reps_carded > 0
    assert s.top_routing_failures and "Top routing failures" in text  # the week's planted stories
    assert all(f"- {line}" in text for line in s.top_routing_failures)
    assert f"[{s.index_path}]({Path(s.index_path).resolve().as_uri()})" in text  # a link to the index
    assert s.outputs and all(f"`{path}`" in text for path in s.outputs)  # report and index CSV


def test_cli_run_ends_with_the_index(nights: Nights) -> None:
    result = CliRunner().invoke(
        app, ["run", str(nights.inbox), "--db", str(nights.db), "--out", str(nights.out)]
    )
    assert result.exit_code == 0, result.output
    assert "nothing new; outputs unchanged" in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"Cards and reports: {nights.out.resolve() / 'index.html'}"
    assert lines[-2] == f"Store: {nights.db.resolve()}"
    assert lines[0].startswith("read 0 = stored 0 + quarantined 0 + duplicates 0")
