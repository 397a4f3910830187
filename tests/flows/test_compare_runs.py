"""scripts/compare_runs.py: two runs differing only in ids, times, pids and folders compare equal."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from compare_runs import main  # noqa: E402


def _run(folder: Path, run_id: str, pid: int, seconds: float, score: float) -> Path:
    (folder / "out" / "cards").mkdir(parents=True)
    with duckdb.connect(str(folder / "q.duckdb")) as con:
        con.execute("CREATE TABLE runs (run_id TEXT, started_at TIMESTAMP, pid INTEGER, details TEXT)")
        con.execute(
            "INSERT INTO runs VALUES (?, now(), ?, ?)",
            [run_id, pid, f'{{"db":"{folder}/q.duckdb","seconds":{{"publish":{seconds}}}}}'],
        )
        con.execute("CREATE TABLE scores (conversation_id TEXT, value DOUBLE)")
        con.execute("INSERT INTO scores VALUES ('c1', ?)", [score])
    page = f"<p>{score}</p><footer>Generated 2026-12-0{pid % 9 + 1} 00:{pid % 60:02d} UTC.</footer>"
    (folder / "out" / "cards" / "a.html").write_text(page, encoding="utf-8")
    (folder / "out" / "runs.html").write_text(
        f'<td>{run_id}</td><td class="num">{seconds}</td>', encoding="utf-8"
    )
    return folder


def test_volatile_fields_are_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _run(tmp_path / "a", "nightly-20261205T002742Z-d30498bd", 994, 64.84, 0.75)
    b = _run(tmp_path / "b", "nightly-20261205T003335Z-15f3863e", 3065, 83.9, 0.75)
    assert main([str(a), str(b)]) == 0
    assert "0 differ" in capsys.readouterr().out


def test_a_changed_score_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _run(tmp_path / "a", "nightly-20261205T002742Z-d30498bd", 994, 64.84, 0.75)
    b = _run(tmp_path / "b", "nightly-20261205T002742Z-d30498bd", 994, 64.84, 0.7500001)
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "table scores: differs" in out and "file cards/a.html: differs" in out
