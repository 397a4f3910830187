"""`qareview cards` and `qareview routing-report` on the synthetic store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qareview.cli import app
from storage.store import Store

runner = CliRunner()


@pytest.mark.models
def test_cards_prints_every_path(synthetic_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "cards",
            "--db",
            str(synthetic_db),
            "--from",
            "2026-11-16",
            "--to",
            "2026-11-22",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "period 2026-11-16 – 2026-11-22 · rubric test-rubric@1.0" in result.output
    assert f"index: {tmp_path / 'index.html'}" in result.output
    assert f"a-kevin: {tmp_path / 'cards' / 'a-kevin.html'}" in result.output
    assert (tmp_path / "cards" / "a-kevin.md").is_file() and (tmp_path / "cards" / "a-kevin.json").is_file()
    assert not (tmp_path / "routing").exists()


@pytest.mark.models
def test_routing_report_defaults_to_the_data_range(synthetic_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["routing-report", "--db", str(synthetic_db), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "period 2026-11-10 – 2026-11-22" in result.output
    assert f"routing report: {tmp_path / 'routing' / 'report.html'}" in result.output
    assert result.output.count("csv: ") == 12  # one per report table
    assert not (tmp_path / "index.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-11-22", "--to", "2026-11-16"], "is after --to"),
        (["--rubric-version", "nope@0"], "no scores with rubric version"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    synthetic_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["cards", "--db", str(synthetic_db), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_missing_or_empty_store(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["cards", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "no store there" in missing.output
    Store(tmp_path / "empty.duckdb").close()
    empty = runner.invoke(
        app, ["routing-report", "--db", str(tmp_path / "empty.duckdb"), "--out", str(tmp_path)]
    )
    assert empty.exit_code == 2 and "no conversations" in empty.output


def test_date_format_is_checked(synthetic_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["cards", "--db", str(synthetic_db), "--from", "16/11/2026", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
