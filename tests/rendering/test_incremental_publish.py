"""Incremental publishing: only files whose inputs changed are written, and the site equals a full publish.

Real DuckDB stores (the synthetic store, with and without one conversation), the real redactor,
real files. "Equal" means byte for byte once the "Generated" time is blanked, fingerprint records
included.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_store import PERIOD, build_store

from rendering.page_ledger import LOG, RECORDS, publication_complete, read_records
from rendering.publish import PublishResult, publish
from rendering.redact import Redactor
from storage.store import Store

REPO = Path(__file__).resolve().parents[2]
ADDED = "k3"  # a routine contact of a-kevin's in the period: the night's new conversation
_GENERATED = re.compile(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def site(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` by relative path, the "Generated" time blanked."""
    return {
        p.relative_to(out).as_posix(): _GENERATED.sub(b"Generated <time>", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def run_publish(db: Path, out: Path, redactor: Redactor, *, incremental: bool) -> PublishResult:
    with Store(db, read_only=True) as store:
        return publish(store, *PERIOD, out, redactor=redactor, incremental=incremental)


def names(result: PublishResult) -> set[str]:
    return {p.relative_to(result.out_dir).as_posix() for p in result.written}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The synthetic store without ``ADDED`` (last night) and with it (tonight)."""
    from synthetic_store import stories

    root = tmp_path_factory.mktemp("incremental-stores")
    before, after = root / "before.duckdb", root / "after.duckdb"
    build_store(before, only=[s.id for s in stories() if s.id != ADDED]).close()
    build_store(after).close()
    return before, after


def test_republishing_unchanged_inputs_writes_nothing(
    synthetic_db: Path, redactor: Redactor, tmp_path: Path
) -> None:
    first = run_publish(synthetic_db, tmp_path, redactor, incremental=True)  # nothing recorded yet
    assert len(first.written) == len(first.all_paths()) and first.kept == []
    assert publication_complete(tmp_path) and not (tmp_path / LOG).exists()
    before, times = site(tmp_path), mtimes(tmp_path)
    again = run_publish(synthetic_db, tmp_path, redactor, incremental=True)
    assert again.written == [] and len(again.kept) == len(first.all_paths())
    assert mtimes(tmp_path) == times  # not even rewritten, fingerprint records included
    assert site(tmp_path) == before
    full = run_publish(synthetic_db, tmp_path, redactor, incremental=False)
    assert len(full.written) == len(first.written) and full.kept == []  # --full writes everything


def test_a_new_conversation_rewrites_exactly_the_files_it_changes(
    stores: tuple[Path, Path], redactor: Redactor, tmp_path: Path
) -> None:
    before_db, after_db = stores
    out = tmp_path / "site"
    run_publish(before_db, out, redactor, incremental=True)
    last_night = site(out)
    tonight = run_publish(after_db, out, redactor, incremental=True)
    fresh = run_publish(after_db, tmp_path / "fresh", redactor, incremental=False)
    assert site(out) == site(tmp_path / "fresh")  # the same site as a full publish, records included
    changed = {k for k, v in site(out).items() if last_night.get(k) != v} - {RECORDS}
    assert names(tonight) == changed
    gone = {p.relative_to(out).as_posix() for p in tonight.removed}
    assert gone == set(last_night) - set(site(out))  # no card or report links to them any more
    assert f"conversations/{ADDED}.html" in changed
    assert "cards/a-kevin.html" in changed and "index.csv" in changed
    pages = {k for k in fresh.conversation_paths}
    kept = {p.stem for p in tonight.kept if p.parent.name == "conversations"}
    assert kept and kept < pages  # most conversation pages were neither built nor written


def test_a_new_customer_name_rewrites_the_pages_that_mention_it(synthetic_db: Path, tmp_path: Path) -> None:
    """A name learnt tonight is redacted in last night's pages too; pages without it stay as they are."""
    db = tmp_path / "s.duckdb"
    db.write_bytes(synthetic_db.read_bytes())
    with Store(db) as store:
        store.connection.execute(
            "UPDATE turns SET text = 'It''s Marcus from the shop again. ' || text "
            "WHERE conversation_id = 'm1' AND turn = 0"
        )
    redactor = Redactor(names=False)  # patterns and known names only: NER would hide "Marcus" anyway
    out = tmp_path / "site"
    run_publish(db, out, redactor, incremental=True)
    assert "Marcus" in (out / "conversations" / "m1.html").read_text(encoding="utf-8")
    with Store(db) as store:
        store.connection.execute(
            "UPDATE turns SET speaker_name = 'Marcus Lindqvist' "
            "WHERE conversation_id = 'k1' AND role = 'customer'"
        )
    tonight = run_publish(db, out, Redactor(names=False), incremental=True)
    assert "Marcus" not in (out / "conversations" / "m1.html").read_text(encoding="utf-8")
    written = names(tonight)
    assert "conversations/m1.html" in written
    assert "conversations/k2.html" not in written  # no word of the new name on that page
    run_publish(db, tmp_path / "fresh", Redactor(names=False), incremental=False)
    assert site(out) == site(tmp_path / "fresh")


_KILLED_PUBLISH = """
import os, sys
from rendering.publish import publish
from rendering.redact import Redactor
from storage.store import Store

def die(done, total):
    if done == int(sys.argv[3]):
        os._exit(9)  # a hard kill: no exception handling, no clean-up, no buffers flushed

with Store(sys.argv[1], read_only=True) as store:
    publish(store, "2026-11-16", "2026-11-22", sys.argv[2], redactor=Redactor(names=False),
            incremental=True, on_page=die)
"""


def test_a_publish_killed_midway_is_finished_by_the_next(synthetic_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISH, str(synthetic_db), str(out), "3"], env=env, timeout=600
    )
    assert killed.returncode == 9
    assert not publication_complete(out) and not (out / RECORDS).exists()
    recorded = read_records(out)
    assert recorded and set(recorded) <= set(site(out))  # only files that were written are recorded
    done_pages = {k for k in recorded if k.startswith("conversations/")}
    assert len(done_pages) == 3
    resumed = run_publish(synthetic_db, out, Redactor(names=False), incremental=True)
    assert publication_complete(out)
    assert not names(resumed) & set(recorded)  # what was finished is not redone
    assert names(resumed) == set(site(out)) - set(recorded) - {RECORDS}
    run_publish(synthetic_db, tmp_path / "fresh", Redactor(names=False), incremental=False)
    assert site(out) == site(tmp_path / "fresh")
