"""Every user mistake on the real command line: one line naming the argument or file, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def qareview(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "qareview.cli", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    record = {"id": "a", "channel": "chat", "started_at": "2026-11-16T09:00:00Z",
              "turns": [{"role": "customer", "text": "hi"}, {"role": "agent", "text": "hello"}]}  # fmt: skip
    (folder / "ok.jsonl").write_text(json.dumps(record) + "\n")
    (folder / "afile").write_text("not a folder\n")
    (folder / "notdb.duckdb").write_text("garbage, not a database\n")
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    assert qareview("ingest", "ok.jsonl", "--db", "s.duckdb", cwd=folder).returncode == 0
    return folder


MISTAKES = [
    (["ingest", "ok.jsonl", "--db", "afile/x.duckdb"], "afile is a file"),
    (["ingest", "ok.jsonl", "--db", "/proc/x.duckdb"], "/proc/x.duckdb"),
    (["ingest", "ok.jsonl", "--db", "/proc/sub/x.duckdb"], "/proc/sub"),
    (["ingest", "ok.jsonl", "--db", "notdb.duckdb"], "not a DuckDB database"),
    (["ingest", "/nonexistent/path", "--db", "new.duckdb"], "/nonexistent/path does not exist"),
    (["ingest", "ok.jsonl", "--db", "s.duckdb", "--format", "nope"], "valid formats"),
    (["ingest", "ok.jsonl", "--bogus"], "--bogus"),
    (["ingest", "--db", "s.duckdb"], "PATH"),
    (["score", "/nonexistent.jsonl"], "/nonexistent.jsonl does not exist"),
    (["score", "ok.jsonl", "--db", "afile/x"], "afile is a file"),
    (["cards", "--db", "s.duckdb", "--out", "o", "--to", "9999-12-31"], "--to 9999-12-31"),
    (["cards", "--db", "s.duckdb", "--out", "o", "--from", "0001-01-01"], "--from 0001-01-01"),
    (["routing-report", "--db", "s.duckdb", "--out", "o", "--to", "9999-12-31"], "--to 9999-12-31"),
    (
        ["routing-report", "--db", "s.duckdb", "--out", "o", "--from", "2000-01-01", "--to", "2099-12-31"],
        "--to",
    ),
    (["cards", "--db", "s.duckdb", "--out", "o", "--from", "2026-13-01"], "--from"),
    (["cards", "--db", "s.duckdb", "--out", "o", "--from", "2026-11-02", "--to", "2026-11-01"], "swap"),
    (["cards", "--db", "missing.duckdb", "--out", "o"], "missing.duckdb"),
    (["cards", "--db", "s.duckdb", "--out", "afile"], "--out afile is a file"),
    (["run", "ok.jsonl", "--db", "notdb.duckdb", "--out", "o"], "not a DuckDB database"),
    (["run", "ok.jsonl", "--db", "afile/x.duckdb", "--out", "o"], "afile is a file"),
    (["run", "ok.jsonl", "--db", "fresh.duckdb", "--out", "afile"], "--out afile is a file"),
    (
        ["run", "nonexistent-folder", "--db", "fresh.duckdb", "--out", "o"],
        "nonexistent-folder does not exist",
    ),
]


@pytest.mark.parametrize(("args", "named"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_a_mistake_is_one_line_exit_2(place: Path, args: list[str], named: str) -> None:
    result = qareview(*args, cwd=place)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert named in result.stderr and "Traceback" not in result.stderr
    assert not (place / "fresh.duckdb").exists(), "a refused run leaves no store behind"


def test_score_on_garbage_exits_non_zero(place: Path) -> None:
    result = qareview("score", "garbage.bin", cwd=place)
    assert result.returncode == 1 and "nothing was scored" in result.stderr


@pytest.mark.parametrize("command", [["ingest", "ok.jsonl"], ["run", "ok.jsonl", "--out", "o"]], ids=" ".join)
def test_a_second_run_on_a_store_in_use_says_so(place: Path, command: list[str]) -> None:
    from storage.run_lock import run_lock

    with run_lock(place / "s.duckdb"):
        result = qareview(*command, "--db", "s.duckdb", cwd=place)
    assert result.returncode == 75, result.stderr
    assert result.stderr.count("\n") == 1 and "in use by another qareview run" in result.stderr
    assert qareview("ingest", "ok.jsonl", "--db", "s.duckdb", cwd=place).returncode == 0


def test_help_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path) -> None:
    """`qareview ingest --help | head -1`: the reader has gone; the command exits without a traceback."""
    command = [sys.executable, "-m", "qareview.cli", "ingest", "--help"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # closed before the child writes: its write meets a broken pipe
    _, stderr = process.communicate(timeout=120)
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")
