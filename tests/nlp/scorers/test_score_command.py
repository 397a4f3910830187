"""`qareview score`: JSON lines on stdout, quarantine on stderr, rubric errors with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from qareview.cli import app

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "rubrics"
runner = CliRunner()


def test_invalid_rubric_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    transcript = tmp_path / "c.jsonl"
    transcript.write_text("{}\n")
    result = runner.invoke(app, ["score", str(transcript), "--rubric", str(FIXTURES / "unknown_scorer.yaml")])
    assert result.exit_code == 2
    assert "unknown_scorer.yaml:8" in result.stderr and "valid scorers:" in result.stderr
    assert result.stdout == ""


def test_unknown_format_exits_2_listing_formats(tmp_path: Path) -> None:
    transcript = tmp_path / "c.jsonl"
    transcript.write_text("{}\n")
    result = runner.invoke(app, ["score", str(transcript), "--format", "fax"])
    assert result.exit_code == 2 and "fax" in result.stderr and "json" in result.stderr


@pytest.mark.models
@pytest.mark.slow
def test_scores_print_one_line_per_conversation_and_quarantine_to_stderr(tmp_path: Path) -> None:
    db = tmp_path / "scores.duckdb"
    result = runner.invoke(
        app,
        [
            "score",
            str(ROOT / "examples" / "bad" / "one-bad-line.jsonl"),
            str(ROOT / "examples" / "bad" / "unknown-role.jsonl"),
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["conversation_id"] for line in lines] == ["C-9001", "C-9002", "C-9003"]
    for line in lines:
        assert line["rubric_version"] == "default@1.8.15"
        assert set(line["scores"]) == {"empathy", "self_worth", "transfers", "repeats", "customer_trajectory"}
        assert line["scores"]["transfers"] == 1.0  # no transfers in these chats
        for finding in line["findings"]:
            assert {"scorer", "criterion", "attribution", "leg", "turn", "quote", "suggestion"} <= set(
                finding
            )
    errors = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    reasons = {(Path(e["quarantined"]).name, e["reason"]) for e in errors if "quarantined" in e}
    assert reasons == {("one-bad-line.jsonl", "invalid_json"), ("unknown-role.jsonl", "unknown_role")}
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute(
            "select count(distinct conversation_id), min(rubric_version) from scores"
        ).fetchone()
    assert stored == (3, "default@1.8.15")


@pytest.mark.models
@pytest.mark.slow
def test_without_db_nothing_is_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["score", str(ROOT / "examples" / "bad" / "one-bad-line.jsonl")])
    assert result.exit_code == 0
    assert list(tmp_path.iterdir()) == []
