"""SIGKILL an ingest at several points; the re-run's store equals an uninterrupted run's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.admission import PlausibleDates
from storage.ingest import ingest_paths
from storage.store import Store

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, tzinfo=UTC)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# A child process ingests the folder and SIGKILLs itself at the named point.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from storage.admission import PlausibleDates
    from storage.ingest import ingest_paths
    from storage.store import Store
    point, folder, db, now = sys.argv[1:5]
    calls = {"n": 0}
    def die_on(name, nth):
        original = getattr(Store, name)
        def wrapper(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(self, *args, **kwargs)
        setattr(Store, name, wrapper)
    if point == "mid_file":
        die_on("upsert_conversations", 6)
    elif point == "journeys":
        die_on("replace_journeys", 1)
    def progress(step):
        if point == "between_files" and step.status == "ok" and step.done == 2:
            os.kill(os.getpid(), signal.SIGKILL)
    ingest_paths([folder], Store(db), on_progress=progress, batch_size=3,
                 plausible=PlausibleDates(now=datetime.fromisoformat(now)))
    """
)


def _record(i: int) -> dict:
    start = T0 + timedelta(hours=7 * i)
    return {
        "id": f"c{i:03d}",
        "channel": "chat",
        "customer_id": f"cust-{i // 4}",
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=10)).isoformat(),
        "turns": [{"role": "customer", "text": f"Question {i}"}, {"role": "agent", "text": "Answer"}],
    }


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for day in range(5):
        lines = [json.dumps(_record(day * 12 + i)) for i in range(12)]
        (folder / f"day{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a run leaves in the store except run ids and times."""
    queries = {
        "conversations": "SELECT id, customer_id, started_at, content_hash FROM conversations ORDER BY id",
        "turns": "SELECT conversation_id, turn, text FROM turns ORDER BY 1, 2",
        "journeys": "SELECT * FROM journeys ORDER BY journey_id",
        "journey_contacts": "SELECT * FROM journey_contacts ORDER BY journey_id, position",
        "quarantine": "SELECT file, record, reason, message FROM quarantine ORDER BY 1, 2, 3",
        "source_files": "SELECT path, content_hash, status FROM source_files ORDER BY 1",
        "journey_todo": "SELECT * FROM journey_todo",
    }
    with Store(db) as store:
        return {name: store.connection.execute(sql).fetchall() for name, sql in queries.items()}


def _ingest(folder: Path, db: Path, full: bool = False) -> None:
    with Store(db) as store:
        summary = ingest_paths([folder], store, full=full, plausible=PlausibleDates(now=NOW))
    assert summary.invariant_holds


@pytest.mark.parametrize("point", ["mid_file", "between_files", "journeys"])
def test_rerun_after_sigkill_equals_an_uninterrupted_run(tmp_path: Path, exports: Path, point: str) -> None:
    reference = tmp_path / "reference.duckdb"
    _ingest(exports, reference)
    expected = _snapshot(reference)
    assert len(expected["journeys"]) > 9 and not expected["journey_todo"]

    killed = tmp_path / "killed.duckdb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, point, str(exports), str(killed), NOW.isoformat()],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -9, child.stderr
    assert _snapshot(killed)["conversations"], "the kill came after something was committed"
    _ingest(exports, killed)
    assert _snapshot(killed) == expected


def test_lost_journeys_are_rebuilt_and_full_rebuilds_all(tmp_path: Path, exports: Path) -> None:
    db = tmp_path / "store.duckdb"
    _ingest(exports, db)
    expected = _snapshot(db)
    with Store(db) as store:  # damage as an old, killed run left it: journeys of some customers gone
        store.connection.execute(
            "DELETE FROM journey_contacts WHERE journey_id IN "
            "(SELECT journey_id FROM journeys WHERE customer_id IN ('cust-1', 'cust-2'))"
        )
        store.connection.execute("DELETE FROM journeys WHERE customer_id IN ('cust-1', 'cust-2')")
    _ingest(exports, db)
    assert _snapshot(db) == expected
    with Store(db) as store:  # a journey that lost a contact row
        store.connection.execute("DELETE FROM journey_contacts WHERE conversation_id = 'c005'")
    _ingest(exports, db, full=True)
    assert _snapshot(db) == expected


def test_the_next_run_marks_a_killed_run_abandoned(tmp_path: Path, exports: Path) -> None:
    db = tmp_path / "killed.duckdb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, "between_files", str(exports), str(db), NOW.isoformat()],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -9, child.stderr
    _ingest(exports, db)
    with Store(db) as store:
        sql = "SELECT status, finished_at IS NOT NULL FROM runs ORDER BY started_at"
        runs = store.connection.execute(sql)
        assert runs.fetchall() == [("abandoned", True), ("finished", True)]
