"""The PostgreSQL store, against a real server the suite starts (tests/storage/postgres_server.py).

The same inputs give the same stored rows as DuckDB; re-running changes nothing; a killed
ingest, re-run, equals an uninterrupted one; migrations are numbered and refuse a newer
store; the run lock is a PostgreSQL advisory lock that refuses a second run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from storage.admission import PlausibleDates
from storage.dialect import display, is_postgres, target
from storage.ingest import ingest_paths
from storage.migrate import LATEST
from storage.run_lock import StoreBusyError, run_lock
from storage.store import Store, StoreError
from tests.storage.test_crash_safety import CHILD, NOW, _record, _snapshot

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
# Columns naming the run that wrote a row: they differ between any two runs by design.
RUN_COLUMNS = {
    "conversations": {"ingested_run", "updated_run"},
    "source_files": {"first_seen_run", "last_run"},
    "quarantine": {"run_id"},
}
BOOKKEEPING = {"runs", "schema_version"}


def dump(store: Store, skip: dict[str, set[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every qareview table but the bookkeeping ones, sorted, without ``skip`` columns."""
    con = store.connection
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()
    result = {}
    for (table,) in sorted(tables):
        if table in BOOKKEEPING:
            continue
        columns = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            [table],
        ).fetchall()
        names = ", ".join(f'"{c}"' for (c,) in columns if c not in (skip or {}).get(table, set()))
        result[table] = sorted(con.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
    return result


def ingest(db: str | Path, *paths: Path, full: bool = False) -> Any:
    with Store(db) as store:
        summary = ingest_paths(list(paths), store, full=full, plausible=PlausibleDates(now=NOW))
    assert summary.invariant_holds, summary.invariant_text()
    return summary


# -- the URL --------------------------------------------------------------------------------


def test_a_url_that_went_through_path_still_names_the_database() -> None:
    url = "postgresql://qa:secret@db.example:5433/qareview"
    assert target(Path(url)) == url and is_postgres(Path(url))
    assert display(Path(url)) == "postgresql://qa:***@db.example:5433/qareview"
    assert not is_postgres("out/qareview.duckdb") and display("out/q.duckdb") == "out/q.duckdb"


# -- the same rows as DuckDB ----------------------------------------------------------------


def test_examples_store_the_same_rows_as_in_duckdb(pg_url: str, tmp_path: Path) -> None:
    duck = tmp_path / "q.duckdb"
    for db in (pg_url, duck):
        summary = ingest(db, EXAMPLES)
        assert (summary.stored, summary.quarantined) == (70, 7)
    with Store(pg_url) as pg, Store(duck) as duckdb_store:
        expected, got = dump(duckdb_store, RUN_COLUMNS), dump(pg, RUN_COLUMNS)
        assert got.keys() == expected.keys()
        assert len(got["turns"]) > 800 and len(got["quarantine"]) == 7 and got["journeys"]
        for table in expected:
            assert got[table] == expected[table], table
        assert list(pg.load_conversations()) == list(duckdb_store.load_conversations())
        assert pg.quarantine_entries() == duckdb_store.quarantine_entries()
        assert pg.load_journeys() == duckdb_store.load_journeys()
        assert pg.conversations_needing_work("r1") == duckdb_store.conversations_needing_work("r1")


def test_rerunning_changes_nothing(pg_url: str) -> None:
    ingest(pg_url, EXAMPLES)
    last_run = {"source_files": {"last_run"}}  # the watermark's "last run that read the file"
    with Store(pg_url) as store:
        before, before_but_last_run = dump(store), dump(store, last_run)
    again = ingest(pg_url, EXAMPLES)
    assert (again.stored, again.skipped_files) == (0, again.files)
    with Store(pg_url) as store:
        assert dump(store) == before
    full = ingest(pg_url, EXAMPLES, full=True)
    assert (full.stored, full.duplicates, full.quarantined) == (0, 70, 7)
    with Store(pg_url) as store:
        assert dump(store, last_run) == before_but_last_run
        assert not store.customers_needing_journeys()


def test_text_sorts_by_code_point_as_in_duckdb(pg_url: str, tmp_path: Path, conversation_factory) -> None:
    ids = ["b", "B", "a", "_x", "é", "Z", "a-1", "a1"]
    for db in (pg_url, tmp_path / "q.duckdb"):
        with Store(db) as store:
            run = store.start_run("test")
            store.upsert_conversations([conversation_factory(cid, start=None) for cid in ids], run)
            assert store.conversation_ids() == sorted(ids)


def test_nul_characters_are_quarantined_not_fatal(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = '{"id": "ok", "channel": "chat", "turns": [{"role": "customer", "text": "a\\\\u0000 is fine"}]}'
    escaped = '{"id": "bad", "channel": "chat", "turns": [{"role": "customer", "text": "a\\u0000b"}]}'
    (folder / "a.jsonl").write_text("\n".join([good, escaped, '{"id": "raw\x00"}']) + "\n", encoding="utf-8")
    summary = ingest(pg_url, folder)
    assert (summary.stored, summary.quarantined) == (1, 2)
    with Store(pg_url) as store:
        [stored] = store.load_conversations()
        assert stored.turns[0].text == "a\\u0000 is fine"
        entries = {q.record: q for q in store.quarantine_entries()}
        assert entries["line 2"].reason.value == "bad_encoding" and "NUL" in entries["line 2"].message
        assert "\x00" not in "".join(q.excerpt + q.message for q in entries.values())


# -- crash safety ---------------------------------------------------------------------------


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    for day in range(5):
        lines = [json.dumps(_record(day * 12 + i)) for i in range(12)]
        (folder / f"day{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("point", ["mid_file", "journeys"])
def test_rerun_after_sigkill_equals_an_uninterrupted_run(
    pg_server, exports: Path, tmp_path: Path, point: str
) -> None:
    reference = tmp_path / "reference.duckdb"
    ingest(reference, exports)
    expected = _snapshot(reference)
    killed = pg_server.create_database(f"killed_{point}")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, point, str(exports), killed, NOW.isoformat()],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -9, child.stderr
    assert _snapshot(killed)["conversations"], "the kill came after something was committed"
    ingest(killed, exports)
    assert _snapshot(killed) == expected
    with Store(killed) as store:
        runs = store.connection.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
        assert runs == [("abandoned",), ("finished",)]


# -- migrations -----------------------------------------------------------------------------


def test_migrations_are_numbered_and_a_newer_store_is_refused(pg_url: str) -> None:
    with Store(pg_url) as store:
        con = store.connection
        assert con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall() == [
            (v,) for v in range(1, LATEST + 1)
        ]
        indexes = con.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'turns'").fetchall()
        assert ("turns_conversation",) in indexes  # 002_indexes.postgresql.sql ran here
    with Store(pg_url) as again:  # reopening applies nothing twice
        assert again.connection.execute("SELECT count(*) FROM schema_version").fetchone() == (LATEST,)
        again.connection.execute("INSERT INTO schema_version VALUES (?, now())", [LATEST + 1])
    with pytest.raises(StoreError, match="upgrade qareview"):
        Store(pg_url)


def test_read_only_open_of_an_empty_database_says_so(pg_url: str) -> None:
    with pytest.raises(StoreError, match="holds no qareview store"):
        Store(pg_url, read_only=True)
    ingest(pg_url, EXAMPLES / "2026-11-15")
    with Store(pg_url, read_only=True) as reader:
        assert reader.conversation_ids()
        with pytest.raises(Exception, match="read-only"):
            reader.connection.execute("DELETE FROM conversations")


# -- the run lock ---------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from storage.run_lock import run_lock
    with run_lock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(600)
    """
)


def test_the_run_lock_refuses_a_second_run_and_dies_with_its_holder(pg_url: str, tmp_path: Path) -> None:
    with run_lock(pg_url), pytest.raises(StoreBusyError, match="in use by another qareview run"):
        with run_lock(pg_url, wait=0.6):
            pass
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, pg_url], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        Store(pg_url).close()
        cli = subprocess.run(
            [sys.executable, "-m", "qareview.cli", "ingest", str(EXAMPLES / "2026-11-15"), "--db", pg_url],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert cli.returncode == 75, cli.stderr
        assert "in use by another qareview run" in cli.stderr and len(cli.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    with run_lock(pg_url, wait=10):  # the server dropped the killed holder's lock
        pass


# -- the whole nightly run ------------------------------------------------------------------


def _published(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` by relative path, with the generation time blanked.

    ``runs.html`` is left out: it is the run history (start times, durations), timestamps by nature.
    """
    import re

    stamp = re.compile(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    return {
        str(p.relative_to(out)): stamp.sub(b"Generated -", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "runs.html"
    }


@pytest.mark.slow
@pytest.mark.models
@pytest.mark.prefect
def test_qareview_run_publishes_the_same_files_as_with_duckdb(
    prefect_harness: None, pg_url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from qareview.cli import app

    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    outputs = {}
    for name, db in (("duckdb", str(tmp_path / "q.duckdb")), ("postgresql", pg_url)):
        out = tmp_path / f"{name}-out"
        result = CliRunner().invoke(app, ["run", str(inbox), "--db", db, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "stored 70 + quarantined 7" in result.output
        outputs[name] = _published(out)
    assert len(outputs["duckdb"]) > 50 and any(k.startswith("cards/") for k in outputs["duckdb"])
    assert outputs["postgresql"].keys() == outputs["duckdb"].keys()
    for path, content in outputs["duckdb"].items():
        assert outputs["postgresql"][path] == content, path
    again = CliRunner().invoke(app, ["run", str(inbox), "--db", pg_url, "--out", str(tmp_path / "again")])
    assert again.exit_code == 0 and "stored 0 +" in again.output and "analysed and scored 0" in again.output
    assert _published(tmp_path / "again") == outputs["postgresql"]
